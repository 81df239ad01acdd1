"""``logos trade``: a session that keeps its state in its run folder, and carries on after a
crash, a kill or a reboot (``--resume``); docs/state.md. Paper by default; ``--dry-run``
builds every order as a venue broker would send it and simulates the fill; ``--live`` sends
them, once every live-safety rule holds (docs/safety.md)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from logos.cli.app import RiskFlags, SetFlags, app, err, out, terminate_as_interrupt
from logos.cli.run_options import (
    RUN_FLAGS,
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
    from logos.feeds.limited import RunLimits
    from logos.state.resume import ResumePlan


@app.command("trade")
def trade(
    config: Annotated[
        str | None,
        typer.Argument(
            metavar="CONFIG",
            help="TOML run config (mode paper, dry_run or live); paths in it are relative to it.",
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
    set_: SetFlags = None,
    risk: RiskFlags = None,
    run_dir: Annotated[
        str | None,
        typer.Option(
            "--run-dir",
            metavar="DIR",
            help="The session's folder (journal, snapshot, artifacts); an existing one is "
            "resumed when the config is the same.",
            show_default="RUN_DIR/SESSION_ID",
        ),
    ] = None,
    resume: Annotated[
        str | None,
        typer.Option(
            "--resume",
            metavar="RUN_DIR",
            help="Carry on the session in RUN_DIR as it was configured.",
        ),
    ] = None,
    reset_breakers: Annotated[
        bool,
        typer.Option(
            "--reset-breakers",
            help="With --resume: clear the tripped breakers (needs --reason).",
        ),
    ] = False,
    reason: Annotated[
        str | None,
        typer.Option("--reason", metavar="TEXT", help="Why the breakers are reset (journaled)."),
    ] = None,
    snapshot_every: Annotated[
        int,
        typer.Option(
            "--snapshot-every", metavar="SLICES", min=1, help="Slices between two snapshots."
        ),
    ] = 10_000,
    sync_every: Annotated[
        int,
        typer.Option(
            "--sync-every",
            metavar="RECORDS",
            min=1,
            help="Journal records between two fsyncs (each is flushed at once).",
        ),
    ] = 4096,
    max_bars: Annotated[
        int | None,
        typer.Option(
            "--max-bars",
            metavar="SLICES",
            min=1,
            help="Stop this run after SLICES new time slices (the session is paused).",
        ),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(
            "--until",
            metavar="TIME",
            help="Stop this run after the bar of TIME (ISO-8601, UTC when no offset).",
        ),
    ] = None,
    speed: Annotated[
        str | None,
        typer.Option(
            "--speed",
            metavar="FACTOR",
            help="Pace a replay feed: 60x plays an hour of bars in a minute.",
            show_default="as fast as possible",
        ),
    ] = None,
    stepwise: Annotated[
        bool,
        typer.Option(
            "--stepwise",
            help="Over replayed data, ask strategies bar by bar (Strategy.update) as over a "
            "live feed, not once on the whole series.",
        ),
    ] = False,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            help="Mode dry_run: a venue broker (alpaca, ccxt) builds and checks every order "
            "as it would send it, sends nothing, and the fill is simulated.",
        ),
    ] = False,
    live: Annotated[
        bool,
        typer.Option(
            "--live",
            help='Mode live: real orders; needs mode = "live" in the config and every '
            "live-safety rule to hold (docs/safety.md).",
        ),
    ] = False,
) -> None:
    """Run a paper, dry-run or live session that journals every step and can be resumed;
    writes the artifacts from its journal however it ends."""
    flags: dict[str, Any] = run_flags(locals())
    if dry_run and live:
        raise ConfigError(["--dry-run, --live: give one of them (docs/safety.md)"])
    limits = _limits(max_bars, until, speed)
    if reset_breakers and not (reason or "").strip():
        raise ConfigError(["--reset-breakers: give --reason TEXT (it is journaled)"])
    if reason is not None and not reset_breakers:
        raise ConfigError(["--reason: goes with --reset-breakers"])
    # the whole command: a session allocates many long-lived objects (the cyclic collector
    # would scan them again and again), as a backtest does
    with collector_paused(), terminate_as_interrupt():
        from logos.config import anchor_paths
        from logos.plugins import get_registry
        from logos.reports import summarize
        from logos.run_folder import RunFolder
        from logos.session import build_session
        from logos.state.journal import JOURNAL_FILE
        from logos.state.resume import check_snapshot, plan_resume
        from logos.trade_session import publish_from_journal

        plan: ResumePlan | None = None
        if resume is not None:
            given = _given_with_resume(flags, config, risk, run_dir)
            if given:
                raise ConfigError(
                    [
                        f"--resume: carries on the session as it was configured; give no "
                        f"CONFIG, run flags or --run-dir with it (given: {', '.join(given)})"
                    ]
                )
            path = Path(resume)
            head = _journal_head(path)
            merged = head["config"]
            registry, validated = _validate(merged, get_registry(), path / JOURNAL_FILE)
            _check_mode(validated, dry_run=dry_run, live=live, source=str(path), resumed=True)
        else:
            merged, registry, validated = load_run_config(
                config,
                flags,
                risk=risk,
                modes=TRADE_MODES,
                command="logos trade",
                mode="dry_run" if dry_run else None,
            )
            _check_mode(validated, dry_run=dry_run, live=live, source=config or "command line")
            merged = _plain(merged)
            anchor_paths(merged, Path.cwd())  # journaled: a restart from any folder finds them
            run = validated.run
            flag = "--run-dir" if run_dir else "run folder"
            path = Path(run_dir) if run_dir else Path(run.run_dir) / run.session_id
            if (path / JOURNAL_FILE).is_file():
                _same_config(path, _journal_head(path)["config"], merged)
            else:
                _refuse_another_runs_files(path, flag)
                RunFolder(path, flag=flag).check(journal=True)
        journaled = (path / JOURNAL_FILE).is_file()
        if reset_breakers and not journaled:
            raise ConfigError(["--reset-breakers: only a resumed session has breakers to reset"])
        if journaled:
            # every refusal before plan_resume: it sets a torn last line aside (a change)
            _refuse_a_kill_file(path)
            _refuse_a_snapshot_that_is_no_file(path)
            plan = plan_resume(path)
            ended = plan.ended
            completed = ended is not None and ended.get("reason") == "completed"
            if completed and reset_breakers:
                raise ConfigError(
                    [
                        f"--reset-breakers: the session in {path} completed: it has no bars "
                        "left to trade, so no breakers to reset (`logos report "
                        f"{path}` writes its artifacts again)"
                    ]
                )
            _say_what_restart_found(plan, reset_breakers or completed)
            if completed:
                session = build_session(validated, registry, run_dir=path)
                publish_from_journal(path, session.reporters)
                out.print(
                    f"{escape(os.path.normpath(path))}: the session completed; nothing to "
                    "resume (its artifacts were written again from the journal)",
                    soft_wrap=True,
                )
                return
        session = build_session(
            validated, registry, timeframe_given="timeframe" in merged, run_dir=path
        )
        if plan is not None:
            check_snapshot(plan, session.engine)
            _say_the_snapshot_is_set_aside(plan)
        elif validated.run.mode.value == "live":
            _refuse_a_venue_that_differs(session, path)
        try:
            outcome = _run(
                session,
                path,
                raw_config=merged,
                plan=plan,
                reset_reason=reason if reset_breakers else None,
                snapshot_every=snapshot_every,
                sync_every=sync_every,
                limits=limits,
                stepwise=stepwise,
            )
        except KeyboardInterrupt:
            _say_interrupted(path)
            raise typer.Exit(130) from None
        if outcome.ended == "interrupted":  # stopped between two slices by a signal
            _say_interrupted(path)
            raise typer.Exit(130)
    result = outcome.result
    if outcome.reset is not None:
        cleared = ", ".join(outcome.reset) or "none was tripped"
        out.print(f"breakers reset ({escape(reason or '')}): {escape(cleared)}", soft_wrap=True)
    from logos.cli.backtest_cmd import summary_table

    title = f"{validated.run.mode.value.replace('_', '-')} session"
    out.print(summary_table(summarize(result), result.currency, title=title))
    from logos.run_folder import ARTIFACTS

    files = " ".join(n for n in ("state.jsonl", "state.json", *ARTIFACTS) if (path / n).exists())
    out.print(
        f"run folder: {escape(os.path.normpath(path))}/ ({files}); restarts: {result.restarts}",
        soft_wrap=True,
    )
    if outcome.ended == "stopped":
        from logos.risk import KILLED_EXIT_CODE

        err.print(
            f"stopped early by {escape(result.stopped or 'the kill switch')}; `logos trade "
            f"--resume {escape(os.path.normpath(path))}` carries on",
            highlight=False,
        )
        raise typer.Exit(KILLED_EXIT_CODE)


TRADE_MODES = ("paper", "dry_run", "live")
"""The modes ``logos trade`` runs; the first is the default."""


def _check_mode(
    validated: Any, *, dry_run: bool, live: bool, source: str, resumed: bool = False
) -> None:
    """The session's mode against the flags: a live config or ``--live`` runs only when every
    live-safety rule holds (all failures listed); dry-run needs a venue broker."""
    from logos.broker_modes import is_venue_broker
    from logos.live_safety import check_live

    mode = validated.run.mode.value
    if live or mode == "live":
        check_live(validated, live_flag=live, environ=os.environ, source=source)
        return
    if resumed and dry_run and mode != "dry_run":
        raise ConfigError(
            [f"--dry-run: the session in {source} runs in mode {mode}; resume it without it"]
        )
    if mode == "dry_run" and not is_venue_broker(validated.broker.cls):
        raise ConfigError(
            [
                f"broker.name: mode dry_run needs a venue broker (alpaca, ccxt); "
                f"'{validated.broker.name}' is a simulation (docs/safety.md)"
            ],
            source,
        )


def _refuse_a_venue_that_differs(session: Any, path: Path) -> None:
    """A new live session starts only on a venue account whose open orders it can account
    for: any difference ``reconcile()`` reports refuses the start, before anything is
    written (docs/safety.md)."""
    from logos.errors import LogosError

    reconcile = getattr(session.engine.broker, "reconcile", None)
    if reconcile is None:
        return
    found = list(reconcile())
    if found:
        listed = "; ".join(found)
        raise LogosError(
            f"{path}: the venue does not match a new session ({len(found)} difference(s): "
            f"{listed}); cancel or account for those orders first; nothing was started"
        )


def _given_with_resume(
    flags: dict[str, Any], config: str | None, risk: list[str] | None, run_dir: str | None
) -> list[str]:
    """What was given beside ``--resume`` that it does not take, as the user typed it."""
    options = {argument: name for name, argument in RUN_FLAGS.items()}
    given = ["CONFIG"] if config else []
    given += [_option(options[k]) for k, v in flags.items() if v]
    given += ["--risk"] if risk else []
    given += ["--run-dir"] if run_dir else []
    return given


def _option(name: str) -> str:
    return {"data": "--data", "set_": "--set"}.get(name, "--" + name.replace("_", "-"))


def _journal_head(path: Path) -> dict[str, Any]:
    """The ``session`` record of ``path``'s journal, read without changing anything (a
    refusal leaves the journal byte for byte as it was)."""
    from logos.state.journal import JOURNAL_FILE, JournalError, read_journal
    from logos.state.rebuild import header

    if not path.is_dir():
        raise JournalError(f"{path}: not a folder (give the run folder of a session)")
    contents = read_journal(path / JOURNAL_FILE)
    if not contents.records:
        raise JournalError(no_whole_record(contents.path, len(contents.torn)))
    return header(contents)


def no_whole_record(journal: Path, torn: int) -> str:
    """The message for a journal without one whole record: a session stopped as it began."""
    held = f"only {torn} bytes of a line cut short" if torn else "nothing"
    return (
        f"{journal}: holds {held}, not one whole record: the session was stopped before it "
        "began and has nothing to resume or report; move the file aside and start the "
        "session again (docs/state.md)"
    )


def _refuse_another_runs_files(path: Path, flag: str) -> None:
    """A new session's folder holds no other run's artifacts nor a snapshot without its
    journal (``logos trade`` has no ``--force``: a session's files are never replaced, and a
    stale ``state.json`` would be taken for this session's after a crash)."""
    from logos.run_folder import ARTIFACTS, RunFolderError
    from logos.state.journal import TORN_FILE
    from logos.state.snapshot import SNAPSHOT_FILE

    if not path.is_dir():
        return
    if (path / SNAPSHOT_FILE).exists() or (path / TORN_FILE).exists():
        found = [n for n in (SNAPSHOT_FILE, TORN_FILE) if (path / n).exists()]
        raise RunFolderError(
            f"{flag} {path}: holds {', '.join(found)} but no journal (state.jsonl): "
            "another session's state; give a new folder"
        )
    earlier = [name for name in ARTIFACTS if (path / name).exists()]
    if earlier:
        raise RunFolderError(
            f"{flag} {path}: already holds a run ({', '.join(earlier)}); a session never "
            "replaces another run's files: give a new folder"
        )


def _refuse_a_snapshot_that_is_no_file(path: Path) -> None:
    """``state.json`` is replaced at every snapshot: something else in its place would stop
    the session at its first snapshot, so it is refused before anything is written."""
    from logos.errors import LogosError
    from logos.state.snapshot import SNAPSHOT_FILE

    snapshot = path / SNAPSHOT_FILE
    if snapshot.exists() and not snapshot.is_file():
        raise LogosError(
            f"{snapshot}: is not a file; the session replaces its snapshot there: move it "
            "aside to carry the session on"
        )


def _validate(merged: dict[str, Any], registry: Any, source: Path) -> tuple[Any, Any]:
    from logos.config import validate_config
    from logos.strategies.loading import with_strategy_class

    registry = with_strategy_class(registry, merged, str(source))
    return registry, validate_config(merged, registry, source=f"{source} (the session's config)")


def _plain(config: dict[str, Any]) -> dict[str, Any]:
    """The config as its journal keeps it (JSON: TOML dates become text)."""
    return json.loads(json.dumps(config, default=str))


def _same_config(path: Path, journaled: dict[str, Any], given: dict[str, Any]) -> None:
    """A run folder is carried on only by the config it started with."""
    if journaled == given:
        return
    keys = sorted(k for k in {*journaled, *given} if journaled.get(k) != given.get(k))
    raise ConfigError(
        [
            f"{path}: holds a session started with another config (different: "
            f"{', '.join(keys)}); `logos trade --resume {path}` carries it on as it was, "
            "or give another --run-dir"
        ]
    )


def _refuse_a_kill_file(path: Path) -> None:
    """A session stopped with the kill switch is carried on only once its ``KILL`` file is
    removed on purpose (docs/risk.md); said before anything is written."""
    from logos.errors import LogosError
    from logos.risk.kill_switch import KILL_FILE

    if (path / KILL_FILE).exists():
        raise LogosError(
            f"{path / KILL_FILE} exists: the session was stopped with the kill switch; remove "
            "the file to carry it on"
        )


def _say_what_restart_found(plan: ResumePlan, resetting: bool) -> None:
    if plan.torn_path is not None:
        err.print(
            f"{escape(str(plan.contents.path))}: the last line was torn ({plan.torn_bytes} "
            f"bytes, a write cut short); ignored, kept in {escape(str(plan.torn_path))}",
            highlight=False,
            soft_wrap=True,
        )
    tripped = (plan.snapshot or {}).get("risk", {}).get("tripped") or []
    if tripped and not resetting:
        err.print(
            f"[yellow]warning:[/yellow] tripped before the restart and still tripped: "
            f"{escape(', '.join(tripped))}; the session carries on HALTED, sending nothing "
            "new, until `--reset-breakers --reason TEXT`",
            soft_wrap=True,
        )


def _say_interrupted(path: Path) -> None:
    where = escape(os.path.normpath(path))
    err.print(
        f"interrupted: {where} holds the journal and the artifacts up to the stop; "
        f"`logos trade --resume {where}` carries on",
        highlight=False,
        soft_wrap=True,
    )


def _say_the_snapshot_is_set_aside(plan: ResumePlan) -> None:
    if plan.snapshot is None and plan.snapshot_problem and len(plan.contents.records) > 1:
        err.print(
            f"{escape(plan.snapshot_problem)}; replaying the whole journal",
            highlight=False,
            soft_wrap=True,
        )


def _limits(max_bars: int | None, until: str | None, speed: str | None) -> RunLimits:
    """``--max-bars``, ``--until`` and ``--speed`` as the run's limits."""
    from datetime import UTC, datetime

    from logos.feeds.limited import RunLimits

    when = None
    if until is not None:
        try:
            when = datetime.fromisoformat(until.strip())
        except ValueError:
            raise ConfigError(
                [f"--until: {until!r} is not a time; give ISO-8601, e.g. 2024-01-02T00:00"]
            ) from None
        when = when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
    pace = None
    if speed is not None:
        text = speed.strip().lower().removesuffix("x")
        try:
            pace = float(text)
        except ValueError:
            pace = -1.0
        if not 0 < pace < float("inf"):
            raise ConfigError([f"--speed: {speed!r} is not a pace; give a factor like 60x"])
    return RunLimits(max_slices=max_bars, until=when, speed=pace)


def _run(session: Any, path: Path, *, limits: RunLimits, **options: Any) -> Any:
    """The session run with its status on the console and its log in ``RUN_DIR/logos.log``."""
    from logos.cli.session_signals import stop_between_slices
    from logos.cli.session_status import SessionStatus, close_logger, log_record, session_logger
    from logos.feeds.replay import ReplayFeed
    from logos.trade_session import run_stateful

    replay = isinstance(session.feed, ReplayFeed)
    if limits.speed is not None and not replay:
        raise ConfigError(
            [f"--speed: paces a replay feed; feed '{session.feed.name}' runs on the wall clock"]
        )
    from logos.credentials import RedactingFilter

    path.mkdir(parents=True, exist_ok=True)
    logger = session_logger(path)
    logger.addFilter(RedactingFilter())  # no log line carries a credential
    engine = session.engine
    plan = options.get("plan")
    logger.info(
        "%s session=%s mode=%s symbols=%s",
        "resume" if plan is not None else "start",
        engine.parts.session_id,
        engine.parts.mode,
        ",".join(engine.parts.symbols),
    )
    status = SessionStatus(engine, out, logger, live_feed=not replay)
    try:
        with status, stop_between_slices(engine):
            outcome = run_stateful(
                session,
                path,
                limits=limits,
                status=status,
                listeners=[log_record(logger)],
                **options,
            )
        logger.info("end %s %s", outcome.ended, status.line(outcome.result.account.last))
        return outcome
    finally:
        close_logger(logger)
