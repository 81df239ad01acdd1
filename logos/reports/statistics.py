"""The statistics of a session, computed once from its result; every report reads them.

Definitions (docs/reports.md lists them with examples):

- **returns**: total return = final equity ÷ starting cash − 1. Annualised return =
  (1 + total return) ^ (1 ÷ years) − 1, where years = account rows ÷ bars per year (each
  row is one bar of the observed frequency); None when the frequency is unknown.
- **bars per year**: the *observed* frequency, (rows − 1) ÷ (last row time − first row time
  in years of 365.25 days), as :func:`logos.reports.metrics.sharpe_ratio` has it: daily
  equity bars come out near 252, 24/7 minute bars near 525,960.
- **Sharpe**: mean ÷ standard deviation (ddof = 1) of the bar returns (each row's equity ÷
  the previous row's − 1), × √(bars per year); risk-free rate 0. **Sortino**: mean ÷
  downside deviation × √(bars per year), the downside deviation being
  √(mean of min(return, 0)²) over every bar return (target 0). None when undefined (fewer
  than three rows, no variation, no losing bar).
- **max drawdown**: the largest fall of equity from its running peak (starting cash is the
  first peak), as a fraction of the peak and in money (exact); its dates: the peak (None
  when the peak is the starting cash, before the first row), the trough, and the recovery
  (the first row at or above the peak again; None while still under water).
- **exposure**: the fraction of account rows with a gross exposure other than 0.
- **round trips**: FIFO per symbol, as the broker books realized PnL. Each closing fill
  closes the oldest open lots first; each (lot, closing fill) pair is one round trip of the
  quantity they share. Gross PnL = (exit − entry) × qty for a long, (entry − exit) × qty for
  a short (exact); fees = the lot's fee and the closing fill's fee, each in proportion to
  the quantity shared (a quotient, 28 significant digits); net = gross − fees. A round trip
  is a win when its net PnL > 0, a loss when < 0. Profit factor = sum of winning net PnL ÷
  −(sum of losing net PnL); None without a loss.
- **exits by kind**: each round trip by the order that closed it: ``stop`` (a stop or
  stop-limit order), ``trailing`` (trailing stop), ``take_profit``, ``guard`` (a risk
  guard's flatten order), else ``signal``.
- **PnL per symbol**: realized PnL − fees of its fills + the unrealized PnL of its final
  position (exact).
"""

from __future__ import annotations

import math
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

import numpy as np
import pandas as pd

from logos.domain import Fill, Order, OrderStatus, Side
from logos.money import add, multiply, subtract
from logos.reports.metrics import drawdown_series, sharpe_ratio
from logos.reports.result import SessionResult

ZERO = Decimal(0)
GUARD_FLATTEN_REASON = ": flatten on trip"
"""How a risk guard's flatten order's reason ends (``max_drawdown: flatten on trip``)."""
EXIT_KINDS = {
    "stop": "stop",
    "stop_limit": "stop",
    "trailing_stop": "trailing",
    "take_profit": "take_profit",
}
"""Order type (its string value) -> exit kind; any other type closes as ``signal``."""


@dataclass(frozen=True)
class Drawdown:
    """The largest fall from a running peak, with its dates."""

    depth: float
    money: Decimal
    peak: datetime | None
    trough: datetime | None
    recovery: datetime | None


@dataclass(frozen=True)
class RoundTrip:
    """One FIFO-matched entry and exit of ``qty`` in ``symbol``."""

    symbol: str
    direction: str
    """``long`` or ``short``."""
    qty: Decimal
    entry_ts: datetime
    entry_price: Decimal
    exit_ts: datetime
    exit_price: Decimal
    gross_pnl: Decimal
    fees: Decimal
    net_pnl: Decimal
    exit_kind: str


@dataclass(frozen=True)
class Statistics:
    """Every number the reports show (definitions: the module docstring)."""

    starting_cash: Decimal
    final_equity: Decimal
    pnl: Decimal
    total_return: float
    annualised_return: float | None
    bars_per_year: float | None
    sharpe: float | None
    sortino: float | None
    drawdown: Drawdown
    exposure: float | None
    rows: int
    orders: int
    fills: int
    filled_orders: int
    denied_orders: int
    rejected_orders: int
    fees: Decimal
    round_trips: tuple[RoundTrip, ...]
    wins: int
    losses: int
    win_rate: float | None
    avg_win: Decimal | None
    avg_loss: Decimal | None
    profit_factor: float | None
    best_trade: RoundTrip | None
    worst_trade: RoundTrip | None
    pnl_by_symbol: dict[str, Decimal] = field(default_factory=dict)
    exits_by_kind: dict[str, int] = field(default_factory=dict)


def compute_statistics(result: SessionResult) -> Statistics:
    """The :class:`Statistics` of ``result`` (computed once, then kept on the result)."""
    cached = result.statistics_cache
    if isinstance(cached, Statistics):
        return cached
    stats = _compute(result)
    result.statistics_cache = stats
    return stats


def _compute(result: SessionResult) -> Statistics:
    account = result.account
    start = result.starting_cash
    rows = len(account)
    final = account.decimal("equity", -1) if rows else start
    equity = account.equity_floats()
    ts_ns = account.ts_ns
    sharpe, per_year = sharpe_ratio(equity, ts_ns)
    total = float(final / start - 1) if start else 0.0
    annual = None
    if per_year and rows and 1 + total > 0:
        annual = (1 + total) ** (per_year / rows) - 1
    exposure = None
    if rows:
        exposure = float(np.count_nonzero(account.float_column("gross_exposure"))) / rows
    trips = round_trips(result.fills, result.orders)
    wins = [t.net_pnl for t in trips if t.net_pnl > 0]
    losses = [t.net_pnl for t in trips if t.net_pnl < 0]
    won, lost = sum(wins, ZERO), sum(losses, ZERO)
    statuses = Counter(o.status for o in result.orders)
    return Statistics(
        starting_cash=start,
        final_equity=final,
        pnl=subtract(final, start),
        total_return=total,
        annualised_return=annual,
        bars_per_year=per_year,
        sharpe=sharpe,
        sortino=sortino_ratio(equity, per_year),
        drawdown=max_drawdown_dates(result, equity, ts_ns),
        exposure=exposure,
        rows=rows,
        orders=len(result.orders),
        fills=len(result.fills),
        filled_orders=statuses[OrderStatus.FILLED],
        denied_orders=statuses[OrderStatus.DENIED],
        rejected_orders=statuses[OrderStatus.REJECTED],
        fees=sum((f.fee for f in result.fills), ZERO),
        round_trips=tuple(trips),
        wins=len(wins),
        losses=len(losses),
        win_rate=len(wins) / len(trips) if trips else None,
        avg_win=won / len(wins) if wins else None,
        avg_loss=lost / len(losses) if losses else None,
        profit_factor=float(won / -lost) if losses else None,
        best_trade=max(trips, key=lambda t: t.net_pnl) if trips else None,
        worst_trade=min(trips, key=lambda t: t.net_pnl) if trips else None,
        pnl_by_symbol=pnl_by_symbol(result),
        exits_by_kind=dict(sorted(Counter(t.exit_kind for t in trips).items())),
    )


def sortino_ratio(equity: np.ndarray, per_year: float | None) -> float | None:
    """Mean bar return ÷ downside deviation (target 0) × √(bars per year); None when
    undefined (fewer than three rows, unknown frequency, no losing bar)."""
    if len(equity) < 3 or not per_year:
        return None
    with np.errstate(divide="ignore", invalid="ignore"):
        returns = equity[1:] / equity[:-1] - 1.0
    if not np.isfinite(returns).all():
        return None
    downside = math.sqrt(float(np.mean(np.minimum(returns, 0.0) ** 2)))
    if downside == 0.0:
        return None
    return float(np.mean(returns)) / downside * math.sqrt(per_year)


def max_drawdown_dates(result: SessionResult, equity: np.ndarray, ts_ns: np.ndarray) -> Drawdown:
    """The largest drawdown of the account rows, with its peak, trough and recovery times."""
    start = result.starting_cash
    if len(equity) == 0:
        return Drawdown(0.0, ZERO, None, None, None)
    falls = drawdown_series(equity, float(start))
    trough = int(np.argmax(falls))
    depth = float(falls[trough])
    if depth <= 0:
        return Drawdown(0.0, ZERO, None, None, None)
    account = result.account
    best = int(np.argmax(equity[: trough + 1]))
    peak_row: int | None = best if equity[best] >= float(start) else None
    peak_value = account.decimal("equity", peak_row) if peak_row is not None else start
    later = np.nonzero(equity[trough + 1 :] >= float(peak_value))[0]
    recovery = _dt(ts_ns[trough + 1 + int(later[0])]) if len(later) else None
    return Drawdown(
        depth=depth,
        money=subtract(peak_value, account.decimal("equity", trough)),
        peak=_dt(ts_ns[peak_row]) if peak_row is not None else None,
        trough=_dt(ts_ns[trough]),
        recovery=recovery,
    )


def exit_kind(order: Order | None) -> str:
    """How an order that closed a position is counted (see the module docstring)."""
    if order is None:
        return "signal"
    if order.reason.endswith(GUARD_FLATTEN_REASON):
        return "guard"
    return EXIT_KINDS.get(str(order.type), "signal")


@dataclass
class _Lot:
    qty: Decimal  # unsigned, what is left open
    price: Decimal
    ts: datetime
    fee_per_unit: Decimal


def round_trips(fills: list[Fill], orders: list[Order]) -> list[RoundTrip]:
    """The FIFO round trips of ``fills`` (see the module docstring), in the order they
    closed; ``orders`` name the kind of each exit."""
    by_id = {o.order_id: o for o in orders}
    lots: dict[str, deque[_Lot]] = {}
    sides: dict[str, Side] = {}
    trips: list[RoundTrip] = []
    for fill in fills:
        open_lots = lots.setdefault(fill.symbol, deque())
        left = fill.qty
        fee_per_unit = fill.fee / fill.qty
        if open_lots and sides[fill.symbol] is not fill.side:
            kind = exit_kind(by_id.get(fill.order_id))
            while left > 0 and open_lots:
                lot = open_lots[0]
                qty = min(lot.qty, left)
                trips.append(_trip(fill, lot, qty, sides[fill.symbol], fee_per_unit, kind))
                lot.qty = subtract(lot.qty, qty)
                left = subtract(left, qty)
                if lot.qty == 0:
                    open_lots.popleft()
        if left > 0:
            open_lots.append(_Lot(left, fill.price, fill.ts, fee_per_unit))
            sides[fill.symbol] = fill.side
    return trips


def _trip(fill: Fill, lot: _Lot, qty: Decimal, side: Side, fee: Decimal, kind: str) -> RoundTrip:
    move = subtract(fill.price, lot.price)
    gross = multiply(move if side is Side.BUY else -move, qty)
    fees = lot.fee_per_unit * qty + fee * qty
    return RoundTrip(
        symbol=fill.symbol,
        direction="long" if side is Side.BUY else "short",
        qty=qty,
        entry_ts=lot.ts,
        entry_price=lot.price,
        exit_ts=fill.ts,
        exit_price=fill.price,
        gross_pnl=gross,
        fees=fees,
        net_pnl=gross - fees,
        exit_kind=kind,
    )


def pnl_by_symbol(result: SessionResult) -> dict[str, Decimal]:
    """Realized PnL − fees of each symbol's fills + its final unrealized PnL (exact)."""
    pnl: dict[str, Decimal] = {symbol: ZERO for symbol in result.symbols}
    for fill in result.fills:
        pnl[fill.symbol] = add(pnl.get(fill.symbol, ZERO), subtract(fill.realized_pnl, fill.fee))
    for position in result.positions:
        pnl[position.symbol] = add(pnl.get(position.symbol, ZERO), position.unrealized_pnl)
    return pnl


def _dt(ns: np.integer) -> datetime:
    return pd.Timestamp(int(ns), tz="UTC").to_pydatetime()
