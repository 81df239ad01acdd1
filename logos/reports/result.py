"""What a finished (or interrupted) session hands to reporters: orders, fills, positions and the
account history, plus the counts and events session.md summarises."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from logos.domain import Fill, Order, Position
from logos.reports.account_history import ACCOUNT_COLUMNS, AccountHistory


@dataclass(frozen=True)
class GuardTrip:
    """What a risk guard did: a trip, a state change, a clip, a stale symbol fresh again
    (recorded by the risk layer; ``action`` says which)."""

    ts: datetime
    guard: str
    measured: str
    limit: str
    action: str
    kind: str = "trip"
    """``trip`` (a guard tripped: a breaker, a stale symbol), ``clip`` (an order made smaller)
    or ``cleared`` (a stale symbol fresh again); also the journal record's type,
    ``guard_<kind>``."""


@dataclass(frozen=True)
class DroppedIntent:
    """An intent sizing or quantization did not send, with why."""

    ts: datetime
    symbol: str
    reason: str


@dataclass
class SessionResult:
    """Everything a session produced, in the order it happened."""

    session_id: str
    mode: str
    config_summary: dict[str, str]
    starting_cash: Decimal
    currency: str
    orders: list[Order]
    fills: list[Fill]
    positions: list[Position]
    account: AccountHistory
    symbols: list[str]
    dropped_intents: list[DroppedIntent] = field(default_factory=list)
    guard_trips: list[GuardTrip] = field(default_factory=list)
    repeated_denials: int = 0
    """Denials not recorded as orders again (same symbol, side and guard; nothing changed)."""
    stopped: str | None = None
    """Why the session stopped before its data ended (the kill switch), or None."""
    restarts: int = 0
    bars: int = 0
    gaps: int = 0
    summary_cache: Any = field(default=None, init=False, repr=False, compare=False)
    """The Summary once computed (``logos.reports.metrics.summarize`` fills it)."""


__all__ = ["ACCOUNT_COLUMNS", "AccountHistory", "DroppedIntent", "GuardTrip", "SessionResult"]
