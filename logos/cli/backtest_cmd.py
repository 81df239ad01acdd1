"""``logos backtest``: run a backtest from a config file, flags, or both (flags win)."""

from __future__ import annotations

import os
from collections.abc import Callable
from contextlib import ExitStack
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from logos.cli.app import RiskFlags, SetFlags, app, err, out, terminate_as_interrupt
from logos.cli.run_options import (
    BrokerFlag,
    CashFlag,
    DataFlag,
    FeeBpsFlag,
    FeedFlag,
    FractionFlag,
    NotionalFlag,
    ParamFlag,
    QtyFlag,
    SessionIdFlag,
    SizingFlag,
    SlippageBpsFlag,
    StrategyFlag,
    SymbolFlag,
    TimeframeFlag,
    load_run_config,
    run_flags,
)
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


def summary_table(summary: Summary, currency: str, title: str = "backtest") -> Table:
    from rich.table import Table

    def pct(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.2%}"

    table = Table(title=title, show_header=False)
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


ARTIFACT_FORMATS = ("csv", "parquet")
"""What ``--format`` takes: the CSV artifacts alone, or Parquet copies beside them."""


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
    data: DataFlag = None,
    symbol: SymbolFlag = None,
    feed: FeedFlag = None,
    broker: BrokerFlag = None,
    strategy: StrategyFlag = None,
    param: ParamFlag = None,
    sizing: SizingFlag = None,
    qty: QtyFlag = None,
    notional: NotionalFlag = None,
    fraction: FractionFlag = None,
    fee_bps: FeeBpsFlag = None,
    slippage_bps: SlippageBpsFlag = None,
    cash: CashFlag = None,
    timeframe: TimeframeFlag = None,
    session_id: SessionIdFlag = None,
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
    artifact_format: Annotated[
        str,
        typer.Option(
            "--format",
            metavar="csv|parquet",
            help="Artifacts format: csv, or parquet to also write orders, trades, positions "
            "and account as Parquet files beside the CSV ones (for large runs).",
        ),
    ] = "csv",
    progress: Annotated[
        bool,
        typer.Option(
            "--progress/--no-progress",
            help="Show the phase (loading, running, writing) and progress on a terminal.",
        ),
    ] = True,
) -> None:
    """Backtest a strategy on bar files; writes orders, trades, positions, account, session.md."""
    values = locals()  # the run flags among them (run_flags)
    # the whole command, imports included: they allocate many long-lived objects too
    # the spool folder lasts until the summary is made from the spooled outputs
    with collector_paused(), terminate_as_interrupt(), ExitStack() as stack:
        from logos.reports import summarize
        from logos.run_folder import RunFolder
        from logos.session import build_session, run_session, write_artifacts

        merged, registry, validated = load_run_config(
            config,
            run_flags(values),
            risk=risk,
            modes=("backtest",),
            command="logos backtest",
        )
        run = validated.run
        if artifact_format not in ARTIFACT_FORMATS:
            raise ConfigError(
                [f"--format {artifact_format}: give {' or '.join(ARTIFACT_FORMATS)}"],
                source="command line",
            )
        if out_dir is not None and not out_dir.strip():
            raise ConfigError(["--out: give a folder (it is empty)"], source="command line")
        target = Path(out_dir) if out_dir else Path(run.run_dir) / run.session_id
        folder = RunFolder(target, force=force, flag="--out" if out_dir else "run folder")
        folder.check(journal=journal)  # before any work
        try:
            spool_dir = stack.enter_context(folder.scratch())
            session = build_session(
                validated,
                registry,
                timeframe_given="timeframe" in merged,
                run_dir=target,
                spool_dir=spool_dir,
            )
            if artifact_format == "parquet":
                from logos.reports.dispatch import guard_reporters

                parquet = guard_reporters([registry.get("reporter", "parquet")()])
                session.engine.parts.reporters.extend(parquet)
            if journal:
                from logos.state.journal import JOURNAL_FILE, JsonlJournal

                session.engine.parts.journal = JsonlJournal(target / JOURNAL_FILE)
            with _progress(progress and out.is_terminal) as shown:
                result = run_session(session, stepwise=stepwise, progress=shown.callback)
                shown.phase("writing artifacts")
                written: list[Path] = []  # in the order the reporters wrote them

                def write(staging: Path) -> list[Path]:
                    written.extend(write_artifacts(session, result, staging))
                    return written

                folder.publish(write)
        except KeyboardInterrupt:
            err.print(f"interrupted: {escape(_what_is_left(folder))}", highlight=False)
            raise typer.Exit(130) from None
        summary = summarize(result)
        result.close()
    out.print(summary_table(summary, result.currency))
    for warning in result.warnings:  # a run that could not trade says so (docs/backtest.md)
        err.print(f"[yellow]warning:[/yellow] {escape(warning)}", soft_wrap=True)
    names = " ".join(path.name for path in written)
    out.print(f"artifacts: {os.path.normpath(target)}/ ({names})", soft_wrap=True)
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
