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

Contracts: logos quantities are always in the base currency. A linear contract market's
ccxt amounts are contracts of ``contractSize`` base units each (okx BTC/USDT:USDT: 0.01 BTC),
so its lot size, min and max quantity are the contract numbers times the contract size
(:func:`contract_size`); the broker divides by it again when it builds a request. An inverse
contract's size is in the quote currency (100 USD per contract), which has no fixed base
quantity: its numbers are left in contracts and the broker refuses to trade it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from logos.domain import SymbolMeta
from logos.errors import DataError, FeedError
from logos.feeds.base import decimal_from_float

if TYPE_CHECKING:
    import ccxt

# ccxt's precision modes (ccxt/base/decimal_to_precision.py), named here so that importing
# this module (the broker does, whenever plugins load) does not import ccxt
DECIMAL_PLACES, SIGNIFICANT_DIGITS, TICK_SIZE = 2, 3, 4


def to_decimal(value: Any) -> Decimal | None:
    """A ccxt number (float, int, str or None) as an exact Decimal (None: missing)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str):
        return Decimal(value) if value.strip() else None
    if isinstance(value, int):
        return Decimal(value)
    return decimal_from_float(value)


def precision_step(value: Any, precision_mode: int) -> Decimal | None:
    """The step a market's ``precision`` number stands for, under ``precision_mode``."""
    number = to_decimal(value)
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
    value = to_decimal((limits.get(group) or {}).get(bound))
    if value is None or value < 0 or (bound == "max" and value == 0):
        return None
    return value


def is_inverse(market: Mapping[str, Any]) -> bool:
    """True for an inverse contract (its size is in the quote currency)."""
    return bool(market.get("contract") and market.get("inverse"))


def contract_size(market: Mapping[str, Any]) -> Decimal:
    """Base units per ccxt amount unit: a linear contract's ``contractSize``, else 1."""
    if not market.get("contract") or is_inverse(market):
        return Decimal(1)
    size = to_decimal(market.get("contractSize"))
    return size if size is not None and size > 0 else Decimal(1)


def _scaled(value: Decimal | None, size: Decimal) -> Decimal | None:
    return None if value is None else value * size


def market_to_meta(market: Mapping[str, Any], precision_mode: int) -> SymbolMeta:
    """One ccxt unified market as SymbolMeta (see the module docstring for the rules)."""
    symbol = market.get("symbol")
    if not symbol:
        raise DataError(f"ccxt market without a symbol: id {market.get('id')!r}")
    precision = market.get("precision") or {}
    size = contract_size(market)
    try:
        return SymbolMeta(
            symbol=symbol,
            base=market.get("base"),
            quote=market.get("quote"),
            tick_size=precision_step(precision.get("price"), precision_mode),
            lot_size=_scaled(precision_step(precision.get("amount"), precision_mode), size),
            min_qty=_scaled(_limit(market, "amount", "min"), size),
            max_qty=_scaled(_limit(market, "amount", "max"), size),
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
    import ccxt

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
