"""The replay feed reads its files a chunk of rows at a time: the slices, the errors and the
report are the same whatever the chunk size, chunk listeners see every bar once before it is
in a slice, and memory does not grow with the number of bars. Every test runs twice: with
the scan's chunks kept for the iteration (data within ``KEEP_BYTES``) and read again."""

from __future__ import annotations

import gc
import tracemalloc
import weakref
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from logos.errors import DataError
from logos.feeds import ReplayFeed, chunks, replay

HEADER = "timestamp,open,high,low,close,volume\n"
TESTS = Path(__file__).parent
REPO = TESTS.parent


@pytest.fixture(autouse=True, params=["kept", "read-again"])
def keeping(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The iteration takes the scan's chunks, or (nothing kept) reads the files again."""
    if request.param == "read-again":
        monkeypatch.setattr(replay, "KEEP_BYTES", 0)
    return str(request.param)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def row(minute: int, price: float, volume: float = 1.0, day: int = 1) -> str:
    return f"2024-01-{day:02d}T00:{minute:02d}:00Z,{price},{price},{price},{price},{volume}\n"


def flat(feed: ReplayFeed) -> list[list[tuple[str, int, float]]]:
    """Each slice as (symbol, minute, close) per bar."""
    return [[(b.symbol, b.ts.minute, float(b.close)) for b in bars] for bars in feed.slices()]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# -- chunk boundaries -------------------------------------------------------------------

# A starts first and B ends last; 00:01 and 00:03 are shared, 00:02 and 00:05 are B's only
A_ROWS = row(0, 1) + row(1, 2) + row(3, 3) + row(4, 4)
B_ROWS = row(1, 10) + row(2, 20) + row(3, 30) + row(5, 50)
EXPECTED = [
    [("A", 0, 1.0)],
    [("A", 1, 2.0), ("B", 1, 10.0)],
    [("B", 2, 20.0)],
    [("A", 3, 3.0), ("B", 3, 30.0)],
    [("A", 4, 4.0)],
    [("B", 5, 50.0)],
]


@pytest.mark.parametrize("chunk_rows", [2, 3, 4, 5, 1000])
def test_per_symbol_files_make_the_same_slices_for_every_chunk_size(
    tmp_path: Path, chunk_rows: int
) -> None:
    write(tmp_path / "A.csv", HEADER + A_ROWS)
    write(tmp_path / "B.csv", HEADER + B_ROWS)
    feed = ReplayFeed(path=str(tmp_path), chunk_rows=chunk_rows)
    feed.start(["A", "B"], "1m")
    assert flat(feed) == EXPECTED
    assert feed.report.slices == 6
    assert feed.report.bars == {"A": 4, "B": 4}


@pytest.mark.parametrize("chunk_rows", [2, 3, 5, 7, 1000])
def test_a_file_of_two_symbols_makes_the_same_slices_for_every_chunk_size(
    tmp_path: Path, chunk_rows: int
) -> None:
    lines = [f"A,{r}" for r in A_ROWS.splitlines()] + [f"B,{r}" for r in B_ROWS.splitlines()]
    lines.sort(key=lambda line: line.split(",")[1])  # interleaved in time, as a venue dumps
    path = write(tmp_path / "both.csv", "symbol," + HEADER + "\n".join(lines) + "\n")
    feed = ReplayFeed(path=str(path), chunk_rows=chunk_rows)
    feed.start(["A", "B"], "1m")
    assert flat(feed) == EXPECTED
    assert feed.report.slices == 6


@pytest.mark.parametrize("chunk_rows", [2, 3, 7, 64, 999])
def test_real_series_slices_are_those_of_one_whole_chunk(chunk_rows: int) -> None:
    # AAA and BBB (2,000 minute bars each) have gaps at different times: 2,638 slices
    path = str(TESTS / "data" / "engine" / "multi")

    def slices(rows: int) -> list[list[tuple]]:
        feed = ReplayFeed(path=path, chunk_rows=rows)
        feed.start(["BBB", "AAA"], "1m")
        return [[tuple(bar) for bar in bars] for bars in feed.slices()]

    whole = slices(10**6)
    assert len(whole) == 2638 and sum(map(len, whole)) == 4000
    assert slices(chunk_rows) == whole


# -- errors name the right file and line ------------------------------------------------


def test_a_bad_bar_in_the_second_chunk_names_its_line_and_the_total(tmp_path: Path) -> None:
    path = write(
        tmp_path / "X.csv",
        HEADER
        + row(0, 1)  # line 2 | chunk 1
        + row(1, 1)  # line 3 |
        + row(2, 1)  # line 4 | chunk 2
        + "2024-01-01T00:03:00Z,2,1,2,2,1\n"  # line 5: high below low
        + row(4, 1)  # line 6 | chunk 3
        + "2024-01-01T00:05:00Z,1,1,1,1,-3\n",  # line 7: negative volume
    )
    with pytest.raises(DataError) as caught:
        ReplayFeed(path=str(path), chunk_rows=2).load_frames(["X"])
    assert str(caught.value) == (
        f"{path}, line 5: high 1.0 is below low 2.0 "
        '(2 bad bar(s) for X; set on_bad_bar = "skip" to skip them)'
    )
    feed = ReplayFeed(path=str(path), chunk_rows=2, on_bad_bar="skip")
    report = feed.scan(["X"])
    assert report.skipped == {"high below low": 1, "negative volume": 1}
    assert report.skipped_rows == [
        f"{path}, line 5: high 1.0 is below low 2.0",
        f"{path}, line 7: negative volume -3.0",
    ]
    assert report.bars == {"X": 4} and report.gaps == []  # skipped bars are not gaps


@pytest.mark.parametrize(
    ("line_4", "message"),
    [
        (
            row(2, 1),
            r"line 4: duplicate timestamp 2024-01-01T00:02:00Z \(first at .*X.csv, line 3\)",
        ),
        (
            row(0, 1),
            r"line 4: timestamp 2024-01-01T00:00:00Z is out of order: it comes after "
            r"2024-01-01T00:02:00Z \(.*X.csv, line 3\)",
        ),
    ],
    ids=["duplicate", "out-of-order"],
)
def test_a_timestamp_not_after_the_previous_chunk_is_caught(
    tmp_path: Path, line_4: str, message: str
) -> None:
    # chunk 1 is lines 2-3 (00:01, 00:02), chunk 2 starts at line 4
    path = write(tmp_path / "X.csv", HEADER + row(1, 1) + row(2, 1) + line_4 + row(3, 1))
    with pytest.raises(DataError, match=message + r" \(1 bad bar\(s\) for X"):
        ReplayFeed(path=str(path), chunk_rows=2).load_frames(["X"])
    feed = ReplayFeed(path=str(path), chunk_rows=2, on_bad_bar="skip")
    feed.start(["X"], "1m")
    assert [bars[0].ts.minute for bars in feed.slices()] == [1, 2, 3]
    assert feed.report.skipped_total == 1


def test_a_repeat_of_an_older_timestamp_in_a_later_chunk_is_a_duplicate(tmp_path: Path) -> None:
    # chunk 1 is lines 2-4 (00:00, 00:01, 00:02); line 5 repeats line 3's 00:01
    path = write(tmp_path / "X.csv", HEADER + row(0, 1) + row(1, 1) + row(2, 1) + row(1, 1))
    with pytest.raises(DataError) as caught:
        ReplayFeed(path=str(path), chunk_rows=3).load_frames(["X"])
    assert str(caught.value) == (
        f"{path}, line 5: duplicate timestamp 2024-01-01T00:01:00Z (first at {path}, line 3) "
        '(1 bad bar(s) for X; set on_bad_bar = "skip" to skip them)'
    )


def test_a_cell_that_is_not_a_number_in_a_later_chunk_names_its_line(tmp_path: Path) -> None:
    # pyarrow refuses the text in chunk 3; pandas reads the file again to name the line
    rows = [row(m, 1) for m in range(7)]
    rows[5] = "2024-01-01T00:05:00Z,1,1,1,eleven,1\n"  # line 7
    path = write(tmp_path / "X.csv", HEADER + "".join(rows))
    with pytest.raises(DataError, match=r"X.csv, line 7: close 'eleven' is not a number"):
        ReplayFeed(path=str(path), chunk_rows=2).load_frames(["X"])
    feed = ReplayFeed(path=str(path), chunk_rows=2, on_bad_bar="skip")
    frame = feed.load_frames(["X"])["X"]
    assert [ts.minute for ts in frame.index] == [0, 1, 2, 3, 4, 6]
    assert feed.report.skipped_rows == [f"{path}, line 7: missing value (NaN) in close"]


def test_blank_lines_ending_the_file_across_chunks_are_not_bars(tmp_path: Path) -> None:
    path = write(tmp_path / "X.csv", HEADER + row(0, 1) + row(1, 1) + row(2, 1) + "\n\n\n\n")
    for chunk_rows in (2, 3, 4, 100):
        frame = ReplayFeed(path=str(path), chunk_rows=chunk_rows).load_frames(["X"])["X"]
        assert [ts.minute for ts in frame.index] == [0, 1, 2]


def test_a_blank_line_inside_the_data_at_a_chunk_end_is_a_bad_bar(tmp_path: Path) -> None:
    path = write(tmp_path / "X.csv", HEADER + row(0, 1) + "\n" + row(1, 1) + row(2, 1))
    with pytest.raises(DataError, match=r"X.csv, line 3: missing or unreadable timestamp"):
        ReplayFeed(path=str(path), chunk_rows=2).load_frames(["X"])


def test_parquet_rows_are_numbered_across_chunks(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "timestamp": pd.date_range("2024-01-01", periods=5, freq="1min", tz="UTC"),
            "open": [1.0] * 5,
            "high": [1.0, 1.0, 1.0, 0.5, 1.0],  # row 4: high below low
            "low": [1.0] * 5,
            "close": [1.0] * 5,
            "volume": [1.0] * 5,
        }
    )
    frame.to_parquet(tmp_path / "X.parquet")
    with pytest.raises(DataError, match=r"X.parquet, row 4: high 0.5 is below low 1.0"):
        ReplayFeed(path=str(tmp_path), chunk_rows=2).load_frames(["X"])


def test_epoch_units_are_decided_by_the_first_chunk_and_a_later_one_must_agree(
    tmp_path: Path,
) -> None:
    seconds = "1704067200,1,1,1,1,1\n1704067260,1,1,1,1,1\n"
    millis = "1704067320000,1,1,1,1,1\n"
    path = write(tmp_path / "X.csv", HEADER + seconds + millis)
    with pytest.raises(
        DataError,
        match=r"X.csv: numeric timestamps mix units: 1704067260 reads as s but "
        r"1704067320000 as ms",
    ):
        ReplayFeed(path=str(path), chunk_rows=2).load_frames(["X"])
    path = write(tmp_path / "Y.csv", HEADER + seconds + "1704067320,1,1,1,1,1\n")
    frame = ReplayFeed(path=str(path), chunk_rows=2).load_frames(["Y"])["Y"]
    assert frame.index[-1] == pd.Timestamp("2024-01-01T00:02Z")


# -- sources ----------------------------------------------------------------------------


def test_symbols_starting_and_ending_on_different_dates(tmp_path: Path) -> None:
    write(tmp_path / "EARLY.csv", HEADER + row(0, 1, day=1) + row(1, 2, day=1))
    write(tmp_path / "LATE.csv", HEADER + row(1, 3, day=1) + row(0, 4, day=2))
    feed = ReplayFeed(path=str(tmp_path), chunk_rows=2)
    feed.start(["LATE", "EARLY"], "1m")
    got = [[(b.symbol, b.ts, float(b.close)) for b in bars] for bars in feed.slices()]
    assert got == [
        [("EARLY", utc(2024, 1, 1, 0, 0), 1.0)],
        [("LATE", utc(2024, 1, 1, 0, 1), 3.0), ("EARLY", utc(2024, 1, 1, 0, 1), 2.0)],
        [("LATE", utc(2024, 1, 2, 0, 0), 4.0)],
    ]
    assert [(g.symbol, g.missing) for g in feed.report.gaps] == [("LATE", 1438)]


def monthly(folder: Path, month: int, days: tuple[int, ...]) -> None:
    write(
        folder / f"2024-{month:02d}.csv",
        HEADER + "".join(f"2024-{month:02d}-{d:02d}T00:00:00Z,{d},{d},{d},{d},1\n" for d in days),
    )


def test_a_glob_of_monthly_files_is_read_in_name_order_as_one_series(tmp_path: Path) -> None:
    monthly(tmp_path / "btc", 2, (1, 2))
    monthly(tmp_path / "btc", 1, (30, 31))
    monthly(tmp_path / "btc", 3, (1,))
    write(tmp_path / "btc" / "notes.txt", "not bars")
    feed = ReplayFeed(path=str(tmp_path), files={"BTC": "btc/2024-*.csv"}, chunk_rows=2)
    frame = feed.load_frames(["BTC"])["BTC"]
    assert [str(ts.date()) for ts in frame.index] == [
        "2024-01-30",
        "2024-01-31",
        "2024-02-01",
        "2024-02-02",
        "2024-03-01",
    ]
    assert feed.report.timeframe == timedelta(days=1)
    assert [(str(g.after.date()), g.missing) for g in feed.report.gaps] == [("2024-02-02", 27)]
    # the same files as a sub-folder per symbol (what `logos feed record` writes)
    feed = ReplayFeed(path=str(tmp_path), chunk_rows=3)
    feed.start(["btc"], "1d")
    assert [bars[0].ts.day for bars in feed.slices()] == [30, 31, 1, 2, 1]


def test_a_glob_that_matches_nothing_is_named(tmp_path: Path) -> None:
    monthly(tmp_path / "btc", 1, (1,))
    with pytest.raises(DataError, match=r"no bar file matches 'btc/2023-\*.csv'"):
        ReplayFeed(path=str(tmp_path), files={"BTC": "btc/2023-*.csv"}).load_frames(["BTC"])


@pytest.mark.parametrize("second", [(31,), (15, 20)], ids=["same-day", "earlier"])
def test_files_of_one_symbol_that_overlap_are_refused_naming_both(
    tmp_path: Path, second: tuple[int, ...]
) -> None:
    monthly(tmp_path / "btc", 1, (30, 31))
    write(
        tmp_path / "btc" / "2024-02.csv",
        HEADER + "".join(f"2024-01-{d}T00:00:00Z,1,1,1,1,1\n" for d in second),
    )
    with pytest.raises(DataError) as caught:
        ReplayFeed(path=str(tmp_path), files={"BTC": "btc/*.csv"}).load_frames(["BTC"])
    message = str(caught.value)
    assert message.startswith(f"{tmp_path / 'btc' / '2024-02.csv'}, line 2: BTC's bars at ")
    assert f"overlap {tmp_path / 'btc' / '2024-01.csv'} (its bars run to 2024-01-31" in message


# -- listeners --------------------------------------------------------------------------


@pytest.mark.parametrize("loaded", [False, True], ids=["streamed", "loaded"])
def test_listeners_get_every_bar_once_in_order_before_it_is_in_a_slice(
    tmp_path: Path, loaded: bool
) -> None:
    write(tmp_path / "A.csv", HEADER + "".join(row(m, m + 1) for m in range(0, 20)))
    write(tmp_path / "B.csv", HEADER + "".join(row(m, m + 1) for m in range(5, 25)))
    feed = ReplayFeed(path=str(tmp_path), chunk_rows=3)
    if loaded:
        feed.load_frames(["A", "B"])
    heard: dict[str, list[int]] = {"A": [], "B": []}
    sizes = []

    def listen(symbol: str, chunk: pd.DataFrame) -> None:
        assert list(chunk.columns) == ["open", "high", "low", "close", "volume"]
        assert chunk.index.name == "ts" and str(chunk.index.tz) == "UTC"
        assert all(dtype == "float64" for dtype in chunk.dtypes)
        heard[symbol] += [ts.minute for ts in chunk.index]
        sizes.append(len(chunk))

    feed.add_chunk_listener(listen)
    # the run resumes after 00:04 and stops before 00:12: listeners still hear every bar
    feed.start(["A", "B"], "1m", after=utc(2024, 1, 1, 0, 4), until=utc(2024, 1, 1, 0, 12))
    minutes = []
    for bars in feed.slices():
        for bar in bars:
            assert bar.ts.minute in heard[bar.symbol]
        minutes.append(bars[0].ts.minute)
    assert minutes == list(range(5, 12))
    assert heard == {"A": list(range(0, 20)), "B": list(range(5, 25))}
    assert max(sizes) == 3


# -- the scan ---------------------------------------------------------------------------

# What ``load_frames`` reported for these files before the feed read in chunks (timeframe
# seconds, bars, gaps, missing bars, expected closures, the first and last gap).
BEFORE = {
    "logos/data/btcusdt-perp-1m.csv": (60, 14400, 0, 0, 0, None, None),
    "logos/data/nvda-1d.csv": (
        86400, 4012, 3, 14, 867,
        ("2001-09-10T00:00:00+00:00", "2001-09-17T00:00:00+00:00", 6),
        ("2012-10-26T00:00:00+00:00", "2012-10-31T00:00:00+00:00", 4),
    ),
    "tests/data/bars/backtrader_2006-01-02-volume-1m.csv": (
        60, 30889, 765, 50531, 0,
        ("2006-01-02T10:31:00+00:00", "2006-01-02T10:34:00+00:00", 2),
        ("2006-02-27T21:49:00+00:00", "2006-02-27T21:51:00+00:00", 1),
    ),
    "tests/data/bars/backtrader_orcl-1995-2014-1d.csv": (
        86400, 5036, 3, 14, 1088,
        ("2001-09-10T00:00:00+00:00", "2001-09-17T00:00:00+00:00", 6),
        ("2012-10-26T00:00:00+00:00", "2012-10-31T00:00:00+00:00", 4),
    ),
    "tests/data/bars/freqtrade_UNITTEST_BTC-1m.csv": (
        60, 13681, 538, 717, 0,
        ("2017-11-04T23:07:00+00:00", "2017-11-04T23:14:00+00:00", 6),
        ("2017-11-14T21:58:00+00:00", "2017-11-14T22:00:00+00:00", 1),
    ),
    "tests/data/bars/freqtrade_XRP_ETH-1m.csv": (
        60, 2469, 676, 1091, 0,
        ("2019-10-11T00:02:00+00:00", "2019-10-11T00:04:00+00:00", 1),
        ("2019-10-13T11:15:00+00:00", "2019-10-13T11:18:00+00:00", 2),
    ),
    "tests/data/bars/freqtrade_XRP_USDT_USDT-5m-futures.csv": (300, 1999, 0, 0, 0, None, None),
    "tests/data/bars/nautilus_6EH4-XCME-1m.csv": (
        60, 29996, 375, 13263, 0,
        ("2024-01-01T23:09:00+00:00", "2024-01-01T23:11:00+00:00", 1),
        ("2024-01-31T22:00:00+00:00", "2024-01-31T23:01:00+00:00", 60),
    ),
    "tests/data/bars/nautilus_fxcm-gbpusd-bid-1m.csv": (
        60, 30117, 111, 11644, 0,
        ("2012-02-01T03:08:00+00:00", "2012-02-01T03:10:00+00:00", 1),
        ("2012-02-29T23:17:00+00:00", "2012-02-29T23:19:00+00:00", 1),
    ),
    "tests/data/engine/volume_1m.csv": (
        60, 3000, 128, 2914, 0,
        ("2006-01-02T10:31:00+00:00", "2006-01-02T10:34:00+00:00", 2),
        ("2006-01-06T10:37:00+00:00", "2006-01-06T10:39:00+00:00", 1),
    ),
}  # fmt: skip


def gap_tuple(gap: object) -> tuple[str, str, int]:
    return (gap.after.isoformat(), gap.before.isoformat(), gap.missing)  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", list(BEFORE))
@pytest.mark.parametrize("chunk_rows", [997, 10**6])
def test_scan_reports_what_loading_the_whole_file_reported(name: str, chunk_rows: int) -> None:
    tf, bars, gaps, missing, closures, first, last = BEFORE[name]
    report = ReplayFeed(path=str(REPO / name), chunk_rows=chunk_rows).scan(["S"])
    assert report.timeframe == timedelta(seconds=tf)
    assert report.bars == {"S": bars}
    assert report.slices == bars
    assert (len(report.gaps), report.missing_bars, len(report.closures)) == (
        gaps,
        missing,
        closures,
    )
    assert (gap_tuple(report.gaps[0]) if report.gaps else None) == first
    assert (gap_tuple(report.gaps[-1]) if report.gaps else None) == last
    assert report.skipped == {} and report.skipped_rows == []


@pytest.mark.parametrize(
    ("folder", "bars", "slices", "gaps", "missing"),
    [
        ("engine/multi", {"AAA": 2000, "BBB": 2000}, 2638, 718, 1163),
        ("sessions/two_symbols", {"UNITTEST_BTC": 480, "XRP_ETH": 480}, 658, 233, 360),
    ],
)
def test_scan_counts_the_slices_of_several_symbols(
    folder: str, bars: dict[str, int], slices: int, gaps: int, missing: int
) -> None:
    for chunk_rows in (5, 128, 10**6):
        report = ReplayFeed(path=str(TESTS / "data" / folder), chunk_rows=chunk_rows).scan()
        assert report.bars == bars
        assert report.slices == slices
        assert (len(report.gaps), report.missing_bars) == (gaps, missing)
        assert report.timeframe == timedelta(minutes=1)


def test_start_scans_only_when_not_scanned_for_these_symbols(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path / "A.csv", HEADER + A_ROWS)
    write(tmp_path / "B.csv", HEADER + B_ROWS)
    calls = []
    scan = ReplayFeed.scan

    def counted(self: ReplayFeed, *args: object, **kwargs: object) -> object:
        calls.append(args)
        return scan(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ReplayFeed, "scan", counted)
    feed = ReplayFeed(path=str(tmp_path))
    feed.scan(["A", "B"])
    feed.start(["A", "B"], "1m")
    assert len(calls) == 1
    feed.start(["B"], "1m")  # other symbols: scanned again
    assert len(calls) == 2
    assert [[b.symbol for b in bars] for bars in feed.slices()] == [["B"]] * 4


def test_load_frames_is_the_scan_with_the_chunks_kept(tmp_path: Path) -> None:
    write(tmp_path / "A.csv", HEADER + A_ROWS)
    feed = ReplayFeed(path=str(tmp_path), chunk_rows=3)
    frame = feed.load_frames(["A"])["A"]
    assert frame["close"].tolist() == [1.0, 2.0, 3.0, 4.0]
    assert [ts.minute for ts in frame.index] == [0, 1, 3, 4]
    assert frame.index.name == "ts" and str(frame.index.tz) == "UTC"
    assert feed.report.slices == 4 and len(feed.report.gaps) == 1


# -- memory -----------------------------------------------------------------------------


def ten_symbols(folder: Path, bars: int) -> list[str]:
    start = pd.Timestamp("2024-01-01T00:00Z")
    stamps = pd.date_range(start, periods=bars, freq="1min").strftime("%Y-%m-%dT%H:%M:%SZ")
    names = [f"S{i}" for i in range(10)]
    for i, name in enumerate(names):
        prices = [f"{100 + i + (k % 97) / 100}" for k in range(bars)]
        text = "".join(f"{t},{p},{p},{p},{p},1\n" for t, p in zip(stamps, prices, strict=True))
        write(folder / f"{name}.csv", HEADER + text)
    return names


def streaming_peak(folder: Path, names: list[str]) -> int:
    """Peak bytes Python allocated (Bars, Decimals, arrays) while the feed was iterated."""
    feed = ReplayFeed(path=str(folder), chunk_rows=200)
    feed.scan(names)
    feed.start(names, "1m")
    tracemalloc.start()
    try:
        count = sum(len(bars) for bars in feed.slices())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 10 * feed.report.bars[names[0]]
    return peak


def test_streaming_memory_does_not_grow_with_the_number_of_bars(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # ten times the bars, the same chunks (and text blocks smaller than the small files):
    # the same memory, where holding every bar would take ten times as much. Nothing kept
    # by the scan, as past its budget (the scan's kept chunks are the next test's)
    monkeypatch.setattr(replay, "KEEP_BYTES", 0)
    monkeypatch.setattr(chunks, "READ_BLOCK_BYTES", 4096)
    small = streaming_peak(tmp_path / "small", ten_symbols(tmp_path / "small", 1_000))
    large = streaming_peak(tmp_path / "large", ten_symbols(tmp_path / "large", 10_000))
    assert large < 1.5 * small


def test_chunks_are_let_go_as_the_iteration_goes(tmp_path: Path) -> None:
    # kept by the scan or read again, a chunk is held only until its bars are merged
    write(tmp_path / "A.csv", HEADER + "".join(row(m, m + 1) for m in range(20)))
    write(tmp_path / "B.csv", HEADER + "".join(row(m, m + 1) for m in range(20)))
    feed = ReplayFeed(path=str(tmp_path), chunk_rows=3)
    seen: list[tuple[int, weakref.ref[pd.DataFrame]]] = []
    feed.add_chunk_listener(
        lambda symbol, chunk: seen.append((chunk.index[-1].minute, weakref.ref(chunk)))
    )
    feed.scan(["A", "B"])
    feed.start(["A", "B"], "1m")
    slices = feed.slices()
    for bars in slices:
        if bars[0].ts.minute == 15:
            break
    gc.collect()
    alive = [last for last, ref in seen if ref() is not None]
    assert alive and min(alive) >= 14  # those ending at 00:02 to 00:11 are gone
    assert sum(len(bars) for bars in slices) == 2 * 4  # 00:16 to 00:19
    del slices
    gc.collect()
    assert not [last for last, ref in seen if ref() is not None]


# -- read once --------------------------------------------------------------------------


def counted_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The symbols whose files are read and validated, one entry per pass."""
    reads: list[str] = []
    validated = ReplayFeed._validated

    def counted(self: ReplayFeed, symbol: str, *args: object) -> object:
        reads.append(symbol)
        return validated(self, symbol, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(ReplayFeed, "_validated", counted)
    return reads


def counted_feed(folder: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[ReplayFeed, list[str]]:
    """A feed of A and B in 3-bar chunks, and the symbols it reads (:func:`counted_reads`)."""
    write(folder / "A.csv", HEADER + A_ROWS)
    write(folder / "B.csv", HEADER + B_ROWS)
    return ReplayFeed(path=str(folder), chunk_rows=3), counted_reads(monkeypatch)


def test_data_within_the_budget_is_read_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, keeping: str
) -> None:
    feed, reads = counted_feed(tmp_path, monkeypatch)
    feed.scan(["A", "B"])
    (tmp_path / "A.csv").unlink()  # the iteration needs the file only when nothing was kept
    feed.start(["A", "B"], "1m")
    if keeping == "kept":
        assert flat(feed) == EXPECTED
        assert reads == ["A", "B"]
    else:
        with pytest.raises(DataError, match=r"A\.csv"):
            flat(feed)


def test_data_past_the_budget_is_read_again_and_slices_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # room for three of the four chunks (3 and 1 bars of each symbol), not for the fourth
    monkeypatch.setattr(replay, "KEEP_BYTES", 3 * replay.CHUNK_BYTES + 8 * replay.BAR_BYTES)
    feed, reads = counted_feed(tmp_path, monkeypatch)
    feed.start(["A", "B"], "1m")
    assert flat(feed) == EXPECTED
    assert reads == ["A", "B", "A", "B"]


def test_a_second_iteration_reads_the_files_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, keeping: str
) -> None:
    feed, reads = counted_feed(tmp_path, monkeypatch)
    feed.start(["A", "B"], "1m")
    assert flat(feed) == EXPECTED
    feed.start(["A", "B"], "1m")
    assert flat(feed) == EXPECTED
    passes = 2 if keeping == "kept" else 3  # the scan, (the first iteration,) the second
    assert reads == ["A", "B"] * passes
