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

Computed in one pass over the fills and, beside it, one over the exit orders (those a
session set aside as they ended; else every order), keeping running sums, counts and
extremes, never a list of every round trip or a table of every order (a year of minute bars
makes millions of them): the reports show the counts, the best and the worst trade, and the
first :data:`TRIPS_LISTED` round trips. The orders by status are the session's counts. The
account rows are read once, by :func:`logos.reports.metrics.equity_curve`, for the summary
and these statistics alike.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from logos.domain import Fill, Order, OrderStatus, Side
from logos.money import add, multiply, subtract
from logos.reports.metrics import EquityCurve, equity_curve, summarize, utc_datetime
from logos.reports.metrics import sortino_ratio as sortino_ratio
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
READ_AHEAD = timedelta(hours=1)
"""How far past a fill's time the orders are read to find the fill's order."""
TRIPS_LISTED = 1000
"""Round trips kept for the reports' tables (the first ones; the rest are counted)."""


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
    round_trips: int
    """How many round trips there were."""
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
    listed_trips: tuple[RoundTrip, ...] = ()
    """The first :data:`TRIPS_LISTED` round trips, in the order they closed."""


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
    curve = summarize(result).curve or equity_curve(account, start)
    rows = curve.rows
    final = account.decimal("equity", -1) if rows else start
    per_year = curve.per_year
    total = float(final / start - 1) if start else 0.0
    annual = None
    if per_year and rows and 1 + total > 0:
        annual = (1 + total) ** (per_year / rows) - 1
    exits = result.exit_orders
    kinds = ExitKinds(result.orders if exits is None else exits)
    tally = _TripTally()
    for trip in iter_round_trips(result.fills, kinds.kind):
        tally.add(trip)
    statuses = result.counted_orders().statuses
    totals = result.counted_fills()
    won, lost = tally.won, tally.lost
    return Statistics(
        starting_cash=start,
        final_equity=final,
        pnl=subtract(final, start),
        total_return=total,
        annualised_return=annual,
        bars_per_year=per_year,
        sharpe=curve.sharpe,
        sortino=curve.sortino,
        drawdown=_drawdown(result, curve),
        exposure=curve.exposed_rows / rows if rows else None,
        rows=rows,
        orders=sum(statuses.values()),
        fills=len(result.fills),
        filled_orders=statuses[OrderStatus.FILLED],
        denied_orders=statuses[OrderStatus.DENIED],
        rejected_orders=statuses[OrderStatus.REJECTED],
        fees=totals.fees,
        round_trips=tally.count,
        wins=tally.wins,
        losses=tally.losses,
        win_rate=tally.wins / tally.count if tally.count else None,
        avg_win=won / tally.wins if tally.wins else None,
        avg_loss=lost / tally.losses if tally.losses else None,
        profit_factor=float(won / -lost) if tally.losses else None,
        best_trade=tally.best,
        worst_trade=tally.worst,
        pnl_by_symbol=pnl_by_symbol(result),
        exits_by_kind=dict(sorted(tally.kinds.items())),
        listed_trips=tuple(tally.listed),
    )


class _TripTally:
    """Counts, sums and extremes of the round trips, and the first :data:`TRIPS_LISTED`."""

    def __init__(self) -> None:
        self.count = self.wins = self.losses = 0
        self.won = self.lost = ZERO
        self.best: RoundTrip | None = None
        self.worst: RoundTrip | None = None
        self.kinds: Counter[str] = Counter()
        self.listed: list[RoundTrip] = []

    def add(self, trip: RoundTrip) -> None:
        net = trip.net_pnl
        self.count += 1
        if net > 0:
            self.wins += 1
            self.won = self.won + net
        elif net < 0:
            self.losses += 1
            self.lost = self.lost + net
        if self.best is None or net > self.best.net_pnl:  # the first of equals, as max()
            self.best = trip
        if self.worst is None or net < self.worst.net_pnl:
            self.worst = trip
        self.kinds[trip.exit_kind] += 1
        if len(self.listed) < TRIPS_LISTED:
            self.listed.append(trip)


def _drawdown(result: SessionResult, curve: EquityCurve) -> Drawdown:
    """The largest drawdown of the account rows, with its peak, trough and recovery times
    (the exact amounts from the rows themselves)."""
    start = result.starting_cash
    if curve.rows == 0 or curve.max_drawdown <= 0:
        return Drawdown(0.0, ZERO, None, None, None)
    account = result.account
    from_row = curve.best_row >= 0 and curve.best_equity >= float(start)
    peak_value = account.decimal("equity", curve.best_row) if from_row else start
    assert curve.trough_ts_ns is not None
    return Drawdown(
        depth=curve.max_drawdown,
        money=subtract(peak_value, account.decimal("equity", curve.trough_row)),
        peak=_when(curve.best_ts_ns) if from_row else None,
        trough=utc_datetime(curve.trough_ts_ns),
        recovery=_when(curve.recovery_ts_ns),
    )


def exit_kind(order: Order | None) -> str:
    """How an order that closed a position is counted (see the module docstring)."""
    if order is None:
        return "signal"
    if order.reason.endswith(GUARD_FLATTEN_REASON):
        return "guard"
    return EXIT_KINDS.get(str(order.type), "signal")


@dataclass
class _Exit:
    """A protective exit whose fills are still coming: its kind and the quantity left."""

    kind: str
    left: Decimal | None


class ExitKinds:
    """The exit kind of the order behind each fill, found while the orders are read once
    beside the fills, without a table of every order.

    The orders come in the order they were created (as a session result lists them, a
    rebuilt one too), and no order fills before it was created, so when a fill arrives the
    orders created up to its time have been read; they are read :data:`READ_AHEAD` further,
    so that a venue's fill time a little behind the session's clock still finds its order.
    Only exit orders (:func:`is_exit_order`) are remembered, each until its fills add up to
    its filled quantity: what is held is the protective exits being filled, not the
    session's history. The orders given may be the exit orders alone (what the engine sets
    aside as orders end, :attr:`~logos.reports.result.SessionResult.exit_orders`), so that
    a long session's orders are not all read again.
    """

    def __init__(self, orders: Iterable[Order]) -> None:
        self._orders = iter(orders)
        self._next: Order | None = next(self._orders, None)
        self._open: dict[str, _Exit] = {}

    def kind(self, fill: Fill) -> str:
        """The exit kind of ``fill``'s order (``signal`` for a plain order)."""
        until = fill.ts + READ_AHEAD
        while self._next is not None and self._next.ts_created <= until:
            self._take(self._next)
            self._next = next(self._orders, None)
        entry = self._open.get(fill.order_id)
        if entry is None:
            return "signal"
        if entry.left is not None:
            entry.left = subtract(entry.left, fill.qty)
            if entry.left <= 0:
                del self._open[fill.order_id]
        return entry.kind

    @property
    def held(self) -> int:
        """Orders remembered now (exits with fills still to come)."""
        return len(self._open)

    def _take(self, order: Order) -> None:
        if not is_exit_order(order):
            return
        left = order.filled_qty if order.filled_qty > 0 else None  # None: FILLED, qty unknown
        self._open[order.order_id] = _Exit(exit_kind(order), left)


def is_exit_order(order: Order) -> bool:
    """Whether ``order``, in its final version, can name the exit kind of a round trip: not a
    ``signal`` exit, and filled (some quantity, or FILLED)."""
    return exit_kind(order) != "signal" and (
        order.filled_qty > 0 or order.status is OrderStatus.FILLED
    )


@dataclass
class _Lot:
    qty: Decimal  # unsigned, what is left open
    price: Decimal
    ts: datetime
    fee_per_unit: Decimal


def iter_round_trips(fills: Iterable[Fill], kind_of: Callable[[Fill], str]) -> Iterator[RoundTrip]:
    """The FIFO round trips of ``fills`` (see the module docstring), in the order they
    closed; ``kind_of`` names the kind of each fill's order (asked for every fill, in
    order)."""
    lots: dict[str, deque[_Lot]] = {}
    sides: dict[str, Side] = {}
    for fill in fills:
        kind = kind_of(fill)
        open_lots = lots.setdefault(fill.symbol, deque())
        left = fill.qty
        fee_per_unit = fill.fee / fill.qty
        if open_lots and sides[fill.symbol] is not fill.side:
            while left > 0 and open_lots:
                lot = open_lots[0]
                qty = min(lot.qty, left)
                yield _trip(fill, lot, qty, sides[fill.symbol], fee_per_unit, kind)
                lot.qty = subtract(lot.qty, qty)
                left = subtract(left, qty)
                if lot.qty == 0:
                    open_lots.popleft()
        if left > 0:
            open_lots.append(_Lot(left, fill.price, fill.ts, fee_per_unit))
            sides[fill.symbol] = fill.side


def round_trips(fills: Iterable[Fill], orders: Iterable[Order]) -> list[RoundTrip]:
    """Every FIFO round trip of ``fills`` as a list (small data: a session's statistics
    stream them, :func:`iter_round_trips`); ``orders`` name the kind of each exit."""
    return list(iter_round_trips(fills, ExitKinds(orders).kind))


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
    pnl = dict(result.counted_fills().pnl)
    for position in result.positions:
        pnl[position.symbol] = add(pnl.get(position.symbol, ZERO), position.unrealized_pnl)
    return pnl


def _when(ns: int | None) -> datetime | None:
    return None if ns is None else utc_datetime(ns)
