"""Strategies: the ``Strategy`` base class and the built-in strategies (registered by name)."""

from __future__ import annotations

from logos.components import Component
from logos.strategies.base import BAR_COLUMNS, Strategy
from logos.strategies.breakout import Breakout
from logos.strategies.buy_and_hold import BuyAndHold
from logos.strategies.rsi_reversion import RsiReversion
from logos.strategies.sma_cross import SmaCross

BUILTIN_STRATEGIES: list[type[Component]] = [SmaCross, RsiReversion, BuyAndHold, Breakout]

__all__ = [
    "BAR_COLUMNS",
    "BUILTIN_STRATEGIES",
    "Breakout",
    "BuyAndHold",
    "RsiReversion",
    "SmaCross",
    "Strategy",
]
