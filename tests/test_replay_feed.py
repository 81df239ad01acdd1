"""Replay feed: loading, symbol mapping, timestamps, gaps, exact decimals, streaming."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from logos.errors import DataError
from logos.feeds import ReplayFeed
from logos.plugins import get_registry

BARS = Path(__file__).parent / "data" / "bars"
HEADER = "timestamp,open,high,low,close,volume\n"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_replay_is_registered_as_the_builtin_feed() -> None:
    assert get_registry().get("feed", "replay") is ReplayFeed


def test_load_frames_gives_float_ohlcv_with_utc_index() -> None:
    frames = ReplayFeed(path=str(BARS / "freqtrade_XRP_ETH-5m.csv")).load_frames(["XRP/ETH"])
    frame = frames["XRP/ETH"]
    assert list(frame.columns) == ["open", "high", "low", "close", "volume"]
    assert all(dtype == "float64" for dtype in frame.dtypes)
    assert frame.index.name == "ts" and str(frame.index.tz) == "UTC"
    assert len(frame) == 706
    assert frame.index[0] == pd.Timestamp("2019-10-11T00:00:00Z")
    assert frame.iloc[0].tolist() == [0.00141342, 0.00141658, 0.00141192, 0.00141192, 3478.0]


def test_gaps_are_counted_and_listed_not_filled() -> None:
    # 2017-11-04T23:02 .. 2017-11-14T22:59 is 10 days minus 3 minutes: 14398 minute bars
    # expected; the file has 13681 rows, so 717 are missing, in 538 gaps (MANIFEST.json).
    feed = ReplayFeed(path=str(BARS / "freqtrade_UNITTEST_BTC-1m.csv"))
    frames = feed.load_frames(["BTC"])
    assert len(frames["BTC"]) == 13681
    assert feed.report.timeframe == timedelta(minutes=1)
    assert len(feed.report.gaps) == 538
    assert feed.report.missing_bars == 717
    first = feed.report.gaps[0]
    assert first.symbol == "BTC" and first.missing == (first.before - first.after).seconds // 60 - 1


def test_daily_bars_over_a_weekend_are_an_expected_closure_of_two_days(tmp_path: Path) -> None:
    path = write(
        tmp_path / "d.csv",
        HEADER + "2024-01-05T00:00:00Z,1,1,1,1,0\n2024-01-08T00:00:00Z,1,1,1,1,0\n",
    )
    feed = ReplayFeed(path=str(path))
    feed.load_frames(["SPY"], "1d")
    assert feed.report.gaps == []
    assert [(g.after, g.before, g.missing) for g in feed.report.closures] == [
        (utc(2024, 1, 5), utc(2024, 1, 8), 2)
    ]


@pytest.mark.parametrize(
    "stamps",
    [
        ["2024-01-01T00:00:00Z", "2024-01-01T00:01:00Z"],
        ["2024-01-01T01:00:00+01:00", "2024-01-01T01:01:00+01:00"],
        ["2024-01-01 00:00:00", "2024-01-01 00:01:00"],
        ["1704067200", "1704067260"],
        ["1704067200000", "1704067260000"],
    ],
    ids=["iso-z", "iso-offset", "naive-as-utc", "epoch-s", "epoch-ms"],
)
def test_timestamp_formats_are_detected(tmp_path: Path, stamps: list[str]) -> None:
    rows = "".join(f"{s},2,3,1,2,5\n" for s in stamps)
    frame = ReplayFeed(path=str(write(tmp_path / "x.csv", HEADER + rows))).load_frames(["X"])["X"]
    expected = [pd.Timestamp("2024-01-01T00:00Z"), pd.Timestamp("2024-01-01T00:01Z")]
    assert list(frame.index) == expected


def test_epoch_seconds_of_1970_are_seconds(tmp_path: Path) -> None:
    # 0 and 60: the largest value is below 1e11, so the unit is seconds
    rows = "0,2,3,1,2,5\n60,2,3,1,2,5\n"
    frame = ReplayFeed(path=str(write(tmp_path / "x.csv", HEADER + rows))).load_frames(["X"])["X"]
    assert list(frame.index) == [
        pd.Timestamp("1970-01-01T00:00Z"),
        pd.Timestamp("1970-01-01T00:01Z"),
    ]


def test_epoch_unit_param_settles_the_one_ambiguous_case(tmp_path: Path) -> None:
    # 0 and 60000 ms (1970-01-01T00:00 and 00:01) are below 1e11: auto reads seconds
    path = str(write(tmp_path / "x.csv", HEADER + "0,2,3,1,2,5\n60000,2,3,1,2,5\n"))
    auto = ReplayFeed(path=path).load_frames(["X"])["X"]
    assert auto.index[1] == pd.Timestamp("1970-01-01T16:40Z")  # 60000 s
    explicit = ReplayFeed(path=path, epoch_unit="ms").load_frames(["X"])["X"]
    assert explicit.index[1] == pd.Timestamp("1970-01-01T00:01Z")


def test_epoch_nanoseconds_keep_every_digit(tmp_path: Path) -> None:
    # as float64, 1704067200123456789 would round to ...456768
    rows = "1704067200123456789,2,3,1,2,5\n"
    frame = ReplayFeed(path=str(write(tmp_path / "x.csv", HEADER + rows))).load_frames(["X"])["X"]
    assert frame.index[0] == pd.Timestamp("2024-01-01T00:00:00.123456789Z")


def test_streaming_prices_are_the_exact_source_decimals() -> None:
    feed = ReplayFeed(path=str(BARS / "freqtrade_UNITTEST_BTC-30m.csv"))
    feed.start(["BTC"], "30m")
    first = next(iter(feed.slices()))[0]
    # line 2: 2017-12-03T13:00:00Z,0.04100025,0.04104949,0.04088000000000001,0.04089,1825.39285708
    assert first.ts == utc(2017, 12, 3, 13)
    assert first.open == Decimal("0.04100025")
    assert first.high == Decimal("0.04104949")
    assert first.low == Decimal("0.04088000000000001")
    assert first.close == Decimal("0.04089")
    assert first.volume == Decimal("1825.39285708")


def test_stream_and_frames_agree_bar_for_bar() -> None:
    path = str(BARS / "nautilus_fxcm-gbpusd-bid-1m.csv")
    frame = ReplayFeed(path=path).load_frames(["GBP/USD"])["GBP/USD"]
    feed = ReplayFeed(path=path)
    feed.start(["GBP/USD"], "1m")
    bars = [bars[0] for bars in feed.slices()]
    assert len(bars) == len(frame) == 30117
    assert [b.ts for b in bars] == list(frame.index.to_pydatetime())
    assert [float(b.close) for b in bars] == frame["close"].tolist()
    assert {b.volume for b in bars} == {Decimal("0")}


def test_file_with_symbol_column_is_merged_into_slices(tmp_path: Path) -> None:
    path = write(
        tmp_path / "both.csv",
        "symbol,timestamp,open,high,low,close,volume\n"
        "B,2024-01-01T00:00:00Z,10,11,9,10,1\n"
        "A,2024-01-01T00:01:00Z,1,1,1,1,1\n"
        "A,2024-01-01T00:00:00Z,1,1,1,1,1\n",
    )
    with pytest.raises(DataError, match=r"line 4: timestamp 2024-01-01T00:00:00Z for A is out"):
        ReplayFeed(path=str(path)).load_frames()
    path = write(
        tmp_path / "both.csv",
        "symbol,timestamp,open,high,low,close,volume\n"
        "B,2024-01-01T00:00:00Z,10,11,9,10,1\n"
        "A,2024-01-01T00:00:00Z,1,1,1,1,1\n"
        "A,2024-01-01T00:01:00Z,1,1,1,1,1\n",
    )
    feed = ReplayFeed(path=str(path))
    feed.start(["A", "B"], "1m")
    slices = [[(b.symbol, b.ts.minute) for b in bars] for bars in feed.slices()]
    assert slices == [[("A", 0), ("B", 0)], [("A", 1)]]
    with pytest.raises(DataError, match=r"no rows for symbol\(s\) C; the file has B, A"):
        ReplayFeed(path=str(path)).load_frames(["C"])


def test_folder_maps_symbols_to_files_and_day_folders(tmp_path: Path) -> None:
    write(tmp_path / "BTC_USDT.csv", HEADER + "2024-01-01T00:00:00Z,5,6,4,5,1\n")
    (tmp_path / "ETH_USDT").mkdir()
    write(tmp_path / "ETH_USDT" / "2024-01-01.csv", HEADER + "2024-01-01T23:59:00Z,2,2,2,2,0\n")
    write(tmp_path / "ETH_USDT" / "2024-01-02.csv", HEADER + "2024-01-02T00:00:00Z,3,3,3,3,0\n")
    frames = ReplayFeed(path=str(tmp_path)).load_frames(["BTC/USDT", "ETH/USDT"])
    assert frames["BTC/USDT"]["close"].tolist() == [5.0]
    assert frames["ETH/USDT"]["close"].tolist() == [2.0, 3.0]
    with pytest.raises(DataError, match=r"no bar file for symbol 'SOL/USDT' \(looked for SOL_USDT"):
        ReplayFeed(path=str(tmp_path)).load_frames(["SOL/USDT"])


def test_single_file_serves_one_symbol_only(tmp_path: Path) -> None:
    path = write(tmp_path / "x.csv", HEADER + "2024-01-01T00:00:00Z,5,6,4,5,1\n")
    assert list(ReplayFeed(path=str(path)).load_frames(["ANY"])) == ["ANY"]
    with pytest.raises(DataError, match="has no symbol column, so it holds one symbol, but 2"):
        ReplayFeed(path=str(path)).load_frames(["A", "B"])


def test_parquet_files_are_read_and_rows_are_named(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "timestamp": pd.to_datetime(["2024-01-01T00:00Z", "2024-01-01T00:01Z"], utc=True),
            "open": [1.5, 1.5],
            "high": [2.0, 1.0],
            "low": [1.0, 1.2],
            "close": [1.5, 1.1],
            "volume": [3.0, 3.0],
        }
    )
    frame.to_parquet(tmp_path / "X.parquet")
    with pytest.raises(DataError, match=r"X.parquet, row 2: high 1.0 is below low 1.2"):
        ReplayFeed(path=str(tmp_path)).load_frames(["X"])
    frame.iloc[:1].to_parquet(tmp_path / "X.parquet")
    loaded = ReplayFeed(path=str(tmp_path / "X.parquet")).load_frames(["X"])["X"]
    assert loaded.index[0] == pd.Timestamp("2024-01-01T00:00Z")
    assert loaded.iloc[0].tolist() == [1.5, 2.0, 1.0, 1.5, 3.0]


def test_resume_after_and_until_bound_the_stream() -> None:
    feed = ReplayFeed(path=str(BARS / "edge_XRP_ETH-5m-first20.csv"))
    feed.start(["XRP/ETH"], "5m", after=utc(2019, 10, 11, 0, 50), until=utc(2019, 10, 11, 1, 10))
    stamps = [bars[0].ts for bars in feed.slices()]
    assert stamps == [utc(2019, 10, 11, 0, 55), utc(2019, 10, 11, 1, 0), utc(2019, 10, 11, 1, 5)]


def test_timeframe_param_must_match_the_run(tmp_path: Path) -> None:
    feed = ReplayFeed(path=str(BARS / "edge_XRP_ETH-5m-first20.csv"), timeframe="5m")
    with pytest.raises(
        DataError, match="the feed's timeframe 5m disagrees with the run's timeframe 1m"
    ):
        feed.start(["XRP/ETH"], "1m")


def test_missing_path_and_columns_are_named(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"nope\.csv: no such file or folder"):
        ReplayFeed(path=str(tmp_path / "nope.csv")).load_frames(["X"])
    path = write(tmp_path / "cols.csv", "timestamp,open,high,close\n2024-01-01T00:00:00Z,1,1,1\n")
    with pytest.raises(DataError, match=r"cols.csv: missing column\(s\) low, volume"):
        ReplayFeed(path=str(path)).load_frames(["X"])


def test_parquet_with_a_datetime_index(tmp_path: Path) -> None:
    index = pd.DatetimeIndex(pd.to_datetime(["2024-01-01T00:00Z", "2024-01-01T00:01Z"], utc=True))
    frame = pd.DataFrame(
        {"open": [2.0, 2.0], "high": [3.0, 3.0], "low": [1.0, 1.0], "close": [2.5, 2.5]},
        index=index,
    )
    frame["volume"] = [0.0, 7.0]
    frame.to_parquet(tmp_path / "X.parquet")
    loaded = ReplayFeed(path=str(tmp_path / "X.parquet")).load_frames(["X"])["X"]
    assert list(loaded.index) == list(index)
    assert loaded["volume"].tolist() == [0.0, 7.0]


MANIFEST = json.loads((BARS / "MANIFEST.json").read_text())


@pytest.mark.parametrize("entry", MANIFEST, ids=[e["file"] for e in MANIFEST])
def test_every_real_file_loads_with_the_manifest_rows_spacing_and_gaps(entry: dict) -> None:
    feed = ReplayFeed(path=str(BARS / entry["file"]))
    frame = feed.load_frames(["S"])["S"]
    assert len(frame) == entry["rows"]
    assert frame.index[0] == pd.Timestamp(entry["first"])
    assert frame.index[-1] == pd.Timestamp(entry["last"])
    assert feed.report.timeframe == timedelta(seconds=entry["bar_seconds_mode"])
    # every spacing above the mode is a gap or, in daily bars closed at weekends, a closure
    assert len(feed.report.gaps) + len(feed.report.closures) == entry["n_gaps_gt_mode"]
    assert feed.report.skipped == {}


def test_daily_equity_bars_report_the_first_weekend_as_a_closure() -> None:
    # lines 2-3: 1999-01-22 (a Friday) then 1999-01-25 (Monday): Saturday and Sunday missing
    feed = ReplayFeed(path=str(BARS / "backtrader_nvda-1999-2014-1d.csv"))
    feed.load_frames(["NVDA"], "1d")
    first = feed.report.closures[0]
    assert (first.after, first.before, first.missing) == (utc(1999, 1, 22), utc(1999, 1, 25), 2)
