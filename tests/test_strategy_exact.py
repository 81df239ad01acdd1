"""sma_cross and rsi_reversion agree with a plain Fraction reference on the closes' decimal
values: random series with flat runs, tiny prices (0.0014) and fast > slow."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from logos.strategies import RsiReversion, SmaCross
from logos.strategies.exact import DecimalScale, scaled_integers, window_sums

UNITS = [Decimal("0.0001"), Decimal("0.01"), Decimal("0.1"), Decimal("1"), Decimal("0.00000001")]


def frame(prices: list[Decimal]) -> pd.DataFrame:
    close = np.array([float(p) for p in prices], dtype="float64")
    index = pd.date_range("2024-01-01", periods=len(close), freq="1min", tz="UTC")
    return pd.DataFrame(
        {"open": close, "high": close, "low": close, "close": close, "volume": 1.0}, index=index
    )


@st.composite
def price_series(draw: st.DrawFn) -> list[Decimal]:
    """Multiples of one unit (14 × 0.0001 = 0.0014 is in reach), in flat runs of 1-6 rows."""
    unit = draw(st.sampled_from(UNITS))
    runs = draw(st.lists(st.tuples(st.integers(1, 60), st.integers(1, 6)), min_size=1, max_size=15))
    return [step * unit for step, length in runs for _ in range(length)]


def reference_sma_cross(prices: list[Decimal], fast: int, slow: int) -> list[float]:
    exact = [Fraction(p) for p in prices]
    out = []
    for t in range(len(exact)):
        if t + 1 < max(fast, slow):
            out.append(np.nan)
            continue
        fast_mean = sum(exact[t + 1 - fast : t + 1]) / fast
        slow_mean = sum(exact[t + 1 - slow : t + 1]) / slow
        out.append(1.0 if fast_mean > slow_mean else 0.0)
    return out


def reference_rsi_signal(prices: list[Decimal], period: int, lower: str, upper: str) -> list[float]:
    exact = [Fraction(p) for p in prices]
    out = []
    for t in range(len(exact)):
        if t < period:
            out.append(np.nan)
            continue
        changes = [exact[i] - exact[i - 1] for i in range(t + 1 - period, t + 1)]
        gains = sum(c for c in changes if c > 0)
        losses = sum(-c for c in changes if c < 0)
        rsi = Fraction(50) if gains + losses == 0 else 100 * gains / (gains + losses)
        out.append(1.0 if rsi < Fraction(lower) else -1.0 if rsi > Fraction(upper) else 0.0)
    return out


def same(actual: pd.Series, expected: list[float]) -> bool:
    return np.array_equal(actual.to_numpy(), np.array(expected), equal_nan=True)


@settings(max_examples=300, deadline=None)
@given(price_series(), st.integers(1, 8), st.integers(1, 8))
@example([Decimal(p) for p in ("0.1", "4.1", "1.8", "2")], 1, 4)  # equal means, unequal floats
def test_sma_cross_equals_exact_mean_comparison(prices, fast, slow) -> None:
    signal = SmaCross(fast=fast, slow=slow).signals(frame(prices))
    assert same(signal, reference_sma_cross(prices, fast, slow))


@settings(max_examples=200, deadline=None)
@given(price_series(), st.integers(2, 6), st.sampled_from([("30", "70"), ("25.5", "50")]))
@example([Decimal(p) for p in ("3.6", "0.7", "3.6")], 2, ("25.5", "50"))  # RSI exactly 50
def test_rsi_reversion_equals_exact_reference(prices, period, thresholds) -> None:
    lower, upper = thresholds
    strategy = RsiReversion(period=period, lower=float(lower), upper=float(upper))
    signal = strategy.signals(frame(prices))
    assert same(signal, reference_rsi_signal(prices, period, lower, upper))


def test_equal_means_that_differ_in_binary_are_not_a_cross() -> None:
    # SMA(1) at the last row is 2; SMA(4) is (0.1 + 4.1 + 1.8 + 2) / 4 = 8 / 4 = 2: equal.
    # In float64 the four-bar sum is 7.999999999999999, so a float comparison says 1.
    assert 0.1 + 4.1 + 1.8 + 2.0 != 8.0
    prices = [Decimal(p) for p in ("0.1", "4.1", "1.8", "2")]
    assert SmaCross(fast=1, slow=4).signals(frame(prices)).tolist()[3] == 0.0


def test_tiny_flat_prices_are_equal_not_greater() -> None:
    prices = [Decimal("0.0015")] * 3 + [Decimal("0.0014")] * 40
    signal = SmaCross(fast=10, slow=30).signals(frame(prices))
    # row 29: fast = 10 × 0.0014 / 10 = 0.0014 < slow = (3 × 0.0015 + 27 × 0.0014) / 30 -> 0
    # rows 32.. : both means are exactly 0.0014 -> 0 (not strictly greater)
    assert signal.iloc[29:].tolist() == [0.0] * 14


def test_fast_longer_than_slow_is_allowed_and_waits_for_both() -> None:
    # fast 3, slow 2.  row 2: (3+2+1)/3 = 2 > (2+1)/2 = 1.5 -> 1 (first signal, an entry)
    # row 3: 5/3 > 1.5 -> 1;  row 4: 2 < 2.5 -> 0
    prices = [Decimal(p) for p in (3, 2, 1, 2, 3)]
    strategy = SmaCross(fast=3, slow=2)
    assert strategy.warmup_bars() == 3
    assert same(strategy.signals(frame(prices)), [np.nan, np.nan, 1.0, 1.0, 0.0])


@given(st.lists(st.floats(min_value=1e-9, max_value=1e7), max_size=20))
def test_scaled_integers_are_the_shortest_repr_decimals(values) -> None:
    ints = scaled_integers(np.array(values, dtype="float64"))
    exact = [Fraction(repr(v)) for v in values]
    ratios = {Fraction(k) / e for k, e in zip(ints, exact, strict=True)}
    assert len(ratios) <= 1  # one common scale
    assert all(isinstance(k, int) for k in ints)
    if ratios:
        (scale,) = ratios
        assert scale.denominator == 1 and str(scale).startswith("1")
        assert set(str(scale)[1:]) <= {"0"}


def test_scaled_integers_hand_computed() -> None:
    assert scaled_integers(np.array([0.0014, 2.5, 3.0])).tolist() == [14, 25000, 30000]
    assert scaled_integers(np.array([100.0, 0.1 + 0.2])).tolist() == [
        100_00000000000000000,
        30000000000000004,
    ]


def test_window_sums_hand_computed() -> None:
    sums = window_sums(np.array([1, 2, 3, 4], dtype=object), 3)
    assert sums.tolist() == [None, None, 6, 9]


# -- DecimalScale: the bar-by-bar ints ---------------------------------------------------


def test_decimal_scale_hand_computed() -> None:
    scale = DecimalScale()
    assert scale.convert(Decimal("3")) == (3, 1)
    assert scale.convert(Decimal("1.5")) == (15, 10)  # one decimal: earlier ints × 10
    assert scale.convert(Decimal("0.25")) == (25, 10)  # two decimals
    assert scale.convert(Decimal("1.50")) == (150, 1)  # trailing zeros need no decimals
    assert scale.convert(Decimal("-0.125")) == (-125, 10)
    assert scale.convert(Decimal("1E+2")) == (100_000, 1)
    assert scale.decimals == 3


def test_decimal_scale_cache_never_holds_an_int_of_an_older_scale() -> None:
    scale = DecimalScale()
    scale.convert(Decimal("1.5"))
    assert scale.cache == {Decimal("1.5"): 15}
    scale.convert(Decimal("0.25"))
    assert scale.cache == {Decimal("0.25"): 25}


def test_decimal_scale_rejects_non_finite_prices() -> None:
    for bad in ("NaN", "Infinity", "-Infinity"):
        with pytest.raises(ValueError, match="prices must be finite numbers"):
            DecimalScale().convert(Decimal(bad))


@given(st.lists(st.decimals(allow_nan=False, allow_infinity=False, places=None), max_size=30))
def test_decimal_scale_ints_stay_exact_as_the_scale_grows(prices) -> None:
    scale = DecimalScale()
    ints: list[int] = []
    for price in prices:
        value, factor = scale.convert(price)
        ints = [k * factor for k in ints] + [value]
        unit = Fraction(10) ** scale.decimals
        assert [Fraction(k) / unit for k in ints] == [Fraction(p) for p in prices[: len(ints)]]
