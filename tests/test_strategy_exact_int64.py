"""The int64 fast path of the exact sums: wrap-around running sums, and the fall back to
Python ints when a product could overflow."""

from __future__ import annotations

import numpy as np
import pandas as pd

from logos.strategies import SmaCross
from logos.strategies.exact import largest_magnitude, running_sums, scaled_int64, trailing_sums


def test_trailing_sums_are_exact_when_the_running_sum_wraps() -> None:
    # running sum of eight 2**61 reaches 2**64 (wraps twice), each 2-window is 2**62
    values = np.full(8, 2**61, dtype=np.int64)
    assert trailing_sums(values, 2).tolist() == [2**62] * 7
    assert trailing_sums(values.astype(object), 3).tolist() == [3 * 2**61] * 6


def test_trailing_sums_hand_computed() -> None:
    assert trailing_sums(np.array([1, 2, 3, 4], dtype=np.int64), 3).tolist() == [6, 9]
    assert trailing_sums(np.array([5, -7], dtype=np.int64), 1).tolist() == [5, -7]


def test_scaled_int64_gives_up_beyond_fifteen_digits() -> None:
    assert scaled_int64(np.array([1.5, 0.25])).tolist() == [150, 25]
    assert scaled_int64(np.array([1e15])) is None


def test_sma_cross_with_huge_integers_falls_back_to_python_ints() -> None:
    # P * 97 * 100 is 5,608 below 2**63. Three rows of P + 19 after 100 rows of P: at the last
    # row Σfast·100 = 9700·P + 3·19·100 = 2**63 + 92 (would wrap negative in int64) while
    # Σslow·97 = 9700·P + 3·19·97 = 2**63 - 79; the fast mean is above -> 1 on every step row.
    p = 950_863_096_582_966
    assert p * 9700 == 2**63 - 5608
    closes = [float(p)] * 100 + [float(p + 19)] * 3
    index = pd.date_range("2024-01-01", periods=len(closes), freq="1min", tz="UTC")
    frame = pd.DataFrame({c: closes for c in ("open", "high", "low", "close")}, index=index)
    frame["volume"] = 1.0
    signal = SmaCross(fast=97, slow=100).signals(frame).tolist()
    assert np.isnan(signal[:99]).all()
    assert signal[99:] == [0.0, 1.0, 1.0, 1.0]


def test_scaled_int64_scale_comes_from_every_row_not_only_the_first() -> None:
    # the first 2,000 rows are whole numbers; the last needs two decimals
    values = np.array([3.0] * 2000 + [0.25])
    ints = scaled_int64(values)
    assert ints is not None
    assert ints[:2000].tolist() == [300] * 2000
    assert int(ints[-1]) == 25
    # and a late row too long for the int64 scale gives up on it
    assert scaled_int64(np.array([3.0] * 2000 + [0.1 + 0.2])) is None


def test_largest_magnitude_and_running_sums_hand_computed() -> None:
    assert largest_magnitude(np.array([3, -7, 5], dtype=np.int64)) == 7
    assert largest_magnitude(np.array([], dtype=np.int64)) == 0
    assert running_sums(np.array([4, -1, 2], dtype=np.int64)).tolist() == [0, 4, 3, 5]
    assert running_sums(np.array([10**30, 1], dtype=object)).tolist() == [0, 10**30, 10**30 + 1]
