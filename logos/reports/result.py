"""What a finished (or interrupted) session hands to reporters: orders, fills, positions and the
account table, plus the counts and events session.md summarises."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

import numpy as np

from logos.domain import Fill, Order, Position
from logos.reports.numbers import DecimalColumn, ScaledColumn, TextColumn

ACCOUNT_COLUMNS: tuple[str, ...] = (
    "cash",
    "equity",
    "gross_exposure",
    "net_exposure",
    "realized_pnl",
    "unrealized_pnl",
    "fees",
    "drawdown",
)
"""The money columns of account.csv, after ``ts`` (DESIGN.md §7)."""

AccountColumn = ScaledColumn | DecimalColumn | TextColumn
"""The exact column kinds an :class:`AccountTable` holds."""


@dataclass(frozen=True)
class AccountTable:
    """One account row per time slice: UTC nanosecond timestamps and exact money columns."""

    ts_ns: np.ndarray
    columns: dict[str, AccountColumn]

    def __post_init__(self) -> None:
        missing = [c for c in ACCOUNT_COLUMNS if c not in self.columns]
        if missing:
            raise ValueError(f"account table lacks columns {missing}")
        lengths = {len(self.columns[c]) for c in ACCOUNT_COLUMNS} | {len(self.ts_ns)}
        if len(lengths) != 1:
            raise ValueError(f"account columns differ in length: {sorted(lengths)}")

    def __len__(self) -> int:
        return len(self.ts_ns)

    @classmethod
    def from_rows(cls, ts: list[datetime], rows: dict[str, list[Decimal]]) -> AccountTable:
        """Build from per-slice Decimal values (the bar-by-bar path)."""
        ts_ns = np.array([_to_ns(t) for t in ts], dtype=np.int64)
        return cls(ts_ns, {c: ScaledColumn.from_decimals(rows[c]) for c in ACCOUNT_COLUMNS})


def _to_ns(ts: datetime) -> int:
    delta = ts - datetime(1970, 1, 1, tzinfo=ts.tzinfo)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1000


@dataclass(frozen=True)
class GuardTrip:
    """A risk guard changed the trading state (recorded by the risk layer)."""

    ts: datetime
    guard: str
    measured: str
    limit: str
    action: str


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
    account: AccountTable
    symbols: list[str]
    dropped_intents: list[DroppedIntent] = field(default_factory=list)
    guard_trips: list[GuardTrip] = field(default_factory=list)
    restarts: int = 0
    bars: int = 0
    gaps: int = 0
    summary_cache: Any = field(default=None, init=False, repr=False, compare=False)
    """The Summary once computed (``logos.reports.metrics.summarize`` fills it)."""
