"""Restart: carry a session on from its run folder (docs/state.md, "What restart does").

1. The journal is read; a torn last line is moved aside (``state.jsonl.torn``) and cut off; a
   damaged line before it, or a newer schema version, stops the restart with its line.
2. The snapshot ``state.json`` is loaded when it is sound and covers no more than the journal
   holds; otherwise the whole journal is replayed (said in the ``restart`` record).
3. The broker, the guards and the engine take back the snapshot's state; each strategy is
   warmed up on the bars journaled up to the snapshot (strategies keep their own state, so
   they see every bar again, in order; nothing is sized or sent for them).
4. The slices journaled after the snapshot are processed again from the journal's bars: the
   engine makes again the records the journal holds, which are checked, not written
   (:class:`~logos.state.keeper.StateKeeper`). A paper broker's resting orders are thereby
   re-armed as they were; a venue's orders are reconciled by client order id.
5. The feed carries on after the last journaled slice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from logos.domain import Bar
from logos.feeds.base import FeedEvent, FeedHealth
from logos.state.journal import (
    JOURNAL_FILE,
    JournalContents,
    JournalError,
    Record,
    cut_torn_tail,
    read_journal,
)
from logos.state.keeper import STATE_RECORDS
from logos.state.rebuild import header
from logos.state.snapshot import SNAPSHOT_FILE, read_snapshot
from logos.timeutil import ensure_utc


@dataclass
class ResumePlan:
    """What a restart found in a run folder and will do."""

    run_dir: Path
    contents: JournalContents
    head: dict[str, Any]
    snapshot: dict[str, Any] | None
    snapshot_problem: str
    torn_bytes: int = 0
    torn_path: Path | None = None
    covered: int = 0
    """The journal seq the restored state covers (0: only the header, a full replay)."""
    warm: list[Record] = field(default_factory=list)
    """Slices covered by the snapshot: the strategies' warm-up."""
    replay: list[Record] = field(default_factory=list)
    """Slices after the snapshot, processed again."""
    expected: list[Record] = field(default_factory=list)
    """The engine's records after the snapshot, made again and checked."""

    @property
    def ended(self) -> dict[str, Any] | None:
        """The last ``session_end`` record's data, when the session's last run ended after
        its last slice (None: it was killed, or ran on after that end)."""
        for record in reversed(self.contents.records):
            if record.type == "session_end":
                return record.data
            if record.type in ("slice", "restart"):
                return None
        return None

    @property
    def last_slice_ts(self) -> datetime | None:
        """The bar time of the last journaled slice (the feed resumes after it)."""
        slices = self.replay or self.warm
        return _ts(slices[-1].ts) if slices else None

    def restart_data(self) -> dict[str, Any]:
        """The ``restart`` record: what was found and what will be replayed."""
        return {
            "after_seq": self.contents.last_seq,
            "snapshot_seq": self.covered if self.snapshot is not None else None,
            "snapshot_problem": self.snapshot_problem or None,
            "torn_bytes": self.torn_bytes,
            "replayed_slices": len(self.replay),
            "last_slice": None if not self.replay and not self.warm else self.replay_last(),
        }

    def replay_last(self) -> str:
        slices = self.replay or self.warm
        return slices[-1].ts


def plan_resume(run_dir: Path) -> ResumePlan:
    """Read ``run_dir``'s journal and snapshot (steps 1-2 of the module docstring)."""
    if not run_dir.is_dir():
        raise JournalError(f"{run_dir}: not a folder (give the run folder of a session)")
    contents = read_journal(run_dir / JOURNAL_FILE)
    head = header(contents)
    torn = len(contents.torn)
    torn_path = cut_torn_tail(contents)
    contents.torn = b""
    snapshot, problem = read_snapshot(
        run_dir / SNAPSHOT_FILE, session_id=head["session_id"], last_seq=contents.last_seq
    )
    covered = 0
    if snapshot is not None:
        covered = snapshot["seq"]
        seqs = [r.seq for r in contents.records]
        if covered not in seqs:
            snapshot, problem = None, f"{SNAPSHOT_FILE}: covers seq {covered}, not in the journal"
            covered = 0
    plan = ResumePlan(run_dir, contents, head, snapshot, problem, torn, torn_path, covered)
    for record in contents.records:
        if record.type == "slice":
            (plan.warm if record.seq <= covered else plan.replay).append(record)
        if record.seq > covered and record.type not in STATE_RECORDS:
            plan.expected.append(record)
    return plan


def bars_of(record: Record) -> list[Bar]:
    """The bars a ``slice`` record journaled."""
    ts = _ts(record.ts)
    return [
        Bar(symbol, ts, Decimal(o), Decimal(h), Decimal(lo), Decimal(c), Decimal(v))
        for symbol, o, h, lo, c, v in record.data["bars"]
    ]


def restorer(plan: ResumePlan, keeper: Any) -> Callable[[Any], None]:
    """Step 3, as :meth:`Engine.run`'s ``restore``; ``keeper`` may checkpoint once done."""

    def restore(engine: Any) -> None:
        snapshot = plan.snapshot
        if snapshot is not None:
            engine.broker.restore(snapshot["broker"])
            risk = engine.parts.risk
            if hasattr(risk, "restore"):
                risk.restore(snapshot["risk"])
            engine.restore_state(snapshot["engine"])
        strategies = engine.parts.strategies
        for record in plan.warm:
            for bar in bars_of(record):
                strategies[bar.symbol].update(bar)
        keeper.restored = True

    return restore


class ResumingFeed:
    """Step 4-5: the journaled slices after the snapshot, then ``inner``'s slices after the
    last journaled one (earlier ones, and what the feed noticed in them, are dropped).
    ``on_live`` runs once, between the two."""

    def __init__(
        self,
        inner: Any,
        replay: Sequence[Record],
        after: datetime | None,
        on_live: Callable[[], None],
    ) -> None:
        self.inner = inner
        self.replay = replay
        self.after = after
        self.on_live = on_live
        self._events: list[FeedEvent] | None = None

    def start(self, symbols: Sequence[str], timeframe: str | timedelta) -> None:
        self.inner.start(symbols, timeframe)

    def slices(self) -> Iterator[list[Bar]]:
        for record in self.replay:
            self._events = [
                FeedEvent(e["type"], _ts(record.ts), {k: v for k, v in e.items() if k != "type"})
                for e in record.data["feed_events"]
            ]
            yield bars_of(record)
        self._events = None
        self.on_live()
        after = self.after
        for bars in self.inner.slices():
            if after is not None and bars[0].ts <= after:
                self.inner.drain_events()  # journaled already, with its slice
                continue
            yield bars

    def drain_events(self) -> list[FeedEvent]:
        if self._events is not None:
            events, self._events = self._events, []
            return events
        return self.inner.drain_events()

    def health(self) -> FeedHealth:
        return self.inner.health()

    def close(self) -> None:
        self.inner.close()


def _ts(text: str) -> datetime:
    return ensure_utc(datetime.fromisoformat(text))
