"""The kill switch: a KILL file (or ``logos kill``) or SIGINT/SIGTERM stops the session at
its next slice — working orders canceled, positions flattened when asked, artifacts written,
exit status 3 — and a KILL file left behind keeps the next session from starting."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from logos.cli import main
from logos.domain import Account, OrderStatus, Side
from logos.errors import LogosError
from logos.reports import Reporter
from logos.risk import KILLED_EXIT_CODE, KillSwitch, MaxDrawdown, SessionInfo

LOGOS = str(Path(sys.executable).with_name("logos"))


def ts(i: int) -> datetime:
    return datetime(2024, 1, 2, tzinfo=UTC) + timedelta(minutes=i)


class TouchKillFile(Reporter):
    """Creates the run's KILL file at the end of the slice at ``at`` (as ``logos kill``
    would, from outside, between two slices)."""

    name = "touch_kill"

    def __init__(self, path: Path, at: datetime) -> None:
        super().__init__()
        self.path, self.at = path, at

    def on_slice(self, ts: datetime, account: Account) -> None:
        if ts == self.at:
            self.path.write_text("stop\n")


def test_the_kill_file_halts_flattens_and_stops_at_the_next_slice(
    guarded: Any, tmp_path: Path
) -> None:
    prices = [100, 100, 100, 101, 102, 103, 104, 105, 106, 107]
    run = guarded(
        {"AAA": prices},
        {"AAA": [1] * 10},
        [KillSwitch(flatten=True, poll_seconds=0)],
        reporters=[TouchKillFile(tmp_path / "run" / "KILL", at=ts(3))],
    )
    (trip,) = run.result.guard_trips
    assert trip.ts == ts(4)
    assert trip.measured == f"{tmp_path / 'run' / 'KILL'} appeared"
    assert trip.action == "HALTED, flatten, stop"
    flatten = run.result.orders[-1]
    assert (flatten.side, flatten.qty, flatten.status) == (Side.SELL, 1, OrderStatus.FILLED)
    assert flatten.ts_created == ts(4) and run.result.fills[-1].ts == ts(5)
    # the session ran on only until the flatten order filled
    assert len(run.result.account) == 6
    assert run.result.stopped == f"kill_switch: {tmp_path / 'run' / 'KILL'} appeared"
    assert "Stopped early by kill_switch:" in run.session_md


def test_a_kill_switch_without_flatten_stops_at_once(guarded: Any, tmp_path: Path) -> None:
    run = guarded(
        {"AAA": [100] * 10},
        {"AAA": [1] * 10},
        [KillSwitch(poll_seconds=0), MaxDrawdown(limit=Decimal("0.5"))],
        reporters=[TouchKillFile(tmp_path / "run" / "KILL", at=ts(3))],
    )
    assert len(run.result.account) == 5  # slices 0-4; the trip at 4 ends the session
    assert run.result.positions[0].qty == 1
    assert [e.data["to"] for e in run.journal.of_type("trading_state")] == ["HALTED"]


def test_the_stop_waits_for_flatten_orders_at_most_ten_slices(guarded: Any, tmp_path: Path) -> None:
    # AAA has no bar after minute 4, so the flatten order sent at minute 5 can never fill
    prices = {"AAA": [100] * 5 + [None] * 25, "BBB": [100] * 30}
    run = guarded(
        prices,
        {"AAA": [1] * 5, "BBB": [0] * 30},
        [KillSwitch(flatten=True, poll_seconds=0)],
        reporters=[TouchKillFile(tmp_path / "run" / "KILL", at=ts(4))],
    )
    assert run.result.guard_trips[0].ts == ts(5)
    (flatten,) = [o for o in run.result.orders if o.reason == "kill_switch: flatten on trip"]
    assert flatten.status is OrderStatus.ACCEPTED  # still working when the session ended
    assert len(run.result.account) == 16  # the trip's slice (the 6th) and 10 more
    assert run.result.stopped is not None


def test_a_kill_file_left_behind_keeps_a_session_from_starting(
    guarded: Any, tmp_path: Path
) -> None:
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "KILL").write_text("stop\n")
    with pytest.raises(LogosError, match="KILL exists: an earlier session was stopped"):
        guarded({"AAA": [100] * 3}, {"AAA": [1] * 3}, [KillSwitch()])


# the real command in a subprocess ---------------------------------------------------------

BARS = 400_000
"""Enough one-minute bars that the backtest is still running when the test stops it."""


@pytest.fixture(scope="module")
def long_series(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A deterministic random walk of BARS one-minute bars (prices with 2 decimals)."""
    path = tmp_path_factory.mktemp("kill") / "walk.csv"
    rng = np.random.default_rng(7)
    closes = np.round(100 * np.exp(np.cumsum(rng.normal(0, 0.001, BARS))), 2)
    opens = np.concatenate([[100.0], closes[:-1]])
    highs, lows = np.maximum(opens, closes), np.minimum(opens, closes)
    stamps = np.datetime64("2024-01-01T00:00") + np.arange(BARS).astype("timedelta64[m]")
    with path.open("w") as fh:
        fh.write("timestamp,open,high,low,close,volume\n")
        for row in zip(stamps.astype(str), opens, highs, lows, closes, strict=True):
            fh.write(f"{row[0]}Z,{row[1]:.2f},{row[2]:.2f},{row[3]:.2f},{row[4]:.2f},10\n")
    return path


def _start(data: Path, out: Path, *extra: str) -> subprocess.Popen[str]:
    command = [
        LOGOS, "backtest", "--data", str(data), "--symbol", "WALK", "--strategy", "buy_and_hold",
        "--qty", "1", "--no-progress",
        "--out", str(out), "--risk", "kill_switch:flatten=true,poll_seconds=0.05", "--journal",
        *extra,
    ]  # fmt: skip
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for(path: Path, process: subprocess.Popen[str]) -> None:
    """Until the session has started (its kill switch wrote the RUNNING file)."""
    deadline = time.monotonic() + 120
    while not path.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the session did not start"
        time.sleep(0.02)


def _wait_for_a_fill(out: Path, process: subprocess.Popen[str]) -> None:
    """Until the session's journal holds a fill (buy_and_hold bought its 1): the stop then
    has a position to flatten, however slow the machine is."""
    journal = out / "state.jsonl"
    deadline = time.monotonic() + 120
    while not (journal.exists() and b'"type":"fill"' in journal.read_bytes()):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the session made no fill"
        time.sleep(0.02)


def _check_stopped(process: subprocess.Popen[str], out: Path) -> None:
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == KILLED_EXIT_CODE, (stdout, stderr)
    assert "stopped early by kill_switch" in stderr
    for name in ("orders.csv", "trades.csv", "positions.csv", "account.csv", "session.md"):
        assert (out / name).stat().st_size > 0
    rows = (out / "account.csv").read_text().count("\n") - 1
    assert 0 < rows < BARS  # stopped before the data ended
    md = (out / "session.md").read_text()
    assert "Stopped early by kill_switch" in md and "HALTED, flatten, stop" in md
    # flattened: buy_and_hold always holds 1, and the kill switch's order closed it
    with (out / "orders.csv").open() as fh:
        orders = list(csv.DictReader(fh))
    assert [(o["side"], o["qty"], o["status"], o["reason"]) for o in orders[-1:]] == [
        ("sell", "1", "FILLED", "kill_switch: flatten on trip")
    ]
    with (out / "positions.csv").open() as fh:
        assert all(Decimal(p["qty"]) == 0 for p in csv.DictReader(fh))
    _check_journal(out / "state.jsonl", rows)


def _check_journal(path: Path, slices: int) -> None:
    """Every line whole JSON, seq strictly increasing, one slice record per account row,
    and the stop recorded: the kill switch's trip, then HALTED."""
    records = [json.loads(line) for line in path.read_text().splitlines()]
    seqs = [r["seq"] for r in records]
    assert seqs == sorted(set(seqs))
    assert sum(r["type"] == "slice" for r in records) == slices
    trips = [r for r in records if r["type"] == "guard_trip"]
    assert [t["data"]["guard"] for t in trips] == ["kill_switch"]
    states = [r for r in records if r["type"] == "trading_state"]
    assert [s["data"]["to"] for s in states] == ["HALTED"]
    assert trips[0]["seq"] < states[0]["seq"]


def test_logos_kill_stops_a_running_backtest(long_series: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    process = _start(long_series, out)
    _wait_for(out / "RUNNING", process)
    _wait_for_a_fill(out, process)
    kill = subprocess.run([LOGOS, "kill", str(out)], capture_output=True, text=True)
    assert kill.returncode == 0, kill.stderr
    _check_stopped(process, out)
    assert (out / "KILL").exists()  # left for the operator to remove on purpose
    assert not (out / "RUNNING").exists()


def test_sigterm_stops_a_running_backtest(long_series: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    process = _start(long_series, out)
    _wait_for(out / "RUNNING", process)
    _wait_for_a_fill(out, process)
    os.kill(process.pid, signal.SIGTERM)
    _check_stopped(process, out)
    assert "SIGTERM" in (out / "session.md").read_text()


def test_the_first_signal_requests_the_stop_and_a_second_one_interrupts(tmp_path: Path) -> None:
    switch = KillSwitch()
    before = signal.getsignal(signal.SIGINT)
    switch.start(SessionInfo("s", "backtest", ("AAA",), timedelta(minutes=1), tmp_path / "r"))
    try:
        signal.raise_signal(signal.SIGTERM)
        assert switch.requested == "SIGTERM"
        with pytest.raises(KeyboardInterrupt):
            signal.raise_signal(signal.SIGINT)
    finally:
        switch.finish()
    assert signal.getsignal(signal.SIGINT) is before  # the handlers are given back


def test_logos_kill_refuses_a_folder_where_no_session_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["kill", str(tmp_path)])
    assert exc.value.code == 1
    err = " ".join(capsys.readouterr().err.split())
    assert "no session with a kill switch is running there" in err and "--force" in err
    assert not (tmp_path / "KILL").exists()
    with pytest.raises(SystemExit) as exc:
        main(["kill", str(tmp_path / "nope")])
    assert "no such run folder" in capsys.readouterr().err
    main_ok = subprocess.run(
        [LOGOS, "kill", str(tmp_path), "--force", "--reason", "pre-armed"],
        capture_output=True,
        text=True,
    )
    assert main_ok.returncode == 0
    assert (tmp_path / "KILL").read_text() == "pre-armed\n"
