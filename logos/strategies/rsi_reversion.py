"""``rsi_reversion``: long when RSI is oversold, short when it is overbought."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field, model_validator

from logos.components import Params
from logos.strategies.base import Strategy
from logos.strategies.exact import DecimalScale, scaled_integers, window_sums

if TYPE_CHECKING:
    from logos.domain import Bar

NAN = math.nan


class RsiReversion(Strategy):
    """Long/short mean reversion on RSI with entry and optional separate exit thresholds.

    RSI is Cutler's RSI over ``period`` close-to-close changes (simple sums, not Wilder's
    smoothing, so it depends on exactly ``period + 1`` rows): ``RSI = 100 × gains / (gains +
    losses)``, 50 when there was no change at all. Gains, losses and every threshold
    comparison are exact on the closes' decimal values (:mod:`logos.strategies.exact`), so an
    RSI of exactly 30 is not below ``lower = 30``.

    Without exit levels (the default) the signal is stateless: 1 while RSI < ``lower`` (long
    when oversold), -1 while RSI > ``upper`` (short when overbought), 0 otherwise, so a
    position is exited as soon as RSI is back inside [lower, upper].

    With ``exit_long`` and/or ``exit_short`` (hysteresis) the signal at each row follows from
    the previous row's signal (0 before the first signal):

    1. RSI < ``lower``: 1 (entries come first, whatever the previous signal);
    2. else RSI > ``upper``: -1;
    3. else previous 1 and RSI < ``exit_long``: 1 (the long is held until RSI rises to or
       above ``exit_long``);
    4. else previous -1 and RSI > ``exit_short``: -1 (held until RSI falls to or below
       ``exit_short``);
    5. else 0.

    An unset exit level acts as its entry level (``exit_long = lower`` makes rule 3 never
    hold), which is the stateless rule. With an exit level set the signal depends on the
    whole history since the first row given: ``window_size()`` is ``None`` and ``signals``
    runs the rules over the frame. A session started later starts flat, so while a backtest
    of the same bars holds a position entered before that start the two disagree; from the
    first exit or entry on they agree (entries do not depend on the previous signal).

    :meth:`update` keeps the last ``period`` gains and losses and their sums as exact ints,
    O(1) per bar, and gives the signals ``signals`` gives, bit for bit.
    """

    name = "rsi_reversion"

    class Params(Params):
        period: int = Field(14, ge=2, description="close-to-close changes in the RSI")
        lower: float = Field(30.0, gt=0, lt=100, description="long below this RSI")
        upper: float = Field(70.0, gt=0, lt=100, description="short above this RSI")
        exit_long: float | None = Field(
            None, description="hold a long until RSI reaches this (lower < exit_long < 100)"
        )
        exit_short: float | None = Field(
            None, description="hold a short until RSI falls to this (0 < exit_short < upper)"
        )

        @model_validator(mode="after")
        def _ordered(self) -> RsiReversion.Params:
            if self.lower >= self.upper:
                raise ValueError(f"lower ({self.lower}) must be below upper ({self.upper})")
            if self.exit_long is not None and not self.lower < self.exit_long < 100:
                raise ValueError(
                    f"exit_long ({self.exit_long}) must be above lower ({self.lower}) and below 100"
                )
            if self.exit_short is not None and not 0 < self.exit_short < self.upper:
                raise ValueError(
                    f"exit_short ({self.exit_short}) must be above 0 and below upper ({self.upper})"
                )
            return self

    def __init__(self, params: BaseModel | None = None, **kwargs: Any) -> None:
        super().__init__(params, **kwargs)
        self.reset()

    def warmup_bars(self) -> int:
        return self.params.period + 1

    def window_size(self) -> int | None:
        if self.params.exit_long is None and self.params.exit_short is None:
            return self.warmup_bars()
        return None

    def _exit_levels(self) -> tuple[float, float]:
        """(exit_long, exit_short), an unset one replaced by its entry level."""
        p = self.params
        return (
            p.lower if p.exit_long is None else p.exit_long,
            p.upper if p.exit_short is None else p.exit_short,
        )

    # -- the whole series ----------------------------------------------------------------

    def _gains_losses(self, bars: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """Exact sums of the gains and of the losses over the last ``period`` changes (ints on
        one decimal scale) for the rows that have them: row ``period`` onwards."""
        close = scaled_integers(bars["close"].to_numpy(dtype="float64"))
        if len(close) <= self.params.period:
            return np.array([], dtype=object), np.array([], dtype=object)
        change = close[1:] - close[:-1]
        gains = window_sums(np.maximum(change, 0), self.params.period)
        losses = window_sums(np.maximum(-change, 0), self.params.period)
        first = self.params.period - 1
        return gains[first:], losses[first:]

    def rsi(self, bars: pd.DataFrame) -> np.ndarray:
        """Cutler's RSI per row as float64 (NaN for the first ``period`` rows)."""
        gains, losses = self._gains_losses(bars)
        out = np.full(len(bars), np.nan)
        total = gains + losses
        moved = total != 0
        rsi = np.full(len(gains), 50.0)
        rsi[moved] = [100 * g / t for g, t in zip(gains[moved], total[moved], strict=True)]
        out[len(bars) - len(gains) :] = rsi
        return out

    def signals(self, bars: pd.DataFrame) -> pd.Series:
        gains, losses = self._gains_losses(bars)
        out = np.full(len(bars), np.nan)
        total = gains + losses
        p = self.params
        below = self._compare(gains, total, p.lower) < 0
        above = self._compare(gains, total, p.upper) > 0
        exit_long, exit_short = self._exit_levels()
        # rows on which a long (short) already held stays held: rules 3 and 4; entries too
        keep_long = below | ((self._compare(gains, total, exit_long) < 0) & ~above)
        keep_short = above | ((self._compare(gains, total, exit_short) > 0) & ~below)
        long = _held(below, keep_long)
        short = _held(above, keep_short)
        out[len(bars) - len(gains) :] = long.astype("float64") - short.astype("float64")
        return self._series(out, bars)

    @staticmethod
    def _compare(gains: np.ndarray, total: np.ndarray, threshold: float) -> np.ndarray:
        """Sign of RSI − threshold per row, exactly (RSI 50 when nothing moved)."""
        level = Fraction(repr(threshold))
        flat = (Fraction(50) > level) - (Fraction(50) < level)
        diff = 100 * gains * level.denominator - level.numerator * total  # total ≥ 0
        sign = np.array([(d > 0) - (d < 0) for d in diff], dtype=np.int64)
        return np.where(total == 0, flat, sign)

    # -- bar by bar ----------------------------------------------------------------------

    def reset(self) -> None:
        super().reset()
        p = self.params
        exit_long, exit_short = self._exit_levels()
        self._lower = _Level(p.lower)
        self._upper = _Level(p.upper)
        self._exit_long = _Level(exit_long)
        self._exit_short = _Level(exit_short)
        self._scale = DecimalScale()
        self._ints = self._scale.cache  # close -> int on the scale (the hot path's lookup)
        self._previous: int | None = None  # the last close
        # the last `period` gains and losses, oldest overwritten first; zeros before they
        # exist, so a sum can always drop the change leaving its window
        self._gains: list[int] = [0] * p.period
        self._losses: list[int] = [0] * p.period
        self._pos = 0
        self._gain_sum = 0
        self._loss_sum = 0
        self._warming = p.period  # bars still to go before the first signal
        self._state = 0  # the last signal (0 before the first)

    def update(self, bar: Bar) -> float:
        close = self._ints.get(bar.close)
        if close is None:
            close = self._convert(bar.close)
        previous, self._previous = self._previous, close
        if previous is None:
            return NAN
        change = close - previous
        pos = self._pos
        gain, loss = (change, 0) if change > 0 else (0, -change)
        gains, losses = self._gains, self._losses
        gain_sum = self._gain_sum = self._gain_sum + gain - gains[pos]
        loss_sum = self._loss_sum = self._loss_sum + loss - losses[pos]
        gains[pos], losses[pos] = gain, loss
        self._pos = pos + 1 if pos + 1 < len(gains) else 0
        if self._warming:
            self._warming -= 1
            if self._warming:
                return NAN
        total = gain_sum + loss_sum
        if self._lower.rsi_below(gain_sum, total):
            state = 1
        elif self._upper.rsi_above(gain_sum, total):
            state = -1
        elif self._state == 1:
            state = 1 if self._exit_long.rsi_below(gain_sum, total) else 0
        elif self._state == -1:
            state = -1 if self._exit_short.rsi_above(gain_sum, total) else 0
        else:
            state = 0
        self._state = state
        return float(state)

    def _convert(self, price: Decimal) -> int:
        """``price`` on the common scale, rescaling the state when the scale grows."""
        value, factor = self._scale.convert(price)
        if factor != 1:
            self._gains = [g * factor for g in self._gains]
            self._losses = [v * factor for v in self._losses]
            self._gain_sum *= factor
            self._loss_sum *= factor
            if self._previous is not None:
                self._previous *= factor
        return value


class _Level:
    """An RSI threshold compared exactly with ``100 × gains / total``, from int sums."""

    __slots__ = ("flat_above", "flat_below", "numerator", "scale")

    def __init__(self, threshold: float) -> None:
        level = Fraction(repr(threshold))
        self.numerator = level.numerator
        self.scale = 100 * level.denominator  # RSI < level  <=>  gains·scale < numerator·total
        self.flat_below = Fraction(50) < level  # RSI 50 when nothing moved (total 0)
        self.flat_above = Fraction(50) > level

    def rsi_below(self, gains: int, total: int) -> bool:
        """RSI < level, for the sums of gains and of gains + losses (≥ 0)."""
        if total == 0:
            return self.flat_below
        return gains * self.scale < self.numerator * total

    def rsi_above(self, gains: int, total: int) -> bool:
        """RSI > level."""
        if total == 0:
            return self.flat_above
        return gains * self.scale > self.numerator * total


def _held(enter: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """Per row: is a position held? It is entered on ``enter`` rows and kept while ``keep``
    holds (``enter`` rows are ``keep`` rows): true where the last entry is more recent than
    the last row that does not keep it."""
    rows = np.arange(len(enter))
    last_entry = np.maximum.accumulate(np.where(enter, rows, -1))
    last_break = np.maximum.accumulate(np.where(~keep, rows, -1))
    return last_entry > last_break
