"""The broker interface every broker implements (paper, and the dry-run/live venue adapters).

The engine drives a broker once per time slice (docs/backtest.md)::

    fills = [f for bar in slice_bars for f in broker.on_bar(bar)]  # 2. match working orders
    account = broker.mark(slice_bars)                               # 3. mark at the closes
    ...                                                             # 4-6. guards, strategy, sizing
    order = broker.submit(intent, ts=slice_ts)                      # 7. accept new orders
    for event in broker.drain_events():                             # journal every event
        journal.append(event.to_event(next_seq()))

(:meth:`Broker.on_slice` does steps 2 and 3 in one call.) An order submitted with ``ts`` equal
to the current bar's time is first eligible on the next bar of its symbol.

Every order transition and every fill is an event (:class:`~logos.lifecycle.OrderEvent`,
:class:`FillEvent`). Events are delivered two ways, in the order they happen: synchronously
to each listener added with :meth:`Broker.add_listener` (so a journal can write the SUBMITTED
event *before* a venue adapter sends anything), and queued for :meth:`Broker.drain_events`.

Reconciliation (restart): :meth:`working_orders`, :meth:`positions`, :meth:`order_by_client_id`,
:meth:`snapshot` (a JSON-serialisable dict) and :meth:`restore` (from such a dict).
Submitting a ``client_order_id`` the broker already knows returns the existing order and
creates nothing (idempotent resend).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

from pydantic import BaseModel

from logos.components import Component
from logos.domain import (
    Account,
    Bar,
    Event,
    Fill,
    Order,
    OrderIntent,
    OrderStatus,
    OrderType,
    Position,
    SymbolMeta,
)
from logos.errors import BrokerError
from logos.lifecycle import OrderEvent


class UnknownOrderError(BrokerError):
    """An order id the broker has never seen."""


class DuplicateClientOrderIdError(BrokerError):
    """A client_order_id was reused for an order that differs from the first one."""


class InvalidOrderError(BrokerError):
    """An order the domain model cannot represent (e.g. quantity or limit price ≤ 0)."""


@dataclass(frozen=True, slots=True)
class FillEvent:
    """A fill, ready for the journal (its ``ts`` is the bar the fill happened on)."""

    type: ClassVar[str] = "fill"

    fill: Fill

    @property
    def ts(self) -> datetime:
        """Bar time of the fill."""
        return self.fill.ts

    def data(self) -> dict[str, Any]:
        """JSON-serialisable payload: the fill's fields."""
        return self.fill.model_dump(mode="json")

    def to_event(self, seq: int) -> Event:
        """Wrap as a journal :class:`~logos.domain.Event` with the caller's ``seq``."""
        return Event(seq=seq, type=self.type, ts=self.ts, data=self.data())


_SAME_ORDER_FIELDS = (
    "symbol",
    "side",
    "type",
    "qty",
    "limit_price",
    "stop_price",
    "trail_amount",
    "trail_percent",
    "reduce_only",
    "exits",
    "time_in_force",
)


def same_order_or_raise(existing: Order, intent: OrderIntent) -> Order:
    """``existing`` when ``intent`` (same client id) asks for the same order, else raise.

    The idempotent-resend rule of :meth:`Broker.submit`: a resend returns the known order;
    a client id reused for a different order raises :class:`DuplicateClientOrderIdError`.
    """
    for field in _SAME_ORDER_FIELDS:
        if field == "stop_price" and existing.type is OrderType.TRAILING_STOP:
            continue  # a trailing stop's level moves (and may be set by the broker)
        if getattr(existing, field) != getattr(intent, field):
            raise DuplicateClientOrderIdError(
                f"client_order_id {intent.client_order_id!r} already used by order "
                f"{existing.order_id} with a different {field} "
                f"({getattr(existing, field)} != {getattr(intent, field)})"
            )
    return existing


BrokerEvent = OrderEvent | FillEvent
"""What a broker emits: order transitions and fills."""

EventListener = Callable[[BrokerEvent], None]


@dataclass(frozen=True, slots=True)
class SliceResult:
    """What :meth:`Broker.on_slice` produced: the fills of the slice and the marked account."""

    fills: list[Fill]
    account: Account


class Broker(Component, ABC):
    """Base of every broker: accepts orders, matches/executes them, keeps positions and cash.

    Construct with the component params and, optionally, ``symbols`` (the
    :class:`~logos.domain.SymbolMeta` of the tradable symbols; more can be added with
    :meth:`add_symbols`).

    Per time slice the engine calls :meth:`on_bar` for every bar of the slice (fills and
    DAY expiry), then :meth:`mark` with the slice's bars (mark to market at the closes) —
    :meth:`on_slice` does both — then :meth:`submit` with ``ts`` = the slice's bar time for
    each approved intent (eligible from the next bar), and journals :meth:`drain_events`.
    """

    supports_live: ClassVar[bool] = False

    before_send: Callable[[], None] | None = None
    """Set by the engine: journals every queued event and makes the journal durable. A venue
    adapter calls it after emitting an order's SUBMITTED event and before the order leaves
    the process, so the journal always knows an order before the venue does."""

    def __init__(
        self, params: BaseModel | None = None, *, symbols: Iterable[SymbolMeta] = (), **kwargs: Any
    ) -> None:
        super().__init__(params, **kwargs)
        self._metas: dict[str, SymbolMeta] = {}
        self._events: list[BrokerEvent] = []
        self._listeners: list[EventListener] = []
        self.add_symbols(symbols)

    # symbol metadata -------------------------------------------------------------------

    def add_symbols(self, metas: Iterable[SymbolMeta]) -> None:
        """Register (or replace) the metadata of tradable symbols."""
        for meta in metas:
            self._metas[meta.symbol] = meta

    def symbol_meta(self, symbol: str) -> SymbolMeta | None:
        """The metadata of ``symbol``, ``None`` when none was given."""
        return self._metas.get(symbol)

    # events ----------------------------------------------------------------------------

    def add_listener(self, listener: EventListener) -> None:
        """Call ``listener(event)`` synchronously for every event, as it happens."""
        self._listeners.append(listener)

    def drain_events(self) -> list[BrokerEvent]:
        """Events since the last drain, oldest first; the queue is emptied."""
        events, self._events = self._events, []
        return events

    def _emit(self, event: BrokerEvent) -> None:
        for listener in self._listeners:
            listener(event)
        self._events.append(event)

    # trading ---------------------------------------------------------------------------

    @abstractmethod
    def submit(self, intent: OrderIntent, *, ts: datetime) -> Order:
        """Accept or reject ``intent`` while the bar at ``ts`` is current; return the order.

        The returned order is ACCEPTED, REJECTED (with ``reason``) or, for a venue that
        did not answer, SUBMITTED. A ``client_order_id`` seen before returns that order
        unchanged (no new order, no event); reused with different content it raises
        :class:`DuplicateClientOrderIdError`.
        """

    @abstractmethod
    def cancel(self, order_id: str, *, ts: datetime, reason: str = "canceled") -> Order:
        """Cancel a working order; return its CANCELED version.

        Unknown ids raise :class:`UnknownOrderError`; an order that is no longer working
        raises :class:`~logos.errors.OrderStateError` (its lifecycle forbids it).
        """

    def cancel_all(
        self, *, ts: datetime, reason: str = "canceled", symbol: str | None = None
    ) -> list[Order]:
        """Cancel every working order (of ``symbol`` only, when given); return them.

        Orders still SUBMITTED (in flight to a venue) cannot be canceled by the lifecycle;
        they are left to reconciliation instead of failing the whole call (a kill switch
        must cancel everything it can).
        """
        return [
            self.cancel(o.order_id, ts=ts, reason=reason)
            for o in self.working_orders()
            if o.status is not OrderStatus.SUBMITTED and (symbol is None or o.symbol == symbol)
        ]

    @abstractmethod
    def on_bar(self, bar: Bar) -> list[Fill]:
        """Match working orders of ``bar.symbol`` against a new closed bar; return its fills.

        Bars of one symbol must arrive in strictly increasing ``ts``. Also expires DAY orders
        whose day has ended.
        """

    @abstractmethod
    def mark_prices(self, prices: Mapping[str, Decimal], *, ts: datetime) -> Account:
        """Mark positions at ``prices`` (symbol -> last close) as of bar time ``ts``."""

    def mark(self, bars: Iterable[Bar]) -> Account:
        """Mark at the closes of ``bars`` (one slice); ``ts`` is the latest bar time."""
        prices = {}
        ts = None
        for bar in bars:  # one pass: the engine calls this every slice
            prices[bar.symbol] = bar.close
            if ts is None or bar.ts > ts:
                ts = bar.ts
        if ts is None:
            raise BrokerError("mark() needs at least one bar")
        return self.mark_prices(prices, ts=ts)

    def on_slice(self, bars: Iterable[Bar]) -> SliceResult:
        """:meth:`on_bar` for every bar of a slice, then :meth:`mark` at their closes."""
        bars = list(bars)
        fills = [fill for bar in bars for fill in self.on_bar(bar)]
        return SliceResult(fills=fills, account=self.mark(bars))

    # queries and reconciliation ---------------------------------------------------------

    @abstractmethod
    def order(self, order_id: str) -> Order:
        """The latest version of an order; :class:`UnknownOrderError` when unknown."""

    @abstractmethod
    def order_by_client_id(self, client_order_id: str) -> Order | None:
        """The latest version of the order with this client id, ``None`` when unknown."""

    @abstractmethod
    def orders(self) -> list[Order]:
        """Every order the broker knows (any status), in creation order."""

    def release_orders(self, order_ids: Iterable[str]) -> None:
        """Forget these ended orders: the engine has written them to the session's outputs
        and will not ask for them again. A long backtest ends hundreds of thousands of
        orders; a broker may drop them here so that its memory does not grow with the
        session (then :meth:`orders` and :meth:`order` no longer know them). The engine
        calls this at the end of the slice the orders ended in, or, in a session that keeps
        state, just before each snapshot (so a snapshot holds the working orders, and a
        restart never asks for an order ended before it). The default keeps them."""

    @abstractmethod
    def working_orders(self) -> list[Order]:
        """Orders that can still fill (SUBMITTED, ACCEPTED, PARTIALLY_FILLED), oldest first."""

    @abstractmethod
    def positions(self) -> list[Position]:
        """Positions per symbol, sorted by symbol."""

    def position_qty(self, symbol: str) -> Decimal:
        """Signed quantity held in ``symbol`` (0 when none).

        The engine asks this whenever it sizes an order; the default looks through
        :meth:`positions`, and a broker that can answer directly should override it.
        """
        for position in self.positions():
            if position.symbol == symbol:
                return position.qty
        return Decimal(0)

    @abstractmethod
    def account(self) -> Account:
        """The account as of the latest bar time the broker has seen."""

    @abstractmethod
    def snapshot(self) -> dict[str, Any]:
        """A JSON-serialisable snapshot of everything :meth:`restore` needs."""

    @abstractmethod
    def restore(self, snapshot: Mapping[str, Any]) -> None:
        """Replace this broker's state with a :meth:`snapshot` (events queue is emptied)."""
