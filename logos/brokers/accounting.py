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
  ``drawdown`` = (peak − equity) / peak as a fraction (0 at a new high)

The three sums over positions (net and gross exposure, unrealized) are computed together in
one pass, in symbol order exactly as separate sums would be, and kept until the next
:meth:`Ledger.mark` or :meth:`Ledger.book_fill` (the only ways marks and lots change): the
broker needs them several times per order.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any, NamedTuple

from pydantic import BaseModel, ConfigDict

from logos.brokers.inventory import ZERO, FillOutcome, Inventory, Lot
from logos.domain import Account, Position, Side, construct_trusted, is_utc


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


class Valuation(NamedTuple):
    """The sums over positions at the current marks."""

    net_exposure: Decimal
    gross_exposure: Decimal
    unrealized: Decimal


class Ledger:
    """Cash and inventory of one account in one currency.

    Change ``marks`` and lots only through :meth:`mark` and :meth:`book_fill` (they drop the
    cached :class:`Valuation`).
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
        self._valuation: Valuation | None = None

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
        self._valuation = None
        outcome = self.inventory.apply(symbol, qty * side.sign, price, ts, trade_id)
        self.cash += -side.sign * qty * price - fee
        self.fees += fee
        realized = outcome.realized_pnl
        self.realized += realized
        self.realized_by_symbol[symbol] = self.realized_by_symbol.get(symbol, ZERO) + realized
        self.marks.setdefault(symbol, price)
        return outcome

    def mark(self, prices: Mapping[str, Decimal]) -> None:
        """Record the latest closes and raise the equity high-water mark if equity is above it."""
        self.marks.update(prices)
        self._valuation = None
        self.peak_equity = max(self.peak_equity, self.equity)

    def mark_price(self, symbol: str) -> Decimal | None:
        """The price ``symbol`` is marked at (``None`` when never marked nor filled)."""
        return self.marks.get(symbol)

    def market_value(self, symbol: str) -> Decimal:
        """Signed value of the position in ``symbol`` at its mark."""
        qty = self.inventory.qty(symbol)
        return qty * self.marks[symbol] if qty else ZERO

    def valuation(self) -> Valuation:
        """Net and gross exposure and unrealized PnL at the current marks (cached)."""
        valuation = self._valuation
        if valuation is None:
            valuation = self._valuation = self._value()
        return valuation

    def _value(self) -> Valuation:
        # Left folds from ZERO in symbol order: the same operations as sum() per quantity.
        net = gross = unrealized = ZERO
        marks = self.marks
        for symbol, lots in self.inventory.items():
            qty = lots.qty
            if qty:
                mark = marks[symbol]
                value = qty * mark
                unrealized = unrealized + lots.unrealized(mark)
            else:
                value = ZERO
            net = net + value
            gross = gross + abs(value)
        return Valuation(net, gross, unrealized)

    @property
    def unrealized(self) -> Decimal:
        """Unrealized PnL of every open lot at its symbol's mark."""
        return self.valuation().unrealized

    @property
    def net_exposure(self) -> Decimal:
        """Σ signed market value."""
        return self.valuation().net_exposure

    @property
    def gross_exposure(self) -> Decimal:
        """Σ absolute market value."""
        return self.valuation().gross_exposure

    @property
    def equity(self) -> Decimal:
        """Cash plus the signed market value of every position."""
        return self.cash + self.net_exposure

    def account(self, ts: datetime) -> Account:
        """The account at ``ts``; the peak includes the current equity."""
        valuation = self.valuation()
        equity = self.cash + valuation.net_exposure
        peak = max(self.peak_equity, equity)
        drawdown = (peak - equity) / peak if peak > 0 else ZERO
        values = {
            "ts": ts,
            "currency": self.currency,
            "cash": self.cash,
            "equity": equity,
            "gross_exposure": valuation.gross_exposure,
            "net_exposure": valuation.net_exposure,
            "realized_pnl": self.realized,
            "unrealized_pnl": valuation.unrealized,
            "fees": self.fees,
            "peak_equity": peak,
            "drawdown": drawdown,
        }
        if _computed_account(values):
            return construct_trusted(Account, values)
        return Account(**values)

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


_ACCOUNT_DECIMALS = (
    "cash",
    "equity",
    "gross_exposure",
    "net_exposure",
    "realized_pnl",
    "unrealized_pnl",
    "fees",
    "peak_equity",
    "drawdown",
)


def _computed_account(values: dict[str, Any]) -> bool:
    """True when validating the account ``values`` would return them unchanged."""
    for name in _ACCOUNT_DECIMALS:
        value = values[name]
        if type(value) is not Decimal or not value.is_finite():
            return False
    return is_utc(values["ts"]) and type(values["currency"]) is str and values["fees"] >= ZERO
