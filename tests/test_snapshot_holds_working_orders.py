"""A paper session's snapshot holds its working orders, not every order it made: the broker
forgets the orders that ended as each snapshot is taken (they are in the journal and the
artifacts), so a snapshot's size and the broker's memory do not grow with the session;
ended orders that a restored snapshot still holds are forgotten with the next one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_run import run_cli
from kill_after_records import run_logos

SESSION = Path(__file__).parent / "data" / "sessions" / "two_symbols.toml"
WORKING = {"SUBMITTED", "ACCEPTED", "PARTIALLY_FILLED"}
EVERY_40 = ("--snapshot-every", "40")


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


def test_ended_orders_a_restored_snapshot_still_holds_are_forgotten_later(
    tmp_path: Path,
) -> None:
    # killed mid-session; the resume snapshots while it replays the journal (nothing is
    # forgotten before it is reconciled) and is killed again just after; the last resume
    # restores that snapshot, ended orders and all, and still ends holding none of them
    reference = tmp_path / "reference"
    assert run_logos("trade", str(SESSION), "--run-dir", str(reference), *EVERY_40) == 0
    journal = [json.loads(line) for line in (reference / "state.jsonl").read_text().splitlines()]
    mid_session = [r["seq"] for r in journal if r["type"] == "slice"][115]
    run_dir = tmp_path / "run"
    start = ("trade", str(SESSION), "--run-dir", str(run_dir), *EVERY_40)
    assert run_logos(*start, kill_after=mid_session) == -9
    resume = ("trade", "--resume", str(run_dir))
    assert run_logos(*resume, "--snapshot-every", "10", kill_after=3) == -9
    restored = json.loads((run_dir / "state.json").read_text())["broker"]["orders"]
    assert {o["status"] for o in restored} - WORKING  # the replay's snapshot kept ended ones
    assert run_logos(*resume, *EVERY_40) == 0
    final = json.loads((run_dir / "state.json").read_text())["broker"]["orders"]
    assert {o["status"] for o in final} <= WORKING
    for name in ("orders.csv", "trades.csv", "positions.csv", "account.csv"):
        assert (run_dir / name).read_bytes() == (reference / name).read_bytes(), name
