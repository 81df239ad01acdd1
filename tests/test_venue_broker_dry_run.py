"""VenueBroker in dry-run mode: the request is built and recorded, never sent; the order is
then simulated exactly as the paper broker simulates it, or REJECTED when the venue would
refuse it. A tiny in-test venue stands for a real adapter (docs/brokers/ccxt.md)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from logos.brokers.paper import PaperBroker
from logos.brokers.venue import VenueBroker, VenueRefusal, VenueRequestEvent
from logos.domain import OrderIntent, OrderStatus, OrderType, Side, SymbolMeta
from logos.errors import LogosError
from logos.lifecycle import OrderEvent
from logos.state.journal import RECORD_TYPES
from logos.testing.brokers import BrokerContract, make_bar, make_intent

META = SymbolMeta(symbol="AAA", tick_size=Decimal("0.01"), lot_size=Decimal("0.001"))


class ToyVenue(VenueBroker):
    """Requests are ``{"sym", "qty", "px"}``; it refuses more than 50 units and any symbol
    other than AAA; it can send nothing (no live hooks)."""

    name = "toy_venue"
    venue_name = "toy"

    def venue_request(self, intent: OrderIntent) -> dict[str, Any]:
        if intent.symbol != "AAA":
            raise VenueRefusal(f"toy lists no {intent.symbol}")
        if intent.qty > 50:
            raise VenueRefusal(f"toy: qty {intent.qty} > max 50")
        price = None if intent.limit_price is None else str(intent.limit_price)
        return {"sym": intent.symbol, "qty": str(intent.qty), "px": price}

    def send(self, order: Any, request: Any) -> Any:
        raise AssertionError("a dry run must never send")


class TestToyVenueDryRunContract(BrokerContract):
    unaffordable_qty = Decimal(40)  # below the venue's max: the paper cash check rejects it

    def make_broker(self) -> ToyVenue:
        return ToyVenue(cash=Decimal(1000), symbols=[META])


T0 = TestToyVenueDryRunContract.start
STEP = TestToyVenueDryRunContract.step


def started(broker: VenueBroker) -> VenueBroker:
    broker.on_slice([make_bar("AAA", T0, "100")])
    broker.drain_events()
    return broker


def test_the_request_is_recorded_unsent_before_the_order_is_simulated() -> None:
    broker = started(ToyVenue(cash=Decimal(10000), symbols=[META]))
    seen: list[object] = []
    broker.add_listener(seen.append)
    broker.submit(
        make_intent("AAA", Side.BUY, "2", client_order_id="s-1", ts=T0, limit="99.5"), ts=T0
    )
    first = seen[0]
    assert isinstance(first, VenueRequestEvent)
    assert first.data() == {
        "client_order_id": "s-1",
        "venue": "toy",
        "request": {"sym": "AAA", "qty": "2", "px": "99.5"},
        "sent": False,
    }
    assert [e.new for e in seen[1:] if isinstance(e, OrderEvent)] == [
        OrderStatus.NEW,
        OrderStatus.SUBMITTED,
        OrderStatus.ACCEPTED,
    ]
    record = first.to_event(7)
    assert (record.seq, record.type, record.ts) == (7, "venue_request", T0)
    assert "venue_request" in RECORD_TYPES


def test_a_refused_order_is_rejected_with_the_venue_reason_and_never_simulated() -> None:
    broker = started(ToyVenue(cash=Decimal(10000), symbols=[META]))
    order = broker.submit(make_intent("AAA", Side.BUY, "60", client_order_id="s-1", ts=T0), ts=T0)
    assert order.status is OrderStatus.REJECTED
    assert order.reason == "venue_refused: toy: qty 60 > max 50"
    events = broker.drain_events()
    assert not any(isinstance(e, VenueRequestEvent) for e in events)
    assert [e.new for e in events] == [OrderStatus.NEW, OrderStatus.SUBMITTED, OrderStatus.REJECTED]
    broker.on_slice([make_bar("AAA", T0 + STEP, "100")])
    assert broker.working_orders() == [] and all(p.qty == 0 for p in broker.positions())


def test_fills_and_cash_are_the_paper_brokers_to_the_last_digit() -> None:
    kwargs = {"cash": Decimal(10000), "fee_bps": Decimal(7), "slippage_bps": Decimal(3)}
    venue = started(ToyVenue(symbols=[META], **kwargs))
    paper = started(PaperBroker(symbols=[META], **kwargs))
    bars = [make_bar("AAA", T0 + i * STEP, str(100 + i), str(101 + i), str(99 + i)) for i in (1, 2)]
    for broker in (venue, paper):
        broker.submit(make_intent("AAA", Side.BUY, "3.5", client_order_id="b", ts=T0), ts=T0)
        broker.submit(
            make_intent("AAA", Side.SELL, "1.25", client_order_id="s", ts=T0, limit="101.5"), ts=T0
        )
        for bar in bars:
            broker.on_slice([bar])
    assert venue.account() == paper.account()
    assert venue.positions() == paper.positions()
    assert venue.orders() == paper.orders()


def test_a_dry_run_refuses_credentials_and_an_unknown_mode() -> None:
    with pytest.raises(LogosError, match="a dry run is given no credentials"):
        ToyVenue(symbols=[META], credentials={"apiKey": "k"})
    with pytest.raises(LogosError, match="mode must be one of dry_run, live, got 'paper'"):
        ToyVenue(symbols=[META], mode="paper")


def test_a_resend_builds_nothing_again() -> None:
    broker = started(ToyVenue(cash=Decimal(10000), symbols=[META]))
    intent = make_intent("AAA", Side.BUY, "1", client_order_id="s-1", ts=T0)
    first = broker.submit(intent, ts=T0)
    broker.drain_events()
    assert broker.submit(intent, ts=T0) == first
    assert broker.drain_events() == []


def test_reconcile_in_a_dry_run_has_nothing_to_compare() -> None:
    broker = started(ToyVenue(cash=Decimal(10000), symbols=[META]))
    broker.submit(make_intent("AAA", Side.BUY, "1", client_order_id="s-1", ts=T0), ts=T0)
    report = broker.reconcile()
    assert report.ok and list(report) == []


def test_snapshot_restore_keeps_a_limit_order_working() -> None:
    broker = started(ToyVenue(cash=Decimal(10000), symbols=[META]))
    intent = make_intent("AAA", Side.BUY, "1", client_order_id="s-1", ts=T0, limit="90")
    order = broker.submit(intent, ts=T0)
    again = ToyVenue(cash=Decimal(10000), symbols=[META])
    again.restore(broker.snapshot())
    assert again.working_orders() == [order]
    assert order.type is OrderType.LIMIT


def test_a_venue_broker_keeps_its_ended_orders_when_told_it_may_forget_them() -> None:
    # restart reconciles the venue's open orders against the orders the broker knows
    broker = started(ToyVenue(cash=Decimal(10000), symbols=[META]))
    order = broker.submit(make_intent("AAA", Side.BUY, "60", client_order_id="c-1", ts=T0), ts=T0)
    assert order.status is OrderStatus.REJECTED
    broker.release_orders([order.order_id])
    assert broker.order_by_client_id("c-1") == order
    paper = PaperBroker(cash=Decimal(10000))
    paper.on_slice([make_bar("AAA", T0, "100")])
    intent = make_intent("AAA", Side.BUY, "1000", client_order_id="c-1", ts=T0)
    rejected = paper.submit(intent, ts=T0)
    assert rejected.status is OrderStatus.REJECTED
    paper.release_orders([rejected.order_id])
    assert paper.order_by_client_id("c-1") is None  # the paper broker forgets it
