"""Broker ``ccxt`` live through ccxt's own binance code, only its HTTP call (``fetch``) faked:
ccxt builds, signs and parses every request, so what is checked is what binance would see —
the client order id as ``newClientOrderId``, one ``POST /api/v3/order`` however the submit
ends, and the order found again through ``GET /api/v3/openOrders`` after a timeout.
Dummy keys: ccxt signs with them, nothing leaves the process."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import ccxt
from logos_ccxt.broker import CcxtBroker

from logos.domain import OrderIntent, OrderStatus, OrderType, Side
from logos.testing.brokers import make_bar

MARKETS = Path(__file__).parent / "data" / "markets" / "binance.json"
T0 = datetime(2024, 3, 1, 10, 0, tzinfo=UTC)


class BinanceHttp(ccxt.binance):
    """Real ccxt.binance over an in-memory order book; ``timeout_next`` makes the next
    ``POST /api/v3/order`` time out after the order reached the book (or not: ``arrives``)."""

    def __init__(self) -> None:
        super().__init__({"apiKey": "dummy-key", "secret": "dummy-secret"})
        self.precisionMode = ccxt.DECIMAL_PLACES  # the fixture predates TICK_SIZE
        markets = json.loads(MARKETS.read_text(encoding="utf-8")).values()
        # the fixture's spot markets predate the linear/inverse keys parse_order reads
        self.set_markets([{"linear": None, "inverse": None, **m} for m in markets])
        self.orders: list[dict[str, Any]] = []
        self.requests: list[tuple[str, str, dict[str, list[str]]]] = []
        self.timeout_next = False
        self.arrives = True

    def fetch(self, url: str, method: str = "GET", headers: Any = None, body: Any = None) -> Any:
        parsed = urlparse(url)
        query = parse_qs(body or parsed.query)
        self.requests.append((method, parsed.path, query))
        if (method, parsed.path) == ("POST", "/api/v3/order"):
            order = {
                "symbol": query["symbol"][0],
                "orderId": 1000 + len(self.orders),
                "clientOrderId": query["newClientOrderId"][0],
                "price": query["price"][0],
                "origQty": query["quantity"][0],
                "executedQty": "0.00000000",
                "status": "NEW",
                "timeInForce": "GTC",
                "type": query["type"][0],
                "side": query["side"][0],
                "time": 1709287200000,
                "updateTime": 1709287200000,
            }
            if self.timeout_next:
                self.timeout_next = False
                if self.arrives:
                    self.orders.append(order)
                raise ccxt.RequestTimeout("binance POST https://api.binance.com/api/v3/order")
            self.orders.append(order)
            return {**order, "transactTime": 1709287200000, "fills": []}
        if (method, parsed.path) == ("GET", "/api/v3/openOrders"):
            return [o for o in self.orders if o["status"] == "NEW"]
        if (method, parsed.path) == ("GET", "/api/v3/allOrders"):
            return list(self.orders)
        if (method, parsed.path) == ("GET", "/api/v3/myTrades"):
            return []
        raise ccxt.BadRequest(f"binance {method} {parsed.path}: not faked")


def intent(cid: str) -> OrderIntent:
    return OrderIntent(
        symbol="BTC/USDT",
        side=Side.BUY,
        qty=Decimal("0.01234"),
        type=OrderType.LIMIT,
        limit_price=Decimal("42000.57"),
        client_order_id=cid,
        ts=T0,
    )


def live(venue: BinanceHttp) -> CcxtBroker:
    broker = CcxtBroker(exchange="binance", mode="live", client=venue, cash=Decimal(10000))
    broker.read_sleep = lambda seconds: None
    broker.on_slice([make_bar("BTC/USDT", T0, "42000")])
    return broker


def posts(venue: BinanceHttp) -> list[dict[str, list[str]]]:
    return [q for method, path, q in venue.requests if (method, path) == ("POST", "/api/v3/order")]


def test_binance_receives_the_order_with_its_client_id() -> None:
    venue = BinanceHttp()
    order = live(venue).submit(intent("sess-7"), ts=T0)
    assert order.status is OrderStatus.ACCEPTED
    [sent] = posts(venue)
    assert sent["newClientOrderId"] == ["sess-7"]
    assert (sent["quantity"], sent["price"], sent["type"]) == (["0.01234"], ["42000.57"], ["LIMIT"])


def test_a_timeout_is_resolved_through_open_orders_with_one_post() -> None:
    venue = BinanceHttp()
    venue.timeout_next = True
    broker = live(venue)
    order = broker.submit(intent("sess-8"), ts=T0)
    assert order.status is OrderStatus.SUBMITTED
    broker.on_slice([make_bar("BTC/USDT", T0 + timedelta(minutes=1), "42000")])
    assert broker.order(order.order_id).status is OrderStatus.ACCEPTED
    assert len(posts(venue)) == 1
    assert broker.snapshot()["venue"]["venue_ids"] == {"sess-8": "1000"}


def test_a_timeout_the_venue_never_saw_stays_in_flight() -> None:
    venue = BinanceHttp()
    venue.timeout_next, venue.arrives = True, False
    broker = live(venue)
    order = broker.submit(intent("sess-9"), ts=T0)
    broker.on_slice([make_bar("BTC/USDT", T0 + timedelta(minutes=1), "42000")])
    assert broker.order(order.order_id).status is OrderStatus.SUBMITTED
    assert list(broker.reconcile()) == ["sess-9: SUBMITTED in the journal, unknown at binance"]
    assert len(posts(venue)) == 1
