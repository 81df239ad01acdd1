"""A paper session's snapshot holds its working orders, not every order it made: the broker
forgets the orders that ended as each snapshot is taken (they are in the journal and the
artifacts), so a snapshot's size and the broker's memory do not grow with the session."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_run import run_cli

SESSION = Path(__file__).parent / "data" / "sessions" / "two_symbols.toml"
WORKING = {"SUBMITTED", "ACCEPTED", "PARTIALLY_FILLED"}


def test_each_snapshot_holds_only_the_working_orders(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_dir = tmp_path / "run"
    args = ("trade", str(SESSION), "--run-dir", str(run_dir), "--snapshot-every", "40")
    code, _, err = run_cli(capsys, *args, "--max-bars", "300")
    assert code == 0, err
    paused = json.loads((run_dir / "state.json").read_text())
    code, _, err = run_cli(capsys, "trade", "--resume", str(run_dir))
    assert code == 0, err
    ended = json.loads((run_dir / "state.json").read_text())
    journaled = [
        json.loads(line)["data"]["order"]
        for line in (run_dir / "state.jsonl").read_text().splitlines()
        if '"type":"order"' in line
    ]
    ended_in_journal = {o["client_order_id"] for o in journaled if o["status"] not in WORKING}
    assert len(ended_in_journal) > 50  # the session made many orders...
    for snapshot in (paused, ended):  # ...and neither snapshot holds one that ended
        orders = snapshot["broker"]["orders"]
        assert {o["status"] for o in orders} <= WORKING
        assert {w["order_id"] for w in snapshot["broker"]["working"]} == {
            o["order_id"] for o in orders
        }
