"""``logos backtest``: run a backtest from a config file, flags, or both (flags win)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from logos.cli.app import app, err, out, terminate_as_interrupt
from logos.errors import ConfigError
from logos.runtime import collector_paused

if TYPE_CHECKING:
    from rich.progress import Progress
    from rich.table import Table

    from logos.reports.metrics import Summary

# The engine, the config models and the reports (pandas, pyarrow, pydantic) are imported by
# the command when it runs, so other commands (and --version) start without them.

PROGRESS_MIN_SLICES = 200_000
"""Runs with fewer slices finish too fast for a progress bar to help."""
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
) -> dict[str, Any]:
    """The dotted config overrides the flags stand for (applied with ``apply_overrides``)."""
    from logos.config import parse_override

    overrides: dict[str, Any] = {}
    if data_path is not None:
        if "feed" not in data:
            overrides["feed.name"] = "replay"
        overrides["feed.params.path"] = data_path
    if symbols:
        overrides["symbols"] = list(symbols)
    if strategy is not None:
        overrides["strategy.name"] = strategy
        if strategy != data.get("strategy", {}).get("name"):
            overrides["strategy.params"] = {}
    for item in params or []:
        key, value = parse_override(item)
        overrides[f"strategy.params.{key}"] = value
    if sizing is not None:
        overrides["sizing.name"] = sizing
        if sizing != data.get("sizing", {}).get("name"):
            overrides["sizing.params"] = {}
    rules = {"qty": "fixed_qty", "notional": "fixed_notional", "fraction": "percent_equity"}
    for key, value in (("qty", qty), ("notional", notional), ("fraction", fraction)):
        if value is not None:
            if sizing is None and "sizing" not in data:
                overrides["sizing.name"] = rules[key]
            overrides[f"sizing.params.{key}"] = value
    broker = {"fee_bps": fee_bps, "slippage_bps": slippage_bps, "cash": cash}
    if any(v is not None for v in broker.values()) and "broker" not in data:
        overrides["broker.name"] = "paper"
    for key, value in broker.items():
        if value is not None:
            overrides[f"broker.params.{key}"] = value
    if timeframe is not None:
        overrides["timeframe"] = timeframe
    if session_id is not None:
        overrides["session_id"] = session_id
    overrides.update(dict(parse_override(item) for item in sets or []))
    return overrides


def _summary_table(summary: Summary, currency: str) -> Table:
    from rich.table import Table

    from logos.reports.text import format_decimal

    def pct(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.2%}"

    table = Table(title="backtest", show_header=False)
    table.add_column("metric")
    table.add_column("value", justify="right")
    table.add_row("return", pct(summary.total_return))
    table.add_row("PnL", f"{format_decimal(summary.pnl)} {currency}")
    table.add_row("max drawdown", pct(summary.max_drawdown))
    table.add_row("trades (fills)", str(summary.fills))
    table.add_row("win rate", pct(summary.win_rate))
    table.add_row("fees", f"{format_decimal(summary.fees)} {currency}")
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
        str | None, typer.Argument(help="TOML run config (optional when flags say enough).")
    ] = None,
    data: Annotated[str | None, typer.Option("--data", help="Bars file or folder.")] = None,
    symbol: Annotated[
        list[str] | None, typer.Option("--symbol", help="Symbol to trade (repeatable).")
    ] = None,
    strategy: Annotated[str | None, typer.Option("--strategy", help="Strategy name.")] = None,
    param: Annotated[
        list[str] | None, typer.Option("--param", help="Strategy param key=value (repeatable).")
    ] = None,
    sizing: Annotated[str | None, typer.Option("--sizing", help="Sizing rule name.")] = None,
    qty: Annotated[str | None, typer.Option("--qty", help="fixed_qty: quantity.")] = None,
    notional: Annotated[
        str | None, typer.Option("--notional", help="fixed_notional: notional per order.")
    ] = None,
    fraction: Annotated[
        str | None, typer.Option("--fraction", help="percent_equity: fraction of equity.")
    ] = None,
    fee_bps: Annotated[str | None, typer.Option("--fee-bps", help="Paper broker fee.")] = None,
    slippage_bps: Annotated[
        str | None, typer.Option("--slippage-bps", help="Paper broker slippage.")
    ] = None,
    cash: Annotated[str | None, typer.Option("--cash", help="Starting cash.")] = None,
    timeframe: Annotated[
        str | None, typer.Option("--timeframe", help="Bar interval, e.g. 1m, 1d.")
    ] = None,
    session_id: Annotated[str | None, typer.Option("--session-id", help="Session id.")] = None,
    out_dir: Annotated[
        str | None, typer.Option("--out", help="Artifacts folder (default: RUN_DIR/SESSION).")
    ] = None,
    set_: Annotated[
        list[str] | None, typer.Option("--set", help="Override any config value: key.path=value.")
    ] = None,
    risk: Annotated[
        list[str] | None,
        typer.Option(
            "--risk",
            help="Risk guard NAME or NAME:key=value,key=value (repeatable; docs/risk.md).",
        ),
    ] = None,
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
        bool, typer.Option("--progress/--no-progress", help="Progress bar on a terminal.")
    ] = True,
) -> None:
    """Backtest a strategy on bar files; writes orders, trades, positions, account, session.md."""
    # the whole command, imports included: they allocate many long-lived objects too
    with collector_paused(), terminate_as_interrupt():
        from logos.config import (
            apply_overrides,
            apply_risk_flags,
            read_config_file,
            validate_config,
        )
        from logos.plugins import get_registry
        from logos.reports import summarize
        from logos.session import build_session, run_session, write_artifacts

        raw = read_config_file(config) if config is not None else {}
        if config is not None:
            _anchor_feed_path(raw, Path(config).parent)
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
        registry = get_registry()
        validated = validate_config(merged, registry, source=config or "command line")
        run = validated.run
        target = Path(out_dir) if out_dir else Path(run.run_dir) / run.session_id
        session = build_session(
            validated, registry, timeframe_given="timeframe" in merged, run_dir=target
        )
        if journal:
            from logos.journal import JOURNAL_FILE, JsonlJournal

            session.engine.parts.journal = JsonlJournal(target / JOURNAL_FILE)
        with _progress(progress and out.is_terminal) as callback:
            result = run_session(session, stepwise=stepwise, progress=callback)
        write_artifacts(session, result, target)
        summary = summarize(result)
    out.print(_summary_table(summary, result.currency))
    out.print(
        f"artifacts: {target}/ (orders.csv trades.csv positions.csv account.csv session.md)",
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


def _anchor_feed_path(raw: dict[str, Any], folder: Path) -> None:
    """A relative ``feed.params.path`` in a config file is relative to that file (as
    ``metadata_file`` is), so a config runs the same from any working directory."""
    feed = raw.get("feed")
    params = feed.get("params") if isinstance(feed, dict) else None
    path = params.get("path") if isinstance(params, dict) else None
    if isinstance(path, str) and not Path(path).expanduser().is_absolute():
        params["path"] = str(folder / path)


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
    """A rich progress bar fed by the engine's progress callback (or nothing)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bar: Progress | None = None
        self.task: Any = None
        self.shown = 0

    def __enter__(self) -> Any:
        if not self.enabled:
            return None
        from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

        self.bar = Progress(
            TextColumn("backtest"),
            BarColumn(),
            TextColumn("{task.completed:,} slices"),
            TimeRemainingColumn(),
            console=out,
            transient=True,
        )
        self.bar.start()
        return self._update

    def _update(self, done: int, total: int | None) -> None:
        assert self.bar is not None
        if done - self.shown < PROGRESS_STEP and done != total:
            return
        self.shown = done
        if self.task is None:
            if total is not None and total < PROGRESS_MIN_SLICES:
                return
            self.task = self.bar.add_task("backtest", total=total)
        self.bar.update(self.task, completed=done)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()
