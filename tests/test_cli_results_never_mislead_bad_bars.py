"""Skipped bad bars are counted and listed in session.md (not shown as gaps), a cell that is
not a number is skippable like any bad bar, and weekends and holidays of daily equity bars
are expected closures, apart from the real gaps."""

from __future__ import annotations

from pathlib import Path

import pytest

import logos
from logos.cli import main
from logos.feeds import ReplayFeed

DATA = Path(logos.__file__).parent / "data"
HEADER = "timestamp,open,high,low,close,volume\n"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    try:
        main(list(argv))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, " ".join(capsys.readouterr().err.split())


def minutes(*rows: str) -> str:
    return HEADER + "".join(f"2024-01-01T00:{m:02d}:00Z,{row}\n" for m, row in enumerate(rows))


def test_skipped_bad_bars_are_counted_and_listed_not_gaps(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "bars.csv"
    good = "10,12,9,11,100"
    path.write_text(minutes(good, good, "10,12,9,eleven,100", good, "10,9,12,11,1", good))
    out = tmp_path / "o"
    code, err = run(
        capsys, "backtest", "--data", str(path), "--symbol", "X", "--strategy", "buy_and_hold",
        "--qty", "1", "--set", "feed.params.on_bad_bar=skip", "--timeframe", "1m",
        "--out", str(out), "--no-progress",
    )  # fmt: skip
    assert code == 0, err
    assert '2 bad bar(s) skipped (on_bad_bar = "skip")' in err
    text = (out / "session.md").read_text()
    assert (
        "| bad bars skipped | 2 (1 missing, non-numeric or infinite value, 1 high below low) |"
        in text
    )
    assert f"- {path}, line 4: missing value (NaN) in close" in text
    assert f"- {path}, line 6: high 9.0 is below low 12.0" in text
    assert "| gaps | 0 (0 bars missing) |" in text
    assert "| bars | 4 |" in text


def test_a_cell_that_is_not_a_number_still_rejects_the_file_by_default(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "bars.csv"
    path.write_text(minutes("10,12,9,11,100", "10,12,9,eleven,100"))
    code, err = run(
        capsys, "backtest", "--data", str(path), "--symbol", "X", "--strategy", "buy_and_hold",
        "--qty", "1", "--out", str(tmp_path / "o"), "--no-progress",
    )  # fmt: skip
    assert code == 1
    assert "line 3" in err and "'eleven' is not a number" in err


def test_weekends_and_holidays_of_daily_equity_bars_are_expected_closures(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "o"
    code, err = run(
        capsys, "backtest", "--data", str(DATA / "nvda-1d.csv"), "--symbol", "NVDA",
        "--strategy", "rsi_reversion", "--qty", "1", "--out", str(out), "--no-progress",
    )  # fmt: skip
    assert code == 0, err
    text = (out / "session.md").read_text()
    # the real gaps: after 9/11 (Sep 11-14, 2001), New Year 2007 with the national day of
    # mourning for President Ford (Jan 1-2), hurricane Sandy (Oct 29-30, 2012)
    assert "| gaps | 3 (14 bars missing) |" in text
    assert "| expected closures (weekends, holidays: not gaps) |" in text


def test_a_missing_weekend_is_a_gap_when_the_market_trades_at_weekends(tmp_path: Path) -> None:
    path = tmp_path / "coin.csv"
    days = ["2024-01-04", "2024-01-05", "2024-01-08", "2024-01-09", "2024-01-13", "2024-01-14"]
    path.write_text(HEADER + "".join(f"{d}T00:00:00Z,1,2,1,1,5\n" for d in days))
    feed = ReplayFeed(path=str(path))
    feed.load_frames(["BTC"], "1d")
    # bars on Saturday 13 and Sunday 14: the market trades every day, so 6-7 and 10-12 are gaps
    assert [(g.after.day, g.before.day, g.missing) for g in feed.report.gaps] == [
        (5, 8, 2),
        (9, 13, 3),
    ]
    assert feed.report.closures == []


def test_a_one_day_holiday_is_a_closure_and_a_week_missing_is_a_gap(tmp_path: Path) -> None:
    path = tmp_path / "spy.csv"
    # Mon 15 Jan 2024 (a holiday) missing; then the whole week of 22-26 Jan missing
    days = ["2024-01-11", "2024-01-12", "2024-01-16", "2024-01-17", "2024-01-18", "2024-01-19"]
    days += ["2024-01-29", "2024-01-30"]
    path.write_text(HEADER + "".join(f"{d}T00:00:00Z,1,2,1,1,5\n" for d in days))
    feed = ReplayFeed(path=str(path))
    feed.load_frames(["SPY"], "1d")
    assert [(g.after.day, g.before.day) for g in feed.report.closures] == [(12, 16)]
    assert [(g.after.day, g.before.day, g.missing) for g in feed.report.gaps] == [(19, 29, 9)]
