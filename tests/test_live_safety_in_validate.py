"""``logos validate`` runs the live-safety rules on a live config (all but the command line's
``--live``) and lists every failed one; a dry-run config needs a venue broker."""

from __future__ import annotations

from pathlib import Path

from cli_run import run_cli
from test_trade_modes_live import KEYS, LIVE_CONFIG

ROOT = Path(__file__).resolve().parent.parent


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "live.toml"
    path.write_text(text)
    return path


def test_a_live_config_meeting_every_rule(capsys, tmp_path, monkeypatch):
    for name, value in KEYS.items():
        monkeypatch.setenv(name, value)
    path = write(tmp_path, LIVE_CONFIG)
    code, out, err = run_cli(capsys, "validate", str(path))
    assert (code, err) == (0, "")
    assert f"live-safety rules hold; `logos trade --live {path}` starts it" in " ".join(out.split())


def test_a_live_config_breaking_rules_lists_them_all(capsys, tmp_path, monkeypatch):
    for name in KEYS:
        monkeypatch.delenv(name, raising=False)
    text = LIVE_CONFIG.replace('[[risk]]\nname = "kill_switch"\n', "")
    code, out, err = run_cli(capsys, "validate", str(write(tmp_path, text)))
    assert code == 1 and out == ""
    assert err.startswith("error: 3 problem(s) in ")
    assert '[kill-switch] risk: no kill_switch guard; add [[risk]] name = "kill_switch"' in err
    assert (
        "[credentials] broker 'alpaca': not set: key (environment variable APCA_API_KEY_ID)" in err
    )
    assert "[live-flag]" not in err  # the command line's rule: logos trade --live checks it


def test_a_dry_run_config_with_a_venue_broker_is_valid(capsys):
    code, out, err = run_cli(capsys, "validate", str(ROOT / "examples/nvda_alpaca_dry_run.toml"))
    assert (code, err) == (0, "")
    assert "mode dry_run" in out and "broker alpaca" in out
