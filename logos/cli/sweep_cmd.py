"""``logos sweep``: many real backtests of one config over parameter ranges, on Dask.

The user's guide is docs/sweeps.md. Everything a user can get wrong is checked before a
cluster starts; the results are appended to the sweep folder as trials finish, so an
interrupted sweep continues with ``--resume DIR``.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from logos.cli.app import RiskFlags, SetFlags, app, err, out, terminate_as_interrupt
from logos.errors import ConfigError

if TYPE_CHECKING:
    from logos.sweep.runner import SweepOutcome, SweepRun
    from logos.sweep.spec import SweepSpec

MAX_BATCH = 8
"""Largest automatic batch: bigger batches save little overhead and lose more on a kill."""


@app.command("sweep")
def sweep(
    config: Annotated[
        str | None,
        typer.Argument(
            metavar="CONFIG",
            help="TOML run config (as logos backtest takes it); not with --resume. "
            "`logos sweep show DIR` prints a finished sweep's report again.",
            show_default=False,
        ),
    ] = None,
    shown: Annotated[
        str | None,
        typer.Argument(metavar="DIR", help="With `show`: the sweep folder.", show_default=False),
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param",
            metavar="NAME=SPEC",
            help="Strategy param range: 5:50:5, 2:64:*2 or 5,10,20 (repeatable).",
        ),
    ] = None,
    where: Annotated[
        str | None,
        typer.Option("--where", metavar="EXPR", help='Constraint on the params: "fast < slow".'),
    ] = None,
    search: Annotated[
        str | None,
        typer.Option(
            "--search", metavar="NAME", help="grid, random or optuna.", show_default="grid"
        ),
    ] = None,
    trials: Annotated[
        int | None,
        typer.Option("--trials", metavar="N", help="Trials of a random or optuna search."),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option(
            "--seed", metavar="S", help="Seed of random and optuna searches.", show_default="0"
        ),
    ] = None,
    objective: Annotated[
        str | None,
        typer.Option(
            "--objective",
            metavar="NAME",
            help="total_return, sharpe, sortino, calmar, profit_factor or max_drawdown "
            "(minimised).",
            show_default="sharpe",
        ),
    ] = None,
    min_trades: Annotated[
        int | None,
        typer.Option(
            "--min-trades",
            metavar="N",
            help="Fewer trades (fills): not ranked.",
            show_default="0",
        ),
    ] = None,
    walk_forward: Annotated[
        str | None,
        typer.Option(
            "--walk-forward",
            metavar="train=D,test=D[,step=D]",
            help="Optimise on each training window, evaluate on the next (e.g. train=30d,test=7d).",
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            metavar="N",
            help="Local worker processes.",
            show_default="one per core",
        ),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            metavar="ADDRESS",
            help="Run on an existing Dask cluster (tcp://HOST:PORT).",
        ),
    ] = None,
    out_dir: Annotated[
        str | None,
        typer.Option(
            "--out", metavar="DIR", help="Sweep folder.", show_default="RUN_DIR/SESSION_ID-sweep"
        ),
    ] = None,
    resume: Annotated[
        str | None,
        typer.Option("--resume", metavar="DIR", help="Continue the sweep in DIR."),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace the sweep already in --out.")
    ] = False,
    keep_artifacts: Annotated[
        bool,
        typer.Option("--keep-artifacts", help="Write every trial's artifacts (DIR/trials/)."),
    ] = False,
    batch: Annotated[
        int | None,
        typer.Option("--batch", metavar="N", help="Trials per Dask task.", show_default="auto"),
    ] = None,
    top: Annotated[int, typer.Option("--top", metavar="N", help="Trials shown.")] = 10,
    set_: SetFlags = None,
    risk: RiskFlags = None,
    progress: Annotated[
        bool, typer.Option("--progress/--no-progress", help="Show a progress bar on a terminal.")
    ] = True,
) -> None:
    """Sweep strategy params over ranges (grid, random, optuna, walk-forward) on Dask.

    The ranges and the search can also be given in the config's [sweep] table; flags win."""
    if config == "show" and not Path(config).is_file():
        _show_folder(shown)
        return
    if shown is not None:
        raise ConfigError(
            [f"{shown!r}: one CONFIG only (`logos sweep show DIR` prints a sweep's report)"],
            source="command line",
        )
    with terminate_as_interrupt():
        from logos.sweep.runner import SweepRun, plan
        from logos.sweep.spec import create_folder, read_spec

        if resume is not None:
            given = config is not None or param or where or set_ or risk or walk_forward
            given = given or any(v is not None for v in (search, trials, seed, objective))
            given = given or min_trades is not None
            if given:
                raise ConfigError(
                    ["--resume: give only the folder (and where to run: --workers, "
                     "--scheduler, --batch); the sweep's definition is in it"],
                    source="command line",
                )  # fmt: skip
            folder = Path(resume)
            spec = read_spec(folder)
            the_plan = plan(spec, folder)
        else:
            if config is None:
                raise ConfigError(["CONFIG: give a run config (or --resume DIR)"], "command line")
            spec = _spec(config, param, where, search, trials, seed, objective, min_trades,
                         walk_forward, keep_artifacts, set_, risk)  # fmt: skip
            run_cfg = spec.config
            folder = (
                Path(out_dir)
                if out_dir
                else Path(run_cfg.get("run_dir", "runs"))
                / f"{run_cfg.get('session_id', 'session')}-sweep"
            )
            the_plan = plan(spec, folder)
            create_folder(folder, spec, force=force)
        if batch is not None and batch < 1:
            raise ConfigError(["--batch: give 1 or more"], source="command line")
        run = SweepRun(folder, the_plan)
        try:
            outcome = _execute(run, workers, scheduler, batch, progress)
        except KeyboardInterrupt:
            err.print(
                f"interrupted: {run.recorded} trial(s) recorded in "
                f"{escape(str(run.results.path))}; `logos sweep --resume {escape(str(folder))}` "
                "runs the rest",
                highlight=False,
            )
            raise typer.Exit(130) from None
    _show(run, outcome, top)


def _show_folder(folder: str | None) -> None:
    """``logos sweep show DIR``: the sweep's sweep.md, rendered; sweep.parquet is written
    from table.csv when the folder has none."""
    from rich.markdown import Markdown

    from logos.errors import LogosError
    from logos.sweep.parquet import PARQUET_FILE, parquet_from_table
    from logos.sweep.spec import SPEC_FILE, read_spec

    if folder is None:
        raise ConfigError(["show: give the sweep folder (logos sweep show DIR)"], "command line")
    path = Path(folder)
    report = path / "sweep.md"
    if not (path / SPEC_FILE).is_file():
        raise LogosError(f"{folder}: no sweep there (no {SPEC_FILE})")
    if not report.is_file():
        raise LogosError(
            f"{folder}: the sweep has not finished (no sweep.md); `logos sweep --resume "
            f"{folder}` completes it"
        )
    if not (path / PARQUET_FILE).is_file():  # a sweep from before sweep.parquet existed
        parquet_from_table(path, read_spec(path).params)
    text = report.read_text(encoding="utf-8")
    if out.is_terminal:
        out.print(Markdown(text))
    else:  # a pipe or a file gets the markdown itself
        out.print(text, end="", markup=False, highlight=False, soft_wrap=True)


def _spec(
    config: str,
    param: list[str] | None,
    where: str | None,
    search: str | None,
    trials: int | None,
    seed: int | None,
    objective: str | None,
    min_trades: int | None,
    walk_forward: str | None,
    keep_artifacts: bool,
    sets: list[str] | None,
    risk: list[str] | None,
) -> SweepSpec:
    """The sweep's definition: the config merged as ``logos backtest`` merges it, with every
    path made absolute (workers may run elsewhere), and the flags over its ``[sweep]`` table
    (which is taken out of the config the trials run)."""
    from logos.cli.run_options import load_run_config
    from logos.config import anchor_paths
    from logos.sweep.spec import SweepSpec
    from logos.sweep.table import check_table_settings, merge

    source = Path(config).resolve()
    flags: dict[str, Any] = dict.fromkeys(
        ("data_path", "symbols", "strategy", "params", "sizing", "qty", "notional",
         "fraction", "fee_bps", "slippage_bps", "cash", "timeframe", "session_id"),
    )  # fmt: skip
    merged, _, validated = load_run_config(
        str(source), {**flags, "sets": sets}, risk=risk, modes=("backtest",), command="logos sweep"
    )
    anchor_paths(merged, Path.cwd())  # --set paths are relative to the working directory
    settings = merge(merged.pop("sweep", None), {
        "params": param, "where": where, "search": search, "trials": trials, "seed": seed,
        "objective": objective, "min_trades": min_trades,
    })  # fmt: skip
    strategy = validated.strategy
    known = list(strategy.cls.Params.model_fields) if strategy.cls is not None else []
    check_table_settings(settings, strategy.name, known, config)
    return SweepSpec(
        config=merged,
        source=str(source),
        timeframe_given="timeframe" in merged,
        params=settings.params,
        where=settings.where,
        search=settings.search,
        trials=settings.trials,
        seed=settings.seed,
        objective=settings.objective,
        min_trades=settings.min_trades,
        walk_forward=walk_forward,
        keep_artifacts=keep_artifacts,
    )


def _execute(
    run: SweepRun, workers: int | None, scheduler: str | None, batch: int | None, shown: bool
) -> SweepOutcome:
    from logos.sweep.cluster import dask_client, run_trials

    total = run.plan.total_trials()
    done = run.recorded
    if run.results.torn:
        err.print("[yellow]warning:[/yellow] the last row of results.csv was cut off; "
                  "its trial runs again", highlight=False)  # fmt: skip
    if done >= total:  # a finished sweep resumed: nothing to run, no cluster to start
        out.print(f"sweep: all {total} trial(s) already recorded in {run.results.path}",
                  soft_wrap=True, highlight=False)  # fmt: skip
        return run.run(lambda source, record: [], lambda outcome: None)
    with dask_client(workers, scheduler) as (client, info):
        where = "local cluster" if scheduler is None else f"cluster at {info.address}"
        out.print(
            f"sweep: {total} trial(s), {done} already recorded; {where}, {info.workers} "
            f"worker(s); results: {run.results.path}",
            soft_wrap=True,
            highlight=False,
        )
        if info.dashboard:
            out.print(f"dashboard: {info.dashboard}", soft_wrap=True)
        size = batch or max(1, min(MAX_BATCH, math.ceil(total / max(1, info.workers * 4))))
        with _Progress(shown and out.is_terminal, total, done) as bar:

            def runner(source: Any, record: Any) -> list[str]:
                return run_trials(
                    client, run.plan.base, source, batch_size=size,
                    workers=max(1, info.workers), on_outcome=record,
                )  # fmt: skip

            return run.run(runner, bar.advance)


class _Progress:
    """A rich progress bar with an ETA over the sweep's trials (nothing off a terminal)."""

    def __init__(self, enabled: bool, total: int, done: int) -> None:
        self.enabled, self.total, self.done = enabled, total, done
        self.bar: Any = None
        self.task: Any = None

    def __enter__(self) -> _Progress:
        if self.enabled:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
            )

            self.bar = Progress(
                TextColumn("sweep"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                console=out, transient=True,
            )  # fmt: skip
            self.task = self.bar.add_task("trials", total=self.total, completed=self.done)
            self.bar.start()
        return self

    def advance(self, outcome: Any) -> None:
        """One trial finished."""
        if self.bar is not None:
            self.bar.advance(self.task)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


def _show(run: SweepRun, outcome: SweepOutcome, top: int) -> None:
    from rich.table import Table

    from logos.sweep.report import (
        SHOWN_METRICS,
        counts,
        iso,
        stitched_return,
        top_rows,
        write_stitched,
        write_sweep_md,
        write_walk_forward,
    )

    names = run.plan.names
    spec = run.plan.spec
    tally = counts(run)
    if outcome.folds:
        write_walk_forward(run.folder, outcome.folds, names)
        write_stitched(run.folder, outcome.stitched)
        table = Table(title=f"walk-forward ({spec.objective})")
        for column in ("fold", "test from", *names, "in-sample", "out-of-sample", "OOS return"):
            table.add_column(column, justify="right")
        for item in outcome.folds:
            params = [str(item.params[n]) if item.params else "-" for n in names]
            table.add_row(
                str(item.fold.number), iso(item.fold.train_end), *params,
                _fmt(item.in_sample), _fmt(item.out_of_sample), _pct(item.out_of_sample_return),
            )  # fmt: skip
        out.print(table)
        total = stitched_return(outcome.stitched, run.plan.starting_cash)
        out.print(f"stitched out-of-sample return: {_pct(total)}", highlight=False)
    else:
        rows = top_rows(run, top)
        table = Table(title=f"top {len(rows)} by {spec.objective}")
        for column in ("trial", *names, *SHOWN_METRICS):
            table.add_column(column, justify="right")
        for row in rows:
            table.add_row(
                row["trial"], *(row[n] for n in names),
                *(_pct(_f(row[m])) if m in ("total_return", "max_drawdown") else
                  (row[m] if m == "trades" else _fmt(_f(row[m]))) for m in SHOWN_METRICS),
            )  # fmt: skip
        out.print(table)
    write_sweep_md(run, outcome, top)
    out.print(
        f"{tally['trials']} trial(s): {tally['eligible']} ranked, {tally['not eligible']} with "
        f"too few trades or an undefined {spec.objective}, {tally['errors']} failed; "
        f"results: {os.path.normpath(run.folder)}/ (results.csv table.csv sweep.parquet "
        f"sweep.md{' heatmap.png' if (run.folder / 'heatmap.png').is_file() else ''})",
        soft_wrap=True,
        highlight=False,
    )
    if tally["errors"]:
        first = next(r for r in run.results.sorted_rows() if r["status"] == "error")
        err.print(
            f"[yellow]warning:[/yellow] trial {first['trial']} failed: {escape(first['error'])}",
            soft_wrap=True,
        )
    if outcome.lost:
        err.print(
            f"error: {len(outcome.lost)} batch(es) did not finish ({escape(outcome.lost[0])}); "
            f"`logos sweep --resume {escape(str(run.folder))}` runs them",
            soft_wrap=True,
        )
        raise typer.Exit(1)


def _f(text: str) -> float | None:
    return float(text) if text else None


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2%}"
