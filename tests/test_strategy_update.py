"""``Strategy.update`` bar by bar gives exactly what ``signals`` gives on the whole series: the
built-ins on real bars (ties and flat stretches included) and on random decimal closes."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pydantic import Field

from logos.components import Params
from logos.domain import Bar
from logos.feeds.replay import ReplayFeed
from logos.strategies import Breakout, BuyAndHold, RsiReversion, SmaCross
from logos.strategies.base import Strategy
from logos.strategies.frames import bars_from_frame
from logos.testing.strategies import StrategyContract

BARS = Path(__file__).parent / "data" / "bars"
FILES = [
    "freqtrade_XRP_ETH-1m.csv",  # tiny prices, hundreds of flat bars, missing minutes
    "freqtrade_UNITTEST_BTC-5m.csv",
    "backtrader_orcl-1995-2014-1d.csv",  # daily, weekends missing
    "nautilus_fxcm-gbpusd-bid-1m.csv",  # five decimals, zero volume
    "nautilus_btc-perp-1m.csv",  # 45,031 bars
    "edge_XRP_ETH-5m-first20.csv",  # shorter than most warm-ups
]
STRATEGIES: dict[str, Callable[[], Strategy]] = {
    "sma_10_30": lambda: SmaCross(fast=10, slow=30),
    "sma_30_10": lambda: SmaCross(fast=30, slow=10),
    "sma_1_2": lambda: SmaCross(fast=1, slow=2),  # ties on every flat pair of closes
    "sma_2_3": lambda: SmaCross(fast=2, slow=3),
    "sma_5_5": lambda: SmaCross(fast=5, slow=5),  # always equal: 0
    "rsi_14": lambda: RsiReversion(period=14),
    "rsi_2": lambda: RsiReversion(period=2),  # RSI exactly 30, and no move at all, happen
    "rsi_3_exits": lambda: RsiReversion(period=3, exit_long=50, exit_short=50),
    "rsi_5_exit_long": lambda: RsiReversion(period=5, lower=25, upper=75, exit_long=60.5),
    "breakout_20": lambda: Breakout(lookback=20),
    "breakout_2": lambda: Breakout(lookback=2),  # flat bars: top and bottom on the same row
    "buy_and_hold": BuyAndHold,
}


@cache
def load(name: str) -> pd.DataFrame:
    (frame,) = ReplayFeed(ReplayFeed.Params(path=str(BARS / name))).load_frames().values()
    return frame


@cache
def load_bars(name: str) -> tuple[Bar, ...]:
    return tuple(bars_from_frame(load(name), "XRP/ETH"))


def updated(strategy: Strategy, frame: pd.DataFrame) -> np.ndarray:
    return np.array([strategy.update(bar) for bar in bars_from_frame(frame, "XRP/ETH")])


def updated_bars(strategy: Strategy, bars: tuple[Bar, ...]) -> np.ndarray:
    return np.array([strategy.update(bar) for bar in bars])


@pytest.mark.parametrize("name", FILES)
@pytest.mark.parametrize("key", list(STRATEGIES))
def test_update_equals_signals_bit_for_bit_on_real_bars(key: str, name: str) -> None:
    expected = STRATEGIES[key]().signals(load(name)).to_numpy()
    actual = updated_bars(STRATEGIES[key](), load_bars(name))
    assert actual.dtype == expected.dtype == np.float64
    assert np.array_equal(actual, expected, equal_nan=True)
    assert np.array_equal(np.signbit(actual), np.signbit(expected))  # no -0.0 for 0.0


def test_the_real_series_have_the_ties_the_parity_test_relies_on() -> None:
    # Counted with plain Fractions, independently of the code under test.
    closes = [Fraction(repr(x)) for x in load("freqtrade_XRP_ETH-1m.csv")["close"]]
    sma_ties = sum(closes[t] * 2 == closes[t - 1] + closes[t] for t in range(1, len(closes)))
    assert sma_ties > 200  # SMA(1) == SMA(2): a flat pair of closes
    no_move = rsi_30 = 0
    for t in range(2, len(closes)):
        changes = [closes[t - 1] - closes[t - 2], closes[t] - closes[t - 1]]
        gains = sum(c for c in changes if c > 0)
        total = sum(abs(c) for c in changes)
        no_move += total == 0
        rsi_30 += total != 0 and 100 * gains == 30 * total
    assert no_move > 20 and rsi_30 >= 1


def test_each_built_in_overrides_the_window_fallback() -> None:
    for cls in (SmaCross, RsiReversion, Breakout, BuyAndHold):
        assert cls.update is not Strategy.update


def test_update_after_reset_starts_a_new_series() -> None:
    frame = load("freqtrade_XRP_ETH-5m.csv")
    expected = SmaCross(fast=3, slow=7).signals(frame.iloc[100:]).to_numpy()
    strategy = SmaCross(fast=3, slow=7)
    updated(strategy, frame.iloc[:100])
    strategy.reset()
    assert np.array_equal(updated(strategy, frame.iloc[100:]), expected, equal_nan=True)


def test_a_non_finite_close_is_an_error_not_a_poisoned_sum() -> None:
    strategy = SmaCross(fast=1, slow=2)
    (bar,) = bars_from_frame(load("edge_XRP_ETH-5m-first20.csv").iloc[:1], "XRP/ETH")
    nan = Decimal("NaN")
    with pytest.raises(ValueError, match="prices must be finite numbers"):
        strategy.update(Bar(bar.symbol, bar.ts, bar.open, bar.high, bar.low, nan, bar.volume))


# -- random decimal closes ---------------------------------------------------------------

UNITS = [Decimal("1"), Decimal("0.1"), Decimal("0.0001"), Decimal("0.00000001"), Decimal("0.25")]


@st.composite
def mixed_closes(draw: st.DrawFn) -> list[Decimal]:
    """Flat runs of 1-6 rows of multiples of units that change along the series, so the
    common decimal scale of the running sums has to grow in the middle of it."""
    runs = draw(
        st.lists(
            st.tuples(st.integers(1, 400), st.sampled_from(UNITS), st.integers(1, 6)),
            min_size=1,
            max_size=25,
        )
    )
    return [step * unit for step, unit, length in runs for _ in range(length)]


def frame_of(closes: list[Decimal]) -> pd.DataFrame:
    close = np.array([float(c) for c in closes], dtype="float64")
    index = pd.date_range("2024-01-01", periods=len(close), freq="1min", tz="UTC", name="ts")
    return pd.DataFrame(
        {"open": close, "high": close, "low": close, "close": close, "volume": 1.0}, index=index
    )


def parity(make: Callable[[], Strategy], closes: list[Decimal]) -> None:
    frame = frame_of(closes)
    expected = make().signals(frame).to_numpy()
    assert np.array_equal(updated(make(), frame), expected, equal_nan=True)


@settings(max_examples=300, deadline=None)
@given(mixed_closes(), st.integers(1, 8), st.integers(1, 8))
@example([Decimal(p) for p in ("0.1", "4.1", "1.8", "2")], 1, 4)  # equal means, unequal floats
@example([Decimal(p) for p in ("3", "2", "1.5", "0.25", "0.25", "0.25")], 1, 3)  # scale grows
def test_sma_cross_update_equals_signals_on_random_closes(closes, fast, slow) -> None:
    parity(lambda: SmaCross(fast=fast, slow=slow), closes)


LEVELS = [  # lower, upper, exit_long, exit_short
    (30.0, 70.0, None, None),
    (25.5, 50.0, None, None),
    (30.0, 70.0, 50.0, 50.0),
    (20.0, 80.0, 65.0, 35.5),
    (30.0, 70.0, 90.0, None),  # exit_long above upper: the short entry comes first
]


@settings(max_examples=300, deadline=None)
@given(mixed_closes(), st.integers(2, 6), st.sampled_from(LEVELS))
@example([Decimal(p) for p in ("3.6", "0.7", "3.6")], 2, (25.5, 50.0, None, None))  # RSI 50
def test_rsi_reversion_update_equals_signals_on_random_closes(closes, period, levels) -> None:
    lower, upper, exit_long, exit_short = levels
    parity(
        lambda: RsiReversion(
            period=period, lower=lower, upper=upper, exit_long=exit_long, exit_short=exit_short
        ),
        closes,
    )


# -- the example of docs/strategies.md ---------------------------------------------------


class DocsMomentum(Strategy):
    """docs/strategies.md's Momentum with its update(), copied as written there."""

    name = "momentum"

    class Params(Params):
        lookback: int = Field(10, ge=1)

    def __init__(self, params=None, **kwargs):
        super().__init__(params, **kwargs)
        self.reset()

    def warmup_bars(self) -> int:
        return self.params.lookback + 1

    def signals(self, bars: pd.DataFrame) -> pd.Series:
        close = bars["close"].to_numpy()
        out = np.full(len(close), np.nan)
        n = self.params.lookback
        out[n:] = (close[n:] > close[:-n]).astype(float)
        return self._series(out, bars)

    def reset(self) -> None:
        super().reset()
        self._closes: deque[Decimal] = deque(maxlen=self.params.lookback + 1)

    def update(self, bar: Bar) -> float:
        self._closes.append(bar.close)
        if len(self._closes) <= self.params.lookback:
            return math.nan
        return 1.0 if self._closes[-1] > self._closes[0] else 0.0


class TestDocsMomentumContract(StrategyContract):
    SIGNAL_TOLERANCE = 0.0

    def make_strategy(self) -> Strategy:
        return DocsMomentum(lookback=5)

    def make_bars(self) -> pd.DataFrame:
        return load("freqtrade_XRP_ETH-1m.csv")
