"""Each symbol's bar closes for the price charts: from the bars a replay feed loaded, or from
the bars a session journaled in its ``slice`` records (docs/state.md)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from logos.reports.result import PriceSeries

if TYPE_CHECKING:
    from logos.state.journal import JournalContents


def price_series(frames: Mapping[str, pd.DataFrame]) -> dict[str, PriceSeries]:
    """Each symbol's times (UTC nanoseconds) and closes (float64) from its bar frame."""
    return {
        symbol: PriceSeries(
            ts_ns=frame.index.as_unit("ns").asi8.copy(),
            close=frame["close"].to_numpy(dtype=np.float64),
        )
        for symbol, frame in frames.items()
    }


def prices_from_journal(contents: JournalContents, symbols: list[str]) -> dict[str, PriceSeries]:
    """Each symbol's closes from the journal's ``slice`` records (bars as
    ``[symbol, open, high, low, close, volume]``), in ``symbols`` order."""
    times: dict[str, list[str]] = {symbol: [] for symbol in symbols}
    closes: dict[str, list[float]] = {symbol: [] for symbol in symbols}
    for record in contents.records:
        if record.type != "slice":
            continue
        for symbol, _open, _high, _low, close, _volume in record.data["bars"]:
            times.setdefault(symbol, []).append(record.ts)
            closes.setdefault(symbol, []).append(float(close))
    return {
        symbol: PriceSeries(
            ts_ns=pd.DatetimeIndex(pd.to_datetime(times[symbol], utc=True)).as_unit("ns").asi8,
            close=np.asarray(closes[symbol], dtype=np.float64),
        )
        for symbol in times
    }
