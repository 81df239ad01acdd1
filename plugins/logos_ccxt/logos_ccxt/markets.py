"""ccxt markets → :class:`~logos.domain.SymbolMeta`.

What a ccxt market's ``precision`` numbers mean depends on the exchange's
``precisionMode`` (``ccxt/base/decimal_to_precision.py``):

* ``TICK_SIZE`` (most exchanges today): the number *is* the step (``0.01``);
* ``DECIMAL_PLACES``: the number of decimals (``2`` → step ``0.01``) — e.g. the older binance
  fixture in ``tests/data/markets`` (set ``exchange.precisionMode = ccxt.DECIMAL_PLACES``);
* ``SIGNIFICANT_DIGITS``: a step that depends on the price, so no fixed tick exists; the
  step is left unconstrained (``None``).

Limits: ``amount.min/max`` → ``min_qty``/``max_qty``, ``cost.min`` → ``min_notional``. A missing
value (absent, ``None``, or a zero maximum) means "not constrained". Numbers become Decimals
through their shortest round-trip text, so ``1e-08`` is ``Decimal("1E-8")`` exactly.
Crypto quantities are fractionable; only contract markets (swap, future, option) are
treated as shortable, since spot shorting needs a margin account.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

import ccxt
from ccxt.base.decimal_to_precision import DECIMAL_PLACES, SIGNIFICANT_DIGITS, TICK_SIZE

from logos.domain import SymbolMeta
from logos.errors import DataError, FeedError
from logos.feeds.base import decimal_from_float


def _number(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str):
        return Decimal(value) if value.strip() else None
    if isinstance(value, int):
        return Decimal(value)
    return decimal_from_float(value)


def precision_step(value: Any, precision_mode: int) -> Decimal | None:
    """The step a market's ``precision`` number stands for, under ``precision_mode``."""
    number = _number(value)
    if number is None:
        return None
    if precision_mode == TICK_SIZE:
        return number if number > 0 else None
    if precision_mode == DECIMAL_PLACES:
        if number != number.to_integral_value():
            raise DataError(f"precision {value!r} is not a whole number of decimal places")
        return Decimal(1).scaleb(-int(number))
    if precision_mode == SIGNIFICANT_DIGITS:
        return None
    raise DataError(f"unknown ccxt precisionMode {precision_mode!r}")


def _limit(market: Mapping[str, Any], group: str, bound: str) -> Decimal | None:
    limits = market.get("limits") or {}
    value = _number((limits.get(group) or {}).get(bound))
    if value is None or value < 0 or (bound == "max" and value == 0):
        return None
    return value


def market_to_meta(market: Mapping[str, Any], precision_mode: int) -> SymbolMeta:
    """One ccxt unified market as SymbolMeta (see the module docstring for the rules)."""
    symbol = market.get("symbol")
    if not symbol:
        raise DataError(f"ccxt market without a symbol: id {market.get('id')!r}")
    precision = market.get("precision") or {}
    try:
        return SymbolMeta(
            symbol=symbol,
            base=market.get("base"),
            quote=market.get("quote"),
            tick_size=precision_step(precision.get("price"), precision_mode),
            lot_size=precision_step(precision.get("amount"), precision_mode),
            min_qty=_limit(market, "amount", "min"),
            max_qty=_limit(market, "amount", "max"),
            min_notional=_limit(market, "cost", "min"),
            fractionable=True,
            shortable=bool(market.get("contract") or market.get("swap") or market.get("future")),
        )
    except (DataError, ValueError) as exc:
        raise DataError(f"ccxt market {symbol}: {exc}") from None


def exchange_symbol_meta(
    exchange: ccxt.Exchange, symbols: Iterable[str] | None = None
) -> dict[str, SymbolMeta]:
    """SymbolMeta for ``symbols`` (default: all) from an exchange's loaded markets.

    Loads markets first when the exchange has none (that is a network call). A symbol the
    exchange does not list is a :class:`~logos.errors.FeedError` naming the exchange.
    """
    if not exchange.markets:
        try:
            exchange.load_markets()
        except ccxt.BaseError as exc:
            raise FeedError(f"{exchange.id}: could not load markets: {exc}") from exc
    markets = exchange.markets or {}
    wanted = list(symbols) if symbols is not None else list(markets)
    unknown = [s for s in wanted if s not in markets]
    if unknown:
        raise FeedError(f"{exchange.id} does not list symbol(s): {', '.join(unknown)}")
    return {s: market_to_meta(markets[s], exchange.precisionMode) for s in wanted}
