"""Built-in strategies against hand-computed signals on tiny frames, plus the contract suite on
real bars."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from logos.components import ComponentKind
from logos.feeds.replay import ReplayFeed
from logos.plugins import get_registry
from logos.strategies import BUILTIN_STRATEGIES, Breakout, BuyAndHold, RsiReversion, SmaCross
from logos.strategies.base import Strategy
from logos.testing.strategies import StrategyContract

BARS = Path(__file__).parent / "data" / "bars"
NAN = np.nan


def frame(close, high=None, low=None, minutes=None) -> pd.DataFrame:
    close = np.asarray(close, dtype="float64")
    high = close if high is None else np.asarray(high, dtype="float64")
    low = close if low is None else np.asarray(low, dtype="float64")
    minutes = range(len(close)) if minutes is None else minutes
    index = pd.DatetimeIndex(
        [pd.Timestamp("2024-03-01T00:00:00Z") + pd.Timedelta(minutes=m) for m in minutes]
    )
    return pd.DataFrame(
        {"open": close, "high": high, "low": low, "close": close, "volume": 1.0}, index=index
    )


def values(strategy: Strategy, bars: pd.DataFrame) -> list[float]:
    return strategy.signals(bars).tolist()


def same(actual: list[float], expected: list[float]) -> bool:
    return np.array_equal(np.array(actual), np.array(expected), equal_nan=True)


def test_builtins_are_strategies_registered_by_name() -> None:
    names = {cls.name for cls in BUILTIN_STRATEGIES}
    assert names == {"sma_cross", "rsi_reversion", "buy_and_hold", "breakout"}
    registry = get_registry()
    for cls in BUILTIN_STRATEGIES:
        assert issubclass(cls, Strategy)
        assert registry.get(ComponentKind.STRATEGY, cls.name) is cls


# -- sma_cross ---------------------------------------------------------------------------


def test_sma_cross_hand_computed() -> None:
    # row 2: fast (2+3)/2=2.5 > slow (1+2+3)/3=2 -> 1;  row 3: 2.5 > 7/3 -> 1
    # row 4: 1.5 < 2 -> 0;  row 5: 1 < 4/3 -> 0;  row 6: 1 == 1 (not strictly greater) -> 0
    # row 7: 1.5 > 4/3 -> 1
    strategy = SmaCross(fast=2, slow=3)
    assert strategy.warmup_bars() == 3
    assert same(values(strategy, frame([1, 2, 3, 2, 1, 1, 1, 2])), [NAN, NAN, 1, 1, 0, 0, 0, 1])


def test_sma_cross_first_signal_at_slow_th_bar_is_an_entry() -> None:
    bars = frame(range(1, 41))  # rising: SMA(10) > SMA(30) as soon as both exist
    signal = SmaCross(fast=10, slow=30).signals(bars)
    assert signal.iloc[:29].isna().all()
    assert signal.iloc[29] == 1.0  # the 30th bar: first signal, and it is long
    assert (signal.iloc[29:] == 1.0).all()


def test_sma_cross_flat_prices_are_equal_not_greater() -> None:
    # 0.7 is not exact in binary: naive means of 10 and 30 copies differ in the last bit.
    assert sum([0.7] * 10) / 10 > sum([0.7] * 30) / 30
    signal = SmaCross(fast=10, slow=30).signals(frame([1.0] * 5 + [0.7] * 40))
    assert (signal.iloc[34:] == 0.0).all()


def test_sma_cross_previous_n_bars_means_rows_whatever_the_gap() -> None:
    close = [1, 2, 3, 2, 1, 1, 1, 2]
    regular = SmaCross(fast=2, slow=3).signals(frame(close))
    gappy = SmaCross(fast=2, slow=3).signals(
        frame(close, minutes=[0, 1, 60, 61, 500, 501, 502, 9000])
    )
    assert same(regular.tolist(), gappy.tolist())


def test_sma_cross_fewer_rows_than_warmup_is_all_nan() -> None:
    assert SmaCross(fast=2, slow=3).signals(frame([1, 2])).isna().all()


# -- rsi_reversion -----------------------------------------------------------------------


def test_rsi_reversion_hand_computed() -> None:
    # period 2; changes: +1 +1 -1 -2 0 0 +1 -1
    # row 2: G=2 L=0 RSI 100 > 70 -> -1;  row 3: G=1 L=1 RSI 50 -> 0
    # row 4: G=0 L=3 RSI 0 < 30 -> 1;     row 5: G=0 L=2 -> 1
    # row 6: no change at all -> RSI 50 -> 0;  row 7: G=1 L=0 -> -1;  row 8: 50 -> 0
    strategy = RsiReversion(period=2, lower=30, upper=70)
    assert strategy.warmup_bars() == 3
    bars = frame([10, 11, 12, 11, 9, 9, 9, 10, 9])
    assert same(values(strategy, bars), [NAN, NAN, -1, 0, 1, 1, 0, -1, 0])


def test_rsi_is_cutler_simple_sums() -> None:
    # period 3, changes +3 -1 +1: G=4, L=1 -> RSI 80 (Wilder smoothing would differ later)
    bars = frame([10, 13, 12, 13])
    assert RsiReversion(period=3).rsi(bars)[3] == 80.0
    assert values(RsiReversion(period=3, upper=70), bars)[3] == -1.0
    assert values(RsiReversion(period=3, upper=85), bars)[3] == 0.0


def test_rsi_thresholds_are_strict() -> None:
    bars = frame([10, 13, 6])  # period 2: G=3 L=7 -> RSI exactly 30
    assert values(RsiReversion(period=2, lower=30, upper=70), bars)[2] == 0.0
    assert values(RsiReversion(period=2, lower=30.5, upper=70), bars)[2] == 1.0


def test_rsi_params_must_be_ordered() -> None:
    with pytest.raises(ValidationError, match="lower"):
        RsiReversion(lower=70, upper=30)


# -- breakout ----------------------------------------------------------------------------


def test_breakout_hand_computed() -> None:
    high = [10, 11, 12, 11, 10, 13, 13, 13]
    low = [9, 10, 11, 8, 9, 10, 10, 10]
    # row 2: top 12 set at row 2, bottom 9 at row 0 -> top more recent -> 1
    # row 3: top 12 (row 2), bottom 8 (row 3) -> -1;  row 4: top 12 (row 2), bottom 8 (row 3) -> -1
    # row 5: top 13 (row 5), bottom 8 (row 3) -> 1;  row 6: top 13 (row 6), bottom 9 (row 4) -> 1
    # row 7: top 13 and bottom 10 both last set at row 7 -> 0
    close = [(h + lo) / 2 for h, lo in zip(high, low, strict=True)]
    strategy = Breakout(lookback=3)
    assert strategy.warmup_bars() == 3
    assert same(values(strategy, frame(close, high, low)), [NAN, NAN, 1, -1, -1, 1, 1, 0])


# -- buy_and_hold ------------------------------------------------------------------------


def test_buy_and_hold_is_long_from_the_first_bar() -> None:
    strategy = BuyAndHold()
    assert strategy.warmup_bars() == 1
    assert values(strategy, frame([5, 4, 3])) == [1.0, 1.0, 1.0]


@pytest.mark.parametrize(
    ("strategy", "warmup"),
    [
        (SmaCross(fast=10, slow=30), 30),
        (SmaCross(fast=30, slow=10), 30),
        (RsiReversion(period=14), 15),
        (Breakout(lookback=20), 20),
        (BuyAndHold(), 1),
    ],
    ids=["sma_10_30", "sma_30_10", "rsi_14", "breakout_20", "buy_and_hold"],
)
def test_first_signal_is_at_the_warmup_th_bar(strategy: Strategy, warmup: int) -> None:
    signal = strategy.signals(frame([float(i % 7 + 1) for i in range(40)]))
    assert strategy.warmup_bars() == warmup
    assert signal.iloc[: warmup - 1].isna().all()
    assert signal.iloc[warmup - 1 :].notna().all()


# -- live path ---------------------------------------------------------------------------


def test_last_signal_uses_the_trailing_window() -> None:
    bars = frame([1, 2, 3, 2, 1, 1, 1, 2])
    strategy = SmaCross(fast=2, slow=3)
    assert strategy.window_size() == 3
    assert strategy.last_signal(bars) == 1.0
    assert strategy.last_signal(bars.iloc[:5]) == 0.0
    assert np.isnan(strategy.last_signal(bars.iloc[:2]))


# -- the contract on real bars -----------------------------------------------------------


class _RealBars:
    SIGNAL_TOLERANCE = 0.0  # the built-ins are exact: windows and update() match bit for bit

    def make_bars(self) -> pd.DataFrame:
        (frame,) = ReplayFeed(path=str(BARS / "freqtrade_XRP_ETH-5m.csv")).load_frames().values()
        return frame


class TestSmaCrossContract(_RealBars, StrategyContract):
    def make_strategy(self) -> Strategy:
        return SmaCross(fast=10, slow=30)


class TestRsiReversionContract(_RealBars, StrategyContract):
    def make_strategy(self) -> Strategy:
        return RsiReversion(period=14)


class TestRsiReversionWithExitLevelsContract(_RealBars, StrategyContract):
    def make_strategy(self) -> Strategy:
        return RsiReversion(period=14, exit_long=50, exit_short=50)


class TestBuyAndHoldContract(_RealBars, StrategyContract):
    def make_strategy(self) -> Strategy:
        return BuyAndHold()


class TestBreakoutContract(_RealBars, StrategyContract):
    def make_strategy(self) -> Strategy:
        return Breakout(lookback=20)


class TestBreakoutContractOnRandomWalk(StrategyContract):
    SIGNAL_TOLERANCE = 0.0

    def make_strategy(self) -> Strategy:
        return Breakout(lookback=5)
