"""``rsi_reversion``: long when RSI is oversold, short when it is overbought."""

from __future__ import annotations

import numpy as np
import pandas as pd
from pydantic import Field, model_validator

from logos.components import Params
from logos.strategies.base import Strategy, window_sums


class RsiReversion(Strategy):
    """Long/short mean reversion on RSI with entry and exit thresholds.

    RSI is Cutler's RSI over ``period`` close-to-close changes (simple sums, not Wilder's
    smoothing, so it depends on exactly ``period + 1`` rows and the live path reproduces it
    exactly): ``RSI = 100 × gains / (gains + losses)``, 50 when there was no change at all.
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

    def rsi(self, bars: pd.DataFrame) -> np.ndarray:
        """Cutler's RSI per row (NaN for the first ``period`` rows)."""
        close = bars["close"].to_numpy(dtype="float64")
        out = np.full(len(close), np.nan)
        if len(close) < 2:
            return out
        change = close[1:] - close[:-1]
        gains = window_sums(np.where(change > 0, change, 0.0), self.params.period)
        losses = window_sums(np.where(change < 0, -change, 0.0), self.params.period)
        total = gains + losses
        with np.errstate(invalid="ignore", divide="ignore"):
            rsi = np.where(total > 0, 100.0 * gains / total, 50.0)
        out[1:] = np.where(np.isnan(total), np.nan, rsi)
        return out

    def signals(self, bars: pd.DataFrame) -> pd.Series:
        rsi = self.rsi(bars)
        signal = np.where(
            rsi < self.params.lower, 1.0, np.where(rsi > self.params.upper, -1.0, 0.0)
        )
        return self._series(np.where(np.isnan(rsi), np.nan, signal), bars)
