"""Average true range, bar by bar: what an ATR-multiple exit is measured in.

Wilder's ATR: the true range of a bar is max(high − low, |high − previous close|,
|low − previous close|); the ATR over ``period`` bars is their mean for the first ``period``
bars, then ``atr = (atr × (period − 1) + true range) / period``. Float64, like every
indicator; the exit it sizes becomes an exact Decimal offset when the entry is sized.
"""

from __future__ import annotations

import math

from logos.domain import Bar


class WilderAtr:
    """The ATR of the bars passed to :meth:`update` so far (NaN until ``period`` bars)."""

    __slots__ = ("_count", "_prev_close", "_sum", "period", "value")

    def __init__(self, period: int) -> None:
        self.period = period
        self.value = math.nan
        self._count = 0
        self._sum = 0.0
        self._prev_close: float | None = None

    def update(self, bar: Bar) -> float:
        """Take one bar (in time order); return the ATR after it."""
        high, low = float(bar.high), float(bar.low)
        prev = self._prev_close
        true_range = (
            high - low if prev is None else max(high - low, abs(high - prev), abs(low - prev))
        )
        self._prev_close = float(bar.close)
        self._count += 1
        if self._count < self.period:
            self._sum += true_range
        elif self._count == self.period:
            self.value = (self._sum + true_range) / self.period
        else:
            self.value = (self.value * (self.period - 1) + true_range) / self.period
        return self.value

    def state(self) -> list[float | int | None]:
        """What a restart needs (JSON-serialisable): count, running sum, previous close, ATR."""
        value = None if math.isnan(self.value) else self.value
        return [self._count, self._sum, self._prev_close, value]

    def restore(self, state: list[float | int | None]) -> None:
        """Take back a :meth:`state`."""
        count, total, prev, value = state
        self._count, self._sum = int(count or 0), float(total or 0.0)
        self._prev_close = None if prev is None else float(prev)
        self.value = math.nan if value is None else float(value)
