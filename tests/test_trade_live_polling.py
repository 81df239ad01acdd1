"""A live polling paper session end to end, offline: ``logos trade --feed ccxt --broker
paper`` against ccxt's real binance class with only its HTTP call faked
(:mod:`fake_binance`), the polling feed's clock and sleep replaced by one
:class:`~logos.testing.feeds.ManualClock` so simulated minutes pass at once.

Over them bars arrive and orders fill on the paper broker; ETH/USDT's candles stall for four
minutes while BTC/USDT's keep coming, so ``stale_data`` trips for ETH/USDT and clears when
its bars come back; a real SIGTERM to a real process stops a session with every artifact
written. The test reads what a user reads: exit codes, the journal's records in order, the
artifacts and logos.log.

Why two symbols: the guards are asked once per time slice, with ``now`` = the slice's bar
time + timeframe (the session gives its risk manager no clock). A stalled symbol looks stale
only while another symbol's bars keep slices coming; a lone symbol whose bars stop is asked
nothing until they come back, and then they come all at once, each taken as on time. The
feed's own freshness check (``stale``/``fresh`` events, on its clock) sees both cases.

With a ``kill_switch``, SIGTERM only asks for the stop: the session stops at its next bar."""

from __future__ import annotations

import csv
import json
import multiprocessing
import os
import signal
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import ccxt
import pytest
from cli_run import run_cli
from fake_binance import FakeBinance

from logos.feeds import polling
from logos.testing.feeds import ManualClock

T0 = datetime(2024, 3, 1, 10, 0, tzinfo=UTC)
START = T0 + timedelta(seconds=5)
STALL_FROM = T0 + timedelta(minutes=4)
STALL_TO = T0 + timedelta(minutes=8)
ARTIFACTS = ("orders.csv", "trades.csv", "positions.csv", "account.csv", "session.md")


def trade_args(run_dir: Path, *extra: str) -> list[str]:
    """``logos trade`` over the ccxt feed and the paper broker, two symbols, 1m bars."""
    return [
        "trade",
        "--feed", "ccxt",
        "--broker", "paper",
        "--symbol", "BTC/USDT",
        "--symbol", "ETH/USDT",
        "--timeframe", "1m",
        "--strategy", "sma_cross",
        "--param", "fast=2",
        "--param", "slow=4",
        "--sizing", "fixed_qty",
        "--qty", "0.01",
        "--set", "feed.params.exchange=binance",
        "--risk", "stale_data",
        "--session-id", "live",
        "--run-dir", str(run_dir),
        *extra,
    ]  # fmt: skip


def simulate(clock: ManualClock, sleep: Callable[[float], None], setattr_: Callable) -> None:
    """Put the simulation where the session finds its parts: the polling feed's default clock
    and sleep, and the class ccxt builds for ``binance`` (answering up to ``clock``, ETH/USDT
    stalled from STALL_FROM to STALL_TO)."""
    FakeBinance.clock = clock
    FakeBinance.stall_market = "ETHUSDT"
    FakeBinance.stall_from = STALL_FROM
    FakeBinance.stall_to = STALL_TO
    FakeBinance.requests = []
    setattr_(polling, "system_clock", clock)
    setattr_(polling, "time", SimpleNamespace(sleep=sleep))  # the feed's only use of time
    setattr_(ccxt, "binance", FakeBinance)


def records(run_dir: Path) -> list[dict]:
    return [json.loads(line) for line in (run_dir / "state.jsonl").read_text().splitlines()]


def story(run_dir: Path) -> list[tuple[str, str, str]]:
    """(what, bar time, detail) of the feed's events, the guards' records and the end, in
    journal order."""
    said: list[tuple[str, str, str]] = []
    for record in records(run_dir):
        kind, data, ts = record["type"], record["data"], record["ts"][11:16]
        if kind == "slice":
            for event in data["feed_events"]:
                detail = event.get("bar_ts") or event.get("missing", "")
                said.append((event["type"], ts, f"{event['symbol']} {detail}".strip()))
        elif kind in ("guard_trip", "guard_cleared"):
            said.append((kind, ts, f"{data['guard']} {data.get('symbol') or data['measured']}"))
        elif kind == "trading_state":
            said.append((kind, ts, f"{data['from']}>{data['to']} {data['guard']}"))
        elif kind == "session_end":
            said.append((kind, "", data["reason"]))
    return said


def slices(run_dir: Path) -> list[tuple[str, list[str]]]:
    """(bar time, symbols) of every journaled slice."""
    return [
        (r["ts"][11:16], [bar[0] for bar in r["data"]["bars"]])
        for r in records(run_dir)
        if r["type"] == "slice"
    ]


def rows(path: Path) -> list[dict[str, str]]:
    with path.open() as fh:
        return list(csv.DictReader(fh))


def fills(run_dir: Path) -> list[tuple[str, str, str, str, str]]:
    return [
        (t["ts"][11:16], t["symbol"], t["side"], t["qty"], t["price"])
        for t in rows(run_dir / "trades.csv")
    ]


BOTH = ["BTC/USDT", "ETH/USDT"]
SLICES_TO_1009 = [
    ("09:59", BOTH), ("10:00", BOTH), ("10:01", BOTH), ("10:02", BOTH), ("10:03", BOTH),
    ("10:04", ["BTC/USDT"]), ("10:05", ["BTC/USDT"]), ("10:06", ["BTC/USDT"]),
    ("10:07", BOTH), ("10:08", BOTH), ("10:09", BOTH),
]  # fmt: skip
"""ETH/USDT's bars of 10:04-10:06 are withheld while its candles stall."""
STALE_STRETCH = [
    ("stale", "10:05", "ETH/USDT"),  # the feed's freshness check: older than 2 × 1m + 30s
    ("guard_trip", "10:05", "stale_data ETH/USDT"),  # the guard: older than 2 × 1m
    ("late_bar", "10:07", "ETH/USDT 2024-03-01T10:04:00Z"),  # delivered once BTC/USDT's
    ("late_bar", "10:07", "ETH/USDT 2024-03-01T10:05:00Z"),  # 10:06 was: cannot be replayed
    ("late_bar", "10:07", "ETH/USDT 2024-03-01T10:06:00Z"),  # in order, so dropped
    ("gap", "10:07", "ETH/USDT 3"),  # and reported missing
    ("guard_cleared", "10:07", "stale_data ETH/USDT"),
    ("fresh", "10:08", "ETH/USDT"),
]
FILLS_TO_1009 = [  # sma_cross 2/4 over the fake's closes, filled at the next bar's open
    ("10:03", "BTC/USDT", "buy", "0.01", "62006"),
    ("10:03", "ETH/USDT", "buy", "0.01", "3406"),
    ("10:07", "BTC/USDT", "sell", "0.01", "62006"),
    ("10:09", "ETH/USDT", "sell", "0.01", "3406"),  # its 10:04-10:06 closes never seen
]


def test_a_polling_session_trades_and_its_stalled_symbol_trips_stale_data_then_recovers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = ManualClock(START)
    simulate(clock, clock.sleep, monkeypatch.setattr)
    run_dir = tmp_path / "run"
    code, out, err = run_cli(
        capsys, *trade_args(run_dir, "--until", "2024-03-01T10:14"), collapse_out=True
    )
    assert code == 0, err
    assert "orders │ 8 (0 rejected, 0 denied)" in out and "trades (fills) │ 6" in out

    # ccxt's own binance code made the requests: 1m klines of both markets
    asked = {(q["symbol"][0], q["interval"][0]) for q in FakeBinance.requests}
    assert asked == {("BTCUSDT", "1m"), ("ETHUSDT", "1m")}

    # bars arrived, one slice per closed minute, ETH/USDT missing while it stalled
    assert slices(run_dir) == [
        *SLICES_TO_1009,
        *[(f"10:{m}", BOTH) for m in range(10, 15)],
    ]
    assert story(run_dir) == [
        *STALE_STRETCH,
        ("session_end", "", "paused at --until 2024-03-01T10:14:00+00:00"),
    ]
    trip = next(r for r in records(run_dir) if r["type"] == "guard_trip")
    assert trip["data"]["measured"] == "ETH/USDT newest bar 2024-03-01T10:03:00Z is 3m old"

    # orders filled on the paper broker: each NEW before its fill, in the journal too
    kinds = [(r["type"], r["data"].get("new")) for r in records(run_dir)]
    assert kinds.index(("order", "NEW")) < kinds.index(("fill", None))
    assert fills(run_dir) == [
        *FILLS_TO_1009,
        ("10:11", "BTC/USDT", "buy", "0.01", "62006"),
        ("10:11", "ETH/USDT", "buy", "0.01", "3406"),
    ]
    orders = rows(run_dir / "orders.csv")
    assert [o["status"] for o in orders] == ["FILLED"] * 6 + ["ACCEPTED"] * 2  # 10:14's exits
    for name in ARTIFACTS:
        assert (run_dir / name).is_file(), name
    assert rows(run_dir / "account.csv")[-1]["ts"].startswith("2024-03-01T10:14")
    md = (run_dir / "session.md").read_text()
    assert "ETH/USDT newest bar 2024-03-01T10:03:00Z is 3m old" in md
    assert "ETH/USDT fresh again: newest bar 2024-03-01T10:07:00Z" in md
    log = (run_dir / "logos.log").read_text()
    assert "start session=live mode=paper symbols=BTC/USDT,ETH/USDT" in log
    assert "guard_trip ts=2024-03-01T10:05:00+00:00" in log
    assert "guard_cleared ts=2024-03-01T10:07:00+00:00" in log
    assert "end paused at --until 2024-03-01T10:14:00+00:00 slices=16" in log


READY_AT = T0 + timedelta(minutes=10, seconds=30)
"""From here the child's simulated time stops: it waits for real, as a live session waits for
its next poll, until the test has signalled it."""


def _child(args: list[str], log: Path, ready: Path, go: Path) -> None:
    """In the forked child: ``logos ARGS`` on the simulation, its output appended to ``log``.
    Once the clock reaches READY_AT it creates ``ready`` and waits (real time, where a real
    signal lands) until ``go`` exists."""
    clock = ManualClock(START)

    def sleep(seconds: float) -> None:
        if clock.now >= READY_AT:
            ready.touch()
            while not go.exists():
                time.sleep(0.01)
        clock.sleep(seconds)

    simulate(clock, sleep, setattr)
    sys.stdout = sys.stderr = open(log, "a")  # noqa: SIM115 - the child's whole life
    from logos.cli import main

    code = 0
    try:
        main(args)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    sys.stdout.flush()
    os._exit(code)  # nothing of the parent's (threads, finalizers) runs in the child


def sigterm_session(tmp_path: Path, *extra: str, go_after_signal: bool) -> tuple[int, Path, str]:
    """``logos trade`` in a forked child, sent a real SIGTERM once it is waiting at READY_AT
    (and, with ``go_after_signal``, let carry on after it): exit code, run folder, output."""
    run_dir, log = tmp_path / "run", tmp_path / "out.log"
    ready, go = tmp_path / "ready", tmp_path / "go"
    child = multiprocessing.get_context("fork").Process(
        target=_child, args=(trade_args(run_dir, *extra), log, ready, go)
    )
    child.start()
    try:
        deadline = time.monotonic() + 60
        while not ready.exists():
            assert child.is_alive(), log.read_text()
            assert time.monotonic() < deadline, "the session never reached READY_AT"
            time.sleep(0.01)
        assert child.pid is not None
        os.kill(child.pid, signal.SIGTERM)
        if go_after_signal:
            go.touch()
        child.join(60)
    finally:
        if child.exitcode is None:
            child.kill()
            child.join()
    return child.exitcode, run_dir, " ".join(log.read_text().split())


def test_sigterm_interrupts_a_waiting_polling_session_with_every_artifact_written(
    tmp_path: Path,
) -> None:
    code, run_dir, out = sigterm_session(tmp_path, go_after_signal=False)
    assert code == 130, out
    assert f"interrupted: {run_dir} holds the journal and the artifacts up to the stop" in out
    assert slices(run_dir) == SLICES_TO_1009
    assert story(run_dir) == [*STALE_STRETCH, ("session_end", "", "interrupted")]
    for name in ARTIFACTS:
        assert (run_dir / name).is_file(), name
    assert fills(run_dir) == FILLS_TO_1009
    assert [o["status"] for o in rows(run_dir / "orders.csv")] == ["FILLED"] * 4
    assert rows(run_dir / "account.csv")[-1]["ts"].startswith("2024-03-01T10:09")
    assert "guard_cleared" in (run_dir / "logos.log").read_text()


def test_sigterm_with_a_kill_switch_stops_at_the_next_bar_exit_3(tmp_path: Path) -> None:
    code, run_dir, out = sigterm_session(tmp_path, "--risk", "kill_switch", go_after_signal=True)
    assert code == 3, out
    assert "stopped early by kill_switch" in out
    assert slices(run_dir) == [*SLICES_TO_1009, ("10:10", BOTH)]  # the next bar after SIGTERM
    assert story(run_dir) == [
        *STALE_STRETCH,
        ("guard_trip", "10:10", "kill_switch SIGTERM"),
        ("trading_state", "10:10", "ACTIVE>HALTED kill_switch"),
        ("session_end", "", "stopped"),
    ]
    for name in ARTIFACTS:
        assert (run_dir / name).is_file(), name
    assert fills(run_dir) == FILLS_TO_1009
    log = (run_dir / "logos.log").read_text()
    assert "end stopped slices=12" in log


def test_a_resumed_polling_session_gets_the_bars_of_its_downtime(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Paused at 10:10 and resumed at 10:16: the session asks the venue for the bars after
    its last journaled slice, so the minutes it was down are traded as they would have been —
    the same slices, orders and fills as one run straight through to 10:14."""
    clock = ManualClock(START)
    simulate(clock, clock.sleep, monkeypatch.setattr)
    straight, resumed = tmp_path / "straight", tmp_path / "resumed"
    code, _, err = run_cli(capsys, *trade_args(straight, "--until", "2024-03-01T10:14"))
    assert code == 0, err
    clock.now = START
    simulate(clock, clock.sleep, monkeypatch.setattr)
    code, _, err = run_cli(capsys, *trade_args(resumed, "--until", "2024-03-01T10:10"))
    assert code == 0, err
    assert slices(resumed)[-1][0] == "10:10"
    clock.now = T0 + timedelta(minutes=16, seconds=5)  # down six minutes
    code, _, err = run_cli(capsys, "trade", "--resume", str(resumed), "--until", "2024-03-01T10:14")
    assert code == 0, err
    assert slices(resumed) == slices(straight)  # 10:11 to 10:14 fetched after the restart
    for name in ("orders.csv", "trades.csv", "positions.csv", "account.csv"):
        assert (resumed / name).read_bytes() == (straight / name).read_bytes(), name
