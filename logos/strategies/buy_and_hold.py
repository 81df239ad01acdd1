"""``buy_and_hold``: fully long on every bar."""

from __future__ import annotations

import numpy as np
import pandas as pd

from logos.strategies.base import Strategy


class BuyAndHold(Strategy):
    """Fully long from the first bar to the last.

    Signal 1 on every row, from the first one (warm-up 1 row).
    """

    name = "buy_and_hold"

    def warmup_bars(self) -> int:
        return 1

    def signals(self, bars: pd.DataFrame) -> pd.Series:
        return self._series(np.ones(len(bars)), bars)
