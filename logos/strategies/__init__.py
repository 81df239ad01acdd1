"""Built-in strategies. Behaviour lands with the "Strategies and order generation" issue."""

from __future__ import annotations

from pydantic import Field

from logos.components import Component, NotAvailableYet, Params

_PLANNED = "the 'Strategies and order generation' issue"


class SmaCross(NotAvailableYet):
    """Long-only moving-average cross: long while SMA(fast) > SMA(slow) on close."""

    name = "sma_cross"
    planned_in = _PLANNED

    class Params(Params):
        fast: int = Field(10, ge=1, description="bars in the fast simple moving average")
        slow: int = Field(30, ge=1, description="bars in the slow simple moving average")


class RsiReversion(NotAvailableYet):
    """Long/short mean reversion on RSI with entry and exit thresholds."""

    name = "rsi_reversion"
    planned_in = _PLANNED

    class Params(Params):
        period: int = Field(14, ge=2)
        lower: float = Field(30.0, gt=0, lt=100)
        upper: float = Field(70.0, gt=0, lt=100)


class BuyAndHold(NotAvailableYet):
    """Fully long from the first bar to the last."""

    name = "buy_and_hold"
    planned_in = _PLANNED


class Breakout(NotAvailableYet):
    """Donchian channel breakout, long and short."""

    name = "breakout"
    planned_in = _PLANNED

    class Params(Params):
        lookback: int = Field(20, ge=1)


BUILTIN_STRATEGIES: list[type[Component]] = [SmaCross, RsiReversion, BuyAndHold, Breakout]
