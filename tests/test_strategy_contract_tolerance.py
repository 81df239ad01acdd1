"""The strategy contract compares signals by sign and size (``SIGNAL_TOLERANCE``), so ordinary
pandas rolling arithmetic passes; an ``update()`` that disagrees with ``signals()`` fails with
a message naming the first differing bar and both values."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from logos.domain import Bar
from logos.strategies.base import Strategy
from logos.strategies.lookahead import (
    SIGNAL_TOLERANCE,
    StrategyCheckError,
    check_update,
    check_window,
    same_signals,
)
from logos.testing.strategies import StrategyContract, random_walk_bars


class RollingMeanCross(Strategy):
    """Long while the 10-row rolling mean of close is above the 30-row one (float sums)."""

    name = "rolling_mean_cross"

    def warmup_bars(self) -> int:
        return 30

    def signals(self, bars: pd.DataFrame) -> pd.Series:
        close = bars["close"]
        fast, slow = close.rolling(10).mean(), close.rolling(30).mean()
        long = (fast > slow).astype("float64")
        return self._series(np.where(slow.notna(), long, np.nan), bars)


class ZScoreReversion(Strategy):
    """Target -z/2 clipped to [-1, 1], z the 20-row z-score of close (0 when nothing moved)."""

    name = "zscore_reversion"

    def warmup_bars(self) -> int:
        return 20

    def signals(self, bars: pd.DataFrame) -> pd.Series:
        close = bars["close"]
        mean, std = close.rolling(20).mean(), close.rolling(20).std()
        z = ((close - mean) / std).where(std > 0, 0.0).where(mean.notna())
        return self._series((-z / 2).clip(-1, 1).to_numpy(), bars)


class TestRollingMeanCrossPassesTheContract(StrategyContract):
    def make_strategy(self) -> Strategy:
        return RollingMeanCross()


class TestZScorePassesTheContract(StrategyContract):
    def make_strategy(self) -> Strategy:
        return ZScoreReversion()


def test_the_zscore_differs_in_the_last_bits_between_window_and_whole_series() -> None:
    # Why the contract has a tolerance: a rolling sum started at another row rounds otherwise.
    bars = random_walk_bars()
    mismatch, _ = check_window(ZScoreReversion(), bars, tolerance=0.0)
    assert mismatch is not None
    assert mismatch.partial != mismatch.full
    assert abs(mismatch.partial - mismatch.full) < 1e-12
    assert check_update(ZScoreReversion, bars, tolerance=0.0) is not None
    assert check_update(ZScoreReversion, bars) is None


class TestExactToleranceCanBeAskedFor(StrategyContract):
    SIGNAL_TOLERANCE = 0.0

    def make_strategy(self) -> Strategy:
        return ZScoreReversion()

    def test_window_reproduces_last_signal(self) -> None:
        with pytest.raises(AssertionError, match="zscore_reversion: window_size"):
            super().test_window_reproduces_last_signal()

    def test_update_gives_the_signals(self) -> None:
        with pytest.raises(AssertionError, match=r"\(tolerance 0\.0\)"):
            super().test_update_gives_the_signals()


# -- update() that disagrees -------------------------------------------------------------


class HalfLong(Strategy):
    """0.5 on every bar; subclasses' update() gets one bar wrong."""

    name = "half_long"
    wrong_at = 5
    wrong_value = -0.5
    seen = 0  # bars update() has had

    def warmup_bars(self) -> int:
        return 1

    def signals(self, bars: pd.DataFrame) -> pd.Series:
        return self._series(np.full(len(bars), 0.5), bars)

    def reset(self) -> None:
        super().reset()
        self.seen = 0

    def update(self, bar: Bar) -> float:
        self.seen += 1
        return self.wrong_value if self.seen == self.wrong_at + 1 else 0.5


class TestUpdateThatDisagreesFailsTheContract(StrategyContract):
    def make_strategy(self) -> Strategy:
        return HalfLong()

    def test_update_gives_the_signals(self) -> None:
        with pytest.raises(AssertionError) as info:
            super().test_update_gives_the_signals()
        assert str(info.value).splitlines()[0] == (
            "half_long: update() fed the bars one by one disagrees with signals() "
            "(tolerance 1e-09) first at bar 5 (2024-01-01T00:05:00+00:00): update() gives "
            "-0.5 but signals() on the whole series gives 0.5"
        )


@pytest.mark.parametrize(
    ("wrong", "passes"),
    [
        (0.5 + 1e-12, True),  # rounding noise
        (0.5 + 1e-6, False),  # a different size
        (math.nan, False),  # no signal where there is one
    ],
)
def test_update_within_the_tolerance_passes(wrong: float, passes: bool) -> None:
    class Off(HalfLong):
        wrong_value = wrong

    mismatch = check_update(Off, random_walk_bars(rows=20))
    assert (mismatch is None) is passes
    if not passes:
        assert mismatch is not None and mismatch.bar == 5


def test_update_that_raises_or_returns_no_number_is_a_readable_check_error() -> None:
    class Raises(HalfLong):
        def update(self, bar: Bar) -> float:
            raise KeyError("close")

    class ReturnsNone(HalfLong):
        def update(self, bar: Bar) -> float:
            return None  # type: ignore[return-value]

    bars = random_walk_bars(rows=5)
    with pytest.raises(StrategyCheckError) as info:
        check_update(Raises, bars)
    assert str(info.value) == (
        "half_long: update() raised KeyError: 'close' at bar 0 (2024-01-01T00:00:00+00:00)"
    )
    with pytest.raises(StrategyCheckError, match=r"update\(\) returned None at bar 0, not a float"):
        check_update(ReturnsNone, bars)


# -- the comparison itself ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "equal"),
    [
        (math.nan, math.nan, True),
        (math.nan, 0.0, False),
        (0.0, math.nan, False),
        (0.0, 0.0, True),
        (0.0, -0.0, True),
        (1.0, 1.0, True),
        (0.3, 0.1 + 0.2, True),  # 5.6e-17 apart
        (0.5, 0.5 + 0.9e-9, True),
        (0.5, 0.5 + 1.1e-9, False),
        (0.0, 1e-12, False),  # flat is not a tiny long
        (1e-12, -1e-12, False),  # nor a tiny short a tiny long
        (-1.0, -1.0 + 1e-10, True),
        (1.0, -1.0, False),
    ],
)
def test_same_signals_is_sign_and_size(a: float, b: float, equal: bool) -> None:
    assert SIGNAL_TOLERANCE == 1e-9
    assert bool(same_signals(np.array([a]), np.array([b]))[0]) is equal
    assert bool(same_signals(np.array([b]), np.array([a]))[0]) is equal


def test_zero_tolerance_is_bit_for_bit() -> None:
    assert not same_signals(np.array([0.3]), np.array([0.1 + 0.2]), tolerance=0.0)[0]
    assert same_signals(np.array([0.3, math.nan]), np.array([0.3, math.nan]), tolerance=0.0).all()
