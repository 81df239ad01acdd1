"""An order intent → the alpaca-py request model Alpaca would receive, or a clear refusal.

:func:`order_request` builds exactly what ``TradingClient.submit_order`` sends: a
``MarketOrderRequest``, ``LimitOrderRequest``, ``StopOrderRequest``,
``StopLimitOrderRequest`` or ``TrailingStopOrderRequest`` (a bracket when the entry carries
exits), with the time in force and the client order id, validated by alpaca-py itself.
Before alpaca-py sees it, the rules Alpaca applies server side are checked here so a dry run
refuses what the live venue would refuse (:class:`AlpacaRefusal`, naming the rule) instead
of finding out after the order left: an inactive or untradable asset, a fraction of a
non-fractionable asset, a fractional equity order that is not DAY, a DAY crypto order, a
quantity off the asset's step or below its minimum, a price with more decimals than Alpaca
takes. Nothing is ever rounded or downgraded silently: an order type Alpaca has no native
form for is refused, not sent as a market order.

Quantities and prices are exact Decimals in logos; alpaca-py's fields are floats, so each
value is checked to survive the conversion exactly (a value that would not is refused).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from logos.domain import ExitLevel, OrderIntent, Side, TimeInForce
from logos_alpaca.assets import asset_problem, is_crypto
from logos_alpaca.refusal import AlpacaRefusal

if TYPE_CHECKING:
    from alpaca.trading.models import Asset
    from alpaca.trading.requests import OrderRequest

MAX_QTY_DECIMALS = 9
MIN_FRACTIONAL_NOTIONAL = Decimal(1)
"""Alpaca's smallest fractional (or notional) equity order, in USD."""


def order_request(
    intent: OrderIntent,
    asset: Asset,
    *,
    price: Decimal | None = None,
    notional: Decimal | None = None,
) -> OrderRequest:
    """The validated alpaca-py request for ``intent`` on ``asset``; raises AlpacaRefusal.

    ``price``: the last known price, to check a fractional order's $1 minimum (unchecked when
    ``None``). ``notional``: send a dollar amount instead of ``intent.qty`` (Alpaca's notional
    market orders; equities that are fractionable only).
    """
    from alpaca.trading import enums
    from alpaca.trading import requests as alpaca_requests

    problem = asset_problem(asset)
    if problem:
        raise AlpacaRefusal(problem)
    kind = str(intent.type.value)
    builders: dict[str, tuple[type[OrderRequest], Callable[[OrderIntent], dict[str, Any]]]] = {
        "market": (alpaca_requests.MarketOrderRequest, lambda i: {}),
        "limit": (alpaca_requests.LimitOrderRequest, lambda i: {"limit_price": i.limit_price}),
        "stop": (alpaca_requests.StopOrderRequest, lambda i: {"stop_price": i.stop_price}),
        "stop_limit": (
            alpaca_requests.StopLimitOrderRequest,
            lambda i: {"stop_price": i.stop_price, "limit_price": i.limit_price},
        ),
        "trailing_stop": (alpaca_requests.TrailingStopOrderRequest, _trail),
        # a take-profit is a limit order that closes a position: Alpaca's limit order
        "take_profit": (
            alpaca_requests.LimitOrderRequest,
            lambda i: {"limit_price": i.limit_price},
        ),
    }
    if kind not in builders:
        raise AlpacaRefusal(
            f"alpaca: order type {kind!r} has no native Alpaca form (Alpaca takes market, "
            "limit, stop, stop_limit, trailing_stop and bracket orders); refused rather than "
            "sent as another type"
        )
    model, build = builders[kind]
    fields = build(intent)
    _check_prices(asset, fields)
    amount = _amount(intent, asset, price, notional)
    tif = _time_in_force(intent, asset, fractional=_is_fraction(intent.qty) or notional is not None)
    values: dict[str, Any] = {
        "symbol": asset.symbol,
        "side": enums.OrderSide.BUY if intent.side is Side.BUY else enums.OrderSide.SELL,
        "time_in_force": tif,
        "client_order_id": intent.client_order_id,
        **amount,
        **fields,
    }
    values.update(_bracket(intent, asset))
    try:
        return model(**values)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        message = str(first["msg"]).removeprefix("Value error, ")
        raise AlpacaRefusal(f"alpaca-py refused the {kind} request: {message}") from None


def request_body(request: OrderRequest) -> dict[str, Any]:
    """The JSON body ``TradingClient.submit_order`` sends (alpaca-py's ``to_request_fields``),
    as plain JSON values (its enums become their strings)."""
    body: dict[str, Any] = json.loads(json.dumps(request.to_request_fields()))
    return body


# ------------------------------------------------------------------------------------------


def _float(value: Decimal, what: str) -> float:
    """``value`` as the float alpaca-py's field takes, refused when it would not be exact."""
    number = float(value)
    if Decimal(repr(number)) != value:
        raise AlpacaRefusal(f"alpaca: {what} {value} cannot be sent exactly")
    return number


def _decimals(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _plain(value: Decimal) -> str:
    """``value`` without trailing zeros (0.500000000 reads 0.5), never in exponent form."""
    return format(value.normalize(), "f")


def _is_fraction(qty: Decimal) -> bool:
    return qty != qty.to_integral_value()


def _amount(
    intent: OrderIntent, asset: Asset, price: Decimal | None, notional: Decimal | None
) -> dict[str, float]:
    from logos_alpaca.assets import exact

    symbol = asset.symbol
    if notional is not None:
        if intent.type.value != "market":
            raise AlpacaRefusal("alpaca: notional orders are market orders only")
        if not is_crypto(asset) and not asset.fractionable:
            raise AlpacaRefusal(f"alpaca: {symbol} is not fractionable: no notional orders")
        if notional < MIN_FRACTIONAL_NOTIONAL:
            raise AlpacaRefusal(f"alpaca: notional {notional} is below Alpaca's $1 minimum")
        if _decimals(notional) > 2:
            raise AlpacaRefusal(f"alpaca: notional {notional} has more than 2 decimals")
        return {"notional": _float(notional, "notional")}
    qty = intent.qty
    if _decimals(qty) > MAX_QTY_DECIMALS:
        raise AlpacaRefusal(f"alpaca: qty {qty} has more than {MAX_QTY_DECIMALS} decimals")
    if is_crypto(asset):
        step, least = exact(asset.min_trade_increment), exact(asset.min_order_size)
        if step is not None and qty % step != 0:
            raise AlpacaRefusal(
                f"alpaca: qty {_plain(qty)} of {symbol} is not a multiple of {_plain(step)}"
            )
        if least is not None and qty < least:
            raise AlpacaRefusal(
                f"alpaca: qty {_plain(qty)} of {symbol} is below the minimum {_plain(least)}"
            )
    elif _is_fraction(qty):
        if not asset.fractionable:
            raise AlpacaRefusal(
                f"alpaca: {symbol} is not fractionable; qty {_plain(qty)} must be whole shares"
            )
        if price is not None and qty * price < MIN_FRACTIONAL_NOTIONAL:
            raise AlpacaRefusal(
                f"alpaca: fractional order of {_plain(qty)} {symbol} is worth "
                f"{_plain(qty * price)}, below Alpaca's $1 minimum"
            )
    return {"qty": _float(qty, "qty")}


def _time_in_force(intent: OrderIntent, asset: Asset, *, fractional: bool) -> Any:
    from alpaca.trading.enums import TimeInForce as AlpacaTif

    tif = intent.time_in_force
    if is_crypto(asset) and tif is TimeInForce.DAY:
        raise AlpacaRefusal(
            f"alpaca: crypto orders ({asset.symbol}) take time_in_force gtc or ioc, not day"
        )
    if fractional and not is_crypto(asset) and tif is not TimeInForce.DAY:
        raise AlpacaRefusal(
            f"alpaca: fractional equity orders ({asset.symbol}) must be time_in_force day, "
            f"not {tif.value}"
        )
    return AlpacaTif.DAY if tif is TimeInForce.DAY else AlpacaTif.GTC


def _trail(intent: OrderIntent) -> dict[str, Any]:
    """Alpaca's trail: ``trail_price`` (a distance in dollars) or ``trail_percent`` (in
    percent: logos' fraction 0.02 is Alpaca's 2)."""
    fields: dict[str, Any] = {}
    if intent.trail_amount is not None:
        fields["trail_price"] = intent.trail_amount
    if intent.trail_percent is not None:
        fields["trail_percent"] = intent.trail_percent * 100
    if intent.stop_price is not None:
        raise AlpacaRefusal(
            "alpaca: a trailing stop starts at the market at Alpaca; a starting stop_price "
            "cannot be sent"
        )
    return fields


def _check_prices(asset: Asset, fields: dict[str, Any]) -> None:
    """Each price on Alpaca's grid (crypto: the asset's step; equities: 2 decimals at or
    above $1, 4 below), then converted to the float alpaca-py takes."""
    from logos_alpaca.assets import exact

    step = exact(asset.price_increment) if is_crypto(asset) else None
    for name, value in list(fields.items()):
        if value is None:
            del fields[name]  # alpaca-py says which is missing
            continue
        if name == "trail_percent":
            fields[name] = _float(value, name)
            continue
        _on_price_grid(asset.symbol, name, value, step)
        fields[name] = _float(value, name)


def _on_price_grid(symbol: str, name: str, value: Decimal, step: Decimal | None) -> None:
    if step is not None:
        if value % step != 0:
            raise AlpacaRefusal(f"alpaca: {name} {value} of {symbol} is not a multiple of {step}")
        return
    allowed = 2 if value >= 1 else 4
    if _decimals(value) > allowed:
        raise AlpacaRefusal(
            f"alpaca: {name} {value} of {symbol} has more than {allowed} decimals (Alpaca takes "
            "2 at or above $1, 4 below)"
        )


def _bracket(intent: OrderIntent, asset: Asset) -> dict[str, Any]:
    """Alpaca's own exits for an entry that carries them: ``bracket`` with a take-profit
    and a stop-loss leg, ``oto`` with one. Alpaca needs absolute prices; an exit worked out
    from the fill price (percent, offset) or a trailing exit has no native form and is
    refused."""
    from alpaca.trading.enums import OrderClass
    from alpaca.trading.requests import StopLossRequest, TakeProfitRequest

    exits = intent.exits
    if exits is None:
        return {}
    if is_crypto(asset):
        raise AlpacaRefusal("alpaca: crypto orders cannot carry exits (simple orders only)")
    if exits.trailing is not None:
        raise AlpacaRefusal("alpaca: a bracket's exit cannot be a trailing stop at Alpaca")
    fields: dict[str, Any] = {}
    if exits.take_profit is not None:
        price = _exit_price(exits.take_profit, "take_profit")
        _on_price_grid(asset.symbol, "take_profit", price, None)
        fields["take_profit"] = TakeProfitRequest(limit_price=_float(price, "take_profit"))
    if exits.stop_loss is not None:
        price = _exit_price(exits.stop_loss, "stop_loss")
        _on_price_grid(asset.symbol, "stop_loss", price, None)
        fields["stop_loss"] = StopLossRequest(stop_price=_float(price, "stop_loss"))
    both = len(fields) == 2
    fields["order_class"] = OrderClass.BRACKET if both else OrderClass.OTO
    return fields


def _exit_price(level: ExitLevel, name: str) -> Decimal:
    if level.price is None:
        raise AlpacaRefusal(
            f"alpaca: the {name} exit must be an absolute price to be sent (a percent or an "
            "offset is worked out from the fill price, which Alpaca's brackets do not do)"
        )
    return level.price
