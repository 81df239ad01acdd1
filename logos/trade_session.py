"""A paper (or live) session that keeps its state: journal, snapshots, restart and
artifacts rebuilt from the journal on every exit path (docs/state.md).

:func:`run_stateful` runs a built session in its run folder — anew, or carrying on from a
:class:`~logos.state.resume.ResumePlan` — and writes the artifacts (orders.csv, trades.csv,
positions.csv, account.csv, session.md) from the journal's records: folded as they are
written (and, for a restart, from the earlier runs' records), or read back from the file
when the run was interrupted; :func:`publish_from_journal` (``logos report``) reads the
file. Either way they cover the whole session across restarts and are the same as an
uninterrupted session's.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from logos import __version__
from logos.errors import LogosError
from logos.feeds.limited import LimitedFeed, RunLimits
from logos.reports import Reporter
from logos.reports.dispatch import failures, write_reports
from logos.reports.result import SessionResult
from logos.run_folder import RunFolder
from logos.session import Session, run_session
from logos.state.journal import (
    JOURNAL_FILE,
    JournalError,
    JsonlJournal,
    read_journal,
)
from logos.state.keeper import SNAPSHOT_EVERY, StateKeeper
from logos.state.rebuild import result_from_journal
from logos.state.reconcile import describe, differences, forgotten_orders, journaled_orders
from logos.state.resume import ResumePlan, ResumingFeed, restorer
from logos.state.snapshot import header_digest
from logos.timeutil import ensure_utc

NO_LIMITS = RunLimits()

SYNC_EVERY = 4096
"""Records between two ``fsync`` of the journal, by default (every record is flushed to the
operating system at once; this bounds what a power cut can take)."""


@dataclass
class StatefulRun:
    """How a stateful session ended."""

    result: SessionResult
    """Rebuilt from the journal: the whole session, across restarts."""
    ended: str
    """``completed``, ``stopped`` (the kill switch), ``interrupted`` or ``error``."""
    reset: list[str] | None = None
    """The breakers an operator reset on this start (None: no reset asked)."""


def session_header(session: Session, raw_config: dict[str, Any]) -> dict[str, Any]:
    """The ``session`` record: what the session is, and the config it runs (to resume it and
    to report it from the journal alone)."""
    engine = session.engine
    params = engine.broker.params
    return {
        "session_id": engine.parts.session_id,
        "mode": engine.parts.mode,
        "symbols": list(engine.parts.symbols),
        "config_summary": dict(engine.parts.config_summary),
        "starting_cash": str(getattr(params, "cash", 0)),
        "currency": engine.account_currency(params),
        "logos_version": __version__,
        "config": raw_config,
    }


def run_stateful(
    session: Session,
    run_dir: Path,
    *,
    raw_config: dict[str, Any],
    plan: ResumePlan | None = None,
    reset_reason: str | None = None,
    snapshot_every: int = SNAPSHOT_EVERY,
    sync_every: int = SYNC_EVERY,
    limits: RunLimits = NO_LIMITS,
    status: Reporter | None = None,
    listeners: Sequence[Callable[[str, datetime, dict[str, Any]], None]] = (),
    stepwise: bool = False,
) -> StatefulRun:
    """Run ``session`` with its journal and snapshots in ``run_dir``, then write the
    artifacts from the journal, however the run ends (an exception is raised again after).

    ``limits`` bound this run (it is then paused, not completed); ``status`` is told of
    every slice (the console's status line); ``listeners`` of every record journaled. Over
    a replay feed the strategies' signals are computed once on the whole series, as a
    backtest computes them (the same numbers: the strategy contract holds them equal), unless
    ``stepwise``; over a live feed they are asked bar by bar."""
    engine = session.engine
    path = run_dir / JOURNAL_FILE
    if plan is None:
        writer = JsonlJournal(path, sync_every=sync_every)
    else:
        writer = JsonlJournal(
            path, sync_every=sync_every, resume=True, last_seq=plan.contents.last_seq
        )
    keeper = StateKeeper(
        run_dir,
        writer,
        session_id=engine.parts.session_id,
        snapshot_every=snapshot_every,
        expected=plan.expected if plan is not None else (),
        covered=plan.covered if plan is not None else -1,
    )
    engine.parts.journal = keeper
    keeper.listeners.extend(listeners)
    outcome = StatefulRun(result=None, ended="error")  # type: ignore[arg-type]
    if plan is None:
        keeper.header = lambda: session_header(session, raw_config)
    else:
        for record in plan.contents.records:  # the result of the runs before this one
            keeper.fold.add(record.type, record.ts, record.data)
        keeper.last_bar = {
            symbol: ensure_utc(datetime.fromisoformat(when))
            for symbol, when in (plan.snapshot or {}).get("last_bar", {}).items()
        }
        keeper.header_digest = header_digest(plan.head)
        keeper.note("restart", plan.restart_data())
        keeper.written_orders = {}
        keeper.restored = False

    def on_live() -> None:
        assert plan is not None
        if keeper.unmatched:
            raise JournalError(
                f"{path}: {keeper.unmatched} journaled record(s) after the last journaled "
                "slice were not made again; the session cannot carry on from this journal"
            )
        journaled = journaled_orders(plan.contents)
        journaled.update(keeper.written_orders or {})  # a slice cut short, finished now
        # the broker may have forgotten the orders that ended before its snapshot
        through = plan.snapshot["seq"] if plan.snapshot is not None else -1
        found = differences(engine.broker, journaled, forgotten_orders(plan.contents, through))
        if found:
            raise JournalError(f"{run_dir}: {describe(found)}; the session does not start")
        keeper.written_orders = None  # reconciled: ended orders may be forgotten again
        if reset_reason is not None:
            when = plan.last_slice_ts or datetime.now(UTC)  # the bar time it takes effect at
            outcome.reset = _reset_breakers(engine, keeper, reset_reason, when)

    if plan is None and reset_reason is not None:
        raise LogosError("--reset-breakers: only a resumed session has breakers to reset")
    last = plan.last_slice_ts if plan is not None else None
    limited: LimitedFeed | None = None

    def wrapper(feed: Any) -> Any:
        nonlocal limited
        if limits.any:
            feed = limited = LimitedFeed(feed, limits, after=last)
        return ResumingFeed(feed, plan.replay, last, on_live) if plan is not None else feed

    def progress(done: int, total: int | None) -> None:
        if status is not None and total is not None:
            status.total = total  # type: ignore[attr-defined]

    if status is not None:
        engine.parts.reporters = [*engine.parts.reporters, status]
    try:
        run_session(
            session,
            stepwise=stepwise,
            restore=restorer(plan, keeper) if plan is not None else None,
            feed_wrapper=wrapper,
            progress=progress,
        )
        if engine.interrupted is not None:
            outcome.ended = "interrupted"
        elif engine.stopped is not None:
            outcome.ended = "stopped"
        elif limited is not None and limited.reached is not None:
            outcome.ended = f"paused at {limited.reached}"
        else:
            outcome.ended = "completed"
    except KeyboardInterrupt:
        outcome.ended = "interrupted"
        raise
    except BaseException as exc:
        outcome.ended = f"error: {exc}"
        raise
    finally:
        if status is not None:
            engine.parts.reporters.remove(status)
        _end(keeper, engine, outcome.ended)
        if outcome.ended == "completed" or outcome.ended.startswith(("stopped", "paused")):
            outcome.result = keeper.fold.result()
        else:  # interrupted mid-record maybe: the journal on disk is the truth
            outcome.result = result_from_journal(read_journal(run_dir / JOURNAL_FILE))
        publish(run_dir, session.reporters, outcome.result)
    return outcome


def _reset_breakers(engine: Any, keeper: StateKeeper, reason: str, ts: datetime) -> list[str]:
    """The operator's ``--reset-breakers``, at bar time ``ts`` (the last journaled slice):
    journaled first (with the wall-clock time it was asked), then applied."""
    risk = engine.parts.risk
    tripped = [g.guard.name for g in getattr(risk, "guards", []) if g.tripped]
    keeper.note("operator", {"action": "reset_breakers", "reason": reason, "breakers": tripped})
    if tripped:
        risk.reset_breakers(ts, reason)
    return tripped


def _end(keeper: StateKeeper, engine: Any, ended: str) -> None:
    """The ``session_end`` record (unless the run stopped while replaying the journal: its
    records are all there already), then close the journal."""
    try:
        if not keeper.replaying:
            keeper.note(
                "session_end",
                {
                    "reason": ended,
                    "stopped": engine.stopped,
                    "slices": engine.slices_done,
                },
                ts=datetime.now(UTC),
            )
    finally:
        keeper.close()


def publish_from_journal(
    run_dir: Path, reporters: list[Reporter], *, only_theirs: bool = False
) -> SessionResult:
    """Rebuild the session's result from ``run_dir``'s journal and publish it.
    ``only_theirs``: replace only the files these reporters write (``logos report --format
    md``), leaving the other artifacts as they are."""
    result = result_from_journal(read_journal(run_dir / JOURNAL_FILE))
    publish(run_dir, reporters, result, only_theirs=only_theirs)
    return result


def publish(
    run_dir: Path,
    reporters: list[Reporter],
    result: SessionResult,
    *,
    only_theirs: bool = False,
) -> None:
    """Have every reporter write ``result`` into ``run_dir`` (through a staging folder: each
    file is complete or absent). A reporter that raised (now or while the session ran) is
    skipped and named in ``logos.log`` (docs/reports.md)."""
    if only_theirs:
        replace_files(run_dir, lambda staging: write_reports(reporters, result, staging))
    else:
        RunFolder(run_dir, force=True, flag="run folder").publish(
            lambda staging: write_reports(reporters, result, staging)
        )
    # the session's log (logos.cli.session_status names it so), when the session has one open
    session_log = logging.getLogger(f"logos.session.{run_dir.resolve()}")
    if session_log.handlers:
        for line in failures(reporters):
            session_log.error(line)


def replace_files(run_dir: Path, write: Callable[[Path], list[Path]]) -> list[Path]:
    """``write`` into a staging folder beside ``run_dir``, then move each file it wrote over
    its namesake in ``run_dir`` (each whole; the folder's other files untouched)."""
    staging = Path(tempfile.mkdtemp(prefix=f".{run_dir.name}.writing-", dir=run_dir.parent))
    try:
        write(staging)
        names = sorted(p.name for p in staging.iterdir())
        for name in names:
            os.replace(staging / name, run_dir / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [run_dir / name for name in names]
