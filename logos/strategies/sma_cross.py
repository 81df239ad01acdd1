"""``sma_cross``: long while the fast simple moving average of close is above the slow one."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field

from logos.components import Params
from logos.strategies.base import Strategy
from logos.strategies.exact import (
    DecimalScale,
    largest_magnitude,
    running_sums,
    scaled_int64,
    scaled_integers,
)

if TYPE_CHECKING:
    from logos.domain import Bar

NAN = math.nan


class SmaCross(Strategy):
    """Long-only moving-average cross: long while SMA(fast) > SMA(slow) on close.

    Signal 1 when SMA(fast) > SMA(slow) (strictly greater), else 0. No signal until both
    averages exist: the first signal is at row ``max(fast, slow)`` (1-based), and if the fast
    average is above there, that first 1 is an entry like any other 0 → 1 change. SMA(n) at a
    row is the mean of the closes of that row and the previous n - 1 rows, whatever the time gap
    between them. The averages are compared exactly on the closes' decimal values
    (``Σfast·slow > Σslow·fast`` in integers, see :mod:`logos.strategies.exact`), so equal
    averages compare equal however the closes round in binary (0.1, 4.1, 1.8, 2: both the
    1- and the 4-bar average are 2, signal 0).

    :meth:`update` keeps the last ``max(fast, slow)`` closes and both window sums as exact ints
    (:class:`~logos.strategies.exact.DecimalScale`), so each bar costs O(1) and the signal is
    the one ``signals`` gives, bit for bit.
    """

    name = "sma_cross"

    class Params(Params):
        fast: int = Field(10, ge=1, description="bars in the fast simple moving average")
        slow: int = Field(30, ge=1, description="bars in the slow simple moving average")

    def __init__(self, params: BaseModel | None = None, **kwargs: Any) -> None:
        super().__init__(params, **kwargs)
        self.reset()

    def warmup_bars(self) -> int:
        return max(self.params.fast, self.params.slow)

    def signals(self, bars: pd.DataFrame) -> pd.Series:
        closes = bars["close"].to_numpy(dtype="float64")
        fast, slow = self.params.fast, self.params.slow
        ints = scaled_int64(closes)
        # int64 is ~20x quicker than Python ints, and exact while no sum or product of a sum
        # and a length can reach 2**63: |window sum| <= length * largest
        if ints is None or largest_magnitude(ints) * fast * slow >= 2**63:
            ints = scaled_integers(closes)
        out = np.full(len(closes), np.nan)
        first = self.warmup_bars() - 1
        if len(closes) > first:
            running = running_sums(ints)  # one running sum serves both windows
            ends = running[first + 1 :]
            fast_sum = ends - running[first + 1 - fast : len(running) - fast]
            slow_sum = ends - running[first + 1 - slow : len(running) - slow]
            fast_sum *= slow  # in place: fresh 8 MB arrays cost page faults on 1M bars
            slow_sum *= fast
            out[first:] = fast_sum > slow_sum
        return self._series(out, bars)

    def reset(self) -> None:
        super().reset()
        self._fast: int = self.params.fast
        self._slow: int = self.params.slow
        self._scale = DecimalScale()
        self._ints = self._scale.cache  # close -> int on the scale (the hot path's lookup)
        # the last max(fast, slow) closes, oldest overwritten first; zeros before they exist,
        # so a sum can always drop the close leaving its window
        self._ring: list[int] = [0] * self.warmup_bars()
        self._pos = 0
        self._fast_sum = 0
        self._slow_sum = 0
        self._warming = self.warmup_bars() - 1  # bars still to go before the first signal

    def update(self, bar: Bar) -> float:
        close = self._ints.get(bar.close)
        if close is None:
            close = self._convert(bar.close)
        ring, pos = self._ring, self._pos
        fast_sum = self._fast_sum + close - ring[pos - self._fast]
        slow_sum = self._slow_sum + close - ring[pos - self._slow]
        ring[pos] = close
        self._pos = pos + 1 if pos + 1 < len(ring) else 0
        self._fast_sum, self._slow_sum = fast_sum, slow_sum
        if self._warming:
            self._warming -= 1
            return NAN
        return 1.0 if fast_sum * self._slow > slow_sum * self._fast else 0.0

    def _convert(self, price: Decimal) -> int:
        """``price`` on the common scale, rescaling the state when the scale grows."""
        value, factor = self._scale.convert(price)
        if factor != 1:
            self._ring = [v * factor for v in self._ring]
            self._fast_sum *= factor
            self._slow_sum *= factor
        return value
