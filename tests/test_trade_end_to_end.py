"""The end-to-end paper session, as a user runs it: ``logos trade`` over two real series with
every kind of guard — normal trading, stale-data stretches (the stale symbol takes no new
entries, then is fresh again), a burst of broker rejections (REDUCING), the kill switch (exit
3, artifacts written), a refused restart while the ``KILL`` file is there, ``--resume
--reset-breakers --reason``, a drawdown trip that flattens and halts, and completion. The
test reads what a user reads: the exit codes, the artifacts, the journal's events in order,
session.md and logos.log."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from cli_run import run_cli
from kill_after_records import run_logos

SESSION = Path(__file__).parent / "data" / "sessions" / "guarded_session.toml"
ARTIFACTS = ("orders.csv", "trades.csv", "positions.csv", "account.csv", "session.md")
KILL_AT = "2017-11-05T04:30:00Z"  # the KILL file appears as this slice is journaled
SLICES = 658


def events(run_dir: Path) -> list[dict]:
    lines = (run_dir / "state.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines]


def notable(run_dir: Path) -> list[tuple[str, str]]:
    """(type, what) of the guard, state and session records, in journal order."""
    said: list[tuple[str, str]] = []
    for e in events(run_dir):
        kind, data = e["type"], e["data"]
        if kind in ("guard_trip", "guard_cleared"):
            said.append((kind, data["guard"]))
        elif kind == "trading_state":
            said.append((kind, f"{data['from']}>{data['to']} {data['guard']}"))
        elif kind in ("session_end", "restart", "operator"):
            said.append((kind, data.get("reason", "")))
    return said


@pytest.fixture(scope="module")
def kill_record(tmp_path_factory: pytest.TempPathFactory) -> int:
    """How many records the session has written once the slice at KILL_AT is journaled."""
    probe = tmp_path_factory.mktemp("probe") / "run"
    assert run_logos("trade", str(SESSION), "--run-dir", str(probe), "--max-bars", "300") == 0
    return next(e["seq"] for e in events(probe) if e["type"] == "slice" and e["ts"] == KILL_AT) + 1


def test_a_guarded_paper_session_from_start_to_completion(
    kill_record: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_dir = tmp_path / "run"
    kill = run_dir / "KILL"
    # 1. the session runs until the kill switch stops it
    code = run_logos(
        "trade", str(SESSION), "--run-dir", str(run_dir), kill_after=kill_record, touch=str(kill)
    )
    assert code == 3  # stopped by the kill switch
    for name in ARTIFACTS:
        assert (run_dir / name).is_file(), name
    first = notable(run_dir)
    assert ("guard_trip", "stale_data") in first and ("guard_cleared", "stale_data") in first
    tail = [item for item in first if item[1] != "stale_data"]
    assert tail == [
        ("guard_trip", "max_rejects"),
        ("trading_state", "ACTIVE>REDUCING max_rejects"),
        ("guard_trip", "kill_switch"),
        ("trading_state", "REDUCING>HALTED kill_switch"),
        ("session_end", "stopped"),
    ]
    account = (run_dir / "account.csv").read_text().splitlines()
    assert account[-1].startswith(KILL_AT)

    # 2. no restart while the KILL file is there; nothing written
    journal = (run_dir / "state.jsonl").read_bytes()
    code, _, err = run_cli(capsys, "trade", "--resume", str(run_dir))
    assert code == 1 and "the session was stopped with the kill switch; remove the file" in err
    assert (run_dir / "state.jsonl").read_bytes() == journal

    # 3. removed on purpose: carried on, the breakers reset with a reason
    kill.unlink()
    code, out, err = run_cli(
        capsys, "trade", "--resume", str(run_dir), "--reset-breakers", "--reason", "reviewed"
    )
    assert code == 0, err
    assert "breakers reset (reviewed): max_rejects, kill_switch" in out
    after = [item for item in notable(run_dir)[len(first) :] if item[1] != "stale_data"]
    assert after == [
        ("restart", ""),
        ("operator", "reviewed"),
        ("trading_state", "HALTED>ACTIVE operator"),
        ("guard_trip", "max_drawdown"),
        ("trading_state", "ACTIVE>HALTED max_drawdown"),
        ("session_end", "completed"),
    ]

    # 4. the artifacts cover the whole session, both runs
    account = (run_dir / "account.csv").read_text().splitlines()
    assert len(account) == 1 + SLICES
    with (run_dir / "orders.csv").open() as fh:
        orders = list(csv.DictReader(fh))
    statuses = {o["status"] for o in orders}
    assert {"FILLED", "REJECTED", "CANCELED"} <= statuses
    flatten = [o for o in orders if o["reason"] == "max_drawdown: flatten on trip"]
    assert flatten and all(o["status"] == "FILLED" for o in flatten)
    with (run_dir / "positions.csv").open() as fh:
        assert all(row["qty"] == "0" for row in csv.DictReader(fh))  # flattened
    trip = next(e for e in events(run_dir) if e["data"].get("guard") == "max_drawdown")
    sent_after = [
        e
        for e in events(run_dir)
        if e["seq"] > trip["seq"] and e["type"] == "order" and e["data"]["old"] is None
    ]
    assert all("flatten" in e["data"]["reason"] for e in sent_after)  # HALTED: nothing new

    # 5. what session.md and logos.log say
    md = (run_dir / "session.md").read_text()
    for guard in ("stale_data", "max_rejects", "kill_switch", "max_drawdown"):
        assert guard in md, guard
    restarts = md.split("## Restarts", 1)[1].split("\n## ", 1)[0]
    assert "\n1\n" in restarts and f"last slice {KILL_AT}" in restarts
    assert "reset_breakers (max_rejects, kill_switch), reason: reviewed" in md
    states = md.split("## Trading state", 1)[1].split("\n## ", 1)[0]
    changes = [e["data"] for e in events(run_dir) if e["type"] == "trading_state"]
    assert len(changes) >= 4  # REDUCING (stale), back, HALTED (kill switch), reset, drawdown
    rows = [line for line in states.splitlines() if line.startswith("| 20")]
    assert [r.strip("| ").split(" | ")[1:4] for r in rows] == [
        [c["from"], c["to"], c["guard"]] for c in changes
    ]
    log = (run_dir / "logos.log").read_text()
    assert log.count("start session=guarded") == 1 and log.count("resume session=guarded") == 1
    assert "end stopped" in log and "end completed" in log
    assert '"to": "HALTED", "guard": "max_drawdown"' in log
