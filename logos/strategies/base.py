"""The ``Strategy`` component: bars in, target exposure out.

Contract (docs/strategies.md):

- ``signals(bars)`` gets a DataFrame with a tz-aware UTC ``DatetimeIndex`` (bar open time,
  strictly increasing) and float64 columns ``open high low close volume``; it returns a float64
  Series on the same index with the target exposure in [-1, 1] for each bar, NaN while there is
  not enough history. The signal at bar t is what the strategy wants to hold *after* bar t's
  close, and it must depend only on rows ≤ t (causal; ``logos check-strategy`` verifies it).
- ``update(bar)`` is the same signal computed incrementally: called once per bar of the
  instance's symbol, in time order, it returns the signal after that bar, which must be what
  ``signals`` gives at that bar on the frame of every bar passed so far (the contract suite
  compares them within ``SIGNAL_TOLERANCE``, with the same sign; the built-ins are exact). The
  state is the instance's: one instance per symbol. A backtest may use ``signals`` on the whole
  series for speed; a live or paper session calls ``update``. The default is the window
  fallback (keep the trailing ``window_size()`` bars, return ``last_signal`` on them), so every
  strategy has one; strategies that can compute the next signal in O(1) override it.
- ``warmup_bars()``: the number of rows needed before the first signal can exist; the first
  ``warmup_bars() - 1`` rows are always NaN, so with exactly ``warmup_bars()`` rows the last value
  is a signal.
- ``window_size()``: the number of trailing rows from which the last signal is reproduced:
  ``signals(bars.iloc[-w:]).iloc[-1] == signals(bars).iloc[-1]`` (exactly for the built-ins;
  within the contract's tolerance for strategies whose float arithmetic depends on where the
  frame starts). ``None`` means the signal depends on the whole history (a path-dependent
  strategy): the window fallback then keeps every bar since the first ``update``, and
  backtest/live parity holds only from the same first bar.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from logos.components import Component
from logos.strategies.targets import Entry, Protection
from logos.strategies.window import BAR_COLUMNS, BarWindow

if TYPE_CHECKING:
    from logos.domain import Bar

__all__ = ["BAR_COLUMNS", "Strategy"]


class Strategy(Component, ABC):
    """Base class of strategies: declares its warm-up and computes causal signals.

    ``entry`` and ``protection`` (docs/orders.md) say how the strategy enters (default: at
    market) and which exits every entry arms (default: the config's ``[exits]``, if any);
    a subclass sets them as class attributes, or per instance from its params.
    """

    entry: Entry | None = None
    protection: Protection | None = None

    @abstractmethod
    def warmup_bars(self) -> int:
        """Rows needed before the first signal can exist (≥ 1)."""

    def window_size(self) -> int | None:
        """Trailing rows that reproduce the last signal; ``None``: needs the full history."""
        return self.warmup_bars()

    @abstractmethod
    def signals(self, bars: pd.DataFrame) -> pd.Series:
        """Target exposure in [-1, 1] per bar (float64, NaN during warm-up), on ``bars.index``."""

    def last_signal(self, bars: pd.DataFrame) -> float:
        """The signal of the last row, computed on the trailing ``window_size()`` rows (NaN if
        there are no rows)."""
        if bars.empty:
            return float("nan")
        window = self.window_size()
        frame = bars if window is None or len(bars) <= window else bars.iloc[-window:]
        return float(self.signals(frame).iloc[-1])

    def update(self, bar: Bar) -> float:
        """The signal after ``bar``'s close: target exposure in [-1, 1], NaN during warm-up.

        Call it once per bar of this instance's symbol, in time order. It must equal what
        :meth:`signals` gives at that bar on all bars passed so far.

        This default is the window fallback: it keeps the trailing ``window_size()`` bars
        (every bar when that is ``None``) and returns :meth:`last_signal` on a float64 frame of
        them, the same shape ``signals`` gets. That costs a frame and a ``signals`` call per bar;
        a strategy that can compute its next signal from a few numbers of state should override
        ``update`` (and :meth:`reset`). Raises ``ValueError`` for a bar of another symbol, or one
        not after the previous bar.
        """
        window: BarWindow | None = getattr(self, "_bar_window", None)
        if window is None:  # made on first use: window_size() may need a subclass's own state
            window = self._bar_window = BarWindow(self.window_size())
        window.append(bar)
        return self.last_signal(window.frame())

    def reset(self) -> None:
        """Forget every bar :meth:`update` has seen: the next bar starts a new series.

        A strategy that overrides ``update`` overrides this too, to set up its own state, and
        calls it from ``__init__`` (the base class does not: a subclass's existing ``reset``
        keeps its meaning).
        """
        self._bar_window = None

    def _series(self, values: np.ndarray, bars: pd.DataFrame) -> pd.Series:
        """Wrap computed values as the float64 signal Series of ``bars``."""
        return pd.Series(np.asarray(values, dtype="float64"), index=bars.index, name=self.name)
