"""Deterministic equity and drawdown charts: a hand-made SVG and a text sparkline.

No plotting library: the same account rows always give the same bytes.
"""

from __future__ import annotations

import numpy as np

WIDTH, HEIGHT, PAD = 800, 360, 40
SPARK = "▁▂▃▄▅▆▇█"


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


def _polyline(values: np.ndarray, top: float, height: float, low: float, high: float) -> str:
    span = (high - low) or 1.0
    count = max(len(values) - 1, 1)
    points = []
    for i, v in enumerate(values.tolist()):
        x = PAD + (WIDTH - 2 * PAD) * i / count
        y = top + height - (v - low) / span * height
        points.append(f"{x:.1f},{y:.1f}")
    return " ".join(points)


def equity_svg(equity: np.ndarray, drawdown: np.ndarray, title: str) -> str:
    """An SVG with equity (top panel) and drawdown fraction (bottom panel)."""
    eq = downsample(equity, 600)
    dd = downsample(drawdown, 600)
    panel = (HEIGHT - 3 * PAD) / 2
    eq_low = float(np.min(eq)) if len(eq) else 0.0
    eq_high = float(np.max(eq)) if len(eq) else 1.0
    dd_high = float(np.max(dd)) if len(dd) else 0.0
    eq_line = _polyline(eq, PAD, panel, eq_low, eq_high) if len(eq) else ""
    dd_line = _polyline(-dd, 2 * PAD + panel, panel, -(dd_high or 1.0), 0.0) if len(dd) else ""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="12">\n'
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>\n'
        f'<text x="{PAD}" y="{PAD - 12}">{_escape(title)} — equity '
        f"(min {eq_low:.2f}, max {eq_high:.2f})</text>\n"
        f'<polyline fill="none" stroke="#1f77b4" stroke-width="1" points="{eq_line}"/>\n'
        f'<text x="{PAD}" y="{2 * PAD + panel - 12}">drawdown (max {dd_high:.2%})</text>\n'
        f'<polyline fill="none" stroke="#d62728" stroke-width="1" points="{dd_line}"/>\n'
        "</svg>\n"
    )


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
