"""What the ``ccxt`` broker sends for an order: ccxt's unified ``create_order`` arguments.

:func:`build_request` turns a logos :class:`~logos.domain.OrderIntent` into exactly the call
a live session makes — ``exchange.create_order(symbol, type, side, amount, price, params)`` —
or raises :class:`~logos.brokers.venue.VenueRefusal` for an order the venue would refuse:

- a symbol the exchange does not list, a market ccxt marks inactive (``active`` false), an
  inverse contract (logos quantities are in the base currency);
- an amount or a price that ccxt's own ``amount_to_precision`` / ``price_to_precision``
  would change (logos quantizes first, so they are fixed points of ccxt's functions; a
  different answer means the order would not be what logos asked for, and it is never
  silently changed);
- amount, price or cost outside the market's ``limits`` (ccxt does not check them itself:
  the exchange would refuse them);
- an order type the exchange has no native form for in ccxt (its ``has`` flags), a DAY time
  in force (ccxt has GTC, IOC, FOK and PO), and reduce-only on a contract market that has
  no ``createReduceOnlyOrder``: refused, never downgraded to a plain market order.

Amounts are ccxt amounts: contracts for a linear contract market (the logos quantity divided
by ``contractSize``, see :mod:`logos_ccxt.markets`). ``clientOrderId`` is always sent when
the exchange maps it (:mod:`logos_ccxt.client_ids`); the request says so either way. Where
the exchange class has ``create_order_request`` (binance, bybit, okx, gate, bitget ...),
the request also holds ``raw``: the body ccxt would send to the exchange's HTTP API, built
without sending anything.

Every ccxt call runs in a private decimal context: ccxt sets the thread's context on each
precision call (docs/strategies.md).
"""

from __future__ import annotations

import decimal
import json
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from logos.brokers.venue import VenueRefusal
from logos.domain import OrderIntent, OrderType, TimeInForce
from logos_ccxt.client_ids import maps_client_order_id
from logos_ccxt.markets import contract_size, is_inverse, to_decimal

if TYPE_CHECKING:
    import ccxt


def _has(exchange: ccxt.Exchange, *flags: str) -> bool:
    return any(exchange.has.get(flag) for flag in flags)


def _text(value: Decimal) -> str:
    return format(value.normalize(), "f")


def order_shape(
    exchange: ccxt.Exchange, market: dict[str, Any], intent: OrderIntent
) -> tuple[str, Decimal | None, dict[str, Any]]:
    """ccxt's ``(type, price, params)`` for ``intent``'s order type (module docstring)."""
    venue, kind = exchange.id, intent.type
    params: dict[str, Any] = {}

    def refuse(what: str, flags: str) -> VenueRefusal:
        return VenueRefusal(
            f"{venue} has no native {what} order in ccxt ({flags} not set in exchange.has); "
            "logos does not send it as another type"
        )

    if kind is OrderType.MARKET:
        shape: tuple[str, Decimal | None] = ("market", None)
    elif kind in (OrderType.LIMIT, OrderType.TAKE_PROFIT):
        shape = ("limit", intent.limit_price)  # a take-profit is a reduce-only limit
    elif kind is OrderType.STOP:
        if not _has(exchange, "createStopMarketOrder", "createStopOrder", "createTriggerOrder"):
            raise refuse("stop", "createStopMarketOrder/createStopOrder/createTriggerOrder")
        shape = ("market", None)
        params["triggerPrice"] = _text(intent.stop_price)
    elif kind is OrderType.STOP_LIMIT:
        if not _has(exchange, "createStopLimitOrder", "createTriggerOrder"):
            raise refuse("stop-limit", "createStopLimitOrder/createTriggerOrder")
        shape = ("limit", intent.limit_price)
        params["triggerPrice"] = _text(intent.stop_price)
    elif kind is OrderType.TRAILING_STOP:
        if intent.trail_percent is not None:
            if not _has(exchange, "createTrailingPercentOrder"):
                raise refuse("trailing-percent", "createTrailingPercentOrder")
            params["trailingPercent"] = _text(intent.trail_percent * 100)
        else:
            if not _has(exchange, "createTrailingAmountOrder"):
                raise refuse("trailing-amount", "createTrailingAmountOrder")
            params["trailingAmount"] = _text(intent.trail_amount)
        if intent.stop_price is not None:
            params["trailingTriggerPrice"] = _text(intent.stop_price)
        shape = ("market", None)
    else:
        raise VenueRefusal(f"{venue}: order type {kind.value} is not mapped to ccxt")
    reduce_only = intent.reduce_only or kind is OrderType.TAKE_PROFIT
    if reduce_only and market.get("contract"):
        if not _has(exchange, "createReduceOnlyOrder"):
            raise refuse("reduce-only", "createReduceOnlyOrder")
        params["reduceOnly"] = True
    if intent.exits is not None:
        params.update(_bracket(exchange, intent))
    return shape[0], shape[1], params


def _bracket(exchange: ccxt.Exchange, intent: OrderIntent) -> dict[str, Any]:
    """ccxt's unified ``stopLoss`` / ``takeProfit`` params for an entry's exits: only for
    absolute price levels (a percent or an offset is relative to a fill price the venue
    would have to compute) on exchanges with ``createOrderWithTakeProfitAndStopLoss``."""
    exits = intent.exits
    assert exits is not None
    venue = exchange.id
    if not _has(exchange, "createOrderWithTakeProfitAndStopLoss"):
        raise VenueRefusal(
            f"{venue} has no native bracket order in ccxt "
            "(createOrderWithTakeProfitAndStopLoss not set in exchange.has)"
        )
    if exits.trailing is not None:
        raise VenueRefusal(f"{venue}: a trailing exit cannot be attached to an entry in ccxt")
    params: dict[str, Any] = {}
    for name, level in (("stopLoss", exits.stop_loss), ("takeProfit", exits.take_profit)):
        if level is None:
            continue
        if level.price is None:
            raise VenueRefusal(
                f"{venue}: a bracket sent with its entry needs absolute exit prices "
                f"({name} is given as a percent or an offset of the fill price)"
            )
        params[name] = {"triggerPrice": _text(level.price)}
    return params


def _limits(market: dict[str, Any], group: str) -> tuple[Decimal | None, Decimal | None]:
    limits = (market.get("limits") or {}).get(group) or {}
    low, high = to_decimal(limits.get("min")), to_decimal(limits.get("max"))
    return (low if low else None), (high if high else None)


def _check_limits(
    venue: str, symbol: str, market: dict[str, Any], amount: Decimal, price: Decimal | None
) -> None:
    low, high = _limits(market, "amount")
    if low is not None and amount < low:
        raise VenueRefusal(f"{venue}: amount {_text(amount)} < min amount {low} for {symbol}")
    if high is not None and amount > high:
        raise VenueRefusal(f"{venue}: amount {_text(amount)} > max amount {high} for {symbol}")
    if price is None:
        return
    low, high = _limits(market, "price")
    if low is not None and price < low:
        raise VenueRefusal(f"{venue}: price {_text(price)} < min price {low} for {symbol}")
    if high is not None and price > high:
        raise VenueRefusal(f"{venue}: price {_text(price)} > max price {high} for {symbol}")
    cost = amount * contract_size(market) * price
    low, high = _limits(market, "cost")
    if low is not None and cost < low:
        raise VenueRefusal(f"{venue}: cost {_text(cost)} < min cost {low} for {symbol}")
    if high is not None and cost > high:
        raise VenueRefusal(f"{venue}: cost {_text(cost)} > max cost {high} for {symbol}")


def _precise(exchange: ccxt.Exchange, what: str, symbol: str, value: Decimal) -> str:
    import ccxt

    convert = exchange.amount_to_precision if what == "amount" else exchange.price_to_precision
    try:
        with decimal.localcontext():
            text = convert(symbol, _text(value))
    except ccxt.BaseError as exc:
        raise VenueRefusal(f"{exchange.id}: {what} {_text(value)} for {symbol}: {exc}") from None
    if Decimal(text) != value:
        raise VenueRefusal(
            f"{exchange.id}: {what} {_text(value)} is off {symbol}'s precision "
            f"(ccxt's {what}_to_precision gives {text})"
        )
    return text


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str, sort_keys=True))


def build_request(
    exchange: ccxt.Exchange, intent: OrderIntent, mark: Decimal | None
) -> dict[str, Any]:
    """The unified ``create_order`` call for ``intent`` (module docstring); ``mark`` (the
    last price) values a market order for the cost limit."""
    import ccxt

    venue, symbol = exchange.id, intent.symbol
    market = (exchange.markets or {}).get(symbol)
    if market is None:
        raise VenueRefusal(f"{venue} has no market {symbol}")
    if market.get("active") is False:
        raise VenueRefusal(f"{venue}: market {symbol} is not active")
    if is_inverse(market):
        raise VenueRefusal(
            f"{venue}: {symbol} is an inverse contract; logos trades base-currency quantities"
        )
    if intent.time_in_force is TimeInForce.DAY:
        raise VenueRefusal(f"{venue}: ccxt has no DAY time in force (GTC, IOC, FOK, PO)")
    kind, price, params = order_shape(exchange, market, intent)
    amount = intent.qty / contract_size(market)
    amount_text = _precise(exchange, "amount", symbol, amount)
    price_text = None if price is None else _precise(exchange, "price", symbol, price)
    for key in ("triggerPrice", "trailingTriggerPrice"):
        if key in params:
            params[key] = _precise(exchange, "price", symbol, Decimal(params[key]))
    _check_limits(venue, symbol, market, amount, price if price is not None else mark)
    mapped = maps_client_order_id(venue)
    if mapped:
        params["clientOrderId"] = intent.client_order_id
    request: dict[str, Any] = {
        "method": "create_order",
        "symbol": symbol,
        "type": kind,
        "side": intent.side.value,
        "amount": amount_text,
        "price": price_text,
        "params": params,
        "client_order_id": intent.client_order_id if mapped else None,
    }
    if not mapped:
        request["note"] = f"{venue} ignores clientOrderId (ccxt's create_order does not send it)"
    builder = getattr(exchange, "create_order_request", None)
    if builder is not None:
        try:
            with decimal.localcontext():
                raw = builder(symbol, kind, intent.side.value, amount_text, price_text, params)
        except (ccxt.InvalidOrder, ccxt.ArgumentsRequired, ccxt.BadRequest) as exc:
            raise VenueRefusal(f"{venue}: ccxt refuses the order: {exc}") from None
        except ccxt.BaseError as exc:
            request["raw_error"] = f"{type(exc).__name__}: {exc}"
        else:
            request["raw"] = _jsonable(raw)
    return _jsonable(request)
