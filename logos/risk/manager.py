"""The risk manager: runs the configured guards in the engine loop and applies their
findings (docs/risk.md).

- Post-trade (step 4), each slice: every guard's :meth:`~RiskGuard.check_slice`; a trip is
  recorded (journal event and session.md row) and, for a breaker, moves the trading state
  (ACTIVE → REDUCING → HALTED, never back by itself), cancels what the new state forbids
  and flattens when the guard says so. A guard that latched is not asked again.
- Pre-trade (step 6), per order: the trading state first (HALTED passes nothing; REDUCING
  only what reduces exposure, a flip clipped to flat), then each guard in config order; a
  clip shrinks the order (quantized to the lot grid), a denial ends it DENIED.
- Fail closed: a guard that raises denies the order (pre-trade) or halts the session
  (post-trade), with the error as the reason.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from logos.domain import Account, Bar, OrderIntent
from logos.engine_hooks import Denial, RiskHooks
from logos.lifecycle import OrderEvent
from logos.market import quantize_qty, untradeable_reasons
from logos.money import add, multiply
from logos.reports.result import GuardTrip, StateChange
from logos.reports.text import format_decimal
from logos.risk.guard import (
    ProposedOrder,
    RiskGuard,
    SessionInfo,
    SliceView,
    TradingState,
    Trip,
    TripAction,
)
from logos.sizing import make_client_order_id
from logos.timeutil import ensure_utc, isoformat_utc

if TYPE_CHECKING:
    from logos.engine import Engine

ZERO = Decimal(0)
_STATE_OF = {TripAction.REDUCING: TradingState.REDUCING, TripAction.HALTED: TradingState.HALTED}


@dataclass
class _Guard:
    guard: RiskGuard
    checks_slices: bool
    checks_orders: bool
    tripped: bool = False


def _overrides(guard: RiskGuard, method: str) -> bool:
    return getattr(type(guard), method) is not getattr(RiskGuard, method)


class RiskManager(RiskHooks):
    """The configured guards and the trading state they drive."""

    def __init__(
        self, guards: Sequence[RiskGuard], clock: Callable[[datetime], datetime] | None = None
    ) -> None:
        self.guards = [
            _Guard(g, _overrides(g, "check_slice"), _overrides(g, "check_order")) for g in guards
        ]
        self.clock = clock
        """``now`` at a slice, given the slice's bar time: the wall clock in a live session;
        None: the slice's close (bar time + timeframe), as over replayed data."""
        self.state = TradingState.ACTIVE
        self.stop_reason: str | None = None
        self.trips: list[GuardTrip] = []
        self.state_changes: list[StateChange] = []
        """Every change of the trading state in this run, for session.md."""
        self.prices: dict[str, Decimal] = {}
        self.last_bar_ts: dict[str, datetime | None] = {}
        self.engine: Engine | None = None
        self.timeframe = timedelta(minutes=1)
        self._checking = [g for g in self.guards if g.checks_slices]
        self._pending: list[tuple[_Guard, Trip, datetime]] = []
        """The guards asked at each slice: those that check slices and have not latched."""
        self._order_guards = [g for g in self.guards if g.checks_orders]

    # the engine's side ------------------------------------------------------------------

    @property
    def halted(self) -> bool:
        return self.state is TradingState.HALTED

    def start(self, engine: Engine, session: SessionInfo) -> None:
        self.engine = engine
        self.timeframe = session.timeframe
        self.last_bar_ts = dict.fromkeys(session.symbols)
        started: list[RiskGuard] = []
        try:
            for item in self.guards:
                item.guard.start(session)
                started.append(item.guard)
        except BaseException:
            for guard in started:
                guard.finish()
            raise
        if any(_overrides(item.guard, "on_order_event") for item in self.guards):
            engine.broker.add_listener(self._on_broker_event)

    def finish(self) -> None:
        for item in self.guards:
            item.guard.finish()

    def _on_broker_event(self, event: Any) -> None:
        """Guards see each order transition as it happens; what they report is applied
        before the next order is judged or at the next slice, whichever comes first (never
        from inside the broker's own call)."""
        if isinstance(event, OrderEvent):
            for item in self.guards:
                for trip in item.guard.on_order_event(event) or ():
                    self._pending.append((item, trip, event.ts))

    def _apply_pending(self) -> None:
        pending, self._pending = self._pending, []
        for item, trip, ts in pending:
            if not item.tripped:
                self._apply(item, trip, ts)

    def post_trade(self, ts: datetime, account: Account, bars: Sequence[Bar]) -> None:
        prices, last = self.prices, self.last_bar_ts
        for bar in bars:
            prices[bar.symbol] = bar.close
            last[bar.symbol] = bar.ts
        if self._pending:
            self._apply_pending()
        checking = self._checking
        if not checking:
            return
        now = self.clock(ts) if self.clock is not None else ts + self.timeframe
        view = SliceView(ts, now, self.timeframe, account, bars, last)
        for item in checking:
            try:
                trips = item.guard.check_slice(view)
            except Exception as exc:  # fail closed: a guard that cannot evaluate halts
                trips = ()
                self._apply(item, Trip(f"could not evaluate: {_error(exc)}", "-"), ts, failed=True)
            for trip in trips:
                if not item.tripped:
                    self._apply(item, trip, ts)
            if item.tripped:  # latched: not asked again
                self._checking = [i for i in self._checking if not i.tripped]

    def pre_trade(self, intent: OrderIntent, account: Account) -> OrderIntent | str | None:
        ts = intent.ts
        if self._pending:
            self._apply_pending()
        if self.state is TradingState.HALTED:
            return Denial("trading_state", "trading state HALTED: no new orders")
        order = self._proposed(intent, account)
        if isinstance(order, Denial):
            return order
        original = order
        if self.state is TradingState.REDUCING and not order.reduces:
            before = order.exposure_before
            if before == 0 or (order.signed_qty > 0) == (before > 0):
                return Denial(
                    "trading_state", "trading state REDUCING: nothing of the order reduces exposure"
                )
            measured = (
                f"{order.intent.side.value} {format_decimal(order.intent.qty)} with "
                f"{format_decimal(before)} held or working"
            )
            order = self._clip(
                "trading_state", order, before.copy_abs(), measured, "flat (REDUCING)"
            )
            if isinstance(order, Denial):
                return order
        for item in self._order_guards:
            if item.tripped:  # a latched breaker: the trading state it set governs now
                continue
            name = item.guard.name
            try:
                verdict = item.guard.check_order(order)
            except Exception as exc:  # fail closed
                return Denial(name, f"{name} could not evaluate: {_error(exc)}")
            if verdict.trip is not None:
                self._apply(item, verdict.trip, ts)
            if verdict.deny:
                return Denial(name, f"{name}: {verdict.note}")
            if verdict.max_qty is not None and verdict.max_qty < order.intent.qty:
                order = self._clip(name, order, verdict.max_qty, verdict.measured, verdict.limit)
                if isinstance(order, Denial):
                    return order
        return None if order is original else order.intent

    # orders -----------------------------------------------------------------------------

    def _proposed(self, intent: OrderIntent, account: Account) -> ProposedOrder | Denial:
        engine = self.engine
        assert engine is not None, "RiskManager.start was not called"
        price = self.prices.get(intent.symbol)
        if price is None:  # fail closed: nothing to value the order with
            return Denial("risk", f"no price for {intent.symbol}: the guards cannot value it")
        gross_other = ZERO
        for symbol, last in self.prices.items():
            if symbol != intent.symbol:
                exposure = add(engine.broker.position_qty(symbol), engine.working_qty(symbol))
                gross_other = add(gross_other, multiply(exposure.copy_abs(), last))
        return ProposedOrder(
            intent=intent,
            price=price,
            position=engine.broker.position_qty(intent.symbol),
            working=engine.working_qty(intent.symbol),
            gross_other=gross_other,
            account=account,
            ts=intent.ts,
        )

    def _clip(
        self, guard: str, order: ProposedOrder, max_qty: Decimal, measured: str, limit: str
    ) -> ProposedOrder | Denial:
        """``order`` cut to at most ``max_qty``, on the lot grid and still tradeable; the
        clip is recorded (journal and session.md) and noted in the order's reason."""
        intent = order.intent
        note = f"{guard}: {measured} > limit {limit}"
        assert self.engine is not None
        meta = self.engine.broker.symbol_meta(intent.symbol)
        qty = quantize_qty(meta, min(max_qty, intent.qty)) if max_qty > 0 else ZERO
        if qty <= 0:
            return Denial(guard, f"{note}; nothing of the order fits")
        signed = intent.side.signed(qty)
        problems = untradeable_reasons(
            meta, signed, order.price, position_after=add(order.exposure_before, signed)
        )
        if problems:
            return Denial(guard, f"{note}; the clipped order cannot be sent: {'; '.join(problems)}")
        qty_text = format_decimal(qty)
        action = f"clipped {format_decimal(intent.qty)} → {qty_text}"
        self._record(intent.ts, guard, measured, limit, action, intent.symbol, kind="clip")
        # a new client order id: the clip record took the sequence number the order's NEW
        # event would have had, and the id is always the NEW event's number
        client_id = make_client_order_id(self.engine.parts.session_id, self.engine.seq + 1)
        reason = f"{intent.reason}; {note}: clipped to {qty_text}"
        update = {"qty": qty, "reason": reason, "client_order_id": client_id}
        return replace(order, intent=intent.model_copy(update=update))

    # trips ------------------------------------------------------------------------------

    def _apply(self, item: _Guard, trip: Trip, ts: datetime, *, failed: bool = False) -> None:
        guard = item.guard
        action = TripAction.HALTED if failed else guard.trip_action
        assert self.engine is not None
        self.engine.resize_all()  # what guards allow changed: size again, record denials anew
        if trip.cleared:
            self._record(
                ts, guard.name, trip.measured, trip.limit, "cleared", trip.symbol, kind="cleared"
            )
            return
        if action is None:  # a per-symbol finding (stale data)
            what = f"entries blocked in {trip.symbol}" if trip.symbol else "recorded"
            self._record(ts, guard.name, trip.measured, trip.limit, what, trip.symbol)
            return
        target = _STATE_OF[TripAction(action)]
        flatten = guard.flattens and not failed
        text = target.value + (", flatten" if flatten else "")
        if guard.stops_session:
            text += ", stop"
        self._record(ts, guard.name, trip.measured, trip.limit, text, trip.symbol)
        if guard.latches or failed:
            item.tripped = True
        if target.severity > self.state.severity:
            self._change_state(target, guard.name, ts)
        if flatten:
            self._flatten(guard.name, ts)
        if guard.stops_session:
            self.stop_requested = True
            self.stop_reason = f"{guard.name}: {trip.measured}"

    def _record(
        self,
        ts: datetime,
        guard: str,
        measured: str,
        limit: str,
        action: str,
        symbol: str | None = None,
        *,
        kind: str = "trip",
    ) -> None:
        self.trips.append(GuardTrip(ts, guard, measured, limit, action, kind))
        data = {"guard": guard, "measured": measured, "limit": limit, "action": action}
        if symbol is not None:
            data["symbol"] = symbol
        assert self.engine is not None
        self.engine.record_event(f"guard_{kind}", ts, data)

    def _change_state(self, new: TradingState, guard: str, ts: datetime) -> None:
        old, self.state = self.state, new
        engine = self.engine
        assert engine is not None
        self.state_changes.append(StateChange(ts, old.value, new.value, guard))
        engine.record_event(
            "trading_state", ts, {"from": old.value, "to": new.value, "guard": guard}
        )
        reason = f"{guard}: trading state {new.value}"
        own = engine.guard_orders
        if new is TradingState.HALTED:  # protective exits keep guarding what is held
            engine.cancel_orders(
                ts, reason, lambda order: order.order_id not in own and not order.reduce_only
            )
        else:
            keep = _reducing_orders(engine)
            engine.cancel_orders(
                ts, reason, lambda order: order.order_id not in own and order.order_id not in keep
            )
        engine.resize_all()

    def _flatten(self, guard: str, ts: datetime) -> None:
        engine = self.engine
        assert engine is not None
        flattening = {
            o.symbol for o in engine.broker.working_orders() if o.order_id in engine.guard_orders
        }
        held = [(p.symbol, p.qty) for p in engine.broker.positions() if p.qty != 0]
        for symbol, qty in held:
            if symbol in flattening:  # a guard's flatten order is already working
                continue
            engine.cancel_orders(ts, f"{guard}: flatten", lambda o, s=symbol: o.symbol == s)
            engine.submit_guard_order(symbol, qty.copy_negate(), ts, f"{guard}: flatten on trip")

    # restart ----------------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """The trading state, which guards latched, and each guard's own state."""
        return {
            "trading_state": self.state.value,
            "tripped": [item.guard.name for item in self.guards if item.tripped],
            "guards": {item.guard.name: item.guard.state() for item in self.guards},
            "prices": {symbol: str(price) for symbol, price in self.prices.items()},
            "last_bar_ts": {
                symbol: None if ts is None else isoformat_utc(ts)
                for symbol, ts in self.last_bar_ts.items()
            },
        }

    def restore(self, snapshot: dict[str, Any]) -> None:
        """Take back a :meth:`snapshot`: latched breakers stay tripped across a restart."""
        self.state = TradingState(snapshot["trading_state"])
        tripped = set(snapshot.get("tripped", []))
        states = snapshot.get("guards", {})
        for item in self.guards:
            item.tripped = item.guard.name in tripped
            item.guard.restore(states.get(item.guard.name, {}))
        self._checking = [g for g in self.guards if g.checks_slices and not g.tripped]
        self.prices.update((k, Decimal(v)) for k, v in snapshot.get("prices", {}).items())
        self.last_bar_ts.update(
            (k, None if v is None else ensure_utc(datetime.fromisoformat(v)))
            for k, v in snapshot.get("last_bar_ts", {}).items()
        )

    @property
    def pending(self) -> bool:
        """Guard reports not applied yet (a snapshot waits for a slice without any)."""
        return bool(self._pending)

    def reset_breakers(self, ts: datetime, reason: str) -> list[str]:
        """Clear every latched breaker and go back to ACTIVE, on an operator's word
        (``logos trade --resume RUN_DIR --reset-breakers --reason TEXT``); return the
        breakers cleared. Each starts afresh from the next slice (its own state is cleared:
        a drawdown breaker measures from the equity at the reset)."""
        cleared = [item.guard.name for item in self.guards if item.tripped]
        for item in self.guards:
            if item.tripped:  # measured afresh: a drawdown from the equity now
                item.guard.restore({})
                item.tripped = False
        self._checking = [g for g in self.guards if g.checks_slices]
        if self.state is not TradingState.ACTIVE:
            self._change_state(TradingState.ACTIVE, "operator", ts)
        assert self.engine is not None
        self.engine.resize_all()
        return cleared


def _reducing_orders(engine: Engine) -> set[str]:
    """Ids of the working orders that only reduce their symbol's position: opposite to it,
    oldest first, as long as together they do not go past flat, and every protective exit
    (reduce-only, capped at the position when it fills). REDUCING keeps these and cancels the
    rest (entries, and exits big enough to flip the position)."""
    room: dict[str, Decimal] = {}
    keep: set[str] = set()
    for order in engine.broker.working_orders():
        if order.reduce_only:  # a protective exit never goes past flat: it always stays
            keep.add(order.order_id)
            continue
        symbol = order.symbol
        if symbol not in room:
            room[symbol] = engine.broker.position_qty(symbol)
        left = room[symbol]
        signed = order.side.signed(order.remaining_qty)
        if left != 0 and (signed > 0) != (left > 0) and signed.copy_abs() <= left.copy_abs():
            keep.add(order.order_id)
            room[symbol] = add(left, signed)
    return keep


def _error(exc: Exception) -> str:
    """An exception as reason text: its type, and its message when it has one."""
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
