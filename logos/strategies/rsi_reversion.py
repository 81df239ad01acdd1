"""``rsi_reversion``: long when RSI is oversold, short when it is overbought."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd
from pydantic import Field, model_validator

from logos.components import Params
from logos.strategies.base import Strategy
from logos.strategies.exact import scaled_integers, window_sums


class RsiReversion(Strategy):
    """Long/short mean reversion on RSI with entry and exit thresholds.

    RSI is Cutler's RSI over ``period`` close-to-close changes (simple sums, not Wilder's
    smoothing, so it depends on exactly ``period + 1`` rows and the live path reproduces it
    exactly): ``RSI = 100 × gains / (gains + losses)``, 50 when there was no change at all.
    Gains, losses and the threshold comparisons are exact on the closes' decimal values
    (:mod:`logos.strategies.exact`), so an RSI of exactly 30 is not below ``lower = 30``.
    Signal 1 while RSI < ``lower`` (enter long when oversold), -1 while RSI > ``upper`` (enter
    short when overbought), 0 otherwise: a position is exited as soon as RSI is back inside
    [lower, upper], so each threshold is both the entry and the exit level. This is stateless
    on purpose (see docs/strategies.md: a hysteresis band would make the signal depend on the
    whole history).
    """

    name = "rsi_reversion"

    class Params(Params):
        period: int = Field(14, ge=2, description="close-to-close changes in the RSI")
        lower: float = Field(30.0, gt=0, lt=100, description="long below this RSI")
        upper: float = Field(70.0, gt=0, lt=100, description="short above this RSI")

        @model_validator(mode="after")
        def _ordered(self) -> RsiReversion.Params:
            if self.lower >= self.upper:
                raise ValueError(f"lower ({self.lower}) must be below upper ({self.upper})")
            return self

    def warmup_bars(self) -> int:
        return self.params.period + 1

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
        below = self._compare(gains, total, self.params.lower) < 0
        above = self._compare(gains, total, self.params.upper) > 0
        out[len(bars) - len(gains) :] = np.where(below, 1.0, np.where(above, -1.0, 0.0))
        return self._series(out, bars)

    @staticmethod
    def _compare(gains: np.ndarray, total: np.ndarray, threshold: float) -> np.ndarray:
        """Sign of RSI − threshold per row, exactly (RSI 50 when nothing moved)."""
        level = Fraction(repr(threshold))
        flat = (Fraction(50) > level) - (Fraction(50) < level)
        diff = 100 * gains * level.denominator - level.numerator * total  # total ≥ 0
        sign = np.array([(d > 0) - (d < 0) for d in diff], dtype=np.int64)
        return np.where(total == 0, flat, sign)
