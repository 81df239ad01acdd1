"""Dry-run requests of broker ``ccxt`` on real market structures (ccxt's own fixtures for ten
exchanges, loaded with ``set_markets``: no network): the amount, price and raw request are
what ccxt itself produces for the same order, the client order id reaches each exchange's
own field, and what an exchange would refuse is refused with its reason."""

from __future__ import annotations

import decimal
import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import ccxt
import pytest
from logos_ccxt.broker import CcxtBroker
from logos_ccxt.client_ids import maps_client_order_id

from logos.brokers.venue import VenueRefusal, VenueRequestEvent
from logos.domain import (
    Bracket,
    ExitLevel,
    OrderIntent,
    OrderStatus,
    OrderType,
    Side,
    TimeInForce,
)
from logos.testing.brokers import make_bar

MARKETS = Path(__file__).parent / "data" / "markets"
T0 = datetime(2024, 3, 1, 10, 0, tzinfo=UTC)
CID = "sess-42"


def broker(exchange_id: str, mark: tuple[str, str] | None = None, **params: Any) -> CcxtBroker:
    if exchange_id == "binance":  # this fixture predates TICK_SIZE (tests/data/markets/README.md)
        params.setdefault("precision_mode", "decimal_places")
    made = CcxtBroker(
        exchange=exchange_id, markets_file=str(MARKETS / f"{exchange_id}.json"), **params
    )
    if mark is not None:
        made.on_slice([make_bar(mark[0], T0, mark[1])])
    return made


def intent(symbol: str, qty: str, price: str | None = None, **kw: Any) -> OrderIntent:
    fields: dict[str, Any] = {
        "symbol": symbol,
        "side": Side.BUY,
        "qty": Decimal(qty),
        "type": OrderType.MARKET if price is None else OrderType.LIMIT,
        "limit_price": None if price is None else Decimal(price),
        "client_order_id": CID,
        "ts": T0,
    }
    fields.update(kw)
    return OrderIntent.model_validate(fields)


def refusal(made: CcxtBroker, order: OrderIntent) -> str:
    with pytest.raises(VenueRefusal) as info:
        made.venue_request(order)
    return info.value.reason


# exchange, symbol, qty (base units), limit price, ccxt amount, the raw field holding the id
CASES = [
    ("binance", "BTC/USDT", "0.01234", "42000.57", "0.01234", ("newClientOrderId", CID)),
    ("bybit", "ETH/USDT", "0.12345", "2500.51", "0.12345", ("orderLinkId", CID)),
    ("okx", "ETH/USDT", "0.123456", "2500.51", "0.123456", ("clOrdId", CID)),
    ("gate", "BTC/USDT", "0.012345", "42000.5", "0.012345", ("text", f"t-{CID}")),
    ("bitget", "ETH/USDT", "0.1234", "2500.51", "0.1234", ("clientOid", CID)),
    ("okx", "BTC/USDT:USDT", "0.053", "42000.5", "5.3", ("clOrdId", CID)),  # 0.01 BTC each
    ("gate", "BTC/USDT:USDT", "0.0123", "72000.5", "123", ("text", f"t-{CID}")),  # 0.0001
    ("bybit", "BTC/USDT:USDT", "0.012", "42000.5", "0.012", ("orderLinkId", CID)),
    ("kraken", "BTC/USDT", "0.12345678", "42000.5", "0.12345678", None),
    ("kucoin", "BTC/USDT", "0.00012345", "42000.5", "0.00012345", None),
    ("coinbase", "BTC/USDT", "0.00012345", "42000.57", "0.00012345", None),
    ("bitstamp", "BTC/USD", "0.00123456", "42001", "0.00123456", None),
]


@pytest.mark.parametrize(("exchange_id", "symbol", "qty", "price", "amount", "field"), CASES)
def test_a_limit_request_is_what_ccxt_itself_builds(
    exchange_id: str, symbol: str, qty: str, price: str, amount: str, field: Any
) -> None:
    made = broker(exchange_id)
    ex = made.exchange
    request = made.venue_request(intent(symbol, qty, price))
    with decimal.localcontext():
        assert request["amount"] == ex.amount_to_precision(symbol, amount) == amount
        assert request["price"] == ex.price_to_precision(symbol, price)
    assert Decimal(request["price"]) == Decimal(price)
    assert (request["symbol"], request["type"], request["side"]) == (symbol, "limit", "buy")
    assert request["params"]["clientOrderId"] == CID == request["client_order_id"]
    builder = getattr(ex, "create_order_request", None)
    if builder is None:
        assert "raw" not in request
        return
    with decimal.localcontext():
        expected = builder(symbol, "limit", "buy", amount, price, {"clientOrderId": CID})
    assert request["raw"] == json.loads(json.dumps(expected))
    name, value = field
    assert request["raw"][name] == value


def test_the_request_is_recorded_unsent_and_then_the_fill_simulated() -> None:
    made = broker("okx", mark=("BTC/USDT:USDT", "42000"), cash=Decimal(100000))
    made.drain_events()
    order = made.submit(intent("BTC/USDT:USDT", "0.05"), ts=T0)
    assert order.status is OrderStatus.ACCEPTED
    [request] = [e for e in made.drain_events() if isinstance(e, VenueRequestEvent)]
    assert request.sent is False and request.venue == "okx"
    assert request.request["amount"] == "5" and request.request["raw"]["sz"] == "5"
    [fill] = made.on_slice([make_bar("BTC/USDT:USDT", T0.replace(minute=1), "42010")]).fills
    assert (fill.qty, fill.price) == (Decimal("0.05"), Decimal("42010"))  # base units


@pytest.mark.parametrize(
    ("exchange_id", "order", "mark", "reason"),
    [
        (
            "kraken",
            intent("BTC/USDT", "0.00005", "42000"),
            None,
            "kraken: amount 0.00005 < min amount 0.0001 for BTC/USDT",
        ),
        (
            "binance",
            intent("BTC/USDT", "0.0001", "42000"),
            None,
            "binance: cost 4.2 < min cost 5 for BTC/USDT",
        ),
        (
            "binance",
            intent("BTC/USDT", "0.0001"),
            ("BTC/USDT", "40000"),
            "binance: cost 4 < min cost 5 for BTC/USDT",
        ),
        (
            "bybit",
            intent("BTC/USDT:USDT-250530-70000-C", "0.01", "500"),
            None,
            "bybit: market BTC/USDT:USDT-250530-70000-C is not active",
        ),
        ("kraken", intent("DOGE/EUR", "1", "1"), None, "kraken has no market DOGE/EUR"),
        (
            "okx",
            intent("BTC/USD:BTC", "1", "42000"),
            None,
            "okx: BTC/USD:BTC is an inverse contract; logos trades base-currency quantities",
        ),
        (
            "kraken",
            intent("BTC/USDT", "0.123456789", "42000"),
            None,
            "kraken: amount 0.123456789 is off BTC/USDT's precision "
            "(ccxt's amount_to_precision gives 0.12345678)",
        ),
        (
            "kraken",
            intent("BTC/USDT", "0.1", "42000.06"),
            None,
            "kraken: price 42000.06 is off BTC/USDT's precision "
            "(ccxt's price_to_precision gives 42000.1)",
        ),
        (
            "kraken",
            intent("BTC/USDT", "0.1", "42000", time_in_force=TimeInForce.DAY),
            None,
            "kraken: ccxt has no DAY time in force (GTC, IOC, FOK, PO)",
        ),
    ],
    ids=[
        "min-amount",
        "min-cost-limit",
        "min-cost-market-at-mark",
        "inactive",
        "unknown",
        "inverse",
        "off-lot",
        "off-tick",
        "day",
    ],
)
def test_what_the_exchange_would_refuse_is_refused_with_its_reason(
    exchange_id: str, order: OrderIntent, mark: tuple[str, str] | None, reason: str
) -> None:
    assert refusal(broker(exchange_id, mark=mark), order) == reason


def test_a_refused_order_is_rejected_before_anything_is_simulated() -> None:
    made = broker("kraken", mark=("BTC/USDT", "42000"))
    made.drain_events()
    order = made.submit(intent("BTC/USDT", "0.00005"), ts=T0)
    assert order.status is OrderStatus.REJECTED
    assert order.reason == "venue_refused: kraken: amount 0.00005 < min amount 0.0001 for BTC/USDT"
    assert not any(isinstance(e, VenueRequestEvent) for e in made.drain_events())


def test_ccxts_own_validation_refuses_a_market_buy_gate_prices_in_cost() -> None:
    reason = refusal(broker("gate", mark=("BTC/USDT", "42000")), intent("BTC/USDT", "0.01"))
    assert reason.startswith("gate: ccxt refuses the order: gate createOrder() requires the price")


def stop(symbol: str, kind: OrderType, **kw: Any) -> OrderIntent:
    return intent(symbol, kw.pop("qty", "0.1"), None, type=kind, side=Side.SELL, **kw)


def test_a_stop_goes_as_a_trigger_price_where_the_exchange_has_one() -> None:
    request = broker("kraken").venue_request(
        stop("BTC/USDT", OrderType.STOP, stop_price=Decimal("39000.5"))
    )
    assert (request["type"], request["price"]) == ("market", None)
    assert request["params"]["triggerPrice"] == "39000.5"


def test_a_stop_limit_carries_both_prices() -> None:
    request = broker("okx").venue_request(
        stop(
            "ETH/USDT",
            OrderType.STOP_LIMIT,
            stop_price=Decimal("2400.1"),
            limit_price=Decimal("2399.9"),
        )
    )
    assert (request["type"], request["price"]) == ("limit", "2399.9")
    assert request["params"]["triggerPrice"] == "2400.1"
    assert request["raw"]["ordType"] == "trigger"


def test_a_trailing_percent_stop_is_in_ccxts_percent() -> None:
    request = broker("okx").venue_request(
        stop("ETH/USDT", OrderType.TRAILING_STOP, trail_percent=Decimal("0.015"))
    )
    assert request["params"]["trailingPercent"] == "1.5"
    assert request["raw"]["ordType"] == "move_order_stop"


def test_an_order_type_without_a_native_form_is_refused_not_downgraded() -> None:
    reason = refusal(
        broker("bitstamp"), stop("BTC/USD", OrderType.STOP, stop_price=Decimal("39000"))
    )
    assert reason == (
        "bitstamp has no native stop order in ccxt (createStopMarketOrder/createStopOrder/"
        "createTriggerOrder not set in exchange.has); logos does not send it as another type"
    )
    reason = refusal(
        broker("bybit"), stop("ETH/USDT", OrderType.TRAILING_STOP, trail_percent=Decimal("0.01"))
    )
    assert reason.startswith("bybit has no native trailing-percent order in ccxt")


def test_take_profit_and_reduce_only_on_contracts() -> None:
    request = broker("bybit").venue_request(
        stop("BTC/USDT:USDT", OrderType.TAKE_PROFIT, limit_price=Decimal("45000"), qty="0.01")
    )
    assert (request["type"], request["price"]) == ("limit", "45000")
    assert request["params"]["reduceOnly"] is True and request["raw"]["reduceOnly"] is True
    reason = refusal(
        broker("bitget"), stop("BTC/USDT:USDT", OrderType.MARKET, reduce_only=True, qty="0.01")
    )
    assert reason.startswith("bitget has no native reduce-only order in ccxt")
    spot = broker("bitget").venue_request(stop("ETH/USDT", OrderType.MARKET, reduce_only=True))
    assert "reduceOnly" not in spot["params"]  # a spot sell cannot open a short anyway


def test_a_bracket_with_prices_goes_with_its_entry() -> None:
    exits = Bracket(
        stop_loss=ExitLevel(price=Decimal("40000")), take_profit=ExitLevel(price=Decimal("45000"))
    )
    request = broker("bybit").venue_request(intent("BTC/USDT:USDT", "0.01", "42000", exits=exits))
    assert request["params"]["stopLoss"] == {"triggerPrice": "40000"}
    assert request["params"]["takeProfit"] == {"triggerPrice": "45000"}
    assert request["raw"]["stopLoss"] == "40000" and request["raw"]["takeProfit"] == "45000"
    relative = Bracket(stop_loss=ExitLevel(percent=Decimal("0.02")))
    reason = refusal(broker("bybit"), intent("BTC/USDT:USDT", "0.01", "42000", exits=relative))
    assert reason.startswith("bybit: a bracket sent with its entry needs absolute exit prices")
    reason = refusal(broker("kraken"), intent("BTC/USDT", "0.01", "42000", exits=exits))
    assert reason.startswith("kraken has no native bracket order in ccxt")


def test_an_exchange_that_ignores_client_ids_is_noted() -> None:
    assert not maps_client_order_id("coincheck") and maps_client_order_id("kraken")
    client = ccxt.coincheck({"enableRateLimit": False})
    client.set_markets(
        [
            {
                "id": "btc_jpy",
                "symbol": "BTC/JPY",
                "base": "BTC",
                "quote": "JPY",
                "type": "spot",
                "spot": True,
                "precision": {"amount": 1e-08, "price": 1.0},
                "limits": {},
            }
        ]
    )
    request = CcxtBroker(exchange="coincheck", client=client).venue_request(
        intent("BTC/JPY", "0.01", "6000000")
    )
    assert request["client_order_id"] is None and "clientOrderId" not in request["params"]
    assert (
        request["note"] == "coincheck ignores clientOrderId (ccxt's create_order does not send it)"
    )
