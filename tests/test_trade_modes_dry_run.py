"""``logos trade --dry-run`` (or mode dry_run in the config): the venue broker builds every
order as it would send it, journals it as a ``venue_request``, sends nothing, and the fill is
simulated; offline, end to end, on the replay feed."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from cli_run import run_cli

from logos.config import load_config
from logos.plugins import get_registry
from logos.session import build_session

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "nvda_alpaca_dry_run.toml"
PAPER = ROOT / "examples" / "nvda_rsi.toml"
ASSETS = ROOT / "examples" / "alpaca_assets.json"
KEYS = {"APCA_API_KEY_ID": "PKDRYRUNKEY42", "APCA_API_SECRET_KEY": "dry-run-secret-value"}


@pytest.fixture(autouse=True)
def nothing_can_be_sent(monkeypatch):
    """Keys are in the environment, and making an Alpaca client fails the test."""
    for name, value in KEYS.items():
        monkeypatch.setenv(name, value)

    def no_client(*args, **kwargs):
        raise AssertionError("a dry run made an Alpaca client")

    monkeypatch.setattr("logos_alpaca.broker.make_client", no_client)


def records(run_dir: Path) -> list[dict]:
    lines = (run_dir / "state.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines]


def test_a_dry_run_session_journals_what_it_would_send(capsys, tmp_path):
    run_dir = tmp_path / "run"
    code, out, err = run_cli(
        capsys, "trade", str(EXAMPLE), "--run-dir", str(run_dir), "--max-bars", "200"
    )
    assert code == 0, err
    assert "dry-run session" in out
    journal = records(run_dir)
    assert journal[0]["data"]["config"]["mode"] == "dry_run"
    requests = [r["data"] for r in journal if r["type"] == "venue_request"]
    assert requests, "no venue_request record"
    assert all(r["venue"] == "alpaca" and r["sent"] is False for r in requests)
    assert requests[0]["request"] == {
        "symbol": "NVDA",
        "qty": 10.0,
        "side": requests[0]["request"]["side"],
        "type": "market",
        "time_in_force": "gtc",
        "client_order_id": requests[0]["client_order_id"],
    }
    assert requests[0]["request"]["side"] in ("buy", "sell")
    # every order the broker saw was built first, and filled by the simulation
    with (run_dir / "orders.csv").open() as fh:
        orders = list(csv.DictReader(fh))
    assert sorted(r["client_order_id"] for r in requests) == sorted(
        o["client_order_id"] for o in orders
    )
    assert {o["status"] for o in orders} <= {"FILLED", "ACCEPTED"}
    with (run_dir / "trades.csv").open() as fh:
        assert len(list(csv.DictReader(fh))) >= 1


def test_the_request_comes_before_the_order_is_submitted(capsys, tmp_path):
    run_dir = tmp_path / "run"
    code, _, err = run_cli(
        capsys, "trade", str(EXAMPLE), "--run-dir", str(run_dir), "--max-bars", "120"
    )
    assert code == 0, err
    first_seen: dict[str, str] = {}
    for record in records(run_dir):
        if record["type"] == "venue_request":
            first_seen.setdefault(record["data"]["client_order_id"], "venue_request")
        elif record["type"] == "order":
            first_seen.setdefault(record["data"]["order"]["client_order_id"], "order")
    assert first_seen and set(first_seen.values()) == {"venue_request"}


def test_dry_run_flag_on_a_paper_config_with_a_venue_broker(capsys, tmp_path):
    run_dir = tmp_path / "run"
    code, _, err = run_cli(
        capsys,
        "trade",
        str(PAPER),
        "--dry-run",
        "--broker",
        "alpaca",
        "--set",
        f"broker.params.assets_file={ASSETS}",
        "--qty",
        "5",
        "--run-dir",
        str(run_dir),
        "--max-bars",
        "100",
    )
    assert code == 0, err
    journal = records(run_dir)
    assert journal[0]["data"]["config"]["mode"] == "dry_run"
    assert any(r["type"] == "venue_request" for r in journal)


def test_an_order_alpaca_would_refuse_is_rejected_in_the_dry_run(capsys, tmp_path):
    run_dir = tmp_path / "run"
    # 3/4 of a share, good till canceled: Alpaca takes fractional equity orders only as DAY
    code, _, err = run_cli(
        capsys,
        "trade",
        str(EXAMPLE),
        "--qty",
        "0.75",
        "--run-dir",
        str(run_dir),
        "--max-bars",
        "120",
    )
    assert code == 0, err
    with (run_dir / "orders.csv").open() as fh:
        orders = list(csv.DictReader(fh))
    assert orders and {o["status"] for o in orders} == {"REJECTED"}
    assert orders[0]["reason"].startswith(
        "venue_refused: alpaca: fractional equity orders (NVDA) must be time_in_force day"
    )
    assert not (run_dir / "trades.csv").read_text().strip().splitlines()[1:]


def test_a_dry_run_broker_is_built_without_credentials(tmp_path):
    validated = load_config(EXAMPLE, get_registry())
    session = build_session(validated, get_registry(), run_dir=tmp_path, environ=KEYS)
    broker = session.engine.broker
    assert (broker.name, broker.mode, broker.live) == ("alpaca", "dry_run", False)


def test_dry_run_with_the_paper_broker_is_refused_before_anything_is_written(capsys, tmp_path):
    run_dir = tmp_path / "run"
    code, _, err = run_cli(capsys, "trade", str(PAPER), "--dry-run", "--run-dir", str(run_dir))
    assert code == 1
    assert (
        "broker.name: mode dry_run needs a venue broker (alpaca, ccxt); 'paper' is a simulation"
        in err
    )
    assert not run_dir.exists()


def test_a_dry_run_session_resumes_in_dry_run(capsys, tmp_path):
    run_dir = tmp_path / "run"
    code, _, err = run_cli(
        capsys, "trade", str(EXAMPLE), "--run-dir", str(run_dir), "--max-bars", "60"
    )
    assert code == 0, err
    code, out, err = run_cli(capsys, "trade", "--resume", str(run_dir), "--max-bars", "60")
    assert code == 0, err
    assert "dry-run session" in out
    assert sum(r["type"] == "restart" for r in records(run_dir)) == 1


def test_dry_run_flag_previews_a_live_config_without_any_key(capsys, tmp_path, monkeypatch):
    from test_trade_modes_live import LIVE_CONFIG

    for name in KEYS:
        monkeypatch.delenv(name)
    config = tmp_path / "live.toml"
    config.write_text(LIVE_CONFIG)
    run_dir = tmp_path / "run"
    argv = ["trade", str(config), "--dry-run", "--run-dir", str(run_dir), "--max-bars", "80"]
    code, out, err = run_cli(capsys, *argv)
    assert code == 0, err
    assert "dry-run session" in out
    journal = records(run_dir)
    assert journal[0]["data"]["config"]["mode"] == "dry_run"
    assert all(r["data"]["sent"] is False for r in journal if r["type"] == "venue_request")
