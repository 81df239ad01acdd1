"""``logos validate`` fails where ``logos backtest`` would: a missing data file, a symbol
with no file, a symbol listed twice; a mode no command runs yet is a warning."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_run import run_cli

DATA = Path(__file__).resolve().parents[1] / "logos" / "data" / "btcusdt-perp-1m.csv"


run = run_cli


def config(tmp_path: Path, path: str, symbols: str = '["BTC/USDT:USDT"]', mode: str = "") -> Path:
    file = tmp_path / "run.toml"
    file.write_text(
        f'{mode}symbols = {symbols}\n[feed]\nname = "replay"\nparams = {{ path = "{path}" }}\n'
        '[strategy]\nname = "sma_cross"\n'
    )
    return file


def test_a_good_config_is_ok_without_warning(capsys, tmp_path):
    code, out, err = run(capsys, "validate", str(config(tmp_path, str(DATA))))
    assert (code, err) == (0, "")
    assert out.startswith("ok: ")


def test_a_missing_data_file_relative_to_the_config_is_named(capsys, tmp_path):
    path = config(tmp_path, "bars.csv")
    code, out, err = run(capsys, "validate", str(path))
    assert code == 1 and out == ""
    assert f"feed.params.path: {tmp_path / 'bars.csv'}: no such file or folder" in err
    (tmp_path / "bars.csv").write_text(DATA.read_text())
    assert run(capsys, "validate", str(path))[0] == 0  # relative to the config, as backtest


def test_a_folder_without_a_file_for_a_symbol_is_named(capsys, tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "BTC_USDT_USDT.csv").write_text(DATA.read_text())
    path = config(tmp_path, "data", symbols='["BTC/USDT:USDT", "ETH/USDT"]')
    code, _, err = run(capsys, "validate", str(path))
    assert code == 1
    assert "feed.params.path: " in err and "no bar file for symbol 'ETH/USDT'" in err
    assert "no bar file for symbol 'BTC/USDT:USDT'" not in err


def test_a_symbol_listed_twice_is_refused(capsys, tmp_path):
    path = config(tmp_path, str(DATA), symbols='["BTC/USDT:USDT", "BTC/USDT:USDT"]')
    code, _, err = run(capsys, "validate", str(path))
    assert code == 1
    assert "symbols[1]: 'BTC/USDT:USDT' is already listed at symbols[0]" in err
    code, _, err = run(capsys, "backtest", str(path), "--out", str(tmp_path / "run"))
    assert code == 1 and "is already listed at symbols[0]" in err


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("dry_run", "broker.name: mode dry_run needs a venue broker (alpaca, ccxt)"),
        ("live", "[live-broker] broker.name: broker 'paper' does not trade live"),
    ],
)
def test_a_venue_mode_with_the_paper_broker_is_refused(capsys, tmp_path, mode, message):
    path = config(tmp_path, str(DATA), mode=f'mode = "{mode}"\n')
    code, out, err = run(capsys, "validate", str(path))
    assert code == 1 and out == ""
    assert message in err


def test_a_paper_config_is_valid_without_a_warning(capsys, tmp_path):
    path = config(tmp_path, str(DATA), mode='mode = "paper"\n')
    code, out, err = run(capsys, "validate", str(path))
    assert code == 0 and "mode paper" in out and err == ""
