"""The run's timeframe is checked against the bars: a mismatch is one error naming the file
and both intervals (logos does not resample), and session.md names only the timeframe run."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_run import run_cli

import logos

DATA = Path(logos.__file__).parent / "data"
BTC = DATA / "btcusdt-perp-1m.csv"
NVDA = DATA / "nvda-1d.csv"
EXAMPLES = Path(logos.__file__).parent.parent / "examples"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    return run_cli(capsys, *argv, collapse_out=True)


def backtest(data: Path, symbol: str, out: Path, *extra: str) -> list[str]:
    return [
        "backtest", "--data", str(data), "--symbol", symbol, "--strategy", "sma_cross",
        "--qty", "1", "--out", str(out), "--no-progress", *extra,
    ]  # fmt: skip


def test_minute_bars_run_as_daily_are_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = run(capsys, *backtest(BTC, "BTC/USDT:USDT", tmp_path / "o", "--timeframe", "1d"))
    assert code == 1
    assert err.startswith("error:") and "Traceback" not in err
    assert str(BTC) in err
    assert "the bars are 1m apart but the run's timeframe is 1d" in err
    assert "logos does not resample" in err
    assert not (tmp_path / "o").exists()


def test_daily_bars_run_as_minutes_are_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = run(capsys, *backtest(NVDA, "NVDA", tmp_path / "o", "--timeframe", "1m"))
    assert code == 1
    assert str(NVDA) in err
    assert "the bars are 1d apart but the run's timeframe is 1m" in err
    assert not (tmp_path / "o").exists()


def test_a_feed_timeframe_that_disagrees_with_the_run_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = EXAMPLES / "sma_cross.toml"  # timeframe = "1m"
    code, _, err = run(
        capsys, "backtest", str(config), "--set", "feed.params.timeframe=5m",
        "--out", str(tmp_path / "o"), "--no-progress",
    )  # fmt: skip
    assert code == 1
    assert "btcusdt-perp-1m.csv" in err
    assert "the feed's timeframe 5m disagrees with the run's timeframe 1m" in err


def test_a_feed_timeframe_that_disagrees_with_the_data_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = run(
        capsys, *backtest(NVDA, "NVDA", tmp_path / "o", "--set", "feed.params.timeframe=1h")
    )
    assert code == 1
    assert "the bars are 1d apart but the feed's timeframe is 1h" in err


def test_a_file_mixing_epoch_seconds_and_milliseconds_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "mixed.csv"
    path.write_text(
        "timestamp,open,high,low,close,volume\n"
        "1704067200,1,2,1,1,5\n"  # 2024-01-01T00:00:00Z in seconds
        "1704067260000,1,2,1,1,5\n"  # the next minute in milliseconds
    )
    code, _, err = run(capsys, *backtest(path, "X", tmp_path / "o"))
    assert code == 1
    assert f"{path}: numeric timestamps mix units" in err
    assert "1704067200 reads as s but 1704067260000 as ms" in err


def test_sparse_bars_of_an_illiquid_symbol_are_bars_of_the_timeframe_with_gaps(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    rows = ["00:00", "00:01", "00:05", "00:09", "00:10", "00:30"]
    path = tmp_path / "thin.csv"
    path.write_text(
        "timestamp,open,high,low,close,volume\n"
        + "".join(f"2024-01-01T{hm}:00Z,1,2,1,1,5\n" for hm in rows)
    )
    code, _, err = run(capsys, *backtest(path, "X", tmp_path / "o", "--timeframe", "1m"))
    assert code == 0, err
    text = (tmp_path / "o" / "session.md").read_text()
    assert "| timeframe | 1m |" in text
    assert "| gaps | 3 (25 bars missing) |" in text  # 3 + 3 + 19


def test_session_md_labels_the_timeframe_taken_from_the_data(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = run(capsys, *backtest(NVDA, "NVDA", tmp_path / "o"))
    assert code == 0, err
    text = (tmp_path / "o" / "session.md").read_text()
    assert "| timeframe | 1d (from the data) |" in text
    assert "| timeframe | 1m" not in text
