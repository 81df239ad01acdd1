"""yfinance frames → Bars: both column layouts, tz-aware index, empty frames.

``Ticker.history`` returns flat columns ``Open High Low Close [Adj Close] Volume`` with a
``Datetime`` index in the exchange's timezone (intraday). ``yfinance.download`` (1.x)
returns MultiIndex columns — ``(Price, Ticker)`` by default, ``(Ticker, Price)`` with
``group_by="ticker"`` — for one ticker as well as several, unless
``multi_level_index=False``; tickers missing at some times are NaN rows after its union
reindex. Both layouts are accepted here.
"""

from __future__ import annotations

import pandas as pd

from logos.domain import Bar
from logos.errors import FeedError
from logos.feeds.base import decimal_from_float

PRICE_FIELDS = ("Open", "High", "Low", "Close", "Volume")


def _single_ticker(frame: pd.DataFrame, symbol: str) -> pd.DataFrame:
    if not isinstance(frame.columns, pd.MultiIndex):
        return frame
    for level in range(frame.columns.nlevels):
        values = frame.columns.get_level_values(level)
        for key in (symbol, symbol.upper()):
            if key in values:
                return frame.xs(key, axis=1, level=level)
    return frame.iloc[:, 0:0]


def frame_to_bars(frame: pd.DataFrame | None, symbol: str) -> list[Bar]:
    """The bars of ``symbol`` in a yfinance frame, open times in UTC, in the frame's order.

    Rows whose prices are all NaN (no trade, or another ticker's time in ``download``) are
    dropped; partly missing rows are kept so the feed's validation reports them.
    """
    if frame is None or frame.empty:
        return []
    frame = _single_ticker(frame, symbol)
    if frame.empty:
        return []
    missing = [name for name in PRICE_FIELDS if name not in frame.columns]
    if missing:
        raise FeedError(f"yfinance frame for {symbol} lacks column(s) {', '.join(missing)}")
    index = frame.index
    if not isinstance(index, pd.DatetimeIndex):
        raise FeedError(f"yfinance frame for {symbol} has no datetime index")
    if index.tz is None:
        raise FeedError(
            f"yfinance frame for {symbol} has a naive index; minute bars need the exchange "
            "timezone (do not pass ignore_tz=True)"
        )
    prices = frame[list(PRICE_FIELDS)].astype("float64")
    prices = prices[prices[["Open", "High", "Low", "Close"]].notna().any(axis=1)]
    stamps = prices.index.tz_convert("UTC").to_pydatetime()
    return [
        Bar(
            symbol=symbol,
            ts=ts,
            open=decimal_from_float(o),
            high=decimal_from_float(h),
            low=decimal_from_float(lo),
            close=decimal_from_float(c),
            volume=decimal_from_float(v if v == v else 0.0),
        )
        for ts, (o, h, lo, c, v) in zip(stamps, prices.to_numpy().tolist(), strict=True)
    ]
