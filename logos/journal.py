"""``state.jsonl``: the session's append-only journal (docs/risk.md, docs/backtest.md).

One JSON object per line: ``{"v": 1, "seq": ..., "type": ..., "ts": ..., "data": {...}}``,
``seq`` strictly increasing, ``ts`` the bar time (ISO-8601 UTC). Every line is written whole
and flushed to the operating system as it is recorded, so a process that is killed leaves
every record it made, at worst with a torn last line. ``fsync`` (the disk itself) is batched:
every ``sync_every`` records, at :meth:`JsonlJournal.sync` — which a venue adapter calls
before anything leaves the process — and at the end. The journal never overwrites: it
refuses a file that already exists.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import IO, Any

from logos.domain import Event
from logos.errors import LogosError
from logos.timeutil import isoformat_utc

SCHEMA_VERSION = 1
JOURNAL_FILE = "state.jsonl"


class JsonlJournal:
    """Appends each journal record to ``path`` (see the module docstring)."""

    enabled = True

    def __init__(self, path: Path, *, sync_every: int = 4096) -> None:
        if sync_every < 1:
            raise ValueError(f"sync_every must be at least 1, got {sync_every}")
        self.path = path
        self.sync_every = sync_every
        self.last_seq = -1
        self._unsynced = 0
        self._fh: IO[str] | None = None

    def _open(self) -> IO[str]:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fh = self.path.open("x", encoding="utf-8")
        except FileExistsError:
            raise LogosError(
                f"{self.path} exists: a journal is never overwritten; give a new run folder"
            ) from None
        except OSError as exc:
            raise LogosError(
                f"{self.path}: cannot write the journal: {exc.strerror or exc}"
            ) from None
        return self._fh

    def record(self, event: Event) -> None:
        """Append ``event`` as one line and flush it; ``seq`` must increase."""
        if event.seq <= self.last_seq:
            raise LogosError(
                f"journal seq {event.seq} after {self.last_seq}: records must be in order"
            )
        line = {
            "v": SCHEMA_VERSION,
            "seq": event.seq,
            "type": event.type,
            "ts": isoformat_utc(event.ts),
            "data": event.data,
        }
        fh = self._fh or self._open()
        fh.write(json.dumps(line, separators=(",", ":"), default=_text) + "\n")
        fh.flush()
        self.last_seq = event.seq
        self._unsynced += 1
        if self._unsynced >= self.sync_every:
            self.sync()

    def sync(self) -> None:
        """Put every record so far on disk (``fsync``)."""
        if self._fh is not None and self._unsynced:
            self._fh.flush()
            os.fsync(self._fh.fileno())
            self._unsynced = 0

    def after_slice(self, engine: Any, ts: Any) -> None:
        """Nothing per slice (snapshots are written by the state layer)."""

    def finish(self, engine: Any) -> None:
        """Sync and close the file."""
        if self._fh is not None:
            self.sync()
            self._fh.close()
            self._fh = None


def _text(value: Any) -> str:
    """Decimals, timestamps and enums in event data, as the artifacts write them."""
    if hasattr(value, "isoformat"):
        return isoformat_utc(value)
    return str(value)
