"""rsi_reversion's optional exit levels: a hand-worked example, the validation, the history
dependence, and agreement with a plain Fraction reference of the documented rules."""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from logos.strategies import RsiReversion
from logos.strategies.frames import bars_from_frame
from logos.testing.strategies import StrategyContract

NAN = np.nan

# period 2, lower 30, upper 70. Each RSI uses the last two close-to-close changes.
CLOSES = [10, 9, 8, 9, 8, 9.5, 10.5, 10, 10.5, 9.75, 9.25, 9.5, 10.5, 10.5, 10.5]
# row  changes         gains/losses  RSI
#  2   -1, -1          0 / 2         0      < 30: long entry
#  3   -1, +1          1 / 1         50
#  4   +1, -1          1 / 1         50
#  5   -1, +1.5        1.5 / 1       60     exactly exit_long 60: the long exits
#  6   +1.5, +1        2.5 / 0       100    > 70: short entry
#  7   +1, -0.5        1 / 0.5       66.67
#  8   -0.5, +0.5      0.5 / 0.5     50
#  9   +0.5, -0.75     0.5 / 0.75    40     exactly exit_short 40: the short exits
# 10   -0.75, -0.5     0 / 1.25      0      long entry
# 11   -0.5, +0.25     0.25 / 0.5    33.33
# 12   +0.25, +1       1.25 / 0      100    short entry: entries come first, the long flips
# 13   +1, 0           1 / 0         100
# 14   0, 0            0 / 0         50     nothing moved: RSI 50
STATELESS = [NAN, NAN, 1, 0, 0, 0, -1, 0, 0, 0, 1, 0, -1, -1, 0]
EXITS_60_40 = [NAN, NAN, 1, 1, 1, 0, -1, -1, -1, 0, 1, 1, -1, -1, -1]
EXIT_LONG_60 = [NAN, NAN, 1, 1, 1, 0, -1, 0, 0, 0, 1, 1, -1, -1, 0]  # shorts exit at 70


def frame(closes: list[float]) -> pd.DataFrame:
    close = np.asarray(closes, dtype="float64")
    index = pd.date_range("2024-03-01", periods=len(close), freq="1min", tz="UTC", name="ts")
    return pd.DataFrame(
        {"open": close, "high": close, "low": close, "close": close, "volume": 1.0}, index=index
    )


def both_paths(strategy_params: dict[str, float], closes: list[float]) -> tuple[list, list]:
    bars = frame(closes)
    whole = RsiReversion(**strategy_params).signals(bars).tolist()
    stepper = RsiReversion(**strategy_params)
    stepped = [stepper.update(bar) for bar in bars_from_frame(bars, "EUR/USD")]
    return whole, stepped


def same(actual: list[float], expected: list[float]) -> bool:
    return np.array_equal(np.array(actual), np.array(expected, dtype="float64"), equal_nan=True)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, STATELESS),
        ({"exit_long": 60, "exit_short": 40}, EXITS_60_40),
        ({"exit_long": 60}, EXIT_LONG_60),
    ],
    ids=["no_exit_levels", "exits_60_40", "exit_long_only"],
)
def test_hand_worked_example(params: dict[str, float], expected: list[float]) -> None:
    whole, stepped = both_paths({"period": 2, "lower": 30, "upper": 70, **params}, CLOSES)
    assert same(whole, expected)
    assert same(stepped, expected)


def test_window_size_is_none_only_with_an_exit_level() -> None:
    assert RsiReversion(period=2).window_size() == 3
    assert RsiReversion(period=2, exit_long=60).window_size() is None
    assert RsiReversion(period=2, exit_short=40).window_size() is None


def test_with_exit_levels_the_signal_depends_on_where_the_series_starts() -> None:
    # From row 1 on, the first signal is at row 3 (RSI 50): no long is open there, so 0,
    # where the whole series holds the long entered at row 2.
    strategy = RsiReversion(period=2, exit_long=60, exit_short=40)
    bars = frame(CLOSES)
    assert strategy.signals(bars).iloc[3] == 1.0
    assert strategy.signals(bars.iloc[1:]).iloc[2] == 0.0


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"exit_long": 30}, "exit_long (30.0) must be above lower (30.0) and below 100"),
        ({"exit_long": 20}, "exit_long (20.0) must be above lower (30.0) and below 100"),
        ({"exit_long": 100}, "exit_long (100.0) must be above lower (30.0) and below 100"),
        ({"exit_short": 70}, "exit_short (70.0) must be above 0 and below upper (70.0)"),
        ({"exit_short": 0}, "exit_short (0.0) must be above 0 and below upper (70.0)"),
        ({"exit_short": 85}, "exit_short (85.0) must be above 0 and below upper (70.0)"),
    ],
)
def test_exit_levels_are_validated(params: dict[str, float], message: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(message)):
        RsiReversion(lower=30, upper=70, **params)


# -- the rules, written out with Fractions -------------------------------------------------


def reference(closes: list[Decimal], period: int, levels: tuple[str, ...]) -> list[float]:
    """The documented rules, step by step (exit levels default to the entry levels)."""
    lower, upper, exit_long, exit_short = (Fraction(v) for v in levels)
    exact = [Fraction(c) for c in closes]
    out: list[float] = []
    state = 0
    for t in range(len(exact)):
        if t < period:
            out.append(NAN)
            continue
        changes = [exact[i] - exact[i - 1] for i in range(t + 1 - period, t + 1)]
        gains = sum(c for c in changes if c > 0)
        losses = sum(-c for c in changes if c < 0)
        rsi = Fraction(50) if gains + losses == 0 else 100 * gains / (gains + losses)
        if rsi < lower:
            state = 1
        elif rsi > upper:
            state = -1
        elif state == 1 and rsi < exit_long:
            state = 1
        elif state == -1 and rsi > exit_short:
            state = -1
        else:
            state = 0
        out.append(float(state))
    return out


LEVELS = [  # lower, upper, exit_long, exit_short
    ("30", "70", "60", "40"),
    ("30", "70", "50", "50"),
    ("25.5", "60", "75", "30.5"),  # exit_long above upper
    ("30", "70", "30.000001", "69.999999"),
]


@st.composite
def closes(draw: st.DrawFn) -> list[Decimal]:
    unit = draw(st.sampled_from([Decimal("0.01"), Decimal("0.25"), Decimal("1")]))
    runs = draw(st.lists(st.tuples(st.integers(1, 40), st.integers(1, 4)), max_size=40))
    return [step * unit for step, length in runs for _ in range(length)]


@settings(max_examples=300, deadline=None)
@given(closes(), st.integers(2, 5), st.sampled_from(LEVELS))
def test_signals_and_update_follow_the_rules(prices, period, levels) -> None:
    lower, upper, exit_long, exit_short = (float(v) for v in levels)
    params = {
        "period": period,
        "lower": lower,
        "upper": upper,
        "exit_long": exit_long,
        "exit_short": exit_short,
    }
    whole, stepped = both_paths(params, [float(p) for p in prices])
    expected = reference(prices, period, levels)
    assert same(whole, expected)
    assert same(stepped, expected)


class TestRsiHysteresisContract(StrategyContract):
    SIGNAL_TOLERANCE = 0.0  # exact arithmetic: bit for bit

    def make_strategy(self) -> RsiReversion:
        return RsiReversion(period=5, lower=35, upper=65, exit_long=55, exit_short=45)
