"""``logos backtest``: run a backtest from a config file, flags, or both (flags win)."""

from __future__ import annotations

import os
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from logos.cli.app import RiskFlags, SetFlags, app, err, out, terminate_as_interrupt
from logos.errors import ConfigError
from logos.runtime import collector_paused

if TYPE_CHECKING:
    from rich.progress import Progress
    from rich.table import Table

    from logos.reports.metrics import Summary
    from logos.run_folder import RunFolder

# The engine, the config models and the reports (pandas, pyarrow, pydantic) are imported by
# the command when it runs, so other commands (and --version) start without them.

PROGRESS_MIN_SLICES = 200_000
"""Runs with fewer slices finish too fast for a slice count to help: only the phase shows."""
PROGRESS_STEP = 20_000
"""Redraw the bar at most once per this many slices (redrawing costs more than a slice)."""


def flag_overrides(
    data: dict[str, Any],
    *,
    data_path: str | None,
    symbols: list[str] | None,
    strategy: str | None,
    params: list[str] | None,
    sizing: str | None,
    qty: str | None,
    notional: str | None,
    fraction: str | None,
    fee_bps: str | None,
    slippage_bps: str | None,
    cash: str | None,
    timeframe: str | None,
    session_id: str | None,
    sets: list[str] | None,
    feed: str | None = None,
    broker: str | None = None,
) -> dict[str, Any]:
    """The dotted config overrides the flags stand for (applied with ``apply_overrides``).

    A flag naming a component (``--feed``, ``--broker``, ``--strategy``, ``--sizing``) resets
    that component's params when it changes the name. A param set without its component
    (``--cash`` or ``--set broker.params.fee_bps=5`` and no ``[broker]``) applies to the
    component a config without that table runs with (the paper broker, ``fixed_qty``).
    """
    from logos.config import parse_override

    overrides: dict[str, Any] = {}
    _component(overrides, data, "feed", feed)
    if data_path is not None:
        if feed is None and "feed" not in data:
            overrides["feed.name"] = "replay"
        overrides["feed.params.path"] = data_path
    if symbols:
        overrides["symbols"] = list(symbols)
    _component(overrides, data, "strategy", strategy)
    for item in params or []:
        key, value = parse_override(item)
        overrides[f"strategy.params.{key}"] = value
    _component(overrides, data, "sizing", sizing)
    rules = {"qty": "fixed_qty", "notional": "fixed_notional", "fraction": "percent_equity"}
    given = [
        f"--{k}" for k, v in (("qty", qty), ("notional", notional), ("fraction", fraction)) if v
    ]
    if len(given) > 1 and sizing is None:
        raise ConfigError(
            [f"{', '.join(given)}: give one of them (each picks its own sizing rule)"],
            source="command line",
        )
    for key, value in (("qty", qty), ("notional", notional), ("fraction", fraction)):
        if value is not None:
            if sizing is None:  # alone, the flag picks its rule (the config's, if the same)
                _component(overrides, data, "sizing", rules[key])
            overrides[f"sizing.params.{key}"] = value
    _component(overrides, data, "broker", broker)
    paper = {"fee_bps": fee_bps, "slippage_bps": slippage_bps, "cash": cash}
    for key, value in paper.items():
        if value is not None:
            overrides[f"broker.params.{key}"] = value
    if timeframe is not None:
        overrides["timeframe"] = timeframe
    if session_id is not None:
        overrides["session_id"] = session_id
    overrides.update(dict(parse_override(item) for item in sets or []))
    return {**_default_components(data, overrides), **overrides}


def _component(
    overrides: dict[str, Any], data: dict[str, Any], kind: str, name: str | None
) -> None:
    """``--KIND NAME``: the name, and empty params when it differs from the config's."""
    if name is None:
        return
    overrides[f"{kind}.name"] = name
    section = data.get(kind)
    if not isinstance(section, dict) or name != section.get("name"):
        overrides[f"{kind}.params"] = {}


def _default_components(data: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """The default broker and sizing (name and params), for a config without that table
    whose overrides set only some of its params: without them the table would have no
    name, and ``--set sizing.params.max_qty=...`` would drop the default ``qty``."""
    from logos.config import RunConfig

    defaults: dict[str, Any] = {}
    for kind in ("broker", "sizing"):
        touched = any(key.startswith(f"{kind}.") for key in overrides)
        named = f"{kind}.name" in overrides or kind in overrides
        if kind not in data and touched and not named:
            defaults[kind] = RunConfig.model_fields[kind].default.model_dump()
    return defaults


CURRENCY_DECIMALS = {"JPY": 0, "KRW": 0, "VND": 0, "CLP": 0, "ISK": 0, "HUF": 0}
"""Currencies whose smallest unit is not a hundredth (ISO 4217 minor units); crypto assets
quoted in each other (ETH/BTC) use CRYPTO_DECIMALS."""
CRYPTO_DECIMALS = {"BTC": 8, "ETH": 8, "XBT": 8}
CENTS = 2
"""Dollars, euros, USDT, USDC and every currency not listed above: to the cent."""


def console_money(value: Decimal, currency: str) -> str:
    """``value`` rounded half-up to ``currency``'s smallest unit, with thousands separators
    (``-21,643.45 USDT``), for the console: people read it there. The artifacts keep the
    exact value (docs/backtest.md)."""
    code = currency.upper()
    places = CURRENCY_DECIMALS.get(code, CRYPTO_DECIMALS.get(code, CENTS))
    rounded = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if rounded.is_zero():
        rounded = abs(rounded)  # never "-0.00"
    return f"{rounded:,.{places}f} {currency}"


def _summary_table(summary: Summary, currency: str) -> Table:
    from rich.table import Table

    def pct(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.2%}"

    table = Table(title="backtest", show_header=False)
    table.add_column("metric")
    table.add_column("value", justify="right")
    table.add_row("return", pct(summary.total_return))
    table.add_row("PnL", console_money(summary.pnl, currency))
    table.add_row("max drawdown", pct(summary.max_drawdown))
    table.add_row("trades (fills)", str(summary.fills))
    table.add_row("win rate", pct(summary.win_rate))
    table.add_row("fees", console_money(summary.fees, currency))
    sharpe = "n/a" if summary.sharpe is None else f"{summary.sharpe:.2f}"
    table.add_row("Sharpe", sharpe)
    table.add_row(
        "orders",
        f"{summary.orders} ({summary.rejected_orders} rejected, {summary.denied_orders} denied)",
    )
    table.add_row("guard actions", str(summary.guard_trips))
    return table


@app.command("backtest")
def backtest(
    config: Annotated[
        str | None,
        typer.Argument(
            metavar="CONFIG",
            help="TOML run config; paths in it are relative to it (optional when flags say "
            "enough).",
            show_default=False,
        ),
    ] = None,
    data: Annotated[
        str | None,
        typer.Option(
            "--data",
            metavar="PATH",
            help="Bars file or folder (relative to the working directory).",
        ),
    ] = None,
    symbol: Annotated[
        list[str] | None,
        typer.Option("--symbol", metavar="SYMBOL", help="Symbol to trade (repeatable)."),
    ] = None,
    feed: Annotated[
        str | None,
        typer.Option(
            "--feed",
            metavar="NAME",
            help="Feed name (logos plugins list).",
            show_default="replay with --data",
        ),
    ] = None,
    broker: Annotated[
        str | None,
        typer.Option(
            "--broker",
            metavar="NAME",
            help="Broker name (logos plugins list).",
            show_default="paper",
        ),
    ] = None,
    strategy: Annotated[
        str | None,
        typer.Option(
            "--strategy",
            metavar="NAME",
            help="Strategy name, or a class: file.py:Class or module:Class.",
        ),
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option("--param", metavar="KEY=VALUE", help="Strategy param (repeatable; fast=10)."),
    ] = None,
    sizing: Annotated[
        str | None,
        typer.Option(
            "--sizing",
            metavar="NAME",
            help="Sizing rule: fixed_qty, fixed_notional or percent_equity.",
            show_default="fixed_qty, qty 1",
        ),
    ] = None,
    qty: Annotated[
        str | None, typer.Option("--qty", metavar="QTY", help="fixed_qty: quantity per order.")
    ] = None,
    notional: Annotated[
        str | None,
        typer.Option("--notional", metavar="AMOUNT", help="fixed_notional: notional per order."),
    ] = None,
    fraction: Annotated[
        str | None,
        typer.Option(
            "--fraction", metavar="FRACTION", help="percent_equity: fraction of equity (0.1)."
        ),
    ] = None,
    fee_bps: Annotated[
        str | None,
        typer.Option("--fee-bps", metavar="BPS", help="Paper broker fee.", show_default="0"),
    ] = None,
    slippage_bps: Annotated[
        str | None,
        typer.Option(
            "--slippage-bps", metavar="BPS", help="Paper broker slippage.", show_default="0"
        ),
    ] = None,
    cash: Annotated[
        str | None,
        typer.Option("--cash", metavar="AMOUNT", help="Starting cash.", show_default="100000"),
    ] = None,
    timeframe: Annotated[
        str | None,
        typer.Option(
            "--timeframe",
            metavar="INTERVAL",
            help="Bar interval, e.g. 1m, 1d.",
            show_default="the data's interval",
        ),
    ] = None,
    session_id: Annotated[
        str | None,
        typer.Option(
            "--session-id",
            metavar="ID",
            help="Session id: letters, digits, '_', '.', '-'.",
            show_default="session",
        ),
    ] = None,
    out_dir: Annotated[
        str | None,
        typer.Option(
            "--out", metavar="DIR", help="Artifacts folder.", show_default="RUN_DIR/SESSION_ID"
        ),
    ] = None,
    set_: SetFlags = None,
    risk: RiskFlags = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Replace the run already in the output folder (other files kept)."
        ),
    ] = False,
    journal: Annotated[
        bool,
        typer.Option(
            "--journal", help="Write the journal (state.jsonl) into the artifacts folder."
        ),
    ] = False,
    stepwise: Annotated[
        bool,
        typer.Option(
            "--stepwise",
            help="Compute signals bar by bar as a live session does (Strategy.update), "
            "not once on the whole series.",
        ),
    ] = False,
    progress: Annotated[
        bool,
        typer.Option(
            "--progress/--no-progress",
            help="Show the phase (loading, running, writing) and progress on a terminal.",
        ),
    ] = True,
) -> None:
    """Backtest a strategy on bar files; writes orders, trades, positions, account, session.md."""
    # the whole command, imports included: they allocate many long-lived objects too
    with collector_paused(), terminate_as_interrupt():
        from logos.config import (
            anchor_paths,
            apply_overrides,
            apply_risk_flags,
            read_config_file,
            validate_config,
        )
        from logos.plugins import get_registry
        from logos.reports import summarize
        from logos.run_folder import RunFolder
        from logos.session import build_session, run_session, write_artifacts
        from logos.strategies.loading import with_strategy_class

        raw = read_config_file(config) if config is not None else {}
        if config is not None:
            anchor_paths(raw, Path(config).parent)
        overrides = flag_overrides(
            raw,
            data_path=data,
            symbols=symbol,
            strategy=strategy,
            params=param,
            sizing=sizing,
            qty=qty,
            notional=notional,
            fraction=fraction,
            fee_bps=fee_bps,
            slippage_bps=slippage_bps,
            cash=cash,
            timeframe=timeframe,
            session_id=session_id,
            sets=set_,
            feed=feed,
            broker=broker,
        )
        merged = apply_overrides(raw, overrides)
        if risk:
            apply_risk_flags(merged, risk)
        merged.setdefault("mode", "backtest")
        if config is None:
            _require_flags(merged)
        if merged.get("mode") != "backtest":
            raise ConfigError(
                [f"mode: logos backtest runs mode 'backtest', not {merged['mode']!r}"]
            )
        registry = with_strategy_class(get_registry(), merged, config or "command line")
        validated = validate_config(merged, registry, source=config or "command line")
        run = validated.run
        if out_dir is not None and not out_dir.strip():
            raise ConfigError(["--out: give a folder (it is empty)"], source="command line")
        target = Path(out_dir) if out_dir else Path(run.run_dir) / run.session_id
        folder = RunFolder(target, force=force, flag="--out" if out_dir else "run folder")
        folder.check(journal=journal)  # before any work
        try:
            session = build_session(
                validated, registry, timeframe_given="timeframe" in merged, run_dir=target
            )
            if journal:
                from logos.journal import JOURNAL_FILE, JsonlJournal

                session.engine.parts.journal = JsonlJournal(target / JOURNAL_FILE)
            with _progress(progress and out.is_terminal) as shown:
                result = run_session(session, stepwise=stepwise, progress=shown.callback)
                shown.phase("writing artifacts")
                folder.publish(lambda staging: write_artifacts(session, result, staging))
        except KeyboardInterrupt:
            err.print(f"interrupted: {escape(_what_is_left(folder))}", highlight=False)
            raise typer.Exit(130) from None
        summary = summarize(result)
    out.print(_summary_table(summary, result.currency))
    for warning in result.warnings:  # a run that could not trade says so (docs/backtest.md)
        err.print(f"[yellow]warning:[/yellow] {escape(warning)}", soft_wrap=True)
    out.print(
        f"artifacts: {os.path.normpath(target)}/ (orders.csv trades.csv positions.csv "
        "account.csv session.md equity.svg)",
        soft_wrap=True,
    )
    if result.stopped is not None:
        from logos.risk import KILLED_EXIT_CODE

        err.print(
            f"stopped early by {escape(result.stopped)}; the artifacts cover the session up "
            "to the stop",
            highlight=False,
        )
        raise typer.Exit(KILLED_EXIT_CODE)


def _what_is_left(folder: RunFolder) -> str:
    """What an interrupted backtest left in its run folder, said plainly."""
    said = [f"no artifacts were written to {folder.path}"]
    if folder.journal and (folder.path / "state.jsonl").exists():
        said.append(f"{folder.path / 'state.jsonl'} holds this run's journal up to the stop")
    if folder.earlier:
        said.append("the earlier run there is unchanged")
    return "; ".join(said)


def _require_flags(merged: dict[str, Any]) -> None:
    problems = []
    if "feed" not in merged:
        problems.append("--data: give a bars file or folder (or a CONFIG file)")
    if "symbols" not in merged:
        problems.append("--symbol: give the symbol to trade (or a CONFIG file)")
    if "strategy" not in merged:
        problems.append("--strategy: give a strategy name (or a CONFIG file)")
    if problems:
        raise ConfigError(problems, source="command line")


class _progress:
    """What a run is doing, on a terminal: the phase (loading bars, running, writing
    artifacts) and, on long runs, a bar fed by the engine's progress callback. Transient:
    it is gone when the command prints its summary. Disabled, it shows nothing and the
    engine gets no callback."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bar: Progress | None = None
        self.task: Any = None
        self.running = False
        self.counting = False
        self.shown = 0

    def __enter__(self) -> _progress:
        if not self.enabled:
            return self
        from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

        self.bar = Progress(
            TextColumn("backtest: {task.description}"),
            BarColumn(),
            TextColumn("{task.fields[slices]}"),
            TimeRemainingColumn(),
            console=out,
            transient=True,
        )
        self.task = self.bar.add_task("loading bars", total=None, slices="")
        self.bar.start()
        return self

    @property
    def callback(self) -> Callable[[int, int | None], None] | None:
        """The engine's progress callback (None when nothing is shown)."""
        return self._update if self.enabled else None

    def phase(self, description: str) -> None:
        """Show that the run moved on to ``description``, at once."""
        if self.bar is not None:
            self.bar.update(self.task, description=description)
            self.bar.refresh()

    def _update(self, done: int, total: int | None) -> None:
        assert self.bar is not None
        if not self.running:
            self.running = True
            # runs with fewer slices finish too fast for a count to help: the phase only
            self.counting = total is None or total >= PROGRESS_MIN_SLICES
            self.phase("running")
            if self.counting:
                self.bar.update(self.task, total=total)
        if not self.counting or (done - self.shown < PROGRESS_STEP and done != total):
            return
        self.shown = done
        self.bar.update(self.task, completed=done, slices=f"{done:,} slices")

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()
