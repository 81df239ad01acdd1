"""``breakout``: Donchian channel breakout, long after a new high, short after a new low."""

from __future__ import annotations

import numpy as np
import pandas as pd
from pydantic import Field

from logos.components import Params
from logos.strategies.base import Strategy


class Breakout(Strategy):
    """Donchian channel breakout, long and short.

    The channel at a row spans the highs and lows of that row and the previous
    ``lookback - 1`` rows. Signal 1 when the channel's top (highest high) was set more recently
    than its bottom (lowest low) — the last breakout was upward — and -1 when the bottom was
    set more recently; 0 when both were set on the same row (e.g. flat prices). A new
    ``lookback``-row high therefore turns the signal long at once, and it stays long until a
    new low is made more recently than the last high inside the channel. When a value repeats,
    its most recent row counts. Depends on exactly ``lookback`` rows.
    """

    name = "breakout"

    class Params(Params):
        lookback: int = Field(20, ge=2, description="rows in the Donchian channel")

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
