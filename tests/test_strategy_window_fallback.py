"""The default ``Strategy.update``: a strategy with only ``signals()`` gets, bar by bar, the
signal of a frame of its trailing ``window_size()`` bars, shaped like the replay feed's frame,
kept in bounded memory."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from logos.domain import Bar
from logos.feeds.replay import ReplayFeed
from logos.strategies.base import BAR_COLUMNS, Strategy
from logos.strategies.frames import bars_from_frame, check_bars_frame
from logos.strategies.window import BarWindow
from logos.testing.strategies import StrategyContract

BARS = Path(__file__).parent / "data" / "bars"


class Momentum(Strategy):
    """Long while the close is above the close ``lookback`` rows ago (the docs' example)."""

    name = "momentum"
    lookback = 10

    def warmup_bars(self) -> int:
        return self.lookback + 1

    def signals(self, bars: pd.DataFrame) -> pd.Series:
        close = bars["close"].to_numpy()
        out = np.full(len(close), np.nan)
        n = self.lookback
        out[n:] = (close[n:] > close[:-n]).astype(float)
        return self._series(out, bars)


class Recording(Momentum):
    """Momentum that keeps every frame ``signals()`` was given."""

    def __init__(self, window: int | None = 11) -> None:
        super().__init__()
        self.window = window
        self.frames: list[pd.DataFrame] = []

    def window_size(self) -> int | None:
        return self.window

    def signals(self, bars: pd.DataFrame) -> pd.Series:
        self.frames.append(bars)
        return super().signals(bars)


def load(name: str = "freqtrade_XRP_ETH-1m.csv") -> pd.DataFrame:
    (frame,) = ReplayFeed(ReplayFeed.Params(path=str(BARS / name))).load_frames().values()
    return frame


def test_update_equals_signals_on_real_bars() -> None:
    frame = load()
    expected = Momentum().signals(frame).to_numpy()
    strategy = Momentum()
    actual = np.array([strategy.update(bar) for bar in bars_from_frame(frame, "XRP/ETH")])
    assert np.array_equal(actual, expected, equal_nan=True)


def test_signals_gets_the_trailing_rows_of_the_replay_frame() -> None:
    frame = load().iloc[:40]
    strategy = Recording(window=11)
    for bar in bars_from_frame(frame, "XRP/ETH"):
        strategy.update(bar)
    assert len(strategy.frames) == 40
    for end, given in enumerate(strategy.frames, start=1):
        expected = frame.iloc[max(0, end - 11) : end]
        check_bars_frame(given)
        assert list(given.columns) == list(BAR_COLUMNS)
        assert given.index.name == "ts" and str(given.index.dtype) == "datetime64[ns, UTC]"
        assert given.index.equals(expected.index)
        assert np.array_equal(given.to_numpy(), expected[list(BAR_COLUMNS)].to_numpy())


def test_a_full_history_strategy_gets_every_bar() -> None:
    frame = load().iloc[:150]  # more than the first allocation: the arrays grow
    strategy = Recording(window=None)
    for bar in bars_from_frame(frame, "XRP/ETH"):
        strategy.update(bar)
    assert [len(f) for f in strategy.frames] == list(range(1, 151))
    assert np.array_equal(strategy.frames[-1].to_numpy(), frame[list(BAR_COLUMNS)].to_numpy())
    assert strategy.frames[-1].index.equals(frame.index)


def test_the_window_stays_bounded() -> None:
    window = BarWindow(7)
    for bar in bars_from_frame(load().iloc[:100], "XRP/ETH"):
        window.append(bar)
        assert len(window) <= 7
        assert window.capacity == 14
    assert len(window.frame()) == 7


def test_a_frame_is_a_copy_the_strategy_may_keep() -> None:
    window = BarWindow(3)
    bars = bars_from_frame(load().iloc[:10], "XRP/ETH")
    for bar in bars[:3]:
        window.append(bar)
    first = window.frame()
    kept = first.copy()
    first.iloc[0, 0] = -1.0  # a misbehaving strategy writes into its input
    for bar in bars[3:]:
        window.append(bar)  # rows move inside the window's arrays
    pd.testing.assert_frame_equal(first.iloc[1:], kept.iloc[1:])
    assert window.frame().index[0] == bars[7].ts


def test_reset_starts_a_new_series() -> None:
    bars = bars_from_frame(load().iloc[:30], "XRP/ETH")
    strategy = Recording(window=11)
    for bar in bars[20:]:
        strategy.update(bar)
    strategy.reset()
    strategy.update(bars[0])  # earlier than the bars before the reset: a new series
    assert len(strategy.frames[-1]) == 1


def bar(symbol: str, ts: datetime) -> Bar:
    one = Decimal(1)
    return Bar(symbol, ts, one, one, one, one, one)


T0 = datetime.fromisoformat("2024-01-01T00:00:00+00:00")


@pytest.mark.parametrize(
    ("second", "message"),
    [
        (bar("ETH/USD", T0 + timedelta(minutes=1)), "bar of 'ETH/USD' given to the strategy of"),
        (bar("BTC/USD", T0), "BTC/USD: bar at 2024-01-01T00:00:00+00:00 is not after the previous"),
        (bar("BTC/USD", T0 - timedelta(minutes=1)), "is not after the previous bar"),
        (bar("BTC/USD", datetime(2024, 1, 1, 0, 1)), "bar timestamp 2024-01-01T00:01:00 is naive"),
    ],
    ids=["other_symbol", "same_ts", "earlier_ts", "naive_ts"],
)
def test_a_bar_the_frame_cannot_take_is_an_error(second: Bar, message: str) -> None:
    strategy = Momentum()
    strategy.update(bar("BTC/USD", T0))
    with pytest.raises(ValueError, match=re.escape(message)):
        strategy.update(second)
    assert np.isnan(strategy.update(bar("BTC/USD", T0 + timedelta(minutes=2))))  # still usable


def test_a_timestamp_in_another_zone_is_the_same_instant() -> None:
    window = BarWindow(2)
    window.append(bar("BTC/USD", datetime.fromisoformat("2024-01-01T01:30:00+01:00")))
    assert window.frame().index[0] == pd.Timestamp("2024-01-01T00:30:00Z")


class TestMomentumContract(StrategyContract):
    def make_strategy(self) -> Strategy:
        return Momentum()
