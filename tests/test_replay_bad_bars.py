"""Every bad-bar kind: the message that rejects the file, and the count when skipped."""

from __future__ import annotations

from pathlib import Path

import pytest

from logos.errors import DataError
from logos.feeds import ReplayFeed

HEADER = "timestamp,open,high,low,close,volume\n"
GOOD_1 = "2024-01-01T00:00:00Z,10,12,9,11,100\n"
GOOD_3 = "2024-01-01T00:02:00Z,10,12,9,11,100\n"

NAN_IN_CLOSE = r"missing value \(NaN\) in close"
CASES = [
    ("2024-01-01T00:01:00Z,10,12,9,,100", "missing, non-numeric or infinite value", NAN_IN_CLOSE),
    (
        "2024-01-01T00:01:00Z,10,12,9,nan,100",
        "missing, non-numeric or infinite value",
        NAN_IN_CLOSE,
    ),
    (
        "2024-01-01T00:01:00Z,10,inf,9,11,100",
        "missing, non-numeric or infinite value",
        "infinite value in high",
    ),
    ("2024-01-01T00:01:00Z,10,12,0,11,100", "non-positive price", "non-positive price: low=0.0"),
    (
        "2024-01-01T00:01:00Z,-1,12,-2,11,100",
        "non-positive price",
        "non-positive price: open=-1.0, low=-2.0",
    ),
    ("2024-01-01T00:01:00Z,10,9,12,11,100", "high below low", "high 9.0 is below low 12.0"),
    (
        "2024-01-01T00:01:00Z,13,12,9,11,100",
        "open outside [low, high]",
        r"open 13.0 is outside \[low, high\] = \[9.0, 12.0\]",
    ),
    (
        "2024-01-01T00:01:00Z,10,12,9,8.5,100",
        "close outside [low, high]",
        r"close 8.5 is outside \[low, high\] = \[9.0, 12.0\]",
    ),
    ("2024-01-01T00:01:00Z,10,12,9,11,-5", "negative volume", "negative volume -5.0"),
    (
        "2024-01-01T00:00:00Z,10,12,9,11,100",
        "duplicate timestamp",
        r"duplicate timestamp 2024-01-01T00:00:00Z \(first at .*bad.csv, line 2\)",
    ),
    (
        "2023-12-31T23:59:00Z,10,12,9,11,100",
        "timestamp out of order",
        r"timestamp 2023-12-31T23:59:00Z is out of order: it comes after 2024-01-01T00:00:00Z "
        r"\(.*bad.csv, line 2\)",
    ),
    ("not-a-time,10,12,9,11,100", "missing timestamp", "missing or unreadable timestamp"),
]


@pytest.mark.parametrize(("row", "kind", "message"), CASES, ids=[c[1] + c[0][-8:] for c in CASES])
def test_bad_bar_rejects_the_file_naming_line_and_problem(
    tmp_path: Path, row: str, kind: str, message: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + GOOD_1 + row + "\n" + GOOD_3)
    with pytest.raises(DataError, match=rf"bad.csv, line 3: {message} \(1 bad bar\(s\) for X; set"):
        ReplayFeed(path=str(path)).load_frames(["X"])


@pytest.mark.parametrize(("row", "kind", "message"), CASES, ids=[c[1] + c[0][-8:] for c in CASES])
def test_bad_bar_is_skipped_and_counted_when_asked(
    tmp_path: Path, row: str, kind: str, message: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + GOOD_1 + row + "\n" + GOOD_3)
    feed = ReplayFeed(path=str(path), on_bad_bar="skip")
    feed.start(["X"], "1m")
    minutes = [bars[0].ts.minute for bars in feed.slices()]
    assert minutes == [0, 2]
    assert feed.report.skipped == {kind: 1}
    assert feed.health().bad_bars_skipped == 1
    assert [e.type for e in feed.drain_events()] == ["bad_bars_skipped", "gap"]


def test_first_bad_line_is_named_and_all_are_counted(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        HEADER
        + GOOD_1
        + "2024-01-01T00:01:00Z,10,12,9,11,-1\n"
        + "2024-01-01T00:02:00Z,10,9,12,11,1\n"
        + "2024-01-01T00:03:00Z,10,12,9,11,1\n"
    )
    with pytest.raises(DataError, match=r"line 3: negative volume -1.0 \(2 bad bar\(s\)"):
        ReplayFeed(path=str(path)).load_frames(["X"])
    feed = ReplayFeed(path=str(path), on_bad_bar="skip")
    assert len(feed.load_frames(["X"])["X"]) == 2
    assert feed.report.skipped == {"negative volume": 1, "high below low": 1}


def test_text_that_is_not_a_number_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + GOOD_1 + "2024-01-01T00:01:00Z,10,12,9,eleven,100\n")
    with pytest.raises(DataError, match=r"bad.csv, line 3: close 'eleven' is not a number"):
        ReplayFeed(path=str(path)).load_frames(["X"])


def test_blank_line_keeps_line_numbers_exact(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + GOOD_1 + "\n" + "2024-01-01T00:02:00Z,10,9,12,11,1\n")
    with pytest.raises(DataError, match=r"line 3: missing or unreadable timestamp"):
        ReplayFeed(path=str(path)).load_frames(["X"])


def test_blank_lines_at_the_end_of_the_file_are_not_bars(tmp_path: Path) -> None:
    path = tmp_path / "ok.csv"
    path.write_text(HEADER + GOOD_1 + GOOD_3 + "\n \n")
    frame = ReplayFeed(path=str(path)).load_frames(["X"])["X"]
    assert [ts.minute for ts in frame.index] == [0, 2]


def test_empty_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("")
    with pytest.raises(DataError, match=r"empty\.csv, line 1: empty file or missing header row"):
        ReplayFeed(path=str(path)).load_frames(["X"])


def test_row_with_too_many_fields_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + GOOD_1 + "2024-01-01T00:01:00Z,10,12,9,11,100,7\n")
    with pytest.raises(DataError, match=r"bad\.csv: not a readable CSV file \(.*line 3, saw 7\)$"):
        ReplayFeed(path=str(path)).load_frames(["X"])
