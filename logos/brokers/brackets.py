"""Bracket legs: the protective exits an entry arms when it fills (docs/orders.md).

An entry order may carry a :class:`~logos.domain.Bracket` (stop-loss, take-profit, trailing).
When the entry fills — partially too — the broker arms one leg per exit, on the other side,
reduce-only, sized to what filled, linked to the entry by ``parent_id`` and to each other by
``oco_id`` (a fill of one leg cancels the others). A later fill of the entry adds its
quantity to the working legs.

Levels are worked out from the entry's average fill price at the first fill and put on the
symbol's tick grid toward that price, so rounding only ever tightens the protection: a
long's stop-loss rounds up, its take-profit down (a short's the other way).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from logos.brokers.fills import trail_from
from logos.domain import ExitLevel, Order, OrderIntent, OrderType, Side, SymbolMeta
from logos.money import add, multiply

CLIENT_ID_MAX = 36
"""Longest client order id a leg gets (what Binance and Bybit accept)."""


def level_price(level: ExitLevel, entry_price: Decimal, exit_side: Side, *, loss: bool) -> Decimal:
    """The absolute price of ``level`` for an exit on ``exit_side`` of an entry filled at
    ``entry_price``: a stop-loss (``loss``) below a long's entry (above a short's), a
    take-profit above it (below)."""
    if level.price is not None:
        return level.price
    below = (exit_side is Side.SELL) == loss
    if level.percent is not None:
        return multiply(entry_price, add(1, -level.percent if below else level.percent))
    assert level.offset is not None
    return entry_price - level.offset if below else entry_price + level.offset


def to_tick(price: Decimal, meta: SymbolMeta | None, *, up: bool) -> Decimal:
    """``price`` on the tick grid of ``meta``, rounded up or down (unchanged without one)."""
    tick = meta.tick_size if meta is not None else None
    if tick is None:
        return price
    steps = (price / tick).to_integral_value(rounding=ROUND_CEILING if up else ROUND_FLOOR)
    return steps * tick


def tighter(price: Decimal, exit_side: Side, meta: SymbolMeta | None, *, loss: bool) -> Decimal:
    """``price`` on the tick grid, rounded toward the entry: a sell stop up, a buy stop down,
    a sell take-profit down, a buy take-profit up."""
    return to_tick(price, meta, up=(exit_side is Side.SELL) == loss)


def leg_client_id(entry_client_id: str, leg: str, n: int) -> str:
    """A leg's client order id: the entry's with the leg's code and arming count
    (``<entry>.sl1``); shortened with a digest of the full id past :data:`CLIENT_ID_MAX`."""
    text = f"{entry_client_id}.{leg}{n}"
    if len(text) <= CLIENT_ID_MAX:
        return text
    digest = hashlib.sha256(text.encode()).hexdigest()[:10]
    suffix = f".{leg}{n}"
    return f"{entry_client_id[: CLIENT_ID_MAX - len(suffix) - len(digest) - 1]}_{digest}{suffix}"


def leg_intents(
    entry: Order, qty: Decimal, meta: SymbolMeta | None, n: int
) -> Iterator[OrderIntent]:
    """The legs ``entry``'s bracket arms for ``qty`` (the ``n``-th arming of this entry):
    a stop leg (a trailing stop when the bracket trails, starting at the stop-loss level when
    it has one) and a take-profit leg."""
    bracket = entry.exits
    assert bracket is not None and entry.avg_fill_price is not None
    price, side = entry.avg_fill_price, entry.side.opposite
    common = {
        "symbol": entry.symbol,
        "side": side,
        "qty": qty,
        "reduce_only": True,
        "parent_id": entry.order_id,
        "oco_id": f"{entry.order_id}.oco{n}",
        "ts": entry.ts_updated,
    }
    stop = None
    if bracket.stop_loss is not None:
        stop = tighter(
            level_price(bracket.stop_loss, price, side, loss=True), side, meta, loss=True
        )
    if bracket.trailing is not None:
        trail = bracket.trailing
        if stop is None:  # without a stop-loss it starts one trailing distance away
            start = trail_from(price, side, trail.offset, trail.percent)
            stop = None if start is None else tighter(start, side, meta, loss=True)
        if stop is not None and stop > 0:
            yield OrderIntent(
                type=OrderType.TRAILING_STOP,
                stop_price=stop,
                trail_amount=trail.offset,
                trail_percent=trail.percent,
                client_order_id=leg_client_id(entry.client_order_id, "tr", n),
                reason=f"trailing stop of {entry.order_id}",
                **common,
            )
    elif stop is not None and stop > 0:
        yield OrderIntent(
            type=OrderType.STOP,
            stop_price=stop,
            client_order_id=leg_client_id(entry.client_order_id, "sl", n),
            reason=f"stop-loss of {entry.order_id}",
            **common,
        )
    if bracket.take_profit is not None:
        target = level_price(bracket.take_profit, price, side, loss=False)
        target = tighter(target, side, meta, loss=False)
        if target > 0:
            yield OrderIntent(
                type=OrderType.TAKE_PROFIT,
                limit_price=target,
                client_order_id=leg_client_id(entry.client_order_id, "tp", n),
                reason=f"take-profit of {entry.order_id}",
                **common,
            )


def exit_kind(order: Order) -> str | None:
    """What kind of protective exit ``order`` is (``stop``, ``trailing``, ``take_profit``), or
    ``None`` for an order that is not one."""
    kind = order.type
    if kind is OrderType.TRAILING_STOP:
        return "trailing"
    if kind is OrderType.TAKE_PROFIT:
        return "take_profit"
    if kind.is_stop and order.reduce_only:
        return "stop"
    return None
