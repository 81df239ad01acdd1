"""The paper broker passes the broker contract suite, with and without symbol metadata."""

from __future__ import annotations

from decimal import Decimal

from logos.brokers import PaperBroker
from logos.brokers.base import Broker
from logos.domain import SymbolMeta
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
