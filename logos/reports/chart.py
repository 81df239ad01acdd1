"""The equity and drawdown chart of session.md (``equity.png``), its text sparkline, and the
downsampling every chart uses.

The PNG is drawn by matplotlib on the Agg canvas without pyplot (no global state, nothing
opens a window): equity in the account currency on top, drawdown in percent below, on one
UTC time axis. It is written without the PNG's ``Software`` entry (Agg writes no date), so
the same rows always give the same bytes.

Downsampling keeps, from each bucket of consecutive rows, the row with the lowest and the
row with the highest value (in time order), plus the first and the last row: every peak and
trough survives, so the deepest drawdown drawn is the real one, and a session of millions of
rows draws a few thousand points.

- :func:`envelope` does it for a whole array: ``points ÷ 2`` equal buckets.
- :class:`CurveSampler` does it while the rows arrive, chunk by chunk, when their number is
  not known in advance (bars from a feed, account rows read from disk): buckets are
  ``width`` rows aligned on row 0, and the width doubles (neighbouring buckets merge)
  whenever there would be more than ``points ÷ 2`` of them. The kept rows depend on the rows
  alone, never on how they were chunked, and a row range's extremes are found by comparing
  values only (the earlier row on a tie), so merging two buckets keeps their extremes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

CHART_FILE = "equity.png"
WIDTH_PX, HEIGHT_PX, DPI = 1000, 600, 100
CHART_POINTS = 4000
"""Points at most per line of a chart (see :func:`envelope`)."""
SPARK = "▁▂▃▄▅▆▇█"
SPARK_WIDTH = 60
"""Characters of a sparkline."""

_Point = tuple[int, int, tuple[float, ...]]  # row, time (ns), the row's values


def envelope(values: np.ndarray, points: int = CHART_POINTS) -> np.ndarray:
    """The row indexes to draw of ``values`` (all of them when there are at most
    ``points``): each bucket's lowest and highest, the first and the last row."""
    count = len(values)
    if count <= points:
        return np.arange(count)
    buckets = max(points // 2, 1)
    size = -(-count // buckets)  # ceil
    padded = np.pad(values, (0, buckets * size - count), mode="edge").reshape(buckets, size)
    base = np.arange(buckets) * size
    keep = np.concatenate(
        ([0, count - 1], base + np.argmin(padded, axis=1), base + np.argmax(padded, axis=1))
    )
    return np.unique(np.minimum(keep, count - 1))


class CurveSampler:
    """At most about ``points`` rows per column of a curve that arrives in chunks: each
    bucket's lowest and highest row of every column, the first and the last row (see the
    module docstring). Each kept row carries its time and all its columns' values, so
    several lines (equity and drawdown) are drawn on the same rows."""

    __slots__ = ("_buckets", "_columns", "_count", "_first", "_last", "_limit", "_width")

    def __init__(self, columns: int = 1, points: int = CHART_POINTS) -> None:
        self._columns = columns
        self._limit = max(points // 2, 1)  # buckets at most
        self._width = 1  # rows per bucket: a power of two
        self._count = 0
        self._buckets: dict[int, list[_Point]] = {}
        self._first: _Point | None = None
        self._last: _Point | None = None

    @property
    def count(self) -> int:
        """Rows added so far."""
        return self._count

    def add(self, ts_ns: np.ndarray, *columns: np.ndarray) -> None:
        """Add the next rows: their times (int64 UTC nanoseconds) and one float array per
        column, all of the same length."""
        n = len(ts_ns)
        if len(columns) != self._columns or any(len(c) != n for c in columns):
            raise ValueError(
                f"CurveSampler.add: {len(columns)} columns for {self._columns}, "
                f"lengths {[len(c) for c in columns]} for {n} times"
            )
        if n == 0:
            return
        start = self._count
        self._count += n
        while -(-self._count // self._width) > self._limit:
            self._double()
        values = np.column_stack([np.asarray(c, dtype=np.float64) for c in columns])
        times = np.asarray(ts_ns, dtype=np.int64)
        buckets = (start + np.arange(n)) // self._width
        starts = np.flatnonzero(np.diff(buckets, prepend=buckets[0] - 1))
        picks = [_segment_extremes(values[:, j], starts) for j in range(self._columns)]
        rows = np.unique(np.concatenate([np.concatenate(p) for p in picks]))
        segments: dict[int, list[_Point]] = {}
        owners = np.searchsorted(starts, rows, side="right") - 1
        for i, s in zip(rows.tolist(), owners.tolist(), strict=True):
            point = (start + i, int(times[i]), tuple(values[i].tolist()))
            segments.setdefault(int(buckets[starts[s]]), []).append(point)
        for bucket, points in segments.items():
            if bucket in self._buckets:  # the first segment may continue the last bucket
                points = self._extremes(self._buckets[bucket] + points)
            self._buckets[bucket] = points
        if self._first is None:
            self._first = (start, int(times[0]), tuple(values[0].tolist()))
        self._last = (start + n - 1, int(times[-1]), tuple(values[-1].tolist()))

    def sample(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The kept rows in time order: their row numbers, times (int64 UTC ns) and values
        (float64, one column per curve column)."""
        points = {p[0]: p for pts in self._buckets.values() for p in pts}
        for end in (self._first, self._last):
            if end is not None:
                points[end[0]] = end
        ordered = [points[row] for row in sorted(points)]
        rows = np.array([p[0] for p in ordered], dtype=np.int64)
        times = np.array([p[1] for p in ordered], dtype=np.int64)
        values = np.array([p[2] for p in ordered], dtype=np.float64).reshape(
            len(ordered), self._columns
        )
        return rows, times, values

    def _double(self) -> None:
        """Merge neighbouring buckets: twice the width, half the buckets."""
        merged: dict[int, list[_Point]] = {}
        for bucket, points in self._buckets.items():
            merged.setdefault(bucket // 2, []).extend(points)
        self._buckets = {b: self._extremes(p) for b, p in merged.items()}
        self._width *= 2

    def _extremes(self, points: list[_Point]) -> list[_Point]:
        """The points that are the lowest or the highest of some column (the earlier on a
        tie, NaN never unless every value is NaN), in row order."""
        keep: dict[int, _Point] = {}
        ordered = sorted(points, key=lambda p: p[0])
        for j in range(self._columns):
            finite = [p for p in ordered if p[2][j] == p[2][j]]  # NaN != NaN
            if not finite:
                keep[ordered[0][0]] = ordered[0]
                continue
            low = min(finite, key=lambda p: p[2][j])  # min/max: the first of equals
            high = max(finite, key=lambda p: p[2][j])
            keep[low[0]], keep[high[0]] = low, high
        return [keep[row] for row in sorted(keep)]


def _segment_extremes(values: np.ndarray, starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per segment of ``values`` (segments begin at ``starts``): the index of its first
    lowest and of its first highest value, NaN ignored (a segment of NaN only: its start)."""
    lengths = np.diff(np.append(starts, len(values)))
    segment = np.repeat(np.arange(len(starts)), lengths)
    found = []
    for reduce in (np.fmin, np.fmax):
        with np.errstate(invalid="ignore"):
            best = reduce.reduceat(values, starts)
        hit = values == best[segment]
        hit[starts[np.isnan(best)]] = True
        index = np.flatnonzero(hit)
        _, first = np.unique(segment[index], return_index=True)
        found.append(index[first])
    return found[0], found[1]


def downsample(values: np.ndarray, points: int) -> np.ndarray:
    """At most ``points`` values: the last value of each of ``points`` equal buckets."""
    if len(values) <= points:
        return values
    return values[downsample_rows(len(values), points)]


def downsample_rows(count: int, points: int) -> np.ndarray:
    """The rows :func:`downsample` keeps of ``count`` values (known before they are read,
    so a sparkline can be picked while the rows stream by)."""
    if count <= points:
        return np.arange(count)
    return np.linspace(0, count, points + 1).astype(np.int64)[1:] - 1


def sparkline(values: np.ndarray, width: int = SPARK_WIDTH) -> str:
    """A one-line unicode sparkline of ``values`` (empty for no values)."""
    if len(values) == 0:
        return ""
    sampled = downsample(values, width)
    low, high = float(np.min(sampled)), float(np.max(sampled))
    if high == low:
        return SPARK[0] * len(sampled)
    levels = np.floor((sampled - low) / (high - low) * (len(SPARK) - 1) + 0.5).astype(int)
    return "".join(SPARK[i] for i in levels)


def write_equity_png(
    path: Path,
    ts_ns: np.ndarray,
    equity: np.ndarray,
    drawdown: np.ndarray,
    *,
    title: str,
    currency: str,
) -> Path:
    """Write the equity (top) and drawdown (bottom) chart to ``path`` (PNG), drawing every
    row given: give it a bounded sample (:class:`CurveSampler`, :func:`envelope`)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
    from matplotlib.figure import Figure
    from matplotlib.ticker import PercentFormatter

    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI)
    # fixed margins, room for 9-digit equity labels: a constrained layout cost half the render
    figure.subplots_adjust(left=0.1, right=0.98, top=0.93, bottom=0.1, hspace=0.08)
    FigureCanvasAgg(figure)
    top, bottom = figure.subplots(
        2, 1, sharex=True, gridspec_kw={"height_ratios": [2, 1]}, squeeze=True
    )
    if len(equity):
        when = np.asarray(ts_ns, dtype=np.int64).astype("datetime64[ns]")
        top.plot(when, equity, color="#1f77b4", linewidth=1)
        bottom.fill_between(when, -drawdown * 100, 0, color="#d62728", alpha=0.35)
        bottom.plot(when, -drawdown * 100, color="#d62728", linewidth=1)
        locator = AutoDateLocator()
        bottom.xaxis.set_major_locator(locator)
        bottom.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    else:
        top.text(0.5, 0.5, "no account rows", ha="center", va="center", transform=top.transAxes)
    top.set_title(f"{title}: equity and drawdown")
    top.set_ylabel(f"equity ({currency})")
    top.ticklabel_format(axis="y", style="plain", useOffset=False)
    top.grid(True, alpha=0.3)
    bottom.set_ylabel("drawdown (%)")
    bottom.yaxis.set_major_formatter(PercentFormatter(decimals=1))
    bottom.set_xlabel("time (UTC)")
    bottom.grid(True, alpha=0.3)
    figure.savefig(path, format="png", dpi=DPI, metadata={"Software": None})
    return path
