"""The look-ahead check catches a deliberately leaky strategy, at the first differing bar."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from logos.strategies.base import Strategy
from logos.strategies.lookahead import (
    StrategyCheckError,
    check_causal,
    check_window,
    prefix_lengths,
)
from logos.testing.strategies import StrategyContract, random_walk_bars


class LeakyStrategy(Strategy):
    """Long when the NEXT close is higher: uses tomorrow's price (deliberately leaky)."""

    name = "leaky"

    def warmup_bars(self) -> int:
        return 1

    def signals(self, bars: pd.DataFrame) -> pd.Series:
        future = bars["close"].shift(-1)
        return self._series(np.sign(future - bars["close"]).to_numpy(), bars)


class LateLeakStrategy(Strategy):
    """Causal, except that from bar 50 on it peeks at the last bar of the data it is given."""

    name = "late_leak"

    def warmup_bars(self) -> int:
        return 1

    def signals(self, bars: pd.DataFrame) -> pd.Series:
        out = np.zeros(len(bars))
        if len(bars) > 50:
            out[50:] = 1.0 if bars["close"].iloc[-1] > bars["close"].iloc[0] else -1.0
        return self._series(out, bars)


class ShortWindowStrategy(Strategy):
    """Causal 3-row mean sign, but it claims a window of 1 row."""

    name = "short_window"

    def warmup_bars(self) -> int:
        return 1

    def window_size(self) -> int:
        return 1

    def signals(self, bars: pd.DataFrame) -> pd.Series:
        change = bars["close"].diff(3)
        return self._series(np.sign(change.fillna(0.0)).to_numpy(), bars)


class CrashesOnShortData(Strategy):
    """Reads the third close unconditionally: fails on fewer than 3 rows."""

    name = "crashy"

    def warmup_bars(self) -> int:
        return 1

    def signals(self, bars: pd.DataFrame) -> pd.Series:
        third = bars["close"].iloc[2]
        return self._series(np.where(bars["close"] > third, 1.0, 0.0), bars)


def bars_with(closes: list[float]) -> pd.DataFrame:
    index = pd.date_range("2024-01-01", periods=len(closes), freq="1min", tz="UTC")
    close = np.asarray(closes, dtype="float64")
    return pd.DataFrame(
        {"open": close, "high": close, "low": close, "close": close, "volume": 0.0}, index=index
    )


def test_leaky_strategy_is_caught_at_the_first_bar() -> None:
    bars = bars_with([1, 2, 3, 2, 5])
    mismatch, checked = check_causal(LeakyStrategy(), bars)
    # With only bar 0 the next close is unknown (NaN); with all data bar 0 is long (2 > 1).
    assert mismatch is not None
    assert (mismatch.bar, mismatch.rows_given, checked) == (0, 1, 1)
    assert np.isnan(mismatch.partial) and mismatch.full == 1.0
    assert mismatch.ts == pd.Timestamp("2024-01-01T00:00:00Z")


def test_late_leak_is_reported_at_its_first_differing_bar() -> None:
    closes = [float(10 + (i % 7)) for i in range(120)]
    closes[-1] = 20.0  # full data: last close 20 > first close 10 -> bars 50.. are +1
    # Prefixes of 51..56 rows end on closes 11..16 (> 10, same +1); the prefix of 57 rows ends
    # on bar 56, close 10 + 56 % 7 = 10, not above the first -> -1 from bar 50 on.
    mismatch, _ = check_causal(LateLeakStrategy(), bars_with(closes))
    assert mismatch is not None
    assert (mismatch.bar, mismatch.rows_given) == (50, 57)
    assert (mismatch.partial, mismatch.full) == (-1.0, 1.0)
    assert "bar 50 (2024-01-01T00:50:00+00:00)" in mismatch.describe("a prefix")


class TwoLeaksStrategy(Strategy):
    """Bar 10 peeks once there are more than 15 rows; bar 3 only when there are exactly 20."""

    name = "two_leaks"

    def warmup_bars(self) -> int:
        return 1

    def signals(self, bars: pd.DataFrame) -> pd.Series:
        out = np.zeros(len(bars))
        if len(bars) > 15:
            out[10] = 1.0
        if len(bars) == 20:
            out[3] = -1.0
        return self._series(out, bars)


def test_the_earliest_differing_bar_is_reported_not_the_shortest_prefix() -> None:
    # 30 rows: full data has bar 10 = 1, bar 3 = 0. Prefixes 11..15 differ at bar 10 (0 vs 1);
    # the prefix of 20 rows differs at bar 3 (-1 vs 0), the earlier bar.
    mismatch, checked = check_causal(TwoLeaksStrategy(), bars_with([1.0] * 30))
    assert mismatch is not None and checked == 30
    assert (mismatch.bar, mismatch.rows_given, mismatch.partial, mismatch.full) == (
        3,
        20,
        -1.0,
        0.0,
    )


def test_a_crash_on_a_prefix_is_a_readable_check_error() -> None:
    with pytest.raises(StrategyCheckError) as info:
        check_causal(CrashesOnShortData(), bars_with([1, 2, 3, 4]))
    assert str(info.value) == (
        "crashy: signals() raised IndexError: single positional indexer is out-of-bounds "
        "on 1 row(s)"
    )


def test_too_short_window_is_caught() -> None:
    mismatch, _ = check_window(ShortWindowStrategy(), bars_with([1, 2, 3, 4, 5]))
    # at bar 0 the one-row window gives diff NaN -> 0, same as full; first real use is bar 3
    assert mismatch is not None and mismatch.bar == 3
    assert (mismatch.partial, mismatch.full) == (0.0, 1.0)


def test_prefix_sample_is_dense_through_warmup_and_ends_with_all_rows() -> None:
    assert prefix_lengths(5, 2) == [1, 2, 3, 4, 5]
    sample = prefix_lengths(10_000, 30, max_prefixes=100)
    assert sample[:50] == list(range(1, 51))
    assert sample[-1] == 10_000
    assert len(sample) <= 100


class TestLeakyStrategyFailsTheContract(StrategyContract):
    def make_strategy(self) -> Strategy:
        return LeakyStrategy()

    def test_no_look_ahead(self) -> None:
        with pytest.raises(AssertionError, match="leaky looks ahead: bar 0"):
            super().test_no_look_ahead()

    def test_window_reproduces_last_signal(self) -> None:
        with pytest.raises(AssertionError, match="leaky: window_size"):
            super().test_window_reproduces_last_signal()

    def test_update_gives_the_signals(self) -> None:
        # update() sees bar 0 alone, as a prefix of one row does: the next close is unknown
        with pytest.raises(AssertionError, match=r"leaky: update\(\) .* first at bar 0 "):
            super().test_update_gives_the_signals()


def test_random_walk_bars_have_the_strategy_input_shape() -> None:
    bars = random_walk_bars(rows=100)
    assert list(bars.columns) == ["open", "high", "low", "close", "volume"]
    assert str(bars.index.tz) == "UTC" and bars.index.is_monotonic_increasing
    assert (bars["low"] <= bars[["open", "close"]].min(axis=1)).all()
