"""yfinance frame layouts → Bars: Ticker.history, download with one and several tickers."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from logos_yf.frames import frame_to_bars

from logos.errors import FeedError

NY = "America/New_York"


def history(stamps: list[str], close: float) -> pd.DataFrame:
    """A ``Ticker.history(interval="1m", auto_adjust=False, actions=False)`` frame."""
    index = pd.DatetimeIndex(pd.to_datetime(stamps).tz_localize(NY), name="Datetime")
    n = len(stamps)
    return pd.DataFrame(
        {
            "Open": [close] * n,
            "High": [close + 1] * n,
            "Low": [close - 1] * n,
            "Close": [close] * n,
            "Adj Close": [close] * n,
            "Volume": np.array([100] * n, dtype="int64"),
        },
        index=index,
    )


def download_layout(dfs: dict[str, pd.DataFrame], group_by: str = "column") -> pd.DataFrame:
    """What yfinance 1.x ``download`` builds from per-ticker frames (multi.py)."""
    index = None
    for df in dfs.values():
        index = df.index if index is None else index.union(df.index)
    dfs = {k: v.reindex(index) for k, v in dfs.items()}
    data = pd.concat(dfs.values(), axis=1, sort=True, keys=dfs.keys(), names=["Ticker", "Price"])
    if group_by == "column":
        data.columns = data.columns.swaplevel(0, 1)
        data = data.sort_index(level=0, axis=1)
    return data


def test_history_layout_converts_exchange_time_to_utc() -> None:
    (bar,) = frame_to_bars(history(["2024-03-01 09:30"], 180.5), "AAPL")
    assert bar.ts == datetime(2024, 3, 1, 14, 30, tzinfo=UTC)
    assert (bar.open, bar.high, bar.low, bar.close, bar.volume) == (
        Decimal("180.5"),
        Decimal("181.5"),
        Decimal("179.5"),
        Decimal("180.5"),
        Decimal("100.0"),
    )


def test_download_one_ticker_multiindex_and_flat() -> None:
    frame = download_layout({"AAPL": history(["2024-03-01 09:30", "2024-03-01 09:31"], 10.0)})
    assert isinstance(frame.columns, pd.MultiIndex)
    assert [b.ts.minute for b in frame_to_bars(frame, "AAPL")] == [30, 31]
    flat = frame.droplevel(1, axis=1)  # multi_level_index=False
    assert [b.ts.minute for b in frame_to_bars(flat, "AAPL")] == [30, 31]


@pytest.mark.parametrize("group_by", ["column", "ticker"])
def test_download_several_tickers_drops_the_other_tickers_times(group_by: str) -> None:
    frame = download_layout(
        {
            "AAPL": history(["2024-03-01 09:30", "2024-03-01 09:32"], 10.0),
            "MSFT": history(["2024-03-01 09:30", "2024-03-01 09:31"], 20.0),
        },
        group_by,
    )
    assert len(frame) == 3  # union of times; AAPL is NaN at 09:31
    aapl = frame_to_bars(frame, "AAPL")
    assert [(b.ts.minute, b.close) for b in aapl] == [(30, Decimal("10.0")), (32, Decimal("10.0"))]
    assert [b.ts.minute for b in frame_to_bars(frame, "MSFT")] == [30, 31]
    assert frame_to_bars(frame, "GOOG") == []


def test_empty_frames_give_no_bars() -> None:
    empty = pd.DataFrame(
        {c: [] for c in ("Open", "High", "Low", "Close", "Adj Close", "Volume")},
        index=pd.DatetimeIndex([], name="Date"),
    )
    assert frame_to_bars(empty, "AAPL") == []
    assert frame_to_bars(None, "AAPL") == []


def test_naive_index_and_missing_columns_are_errors() -> None:
    naive = history(["2024-03-01 09:30"], 1.0).tz_localize(None)
    with pytest.raises(FeedError, match="naive index"):
        frame_to_bars(naive, "AAPL")
    with pytest.raises(FeedError, match="lacks column\\(s\\) Volume"):
        frame_to_bars(history(["2024-03-01 09:30"], 1.0).drop(columns="Volume"), "AAPL")


def test_history_with_default_arguments_has_actions_and_no_adj_close() -> None:
    # Ticker.history() defaults (auto_adjust=True, actions=True) in yfinance 1.x: columns
    # Open High Low Close Volume Dividends Stock Splits; daily bars index "Date" at midnight
    # in the exchange's timezone.
    index = pd.DatetimeIndex(
        pd.to_datetime(["2024-03-01", "2024-03-04"]).tz_localize(NY), name="Date"
    )
    frame = pd.DataFrame(
        {
            "Open": [10.0, 11.0],
            "High": [12.0, 12.5],
            "Low": [9.5, 10.5],
            "Close": [11.0, 12.0],
            "Volume": np.array([1000, 0], dtype="int64"),
            "Dividends": [0.0, 0.24],
            "Stock Splits": [0.0, 0.0],
        },
        index=index,
    )
    bars = frame_to_bars(frame, "MSFT")
    # midnight in New York on 2024-03-01 (EST, UTC-5) is 05:00 UTC
    assert [b.ts for b in bars] == [
        datetime(2024, 3, 1, 5, tzinfo=UTC),
        datetime(2024, 3, 4, 5, tzinfo=UTC),
    ]
    assert [(b.close, b.volume) for b in bars] == [
        (Decimal("11.0"), Decimal("1000.0")),
        (Decimal("12.0"), Decimal("0.0")),
    ]
