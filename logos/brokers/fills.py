"""The paper fill rules in one readable place (docs/paper_broker.md).

An order accepted while bar t is current is first eligible at bar t+1. On an eligible bar:

- market: fills at the bar's open, moved against the trader by ``slippage_bps``
  (buy: open × (1 + s), sell: open × (1 − s)); taker fee.
- limit buy: fills when low ≤ limit, at min(open, limit); limit sell: fills when high ≥ limit,
  at max(open, limit). A gap through the limit fills at the open (the better price). No
  slippage on limit fills; maker fee.
- stop (sell, protecting a long): triggers when low ≤ stop, fills at min(open, stop) moved
  against the trader by ``slippage_bps`` — a gap through the stop fills at the open, never
  at the better stop price; a buy stop mirrors it (high ≥ stop, max(open, stop)). Taker fee.
- stop-limit: triggers as a stop; on the trigger bar it fills only if the price it triggered
  at (min(open, stop) for a sell) is no worse than the limit, at that price (taker);
  otherwise it rests from the next bar as a limit order (maker).
- trailing stop: a stop at its current level; after a bar on which it did not trigger, the
  level follows that bar's high (a sell) or low (a buy) by the trailing distance, only ever
  toward the market (:func:`trailed_level`).
- take-profit: a reduce-only limit order (maker).
- fee = quantity × price × bps / 10 000, exact Decimal (no rounding).
- participation cap (optional): at most cap × bar volume fills per bar and symbol, shared by
  every order on that bar in acceptance order (FIFO); each fill is truncated to the order's
  quantity step (:func:`quantity_step`). A zero-volume bar fills nothing while the cap is on.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal
from functools import lru_cache

from logos.domain import Bar, Liquidity, Order, OrderType, Side, SymbolMeta
from logos.money import add, multiply

BPS = Decimal(10000)


def rate(bps: Decimal) -> Decimal:
    """Basis points as a fraction (exact: a division by 10 000 only moves the point)."""
    return bps / BPS


def slipped(price: Decimal, side: Side, slippage_bps: Decimal) -> Decimal:
    """``price`` moved against a trader on ``side`` by ``slippage_bps``."""
    if not slippage_bps:
        return price
    return multiply(price, add(1, side.signed(rate(slippage_bps))))


def with_fee(price: Decimal, fee_bps: Decimal) -> Decimal:
    """What one unit bought at ``price`` costs with its fee: price × (1 + bps / 10 000)."""
    return multiply(price, add(1, rate(fee_bps)))


def liquidity_of(order_type: OrderType) -> Liquidity:
    """Market and stop orders take liquidity (taker fee); limit orders provide it (maker)."""
    return Liquidity.TAKER if order_type in _TAKERS else Liquidity.MAKER


_TAKERS = frozenset({OrderType.MARKET, OrderType.STOP, OrderType.TRAILING_STOP})


def fill_price(order: Order, bar: Bar, slippage_bps: Decimal) -> tuple[Decimal, Liquidity] | None:
    """The price and liquidity at which ``order`` fills on ``bar``, or ``None`` if it does not."""
    kind = order.type
    if kind is OrderType.MARKET:
        return slipped(bar.open, order.side, slippage_bps), Liquidity.TAKER
    if kind.is_stop and order.triggered:  # what is left after a partial fill, or a resting
        if kind is OrderType.STOP_LIMIT:  # stop-limit's limit order
            return limit_fill(order.side, order.limit_price, bar)
        return slipped(bar.open, order.side, slippage_bps), Liquidity.TAKER
    if kind.is_stop:
        at = trigger_price(order, bar)
        if at is None:
            return None
        if kind is not OrderType.STOP_LIMIT:
            return slipped(at, order.side, slippage_bps), Liquidity.TAKER
        limit = order.limit_price
        assert limit is not None  # a stop-limit without a limit price is rejected at submit
        no_worse = at <= limit if order.side is Side.BUY else at >= limit
        return (at, Liquidity.TAKER) if no_worse else None
    return limit_fill(order.side, order.limit_price, bar)


def limit_fill(side: Side, limit: Decimal | None, bar: Bar) -> tuple[Decimal, Liquidity] | None:
    """A resting limit order on ``bar``: a buy fills when low ≤ limit at min(open, limit), a
    sell when high ≥ limit at max(open, limit); maker."""
    assert limit is not None  # a limit-type order without a price is rejected at submit
    if side is Side.BUY:
        return (min(bar.open, limit), Liquidity.MAKER) if bar.low <= limit else None
    return (max(bar.open, limit), Liquidity.MAKER) if bar.high >= limit else None


def trigger_price(order: Order, bar: Bar) -> Decimal | None:
    """Where a stop-type ``order`` triggers on ``bar`` (before slippage), ``None`` if it does
    not: a sell stop when low ≤ stop, at min(open, stop); a buy stop when high ≥ stop, at
    max(open, stop). A gap through the stop triggers at the open."""
    stop = order.stop_price
    assert stop is not None  # a stop without a level is rejected (or given one) at submit
    if order.side is Side.SELL:
        return min(bar.open, stop) if bar.low <= stop else None
    return max(bar.open, stop) if bar.high >= stop else None


def crosses_at_open(order: Order, bar: Bar) -> bool:
    """True when ``order`` would fill at ``bar``'s very first price: its trigger or limit is
    already crossed at the open. Of two one-cancels-other legs touched on one bar, such a
    leg is known to have filled first."""
    kind = order.type
    if kind is OrderType.MARKET or (kind.is_stop and order.triggered and not kind.has_limit):
        return True
    level = order.stop_price if kind.is_stop and not order.triggered else order.limit_price
    if level is None:
        return False
    stop_like = kind.is_stop and not order.triggered
    if order.side is Side.SELL:
        return bar.open <= level if stop_like else bar.open >= level
    return bar.open >= level if stop_like else bar.open <= level


def trailed_level(order: Order, bar: Bar) -> Decimal | None:
    """The level a trailing stop moves to after ``bar`` (on which it did not trigger), or
    ``None`` when it stays: a sell stop trails the bar's high down by the distance and only
    rises; a buy stop trails the low up by it and only falls."""
    current = order.stop_price
    anchor = bar.high if order.side is Side.SELL else bar.low
    level = trail_from(anchor, order.side, order.trail_amount, order.trail_percent)
    if level is None or current is None:
        return level
    better = level > current if order.side is Side.SELL else level < current
    return level if better else None


def trail_from(
    anchor: Decimal, side: Side, amount: Decimal | None, percent: Decimal | None
) -> Decimal | None:
    """A trailing stop's level ``amount`` or ``percent`` away from ``anchor``, on the side that
    protects: below it for a sell stop, above it for a buy stop (``None``: not positive)."""
    if amount is not None:
        level = anchor - amount if side is Side.SELL else anchor + amount
    else:
        assert percent is not None
        level = multiply(anchor, add(1, -percent if side is Side.SELL else percent))
    return level if level > 0 else None


def fee(qty: Decimal, price: Decimal, bps: Decimal) -> Decimal:
    """Fee of a fill: qty × price × bps / 10 000, exact."""
    return multiply(multiply(qty, price), rate(bps))


def to_step(qty: Decimal, step: Decimal) -> Decimal:
    """``qty`` truncated toward zero to a multiple of ``step``."""
    return (qty / step).to_integral_value(rounding=ROUND_DOWN) * step


def quantity_step(qty: Decimal, meta: SymbolMeta | None) -> Decimal:
    """The step a cut-down fill of an order for ``qty`` is truncated to.

    The symbol's lot size; without one, whole units for a non-fractionable symbol, else the
    precision of the order's own quantity (an order for 10 is cut to whole units, one for
    2.5 to tenths), so a partial fill is never a finer fraction than the trader asked for.
    """
    if meta is not None and meta.lot_size is not None:
        return meta.lot_size
    step = _precision_step(qty)
    return step if meta is None or meta.fractionable else max(step, Decimal(1))


@lru_cache(maxsize=4096)
def _precision_step(qty: Decimal) -> Decimal:
    """10 ** -(fractional digits of ``qty``), at most 1. Cached: every fill asks, and orders
    repeat few quantities (equal Decimals hash alike and give the same step)."""
    exponent = qty.normalize().as_tuple().exponent
    assert isinstance(exponent, int)  # a positive finite quantity
    return Decimal(1).scaleb(min(0, exponent))


def participation_budget(bar: Bar, cap: Decimal | None) -> Decimal | None:
    """How much may fill on ``bar`` in total (``None``: no cap)."""
    return None if cap is None else cap * bar.volume


def fill_qty(remaining: Decimal, budget: Decimal | None, step: Decimal) -> Decimal:
    """Quantity an order fills given the budget left on this bar (0: none)."""
    if budget is None:
        return remaining
    return min(remaining, to_step(budget, step))
