"""Restart: carry a session on from its run folder (docs/state.md, "What restart does").

1. The journal is read; a torn last line is moved aside (``state.jsonl.torn``) and cut off; a
   damaged line before it, or a newer schema version, stops the restart with its line.
2. The snapshot ``state.json`` is loaded when it is sound and covers no more than the journal
   holds; otherwise the whole journal is replayed (said in the ``restart`` record).
3. The broker, the guards and the engine take back the snapshot's state; each strategy is
   warmed up on the bars journaled up to the snapshot (strategies keep their own state, so
   they see every bar again, in order — or, over replayed data, the stream of signals
   computed on the whole series skips them; nothing is sized or sent for them).
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
from logos.state.snapshot import SNAPSHOT_FILE, header_digest, read_snapshot
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

    def split(self) -> None:
        """Sort the journal's records around the snapshot (all after the header without one)."""
        covered = self.covered = self.snapshot["seq"] if self.snapshot is not None else 0
        self.warm, self.replay, self.expected = [], [], []
        for record in self.contents.records:
            if record.type == "slice":
                (self.warm if record.seq <= covered else self.replay).append(record)
            if record.seq > covered and record.type not in STATE_RECORDS:
                self.expected.append(record)

    def drop_snapshot(self, problem: str) -> None:
        """Set the snapshot aside (``problem`` says why): the whole journal is replayed."""
        self.snapshot, self.snapshot_problem = None, problem
        self.split()

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
    if snapshot is not None:
        problem = _not_this_journals(snapshot, contents, head)
        if problem:
            snapshot = None
    plan = ResumePlan(run_dir, contents, head, snapshot, problem, torn, torn_path)
    plan.split()
    return plan


def _not_this_journals(
    snapshot: dict[str, Any], contents: JournalContents, head: dict[str, Any]
) -> str:
    """Why ``snapshot`` was not taken of this journal (empty: it was): another run's header,
    or another record at the seq it covers."""
    if snapshot.get("header") != header_digest(head):
        return f"{SNAPSHOT_FILE}: taken of another run of this session (its header differs)"
    seq = snapshot["seq"]
    at = next((r for r in contents.records if r.seq == seq), None)
    if at is None or snapshot.get("at") != [at.type, at.ts]:
        return f"{SNAPSHOT_FILE}: covers seq {seq}, which the journal holds otherwise"
    return ""


def check_snapshot(plan: ResumePlan, engine: Any) -> None:
    """Load the snapshot's broker and guard states into ``engine``'s (then put back what they
    were) and check its engine state's shape, before the run: a snapshot that does not load
    is set aside for a full replay instead of stopping every restart."""
    snapshot = plan.snapshot
    if snapshot is None:
        return
    parts = [("broker", engine.broker)]
    if hasattr(engine.parts.risk, "restore"):
        parts.append(("risk", engine.parts.risk))
    for name, part in parts:
        pristine = part.snapshot()
        try:
            part.restore(snapshot[name])
        except Exception as exc:  # any failure: the snapshot is not usable
            part.restore(pristine)
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            plan.drop_snapshot(f"{SNAPSHOT_FILE}: its {name} state does not load ({first})")
            return
        part.restore(pristine)
    state = snapshot["engine"]
    missing = [k for k in ENGINE_KEYS if k not in state]
    unknown = set(state.get("symbols", {})) - set(engine.parts.symbols)
    if missing or unknown or not isinstance(state.get("symbols"), dict):
        what = f"without {', '.join(missing)}" if missing else "of other symbols"
        plan.drop_snapshot(f"{SNAPSHOT_FILE}: its engine state is {what}")


ENGINE_KEYS = ("seq", "slices", "repeated_denials", "created", "guard_orders", "symbols")


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
        for record in plan.warm:
            engine.warm_up(bars_of(record))
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
        """A live feed asks its venue for the bars after the last journaled slice (those of
        the downtime included); a replay feed starts from its beginning and the slices up to
        there are skipped, so that what it notices (gaps) is what the uninterrupted session
        noticed."""
        if self.after is not None and _polls(self.inner):
            self.inner.start(symbols, timeframe, after=self.after)
        else:
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


def _polls(feed: Any) -> bool:
    """Whether ``feed`` (or the feed it wraps) polls a venue on the wall clock."""
    from logos.feeds.polling import PollingFeed

    while not isinstance(feed, PollingFeed) and hasattr(feed, "inner"):
        feed = feed.inner
    return isinstance(feed, PollingFeed)


def _ts(text: str) -> datetime:
    return ensure_utc(datetime.fromisoformat(text))
