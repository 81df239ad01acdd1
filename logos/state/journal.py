"""``state.jsonl``: the session's append-only journal (docs/state.md).

One JSON object per line: ``{"v": 1, "seq": ..., "type": ..., "ts": ..., "data": {...}}``.
``seq`` numbers the lines, strictly increasing from 0 (the ``session`` header; a write cut
short by Ctrl-C leaves its number unused); ``ts`` is
the bar time the record belongs to (ISO-8601 UTC), or the wall-clock time of a record the
state layer adds (a restart, an operator's action).

Every line is written whole and flushed to the operating system as it is recorded, so a
process that is killed leaves every record it made, at worst with a torn last line.
``fsync`` (the disk itself) is batched: every ``sync_every`` records, at :meth:`sync` — which
the engine calls before anything leaves the process for a venue — and at the end.

Writing never overwrites: a new journal refuses a file that exists, and a resumed one
appends after the last whole line (:func:`read_journal` finds it).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import orjson

from logos.credentials import mask_known_secrets
from logos.domain import Event
from logos.errors import LogosError
from logos.timeutil import isoformat_utc

SCHEMA_VERSION = 1
"""The journal's format version, in every line's ``v``; a newer one is refused on restart."""
JOURNAL_FILE = "state.jsonl"
TORN_FILE = "state.jsonl.torn"
"""Where the bytes of a torn last line are kept when a session resumes (never deleted)."""


RECORD_TYPES: dict[str, str] = {
    "session": "the header: the session, its config, currency and starting cash (seq 0)",
    "slice": "a time slice received: its bars and what the feed noticed (gaps)",
    "order": "an order transition (creation included), with the order after it",
    "fill": "a fill",
    "venue_request": "what a venue broker sent, or in a dry run would send, for an order",
    "account": "the account after a slice",
    "intent_dropped": "an intent sizing or quantization did not send",
    "guard_trip": "a guard tripped",
    "guard_clip": "a guard made an order smaller",
    "guard_cleared": "a stale symbol is fresh again",
    "trading_state": "the trading state changed",
    "positions": "a checkpoint: the broker's positions (at each snapshot and at the end)",
    "restart": "the session was started again from its run folder",
    "operator": "an operator's action (--reset-breakers)",
    "session_end": "a run of the session ended (how, and why)",
}
"""Every record type a journal holds (docs/state.md lists each with its fields)."""


class JournalError(LogosError):
    """The journal cannot be read or written as asked."""


class JsonlJournal:
    """Appends journal records to ``path`` (see the module docstring).

    ``resume=True`` appends to an existing journal whose last whole record has number
    ``last_seq`` (the caller has cut any torn tail first, :func:`cut_torn_tail`)."""

    enabled = True

    def __init__(
        self, path: Path, *, sync_every: int = 4096, resume: bool = False, last_seq: int = -1
    ) -> None:
        if sync_every < 1:
            raise ValueError(f"sync_every must be at least 1, got {sync_every}")
        self.path = path
        self.sync_every = sync_every
        self.resume = resume
        self.last_seq = last_seq
        self._unsynced = 0
        self._fh: IO[bytes] | None = None
        self._ts: datetime | None = None
        self._ts_text = ""

    def _open(self) -> IO[bytes]:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fh = self.path.open("ab" if self.resume else "xb")
        except FileExistsError:
            raise JournalError(
                f"{self.path} exists: a journal is never overwritten; give a new run folder"
            ) from None
        except OSError as exc:
            raise JournalError(
                f"{self.path}: cannot write the journal: {exc.strerror or exc}"
            ) from None
        return self._fh

    def record(self, event: Event) -> int:
        """Append ``event`` (its ``type``, ``ts`` and ``data``; the line gets the next
        ``seq``) as one line, flush it, and return its ``seq``."""
        return self.write(event.type, event.ts, event.data)

    def append(self, type: str, ts: datetime, data: dict[str, Any]) -> None:
        """:meth:`record` of a record given by its parts (what the engine calls)."""
        self.write(type, ts, data)

    def write(self, type: str, ts: datetime, data: dict[str, Any]) -> int:
        """Append one record and return its ``seq``."""
        if type not in RECORD_TYPES:
            raise JournalError(f"{self.path}: no journal record type {type!r} (docs/state.md)")
        seq = self.last_seq + 1
        fh = self._fh or self._open()
        if ts is not self._ts:  # a slice's records share their time: formatted once
            self._ts, self._ts_text = ts, isoformat_utc(ts)
        line = mask_known_secrets(_line(seq, type, self._ts_text, data))
        # the number is taken before the line is written: a Ctrl-C between the two leaves a
        # gap in the numbers, never two lines with one number
        self.last_seq = seq
        fh.write(line)
        fh.flush()
        self._unsynced += 1
        if self._unsynced >= self.sync_every:
            self.sync()
        return seq

    def sync(self) -> None:
        """Put every record so far on disk (``fsync``)."""
        if self._fh is not None and self._unsynced:
            self._fh.flush()
            os.fsync(self._fh.fileno())
            self._unsynced = 0

    def after_slice(self, engine: Any, ts: Any) -> None:
        """Nothing per slice (a :class:`~logos.state.keeper.StateKeeper` snapshots)."""

    def finish(self, engine: Any) -> None:
        """Sync and close the file."""
        self.close()

    def close(self) -> None:
        """Sync and close the file (a later record opens it again, appending)."""
        if self._fh is not None:
            self.sync()
            self._fh.close()
            self._fh = None
            self.resume = True


def encode(seq: int, type: str, ts: datetime, data: dict[str, Any]) -> bytes:
    """One journal line (UTF-8), ``\n`` included."""
    return _line(seq, type, isoformat_utc(ts), data)


def _line(seq: int, type: str, ts: str, data: dict[str, Any]) -> bytes:
    line = {"v": SCHEMA_VERSION, "seq": seq, "type": type, "ts": ts, "data": data}
    return orjson.dumps(line, default=_text, option=_OPTIONS)


def _text(value: Any) -> str:
    """Decimals, timestamps and enums in event data, as the artifacts write them."""
    if hasattr(value, "isoformat"):
        return isoformat_utc(value)
    return str(value)


_OPTIONS = orjson.OPT_APPEND_NEWLINE | orjson.OPT_PASSTHROUGH_DATETIME
"""Compact JSON, one line per record; timestamps through :func:`_text` (``...Z``). orjson
rather than the standard library's encoder: a session writes several records per slice, and
encoding them was the largest cost of the journal."""


# reading -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Record:
    """One journal line, parsed."""

    seq: int
    type: str
    ts: str
    data: dict[str, Any]
    line: int
    """Its line number in the file (1-based), for messages."""


@dataclass
class JournalContents:
    """What :func:`read_journal` found."""

    path: Path
    records: list[Record] = field(default_factory=list)
    whole_bytes: int = 0
    """Bytes up to the end of the last whole line."""
    torn: bytes = b""
    """A last line cut short (no newline, or not a whole JSON record): ignored."""

    @property
    def last_seq(self) -> int:
        """The last whole record's ``seq`` (-1 for an empty journal)."""
        return self.records[-1].seq if self.records else -1

    def of_type(self, *types: str) -> Iterator[Record]:
        """The records of the given types, in order."""
        wanted = set(types)
        return (r for r in self.records if r.type in wanted)


def read_journal(path: Path) -> JournalContents:
    """Parse ``path``: every whole line a record; a torn last line set apart, not parsed.

    Raises :class:`JournalError` naming the file and line for a damaged line before the
    last, a ``seq`` that does not increase, or a record of a newer schema version."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise JournalError(f"{path}: no journal here (is it a run folder?)") from None
    except OSError as exc:
        raise JournalError(f"{path}: cannot read the journal: {exc.strerror or exc}") from None
    contents = JournalContents(path)
    lines = raw.split(b"\n")
    tail = lines.pop()  # after the last newline: b"" when the file ends with one
    previous = -1
    offset = 0
    for number, text in enumerate(lines, start=1):
        try:
            record = _parse(text)
        except ValueError as exc:
            if number == len(lines) and not tail:
                contents.torn = text + b"\n"  # the last line, whole but unreadable
                break
            raise JournalError(f"{path}, line {number}: {exc}; the journal is damaged") from None
        if record["v"] > SCHEMA_VERSION:
            raise JournalError(
                f"{path}, line {number}: journal schema version {record['v']} is newer than "
                f"this logos reads ({SCHEMA_VERSION}); resume or report it with a newer logos"
            )
        seq = record["seq"]
        if seq <= previous:
            raise JournalError(
                f"{path}, line {number}: seq {seq} after {previous}; records must increase"
            )
        previous = seq
        contents.records.append(Record(seq, record["type"], record["ts"], record["data"], number))
        offset += len(text) + 1
    contents.whole_bytes = offset
    contents.torn += tail
    return contents


def _parse(text: bytes) -> dict[str, Any]:
    try:
        record = orjson.loads(text)  # read by the library that wrote it
    except orjson.JSONDecodeError as exc:
        raise ValueError(f"not a JSON record ({exc})") from None
    if not isinstance(record, dict):
        raise ValueError("not a JSON object")
    missing = [k for k in ("v", "seq", "type", "ts", "data") if k not in record]
    if missing:
        raise ValueError(f"record without {', '.join(missing)}")
    if not isinstance(record["v"], int) or not isinstance(record["seq"], int):
        raise ValueError("'v' and 'seq' must be integers")
    if not isinstance(record["data"], dict):
        raise ValueError("'data' must be an object")
    return record


def cut_torn_tail(contents: JournalContents) -> Path | None:
    """Move a torn last line out of the journal, into :data:`TORN_FILE` beside it (appended,
    so nothing is lost), and cut the journal after its last whole line. Returns the file
    the bytes went to, or None when there was nothing torn."""
    if not contents.torn:
        return None
    torn_path = contents.path.with_name(TORN_FILE)
    with torn_path.open("ab") as fh:
        fh.write(contents.torn)
        fh.flush()
        os.fsync(fh.fileno())
    with contents.path.open("r+b") as fh:
        fh.truncate(contents.whole_bytes)
        fh.flush()
        os.fsync(fh.fileno())
    return torn_path
