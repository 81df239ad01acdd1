"""Whether a ccxt exchange sends the unified ``clientOrderId`` param with a new order.

ccxt documents ``params={"clientOrderId": ...}`` as unified, and most exchange classes map it
to their own field when they build the order request (binance ``newClientOrderId``, okx
``clOrdId``, bybit ``orderLinkId``, gate ``text`` — prefixed ``t-`` —, kraken ``cl_ord_id``,
kucoin/bitget ``clientOid`` ...). Some do not, and silently drop it; an order placed there
cannot be found again by its client id, so a live session could not reconcile it.

:func:`maps_client_order_id` reads ccxt's own source for the exchange: ``create_order`` and
the methods of the exchange class it calls, three calls deep (``create_order_request``,
kraken's ``order_request`` ...). When none of them reads ``clientOrderId`` (or its common
native names), the exchange ignores it. With ccxt 4.5.90 that is the case for bitflyer, bitso,
coincheck, coinmate, coinspot, hibachi, independentreserve, indodax, luno, mercado, paymium
and zaif (docs/brokers/ccxt.md).
"""

from __future__ import annotations

import inspect
import re
from functools import cache

_CALL = re.compile(r"self\.(\w+)\(")
_NAMES = ("clientOrderId", "clientOid")
DEPTH = 3


def _method_source(cls: type, name: str) -> str | None:
    from ccxt.base.exchange import Exchange

    for klass in cls.__mro__:
        if klass is Exchange or klass is object:
            return None  # ccxt's base class never maps it: only exchange code counts
        if name in vars(klass):
            try:
                return inspect.getsource(vars(klass)[name])
            except (OSError, TypeError):
                return None
    return None


def _sources(cls: type, name: str, depth: int, seen: set[str]) -> list[str]:
    if depth < 0 or name in seen:
        return []
    seen.add(name)
    source = _method_source(cls, name)
    if source is None:
        return []
    found = [source]
    for callee in _CALL.findall(source):
        found += _sources(cls, callee, depth - 1, seen)
    return found


@cache
def maps_client_order_id(exchange_id: str) -> bool:
    """True when ccxt's ``exchange_id`` class sends ``clientOrderId`` with a new order."""
    import ccxt

    text = "\n".join(_sources(getattr(ccxt, exchange_id), "create_order", DEPTH, set()))
    return any(name in text for name in _NAMES)
