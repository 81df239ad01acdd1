"""The paper fill rules in one readable place (docs/paper_broker.md).

An order accepted while bar t is current is first eligible at bar t+1. On an eligible bar:

- market: fills at the bar's open, moved against the trader by ``slippage_bps``
  (buy: open × (1 + s), sell: open × (1 − s)); taker fee.
- limit buy: fills when low ≤ limit, at min(open, limit); limit sell: fills when high ≥ limit,
  at max(open, limit). A gap through the limit fills at the open (the better price). No
  slippage on limit fills; maker fee.
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
    """Market orders take liquidity (taker fee), limit orders provide it (maker fee)."""
    return Liquidity.TAKER if order_type is OrderType.MARKET else Liquidity.MAKER


def fill_price(order: Order, bar: Bar, slippage_bps: Decimal) -> tuple[Decimal, Liquidity] | None:
    """The price and liquidity at which ``order`` fills on ``bar``, or ``None`` if it does not."""
    liquidity = liquidity_of(order.type)
    if order.type is OrderType.MARKET:
        return slipped(bar.open, order.side, slippage_bps), liquidity
    limit = order.limit_price
    assert limit is not None  # a limit order without a price is rejected at submit
    if order.side is Side.BUY:
        return (min(bar.open, limit), liquidity) if bar.low <= limit else None
    return (max(bar.open, limit), liquidity) if bar.high >= limit else None


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
