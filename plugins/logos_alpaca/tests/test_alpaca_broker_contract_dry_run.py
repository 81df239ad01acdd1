"""Broker ``alpaca`` in dry-run mode passes the broker contract suite, offline, and journals
what it would send."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from logos_alpaca.assets import load_assets
from logos_alpaca.broker import AlpacaBroker, AlpacaParams

from logos.brokers.venue import VenueRequestEvent
from logos.domain import OrderStatus, SymbolMeta
from logos.errors import LogosError
from logos.testing.brokers import BrokerContract

EQUITIES = Path(__file__).parent / "data" / "equity_assets.json"


class TestAlpacaDryRunContract(BrokerContract):
    symbol = "AAPL"

    def make_broker(self) -> AlpacaBroker:
        return AlpacaBroker(
            AlpacaParams(assets_file=str(EQUITIES)), symbols=[SymbolMeta(symbol="AAPL")]
        )


@pytest.fixture
def broker() -> AlpacaBroker:
    contract = TestAlpacaDryRunContract()
    broker = contract.make_broker()
    contract.feed(broker, contract.bar(0))
    broker.drain_events()
    return broker


def test_dry_run_records_the_request_it_would_send(broker):
    contract = TestAlpacaDryRunContract()
    order = broker.submit(contract.intent("c-1"), ts=contract.now())
    assert order.status is OrderStatus.ACCEPTED
    requests = [e for e in broker.drain_events() if isinstance(e, VenueRequestEvent)]
    assert [e.data() for e in requests] == [
        {
            "client_order_id": "c-1",
            "venue": "alpaca",
            "request": {
                "symbol": "AAPL",
                "qty": 1.0,
                "side": "buy",
                "type": "market",
                "time_in_force": "gtc",
                "client_order_id": "c-1",
            },
            "sent": False,
        }
    ]


def test_an_order_alpaca_would_refuse_is_rejected_and_not_simulated(broker):
    contract = TestAlpacaDryRunContract()
    order = broker.submit(contract.intent("c-1", qty=Decimal("0.5")), ts=contract.now())
    assert order.status is OrderStatus.REJECTED
    assert order.reason.startswith("venue_refused: alpaca: fractional equity orders (AAPL)")
    contract.feed(broker, contract.bar(1))
    assert all(p.qty == 0 for p in broker.positions())


def test_the_assets_metadata_replaces_the_sessions():
    broker = AlpacaBroker(
        AlpacaParams(assets_file=str(EQUITIES)),
        symbols=[SymbolMeta(symbol="BRK.A", lot_size=Decimal("0.01"))],
    )
    meta = broker.symbol_meta("BRK.A")
    assert meta is not None and (meta.lot_size, meta.fractionable) == (Decimal(1), False)


def test_a_dry_run_takes_no_credentials_and_no_client():
    with pytest.raises(LogosError, match="a dry run is given no credentials"):
        AlpacaBroker(AlpacaParams(), credentials={"key": "k", "secret": "s"})
    with pytest.raises(LogosError, match="a dry run is given no client"):
        AlpacaBroker(AlpacaParams(), client=object())


def test_assets_file_symbols_are_what_is_known_offline():
    assert AlpacaBroker.known_symbols(AlpacaParams(assets_file=str(EQUITIES))) == {
        "AAPL",
        "BRK.A",
        "DELIST",
        "PENNY",
    }
    assert AlpacaBroker.known_symbols(AlpacaParams()) is None


def test_params_are_the_paper_brokers_plus_alpacas():
    params = AlpacaParams.model_validate({"paper": False, "asset_class": "crypto", "cash": "5000"})
    assert (params.paper, params.asset_class, params.cash) == (False, "crypto", Decimal(5000))
    assert load_assets(EQUITIES)["AAPL"].fractionable is True


def test_a_symbol_of_another_asset_class_is_refused():
    crypto = Path(__file__).parent / "data" / "crypto_assets.json"
    broker = AlpacaBroker(
        AlpacaParams(assets_file=str(crypto)), symbols=[SymbolMeta(symbol="BTC/USD")]
    )
    contract = TestAlpacaDryRunContract()
    order = broker.submit(contract.intent("c-1", symbol="BTC/USD"), ts=contract.now())
    assert order.status is OrderStatus.REJECTED
    assert "BTC/USD is crypto; this broker trades us_equity" in order.reason
