"""``logos feed record``: poll a live feed for a while and cache its bars for replay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from logos.cli.app import app, out
from logos.errors import ConfigError, LogosError
from logos.timeutil import isoformat_utc

if TYPE_CHECKING:
    from logos.domain import Bar
    from logos.feeds.base import Feed
    from logos.feeds.cache import BarCache

# feeds, config and plugins are imported when the command runs (see backtest_cmd)

feed_app = typer.Typer(help="Record market data from a feed.", no_args_is_help=True)
app.add_typer(feed_app, name="feed")


def build_feed(name: str, params: dict[str, Any]) -> Feed:
    """The registered feed ``name`` with ``params`` validated by its Params model."""
    from pydantic import ValidationError

    from logos.feeds.base import Feed
    from logos.plugins import get_registry

    cls = get_registry().get("feed", name)
    try:
        validated = cls.Params(**params)
    except ValidationError as exc:
        problems = [
            f"feed.params.{'.'.join(str(p) for p in err['loc'])}: {err['msg']}"
            for err in exc.errors(include_url=False)
        ]
        raise ConfigError(problems, source=f"feed '{name}'") from None
    feed = cls(validated)
    if not isinstance(feed, Feed):
        raise LogosError(f"component '{name}' is not a feed")
    return feed


def check_out_folder(folder: Path) -> None:
    """Refuse ``--out`` before recording when it cannot become a cache folder: it is a file
    (or another non-folder), or the nearest existing folder above it is not writable."""
    import os

    if folder.exists() and not folder.is_dir():
        raise ConfigError([f"--out {folder}: exists and is not a folder; give a folder"])
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise ConfigError([f"--out {folder}: {existing} is not a folder"])
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ConfigError([f"--out {folder}: {existing} is not writable"])


def newer_than_cached(cache: BarCache, bars: list[Bar]) -> list[Bar]:
    """The bars a previous recording into the same folder has not written yet."""
    return [b for b in bars if (last := cache.last_ts(b.symbol)) is None or b.ts > last]


def print_events(source: Feed) -> None:
    """Print the feed's queued events (gap, stale, retry, bad_bar...), one line each."""
    for event in source.drain_events():
        out.print(f"[yellow]{event.type}[/yellow] {escape(str(event.data))}", highlight=False)


@feed_app.command("record")
def record(
    symbol: Annotated[
        list[str],
        typer.Option(
            "--symbol", metavar="SYMBOL", help="Symbol to record (repeatable), e.g. BTC/USDT."
        ),
    ],
    feed: Annotated[
        str, typer.Option("--feed", metavar="NAME", help="Feed name, e.g. ccxt or yfinance.")
    ] = "ccxt",
    exchange: Annotated[
        str | None, typer.Option("--exchange", metavar="ID", help="ccxt exchange id (feed ccxt).")
    ] = None,
    minutes: Annotated[float, typer.Option("--minutes", min=0, help="How long to record.")] = 5.0,
    timeframe: Annotated[
        str, typer.Option("--timeframe", metavar="TIMEFRAME", help="Bar interval.")
    ] = "1m",
    out_dir: Annotated[
        Path, typer.Option("--out", metavar="DIR", help="Cache folder (replay it with --data DIR).")
    ] = Path("data/recorded"),
    fmt: Annotated[
        str, typer.Option("--format", metavar="csv|parquet", help="csv or parquet.")
    ] = "csv",
    param: Annotated[
        list[str] | None,
        typer.Option("--param", metavar="KEY=VALUE", help="Feed param key=value (repeatable)."),
    ] = None,
) -> None:
    """Poll FEED for MINUTES; write each closed bar to OUT/<SYMBOL>/<DAY>.csv (resumes OUT)."""
    from logos.config import parse_override
    from logos.feeds.cache import BarCache

    check_out_folder(out_dir)  # before any polling: minutes of bars must have somewhere to go
    params = dict(parse_override(item) for item in param or [])
    if exchange is not None:
        params["exchange"] = exchange
    source = build_feed(feed, params)
    cache = BarCache(out_dir, fmt)  # type: ignore[arg-type]
    cached = [ts for ts in (cache.last_ts(s) for s in symbol) if ts is not None]
    after = min(cached) if len(cached) == len(symbol) else None  # resume a previous recording
    until = datetime.now(UTC) + timedelta(minutes=minutes)
    source.start(symbol, timeframe, after=after, until=until)
    out.print(f"recording {', '.join(symbol)} from feed {feed} until {until:%H:%M:%S} UTC")
    if after is not None:
        out.print(f"resuming after {isoformat_utc(after)}, the newest bar already in {out_dir}")
    try:
        for bars in source.slices():
            cache.write(newer_than_cached(cache, bars))
            closes = ", ".join(f"{b.symbol} {b.close}" for b in bars)
            out.print(escape(f"{bars[0].ts:%Y-%m-%d %H:%M} {closes}"), highlight=False)
            print_events(source)
        print_events(source)  # e.g. staleness measured after the last slice
    finally:
        cache.close()
        source.close()
    health = source.health()
    written = ", ".join(f"{s} {cache.written.get(s, 0)}" for s in symbol)
    out.print(
        f"[green]recorded[/green] {health.bars_emitted} bar(s) ({written}); "
        f"{len(health.gaps)} gap(s), {health.missing_bars} missing bar(s) -> {out_dir}"
    )
    out.print(f"replay: logos backtest --data {out_dir} --symbol {symbol[0]} ...", highlight=False)
