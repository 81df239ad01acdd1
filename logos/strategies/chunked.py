"""A strategy's whole-series signals, computed one chunk of bars at a time.

A backtest over a replay feed computes each symbol's signals with the strategy's vectorized
``signals()`` instead of asking ``update()`` bar by bar. The feed streams its files in chunks
(docs/feeds.md), so the signals are computed per chunk too: each chunk is prefixed with the
last ``window_size() - 1`` bars before it, which by the strategy contract (docs/strategies.md)
is all a signal depends on — the values are those of ``signals()`` on the whole series
(exactly for the built-ins; within the contract's tolerance for strategies whose float
arithmetic depends on where the frame starts). Memory is one chunk and that window, whatever
the length of the series.

A strategy whose ``window_size()`` is ``None`` depends on its whole history: it cannot be cut
into chunks, and :func:`signal_source` gives its ``update`` instead (the same numbers, by the
same contract, one bar at a time).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator

import numpy as np
import pandas as pd

from logos.domain import Bar
from logos.errors import DataError, LogosError
from logos.strategies.base import Strategy

__all__ = ["ChunkedSignals", "signal_source"]


class ChunkedSignals:
    """One symbol's signals: :meth:`add` computes a chunk's, calling the object gives the
    next bar's (the bars come in the order the chunks were added)."""

    __slots__ = ("_current", "_queue", "_tail", "strategy", "symbol", "window")

    def __init__(self, symbol: str, strategy: Strategy, window: int) -> None:
        if window < 1:
            raise LogosError(f"strategy for {symbol}: window_size() is {window}; it must be ≥ 1")
        self.symbol = symbol
        self.strategy = strategy
        self.window = window
        self._tail: pd.DataFrame | None = None  # the last window - 1 bars before the next chunk
        self._queue: deque[list[float]] = deque()  # chunks' signals not yet started
        self._current: Iterator[float] = iter(())

    def add(self, frame: pd.DataFrame) -> np.ndarray:
        """Compute the signals of the next chunk of bars (a frame in the shape ``signals()``
        takes) and queue them for the bars; return them (float64, one per row of ``frame``)."""
        values = self.compute(frame)
        if len(values):
            self._queue.append(values.tolist())
        return values

    def compute(self, frame: pd.DataFrame) -> np.ndarray:
        """The signals of the next chunk of bars, not queued (a session whose strategies are
        asked bar by bar still tallies which symbols ever had a signal)."""
        if frame.empty:
            return np.zeros(0)
        tail = self._tail
        joined = frame if tail is None or tail.empty else pd.concat([tail, frame])
        values = self.strategy.signals(joined).to_numpy(dtype=np.float64)
        if len(values) != len(joined):
            raise DataError(
                f"strategy for {self.symbol} returned {len(values)} signals for {len(joined)} bars"
            )
        values = values[len(joined) - len(frame) :]
        keep = self.window - 1
        self._tail = joined.iloc[max(len(joined) - keep, 0) :].copy() if keep else None
        return values

    def __call__(self, bar: Bar) -> float:
        """The signal of the next bar of this symbol."""
        try:
            return next(self._current)
        except StopIteration:
            if not self._queue:
                raise LogosError(
                    f"{self.symbol}: the feed gave a bar at {bar.ts.isoformat()} before the "
                    "chunk holding it was read; a replay feed passes each chunk to its "
                    "listeners first"
                ) from None
            self._current = iter(self._queue.popleft())
            return next(self._current)


def signal_source(symbol: str, strategy: Strategy) -> ChunkedSignals | Callable[[Bar], float]:
    """Where ``symbol``'s signals come from in a streamed backtest: chunks of the whole-series
    computation, or the strategy's ``update`` when its signal needs the whole history."""
    window = strategy.window_size()
    if window is None:
        return strategy.update
    return ChunkedSignals(symbol, strategy, window)
