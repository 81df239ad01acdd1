"""The ``Strategy`` component: bars in, target exposure out.

Contract (docs/strategies.md):

- ``signals(bars)`` gets a DataFrame with a tz-aware UTC ``DatetimeIndex`` (bar open time,
  strictly increasing) and float64 columns ``open high low close volume``; it returns a float64
  Series on the same index with the target exposure in [-1, 1] for each bar, NaN while there is
  not enough history. The signal at bar t is what the strategy wants to hold *after* bar t's
  close, and it must depend only on rows ≤ t (causal; ``logos check-strategy`` verifies it).
- ``warmup_bars()``: the number of rows needed before the first signal can exist; the first
  ``warmup_bars() - 1`` rows are always NaN, so with exactly ``warmup_bars()`` rows the last value
  is a signal.
- ``window_size()``: the number of trailing rows from which the last signal is reproduced
  *exactly* (bit for bit): ``signals(bars.iloc[-w:]).iloc[-1] == signals(bars).iloc[-1]``. The live
  path calls :meth:`Strategy.last_signal`, which passes exactly that window. ``None`` means the
  signal depends on the whole history (a path-dependent strategy); the caller must then pass
  every bar since the session's first bar, and backtest/live parity holds only from the same
  first bar. Every built-in returns a number.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np
import pandas as pd

from logos.components import Component

BAR_COLUMNS: tuple[str, ...] = ("open", "high", "low", "close", "volume")


class Strategy(Component, ABC):
    """Base class of strategies: declares its warm-up and computes causal signals."""

    @abstractmethod
    def warmup_bars(self) -> int:
        """Rows needed before the first signal can exist (≥ 1)."""

    def window_size(self) -> int | None:
        """Trailing rows that reproduce the last signal exactly; ``None``: needs full history."""
        return self.warmup_bars()

    @abstractmethod
    def signals(self, bars: pd.DataFrame) -> pd.Series:
        """Target exposure in [-1, 1] per bar (float64, NaN during warm-up), on ``bars.index``."""

    def last_signal(self, bars: pd.DataFrame) -> float:
        """The signal of the last row, computed on the trailing ``window_size()`` rows (NaN if
        there are too few rows). This is what the live path calls each bar."""
        if bars.empty:
            return float("nan")
        window = self.window_size()
        frame = bars if window is None else bars.iloc[-window:]
        return float(self.signals(frame).iloc[-1])

    def _series(self, values: np.ndarray, bars: pd.DataFrame) -> pd.Series:
        """Wrap computed values as the float64 signal Series of ``bars``."""
        return pd.Series(np.asarray(values, dtype="float64"), index=bars.index, name=self.name)
