"""``[exits]`` defaults on a shipped real series (docs/orders.md): the sma_cross session is
stopped out, trailed out and takes profit; ``logos backtest`` (signals on the whole series or
bar by bar) and ``logos trade`` (a paper session on the replay feed) write the same orders and
fills; and a paper session killed with SIGKILL while legs are working resumes to the same
artifacts."""

from __future__ import annotations

import csv
import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
from cli_run import run_cli
from kill_after_records import run_logos

SESSION = Path(__file__).parent / "data" / "sessions" / "exits_session.toml"
ARTIFACTS = ("orders.csv", "trades.csv", "positions.csv", "account.csv")


@pytest.fixture(scope="module")
def paper(tmp_path_factory: pytest.TempPathFactory) -> Path:
    run_dir = tmp_path_factory.mktemp("paper") / "run"
    assert run_logos("trade", str(SESSION), "--run-dir", str(run_dir)) == 0
    return run_dir


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh))


def test_exits_of_every_kind_fill(paper: Path) -> None:
    orders = rows(paper / "orders.csv")
    filled = Counter(o["type"] for o in orders if o["status"] == "FILLED")
    # every entry arms a trailing stop (starting at the 0.2 % stop-loss) and a take-profit
    assert filled["trailing_stop"] >= 10 and filled["take_profit"] >= 10, filled
    legs = [o for o in orders if o["parent_id"]]
    assert {o["reduce_only"] for o in legs} == {"true"}
    by_id = {o["order_id"]: o for o in orders}
    for leg in legs:  # each leg sized to its entry's fill, on the other side
        entry = by_id[leg["parent_id"]]
        assert leg["side"] != entry["side"] and leg["qty"] == entry["filled_qty"]
    trailed = [o for o in legs if o["type"] == "trailing_stop" and o["status"] == "FILLED"]
    moved = [o for o in trailed if o["stop_price"] != _start_level(by_id[o["parent_id"]])]
    assert moved, "no trailing stop ever moved before it filled"
    exits = next(
        line for line in (paper / "session.md").read_text().splitlines() if "exits by kind" in line
    )
    kinds = dict(part.rsplit(" ", 1) for part in exits.split(" | ")[1].strip(" |").split(", "))
    assert int(kinds["trailing"]) == filled["trailing_stop"]
    assert int(kinds["take_profit"]) == filled["take_profit"]
    journal = [json.loads(line) for line in (paper / "state.jsonl").read_text().splitlines()]
    reasons = [r["data"]["reason"] for r in journal if r["type"] == "order"]
    assert any(r.startswith("trailing stop moved to ") for r in reasons)
    assert any(r.startswith("one-cancels-other: ") for r in reasons)


def _start_level(entry: dict[str, str]) -> str:
    """Where a long's stop leg starts: 0.2 % under the entry's fill, rounded up to the
    0.1 tick of the series (it has one decimal)."""
    from decimal import ROUND_CEILING, Decimal

    level = Decimal(entry["avg_fill_price"]) * Decimal("0.998")
    return str(level.quantize(Decimal("0.1"), rounding=ROUND_CEILING))


@pytest.mark.parametrize("signals", ["series", "--stepwise"])
def test_backtest_and_paper_session_give_the_same_orders_and_fills(
    paper: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], signals: str
) -> None:
    out = tmp_path / "backtest"
    argv = ["backtest", str(SESSION), "--set", "mode=backtest", "--out", str(out)]
    code, _, err = run_cli(capsys, *argv, *([signals] if signals == "--stepwise" else []))
    assert code == 0, err
    for name in ARTIFACTS:
        assert (out / name).read_bytes() == (paper / name).read_bytes(), name


def test_killed_with_legs_working_resumes_to_the_same_artifacts(
    paper: Path, tmp_path: Path
) -> None:
    journal = [json.loads(line) for line in (paper / "state.jsonl").read_text().splitlines()]
    amended = [
        r["seq"]
        for r in journal
        if r["type"] == "order" and r["data"]["old"] == r["data"]["new"] == "ACCEPTED"
    ]
    points = [amended[len(amended) // 3], amended[2 * len(amended) // 3] + 1, len(journal) // 2]
    for k in points:
        run_dir = tmp_path / f"killed-{k}"
        start = ("trade", str(SESSION), "--run-dir", str(run_dir), "--snapshot-every", "500")
        assert run_logos(*start, kill_after=k) == -9
        assert run_logos("trade", "--resume", str(run_dir)) == 0
        for name in ARTIFACTS:
            assert (run_dir / name).read_bytes() == (paper / name).read_bytes(), (k, name)
        shutil.rmtree(run_dir)
