"""Reconciliation on restart: the broker's orders against the journal's, by client order id
(docs/state.md, "What restart does").

Once a restarted session has processed again every journaled slice, every order the journal
knows must be one the broker knows, in the same state, and the reverse. The paper broker's
state is its own (restored and replayed), so a difference there is a defect, never a venue's
doing; a venue adapter's ``reconcile`` (when it has one) fetches the venue's open orders and
fills and reports what differs. Either way a difference stops the start: the session does
not trade on a book it cannot account for.
"""

from __future__ import annotations

from collections.abc import Iterable, Set
from typing import Any

from logos.brokers.base import UnknownOrderError
from logos.domain import Order, OrderStatus
from logos.state.journal import JournalContents

_TERMINAL = frozenset(status.value for status in OrderStatus if status.is_terminal)

MAX_LISTED = 5
"""Differences listed in the message (all are counted)."""


def journaled_orders(contents: JournalContents) -> dict[str, dict[str, Any]]:
    """The latest version of every order in the journal, by client order id."""
    orders: dict[str, dict[str, Any]] = {}
    for record in contents.of_type("order"):
        order = record.data["order"]
        orders[order["client_order_id"]] = order
    return orders


def forgotten_orders(contents: JournalContents, through: int) -> set[str]:
    """Client order ids of the journal's orders that ended at or before record ``through``
    (a snapshot's ``seq``): the broker forgot them as the snapshot was taken."""
    ended: set[str] = set()
    for record in contents.of_type("order"):
        order = record.data["order"]
        if record.seq <= through and order["status"] in _TERMINAL:
            ended.add(order["client_order_id"])
    return ended


def differences(
    broker: Any, journaled: dict[str, dict[str, Any]], forgotten: Set[str] = frozenset()
) -> list[str]:
    """What differs between ``broker``'s orders and the journal's (empty: they agree); an
    order in ``forgotten`` (:func:`forgotten_orders`) may be missing at the broker."""
    found: list[str] = []
    known: set[str] = set()
    for client_id, saved in journaled.items():
        if saved["status"] == OrderStatus.DENIED.value:
            continue  # denied before any broker saw it
        known.add(client_id)
        order = _order(broker, client_id)
        if order is None:
            if client_id in forgotten:
                continue
            found.append(f"{client_id}: in the journal ({saved['status']}), not at the broker")
            continue
        now = order.model_dump(mode="json")
        for field in ("status", "filled_qty", "symbol", "side", "qty"):
            if now[field] != saved[field]:
                found.append(
                    f"{client_id}: {field} {now[field]} at the broker, {saved[field]} in the "
                    "journal"
                )
                break
    for order in _broker_orders(broker):
        if order.client_order_id not in known:
            found.append(
                f"{order.client_order_id}: at the broker ({order.status.value}), not in the journal"
            )
    venue = getattr(broker, "reconcile", None)
    if callable(venue):
        found.extend(venue(journaled))
    return found


def describe(found: list[str]) -> str:
    """One message for ``found``: how many, and the first few."""
    listed = "; ".join(found[:MAX_LISTED])
    more = f" (and {len(found) - MAX_LISTED} more)" if len(found) > MAX_LISTED else ""
    return f"{len(found)} order(s) differ between the broker and the journal: {listed}{more}"


def _order(broker: Any, client_id: str) -> Order | None:
    try:
        return broker.order_by_client_id(client_id)
    except UnknownOrderError:
        return None


def _broker_orders(broker: Any) -> Iterable[Order]:
    return broker.orders()
