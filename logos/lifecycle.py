"""The order state machine (docs/paper_broker.md) as one explicit transition table.

The table *is* the documentation: a transition that is not listed in :data:`TRANSITIONS`
is a bug and :func:`transition` raises :class:`~logos.errors.OrderStateError` for it.

::

    NEW              -> SUBMITTED | DENIED
    SUBMITTED        -> ACCEPTED | REJECTED
    ACCEPTED         -> PARTIALLY_FILLED | FILLED | CANCELED | EXPIRED
    PARTIALLY_FILLED -> PARTIALLY_FILLED | FILLED | CANCELED | EXPIRED
    FILLED, CANCELED, EXPIRED, DENIED, REJECTED: terminal, no way out

``PARTIALLY_FILLED -> PARTIALLY_FILLED`` is the second, third ... partial fill. DENIED is
produced only by logos' own risk guards (before anything is sent); REJECTED only by a
venue or the paper broker.

Every transition yields an :class:`OrderEvent`, the payload the journal records. So does an
amendment (:func:`amend`): a working order's quantity, trailing level or trigger changing
without a status change, an event with ``old == new``. The
journal (which owns the sequence numbers) wraps it with :meth:`OrderEvent.to_event`.

The new version is a copy of the order (pydantic's ``model_copy``) when the changed fields
are the ones a broker computes — ``status`` (from the table), ``ts_updated`` (a UTC
``datetime``), ``reason`` (a ``str``), ``filled_qty`` (a finite ``Decimal`` ≥ 0) and
``avg_fill_price`` (``None`` or a finite ``Decimal``) — and each is checked here to be exactly
what validation would keep; the other fields were validated when the order was made.
Anything else goes through :meth:`~logos.domain.Order.evolve`, which validates and raises for
bad values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Any, ClassVar

from logos.domain import (
    Event,
    Order,
    OrderIntent,
    OrderStatus,
    is_finite_decimal,
    is_utc,
)
from logos.errors import OrderStateError
from logos.timeutil import ensure_utc, isoformat_utc

S = OrderStatus
_ZERO = Decimal(0)

TRANSITIONS: MappingProxyType[OrderStatus, frozenset[OrderStatus]] = MappingProxyType(
    {
        S.NEW: frozenset({S.SUBMITTED, S.DENIED}),
        S.SUBMITTED: frozenset({S.ACCEPTED, S.REJECTED}),
        S.ACCEPTED: frozenset({S.PARTIALLY_FILLED, S.FILLED, S.CANCELED, S.EXPIRED}),
        S.PARTIALLY_FILLED: frozenset({S.PARTIALLY_FILLED, S.FILLED, S.CANCELED, S.EXPIRED}),
        S.FILLED: frozenset(),
        S.CANCELED: frozenset(),
        S.EXPIRED: frozenset(),
        S.DENIED: frozenset(),
        S.REJECTED: frozenset(),
    }
)
"""Legal transitions: current status -> the statuses it may move to."""


def is_legal(current: OrderStatus, new: OrderStatus) -> bool:
    """True when ``current -> new`` is in the transition table."""
    return new in TRANSITIONS[current]


@dataclass(frozen=True, slots=True)
class OrderEvent:
    """One order transition, ready for the journal.

    ``old`` is ``None`` for the creation of an order (the first version, status NEW);
    ``order`` is the order version *after* the transition; ``ts`` is the bar time the
    transition belongs to.
    """

    type: ClassVar[str] = "order"

    order: Order
    old: OrderStatus | None
    new: OrderStatus
    reason: str
    ts: datetime

    @property
    def order_id(self) -> str:
        """The order's id."""
        return self.order.order_id

    @property
    def client_order_id(self) -> str:
        """The order's client id."""
        return self.order.client_order_id

    def data(self) -> dict[str, Any]:
        """JSON-serialisable payload: ids, old/new status, reason, bar ts and the order version."""
        return {
            "order_id": self.order.order_id,
            "client_order_id": self.order.client_order_id,
            "old": None if self.old is None else self.old.value,
            "new": self.new.value,
            "reason": self.reason,
            "ts": isoformat_utc(self.ts),
            "order": self.order.model_dump(mode="json"),
        }

    def to_event(self, seq: int) -> Event:
        """Wrap as a journal :class:`~logos.domain.Event` with the caller's ``seq``."""
        return Event.made(seq, self.type, self.ts, self.data())


def order_from_intent(intent: OrderIntent, order_id: str, *, ts: datetime) -> Order:
    """The first version (status NEW) of the order ``intent`` asks for, created at ``ts``.

    The order starts with the intent's reason (which signal, rule and cap made it), so
    orders.csv says why every order exists; a later transition with a reason (a rejection,
    a cancel) replaces it."""
    return Order(
        order_id=order_id,
        client_order_id=intent.client_order_id,
        symbol=intent.symbol,
        side=intent.side,
        type=intent.type,
        qty=intent.qty,
        limit_price=intent.limit_price,
        stop_price=intent.stop_price,
        trail_amount=intent.trail_amount,
        trail_percent=intent.trail_percent,
        reduce_only=intent.reduce_only,
        exits=intent.exits,
        parent_id=intent.parent_id,
        oco_id=intent.oco_id,
        time_in_force=intent.time_in_force,
        ts_created=ts,
        ts_updated=ts,
        reason=intent.reason,
    )


def created(order: Order, *, ts: datetime, reason: str = "") -> OrderEvent:
    """The event recording a brand-new order (status NEW, no previous state)."""
    if order.status is not OrderStatus.NEW:
        raise OrderStateError(
            f"order {order.order_id}: a new order must start in NEW, not {order.status.value}"
        )
    return OrderEvent(order, None, order.status, reason, ts if is_utc(ts) else ensure_utc(ts))


def transition(
    order: Order, new_status: OrderStatus, *, ts: datetime, reason: str = "", **changes: Any
) -> tuple[Order, OrderEvent]:
    """Move ``order`` to ``new_status`` at bar time ``ts``; return the new version and its event.

    ``changes`` are other fields to set on the new version (``filled_qty``, ``avg_fill_price``).
    ``ts_updated`` becomes ``ts``; a non-empty ``reason`` is also stored on the order.
    Raises :class:`~logos.errors.OrderStateError` naming the order, the current and the
    requested state when the table does not allow the move.
    """
    current = order.status
    if new_status not in TRANSITIONS[current]:  # is_legal(), inline: three per order
        raise OrderStateError(
            f"order {order.order_id} (client id {order.client_order_id}): illegal transition "
            f"{current.value} -> {new_status.value}"
        )
    utc = type(ts) is datetime and ts.tzinfo is UTC  # is_utc(), inline
    if not utc:
        ts = ensure_utc(ts)
        utc = is_utc(ts)
    if reason:
        changes["reason"] = reason
    if type(new_status) is OrderStatus and utc and (not changes or _computed(changes)):
        changes["status"] = new_status
        changes["ts_updated"] = ts
        updated = order.model_copy(update=changes)
    else:
        updated = order.evolve(status=new_status, ts_updated=ts, **changes)
    return updated, OrderEvent(updated, current, new_status, reason, ts)


AMENDABLE = frozenset({"qty", "stop_price", "triggered"})
"""What may change on a working order without a status change: a bracket leg's quantity
(its entry filled more), a trailing stop's level, a stop-limit's trigger."""


def amend(order: Order, *, ts: datetime, reason: str, **changes: Any) -> tuple[Order, OrderEvent]:
    """A new version of a working ``order`` with ``changes`` (only :data:`AMENDABLE` fields),
    its status unchanged; the event has ``old == new`` and says why in ``reason`` (the
    journal records every amendment as it records a transition)."""
    if not order.status.is_working:
        raise OrderStateError(
            f"order {order.order_id}: a {order.status.value} order cannot be amended"
        )
    unknown = set(changes) - AMENDABLE
    if unknown:
        raise OrderStateError(f"order {order.order_id}: cannot amend {', '.join(sorted(unknown))}")
    ts = ts if is_utc(ts) else ensure_utc(ts)
    updated = order.evolve(ts_updated=ts, **changes)
    return updated, OrderEvent(updated, order.status, order.status, reason, ts)


def _computed(changes: dict[str, Any]) -> bool:
    """True when ``changes`` are broker-computed fields with values validation keeps as is."""
    for name, value in changes.items():
        if name == "reason":
            valid = type(value) is str
        elif name == "filled_qty":
            valid = is_finite_decimal(value) and value >= _ZERO
        elif name == "avg_fill_price":
            valid = value is None or is_finite_decimal(value)
        else:
            return False
        if not valid:
            return False
    return True
