"""Signals computed a chunk at a time are the whole series' signals.

A streamed backtest computes each strategy's ``signals()`` per chunk of bars, each chunk
preceded by the ``window_size() - 1`` bars before it (logos/strategies/chunked.py). For every
built-in the values must equal ``signals()`` on the whole series exactly, wherever the chunks
are cut — including chunks shorter than the window and a first chunk shorter than the warm-up.
"""

from __future__ import annotations

import math
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from logos.errors import LogosError
from logos.feeds.replay import ReplayFeed
from logos.strategies.breakout import Breakout
from logos.strategies.buy_and_hold import BuyAndHold
from logos.strategies.chunked import ChunkedSignals, signal_source
from logos.strategies.frames import bars_from_frame
from logos.strategies.rsi_reversion import RsiReversion
from logos.strategies.sma_cross import SmaCross

DATA = Path(__file__).resolve().parents[1] / "logos" / "data"


@pytest.fixture(scope="module")
def btc() -> pd.DataFrame:
    frame = ReplayFeed(path=str(DATA / "btcusdt-perp-1m.csv")).load_frames()
    return next(iter(frame.values())).iloc[:3000]


STRATEGIES = [
    SmaCross(fast=10, slow=30),
    SmaCross(fast=3, slow=200),
    Breakout(),
    RsiReversion(),
    BuyAndHold(),
]


def _chunked(strategy: object, frame: pd.DataFrame, cuts: list[int]) -> np.ndarray:
    source = signal_source("BTC", strategy)  # type: ignore[arg-type]
    assert isinstance(source, ChunkedSignals)
    bounds = zip([0, *cuts], [*cuts, len(frame)], strict=True)
    parts = [source.add(frame.iloc[a:b]) for a, b in bounds]
    return np.concatenate(parts)


@pytest.mark.parametrize("strategy", STRATEGIES, ids=lambda s: f"{s.name}")
@pytest.mark.parametrize(
    "cuts",
    [[1500], [1, 2, 3, 40, 41, 1000], list(range(7, 3000, 7)), [29, 30, 31, 2999]],
    ids=["halves", "tiny-first", "every-7", "at-the-window"],
)
def test_chunked_signals_equal_the_whole_series(
    btc: pd.DataFrame, strategy: object, cuts: list[int]
) -> None:
    whole = strategy.signals(btc).to_numpy()  # type: ignore[attr-defined]
    assert np.isfinite(whole).sum() > 2000  # the strategy does give signals here
    assert np.array_equal(_chunked(strategy, btc, cuts), whole, equal_nan=True)


def test_the_engine_takes_the_signals_bar_by_bar_in_order(btc: pd.DataFrame) -> None:
    strategy = SmaCross(fast=2, slow=3)
    source = ChunkedSignals("BTC", strategy, strategy.window_size())
    frame = btc.iloc[:6]
    source.add(frame.iloc[:4])
    source.add(frame.iloc[4:])
    closes = [Decimal(repr(x)) for x in frame["close"].tolist()]
    expected = [math.nan, math.nan]
    for t in range(2, 6):  # SMA(2) > SMA(3), compared exactly: 3·Σ2 > 2·Σ3
        fast_sum, slow_sum = sum(closes[t - 1 : t + 1]), sum(closes[t - 2 : t + 1])
        expected.append(1.0 if 3 * fast_sum > 2 * slow_sum else 0.0)
    got = [source(bar) for bar in bars_from_frame(frame, "BTC")]
    assert np.array_equal(got, expected, equal_nan=True)
    with pytest.raises(LogosError, match="before the chunk holding it was read"):
        source(bars_from_frame(frame, "BTC")[0])


def test_a_strategy_that_needs_its_whole_history_is_asked_bar_by_bar() -> None:
    strategy = RsiReversion(exit_long=50)  # hysteresis: window_size() is None
    assert strategy.window_size() is None
    assert signal_source("BTC", strategy) == strategy.update
