"""The paper broker passes the broker contract suite; the suite fails brokers that break it."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from logos.brokers import PaperBroker
from logos.brokers.base import Broker, BrokerEvent
from logos.domain import Order, OrderIntent, SymbolMeta
from logos.testing.brokers import BrokerContract


class TestPaperBrokerContract(BrokerContract):
    def make_broker(self) -> Broker:
        return PaperBroker(cash=Decimal(10000), fee_bps=Decimal(10))


class TestPaperBrokerWithMetadataContract(BrokerContract):
    symbol = "BTC/USDT"
    qty = Decimal("0.5")

    def make_broker(self) -> Broker:
        meta = SymbolMeta(
            symbol="BTC/USDT",
            base="BTC",
            quote="USDT",
            tick_size=Decimal("0.01"),
            lot_size=Decimal("0.001"),
        )
        return PaperBroker(cash=Decimal(10000), currency="USDT", symbols=[meta])


class ForgetsListeners(PaperBroker):
    """Queues events but never tells listeners (a journal would write them too late)."""

    def _emit(self, event: BrokerEvent) -> None:
        self._events.append(event)


class NotIdempotent(PaperBroker):
    """Creates a new order for a resent client id."""

    def order_by_client_id(self, client_order_id: str) -> Order | None:
        return None


class FillsTooEarly(PaperBroker):
    """Treats an order as accepted one bar earlier, so the current bar can fill it."""

    def submit(self, intent: OrderIntent, *, ts: datetime) -> Order:
        return super().submit(intent, ts=ts - timedelta(minutes=1))


@pytest.mark.parametrize(
    ("broken", "test_name"),
    [
        (ForgetsListeners, "test_listeners_see_every_event_as_it_happens"),
        (NotIdempotent, "test_same_client_order_id_is_idempotent"),
        (FillsTooEarly, "test_order_is_not_filled_by_the_bar_it_was_accepted_on"),
    ],
)
def test_the_contract_catches_a_broken_broker(broken: type[PaperBroker], test_name: str) -> None:
    class Contract(BrokerContract):
        def make_broker(self) -> Broker:
            return broken(cash=Decimal(10000))

    suite = Contract()
    broker = suite.make_broker()
    suite.feed(broker, suite.bar(0))
    broker.drain_events()
    with pytest.raises(AssertionError):
        getattr(suite, test_name)(broker)
