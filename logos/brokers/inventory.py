"""FIFO inventory: open lots per symbol, long and short, and the realized PnL of each fill.

A lot is one fill's opening quantity at its price; ``qty`` is signed (positive long,
negative short). A fill against the opposite side closes lots oldest first; whatever is
left of the fill opens a new lot on the fill's side (so one sell can close a long and open a
short: the flip). Realized PnL of a closing fill is *gross* (fees are booked separately):

    closing a long lot:  (exit price − lot price) × closed qty
    closing a short lot: (lot price − exit price) × closed qty

All arithmetic is Decimal products and sums in the exact context of :mod:`logos.money`.

The net quantity and cost of a symbol and the sorted list of symbols are kept and recomputed
(the same sums, in the same order) only after a fill or a new symbol changed them: the broker
reads them at every mark, far more often than lots change.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import NamedTuple

from logos.domain import UtcDatetime
from logos.money import add, multiply, subtract
from logos.timeutil import ensure_utc

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Lot:
    """An open lot: signed quantity at its entry price, opened by trade ``trade_id`` at ``ts``.

    A frozen dataclass rather than a pydantic model: the broker makes one from values it
    computed itself for every fill that opens a position;
    :class:`~logos.brokers.accounting.LedgerState` validates each field (and rejects unknown
    ones) when a snapshot is restored.
    """

    qty: Decimal
    price: Decimal
    ts: UtcDatetime
    trade_id: str


class LotClose(NamedTuple):
    """The part of one lot a fill closed: positive ``qty``, and its gross realized PnL."""

    trade_id: str
    qty: Decimal
    entry_price: Decimal
    exit_price: Decimal
    realized_pnl: Decimal


class FillOutcome(NamedTuple):
    """What one fill did to a symbol's lots: the lots it closed, the lot it opened, and the
    fill's gross realized PnL (the sum over the lots it closed)."""

    closed: tuple[LotClose, ...]
    opened: Lot | None
    realized_pnl: Decimal


class SymbolLots:
    """The open lots of one symbol, oldest first; all lots are on the same side."""

    qty: Decimal
    """Signed net quantity (positive long, negative short); kept up to date by :meth:`apply`."""
    cost: Decimal
    """Signed entry value of the open lots, Σ qty × price; kept up to date by :meth:`apply`."""

    def __init__(self, lots: Iterable[Lot] = ()) -> None:
        self._lots: deque[Lot] = deque(lots)
        self._total()

    def _total(self) -> None:
        # Plain attributes, recomputed when the lots change: the ledger reads them at every
        # mark, far more often than lots change.
        qty = cost = ZERO
        for lot in self._lots:
            qty = add(qty, lot.qty)
            cost = add(cost, multiply(lot.qty, lot.price))
        self.qty, self.cost = qty, cost

    def __iter__(self) -> Iterator[Lot]:
        return iter(self._lots)

    @property
    def avg_cost(self) -> Decimal:
        """Average entry price of the open lots (0 when flat)."""
        qty = self.qty
        return self.cost / qty if qty else ZERO

    def unrealized(self, price: Decimal) -> Decimal:
        """Unrealized PnL of the open lots marked at ``price``: Σ (price − lot price) × qty,
        computed exactly as qty × price − cost (the same value) from the kept qty and cost."""
        return subtract(multiply(self.qty, price), self.cost)

    def apply(
        self, signed_qty: Decimal, price: Decimal, ts: datetime, trade_id: str
    ) -> FillOutcome:
        """Book a fill of ``signed_qty`` (buy > 0, sell < 0) at ``price``: close FIFO, open rest."""
        if not signed_qty:
            raise ValueError("a fill must have a non-zero quantity")
        remaining = signed_qty
        closed: list[LotClose] = []
        while remaining and self._lots and (self._lots[0].qty > 0) != (remaining > 0):
            lot = self._lots[0]
            take = min(remaining.copy_abs(), lot.qty.copy_abs())
            direction = 1 if lot.qty > 0 else -1
            pnl = multiply(multiply(subtract(price, lot.price), take), direction)
            closed.append(LotClose(lot.trade_id, take, lot.price, price, pnl))
            if take == lot.qty.copy_abs():
                self._lots.popleft()
            else:
                rest = subtract(lot.qty, multiply(take, direction))
                self._lots[0] = Lot(rest, lot.price, lot.ts, lot.trade_id)
            remaining = add(remaining, multiply(take, direction))
        opened = None
        if remaining:
            opened = Lot(remaining, price, ts if ts.tzinfo is UTC else ensure_utc(ts), trade_id)
            self._lots.append(opened)
        self._total()
        realized = ZERO
        for close in closed:
            realized = add(realized, close.realized_pnl)
        return FillOutcome(tuple(closed), opened, realized)


class Inventory:
    """FIFO lots for every symbol traded so far."""

    def __init__(self) -> None:
        self._by_symbol: dict[str, SymbolLots] = {}
        self._sorted: tuple[tuple[str, SymbolLots], ...] | None = None
        self._held: tuple[tuple[str, SymbolLots], ...] | None = None

    def lots(self, symbol: str) -> SymbolLots:
        """The lots of ``symbol`` (empty when never traded)."""
        lots = self._by_symbol.get(symbol)
        if lots is None:
            lots = self._by_symbol[symbol] = SymbolLots()
            self._sorted = self._held = None
        return lots

    def symbols(self) -> list[str]:
        """Symbols ever traded, sorted."""
        return [symbol for symbol, _ in self.items()]

    def items(self) -> tuple[tuple[str, SymbolLots], ...]:
        """(symbol, lots) of every symbol ever traded, sorted by symbol."""
        items = self._sorted
        if items is None:
            items = self._sorted = tuple(sorted(self._by_symbol.items(), key=lambda kv: kv[0]))
        return items

    def held(self) -> tuple[tuple[str, SymbolLots], ...]:
        """(symbol, lots) of every symbol with an open position, sorted by symbol."""
        held = self._held
        if held is None:
            held = self._held = tuple((s, lots) for s, lots in self.items() if lots.qty)
        return held

    def qty(self, symbol: str) -> Decimal:
        """Signed net quantity held in ``symbol``."""
        lots = self._by_symbol.get(symbol)
        return lots.qty if lots is not None else ZERO

    def apply(
        self, symbol: str, signed_qty: Decimal, price: Decimal, ts: datetime, trade_id: str
    ) -> FillOutcome:
        """Book a fill in ``symbol``; see :meth:`SymbolLots.apply`."""
        self._held = None
        return self.lots(symbol).apply(signed_qty, price, ts, trade_id)

    def dump(self) -> dict[str, list[Lot]]:
        """Open lots per symbol (symbols ever traded, flat ones with an empty list)."""
        return {s: list(self._by_symbol[s]) for s in self.symbols()}

    @classmethod
    def load(cls, lots: dict[str, list[Lot]]) -> Inventory:
        """Rebuild from :meth:`dump`."""
        inventory = cls()
        for symbol, symbol_lots in lots.items():
            inventory._by_symbol[symbol] = SymbolLots(symbol_lots)
        return inventory
