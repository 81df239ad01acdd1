"""Risk guards and the trading state they drive (docs/risk.md).

Built-in guards: pre-trade limits ``max_order_notional``, ``max_position_notional``,
``max_gross_exposure``; breakers ``max_drawdown``, ``max_rejects``, ``max_order_rate``,
``kill_switch``; and ``stale_data``. A plugin adds guards by subclassing :class:`RiskGuard`
and registering the class through the ``register_risk_guards`` hook.
"""

from __future__ import annotations

from logos.components import Component
from logos.risk.breakers import MaxDrawdown, MaxOrderRate, MaxRejects
from logos.risk.guard import (
    APPROVED,
    BreachPolicy,
    BreakerParams,
    Delay,
    Duration,
    LimitParams,
    ProposedOrder,
    RiskGuard,
    SessionInfo,
    SliceView,
    TradingState,
    Trip,
    TripAction,
    Verdict,
)
from logos.risk.kill_switch import KILL_FILE, KILLED_EXIT_CODE, KillSwitch, request_kill
from logos.risk.limits import MaxGrossExposure, MaxOrderNotional, MaxPositionNotional
from logos.risk.manager import RiskManager
from logos.risk.stale_data import StaleData

BUILTIN_GUARDS: list[type[Component]] = [
    MaxOrderNotional,
    MaxPositionNotional,
    MaxGrossExposure,
    MaxDrawdown,
    MaxRejects,
    MaxOrderRate,
    StaleData,
    KillSwitch,
]

__all__ = [
    "APPROVED",
    "BUILTIN_GUARDS",
    "KILLED_EXIT_CODE",
    "KILL_FILE",
    "BreachPolicy",
    "BreakerParams",
    "Delay",
    "Duration",
    "KillSwitch",
    "LimitParams",
    "MaxDrawdown",
    "MaxGrossExposure",
    "MaxOrderNotional",
    "MaxOrderRate",
    "MaxPositionNotional",
    "MaxRejects",
    "ProposedOrder",
    "RiskGuard",
    "RiskManager",
    "SessionInfo",
    "SliceView",
    "StaleData",
    "TradingState",
    "Trip",
    "TripAction",
    "Verdict",
    "request_kill",
]
