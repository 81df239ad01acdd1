"""The ledger: cash, fees, realized PnL, marks, equity high-water mark, positions and account.

Definitions (all Decimal):

- ``cash`` = starting cash − Σ buy notional + Σ sell notional − Σ fees
- ``mark price`` of a symbol = its last close given to :meth:`Ledger.mark`; a symbol filled
  before its first mark is marked at its last fill price
- ``unrealized`` = Σ over open lots (mark − lot price) × signed lot qty
- ``equity`` = cash + Σ signed qty × mark, which equals
  starting cash + realized − fees + unrealized (the invariant the tests check)
- ``gross exposure`` = Σ |qty × mark|; ``net exposure`` = Σ qty × mark
- ``peak equity`` = the highest equity seen at a mark (starting cash before the first one);
  ``drawdown`` = (peak − equity) / peak as a fraction (0 at the peak or above it)

The three sums over positions (net and gross exposure, unrealized) are left folds in symbol
order, exactly as separate sums would be, kept until the next :meth:`Ledger.mark` or
:meth:`Ledger.book_fill` (the only ways marks and lots change): the broker needs them several
times per order. Without a short position the gross exposure *is* the net exposure (the same
Decimal object). Equity and drawdown are made again only when what they are made from is no
longer the very same objects, so an account row that did not change repeats its values.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from logos.brokers.inventory import ZERO, FillOutcome, Inventory, Lot
from logos.domain import Account, Position, Side
from logos.money import add, multiply, subtract

_new_tuple = tuple.__new__


class LedgerState(BaseModel):
    """A ledger as data (for broker snapshots)."""

    model_config = ConfigDict(extra="forbid")

    starting_cash: Decimal
    currency: str
    cash: Decimal
    fees: Decimal
    realized: Decimal
    realized_by_symbol: dict[str, Decimal]
    marks: dict[str, Decimal]
    peak_equity: Decimal
    lots: dict[str, list[Lot]]


class Ledger:
    """Cash and inventory of one account in one currency.

    Change ``marks`` and lots only through :meth:`mark` and :meth:`book_fill` (they keep the
    sums over positions up to date).
    """

    def __init__(self, starting_cash: Decimal, currency: str) -> None:
        self.starting_cash = starting_cash
        self.currency = currency
        self.cash = starting_cash
        self.fees = ZERO
        self.realized = ZERO
        self.realized_by_symbol: dict[str, Decimal] = {}
        self.marks: dict[str, Decimal] = {}
        self.peak_equity = starting_cash
        self.inventory = Inventory()
        self._valued = False  # are the three sums below up to date?
        self._net = self._gross = self._unrealized = ZERO
        # the last equity and drawdown made, and what they were made from: reused while
        # those are the very same objects (no fill, no new mark of a held symbol)
        self._equity_of: tuple[Decimal, Decimal, Decimal] = (ZERO, ZERO, ZERO)
        self._drawdown_of: tuple[Decimal, Decimal, Decimal] = (ZERO, ZERO, ZERO)

    def book_fill(
        self,
        symbol: str,
        side: Side,
        qty: Decimal,
        price: Decimal,
        fee: Decimal,
        ts: datetime,
        trade_id: str,
    ) -> FillOutcome:
        """Book one fill: move cash, charge the fee, close/open lots, add realized PnL."""
        self._valued = False
        outcome = self.inventory.apply(symbol, side.signed(qty), price, ts, trade_id)
        notional = multiply(qty, price)
        self.cash = subtract(subtract(self.cash, side.signed(notional)), fee)
        self.fees = add(self.fees, fee)
        realized = outcome.realized_pnl
        self.realized = add(self.realized, realized)
        self.realized_by_symbol[symbol] = add(self.realized_by_symbol.get(symbol, ZERO), realized)
        self.marks.setdefault(symbol, price)
        return outcome

    def mark(self, prices: Mapping[str, Decimal], ts: datetime) -> Account:
        """Record the latest closes, raise the equity high-water mark if equity is above it,
        and return the account at ``ts`` (the broker calls this once per slice)."""
        self.marks.update(prices)
        self._value()
        equity = self._equity()
        if equity > self.peak_equity:
            self.peak_equity = equity
        return self._account(ts, equity)

    def account(self, ts: datetime) -> Account:
        """The account at ``ts``; the peak includes the current equity."""
        if not self._valued:
            self._value()
        return self._account(ts, self._equity())

    def _equity(self) -> Decimal:
        """cash + net exposure; the previous result itself while both are the very same
        objects (flat, or no new price of a held symbol): the account history then sees an
        identical value and keeps its text."""
        cash, net, equity = self._equity_of
        if cash is not self.cash or net is not self._net:
            cash, net = self.cash, self._net
            equity = add(cash, net)
            self._equity_of = (cash, net, equity)
        return equity

    def _account(self, ts: datetime, equity: Decimal) -> Account:
        peak = self.peak_equity if self.peak_equity >= equity else equity
        last_peak, last_equity, drawdown = self._drawdown_of
        if peak is not last_peak or equity is not last_equity:  # else: the same quotient
            drawdown = (peak - equity) / peak if peak > 0 and equity < peak else ZERO
            self._drawdown_of = (peak, equity, drawdown)
        # one is made per slice: the tuple directly, in the field order of Account, as
        # Account._make does (the generated __new__ would add a Python call)
        return _new_tuple(
            Account,
            (
                ts,
                self.cash,
                equity,
                peak,
                self.currency,
                self._gross,
                self._net,
                self.realized,
                self._unrealized,
                self.fees,
                drawdown,
            ),
        )

    def mark_price(self, symbol: str) -> Decimal | None:
        """The price ``symbol`` is marked at (``None`` when never marked nor filled)."""
        return self.marks.get(symbol)

    def market_value(self, symbol: str) -> Decimal:
        """Signed value of the position in ``symbol`` at its mark."""
        qty = self.inventory.qty(symbol)
        return multiply(qty, self.marks[symbol]) if qty else ZERO

    def _value(self) -> None:
        """Compute net and gross exposure and unrealized PnL at the current marks: left
        folds in symbol order over the symbols held; a symbol's unrealized PnL is its market
        value minus the cost of its lots (SymbolLots.unrealized)."""
        self._valued = True
        held = self.inventory.held()
        if not held:
            self._net = self._gross = self._unrealized = ZERO
            return
        marks = self.marks
        symbol, lots = held[0]
        net = multiply(lots.qty, marks[symbol])
        short = net.is_signed()
        unrealized = subtract(net, lots.cost)
        for symbol, lots in held[1:]:
            value = multiply(lots.qty, marks[symbol])
            net = add(net, value)
            short = short or value.is_signed()
            unrealized = add(unrealized, subtract(value, lots.cost))
        # Without a short every |value| is the value: the gross fold would make the very
        # sums of the net fold, so the net itself is the gross (and the account history
        # writes its text once).
        gross = net
        if short:
            values = (multiply(lots.qty, marks[symbol]) for symbol, lots in held)
            gross = next(values).copy_abs()
            for value in values:
                gross = add(gross, value.copy_abs())
        self._net, self._gross, self._unrealized = net, gross, unrealized

    @property
    def unrealized(self) -> Decimal:
        """Unrealized PnL of every open lot at its symbol's mark."""
        if not self._valued:
            self._value()
        return self._unrealized

    @property
    def net_exposure(self) -> Decimal:
        """Σ signed market value."""
        if not self._valued:
            self._value()
        return self._net

    @property
    def gross_exposure(self) -> Decimal:
        """Σ absolute market value."""
        if not self._valued:
            self._value()
        return self._gross

    @property
    def equity(self) -> Decimal:
        """Cash plus the signed market value of every position."""
        return add(self.cash, self.net_exposure)

    def positions(self) -> list[Position]:
        """One position per symbol ever traded (flat ones too, for their realized PnL), sorted."""
        result = []
        for symbol in self.inventory.symbols():
            lots = self.inventory.lots(symbol)
            qty = lots.qty
            mark = self.marks.get(symbol)
            result.append(
                Position(
                    symbol=symbol,
                    qty=qty,
                    avg_cost=lots.avg_cost,
                    last_price=mark,
                    realized_pnl=self.realized_by_symbol.get(symbol, ZERO),
                    unrealized_pnl=lots.unrealized(mark) if qty and mark is not None else ZERO,
                )
            )
        return result

    def dump(self) -> LedgerState:
        """The ledger as data."""
        return LedgerState(
            starting_cash=self.starting_cash,
            currency=self.currency,
            cash=self.cash,
            fees=self.fees,
            realized=self.realized,
            realized_by_symbol=dict(self.realized_by_symbol),
            marks=dict(self.marks),
            peak_equity=self.peak_equity,
            lots=self.inventory.dump(),
        )

    @classmethod
    def load(cls, state: LedgerState) -> Ledger:
        """Rebuild a ledger from :meth:`dump`."""
        ledger = cls(state.starting_cash, state.currency)
        ledger.cash, ledger.fees, ledger.realized = state.cash, state.fees, state.realized
        ledger.realized_by_symbol = dict(state.realized_by_symbol)
        ledger.marks = dict(state.marks)
        ledger.peak_equity = state.peak_equity
        ledger.inventory = Inventory.load(state.lots)
        return ledger
