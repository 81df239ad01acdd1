"""The replay feed: a timestamp outside what nanoseconds hold (before 1677-09-21 or
after 2262-04-11, e.g. a mistyped year or epoch seconds read as the wrong unit) is a bad bar
named by file and line and said to be outside pandas' range, not an OutOfBoundsDatetime
from pandas nor "missing or unreadable"."""

from __future__ import annotations

from pathlib import Path

import pytest

from logos.errors import DataError
from logos.feeds.replay import ReplayFeed

HEADER = "timestamp,open,high,low,close,volume\n"


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "bars.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def test_a_year_beyond_2262_is_rejected_with_its_line(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "2024-01-01T00:00:00Z,1,2,1,1,5\n2300-01-01T00:00:00Z,1,2,1,1,5\n",
    )
    with pytest.raises(DataError) as caught:
        ReplayFeed(path=str(path)).load_frames()
    assert str(caught.value) == (
        f"{path}, line 3: timestamp outside the range pandas can hold "
        "(1677-09-21 to 2262-04-11): a mistyped year, or epoch numbers in another unit "
        "(the feed's epoch_unit) (1 bad bar(s) for bars; "
        'set on_bad_bar = "skip" to skip them)'
    )


def test_a_year_before_1677_is_skipped_and_counted(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "1600-01-01T00:00:00Z,1,2,1,1,5\n2024-01-01T00:00:00Z,1,2,1,1.5,5\n",
    )
    feed = ReplayFeed(path=str(path), on_bad_bar="skip")
    frames = feed.load_frames()
    assert feed.report.skipped == {"missing timestamp": 1}
    assert [str(ts) for ts in frames["bars"].index] == ["2024-01-01 00:00:00+00:00"]
    assert frames["bars"]["close"].tolist() == [1.5]


def test_epoch_milliseconds_read_as_seconds_name_the_first_line(tmp_path: Path) -> None:
    # 1700000000000 s is the year 55840: every row is unreadable as seconds.
    path = _write(tmp_path, "1700000000000,1,2,1,1,5\n1700000060000,1,2,1,1,5\n")
    with pytest.raises(DataError) as caught:
        ReplayFeed(path=str(path), epoch_unit="s").load_frames()
    assert str(caught.value) == (
        f"{path}, line 2: timestamp outside the range pandas can hold "
        "(1677-09-21 to 2262-04-11): a mistyped year, or epoch numbers in another unit "
        "(the feed's epoch_unit) (2 bad bar(s) for bars; "
        'set on_bad_bar = "skip" to skip them)'
    )


def test_an_epoch_beyond_int64_nanoseconds_is_a_bad_bar(tmp_path: Path) -> None:
    # 1e20 makes the file's unit nanoseconds (largest value), and 1e20 ns is past 2262.
    path = _write(tmp_path, "1700000000000,1,2,1,1,5\n100000000000000000000,1,2,1,1,5\n")
    feed = ReplayFeed(path=str(path), on_bad_bar="skip")
    frames = feed.load_frames()
    assert feed.report.skipped == {"missing timestamp": 1}
    # 1700000000000 ns after the epoch is 1970-01-01T00:28:20Z
    assert [str(ts) for ts in frames["bars"].index] == ["1970-01-01 00:28:20+00:00"]


def test_a_byte_that_is_not_utf8_after_the_header_is_a_readable_error(tmp_path: Path) -> None:
    # The header line is fine; reading it must not decode the rest of the file.
    path = tmp_path / "bars.csv"
    path.write_bytes(HEADER.encode() + b"2024-01-01T00:00:00Z,1,2,1,1,5\xff\n")
    with pytest.raises(DataError) as caught:
        ReplayFeed(path=str(path)).load_frames()
    assert str(caught.value) == (
        f"{path}, line 2: byte 0xff (column 31) is not UTF-8 text; save the file as UTF-8"
    )


def test_a_column_given_twice_is_named(tmp_path: Path) -> None:
    path = tmp_path / "bars.csv"
    path.write_text(
        "timestamp,open,high,low,close,Close,volume\n2024-01-01T00:00:00Z,1,2,1,1,1,5\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError) as caught:
        ReplayFeed(path=str(path)).load_frames()
    assert str(caught.value) == f"{path}: column close appears more than once"
