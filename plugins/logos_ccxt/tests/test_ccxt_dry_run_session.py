"""``logos trade`` in dry-run mode with broker ``ccxt``, offline end to end: the example
config replays binance BTC/USDT:USDT minutes, and every order is journaled as the
``create_order`` call ccxt would make (with binance's raw request body), never sent, then
filled as on paper. Making a ccxt exchange with credentials, or any HTTP call, fails the test.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import ccxt
import pytest

from logos.cli import main

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "examples" / "btcusdt_ccxt_dry_run.toml"


@pytest.fixture(autouse=True)
def nothing_can_be_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOGOS_CCXT_BINANCE_API_KEY", "env-key-that-must-not-be-used")
    monkeypatch.setenv("LOGOS_CCXT_BINANCE_SECRET", "env-secret-that-must-not-be-used")

    def no_http(self: Any, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a dry run made an HTTP request")

    monkeypatch.setattr(ccxt.Exchange, "fetch", no_http)


def trade(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    try:
        main(list(argv))
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    return code, capsys.readouterr().err


def run(capsys: pytest.CaptureFixture[str], run_dir: Path, bars: int = 240) -> tuple[int, str]:
    return trade(capsys, "trade", str(EXAMPLE), "--run-dir", str(run_dir), "--max-bars", str(bars))


def journal(run_dir: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (run_dir / "state.jsonl").read_text().splitlines()]


def test_every_order_is_journaled_as_the_request_it_would_be(capsys, tmp_path) -> None:
    run_dir = tmp_path / "run"
    code, err = run(capsys, run_dir)
    assert code == 0, err
    records = journal(run_dir)
    requests = [r["data"] for r in records if r["type"] == "venue_request"]
    created = [r["data"] for r in records if r["type"] == "order" and r["data"]["old"] is None]
    assert len(requests) == len(created) >= 4
    assert [r["client_order_id"] for r in requests] == [o["client_order_id"] for o in created]
    for record in requests:
        assert record["venue"] == "binance" and record["sent"] is False
        request = record["request"]
        assert request["symbol"] == "BTC/USDT:USDT" and request["amount"] == "0.01"
        assert request["raw"]["symbol"] == "BTCUSDT" and request["raw"]["quantity"] == "0.01"
        assert request["raw"]["newClientOrderId"] == record["client_order_id"]
    fills = [r for r in records if r["type"] == "fill"]
    assert len(fills) == len(created)
    text = "".join(p.read_text(errors="replace") for p in run_dir.iterdir() if p.is_file())
    assert "must-not-be-used" not in text


def test_a_resumed_dry_run_ends_as_the_uninterrupted_one(capsys, tmp_path) -> None:
    whole, parts = tmp_path / "whole", tmp_path / "parts"
    assert run(capsys, whole)[0] == 0
    assert run(capsys, parts, bars=120)[0] == 0
    code, err = trade(capsys, "trade", "--resume", str(parts), "--max-bars", "120")
    assert code == 0, err
    for artifact in ("orders.csv", "trades.csv", "account.csv", "positions.csv"):
        assert (whole / artifact).read_bytes() == (parts / artifact).read_bytes(), artifact

    def requests(run_dir: Path) -> list[tuple[str, dict[str, Any]]]:
        return [(r["ts"], r["data"]) for r in journal(run_dir) if r["type"] == "venue_request"]

    assert requests(parts) == requests(whole) != []  # none lost, none recorded twice
