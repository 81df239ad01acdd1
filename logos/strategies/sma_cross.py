"""``sma_cross``: long while the fast simple moving average of close is above the slow one."""

from __future__ import annotations

import numpy as np
import pandas as pd
from pydantic import Field

from logos.components import Params
from logos.strategies.base import Strategy, window_sums


class SmaCross(Strategy):
    """Long-only moving-average cross: long while SMA(fast) > SMA(slow) on close.

    Signal 1 when SMA(fast) > SMA(slow) (strictly greater), else 0. No signal until both
    averages exist: the first signal is at row ``max(fast, slow)`` (1-based), and if the fast
    average is above there, that first 1 is an entry like any other 0 → 1 change. SMA(n) at a
    row is the mean of the closes of that row and the previous n - 1 rows, whatever the time gap
    between them. The comparison is made on sums of deviations from the current close
    (``Σfast·slow > Σslow·fast``), so equal averages (flat prices) compare exactly equal.
    """

    name = "sma_cross"

    class Params(Params):
        fast: int = Field(10, ge=1, description="bars in the fast simple moving average")
        slow: int = Field(30, ge=1, description="bars in the slow simple moving average")

    def warmup_bars(self) -> int:
        return max(self.params.fast, self.params.slow)

    def signals(self, bars: pd.DataFrame) -> pd.Series:
        close = bars["close"].to_numpy(dtype="float64")
        fast, slow = self.params.fast, self.params.slow
        fast_sum = window_sums(close, fast, anchor=close)
        slow_sum = window_sums(close, slow, anchor=close)
        ready = ~(np.isnan(fast_sum) | np.isnan(slow_sum))
        above = fast_sum * slow > slow_sum * fast
        return self._series(np.where(ready, above.astype("float64"), np.nan), bars)
