"""No journal line carries a credential read in this process, wherever it appears in the
record (a venue library echoing a key in an error message, say): it is written as ``***``."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from logos import credentials
from logos.state.journal import JsonlJournal

KEY, SECRET = "AKTESTKEY12345", "s3cr3t-value-never-written"


@pytest.fixture
def read_keys() -> object:
    credentials.read_credentials(
        {"api_key": "X_KEY", "secret": "X_SECRET"}, {"X_KEY": KEY, "X_SECRET": SECRET}
    )
    yield
    credentials._SECRETS.discard(KEY)
    credentials._SECRETS.discard(SECRET)


def test_a_credential_in_a_record_is_masked(tmp_path: Path, read_keys: object) -> None:
    journal = JsonlJournal(tmp_path / "state.jsonl")
    ts = datetime(2024, 1, 2, tzinfo=UTC)
    journal.write("operator", ts, {"reason": f"venue said: invalid key {KEY} / {SECRET}"})
    journal.close()
    text = (tmp_path / "state.jsonl").read_text(encoding="utf-8")
    assert KEY not in text and SECRET not in text
    assert "invalid key *** / ***" in text


def test_without_credentials_read_nothing_is_changed(tmp_path: Path) -> None:
    journal = JsonlJournal(tmp_path / "state.jsonl")
    ts = datetime(2024, 1, 2, tzinfo=UTC)
    journal.write("operator", ts, {"reason": f"a note naming {KEY}"})
    journal.close()
    assert KEY in (tmp_path / "state.jsonl").read_text(encoding="utf-8")
