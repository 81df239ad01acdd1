"""docs/state.md lists every journal record type with its fields: the list is the code's
(``RECORD_TYPES``; the journal refuses any other type), and the records a real session writes
— trading, a breaker trip, a kill, a restart, an operator's reset — have exactly the fields it
documents."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from logos.cli import main
from logos.state.journal import RECORD_TYPES

ROOT = Path(__file__).resolve().parent.parent
SESSION = Path(__file__).parent / "data" / "sessions" / "two_symbols.toml"
OPTIONAL = {"symbol"}  # guard records name a symbol only when they are about one


def documented() -> dict[str, set[str]]:
    """Record type -> its top-level data fields, from the docs' table."""
    text = (ROOT / "docs" / "state.md").read_text()
    table = text.split("### Record types", 1)[1].split("\n## ", 1)[0]
    fields: dict[str, set[str]] = {}
    for row in re.findall(r"^\| `(\w+)` \|[^|]*\|(.*)\|$", table, re.M):
        kind, cell = row
        top = re.sub(r"\([^)]*\)", "", cell)  # nested fields are in parentheses
        fields[kind] = set(re.findall(r"`(\w+)`", top))
    return fields


def test_the_documented_types_are_the_types_the_journal_writes() -> None:
    assert set(documented()) == set(RECORD_TYPES)


@pytest.fixture(scope="module")
def journal(tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    run_dir = tmp_path_factory.mktemp("documented") / "run"
    for argv in (
        ["trade", str(SESSION), "--run-dir", str(run_dir)],
        ["trade", "--resume", str(run_dir), "--reset-breakers", "--reason", "checked"],
    ):
        with pytest.raises(SystemExit) as done:
            main(argv)
        assert done.value.code in (0, None)
        text = (run_dir / "state.jsonl").read_text()
        if "--resume" not in argv:  # as if killed after the breaker tripped
            cut = text.index('"type":"trading_state"')
            (run_dir / "state.jsonl").write_text(text[: text.index("\n", cut) + 1])
    return [json.loads(line) for line in (run_dir / "state.jsonl").read_text().splitlines()]


def test_a_sessions_records_have_the_documented_fields(journal: list[dict]) -> None:
    docs = documented()
    seen: set[str] = set()
    for record in journal:
        kind, keys = record["type"], set(record["data"])
        assert kind in docs, f"seq {record['seq']}: {kind} is not documented"
        assert keys <= docs[kind], f"{kind}: undocumented {keys - docs[kind]}"
        assert docs[kind] - OPTIONAL <= keys, f"{kind}: documented {docs[kind] - keys} missing"
        seen.add(kind)
    assert {"session", "slice", "order", "fill", "account", "guard_trip", "trading_state"} <= seen
    assert {"positions", "restart", "operator", "session_end"} <= seen
