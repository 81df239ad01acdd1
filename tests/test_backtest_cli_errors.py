"""`logos backtest` turns every bad input into one readable error (exit 1, no traceback)."""

from __future__ import annotations

from pathlib import Path

import pytest

import logos
from logos.cli import main

DATA = Path(logos.__file__).parent / "data" / "btcusdt-perp-1m.csv"
GOOD = {
    "--data": str(DATA),
    "--symbol": "BTC/USDT:USDT",
    "--strategy": "sma_cross",
    "--sizing": "fixed_qty",
    "--qty": "1",
}


def _fail(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    with pytest.raises(SystemExit) as exc:
        main(["backtest", *argv])
    err = capsys.readouterr().err
    assert exc.value.code == 1, err
    assert err.startswith("error:")
    assert "Traceback" not in err
    return " ".join(err.split())


def _flags(tmp_path: Path, **changes: str) -> list[str]:
    flags = {**GOOD, **{f"--{k.replace('_', '-')}": v for k, v in changes.items()}}
    argv = [item for pair in flags.items() for item in pair]
    return [*argv, "--out", str(tmp_path / "out")]


def test_nothing_given_names_the_missing_flags(capsys: pytest.CaptureFixture[str]) -> None:
    err = _fail(capsys)
    assert "--data" in err and "--symbol" in err and "--strategy" in err


def test_missing_data_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    err = _fail(capsys, *_flags(tmp_path, data=str(tmp_path / "nope.csv")))
    assert "nope.csv" in err


def test_unknown_strategy(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    err = _fail(capsys, *_flags(tmp_path, strategy="moon_shot"))
    assert "strategy.name" in err and "moon_shot" in err


def test_bad_strategy_param(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    err = _fail(capsys, *_flags(tmp_path), "--param", "fast=0")
    assert "strategy.params.fast" in err


def test_param_without_value(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    err = _fail(capsys, *_flags(tmp_path), "--param", "fast")
    assert "key=value" in err


def test_negative_qty(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    err = _fail(capsys, *_flags(tmp_path, qty="-1"))
    assert "sizing.params.qty" in err


def test_fee_not_a_number(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    err = _fail(capsys, *_flags(tmp_path, fee_bps="ten"))
    assert "broker.params.fee_bps" in err


def test_unknown_sizing_rule(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    err = _fail(capsys, *_flags(tmp_path, sizing="martingale"))
    assert "martingale" in err


def test_symbol_without_metadata(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    err = _fail(capsys, *_flags(tmp_path, symbol="DOGE/USDT"))
    assert "DOGE/USDT" in err and "metadata" in err


def test_bad_bar_names_file_and_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bars = tmp_path / "bad.csv"
    bars.write_text(
        "timestamp,open,high,low,close,volume\n"
        "2024-01-01T00:00:00Z,10,11,9,10,5\n"
        "2024-01-01T00:01:00Z,10,9,11,10,5\n"
    )
    err = _fail(capsys, *_flags(tmp_path, data=str(bars), symbol="X"))
    assert "bad.csv" in err and "3" in err and "low" in err


def test_config_file_not_found(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    err = _fail(capsys, str(tmp_path / "missing.toml"))
    assert "missing.toml" in err and "not found" in err


def test_config_in_another_mode(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    config = tmp_path / "live.toml"
    config.write_text(
        'mode = "live"\nsymbols = ["X"]\n[feed]\nname = "replay"\n'
        f'params = {{ path = "{DATA}" }}\n[strategy]\nname = "sma_cross"\n'
    )
    err = _fail(capsys, str(config))
    assert "mode" in err and "live" in err


def test_qty_alone_selects_fixed_qty(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    argv = [a for a in _flags(tmp_path, qty="-1") if a not in ("--sizing", "fixed_qty")]
    err = _fail(capsys, *argv)
    assert "sizing.params.qty" in err and "sizing.name" not in err


def test_data_without_bars(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bars = tmp_path / "empty.csv"
    bars.write_text("timestamp,open,high,low,close,volume\n")
    err = _fail(capsys, *_flags(tmp_path, data=str(bars), symbol="X"))
    assert "empty.csv" in err and "no bars" in err
