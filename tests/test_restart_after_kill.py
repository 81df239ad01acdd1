"""A paper session killed (SIGKILL) at any point of its journal — between two slices, in the
middle of one, between an order's record and its fill, right after a breaker trips — and
resumed with ``logos trade --resume`` ends with orders.csv, trades.csv, positions.csv and
account.csv byte-identical to the same session never interrupted, and sends no order twice.

Each kill is real: the session runs in its own process, which kills itself with SIGKILL right
after its journal's k-th record (``kill_after_records.py``); every resume is a new process."""

from __future__ import annotations

import json
import os
import shutil
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from kill_after_records import run_logos

SESSION = Path(__file__).parent / "data" / "sessions" / "two_symbols.toml"
ARTIFACTS = ("orders.csv", "trades.csv", "positions.csv", "account.csv")
SNAPSHOT_EVERY = "40"  # several snapshots in the session, so both restart paths are taken
EVEN_POINTS = 40
AFTER_ORDER_POINTS = 10


def records(run_dir: Path) -> list[dict]:
    lines = (run_dir / "state.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines]


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    run_dir = tmp_path_factory.mktemp("uninterrupted") / "run"
    assert (
        run_logos("trade", str(SESSION), "--run-dir", str(run_dir), "--snapshot-every", "40") == 0
    )
    return run_dir


def kill_points(journal: list[dict]) -> list[int]:
    """k = records written before the kill: spread evenly over the whole session, plus
    right after order records whose fill comes later (the order journaled, not yet filled)."""
    total = len(journal)
    even = sorted({1 + (total - 2) * i // (EVEN_POINTS - 1) for i in range(EVEN_POINTS)})
    filled_later = [
        r["seq"] + 1
        for r in journal
        if r["type"] == "order"
        and r["data"]["new"] in ("NEW", "ACCEPTED")
        and any(
            f["type"] == "fill"
            and f["data"]["order_id"] == r["data"]["order_id"]
            and f["seq"] > r["seq"] + 2
            for f in journal[r["seq"] + 1 : r["seq"] + 60]
        )
    ]
    step = max(1, len(filled_later) // AFTER_ORDER_POINTS)
    return sorted(set(even) | set(filled_later[::step][:AFTER_ORDER_POINTS]))


def crash_and_resume(root: Path, kills: tuple[int, ...], *more: str) -> Path:
    """Kill the session after ``kills[0]`` records, each resumed run after the next count,
    then resume it to the end (every run with the options ``more``)."""
    run_dir = root / "run"
    every = ("--snapshot-every", SNAPSHOT_EVERY, *more)
    start = ("trade", str(SESSION), "--run-dir", str(run_dir), *every)
    resume = ("trade", "--resume", str(run_dir), *every)
    log = str(root / "output.txt")
    said = f"k={kills}: see {log}"
    assert run_logos(*start, kill_after=kills[0], log=log) == -9, f"{said}: not killed"
    for again in kills[1:]:
        assert run_logos(*resume, kill_after=again, log=log) == -9, f"{said}: not killed"
    assert run_logos(*resume, log=log) == 0, f"{said}: the last resume failed"
    return run_dir


def test_killed_anywhere_and_resumed_ends_byte_identical(
    uninterrupted: Path, tmp_path: Path
) -> None:
    journal = records(uninterrupted)
    points = kill_points(journal)
    assert len(points) >= 50
    trip = next(r["seq"] for r in journal if r["type"] == "guard_trip")
    cases: list[tuple[int, ...]] = [(k,) for k in points]
    cases += [(trip + 1,), (trip + 2,), (trip + 3,)]  # right after a breaker tripped
    cases += [(900, 500), (2500, 1), (40, 40, 40)]  # killed again while resuming
    stepwise = [(300,), (1777,), (2600, 300)]  # strategies asked bar by bar, as over a live feed
    expected = {name: (uninterrupted / name).read_bytes() for name in ARTIFACTS}
    sent = Counter(
        r["data"]["client_order_id"]
        for r in journal
        if r["type"] == "order" and r["data"]["old"] is None
    )

    def check(case: tuple[int, ...], *more: str) -> list[str]:
        root = tmp_path / "-".join(map(str, (*case, *more)))
        root.mkdir()
        run_dir = crash_and_resume(root, case, *more)
        problems = [
            f"k={case}: {name} differs"
            for name in ARTIFACTS
            if (run_dir / name).read_bytes() != expected[name]
        ]
        created = Counter(
            r["data"]["client_order_id"]
            for r in records(run_dir)
            if r["type"] == "order" and r["data"]["old"] is None
        )
        if created != sent:
            twice = [c for c, n in created.items() if n > 1]
            problems.append(f"k={case}: orders created {sum(created.values())}, twice: {twice}")
        if not problems:
            shutil.rmtree(root)
        return problems

    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 2)) as pool:
        found = [pool.submit(check, case) for case in cases]
        found += [pool.submit(check, case, "--stepwise") for case in stepwise]
        problems = [p for future in found for p in future.result()]
    assert problems == []
    assert len(cases) >= 50


def test_the_uninterrupted_session_trips_its_breaker_and_trades_both_symbols(
    uninterrupted: Path,
) -> None:
    """What the kill points above cut through: both symbols traded, orders resting across
    slices (partial fills), rejections, and a drawdown trip that flattens and halts."""
    journal = records(uninterrupted)
    kinds = Counter(r["type"] for r in journal)
    assert kinds["guard_trip"] == 1 and kinds["trading_state"] == 1
    statuses = Counter(r["data"]["new"] for r in journal if r["type"] == "order")
    assert statuses["PARTIALLY_FILLED"] > 10 and statuses["REJECTED"] > 10
    traded = {r["data"]["symbol"] for r in journal if r["type"] == "fill"}
    assert traded == {"UNITTEST/BTC", "XRP/ETH"}
    assert any(len(r["data"]["bars"]) == 2 for r in journal if r["type"] == "slice")
