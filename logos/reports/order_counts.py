"""A session's orders counted by status and by symbol, without reading them again.

The summary (filled, rejected, denied orders) and the warnings (a symbol that sent nothing, or
whose every order was rejected) need only counts. After a long backtest the orders are on
disk (:mod:`logos.reports.spool`) and each pass over them decodes every one, so the engine
counts each order as it records it ended (:meth:`OrderCounts.add`), and a result rebuilt
some other way (from a journal) counts its orders once, when first asked
(:meth:`~logos.reports.result.SessionResult.counted_orders`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from logos.domain import Order, OrderStatus


@dataclass
class SymbolOrders:
    """One symbol's orders as counts: how many, how many were sent (not denied), and the
    rejected ones by reason code."""

    orders: int = 0
    sent: int = 0
    rejected: Counter[str] = field(default_factory=Counter)


@dataclass
class OrderCounts:
    """Orders by final status, and per symbol (:class:`SymbolOrders`)."""

    statuses: Counter[OrderStatus] = field(default_factory=Counter)
    symbols: dict[str, SymbolOrders] = field(default_factory=dict)

    def add(self, order: Order) -> None:
        """Count one order in its final version."""
        status = order.status
        self.statuses[status] += 1
        counts = self.symbols.get(order.symbol)
        if counts is None:
            counts = self.symbols[order.symbol] = SymbolOrders()
        counts.orders += 1
        if status is not OrderStatus.DENIED:
            counts.sent += 1
        if status is OrderStatus.REJECTED:
            counts.rejected[reason_code(order.reason)] += 1

    @classmethod
    def of(cls, orders: Iterable[Order]) -> OrderCounts:
        """The counts of ``orders``, in one pass."""
        counts = cls()
        for order in orders:
            counts.add(order)
        return counts


def reason_code(reason: str) -> str:
    """A rejection reason without its numbers' detail: the part before the first ':'."""
    return reason.split(":", 1)[0] or reason
