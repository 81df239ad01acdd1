"""Broker contract suite: every broker (paper, ccxt/alpaca dry-run, third-party) passes it.

Use it by subclassing :class:`BrokerContract` in your own test module and overriding
:meth:`BrokerContract.make_broker` (and, when your broker needs it, :meth:`BrokerContract.feed`
or the class attributes)::

    from logos.testing.brokers import BrokerContract

    class TestMyBroker(BrokerContract):
        symbol = "BTC/USDT"
        def make_broker(self):
            return MyBroker(cash=Decimal(100000), symbols=[...])

The suite only uses the public :class:`~logos.brokers.base.Broker` API: it submits orders at
the current bar's time, feeds the next bar, and checks the registration rules
(docs/plugins.md), lifecycle (every event a legal transition), fills, lookups, idempotent
client order ids (also after a fill: a resend after a crash), cancel and cancel_all, events
delivered to listeners as they happen, rejection of an order the account cannot afford,
snapshot/restore, and the accounting identities (cash moves by each fill's notional and fee,
equity = cash + position × mark, drawdown a fraction from 0 to 1). A market order must fill
on the next bar fed after it was submitted (a dry-run broker simulates that fill).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import ClassVar

import pytest

from logos.brokers.base import Broker, DuplicateClientOrderIdError, FillEvent, UnknownOrderError
from logos.components import Component, ComponentKind
from logos.domain import Bar, OrderIntent, OrderStatus, OrderType, Side, TimeInForce
from logos.errors import OrderStateError
from logos.lifecycle import TRANSITIONS, OrderEvent
from logos.testing.components import ComponentContract


def make_bar(
    symbol: str,
    ts: datetime,
    open: Decimal | str,
    high: Decimal | str | None = None,
    low: Decimal | str | None = None,
    close: Decimal | str | None = None,
    volume: Decimal | str = "1000",
) -> Bar:
    """A bar from strings or Decimals; high/low/close default to the open."""
    o = Decimal(open)
    return Bar(
        symbol=symbol,
        ts=ts,
        open=o,
        high=o if high is None else Decimal(high),
        low=o if low is None else Decimal(low),
        close=o if close is None else Decimal(close),
        volume=Decimal(volume),
    )


def make_intent(
    symbol: str,
    side: Side,
    qty: Decimal | str | int,
    *,
    client_order_id: str,
    ts: datetime,
    limit: Decimal | str | None = None,
    time_in_force: TimeInForce = TimeInForce.GTC,
) -> OrderIntent:
    """An order intent from strings or Decimals: limit when ``limit`` is given, else market."""
    return OrderIntent(
        symbol=symbol,
        side=side,
        qty=Decimal(qty),
        type=OrderType.MARKET if limit is None else OrderType.LIMIT,
        limit_price=None if limit is None else Decimal(limit),
        time_in_force=time_in_force,
        client_order_id=client_order_id,
        ts=ts,
    )


class BrokerContract(ComponentContract):
    """What every broker must do. Override :meth:`make_broker`; see the module docstring."""

    kind: ClassVar[ComponentKind] = ComponentKind.BROKER

    symbol: ClassVar[str] = "AAA"
    unknown_symbol: ClassVar[str] = "NO-SUCH-SYMBOL"
    price: ClassVar[Decimal] = Decimal("100")
    qty: ClassVar[Decimal] = Decimal("1")
    start: ClassVar[datetime] = datetime(2024, 1, 2, 14, 30, tzinfo=UTC)
    step: ClassVar[timedelta] = timedelta(minutes=1)
    unaffordable_qty: ClassVar[Decimal] = Decimal("1000000000")
    """A quantity of ``symbol`` far beyond what :meth:`make_broker`'s account can buy."""

    def make_broker(self) -> Broker:
        """A fresh broker with enough cash to buy ``qty`` at ``price`` a few times."""
        raise NotImplementedError("subclass BrokerContract and override make_broker()")

    def component_class(self) -> type[Component]:
        """The class of :meth:`make_broker`'s broker."""
        return type(self.make_broker())

    def feed(self, broker: Broker, bar: Bar) -> None:
        """Give the broker one new bar (matching, then the mark at its close)."""
        broker.on_slice([bar])

    def bar(self, i: int) -> Bar:
        """The i-th bar of a flat series at ``price``."""
        return make_bar(self.symbol, self.start + i * self.step, self.price)

    def intent(self, client_order_id: str, side: Side = Side.BUY, **kw: object) -> OrderIntent:
        """An order intent for ``qty`` of ``symbol`` (market unless ``type`` is given)."""
        fields: dict[str, object] = {
            "symbol": self.symbol,
            "side": side,
            "qty": self.qty,
            "client_order_id": client_order_id,
            "ts": self.start,
        }
        fields.update(kw)
        return OrderIntent.model_validate(fields)

    @pytest.fixture
    def broker(self) -> Broker:
        """A broker that has seen bar 0 (so bar 0 is the current bar)."""
        broker = self.make_broker()
        self.feed(broker, self.bar(0))
        broker.drain_events()
        return broker

    def now(self) -> datetime:
        """Time of the current bar (bar 0)."""
        return self.start

    # ---------------------------------------------------------------------------------

    def test_is_a_broker(self, broker: Broker) -> None:
        assert isinstance(broker, Broker), f"{type(broker).__mro__} does not include Broker"

    def test_submit_accepts_and_lists_working(self, broker: Broker) -> None:
        order = broker.submit(self.intent("c-1"), ts=self.now())
        assert order.status is OrderStatus.ACCEPTED
        assert order.client_order_id == "c-1"
        assert [o.order_id for o in broker.working_orders()] == [order.order_id]
        assert broker.order(order.order_id) == order
        assert broker.order_by_client_id("c-1") == order
        assert broker.order_by_client_id("never-sent") is None

    def test_unknown_order_id_raises(self, broker: Broker) -> None:
        with pytest.raises(UnknownOrderError):
            broker.order("no-such-order")
        with pytest.raises(UnknownOrderError):
            broker.cancel("no-such-order", ts=self.now())

    def test_same_client_order_id_is_idempotent(self, broker: Broker) -> None:
        first = broker.submit(self.intent("c-1"), ts=self.now())
        broker.drain_events()
        again = broker.submit(self.intent("c-1"), ts=self.now())
        assert again.order_id == first.order_id
        assert len(broker.working_orders()) == 1
        assert len(broker.orders()) == 1
        assert broker.drain_events() == []

    def test_client_order_id_reused_for_another_order_raises(self, broker: Broker) -> None:
        broker.submit(self.intent("c-1"), ts=self.now())
        with pytest.raises(DuplicateClientOrderIdError):
            broker.submit(self.intent("c-1", qty=self.qty * 2), ts=self.now())

    def test_cancel_working_order(self, broker: Broker) -> None:
        order = broker.submit(self.intent("c-1"), ts=self.now())
        canceled = broker.cancel(order.order_id, ts=self.now(), reason="test cancel")
        assert canceled.status is OrderStatus.CANCELED
        assert broker.working_orders() == []
        assert broker.order(order.order_id).status is OrderStatus.CANCELED
        with pytest.raises(OrderStateError):
            broker.cancel(order.order_id, ts=self.now())

    def test_canceled_order_never_fills(self, broker: Broker) -> None:
        order = broker.submit(self.intent("c-1"), ts=self.now())
        broker.cancel(order.order_id, ts=self.now())
        self.feed(broker, self.bar(1))
        assert broker.order(order.order_id).filled_qty == 0
        assert all(p.qty == 0 for p in broker.positions())

    def test_market_order_fills_on_the_next_bar(self, broker: Broker) -> None:
        order = broker.submit(self.intent("c-1"), ts=self.now())
        broker.drain_events()
        self.feed(broker, self.bar(1))
        filled = broker.order(order.order_id)
        assert filled.status is OrderStatus.FILLED
        assert filled.filled_qty == self.qty
        fills = [e.fill for e in broker.drain_events() if isinstance(e, FillEvent)]
        assert [f.ts for f in fills] == [self.bar(1).ts]
        assert sum(f.qty for f in fills) == self.qty
        assert {p.symbol: p.qty for p in broker.positions()}[self.symbol] == self.qty
        assert broker.working_orders() == []

    def test_order_is_not_filled_by_the_bar_it_was_accepted_on(self, broker: Broker) -> None:
        # accepted while bar 1 is current (its close is known): bar 1 itself never fills it
        order = broker.submit(self.intent("c-1"), ts=self.bar(1).ts)
        self.feed(broker, self.bar(1))
        assert broker.order(order.order_id).status is OrderStatus.ACCEPTED
        self.feed(broker, self.bar(2))
        assert broker.order(order.order_id).status is OrderStatus.FILLED

    def test_every_event_is_a_legal_transition(self, broker: Broker) -> None:
        kept = broker.submit(self.intent("c-1"), ts=self.now())
        gone = broker.submit(self.intent("c-2", side=Side.BUY), ts=self.now())
        broker.cancel(gone.order_id, ts=self.now())
        self.feed(broker, self.bar(1))
        last: dict[str, OrderStatus] = {}
        for event in broker.drain_events():
            if not isinstance(event, OrderEvent):
                continue
            if event.old is not None:
                amended = event.old is event.new and event.new.is_working  # an amendment
                assert amended or event.new in TRANSITIONS[event.old]
                assert last.get(event.order_id, event.old) == event.old
            last[event.order_id] = event.new
            data = event.to_event(seq=1).model_dump(mode="json")
            assert data["data"]["order_id"] == event.order_id
        assert last[kept.order_id] is OrderStatus.FILLED
        assert last[gone.order_id] is OrderStatus.CANCELED

    def test_unknown_symbol_is_rejected_with_reason(self, broker: Broker) -> None:
        order = broker.submit(self.intent("c-x", symbol=self.unknown_symbol), ts=self.now())
        assert order.status is OrderStatus.REJECTED
        assert order.reason
        assert broker.working_orders() == []

    def test_limit_order_away_from_market_keeps_working(self, broker: Broker) -> None:
        limit = self.price / 2
        order = broker.submit(
            self.intent("c-1", type=OrderType.LIMIT, limit_price=limit), ts=self.now()
        )
        self.feed(broker, self.bar(1))
        assert broker.order(order.order_id).status is OrderStatus.ACCEPTED
        assert [o.order_id for o in broker.working_orders()] == [order.order_id]

    def test_resend_after_a_fill_returns_the_filled_order(self, broker: Broker) -> None:
        order = broker.submit(self.intent("c-1"), ts=self.now())
        self.feed(broker, self.bar(1))
        broker.drain_events()
        again = broker.submit(self.intent("c-1"), ts=self.bar(1).ts)
        assert again == broker.order(order.order_id)
        assert again.status is OrderStatus.FILLED
        assert broker.drain_events() == []
        assert broker.working_orders() == []

    def test_round_trip_ends_flat(self, broker: Broker) -> None:
        broker.submit(self.intent("c-1"), ts=self.now())
        self.feed(broker, self.bar(1))
        sell = broker.submit(self.intent("c-2", side=Side.SELL), ts=self.bar(1).ts)
        assert sell.status is OrderStatus.ACCEPTED
        self.feed(broker, self.bar(2))
        assert broker.order(sell.order_id).status is OrderStatus.FILLED
        assert {p.symbol: p.qty for p in broker.positions()}.get(self.symbol, 0) == 0

    def test_cancel_all(self, broker: Broker) -> None:
        first = broker.submit(self.intent("c-1"), ts=self.now())
        second = broker.submit(self.intent("c-2"), ts=self.now())
        canceled = broker.cancel_all(ts=self.now(), reason="halt")
        assert [o.order_id for o in canceled] == [first.order_id, second.order_id]
        assert all(o.status is OrderStatus.CANCELED for o in canceled)
        assert broker.working_orders() == []
        assert broker.cancel_all(ts=self.now()) == []

    def test_listeners_see_every_event_as_it_happens(self, broker: Broker) -> None:
        seen: list[object] = []
        broker.add_listener(seen.append)
        order = broker.submit(self.intent("c-1"), ts=self.now())
        # the SUBMITTED event reached the listener before submit returned (journal first)
        submitted = [
            e for e in seen if isinstance(e, OrderEvent) and e.new is OrderStatus.SUBMITTED
        ]
        assert [e.order_id for e in submitted] == [order.order_id]
        self.feed(broker, self.bar(1))
        assert any(isinstance(e, FillEvent) for e in seen)
        assert broker.drain_events() == seen

    def test_order_beyond_the_account_is_rejected_with_reason(self, broker: Broker) -> None:
        order = broker.submit(self.intent("c-big", qty=self.unaffordable_qty), ts=self.now())
        assert order.status is OrderStatus.REJECTED
        assert order.reason
        assert broker.working_orders() == []
        self.feed(broker, self.bar(1))
        assert all(p.qty == 0 for p in broker.positions())

    def test_snapshot_restore_round_trip(self, broker: Broker) -> None:
        broker.submit(self.intent("c-1"), ts=self.now())
        self.feed(broker, self.bar(1))
        working = broker.submit(
            self.intent("c-2", type=OrderType.LIMIT, limit_price=self.price / 2),
            ts=self.bar(1).ts,
        )
        snapshot = broker.snapshot()
        json.dumps(snapshot)
        restored = self.make_broker()
        restored.restore(json.loads(json.dumps(snapshot)))
        assert restored.working_orders() == broker.working_orders() == [working]
        assert restored.positions() == broker.positions()
        assert restored.order_by_client_id("c-1") == broker.order_by_client_id("c-1")
        assert restored.account() == broker.account()
        again = restored.submit(
            self.intent("c-2", type=OrderType.LIMIT, limit_price=self.price / 2),
            ts=self.bar(1).ts,
        )
        assert again.order_id == working.order_id
        assert len(restored.working_orders()) == 1

    def test_account_money_is_decimal(self, broker: Broker) -> None:
        account = broker.account()
        for value in (account.cash, account.equity, account.fees, account.drawdown):
            assert isinstance(value, Decimal)

    def test_accounting_identities_after_a_round_trip(self, broker: Broker) -> None:
        start = broker.account()
        broker.submit(self.intent("c-1"), ts=self.now())
        self.feed(broker, self.bar(1))
        held = broker.account()
        broker.submit(self.intent("c-2", side=Side.SELL), ts=self.bar(1).ts)
        self.feed(broker, self.bar(2))
        end = broker.account()
        fills = [e.fill for e in broker.drain_events() if isinstance(e, FillEvent)]
        assert [f.side for f in fills] == [Side.BUY, Side.SELL], fills
        # cash moves by each fill's notional (buys pay, sells receive) and its fee
        flows = sum((f.side.signed(f.qty * f.price) + f.fee for f in fills), Decimal(0))
        assert end.cash == start.cash - flows, (start.cash, end.cash, flows)
        assert end.fees - start.fees == sum((f.fee for f in fills), Decimal(0))
        assert all(f.fee >= 0 for f in fills)
        # while holding: equity = cash + position x mark (the bar's close)
        qty = self.qty
        assert held.equity == held.cash + qty * self.bar(1).close, held
        # flat again: equity is cash; realized PnL is the price difference less nothing else
        assert end.equity == end.cash, end
        realized = sum((f.realized_pnl for f in fills), Decimal(0))
        assert realized == fills[1].qty * (fills[1].price - fills[0].price), fills
        # drawdown is a fraction of the peak equity, from 0 up to 1
        for account in (start, held, end):
            assert Decimal(0) <= account.drawdown <= Decimal(1), account
