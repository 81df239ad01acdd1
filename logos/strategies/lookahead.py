"""Causality checks: signals on prefixes (and trailing windows) must equal the full-data signals.

A strategy is causal when the signal at bar t depends only on bars ≤ t, so computing it on
``bars[:k]`` gives exactly the first k values computed on all bars. :func:`check_causal`
compares them on every prefix (or a dense sample for long data) and reports the first bar that
differs. :func:`check_window` checks the live-path promise of ``Strategy.window_size()``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from logos.errors import LogosError
from logos.strategies.base import Strategy

DEFAULT_MAX_PREFIXES = 300


@dataclass(frozen=True)
class Mismatch:
    """The first bar where a partial-data signal differs from the full-data signal."""

    bar: int
    ts: pd.Timestamp
    rows_given: int
    partial: float
    full: float

    def describe(self, what: str) -> str:
        """One readable line."""
        return (
            f"bar {self.bar} ({self.ts.isoformat()}): signal with {what} of {self.rows_given} "
            f"row(s) is {self.partial!r} but with all data it is {self.full!r}"
        )


def prefix_lengths(n_rows: int, warmup: int, max_prefixes: int = DEFAULT_MAX_PREFIXES) -> list[int]:
    """Prefix lengths to check: all of them up to ``max_prefixes``, else every length through
    the warm-up (+ a margin) and evenly spaced ones after it, always including ``n_rows``."""
    if n_rows <= max_prefixes:
        return list(range(1, n_rows + 1))
    dense_end = min(n_rows, warmup + 20)
    rest = max_prefixes - dense_end
    spaced = np.linspace(dense_end + 1, n_rows, num=max(rest, 2)).round().astype(int)
    return sorted(set(range(1, dense_end + 1)) | {int(v) for v in spaced} | {n_rows})


def _same(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a == b) | (np.isnan(a) & np.isnan(b))


class StrategyCheckError(LogosError):
    """A strategy failed a check (leaks the future, bad values, window mismatch, crashed)."""


def _values(strategy: Strategy, bars: pd.DataFrame) -> np.ndarray:
    try:
        result = strategy.signals(bars)
    except Exception as exc:  # a third-party strategy may raise anything
        raise StrategyCheckError(
            f"{strategy.name}: signals() raised {type(exc).__name__}: {exc} on {len(bars)} row(s)"
        ) from exc
    if not isinstance(result, pd.Series) or not result.index.equals(bars.index):
        raise StrategyCheckError(
            f"{strategy.name}: signals() must return a Series on the bars' index"
        )
    return result.to_numpy(dtype="float64")


def check_causal(
    strategy: Strategy, bars: pd.DataFrame, max_prefixes: int = DEFAULT_MAX_PREFIXES
) -> tuple[Mismatch | None, int]:
    """(first mismatch or None, number of prefixes checked).

    Every prefix is checked; the mismatch reported is the earliest bar that differs on any
    of them, with the shortest prefix on which it differs (a leak that only shows on long
    prefixes can still hit an early bar)."""
    full = _values(strategy, bars)
    lengths = prefix_lengths(len(bars), strategy.warmup_bars(), max_prefixes)
    first: Mismatch | None = None
    checked = 0
    for k in lengths:
        if first is not None and first.bar == 0:
            break  # nothing can be earlier
        checked += 1
        partial = _values(strategy, bars.iloc[:k])
        differs = ~_same(partial, full[:k])
        if differs.any():
            bar = int(differs.argmax())
            if first is None or bar < first.bar:
                first = Mismatch(bar, bars.index[bar], k, float(partial[bar]), float(full[bar]))
    return first, checked


def check_window(
    strategy: Strategy, bars: pd.DataFrame, max_prefixes: int = DEFAULT_MAX_PREFIXES
) -> tuple[Mismatch | None, int]:
    """Check that the last signal from the trailing ``window_size()`` rows equals the full-data
    signal at the same bar (what the live path relies on). Returns (mismatch, bars checked);
    (None, 0) when the strategy declares it needs the full history."""
    window = strategy.window_size()
    if window is None:
        return None, 0
    full = _values(strategy, bars)
    ends = prefix_lengths(len(bars), strategy.warmup_bars(), max_prefixes)
    for k in ends:
        value = strategy.last_signal(bars.iloc[:k])
        if not (value == full[k - 1] or (math.isnan(value) and math.isnan(full[k - 1]))):
            bar = k - 1
            given = min(window, k)
            return Mismatch(bar, bars.index[bar], given, value, float(full[bar])), len(ends)
    return None, len(ends)


def check_signal_values(strategy: Strategy, bars: pd.DataFrame) -> list[str]:
    """Problems with the signal values themselves: out of [-1, 1], or not NaN during warm-up."""
    values = _values(strategy, bars)
    problems = []
    finite = values[~np.isnan(values)]
    if finite.size and (np.abs(finite) > 1).any():
        bad = values[np.abs(np.nan_to_num(values)) > 1][0]
        problems.append(f"signal {bad!r} is outside [-1, 1]")
    early = values[: max(strategy.warmup_bars() - 1, 0)]
    if (~np.isnan(early)).any():
        problems.append(f"signal before warm-up ({strategy.warmup_bars()} rows) is not NaN")
    return problems
