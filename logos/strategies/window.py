"""The trailing bars of one symbol as the float64 frame ``Strategy.signals`` takes.

This is the state of the default :meth:`Strategy.update` (the window fallback): a strategy
that does not implement ``update`` itself gets ``last_signal`` on a frame of its trailing
bars, holding the same floats as the replay feed's frame of the same bars, so the value is
what ``signals`` gives on the whole series at that bar (as far as ``window_size()`` keeps its
promise).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from logos.domain import Bar

BAR_COLUMNS: tuple[str, ...] = ("open", "high", "low", "close", "volume")

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_COLUMN_INDEX = pd.Index(BAR_COLUMNS)
_FIRST_CAPACITY = 64
"""Rows preallocated for an unbounded window (doubled whenever full)."""


def nanoseconds(ts: datetime) -> int:
    """``ts`` as integer nanoseconds since the Unix epoch (exact: datetimes hold microseconds).

    Raises ``ValueError`` for a naive datetime (bar timestamps are tz-aware UTC).
    """
    if ts.tzinfo is None:
        raise ValueError(f"bar timestamp {ts.isoformat()} is naive; bars are tz-aware UTC")
    return (ts - _EPOCH) // _MICROSECOND * 1000


class BarWindow:
    """The last ``size`` bars of one symbol (every bar when ``size`` is None), in time order.

    Bars are kept as float64 columns (``float(Decimal)`` of each price: the float the replay
    feed's frame holds, since its decimals are the floats' shortest reprs) and int64
    nanosecond timestamps, in arrays preallocated for twice the window. An append writes one
    row; when the arrays are full the window's rows move back to the front, once every
    ``size`` appends, so an append is O(1) amortized and memory stays bounded. An unbounded
    window doubles its arrays instead.

    Appending checks what the frame promises: one symbol, strictly increasing timestamps
    (``ValueError`` otherwise).
    """

    def __init__(self, size: int | None) -> None:
        if size is not None and size < 1:
            raise ValueError(f"window size must be at least 1, got {size}")
        self.size = size
        capacity = _FIRST_CAPACITY if size is None else 2 * size
        self._values = np.empty((len(BAR_COLUMNS), capacity), dtype="float64")
        self._ns = np.empty(capacity, dtype=np.int64)
        self._start = 0
        self._end = 0
        self._last_ns: int | None = None
        self._symbol: str | None = None

    def __len__(self) -> int:
        return self._end - self._start

    @property
    def capacity(self) -> int:
        """Rows allocated: ``2 * size`` for a bounded window, whatever the bars appended."""
        return len(self._ns)

    def append(self, bar: Bar) -> None:
        """Add ``bar`` after the last one, dropping the oldest bar beyond ``size``."""
        ns = nanoseconds(bar.ts)
        if self._symbol is None:
            self._symbol = bar.symbol
        elif bar.symbol != self._symbol:
            raise ValueError(
                f"bar of {bar.symbol!r} given to the strategy of {self._symbol!r}: "
                "use one strategy instance per symbol"
            )
        if self._last_ns is not None and ns <= self._last_ns:
            raise ValueError(
                f"{bar.symbol}: bar at {bar.ts.isoformat()} is not after the previous bar; "
                "update() takes each bar once, in time order"
            )
        if self._end == len(self._ns):
            self._make_room()
        end = self._end
        values = self._values
        values[0, end] = float(bar.open)
        values[1, end] = float(bar.high)
        values[2, end] = float(bar.low)
        values[3, end] = float(bar.close)
        values[4, end] = float(bar.volume)
        self._ns[end] = ns
        self._last_ns = ns
        self._end = end + 1
        if self.size is not None and self._end - self._start > self.size:
            self._start += 1

    def _make_room(self) -> None:
        start, end = self._start, self._end
        count = end - start
        if self.size is None:  # the whole history: grow
            values = np.empty((len(BAR_COLUMNS), 2 * len(self._ns)), dtype="float64")
            stamps = np.empty(2 * len(self._ns), dtype=np.int64)
        else:  # a full window: move it to the front
            values, stamps = self._values, self._ns
        values[:, :count] = self._values[:, start:end]
        stamps[:count] = self._ns[start:end]
        self._values, self._ns = values, stamps
        self._start, self._end = 0, count

    def frame(self) -> pd.DataFrame:
        """The window as a new DataFrame: tz-aware UTC ``DatetimeIndex`` named ``ts`` (bar open
        time) and float64 columns ``open high low close volume`` (a copy: the caller may keep
        it)."""
        start, end = self._start, self._end
        index = pd.DatetimeIndex(self._ns[start:end].view("M8[ns]"), name="ts", tz="UTC", copy=True)
        columns = _COLUMN_INDEX.view()  # its own Index object: renaming it changes no other frame
        return pd.DataFrame(self._values[:, start:end].T, index=index, columns=columns, copy=True)
