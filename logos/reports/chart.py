"""The equity and drawdown chart of session.md (``equity.png``), its text sparkline, and the
downsampling every chart uses.

The PNG is drawn by matplotlib on the Agg canvas without pyplot (no global state, nothing
opens a window): equity in the account currency on top, drawdown in percent below, on one
UTC time axis. It is written without the PNG's ``Software`` entry (Agg writes no date), so
the same rows always give the same bytes.

Downsampling (:func:`envelope`): a line of more than ``points`` values is cut into
``points ÷ 2`` equal buckets of consecutive rows and keeps, from each, the row with the
lowest and the row with the highest value (in time order), plus the first and the last
row. Every peak and trough survives, so the deepest drawdown drawn is the real one, and a
million-row session draws a few thousand points.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

CHART_FILE = "equity.png"
WIDTH_PX, HEIGHT_PX, DPI = 1000, 600, 100
CHART_POINTS = 4000
"""Points at most per line of a chart (see :func:`envelope`)."""
SPARK = "▁▂▃▄▅▆▇█"


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


def downsample(values: np.ndarray, points: int) -> np.ndarray:
    """At most ``points`` values: the last value of each of ``points`` equal buckets."""
    if len(values) <= points:
        return values
    edges = np.linspace(0, len(values), points + 1).astype(np.int64)[1:] - 1
    return values[edges]


def sparkline(values: np.ndarray, width: int = 60) -> str:
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
    """Write the equity (top) and drawdown (bottom) chart to ``path`` (PNG)."""
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
        rows = np.union1d(envelope(equity), envelope(-drawdown))
        when = ts_ns[rows].astype("datetime64[ns]")
        top.plot(when, equity[rows], color="#1f77b4", linewidth=1)
        bottom.fill_between(when, -drawdown[rows] * 100, 0, color="#d62728", alpha=0.35)
        bottom.plot(when, -drawdown[rows] * 100, color="#d62728", linewidth=1)
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
