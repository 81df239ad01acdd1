"""Credentials never reach a log line, a journal record, an artifact or an error message:
a live session runs with fake keys in the environment while the (fake) venue echoes them
back in its errors, and every file it wrote and everything it printed is searched."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_run import run_cli
from logos_alpaca.assets import load_assets
from logos_alpaca.testing import FakeTradingClient, api_error
from test_trade_modes_live import LIVE_CONFIG

from logos.credentials import redact

ROOT = Path(__file__).resolve().parent.parent
ASSETS = ROOT / "examples" / "alpaca_assets.json"
KEY, SECRET = "PKREDACTME0042", "redact-me-secret-5e9d"


@pytest.fixture
def venue(monkeypatch) -> FakeTradingClient:
    monkeypatch.setenv("APCA_API_KEY_ID", KEY)
    monkeypatch.setenv("APCA_API_SECRET_KEY", SECRET)
    client = FakeTradingClient(load_assets(ASSETS))
    monkeypatch.setattr("logos_alpaca.broker.make_client", lambda credentials, paper: client)
    return client


def leaks(run_dir: Path, *printed: str) -> list[str]:
    """Where either key appears: file names under ``run_dir``, or ``printed[i]``."""
    found = [str(p) for p in run_dir.rglob("*") if p.is_file() and _holds(p.read_bytes())]
    found += [f"output {i}" for i, text in enumerate(printed) if _holds(text.encode())]
    return found


def _holds(data: bytes) -> bool:
    return KEY.encode() in data or SECRET.encode() in data


def test_a_venue_echoing_the_keys_leaks_them_nowhere(capsys, tmp_path, venue):
    config = tmp_path / "live.toml"
    config.write_text(LIVE_CONFIG)
    run_dir = tmp_path / "run"
    venue.fail["submit_order"] = [
        api_error(422, f"order refused for key {KEY} (secret {SECRET})"),
        api_error(401, f"key {KEY} with secret {SECRET} is not authorized"),
    ]
    code, out, err = run_cli(
        capsys, "trade", str(config), "--live", "--run-dir", str(run_dir), "--max-bars", "200"
    )
    # the second error (bad keys) stops the session, with an error message
    assert code == 1
    assert "not authorized" in err and "***" in err
    journal = (run_dir / "state.jsonl").read_text()
    assert "order refused for key *** (secret ***)" in journal  # the echo was there, masked
    assert (run_dir / "logos.log").is_file()
    assert leaks(run_dir, out, err) == []


def test_redact_masks_every_credential_read_from_the_environment():
    from logos.credentials import read_credentials

    values = read_credentials(
        {"key": "T_KEY", "secret": "T_SECRET"}, {"T_KEY": "abcd-key-1", "T_SECRET": "s-9876"}
    )
    assert values == {"key": "abcd-key-1", "secret": "s-9876"}
    assert redact("sent abcd-key-1 and s-9876 twice: s-9876") == "sent *** and *** twice: ***"
