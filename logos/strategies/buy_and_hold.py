"""``buy_and_hold``: fully long on every bar."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from logos.strategies.base import Strategy

if TYPE_CHECKING:
    from logos.domain import Bar


class BuyAndHold(Strategy):
    """Fully long from the first bar to the last.

    Signal 1 on every row, from the first one (warm-up 1 row).
    """

    name = "buy_and_hold"

    def warmup_bars(self) -> int:
        return 1

    def signals(self, bars: pd.DataFrame) -> pd.Series:
        return self._series(np.ones(len(bars)), bars)

    def update(self, bar: Bar) -> float:
        return 1.0
