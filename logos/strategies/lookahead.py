"""Causality checks: signals on prefixes, on trailing windows and from ``update()`` must equal
the full-data signals.

A strategy is causal when the signal at bar t depends only on bars ≤ t, so computing it on
``bars[:k]`` gives the first k values computed on all bars. :func:`check_causal` compares them
on every prefix (or a dense sample for long data) and reports the first bar that differs.
:func:`check_window` checks the promise of ``Strategy.window_size()``, and
:func:`check_update` that ``Strategy.update()`` fed the bars one by one gives the signals.

"Equal" is :func:`same_signals`: both NaN, or both numbers within ``tolerance`` of each other
and of the same sign (-1, 0 or 1). What matters downstream is the sign and the size of the
target exposure; float sums computed from a different first row (``rolling().mean()`` on a
trailing window) differ in the last bits, and that is no reason to fail a strategy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from numbers import Real

import numpy as np
import pandas as pd

from logos.errors import LogosError
from logos.strategies.base import Strategy
from logos.strategies.frames import bars_from_frame

DEFAULT_MAX_PREFIXES = 300
SIGNAL_TOLERANCE = 1e-9
"""Largest difference between two signals (target exposures in [-1, 1]) that still counts as
equal: far above float rounding noise (about 1e-16 per operation, so rolling sums stay well
within it), far below any difference a strategy means to make."""


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


def same_signals(a: np.ndarray, b: np.ndarray, tolerance: float = SIGNAL_TOLERANCE) -> np.ndarray:
    """Per bar: both NaN, or neither NaN with ``|a - b| <= tolerance`` and the same sign
    (a 0 is only equal to a 0: flat is not a tiny position). ``tolerance=0`` is exact."""
    a = np.asarray(a, dtype="float64")
    b = np.asarray(b, dtype="float64")
    with np.errstate(invalid="ignore"):  # inf - inf
        close = (np.abs(a - b) <= tolerance) & (np.sign(a) == np.sign(b))
    return close | (np.isnan(a) & np.isnan(b))


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
    strategy: Strategy,
    bars: pd.DataFrame,
    max_prefixes: int = DEFAULT_MAX_PREFIXES,
    tolerance: float = SIGNAL_TOLERANCE,
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
        differs = ~same_signals(partial, full[:k], tolerance)
        if differs.any():
            bar = int(differs.argmax())
            if first is None or bar < first.bar:
                first = Mismatch(bar, bars.index[bar], k, float(partial[bar]), float(full[bar]))
    return first, checked


def check_window(
    strategy: Strategy,
    bars: pd.DataFrame,
    max_prefixes: int = DEFAULT_MAX_PREFIXES,
    tolerance: float = SIGNAL_TOLERANCE,
) -> tuple[Mismatch | None, int]:
    """Check that the last signal from the trailing ``window_size()`` rows equals the full-data
    signal at the same bar (what the window fallback of ``update()`` relies on). Returns
    (mismatch, bars checked); (None, 0) when the strategy declares it needs the full history."""
    window = strategy.window_size()
    if window is None:
        return None, 0
    full = _values(strategy, bars)
    ends = prefix_lengths(len(bars), strategy.warmup_bars(), max_prefixes)
    for k in ends:
        value = strategy.last_signal(bars.iloc[:k])
        if not same_signals(np.array([value]), full[k - 1 : k], tolerance)[0]:
            bar = k - 1
            given = min(window, k)
            return Mismatch(bar, bars.index[bar], given, value, float(full[bar])), len(ends)
    return None, len(ends)


@dataclass(frozen=True)
class UpdateMismatch:
    """The first bar where ``update()`` differs from ``signals()`` on the whole series."""

    bar: int
    ts: pd.Timestamp
    updated: float
    full: float

    def describe(self) -> str:
        """One readable line."""
        return (
            f"bar {self.bar} ({self.ts.isoformat()}): update() gives {self.updated!r} but "
            f"signals() on the whole series gives {self.full!r}"
        )


def check_update(
    make_strategy: Callable[[], Strategy],
    bars: pd.DataFrame,
    symbol: str = "TEST",
    tolerance: float = SIGNAL_TOLERANCE,
) -> UpdateMismatch | None:
    """Feed every bar, in order, to ``update()`` of a fresh strategy from ``make_strategy()``
    and compare each result with ``signals()`` of another fresh one on the whole series.
    Returns the first bar that differs, or None. The bars are made as the replay feed makes
    them (:func:`~logos.strategies.frames.bars_from_frame`)."""
    full = _values(make_strategy(), bars)
    strategy = make_strategy()
    updated = np.empty(len(bars))
    for i, bar in enumerate(bars_from_frame(bars, symbol)):
        try:
            value = strategy.update(bar)
        except Exception as exc:  # a third-party strategy may raise anything
            raise StrategyCheckError(
                f"{strategy.name}: update() raised {type(exc).__name__}: {exc} at bar {i} "
                f"({bars.index[i].isoformat()})"
            ) from exc
        if not isinstance(value, Real) or isinstance(value, bool):
            raise StrategyCheckError(
                f"{strategy.name}: update() returned {value!r} at bar {i}, not a float"
            )
        updated[i] = value
    differs = ~same_signals(updated, full, tolerance)
    if not differs.any():
        return None
    i = int(differs.argmax())
    return UpdateMismatch(i, bars.index[i], float(updated[i]), float(full[i]))


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
