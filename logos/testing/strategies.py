"""The strategy contract: subclass :class:`StrategyContract` in your plugin's tests.

Override :meth:`StrategyContract.make_strategy`; optionally override
:meth:`StrategyContract.make_bars` to run on your own data (the default is a seeded random
walk with flat stretches and time gaps)::

    from logos.testing.strategies import StrategyContract

    class TestMyStrategyContract(StrategyContract):
        def make_strategy(self):
            return MyStrategy(lookback=5)

The suite includes the checks ``logos check-strategy`` runs: signals on every prefix of the
data (a dense sample for long data) must equal the full-data signals (no look-ahead), and so
must the last signal of each trailing ``window_size()`` window. It also feeds the bars one by
one to ``update()`` of a fresh instance and compares every result with ``signals()`` on the
whole series.

"Equal" means what matters for trading, the sign and the size of the target exposure: both NaN,
or both numbers of the same sign (-1, 0 or 1) within ``SIGNAL_TOLERANCE`` (1e-9) of each other.
So a strategy built on ordinary float arithmetic, whose rolling sums differ in the last bits
depending on the first row of the frame, passes; a signal that flips, or is 0 on one path and
not on the other, fails. Override ``SIGNAL_TOLERANCE`` in the subclass to be stricter (0.0:
bit for bit, as the built-ins are) or looser.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pandas as pd

from logos.components import Component, ComponentKind
from logos.strategies.base import BAR_COLUMNS, Strategy
from logos.strategies.frames import check_bars_frame
from logos.strategies.lookahead import (
    SIGNAL_TOLERANCE,
    check_causal,
    check_signal_values,
    check_update,
    check_window,
)
from logos.testing.components import ComponentContract


def random_walk_bars(rows: int = 400, seed: int = 7) -> pd.DataFrame:
    """Deterministic bars: a random walk with a flat stretch and a few missing minutes."""
    rng = np.random.default_rng(seed)
    close = 100.0 * np.exp(np.cumsum(rng.normal(0.0, 0.01, rows)))
    close[rows // 3 : rows // 3 + 25] = close[rows // 3]  # flat bars: o = h = l = c
    opens = np.concatenate([[close[0]], close[:-1]])
    spread = np.abs(rng.normal(0.0, 0.004, rows)) * close
    spread[rows // 3 + 1 : rows // 3 + 25] = 0.0
    high = np.maximum(opens, close) + spread
    low = np.minimum(opens, close) - spread
    minutes = np.arange(rows) + np.where(np.arange(rows) > rows // 2, 7, 0)  # a 7-minute gap
    index = pd.DatetimeIndex(
        pd.Timestamp("2024-01-01T00:00:00Z") + pd.to_timedelta(minutes, unit="min"), name="ts"
    )
    volume = rng.integers(0, 1000, rows).astype("float64")
    frame = pd.DataFrame(
        {"open": opens, "high": high, "low": low, "close": close, "volume": volume}, index=index
    )
    return frame[list(BAR_COLUMNS)]


class StrategyContract(ComponentContract):
    """Behaviour every strategy must have. Subclass it; pytest collects the ``test_*`` methods."""

    kind: ClassVar[ComponentKind] = ComponentKind.STRATEGY

    max_prefixes: ClassVar[int] = 300
    SIGNAL_TOLERANCE: ClassVar[float] = SIGNAL_TOLERANCE
    """Largest difference between two signals of the same sign that still counts as equal."""

    def make_strategy(self) -> Strategy:
        """A strategy instance with the params to check (override)."""
        raise NotImplementedError("override make_strategy() in your StrategyContract subclass")

    def component_class(self) -> type[Component]:
        """The class of :meth:`make_strategy`'s strategy."""
        return type(self.make_strategy())

    def make_bars(self) -> pd.DataFrame:
        """The bars to check on (override to use real data)."""
        return random_walk_bars()

    # -- the contract -----------------------------------------------------------------

    def test_is_a_strategy(self) -> None:
        strategy = self.make_strategy()
        assert isinstance(strategy, Strategy), f"{type(strategy).__mro__} lacks Strategy"

    def test_warmup_and_window_are_positive(self) -> None:
        strategy = self.make_strategy()
        warmup, window = strategy.warmup_bars(), strategy.window_size()
        assert isinstance(warmup, int) and warmup >= 1
        assert window is None or (isinstance(window, int) and window >= warmup)

    def test_signals_are_float64_on_the_bars_index(self) -> None:
        bars = check_bars_frame(self.make_bars())
        result = self.make_strategy().signals(bars)
        assert isinstance(result, pd.Series)
        assert result.index.equals(bars.index)
        assert result.dtype == "float64"

    def test_values_in_range_and_nan_during_warmup(self) -> None:
        strategy = self.make_strategy()
        assert check_signal_values(strategy, self.make_bars()) == []

    def test_first_signal_once_warmed_up(self) -> None:
        strategy = self.make_strategy()
        bars = self.make_bars()
        warmup = strategy.warmup_bars()
        assert len(strategy.signals(bars.iloc[: warmup - 1]).dropna()) == 0
        assert strategy.signals(bars).iloc[warmup - 1 :].notna().any(), "never produces a signal"

    def test_empty_input_gives_empty_signals(self) -> None:
        bars = self.make_bars().iloc[:0]
        assert len(self.make_strategy().signals(bars)) == 0

    def test_does_not_modify_its_input(self) -> None:
        bars = self.make_bars()
        before = bars.copy()
        self.make_strategy().signals(bars)
        pd.testing.assert_frame_equal(bars, before)

    def test_deterministic(self) -> None:
        bars = self.make_bars()
        first = self.make_strategy().signals(bars)
        second = self.make_strategy().signals(bars.copy())
        pd.testing.assert_series_equal(first, second)

    def test_no_look_ahead(self) -> None:
        strategy = self.make_strategy()
        mismatch, _ = check_causal(
            strategy, self.make_bars(), self.max_prefixes, self.SIGNAL_TOLERANCE
        )
        assert mismatch is None, f"{strategy.name} looks ahead: {mismatch.describe('a prefix')}"

    def test_window_reproduces_last_signal(self) -> None:
        strategy = self.make_strategy()
        mismatch, _ = check_window(
            strategy, self.make_bars(), self.max_prefixes, self.SIGNAL_TOLERANCE
        )
        assert mismatch is None, (
            f"{strategy.name}: window_size() {strategy.window_size()} is not enough: "
            f"{mismatch.describe('the trailing window')}"
        )

    def test_update_gives_the_signals(self) -> None:
        mismatch = check_update(
            self.make_strategy, self.make_bars(), tolerance=self.SIGNAL_TOLERANCE
        )
        assert mismatch is None, (
            f"{self.make_strategy().name}: update() fed the bars one by one disagrees with "
            f"signals() (tolerance {self.SIGNAL_TOLERANCE!r}) first at {mismatch.describe()}"
        )
