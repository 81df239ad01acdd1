"""``logos trade --live``: refused unless every live-safety rule holds (all failures listed,
nothing written); started only on a venue account whose open orders match; then every
order is journaled, made durable and only then sent. Alpaca's ``TradingClient`` is faked
at its method boundary (alpaca-py's real models), so nothing leaves the machine."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_run import run_cli
from logos_alpaca.assets import load_assets
from logos_alpaca.testing import FakeTradingClient

ROOT = Path(__file__).resolve().parent.parent
ASSETS = ROOT / "examples" / "alpaca_assets.json"
KEYS = {"APCA_API_KEY_ID": "PKLIVETESTKEY7", "APCA_API_SECRET_KEY": "live-test-secret-8c1f"}

LIVE_CONFIG = f"""
mode = "live"
session_id = "nvda_live"
symbols = ["NVDA"]
timeframe = "1d"

[feed]
name = "replay"
params = {{ path = "{ROOT / "logos/data/nvda-1d.csv"}" }}

[broker]
name = "alpaca"
params = {{ assets_file = "{ASSETS}", allow_short = true }}

[strategy]
name = "rsi_reversion"
params = {{ period = 14, lower = 30.0, upper = 70.0 }}

[sizing]
name = "fixed_qty"
params = {{ qty = "10" }}

[[risk]]
name = "max_order_notional"
params = {{ limit = "5000" }}

[[risk]]
name = "max_position_notional"
params = {{ limit = "20000" }}

[[risk]]
name = "max_drawdown"
params = {{ limit = "0.2" }}

[[risk]]
name = "kill_switch"
"""


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "live.toml"
    path.write_text(LIVE_CONFIG)
    return path


@pytest.fixture
def venue(monkeypatch) -> FakeTradingClient:
    """The fake Alpaca every live session here talks to; records the keys it was made with."""
    client = FakeTradingClient(load_assets(ASSETS))
    client.made_with = []

    def make_client(credentials, paper):
        client.made_with.append((dict(credentials), paper))
        return client

    monkeypatch.setattr("logos_alpaca.broker.make_client", make_client)
    return client


@pytest.fixture
def keys(monkeypatch) -> None:
    for name, value in KEYS.items():
        monkeypatch.setenv(name, value)


def test_a_live_config_without_the_flag_and_keys_is_refused_listing_every_rule(
    capsys, tmp_path, config, venue, monkeypatch
):
    for name in KEYS:
        monkeypatch.delenv(name, raising=False)
    run_dir = tmp_path / "run"
    code, _, err = run_cli(capsys, "trade", str(config), "--run-dir", str(run_dir))
    assert code == 1
    assert "[live-flag] give --live on the command line" in err
    assert (
        "[credentials] broker 'alpaca': not set: key (environment variable APCA_API_KEY_ID), "
        "secret (environment variable APCA_API_SECRET_KEY)" in err
    )
    assert "a live run needs every rule to hold (docs/safety.md)" in err
    assert not run_dir.exists() and venue.calls == []


def test_live_flag_on_a_paper_config_is_refused(capsys, tmp_path, keys, venue):
    run_dir = tmp_path / "run"
    paper = str(ROOT / "examples" / "sma_cross_paper.toml")
    code, _, err = run_cli(capsys, "trade", paper, "--live", "--run-dir", str(run_dir))
    assert code == 1
    assert '[live-mode] mode: the config says mode = "paper"' in err
    assert "[live-broker] broker.name: broker 'paper' does not trade live" in err
    assert not run_dir.exists()


def test_a_live_start_on_an_account_with_unknown_open_orders_is_refused(
    capsys, tmp_path, config, keys, venue
):
    venue.add_order(
        {
            "client_order_id": "placed-by-hand",
            "symbol": "NVDA",
            "qty": 3,
            "type": "market",
            "side": "buy",
            "time_in_force": "day",
        }
    )
    run_dir = tmp_path / "run"
    code, _, err = run_cli(capsys, "trade", str(config), "--live", "--run-dir", str(run_dir))
    assert code == 1
    assert (
        "the venue does not match a new session (1 difference(s): placed-by-hand: open at " in err
    )
    assert "nothing was started" in err
    assert not run_dir.exists()
    assert [name for name, _ in venue.calls if name == "submit_order"] == []


def test_a_live_session_journals_each_order_before_sending_it(
    capsys, tmp_path, config, keys, venue
):
    run_dir = tmp_path / "run"
    code, out, err = run_cli(
        capsys, "trade", str(config), "--live", "--run-dir", str(run_dir), "--max-bars", "120"
    )
    assert code == 0, err
    assert "live session" in out
    assert venue.made_with == [
        ({"key": KEYS["APCA_API_KEY_ID"], "secret": KEYS["APCA_API_SECRET_KEY"]}, True)
    ]
    journal = [json.loads(line) for line in (run_dir / "state.jsonl").read_text().splitlines()]
    sent = [r["data"] for r in journal if r["type"] == "venue_request"]
    assert sent and all(r["sent"] is True for r in sent)
    submitted = [arg for name, arg in venue.calls if name == "submit_order"]
    assert [r["request"] for r in sent] == [json.loads(json.dumps(s)) for s in submitted]
    # the venue has every order the journal has, under the same client order ids
    assert sorted(venue.orders) == sorted(r["client_order_id"] for r in sent)


def test_a_live_session_resumes_only_with_live_again(capsys, tmp_path, config, keys, venue):
    run_dir = tmp_path / "run"
    argv = ["trade", str(config), "--live", "--run-dir", str(run_dir), "--max-bars", "60"]
    code, _, err = run_cli(capsys, *argv)
    assert code == 0, err
    journal = (run_dir / "state.jsonl").read_bytes()
    code, _, err = run_cli(capsys, "trade", "--resume", str(run_dir))
    assert code == 1
    assert "[live-flag] give --live on the command line" in err
    assert (run_dir / "state.jsonl").read_bytes() == journal  # refused: nothing changed
    code, out, err = run_cli(
        capsys, "trade", "--resume", str(run_dir), "--live", "--max-bars", "30"
    )
    assert code == 0, err
    assert "live session" in out and "restarts: 1" in out
