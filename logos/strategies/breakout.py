"""``breakout``: Donchian channel breakout, long after a new high, short after a new low."""

from __future__ import annotations

import math
from collections import deque
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field

from logos.components import Params
from logos.strategies.base import Strategy

if TYPE_CHECKING:
    from logos.domain import Bar

NAN = math.nan


class Breakout(Strategy):
    """Donchian channel breakout, long and short.

    The channel at a row spans the highs and lows of that row and the previous
    ``lookback - 1`` rows. Signal 1 when the channel's top (highest high) was set more recently
    than its bottom (lowest low) — the last breakout was upward — and -1 when the bottom was
    set more recently; 0 when both were set on the same row (e.g. flat prices). A new
    ``lookback``-row high therefore turns the signal long at once, and it stays long until a
    new low is made more recently than the last high inside the channel. When a value repeats,
    its most recent row counts. Depends on exactly ``lookback`` rows.

    :meth:`update` keeps, for the highs and for the lows, the rows that can still become the
    channel's top (bottom) — each higher (lower) than every later one in the window — in a
    deque: O(1) amortized per bar. It compares the bars' ``Decimal`` prices, which order like
    the floats ``signals`` compares, so the signals are the same, bit for bit.
    """

    name = "breakout"

    class Params(Params):
        lookback: int = Field(20, ge=2, description="rows in the Donchian channel")

    def __init__(self, params: BaseModel | None = None, **kwargs: Any) -> None:
        super().__init__(params, **kwargs)
        self.reset()

    def warmup_bars(self) -> int:
        return self.params.lookback

    def signals(self, bars: pd.DataFrame) -> pd.Series:
        n = self.params.lookback
        out = np.full(len(bars), np.nan)
        if len(bars) >= n:
            view = np.lib.stride_tricks.sliding_window_view
            highs = view(bars["high"].to_numpy(dtype="float64"), n)[:, ::-1]
            lows = view(bars["low"].to_numpy(dtype="float64"), n)[:, ::-1]
            top_age = np.argmax(highs, axis=1)  # first in reversed window = most recent
            bottom_age = np.argmin(lows, axis=1)
            out[n - 1 :] = np.sign(bottom_age - top_age).astype("float64")
        return self._series(out, bars)

    def reset(self) -> None:
        super().reset()
        self._row = -1  # the row number of the last bar
        # candidates for the top (bottom): row numbers and prices, oldest first, prices strictly
        # falling (rising) from front to back, so the front is the most recent top (bottom)
        self._top_rows: deque[int] = deque()
        self._tops: deque[Decimal] = deque()
        self._bottom_rows: deque[int] = deque()
        self._bottoms: deque[Decimal] = deque()

    def update(self, bar: Bar) -> float:
        row = self._row = self._row + 1
        expired = row - self.params.lookback  # the row that just left the channel
        high, rows, prices = bar.high, self._top_rows, self._tops
        while prices and prices[-1] <= high:  # a repeat replaces the older row: it is more recent
            prices.pop()
            rows.pop()
        prices.append(high)
        rows.append(row)
        if rows[0] == expired:
            rows.popleft()
            prices.popleft()
        low, rows, prices = bar.low, self._bottom_rows, self._bottoms
        while prices and prices[-1] >= low:
            prices.pop()
            rows.pop()
        prices.append(low)
        rows.append(row)
        if rows[0] == expired:
            rows.popleft()
            prices.popleft()
        if expired < -1:
            return NAN
        top, bottom = self._top_rows[0], self._bottom_rows[0]
        return 1.0 if top > bottom else -1.0 if top < bottom else 0.0
