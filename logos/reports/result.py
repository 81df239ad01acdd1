"""What a finished (or interrupted) session hands to reporters: orders, fills, positions and the
account history, plus the counts and events session.md summarises."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

import numpy as np

from logos.domain import Fill, Order, Position
from logos.reports.account_history import ACCOUNT_COLUMNS, AccountHistory
from logos.reports.fill_totals import FillTotals
from logos.reports.order_counts import OrderCounts


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
class StateChange:
    """The trading state changed (docs/risk.md): when, from what to what, and which guard
    (or ``operator``, a breaker reset) changed it."""

    ts: datetime
    old: str
    new: str
    by: str


@dataclass(frozen=True)
class PriceSeries:
    """One symbol's bar times (int64 UTC nanoseconds) and closes (float64, for charts)."""

    ts_ns: np.ndarray
    close: np.ndarray


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
    orders: Sequence[Order]
    """Every order in creation order (a disk-backed spool after a session: iterate it, do
    not copy it into a list)."""
    fills: Sequence[Fill]
    """Every fill in the order they happened (a disk-backed spool after a session)."""
    positions: list[Position]
    account: AccountHistory
    symbols: list[str]
    dropped_intents: Sequence[DroppedIntent] = field(default_factory=list)
    guard_trips: list[GuardTrip] = field(default_factory=list)
    state_changes: list[StateChange] = field(default_factory=list)
    """Every change of the trading state, in order (none: ACTIVE throughout)."""
    repeated_denials: int = 0
    """Denials not recorded as orders again (same symbol, side and guard; nothing changed)."""
    stopped: str | None = None
    """Why the session stopped before its data ended (the kill switch), or None."""
    restarts: int = 0
    restart_notes: list[str] = field(default_factory=list)
    """One line per restart: when, from which snapshot, what it found (docs/state.md)."""
    operator_actions: list[str] = field(default_factory=list)
    """One line per operator action (a breaker reset, with its reason)."""
    bars: int = 0
    gaps: int = 0
    """Gaps in the data (runs of missing bars), expected closures not included."""
    missing_bars: int | None = None
    """Bars missing across those gaps (None when the feed did not say)."""
    expected_closures: int = 0
    """Weekends and holidays absent from daily bars of a market that closes on them: not
    gaps (docs/feeds.md)."""
    skipped_bars: dict[str, int] = field(default_factory=dict)
    """Bad bars skipped (``on_bad_bar = "skip"``), by kind of problem."""
    skipped_rows: list[str] = field(default_factory=list)
    """The first skipped bad bars as ``file, line N: problem``."""
    warnings: list[str] = field(default_factory=list)
    """Why the results may not mean what they seem (``logos.reports.warnings``): shown on the
    console and at the top of session.md."""
    summary_cache: Any = field(default=None, init=False, repr=False, compare=False)
    """The Summary once computed (``logos.reports.metrics.summarize`` fills it)."""
    statistics_cache: Any = field(default=None, init=False, repr=False, compare=False)
    """The Statistics once computed (``logos.reports.statistics.compute_statistics``)."""
    order_counts: OrderCounts | None = field(default=None, repr=False, compare=False)
    """The orders counted (:meth:`counted_orders`); None until counted."""
    fill_totals: FillTotals | None = field(default=None, repr=False, compare=False)
    """The fills added up (:meth:`counted_fills`); None until added."""
    exit_orders: Sequence[Order] | None = field(default=None, repr=False, compare=False)
    """The orders among :attr:`orders` that name a round trip's exit kind (filled stops,
    trailing stops, take-profits, guards' flatten orders:
    ``logos.reports.statistics.is_exit_order``), in creation order, as the engine set them
    aside; None: the statistics find them in :attr:`orders`."""
    prices: dict[str, PriceSeries] = field(default_factory=dict)
    """Each symbol's bar closes, for the price charts of report.html (empty when not known:
    the reports then show the fills alone)."""

    def counted_fills(self) -> FillTotals:
        """Fees, PnL per symbol and closing fills: what the engine added up as the fills
        happened, else added from :attr:`fills` once (the fills are not read again)."""
        if self.fill_totals is None:
            self.fill_totals = FillTotals.of(self.fills, self.symbols)
        return self.fill_totals

    def counted_orders(self) -> OrderCounts:
        """The orders by status and by symbol: what the engine counted as it recorded them,
        else counted from :attr:`orders` once (the orders are not read again)."""
        if self.order_counts is None:
            self.order_counts = OrderCounts.of(self.orders)
        return self.order_counts

    def close(self) -> None:
        """Delete the temporary files behind the spooled outputs (orders, exit orders, fills,
        dropped intents, account rows) once every reporter has written: a closed file's space is
        freed at once, where an open one's lasts until it is garbage collected."""
        for part in (self.orders, self.exit_orders, self.fills, self.dropped_intents, self.account):
            close = getattr(part, "close", None)
            if close is not None:
                close()


__all__ = [
    "ACCOUNT_COLUMNS",
    "AccountHistory",
    "DroppedIntent",
    "GuardTrip",
    "PriceSeries",
    "SessionResult",
]
