"""The journal of a paper or live session, with its snapshots (docs/state.md).

:class:`StateKeeper` is the engine's :class:`~logos.engine_hooks.Journal` when a session
keeps state: it appends every record the engine makes to ``state.jsonl``, writes the
snapshot ``state.json`` every ``snapshot_every`` slices and at the end, and adds the records
only it knows of — the ``session`` header, ``positions`` checkpoints, ``restart``,
``operator`` and ``session_end``. Those are not counted by the engine, so the engine's
numbering (and with it every client order id) is the same whether or not a session was
restarted.

After a restart the engine processes again the slices journaled after the snapshot. Until it
has made again every record the journal holds past the snapshot, the keeper writes nothing:
it checks that each record is the one journaled (:attr:`StateKeeper.replaying`), so nothing
is recorded twice and a session that would now act differently (other data, config or code)
is stopped at the first difference instead of mixing two histories.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from logos.domain import Event
from logos.state.journal import JournalError, JsonlJournal, Record, encode
from logos.state.rebuild import JournalFold
from logos.state.snapshot import SNAPSHOT_FILE, header_digest, write_snapshot
from logos.timeutil import isoformat_utc

STATE_RECORDS = frozenset({"session", "positions", "restart", "operator", "session_end"})
"""Record types the state layer writes itself (the engine makes every other type)."""
SNAPSHOT_EVERY = 10_000
"""Slices between two snapshots, by default: a week of minute bars. A restart processes again
at most this many journaled slices (at backtest speed), and a snapshot's cost grows with the
session (the broker's whole order book), so a few large ones beat many."""


class StateKeeper:
    """Journal and snapshots of one session in ``run_dir`` (see the module docstring)."""

    enabled = True
    snapshots = True
    """The engine lets the broker forget ended orders only as a snapshot is taken."""

    def __init__(
        self,
        run_dir: Path,
        writer: JsonlJournal,
        *,
        session_id: str,
        snapshot_every: int = SNAPSHOT_EVERY,
        expected: Iterable[Record] = (),
        covered: int = -1,
    ) -> None:
        if snapshot_every < 1:
            raise ValueError(f"snapshot_every must be at least 1, got {snapshot_every}")
        self.run_dir = run_dir
        self.writer = writer
        self.session_id = session_id
        self.snapshot_every = snapshot_every
        self._expected = deque(r for r in expected if r.type not in STATE_RECORDS)
        self.covered = covered
        """The journal ``seq`` of the last record made (written, or made again and found
        the same): what a snapshot taken now covers."""
        self.in_slice = False
        self.header_digest = ""
        """The fingerprint of the session's header (a restart sets it from the journal)."""
        self.covered_record: tuple[str, datetime] = ("session", datetime.now(UTC))
        """The type and time of the record :attr:`covered` names (kept in the snapshot)."""
        self.last_bar: dict[str, datetime] = {}
        """Each symbol's last bar time processed (the snapshot keeps it, and the status line
        shows its age)."""
        self.fold = JournalFold(run_dir)
        """The session's result, from every record of its journal (the records of earlier
        runs are added by the restart): the artifacts are written from it."""
        self.listeners: list[Callable[[str, datetime, dict[str, Any]], None]] = []
        """Called with each record written (not those made again while replaying): the
        session's log follows the journal."""
        self.restored = True
        """False from a restart until the engine's state is back from the snapshot: until
        then a checkpoint would record a state the session never had."""
        self.written_orders: dict[str, dict[str, Any]] | None = None
        """While set (a restart, until it trades on): the latest version of each order this
        run journaled, by client order id, for reconciliation."""
        self.header: Callable[[], dict[str, Any]] | None = None
        """The ``session`` record of a new session, written before its first other record
        (late, so that it holds what the session learned while loading its data)."""

    @property
    def replaying(self) -> bool:
        """True while the engine is making again records the journal already holds."""
        return bool(self._expected)

    @property
    def unmatched(self) -> int:
        """Journaled records not made again (must be none once the journaled slices ran)."""
        return len(self._expected)

    # the engine's side -----------------------------------------------------------------

    def record(self, event: Event) -> None:
        """Append ``event``, or check it against the journal while replaying."""
        self.append(event.type, event.ts, event.data)

    def append(self, type: str, ts: datetime, data: dict[str, Any]) -> None:
        """:meth:`record` of a record given by its parts (what the engine calls: no
        :class:`~logos.domain.Event` is made for each of the records of every slice)."""
        if type == "slice":
            self.in_slice = True
            last_bar = self.last_bar
            for bar in data["bars"]:
                last_bar[bar[0]] = ts
        if self._expected:
            self._check(type, ts, data)
            return
        if self.header is not None:
            self._write_header()
        self.covered = self.writer.write(type, ts, data)
        self.covered_record = (type, ts)
        self._written(type, ts, data)
        if self.written_orders is not None and type == "order":
            order = data["order"]
            self.written_orders[order["client_order_id"]] = order

    def _check(self, type: str, ts: datetime, data: dict[str, Any]) -> None:
        want = self._expected.popleft()
        got = orjson.loads(encode(0, type, ts, data))  # parsed as read_journal parses
        if (want.type, want.ts, want.data) != (got["type"], got["ts"], got["data"]):
            self._expected.appendleft(want)  # still not made again: the session stops here
            raise JournalError(
                f"{self.writer.path}, line {want.line}: the resumed session made a "
                f"{got['type']!r} record at {got['ts']} where the journal has {want.type!r} "
                f"at {want.ts}; the data, the config or the code changed since the journal "
                "was written, so the session cannot carry on from it"
            )
        self.covered = want.seq
        self.covered_record = (want.type, ts)

    def sync(self) -> None:
        """Put every record on disk before something leaves the process."""
        self.writer.sync()

    def after_slice(self, engine: Any, ts: datetime) -> None:
        """A slice is done: snapshot every ``snapshot_every`` slices."""
        self.in_slice = False
        if engine.slices_done % self.snapshot_every == 0:
            self.checkpoint(engine)

    def finish(self, engine: Any) -> None:
        """The engine stopped, however: a last checkpoint (positions record, and a snapshot
        when it stopped between two slices)."""
        if self._expected or not self.restored:
            return  # replaying, or stopped before its state was back: nothing new to keep
        self.note("positions", self._positions(engine), ts=_bar_time(engine))
        if not self.in_slice:
            self._snapshot(engine)
        self.writer.sync()

    # what only the state layer records --------------------------------------------------

    def note(self, type: str, data: dict[str, Any], *, ts: datetime | None = None) -> int:
        """Append a record the engine does not count (header, checkpoint, restart, operator
        action, end) and return its seq."""
        if self.header is not None:
            self._write_header()
        ts = ts or datetime.now(UTC)
        self.covered = self.writer.write(type, ts, data)
        self.covered_record = (type, ts)
        self._written(type, ts, data)
        return self.covered

    def _write_header(self) -> None:
        header, self.header = self.header, None
        assert header is not None
        ts, data = datetime.now(UTC), header()
        self.header_digest = header_digest(data)
        self.covered = self.writer.write("session", ts, data)
        self.covered_record = ("session", ts)
        self._written("session", ts, data)

    def _written(self, type: str, ts: datetime, data: dict[str, Any]) -> None:
        """A record reached the journal: the session's result and its listeners take it."""
        self.fold.add(type, ts, data)
        for listen in self.listeners:
            listen(type, ts, data)

    def checkpoint(self, engine: Any) -> None:
        """A ``positions`` record (unless replaying: it is journaled already) and a snapshot."""
        if getattr(engine.parts.risk, "pending", False):
            return  # a guard's report waits for the next slice: snapshot then
        if not self._expected:
            self.note("positions", self._positions(engine), ts=_bar_time(engine))
        self._snapshot(engine)

    def _positions(self, engine: Any) -> dict[str, Any]:
        return {
            "positions": [p.model_dump(mode="json") for p in engine.broker.positions()],
            "repeated_denials": engine.repeated_denials,
            "slices": engine.slices_done,
        }

    def _snapshot(self, engine: Any) -> None:
        self.writer.sync()  # the snapshot never covers a record that is not on disk
        if self.written_orders is None:  # not a restart still to be reconciled
            engine.release_ended()  # the snapshot holds the working orders, no ended one
        risk = engine.parts.risk
        write_snapshot(
            self.run_dir / SNAPSHOT_FILE,
            {
                "session_id": self.session_id,
                "header": self.header_digest,
                "seq": self.covered,
                "at": [self.covered_record[0], isoformat_utc(self.covered_record[1])],
                "written_at": datetime.now(UTC).isoformat(),
                "last_bar": {k: isoformat_utc(v) for k, v in self.last_bar.items()},
                "engine": engine.state(),
                "broker": engine.broker.snapshot(),
                "risk": risk.snapshot() if hasattr(risk, "snapshot") else {},
            },
        )

    def close(self) -> None:
        """Sync and close the journal file."""
        self.writer.close()


def _bar_time(engine: Any) -> datetime:
    """The last bar time the broker saw (the time a checkpoint belongs to)."""
    last = engine.account_history.last
    return last.ts if last is not None else datetime.now(UTC)
