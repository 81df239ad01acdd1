"""Exact indicator arithmetic: float64 price columns back to the decimals they were written as.

Strategies receive float64 frames, but the prices behind them are decimals (the feeds turn
every float back into ``decimal_from_float(x)``, its shortest repr). Comparisons such as
``SMA(fast) > SMA(slow)`` must not be decided by binary rounding noise: with closes 0.1, 4.1,
1.8, 2 the 1- and 4-bar averages are both exactly 2, yet float64 sums say otherwise. So the
built-ins that compare sums turn the closes into integers on one common decimal scale and
sum those exactly (int64 where bounds prove nothing overflows, else Python ints). Exact sums
are also independent of where the frame starts, so a trailing window reproduces the
full-data value bit for bit.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from logos.feeds.base import decimal_from_float

_MAX_FAST_DECIMALS = 12
_MAX_FAST_INT = 10**15
"""Below 10**15 an integer has at most 15 digits, and distinct decimals of at most 15
significant digits are distinct doubles, so the integer found is the shortest-repr decimal."""
_SAMPLE = 1024
"""Rows tried first at each scale (a scale too small for them is too small for all)."""


def scaled_int64(values: np.ndarray) -> np.ndarray | None:
    """``scaled_integers`` as int64 when one common scale of at most 12 decimals keeps every
    value below ``10**15`` (the usual case), else None. Raises ``ValueError`` for NaN or
    infinite values."""
    values = np.asarray(values, dtype="float64")
    if not np.isfinite(values).all():
        raise ValueError("prices must be finite numbers to compare them exactly")
    sample = values[:_SAMPLE]
    for decimals in range(_MAX_FAST_DECIMALS + 1):
        scale = 10.0**decimals
        if not np.array_equal(np.rint(sample * scale) / scale, sample):
            continue  # the first rows already need more decimals: skip the whole-array passes
        scaled = np.rint(values * scale)
        if not (np.abs(scaled) < _MAX_FAST_INT).all():
            break
        if np.array_equal(scaled / scale, values):
            return scaled.astype(np.int64)
    return None


def scaled_integers(values: np.ndarray) -> np.ndarray:
    """Python ints ``k`` (object array) with ``values[i] == k[i] / 10**d`` for one common ``d``,
    where ``k[i] / 10**d`` is exactly ``decimal_from_float(values[i])``.

    Raises ``ValueError`` for NaN or infinite values.
    """
    fast = scaled_int64(values)
    if fast is not None:
        return fast.astype(object)
    exact = [decimal_from_float(v) for v in np.asarray(values, dtype="float64").tolist()]
    decimals = max([0] + [-int(d.as_tuple().exponent) for d in exact])
    return np.array([int(Fraction(d) * 10**decimals) for d in exact], dtype=object)


def window_sums(integers: np.ndarray, length: int) -> np.ndarray:
    """Exact sum of each trailing window of ``length`` integers (object array, ``None`` where
    the window is incomplete)."""
    out = np.full(len(integers), None, dtype=object)
    if len(integers) >= length:
        out[length - 1 :] = trailing_sums(np.asarray(integers, dtype=object), length)
    return out


def trailing_sums(integers: np.ndarray, length: int) -> np.ndarray:
    """Sum of each complete trailing window of ``length`` integers (``len - length + 1`` sums,
    the first is that of rows ``0 .. length - 1``), in the dtype of ``integers``: int64 or
    object (Python ints).

    For int64 the sums are exact whenever each is below ``2**63`` in magnitude: the running
    sum may wrap around (numpy int64 arithmetic is modulo ``2**64``), and the difference of
    two wrapped running sums is the true window sum modulo ``2**64``, hence that sum itself.
    """
    running = np.cumsum(integers)
    return np.concatenate((running[length - 1 : length], running[length:] - running[:-length]))
