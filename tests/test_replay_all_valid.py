"""``all_valid``, the quick pass that lets clean files skip the per-row problem codes: it must
say False for every kind of bad bar (the codes then name it)."""

from __future__ import annotations

import numpy as np
import pytest

from logos.errors import DataError
from logos.feeds.replay import ReplayFeed
from logos.feeds.validation import all_valid

MINUTE = np.timedelta64(60, "s")
CLEAN = [(10.0, 11.0, 9.0, 10.5, 5.0), (10.5, 10.5, 10.5, 10.5, 0.0), (1.0, 2.0, 0.5, 0.5, 1.0)]


def bars(rows: list[tuple[float, ...]]) -> tuple[np.ndarray, np.ndarray]:
    start = np.datetime64("2024-01-01T00:00:00", "ns")
    ts = np.array([start + i * MINUTE for i in range(len(rows))], dtype="datetime64[ns]")
    return ts, np.array(rows, dtype=np.float64).T.copy()


def test_clean_bars_and_no_bars_are_valid() -> None:
    assert all_valid(*bars(CLEAN))
    assert all_valid(np.array([], dtype="datetime64[ns]"), np.empty((5, 0)))


@pytest.mark.parametrize(
    "row",
    [
        (np.nan, 11.0, 9.0, 10.0, 1.0),  # missing value
        (10.0, np.inf, 9.0, 10.0, 1.0),  # infinite high (open and close still inside)
        (10.0, 11.0, 9.0, 10.0, np.inf),  # infinite volume
        (0.0, 0.0, 0.0, 0.0, 1.0),  # non-positive prices
        (10.0, 9.0, 11.0, 10.0, 1.0),  # high below low
        (12.0, 11.0, 9.0, 10.0, 1.0),  # open above high
        (10.0, 11.0, 9.0, 8.0, 1.0),  # close below low
        (10.0, 11.0, 9.0, 10.0, -1.0),  # negative volume
    ],
)
def test_each_bad_value_makes_the_bars_invalid(row: tuple[float, ...]) -> None:
    assert not all_valid(*bars([*CLEAN[:1], row, *CLEAN[1:]]))


def test_missing_duplicate_and_out_of_order_timestamps_are_invalid() -> None:
    ts, values = bars(CLEAN)
    for stamps in (
        np.array([ts[0], np.datetime64("NaT"), ts[2]]),
        np.array([np.datetime64("NaT"), ts[1], ts[2]]),
        np.array([ts[0], ts[0], ts[2]]),
        np.array([ts[1], ts[0], ts[2]]),
    ):
        assert not all_valid(stamps.astype("datetime64[ns]"), values)


HEADER = "timestamp,symbol,open,high,low,close,volume\n"


def test_bad_bar_of_one_symbol_in_a_shared_file_names_its_own_line(tmp_path) -> None:
    path = tmp_path / "multi.csv"
    path.write_text(
        HEADER
        + "2024-01-01T00:00:00Z,A,1,1,1,1,1\n"  # line 2
        + "2024-01-01T00:00:00Z,B,1,1,1,1,1\n"  # line 3
        + "2024-01-01T00:01:00Z,A,1,1,1,1,1\n"  # line 4
        + "2024-01-01T00:00:00Z,B,1,1,1,1,1\n"  # line 5: B again at 00:00
    )
    assert len(ReplayFeed(path=str(path)).load_frames(["A"])["A"]) == 2
    with pytest.raises(
        DataError,
        match=r"multi.csv, line 5: duplicate timestamp 2024-01-01T00:00:00Z for B "
        r"\(first at .*multi.csv, line 3\) \(1 bad bar",
    ):
        ReplayFeed(path=str(path)).load_frames(["B"])


def test_bad_bar_in_the_second_daily_file_names_that_file(tmp_path) -> None:
    day = tmp_path / "X"
    day.mkdir()
    head = "timestamp,open,high,low,close,volume\n"
    (day / "2024-01-01.csv").write_text(head + "2024-01-01T00:00:00Z,1,1,1,1,1\n")
    (day / "2024-01-02.csv").write_text(
        head + "2024-01-02T00:00:00Z,1,1,1,1,1\n" + "2024-01-02T00:01:00Z,2,1,2,2,1\n"
    )
    with pytest.raises(DataError, match=r"X/2024-01-02.csv, line 3: high 1.0 is below low 2.0"):
        ReplayFeed(path=str(tmp_path)).load_frames(["X"])
    skipped = ReplayFeed(path=str(tmp_path), on_bad_bar="skip")
    frame = skipped.load_frames(["X"])["X"]
    assert [str(t) for t in frame.index] == [
        "2024-01-01 00:00:00+00:00",
        "2024-01-02 00:00:00+00:00",
    ]
    assert skipped.report.skipped == {"high below low": 1}
