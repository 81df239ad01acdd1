"""state.jsonl: one whole JSON line per record, flushed as it is recorded, numbered by the
journal from 0, a schema version on every line, only documented record types, never an
existing file overwritten — and read back with a torn last line set apart, not parsed."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from logos.domain import Event
from logos.state.journal import (
    SCHEMA_VERSION,
    TORN_FILE,
    JournalError,
    JsonlJournal,
    cut_torn_tail,
    read_journal,
)

TS = datetime(2024, 1, 2, 0, 5, tzinfo=UTC)


def test_each_record_is_one_flushed_line_numbered_by_the_journal(tmp_path: Path) -> None:
    path = tmp_path / "run" / "state.jsonl"
    journal = JsonlJournal(path, sync_every=2)
    # the engine's own count (Event.seq) is not the line's number
    assert journal.record(Event(seq=7, type="slice", ts=TS, data={"bars": []})) == 0
    # flushed already: a reader (or a restart after kill -9) sees the record now
    assert json.loads(path.read_text()) == {
        "v": SCHEMA_VERSION,
        "seq": 0,
        "type": "slice",
        "ts": "2024-01-02T00:05:00Z",
        "data": {"bars": []},
    }
    assert journal.write("guard_trip", TS, {"limit": Decimal("0.1")}) == 1
    journal.finish(None)
    lines = path.read_text().splitlines()
    assert [json.loads(line)["seq"] for line in lines] == [0, 1]
    assert json.loads(lines[1])["data"] == {"limit": "0.1"}


def test_an_undocumented_record_type_is_refused(tmp_path: Path) -> None:
    journal = JsonlJournal(tmp_path / "state.jsonl")
    with pytest.raises(JournalError, match=r"no journal record type 'bar' \(docs/state\.md\)"):
        journal.write("bar", TS, {})
    assert not (tmp_path / "state.jsonl").exists()


def test_an_existing_journal_is_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "state.jsonl"
    path.write_text('{"seq": 1}\n')
    journal = JsonlJournal(path)
    with pytest.raises(JournalError, match=r"state\.jsonl exists: a journal is never overwritten"):
        journal.write("slice", TS, {})
    assert path.read_text() == '{"seq": 1}\n'


def test_a_resumed_journal_appends_after_its_last_record(tmp_path: Path) -> None:
    path = tmp_path / "state.jsonl"
    first = JsonlJournal(path)
    first.write("slice", TS, {})
    first.close()
    again = JsonlJournal(path, resume=True, last_seq=read_journal(path).last_seq)
    assert again.write("restart", TS, {}) == 1
    again.close()
    assert [r.type for r in read_journal(path).records] == ["slice", "restart"]


def test_sync_every_must_be_positive(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        JsonlJournal(tmp_path / "state.jsonl", sync_every=0)


def _journal(tmp_path: Path, tail: bytes) -> Path:
    path = tmp_path / "state.jsonl"
    journal = JsonlJournal(path)
    for _ in range(3):
        journal.write("slice", TS, {"bars": []})
    journal.close()
    with path.open("ab") as fh:
        fh.write(tail)
    return path


@pytest.mark.parametrize(
    "tail",
    [
        b'{"v":1,"seq":3,"type":"sl',  # cut mid-write: no newline
        b'{"v":1,"seq":3,"type":"slice","ts":"2024-01-02T00:05:00Z","data":{}}',  # no newline
        b'{"v":1,"seq":3,"ty\x00\x00\n',  # a whole line of garbage (a page not written)
    ],
)
def test_a_torn_last_line_is_set_apart_and_cut_off_keeping_its_bytes(
    tmp_path: Path, tail: bytes
) -> None:
    path = _journal(tmp_path, tail)
    whole = path.read_bytes()[: -len(tail)]
    contents = read_journal(path)
    assert [r.seq for r in contents.records] == [0, 1, 2]
    assert contents.torn == tail and contents.whole_bytes == len(whole)
    assert cut_torn_tail(contents) == tmp_path / TORN_FILE
    assert path.read_bytes() == whole
    assert (tmp_path / TORN_FILE).read_bytes() == tail


def test_a_journal_without_a_torn_line_is_not_touched(tmp_path: Path) -> None:
    path = _journal(tmp_path, b"")
    before = path.read_bytes()
    assert cut_torn_tail(read_journal(path)) is None
    assert path.read_bytes() == before and not (tmp_path / TORN_FILE).exists()


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (b"not json", "line 2: not a JSON record"),
        (b"[1, 2]", "line 2: not a JSON object"),
        (b'{"v":1,"seq":1,"type":"slice","ts":"x"}', "line 2: record without data"),
        (b'{"v":1,"seq":"1","type":"slice","ts":"x","data":{}}', "'v' and 'seq' must be"),
        (b'{"v":1,"seq":1,"type":"slice","ts":"x","data":[]}', "'data' must be an object"),
        (b'{"v":1,"seq":0,"type":"slice","ts":"x","data":{}}', "line 2: seq 0 after 0"),
        (b'{"v":9,"seq":1,"type":"slice","ts":"x","data":{}}', "schema version 9 is newer"),
    ],
)
def test_a_damaged_line_before_the_last_names_its_line(
    tmp_path: Path, line: bytes, message: str
) -> None:
    path = tmp_path / "state.jsonl"
    good = b'{"v":1,"seq":0,"type":"slice","ts":"x","data":{}}\n'
    last = b'{"v":1,"seq":5,"type":"slice","ts":"x","data":{}}\n'
    path.write_bytes(good + line + b"\n" + last)
    with pytest.raises(JournalError, match=re.escape(message)):
        read_journal(path)


def test_a_missing_journal_says_so(tmp_path: Path) -> None:
    with pytest.raises(JournalError, match="no journal here"):
        read_journal(tmp_path / "state.jsonl")
