"""Exact indicator arithmetic: float64 price columns back to the decimals they were written as.

Strategies receive float64 frames, but the prices behind them are decimals (the feeds turn
every float back into ``decimal_from_float(x)``, its shortest repr). Comparisons such as
``SMA(fast) > SMA(slow)`` must not be decided by binary rounding noise: with closes 0.1, 4.1,
1.8, 2 the 1- and 4-bar averages are both exactly 2, yet float64 sums say otherwise. So the
built-ins that compare sums turn the closes into integers on one common decimal scale and
sum those exactly (int64 where bounds prove nothing overflows, else Python ints). Exact sums
are also independent of where the frame starts, so a trailing window reproduces the
full-data value bit for bit.

``Strategy.update`` gets the same decimals as ``Decimal`` prices in a ``Bar``.
:class:`DecimalScale` turns them into Python ints on one common decimal scale, so running sums
kept bar by bar are exact too and agree with the vectorized sums above.
"""

from __future__ import annotations

from decimal import Decimal
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
        if not -_MAX_FAST_INT < scaled.min(initial=0) <= scaled.max(initial=0) < _MAX_FAST_INT:
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
    the first is that of rows ``0 .. length - 1``), in the dtype of ``integers``."""
    running = running_sums(integers)
    return running[length:] - running[: len(running) - length]


def running_sums(integers: np.ndarray) -> np.ndarray:
    """``[0, x0, x0 + x1, ...]`` in the dtype of ``integers`` (int64 or object, i.e. Python
    ints): rows ``a .. b - 1`` sum to ``running[b] - running[a]``.

    int64 running sums may wrap around (numpy int64 arithmetic is modulo ``2**64``), but the
    difference of two is the true window sum modulo ``2**64``, hence that sum itself whenever
    it is below ``2**63`` in magnitude.
    """
    running = np.zeros(len(integers) + 1, dtype=integers.dtype)
    np.cumsum(integers, out=running[1:])
    return running


def largest_magnitude(integers: np.ndarray) -> int:
    """The largest ``|k|`` of an int64 array (0 when empty), without a temporary array."""
    return max(-int(integers.min(initial=0)), int(integers.max(initial=0)))


class DecimalScale:
    """Decimal prices as Python ints on one common decimal scale, for exact running sums.

    After ``k, factor = scale.convert(price)``, ``price == k / 10**scale.decimals`` exactly.
    The scale starts at 0 decimals and only grows: a price with more decimals than the scale
    raises it, and ``factor`` (``10**`` the decimals added, else 1) is what every int obtained
    earlier must be multiplied by to stay on the scale. Int arithmetic is several times
    quicker than ``Decimal`` arithmetic in an explicit context, and just as exact.

    ``cache`` maps prices already converted to their int on the current scale (prices repeat:
    the hot path is one dict lookup, ``convert`` only runs on a miss). It is cleared when the
    scale grows and when it holds ``CACHE_LIMIT`` prices, so it stays small (one per symbol);
    it is the same dict object for the life of the scale, so a caller may keep a reference.
    """

    CACHE_LIMIT = 2048

    __slots__ = ("cache", "decimals", "unit")

    def __init__(self) -> None:
        self.decimals = 0
        self.unit = 1  # 10**decimals
        self.cache: dict[Decimal, int] = {}

    def convert(self, price: Decimal) -> tuple[int, int]:
        """``(k, factor)``: ``price`` on the (possibly grown) scale, and the growth factor.

        Raises ``ValueError`` for a NaN or infinite price.
        """
        if not price.is_finite():
            raise ValueError(f"prices must be finite numbers to compare them exactly, not {price}")
        numerator, denominator = price.as_integer_ratio()  # denominator 2**a * 5**b
        steps, remainder = divmod(self.unit, denominator)
        factor = 1
        if remainder:  # more decimals than the scale has: grow it to max(a, b) decimals
            while self.unit * factor % denominator:
                factor *= 10
            self.unit *= factor
            self.decimals += len(str(factor)) - 1
            self.cache.clear()
            steps = self.unit // denominator
        value = numerator * steps
        if len(self.cache) >= self.CACHE_LIMIT:
            self.cache.clear()
        self.cache[price] = value
        return value, factor
