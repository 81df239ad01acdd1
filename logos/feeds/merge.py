"""Time slices from per-symbol streams of bars: a chunk-wise k-way merge.

Each symbol's bars come as a stream of blocks (timestamps in nanoseconds, strictly
increasing, and optionally the (n, 5) float block ``open high low close volume``). The merge
holds one block per symbol and repeatedly takes, from every symbol, the rows up to a bound no
later than the smallest last timestamp among the held blocks: no later block of any symbol
can hold a row at or before it, so what is taken is a run of whole time slices. The bound
is also kept low enough that a step takes about :data:`CHUNK_ROWS` rows in all, so the
arrays sorted at each step stay small however many symbols there are. Those rows, ordered by
(timestamp, symbol rank), become the slices. Memory: one block per symbol, whatever the
length of the series.

The same merge serves bars read from files chunk by chunk and frames held in memory (cut
into chunks), and counts the slices of a scan (timestamps only).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from functools import partial

import numpy as np
import pandas as pd

from logos.domain import Bar
from logos.feeds.base import decimal_from_float
from logos.feeds.validation import OHLCV_COLUMNS

Block = tuple[np.ndarray, np.ndarray | None]
"""Timestamps (int64 ns UTC, strictly increasing) and their (n, 5) OHLCV floats (or None)."""

Merged = tuple[np.ndarray, np.ndarray, np.ndarray | None]
"""Whole slices: timestamps, symbol ranks and OHLCV floats, ordered by (timestamp, rank)."""


def merge_blocks(streams: Sequence[Iterator[Block]]) -> Iterator[Merged]:
    """Runs of whole time slices of ``streams`` (symbol rank = position in ``streams``), of
    at most about :data:`CHUNK_ROWS` rows when several streams are merged.

    A stream is asked for its next block only when its held block is used up, so every
    block is pulled before any of its rows is yielded, and a stream's blocks are pulled in
    order. Empty blocks are skipped.
    """
    held: dict[int, Block] = {}
    for rank in range(len(streams)):
        _pull(streams, rank, held)
    while held:
        if len(held) == 1:  # one stream left: each of its blocks is a run of whole slices
            ((rank, (ts, values)),) = held.items()
            while True:
                yield ts, np.full(len(ts), rank, dtype=np.int64), values
                if not _pull(streams, rank, held):
                    return
                ts, values = held[rank]
        # up to the smallest last timestamp held, and at most about CHUNK_ROWS rows a step
        quota = max(CHUNK_ROWS // len(held), 1)
        bound = min(int(ts[min(quota, len(ts)) - 1]) for ts, _ in held.values())
        parts: list[tuple[int, np.ndarray, np.ndarray | None]] = []
        for rank in sorted(held):
            ts, values = held[rank]
            cut = int(np.searchsorted(ts, bound, side="right"))
            if cut == len(ts):
                parts.append((rank, ts, values))
                _pull(streams, rank, held)
            elif cut:
                parts.append((rank, ts[:cut], None if values is None else values[:cut]))
                held[rank] = (ts[cut:], None if values is None else values[cut:])
        yield _ordered(parts)


def _pull(streams: Sequence[Iterator[Block]], rank: int, held: dict[int, Block]) -> bool:
    """Hold the next non-empty block of stream ``rank``; False (and drop it) when done."""
    for ts, values in streams[rank]:
        if len(ts):
            held[rank] = (ts, values)
            return True
    held.pop(rank, None)
    return False


def _ordered(parts: list[tuple[int, np.ndarray, np.ndarray | None]]) -> Merged:
    if len(parts) == 1:
        rank, ts, values = parts[0]
        return ts, np.full(len(ts), rank, dtype=np.int64), values
    ts = np.concatenate([p[1] for p in parts])
    ranks = np.concatenate([np.full(len(p[1]), p[0], dtype=np.int64) for p in parts])
    order = np.lexsort((ranks, ts))
    values = None
    if parts[0][2] is not None:
        values = np.concatenate([p[2] for p in parts])[order]  # type: ignore[misc]
    return ts[order], ranks[order], values


def count_slices(merged: Iterator[Merged]) -> int:
    """The number of distinct timestamps in ``merged``."""
    total = 0
    for ts, _, _ in merged:
        total += 1 + int(np.count_nonzero(ts[1:] != ts[:-1])) if len(ts) else 0
    return total


def bar_slices(merged: Iterator[Merged], symbols: Sequence[str]) -> Iterator[list[Bar]]:
    """The time slices (``list[Bar]``, one timestamp each, in rank order) of ``merged``.

    Bars are built at most :data:`CHUNK_ROWS` at a time: each distinct price becomes a
    Decimal once (:class:`_ExactPrices`), each timestamp a tz-aware UTC datetime
    (:func:`_datetimes`, one per slice, shared by its bars). One generator, no delegation:
    this runs for every bar.
    """
    exact = _ExactPrices()
    names = np.array(list(symbols), dtype=object)
    for ts, ranks, values in merged:
        assert values is not None
        # a slice ends where the next row has a later timestamp (and at the end)
        ends = np.append(np.flatnonzero(ts[1:] != ts[:-1]) + 1, len(ts))
        start, total = 0, len(ts)
        while start < total:
            # whole slices only: the rows end at the last slice end within CHUNK_ROWS rows
            first_end = int(np.searchsorted(ends, start, side="right"))
            last_end = int(np.searchsorted(ends, min(start + CHUNK_ROWS, total), side="right"))
            last_end = max(last_end, first_end + 1)  # a slice longer than CHUNK_ROWS: all of it
            stop = int(ends[last_end - 1])
            rows = slice(start, stop)
            cuts = (ends[first_end:last_end] - start).tolist()
            if len(cuts) == stop - start:  # one bar per slice (one symbol, or no shared stamps)
                stamps = _datetimes(ts[rows])
            else:
                lengths = np.diff(ends[first_end:last_end], prepend=start)
                shared = np.empty(len(cuts), dtype=object)
                shared[:] = _datetimes(ts[ends[first_end:last_end] - 1])
                stamps = shared.repeat(lengths).tolist()
            columns = exact.columns(values[rows])
            symbol_names = names[ranks[rows]].tolist()
            bars = list(map(_new_bar, zip(symbol_names, stamps, *columns, strict=True)))
            if len(cuts) == len(bars):
                for bar in bars:
                    yield [bar]
            else:
                begin = 0
                for cut in cuts:
                    yield bars[begin:cut]
                    begin = cut
            start = stop


def frame_blocks(
    frame: pd.DataFrame,
    chunk_rows: int,
    after: datetime | None = None,
    until: datetime | None = None,
) -> Iterator[Block]:
    """A validated frame's rows with after < ts < until as blocks of ``chunk_rows`` rows."""
    ts = frame.index.as_unit("ns").asi8
    values = frame[list(OHLCV_COLUMNS)].to_numpy()
    lo, hi = window(ts, after, until)
    for start in range(lo, hi, chunk_rows):
        stop = min(start + chunk_rows, hi)
        yield ts[start:stop], values[start:stop]


def window(ts: np.ndarray, after: datetime | None, until: datetime | None) -> tuple[int, int]:
    """The positions ``[lo, hi)`` of the sorted nanosecond stamps ``ts`` with after < ts < until."""
    lo = 0 if after is None else int(np.searchsorted(ts, pd.Timestamp(after).value, "right"))
    hi = len(ts) if until is None else int(np.searchsorted(ts, pd.Timestamp(until).value, "left"))
    return lo, max(lo, hi)


def merge_slices(
    frames: dict[str, pd.DataFrame],
    symbols: Sequence[str],
    after: datetime | None = None,
    until: datetime | None = None,
) -> Iterator[list[Bar]]:
    """Time slices (bars with one ts, in ``symbols`` order) with after < ts < until, of
    frames held in memory (each in increasing time; one that is not is sorted first)."""
    streams = []
    for symbol in symbols:
        frame = frames[symbol]
        if not frame.index.is_monotonic_increasing:
            frame = frame.sort_index(kind="stable")
        streams.append(frame_blocks(frame, CHUNK_ROWS, after, until))
    return bar_slices(merge_blocks(streams), symbols)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_new_bar = partial(tuple.__new__, Bar)
"""``Bar._make`` without its length check (``zip(strict=True)`` of the seven fields already
made sure) and without its Python call: one is made per bar."""


def _datetimes(ns: np.ndarray) -> list[datetime]:
    """UTC nanoseconds as tz-aware UTC datetimes, floored to the microsecond (as pandas'
    ``to_pydatetime`` gives them): the epoch plus each time as a ``timedelta``, which numpy
    makes in C and ``datetime + timedelta`` adds in C, about twice as fast as pandas."""
    offsets = ns.view("timedelta64[ns]").astype("timedelta64[us]").tolist()
    return list(map(_EPOCH.__add__, offsets))


CHUNK_ROWS = 65_536
"""Bars built at a time: large enough to vectorize the conversions, small enough that a
long series is never held as Bar objects all at once."""


class _ExactPrices:
    """``decimal_from_float`` of many floats, each distinct value converted once (prices
    repeat a lot), with a bounded cache."""

    CACHE_LIMIT = 200_000

    def __init__(self) -> None:
        self.cache: dict[float, Decimal] = {}

    def columns(self, values: np.ndarray) -> list[list[Decimal]]:
        """One list of Decimals per column of the float block ``values``."""
        cache = self.cache
        if len(cache) > self.CACHE_LIMIT:
            cache.clear()
        codes, uniques = pd.factorize(values.ravel(order="F"))
        decimals = np.empty(len(uniques), dtype=object)
        decimals[:] = [
            cache.get(x) or cache.setdefault(x, decimal_from_float(x)) for x in uniques.tolist()
        ]
        flat = decimals[codes]
        count = len(values)
        return [flat[k * count : (k + 1) * count].tolist() for k in range(values.shape[1])]
