"""Review: ``count_only`` stops building events from then on; events already queued before it
are not thrown away (they were emitted and counted, a caller may still drain them)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from logos.brokers.paper import PaperBroker
from logos.domain import Bar, OrderIntent, OrderStatus, Side

T0 = datetime(2024, 5, 6, 9, 30, tzinfo=UTC)


def test_events_queued_before_count_only_can_still_be_drained() -> None:
    broker = PaperBroker(cash=Decimal(100))
    broker.on_bar(Bar("X", T0, *(Decimal(10),) * 4, Decimal(1000)))
    broker.mark_prices({"X": Decimal(10)}, ts=T0)
    intent = OrderIntent(
        symbol="X", side=Side.BUY, qty=Decimal(1), client_order_id="c-1", reason="r", ts=T0
    )
    broker.submit(intent, ts=T0)  # NEW, SUBMITTED, ACCEPTED, queued
    assert broker.count_only()
    broker.cancel("P-000001", ts=T0)  # counted only
    drained = broker.drain_events()
    assert [e.new for e in drained] == [
        OrderStatus.NEW,
        OrderStatus.SUBMITTED,
        OrderStatus.ACCEPTED,
    ]
    assert broker.event_count == 4
