"""state.jsonl: one whole JSON line per record, flushed as it is recorded, seq strictly
increasing, a schema version on every line, and never an existing file overwritten."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from logos.domain import Event
from logos.errors import LogosError
from logos.journal import SCHEMA_VERSION, JsonlJournal

TS = datetime(2024, 1, 2, 0, 5, tzinfo=UTC)


def test_each_record_is_one_flushed_line(tmp_path: Path) -> None:
    path = tmp_path / "run" / "state.jsonl"
    journal = JsonlJournal(path, sync_every=2)
    journal.record(Event(seq=1, type="slice", ts=TS, data={"close": "100.5"}))
    # flushed already: a reader (or a restart after kill -9) sees the record now
    assert json.loads(path.read_text()) == {
        "v": SCHEMA_VERSION,
        "seq": 1,
        "type": "slice",
        "ts": "2024-01-02T00:05:00Z",
        "data": {"close": "100.5"},
    }
    journal.record(Event(seq=3, type="guard_trip", ts=TS, data={"limit": Decimal("0.1")}))
    journal.finish(None)
    lines = path.read_text().splitlines()
    assert [json.loads(line)["seq"] for line in lines] == [1, 3]
    assert json.loads(lines[1])["data"] == {"limit": "0.1"}


def test_records_out_of_order_are_refused(tmp_path: Path) -> None:
    journal = JsonlJournal(tmp_path / "state.jsonl")
    journal.record(Event(seq=5, type="slice", ts=TS))
    with pytest.raises(LogosError, match="journal seq 5 after 5"):
        journal.record(Event(seq=5, type="slice", ts=TS))


def test_an_existing_journal_is_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "state.jsonl"
    path.write_text('{"seq": 1}\n')
    journal = JsonlJournal(path)
    with pytest.raises(LogosError, match=r"state\.jsonl exists: a journal is never overwritten"):
        journal.record(Event(seq=1, type="slice", ts=TS))
    assert path.read_text() == '{"seq": 1}\n'


def test_sync_every_must_be_positive(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        JsonlJournal(tmp_path / "state.jsonl", sync_every=0)
