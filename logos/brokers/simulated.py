"""A simulated broker whose fill rules are a small object: the base of the paper broker.

:class:`SimulatedBroker` keeps the order lifecycle, FIFO inventory, cash, marks, acceptance
checks, the fill-time cash check and snapshot/restore (docs/paper_broker.md). What differs
between simulations is asked of two small objects (docs/writing_a_broker.md):

- a :class:`~logos.brokers.fill_models.FillModel`: whether and at what price an order fills
  on a bar, how much may fill per bar, how long after acceptance an order becomes eligible,
  and what slippage cash is reserved for at acceptance;
- a :class:`~logos.brokers.fill_models.FeeModel`: the fee, in bps, of a fill.

A third-party broker subclasses :class:`SimulatedBroker`, sets ``name`` and the models, and
is done; the paper broker is exactly that with the default models. The models must be
stateless (a pure function of the order, the bar and the params): the broker's snapshot
holds everything a restart needs, and a model's own state would not survive one.

Fill rules live in :mod:`logos.brokers.fill_models` (the default's in
:mod:`logos.brokers.fills`), FIFO lots in :mod:`logos.brokers.inventory`, cash and marks in
:mod:`logos.brokers.accounting`, the acceptance checks in :mod:`logos.brokers.acceptance`
and :mod:`logos.brokers.rejections`, the fill-time cash check and the booking of a fill in
:mod:`logos.brokers.execution`. This module ties them to the order lifecycle.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from functools import partial
from operator import attrgetter
from typing import Any, ClassVar

from pydantic import BaseModel

from logos.brokers import brackets, execution
from logos.brokers import fills as rules
from logos.brokers.acceptance import AccountView, evaluate
from logos.brokers.accounting import Ledger
from logos.brokers.base import (
    Broker,
    FillEvent,
    InvalidOrderError,
    UnknownOrderError,
    same_order_or_raise,
)
from logos.brokers.fill_models import FeeModel, FillModel, PaperFees, PaperFill
from logos.brokers.inventory import ZERO
from logos.brokers.paper_state import PaperParams, PaperSnapshot, WorkingState
from logos.domain import (
    Account,
    Bar,
    Fill,
    Liquidity,
    Order,
    OrderIntent,
    OrderStatus,
    OrderType,
    Position,
    Side,
    SymbolMeta,
    TimeInForce,
)
from logos.errors import BrokerError
from logos.lifecycle import amend, created, order_from_intent, transition
from logos.money import add, multiply, subtract
from logos.timeutil import ensure_utc

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
NOTHING_TO_REDUCE = "reduce_only: no position left to reduce"
POSITION_CLOSED = "position closed: nothing left to protect"


def _needs_care(order: Order) -> bool:
    """True for an order a bar may do more to than fill: a stop (triggers, trails), a
    reduce-only exit (capped, canceled with its position, one-cancels-other) or an entry
    with a bracket (arms legs)."""
    return order.reduce_only or order.exits is not None or order.type.is_stop


_acceptance_order = attrgetter("seq")

SimulatedParams = PaperParams
"""Params of every simulated broker (docs/paper_broker.md); a subclass that needs more
subclasses it."""


class SimulatedBroker(Broker):
    """A deterministic simulated broker; subclass it with a ``name`` and, to change how
    orders fill or what they cost, a ``fill_model`` and a ``fee_model``.

    Orders accepted at bar t are eligible from bar t+1 on (later with the fill model's
    ``latency``); the fill model prices them, the fee model charges them, and everything
    else (lifecycle, FIFO lots, cash checks at acceptance and at fill time, DAY expiry,
    snapshot/restore) is the paper broker's, unchanged. The snapshot is the paper broker's
    format (``kind = "paper"``) whatever the subclass: the models hold no state.
    """

    Params: ClassVar[type[BaseModel]] = PaperParams
    params: PaperParams
    fill_model: FillModel = PaperFill()
    """How orders fill (default: the paper rules); a class attribute, or per instance."""
    fee_model: FeeModel = PaperFees()
    """What fills cost (default: ``fee_bps`` taker, ``maker_fee_bps`` maker)."""

    def __init__(
        self,
        params: BaseModel | None = None,
        *,
        symbols: Iterable[SymbolMeta] = (),
        fill_model: FillModel | None = None,
        fee_model: FeeModel | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(params, symbols=symbols, **kwargs)
        if fill_model is not None:
            self.fill_model = fill_model
        if fee_model is not None:
            self.fee_model = fee_model
        self._ledger = Ledger(self.params.cash, self._currency())
        self._orders: dict[str, Order] = {}
        self._by_client_id: dict[str, str] = {}
        self._working: dict[str, WorkingState] = {}
        self._last_bar_ts: dict[str, datetime] = {}
        self._clock: datetime | None = None
        self._order_counter = 0
        self._trade_counter = 0
        self._traded = Decimal(0)
        """Notional filled so far (the volume a tiered fee model looks at)."""

    # submit / cancel -------------------------------------------------------------------

    def submit(self, intent: OrderIntent, *, ts: datetime) -> Order:
        """Accept or reject ``intent`` while the bar at ``ts`` is current (see :class:`Broker`)."""
        existing = self.order_by_client_id(intent.client_order_id)
        if existing is not None:
            return same_order_or_raise(existing, intent)
        if intent.qty <= 0 or (intent.limit_price is not None and intent.limit_price <= 0):
            raise InvalidOrderError(
                f"order {intent.client_order_id}: qty and limit_price must be positive "
                f"(got qty={intent.qty}, limit_price={intent.limit_price})"
            )
        if intent.type is OrderType.TRAILING_STOP and intent.stop_price is None:
            intent = self._trailing_start(intent)
        ts = self._tick(ts)
        self._order_counter += 1
        order_id = f"{self.params.id_prefix}-{self._order_counter:06d}"
        order = order_from_intent(intent, order_id, ts=ts)
        self._by_client_id[order.client_order_id] = order.order_id
        self._record(order, created(order, ts=ts, reason=intent.reason))
        self._move(order, OrderStatus.SUBMITTED, ts=ts)
        verdict = evaluate(
            intent,
            self._view(intent.symbol),
            self.params,
            slippage_bps=self.fill_model.reserve_slippage_bps(self.params),
            fee_bps=self._fee_bps,
        )
        if verdict.problem is not None:
            order = self._orders[order.order_id]
            return self._move(order, OrderStatus.REJECTED, ts=ts, reason=verdict.problem)
        self._working[order.order_id] = WorkingState(
            order.order_id, self._order_counter, ts, verdict.reserve_qty, verdict.reserve_price
        )
        return self._move(self._orders[order.order_id], OrderStatus.ACCEPTED, ts=ts)

    def cancel(self, order_id: str, *, ts: datetime, reason: str = "canceled") -> Order:
        """Cancel a working order (see :class:`Broker`)."""
        canceled = self._move(self.order(order_id), OrderStatus.CANCELED, ts=ts, reason=reason)
        self._tick(ts)  # only once the cancel is legal: a refused one changes nothing
        self._working.pop(order_id, None)
        return canceled

    # bars and marks --------------------------------------------------------------------

    def on_bar(self, bar: Bar) -> list[Fill]:
        """Expire ended DAY orders, then fill eligible orders of ``bar.symbol`` (FIFO).

        A fill the buying power cannot cover is cut down and the rest of its order canceled
        (see :mod:`logos.brokers.execution`).
        """
        symbol, ts = bar.symbol, bar.ts  # once each: this runs for every bar
        last = self._last_bar_ts.get(symbol)
        if last is not None and ts <= last:
            raise BrokerError(
                f"bar {symbol} {ts.isoformat()} is not after the previous bar ({last.isoformat()})"
            )
        self._last_bar_ts[symbol] = ts
        clock = self._clock  # _tick(ts), inline
        if ts.tzinfo is not UTC or clock is None or ts > clock:
            self._tick(ts)
        if not self._working:  # nothing can fill or expire
            return []
        self._expire_day_orders(bar.ts)
        meta = self.symbol_meta(bar.symbol)
        model, params = self.fill_model, self.params
        self._budget = model.volume_budget(bar, params)
        latency = model.latency
        result: list[Fill] = []
        states = self._working_states(bar.symbol)
        protective = any(_needs_care(self._orders[s.order_id]) for s in states)
        if protective and len(states) > 1:
            states = self._legs_in_bar_order(states, bar)
        for state in states:
            if state.order_id not in self._working:
                continue  # canceled on this bar (its one-cancels-other partner filled)
            if state.accepted_ts >= bar.ts or (latency and bar.ts < state.accepted_ts + latency):
                continue
            order = self._orders[state.order_id]
            if order.time_in_force is TimeInForce.DAY and state.active_day is None:
                state.active_day = bar.ts.date()
            priced = model.fill_price(order, bar, params)
            if priced is None:
                if order.type is OrderType.STOP_LIMIT and not order.triggered:
                    self._trigger(order, bar)
                continue
            self._fill_working(order, state, bar, meta, priced, result)
        if protective:
            self._after_bar(bar, meta, result)
        return result

    def _fill_working(
        self,
        order: Order,
        state: WorkingState,
        bar: Bar,
        meta: SymbolMeta | None,
        priced: tuple[Decimal, Liquidity],
        result: list[Fill],
    ) -> None:
        """Fill as much of a working ``order`` on ``bar`` as the volume budget, a reduce-only
        order's position and the buying power allow, at ``priced``; append its fill."""
        params, budget = self.params, self._budget
        step = rules.quantity_step(order.qty, meta)
        qty = rules.fill_qty(order.remaining_qty, budget, step)
        if qty > 0 and order.reduce_only:
            reducible = self._reducible(order)
            if reducible <= 0:
                self._move(order, OrderStatus.CANCELED, ts=bar.ts, reason=NOTHING_TO_REDUCE)
                del self._working[order.order_id]
                return
            qty = min(qty, reducible)
        if qty > 0:
            price, liquidity = priced
            cut = execution.cut_to_buying_power(
                self._ledger,
                params,
                order,
                qty,
                price,
                self._fee_bps(liquidity),
                step,
                partial(self._reserved_by_others, state, order),
            )
            if cut.qty > 0:
                if budget is not None:
                    self._budget = budget - cut.qty
                fill = self._fill(order, state, bar.ts, cut.qty, price, liquidity)
                result.append(fill)
                self._after_fill(self._orders[order.order_id], fill, bar, meta, result)
            if cut.reason:
                self._move(
                    self._orders[order.order_id], OrderStatus.CANCELED, ts=bar.ts, reason=cut.reason
                )
                del self._working[order.order_id]

    # protective orders (docs/orders.md) ----------------------------------------------------

    def _legs_in_bar_order(self, states: list[WorkingState], bar: Bar) -> list[WorkingState]:
        """``states`` with each one-cancels-other group's legs reordered among themselves,
        so that the leg that fills first on ``bar`` is tried first: one already crossed at
        the open (it filled at the first price), else a stop before a take-profit (when a bar
        touches both, the stop is assumed first). Other orders keep their FIFO places."""
        orders = self._orders
        slots = [i for i, s in enumerate(states) if orders[s.order_id].oco_id is not None]
        if len(slots) < 2:
            return states

        def first(state: WorkingState) -> tuple[bool, bool, int]:
            order = orders[state.order_id]
            return (not rules.crosses_at_open(order, bar), not order.type.is_stop, state.seq)

        ordered = sorted((states[i] for i in slots), key=first)
        states = list(states)
        for i, state in zip(slots, ordered, strict=True):
            states[i] = state
        return states

    def _trailing_start(self, intent: OrderIntent) -> OrderIntent:
        """A trailing stop sent without a level starts one trailing distance from the last
        close (without a close it stays without one, and is rejected for want of a price)."""
        mark = self._ledger.mark_price(intent.symbol)
        if mark is None or (intent.trail_amount is None) == (intent.trail_percent is None):
            return intent  # no price yet, or not one distance: rejected by the checks
        level = rules.trail_from(mark, intent.side, intent.trail_amount, intent.trail_percent)
        if level is None:
            return intent
        level = brackets.tighter(level, intent.side, self.symbol_meta(intent.symbol), loss=True)
        return intent.model_copy(update={"stop_price": level})

    def _reducible(self, order: Order) -> Decimal:
        """How much of the position a reduce-only ``order`` can still close (0: none)."""
        position = self._ledger.inventory.qty(order.symbol)
        return max(ZERO, position if order.side is Side.SELL else -position)

    def _trigger(self, order: Order, bar: Bar) -> None:
        """A stop-limit whose trigger ``bar`` hit without reaching its limit rests as a limit
        order from the next bar."""
        at = rules.trigger_price(order, bar)
        if at is not None:
            reason = f"triggered at {at}; rests as a limit order at {order.limit_price}"
            self._amend(order, bar.ts, reason, triggered=True)

    def _amend(self, order: Order, ts: datetime, reason: str, **changes: Any) -> Order:
        updated, event = amend(order, ts=ts, reason=reason, **changes)
        return self._record(updated, event)

    def _after_fill(
        self, order: Order, fill: Fill, bar: Bar, meta: SymbolMeta | None, result: list[Fill]
    ) -> None:
        """What a fill sets off: a stop still working after a partial fill goes on as
        triggered; its one-cancels-other partners are canceled; an entry with a bracket arms
        (or grows) its legs."""
        if order.status.is_working and order.type.is_stop and not order.triggered:
            self._amend(order, bar.ts, f"triggered; {order.remaining_qty} left", triggered=True)
        if order.oco_id is not None:
            for state in self._working_states(order.symbol):
                partner = self._orders[state.order_id]
                if partner.oco_id == order.oco_id and partner.order_id != order.order_id:
                    reason = f"one-cancels-other: {order.order_id} filled"
                    self._move(partner, OrderStatus.CANCELED, ts=bar.ts, reason=reason)
                    del self._working[partner.order_id]
        if order.exits is not None:
            self._arm(order, fill, bar, meta, result)

    def _arm(
        self, entry: Order, fill: Fill, bar: Bar, meta: SymbolMeta | None, result: list[Fill]
    ) -> None:
        """Arm ``entry``'s bracket for ``fill``: grow the working legs by the fill's quantity,
        or, with none working, arm new legs for it (eligible from the next bar, but a stop
        leg is checked against the rest of this bar at once: the entry filled first)."""
        legs = [
            self._orders[s.order_id]
            for s in self._working_states(entry.symbol)
            if self._orders[s.order_id].parent_id == entry.order_id
        ]
        for leg in legs:
            self._amend(
                leg, bar.ts, f"{entry.order_id} filled {fill.qty} more", qty=leg.qty + fill.qty
            )
        if legs:
            return
        armed = []
        for intent in brackets.leg_intents(entry, fill.qty, meta, self._trade_counter):
            armed.append(self._accept_leg(intent, bar.ts))
        for leg in armed:
            if leg.type.is_stop and leg.order_id in self._working:
                self._stop_on_arming_bar(leg, fill.price, bar, meta, result)

    def _accept_leg(self, intent: OrderIntent, ts: datetime) -> Order:
        """A bracket leg the broker makes itself: NEW, SUBMITTED, ACCEPTED; it reduces a
        position the entry just opened, so it holds no cash."""
        self._order_counter += 1
        order = order_from_intent(
            intent, f"{self.params.id_prefix}-{self._order_counter:06d}", ts=ts
        )
        self._by_client_id[order.client_order_id] = order.order_id
        self._record(order, created(order, ts=ts, reason=intent.reason))
        self._move(order, OrderStatus.SUBMITTED, ts=ts)
        self._working[order.order_id] = WorkingState(
            order.order_id, self._order_counter, ts, ZERO, ZERO
        )
        return self._move(self._orders[order.order_id], OrderStatus.ACCEPTED, ts=ts)

    def _stop_on_arming_bar(
        self,
        leg: Order,
        entry_price: Decimal,
        bar: Bar,
        meta: SymbolMeta | None,
        result: list[Fill],
    ) -> None:
        """A stop leg armed on ``bar`` fills on it when the bar traded through the stop
        after the entry: at the stop (never the open, which came before the entry), or at
        the entry's price if that was already beyond the stop."""
        stop = leg.stop_price
        assert stop is not None
        if leg.side is Side.SELL and bar.low <= stop:
            at = min(stop, entry_price)
        elif leg.side is Side.BUY and bar.high >= stop:
            at = max(stop, entry_price)
        else:
            return
        price = rules.slipped(at, leg.side, self.fill_model.reserve_slippage_bps(self.params))
        state = self._working[leg.order_id]
        self._fill_working(leg, state, bar, meta, (price, Liquidity.TAKER), result)

    def _after_bar(self, bar: Bar, meta: SymbolMeta | None, fills: list[Fill]) -> None:
        """After a bar's fills: cancel reduce-only orders with nothing left to reduce (the
        position closed or flipped), then move trailing stops that did not trigger."""
        symbol = bar.symbol
        for state in self._working_states(symbol):
            order = self._orders[state.order_id]
            if order.reduce_only and fills and self._reducible(order) <= 0:
                self._move(order, OrderStatus.CANCELED, ts=bar.ts, reason=POSITION_CLOSED)
                del self._working[order.order_id]
            elif (
                order.type is OrderType.TRAILING_STOP
                and not order.triggered
                and state.accepted_ts < bar.ts
            ):
                level = rules.trailed_level(order, bar)
                if level is not None:
                    level = brackets.tighter(level, order.side, meta, loss=True)
                    if level != order.stop_price:
                        self._amend(
                            order, bar.ts, f"trailing stop moved to {level}", stop_price=level
                        )

    def mark_prices(self, prices: Mapping[str, Decimal], *, ts: datetime) -> Account:
        """Mark at ``prices`` (symbol -> close) as of bar time ``ts``; return the account."""
        return self._ledger.mark(prices, self._tick(ts))

    # queries ---------------------------------------------------------------------------

    def order(self, order_id: str) -> Order:
        """The latest version of ``order_id``."""
        try:
            return self._orders[order_id]
        except KeyError:
            raise UnknownOrderError(f"unknown order id {order_id!r}") from None

    def order_by_client_id(self, client_order_id: str) -> Order | None:
        """The order with this client id, or ``None``."""
        order_id = self._by_client_id.get(client_order_id)
        return None if order_id is None else self._orders[order_id]

    def orders(self) -> list[Order]:
        """Every order, in creation order."""
        return list(self._orders.values())

    def release_orders(self, order_ids: Iterable[str]) -> None:
        """Drop ended orders (:meth:`Broker.release_orders`); a working one is kept."""
        orders, by_client_id = self._orders, self._by_client_id
        for order_id in order_ids:
            order = orders.get(order_id)
            if order is not None and order.status.is_terminal:
                del orders[order_id]
                by_client_id.pop(order.client_order_id, None)

    def working_orders(self) -> list[Order]:
        """Working orders in acceptance order."""
        return [self._orders[s.order_id] for s in self._working_states()]

    def positions(self) -> list[Position]:
        """Positions of every symbol ever traded (flat ones included), sorted by symbol."""
        return self._ledger.positions()

    def position_qty(self, symbol: str) -> Decimal:
        """Signed quantity held in ``symbol``, from the ledger's lots."""
        return self._ledger.inventory.qty(symbol)

    def _currency(self) -> str:
        """The account currency: the one asked for, else the quote currency every known
        symbol shares (a USDT perpetual's account is in USDT), else USD."""
        if self.params.currency is not None:
            return self.params.currency
        quotes = {meta.quote for meta in self._metas.values()}
        return quotes.pop() if len(quotes) == 1 and None not in quotes else "USD"

    def account(self) -> Account:
        """The account at the latest time seen (1970-01-01 before anything happened)."""
        return self._ledger.account(self._clock or EPOCH)

    def reserved(self) -> Decimal:
        """Cash (or margin) held for the exposure-increasing part of working orders."""
        if not self._working:
            return ZERO
        total = ZERO
        for state in self._working.values():
            total = add(total, state.reserved(self._orders[state.order_id]))
        return total

    # snapshot --------------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """A JSON-serialisable dict of the whole broker state."""
        return PaperSnapshot(
            ledger=self._ledger.dump(),
            orders=list(self._orders.values()),
            working=list(self._working.values()),
            last_bar_ts=self._last_bar_ts,
            clock=self._clock,
            order_counter=self._order_counter,
            trade_counter=self._trade_counter,
            traded=self._traded,
        ).model_dump(mode="json")

    def restore(self, snapshot: Mapping[str, Any]) -> None:
        """Replace the state with ``snapshot`` (from :meth:`snapshot`); drops queued events."""
        snap = PaperSnapshot.model_validate(dict(snapshot))
        self._ledger = Ledger.load(snap.ledger)
        self._orders = {o.order_id: o for o in snap.orders}
        self._by_client_id = {o.client_order_id: o.order_id for o in snap.orders}
        self._working = {w.order_id: w for w in snap.working}
        self._last_bar_ts = dict(snap.last_bar_ts)
        self._clock = snap.clock
        self._order_counter, self._trade_counter = snap.order_counter, snap.trade_counter
        self._traded = snap.traded
        self._events = []

    # internals -------------------------------------------------------------------------

    def _fee_bps(self, liquidity: Liquidity) -> Decimal:
        return self.fee_model.fee_bps(liquidity, self.params, self._traded)

    def _tick(self, ts: datetime) -> datetime:
        if ts.tzinfo is not UTC:
            ts = ensure_utc(ts)
        clock = self._clock
        if clock is None or ts > clock:
            self._clock = ts
        return ts

    def _record(self, order: Order, event: Any) -> Order:
        self._orders[order.order_id] = order
        self._emit(event)
        return order

    def _move(self, order: Order, status: OrderStatus, **kwargs: Any) -> Order:
        updated, event = transition(order, status, **kwargs)
        return self._record(updated, event)

    def _working_states(self, symbol: str | None = None) -> list[WorkingState]:
        if symbol is None:
            states = list(self._working.values())
        else:
            orders = self._orders
            states = [s for s in self._working.values() if orders[s.order_id].symbol == symbol]
        if len(states) > 1:
            states.sort(key=_acceptance_order)
        return states

    def _reserved_by_others(self, state: WorkingState, order: Order) -> Decimal:
        return subtract(self.reserved(), state.reserved(order))

    def _view(self, symbol: str) -> AccountView:
        ledger = self._ledger
        if self._working:
            working = tuple(o for o in self.working_orders() if o.symbol == symbol)
        else:
            working = ()
        return AccountView(
            metas_configured=bool(self._metas),
            meta=self.symbol_meta(symbol),
            mark=ledger.mark_price(symbol),
            bar_seen=symbol in self._last_bar_ts,
            position=ledger.inventory.qty(symbol),
            working=working,
            equity=ledger.equity,
            gross_exposure=ledger.gross_exposure,
            reserved=self.reserved(),
        )

    def _expire_day_orders(self, ts: datetime) -> None:
        # runs for every bar while any order works: the working orders are sorted only when
        # a DAY order is active (most are not)
        active = [s for s in self._working.values() if s.active_day is not None]
        if not active:
            return
        today = ts.date()
        ended = [s for s in active if s.active_day is not None and s.active_day < today]
        if len(ended) > 1:
            ended.sort(key=_acceptance_order)
        for state in ended:
            day = state.active_day
            assert day is not None
            order = self._orders[state.order_id]
            reason = f"DAY order expired at the end of {day.isoformat()} UTC"
            self._move(order, OrderStatus.EXPIRED, ts=ts, reason=reason)
            del self._working[state.order_id]

    def _fill(
        self,
        order: Order,
        state: WorkingState,
        ts: datetime,
        qty: Decimal,
        price: Decimal,
        liquidity: Liquidity,
    ) -> Fill:
        self._trade_counter += 1
        booked = execution.book(
            self._ledger,
            order,
            state,
            ts=ts,
            qty=qty,
            price=price,
            liquidity=liquidity,
            fee_bps=self._fee_bps(liquidity),
            trade_id=f"{self.params.id_prefix}T-{self._trade_counter:06d}",
        )
        self._traded = add(self._traded, multiply(booked.fill.qty, booked.fill.price))
        self._emit(FillEvent(booked.fill))
        self._move(
            order,
            booked.status,
            ts=ts,
            filled_qty=booked.filled_qty,
            avg_fill_price=booked.avg_fill_price,
        )
        if booked.status is OrderStatus.FILLED:
            del self._working[order.order_id]
        return booked.fill
