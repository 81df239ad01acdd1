"""Every order type becomes the alpaca-py request Alpaca would receive, validated by
alpaca-py; what Alpaca would refuse is refused here first, with the rule named."""

from __future__ import annotations

from decimal import Decimal

import pytest
from alpaca.trading.requests import (
    LimitOrderRequest,
    MarketOrderRequest,
    StopLimitOrderRequest,
    StopOrderRequest,
    TrailingStopOrderRequest,
)
from logos_alpaca.refusal import AlpacaRefusal
from logos_alpaca.requests import order_request, request_body

from logos.domain import Bracket, ExitLevel, OrderType, Side, TimeInForce

DAY = TimeInForce.DAY


def test_market_order_of_whole_shares(assets, intent):
    request = order_request(intent("AAPL", "2", cid="m-1"), assets["AAPL"])
    assert isinstance(request, MarketOrderRequest)
    assert request_body(request) == {
        "symbol": "AAPL",
        "qty": 2.0,
        "side": "buy",
        "type": "market",
        "time_in_force": "gtc",
        "client_order_id": "m-1",
    }


def test_limit_order_carries_its_price_and_time_in_force(assets, intent):
    order = intent("AAPL", "3", Side.SELL, type=OrderType.LIMIT, tif=DAY, limit_price="187.25")
    request = order_request(order, assets["AAPL"])
    assert isinstance(request, LimitOrderRequest)
    assert request_body(request) == {
        "symbol": "AAPL",
        "qty": 3.0,
        "side": "sell",
        "type": "limit",
        "time_in_force": "day",
        "client_order_id": "c-1",
        "limit_price": 187.25,
    }


def test_fractional_equity_order_is_a_day_order(assets, intent):
    body = request_body(order_request(intent("AAPL", "0.5", tif=DAY), assets["AAPL"]))
    assert body["qty"] == 0.5
    assert body["time_in_force"] == "day"


def test_fractional_equity_order_not_day_is_refused(assets, intent):
    with pytest.raises(
        AlpacaRefusal, match=r"fractional equity orders .* must be time_in_force day"
    ):
        order_request(intent("AAPL", "0.5"), assets["AAPL"])


def test_fraction_of_a_non_fractionable_asset_is_refused(assets, intent):
    with pytest.raises(AlpacaRefusal, match=r"BRK\.A is not fractionable"):
        order_request(intent("BRK.A", "0.5", tif=DAY), assets["BRK.A"])


def test_fractional_order_below_one_dollar_is_refused(assets, intent):
    order = intent("PENNY", "1.5", tif=DAY)
    with pytest.raises(AlpacaRefusal, match=r"worth 0\.75, below Alpaca's \$1 minimum"):
        order_request(order, assets["PENNY"], price=Decimal("0.5"))


def test_notional_market_order(assets, intent):
    request = order_request(intent("AAPL", "1", tif=DAY), assets["AAPL"], notional=Decimal("25.5"))
    body = request_body(request)
    assert body["notional"] == 25.5
    assert "qty" not in body


def test_notional_limit_order_is_refused(assets, intent):
    order = intent("AAPL", "1", type=OrderType.LIMIT, tif=DAY, limit_price="100")
    with pytest.raises(AlpacaRefusal, match="notional orders are market orders only"):
        order_request(order, assets["AAPL"], notional=Decimal("50"))


def test_crypto_order_on_the_assets_steps(assets, intent):
    order = intent("LTC/USD", "0.5", type=OrderType.LIMIT, limit_price="64.125")
    assert request_body(order_request(order, assets["LTC/USD"]))["limit_price"] == 64.125


def test_crypto_price_off_the_price_increment_is_refused(assets, intent):
    order = intent("LTC/USD", "0.5", type=OrderType.LIMIT, limit_price="64.123")
    with pytest.raises(AlpacaRefusal, match=r"limit_price 64\.123 of LTC/USD is not a multiple"):
        order_request(order, assets["LTC/USD"])


def test_crypto_below_the_minimum_order_size_is_refused(assets, intent):
    with pytest.raises(AlpacaRefusal, match=r"below the minimum 0\.013623978"):
        order_request(intent("LTC/USD", "0.01"), assets["LTC/USD"])


def test_crypto_day_order_is_refused(assets, intent):
    with pytest.raises(AlpacaRefusal, match=r"crypto orders .* take time_in_force gtc or ioc"):
        order_request(intent("BTC/USD", "0.001", tif=DAY), assets["BTC/USD"])


def test_equity_price_with_sub_penny_decimals_is_refused(assets, intent):
    order = intent("AAPL", "1", type=OrderType.LIMIT, limit_price="187.255")
    with pytest.raises(AlpacaRefusal, match="more than 2 decimals"):
        order_request(order, assets["AAPL"])


def test_sub_dollar_equity_takes_four_decimals(assets, intent):
    order = intent("PENNY", "100", type=OrderType.LIMIT, limit_price="0.5125")
    assert request_body(order_request(order, assets["PENNY"]))["limit_price"] == 0.5125


def test_inactive_asset_is_refused(assets, intent):
    with pytest.raises(AlpacaRefusal, match="DELIST is inactive, not active"):
        order_request(intent("DELIST", "1"), assets["DELIST"])


def test_stop_and_stop_limit_orders(assets, intent):
    stop = order_request(intent("AAPL", "1", type=OrderType.STOP, stop_price="180"), assets["AAPL"])
    assert isinstance(stop, StopOrderRequest)
    assert request_body(stop)["stop_price"] == 180.0
    order = intent("AAPL", "1", type=OrderType.STOP_LIMIT, stop_price="180", limit_price="179.5")
    stop_limit = order_request(order, assets["AAPL"])
    assert isinstance(stop_limit, StopLimitOrderRequest)
    body = request_body(stop_limit)
    assert (body["type"], body["stop_price"], body["limit_price"]) == ("stop_limit", 180.0, 179.5)


def test_trailing_stop_percent_is_alpacas_percent(assets, intent):
    order = intent("AAPL", "1", Side.SELL, type=OrderType.TRAILING_STOP, trail_percent="0.025")
    request = order_request(order, assets["AAPL"])
    assert isinstance(request, TrailingStopOrderRequest)
    assert request_body(request)["trail_percent"] == 2.5
    by_amount = intent("AAPL", "1", Side.SELL, type=OrderType.TRAILING_STOP, trail_amount="1.5")
    assert request_body(order_request(by_amount, assets["AAPL"]))["trail_price"] == 1.5


def test_take_profit_is_an_alpaca_limit_order(assets, intent):
    order = intent("AAPL", "1", Side.SELL, type=OrderType.TAKE_PROFIT, limit_price="200")
    body = request_body(order_request(order, assets["AAPL"]))
    assert (body["type"], body["limit_price"]) == ("limit", 200.0)


def test_entry_with_both_exits_is_a_bracket(assets, intent):
    exits = Bracket(
        stop_loss=ExitLevel(price=Decimal("95")), take_profit=ExitLevel(price=Decimal("110"))
    )
    order = intent("AAPL", "2", type=OrderType.LIMIT, limit_price="100", exits=exits)
    body = request_body(order_request(order, assets["AAPL"]))
    assert body["order_class"] == "bracket"
    assert body["take_profit"] == {"limit_price": 110.0}
    assert body["stop_loss"] == {"stop_price": 95.0}


def test_entry_with_one_exit_is_one_triggers_other(assets, intent):
    exits = Bracket(stop_loss=ExitLevel(price=Decimal("95")))
    body = request_body(order_request(intent("AAPL", "2", exits=exits), assets["AAPL"]))
    assert body["order_class"] == "oto"
    assert body["stop_loss"] == {"stop_price": 95.0}


def test_exit_as_a_percent_is_refused_not_guessed(assets, intent):
    exits = Bracket(stop_loss=ExitLevel(percent=Decimal("0.05")))
    with pytest.raises(AlpacaRefusal, match="stop_loss exit must be an absolute price"):
        order_request(intent("AAPL", "2", exits=exits), assets["AAPL"])


def test_trailing_exit_has_no_alpaca_bracket_form(assets, intent):
    exits = Bracket(trailing=ExitLevel(percent=Decimal("0.05")))
    with pytest.raises(AlpacaRefusal, match="cannot be a trailing stop at Alpaca"):
        order_request(intent("AAPL", "2", exits=exits), assets["AAPL"])


def test_alpaca_py_own_validation_is_reported_as_a_refusal(assets, intent):
    # a stop order without its stop price: alpaca-py's model refuses it, named as such
    order = intent("AAPL", "1", type=OrderType.STOP)
    with pytest.raises(AlpacaRefusal, match="alpaca-py refused the stop request"):
        order_request(order, assets["AAPL"])
