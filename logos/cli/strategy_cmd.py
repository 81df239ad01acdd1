"""``logos check-strategy NAME --data FILE [--param k=v ...]``: is the strategy causal?"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from logos.cli.app import app, out
from logos.errors import DataError, LogosError

if TYPE_CHECKING:
    import pandas as pd

    from logos.strategies.base import Strategy

# pandas, the feeds and the strategies are imported when the command runs (see backtest_cmd)

DEFAULT_MAX_PREFIXES = 300
"""``--max-prefixes`` default: ``logos.strategies.lookahead.DEFAULT_MAX_PREFIXES`` (a test
checks they agree; importing it here would load pandas for every command)."""


def parse_param(text: str) -> tuple[str, Any]:
    """``key=value``; the value is read as a TOML value when it is one (``10``, ``1.5``,
    ``true``), else as a plain string."""
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise LogosError(f"--param {text!r}: expected key=value")
    try:
        return key.strip(), tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        return key.strip(), raw


def build_strategy(cls: type[Strategy], params: dict[str, Any]) -> Strategy:
    """Instantiate with validated params; one LogosError names every bad ``--param``."""
    from pydantic import ValidationError

    try:
        return cls(cls.Params.model_validate(params))
    except ValidationError as exc:
        problems = [
            f"--param {'.'.join(str(p) for p in err['loc']) or '(all)'}: {err['msg']}"
            for err in exc.errors(include_url=False)
        ]
        raise LogosError(f"strategy '{cls.name}': " + "; ".join(problems)) from None


def load_bars(data: Path, symbol: str | None, on_bad_bar: str) -> tuple[str, pd.DataFrame]:
    """One symbol's bars from a CSV/Parquet file (or folder), read and validated exactly as
    the replay feed reads them for a backtest."""
    from logos.feeds.replay import ReplayFeed

    feed = ReplayFeed(path=str(data), on_bad_bar=on_bad_bar)
    frames = feed.load_frames([symbol] if symbol else None)
    if len(frames) != 1:
        raise DataError(
            f"{data}: holds {len(frames)} symbols ({', '.join(frames)}); choose one with --symbol"
        )
    return next(iter(frames.items()))


@app.command("check-strategy")
def check_strategy(
    name: Annotated[
        str,
        typer.Argument(metavar="STRATEGY", help="Strategy name, or file.py:Class / module:Class."),
    ],
    data: Annotated[
        Path,
        typer.Option(
            "--data",
            metavar="PATH",
            help="Bars file (CSV/Parquet) or folder, as the replay feed reads it.",
        ),
    ],
    param: Annotated[
        list[str] | None,
        typer.Option("--param", metavar="KEY=VALUE", help="Strategy param (repeatable)."),
    ] = None,
    symbol: Annotated[
        str | None,
        typer.Option(
            "--symbol", metavar="SYMBOL", help="Symbol to check when the data holds several."
        ),
    ] = None,
    on_bad_bar: Annotated[
        str,
        typer.Option(
            "--on-bad-bar", metavar="reject|skip", help="Reject the file, or skip invalid bars."
        ),
    ] = "reject",
    max_prefixes: Annotated[
        int,
        typer.Option("--max-prefixes", min=1, metavar="N", help="Prefixes to check on long data."),
    ] = DEFAULT_MAX_PREFIXES,
) -> None:
    """Check that a strategy is causal (signals on data prefixes equal those on the full
    data) and that update(), bar by bar, gives the signals of the whole series."""
    from logos.strategies.loading import load_strategy_class
    from logos.strategies.lookahead import (
        StrategyCheckError,
        check_causal,
        check_signal_values,
        check_update,
        check_window,
    )

    cls = load_strategy_class(name)
    params = dict(parse_param(p) for p in param or [])
    strategy = build_strategy(cls, params)
    if on_bad_bar not in ("reject", "skip"):
        raise LogosError(f"--on-bad-bar {on_bad_bar!r}: expected reject or skip")
    symbol, bars = load_bars(data, symbol, on_bad_bar)
    label = escape(f"strategy '{strategy.name}' on {data} ({symbol}: {len(bars)} bars)")
    problems = check_signal_values(strategy, bars)
    if problems:
        raise StrategyCheckError(f"{label}: " + "; ".join(problems))
    if strategy.signals(bars).isna().all():  # nothing to check: "ok" would mislead
        raise StrategyCheckError(
            f"{label}: no signal on any bar (every value NaN; warm-up "
            f"{strategy.warmup_bars()} bars), so nothing could be checked; give more bars"
        )
    mismatch, checked = check_causal(strategy, bars, max_prefixes)
    if mismatch is not None:
        raise StrategyCheckError(
            f"{label} looks ahead: first differing {mismatch.describe('a prefix')}"
        )
    out.print(f"[green]ok[/green]: causal — {checked} prefixes of {label} match the full data")
    mismatch, windows = check_window(strategy, bars, max_prefixes)
    if mismatch is not None:
        raise StrategyCheckError(
            f"{label}: window_size() = {strategy.window_size()} does not reproduce the signal: "
            + mismatch.describe("the trailing window")
        )
    if windows:
        out.print(
            f"[green]ok[/green]: window — the last {strategy.window_size()} rows reproduce the "
            f"signal at {windows} bars"
        )
    else:
        out.print("note: window_size() is None — the signal depends on the whole history")
    update_mismatch = check_update(lambda: build_strategy(cls, params), bars, symbol)
    if update_mismatch is not None:
        raise StrategyCheckError(
            f"{label}: update(), bar by bar as a live session calls it, differs from "
            f"signals() on the whole series at {update_mismatch.describe()}"
        )
    out.print(f"[green]ok[/green]: update — bar by bar, update() gives the signals of {label}")
