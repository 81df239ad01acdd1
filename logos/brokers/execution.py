"""Executing one paper fill: the fill-time buying-power check, then booking it in the ledger.

Cash is checked when an order is accepted, at the last close; the fill happens at a later
open, which can gap. So at fill time the part of a fill that opens or increases exposure,
valued at its fill price plus its fee, must fit in the same room as at acceptance
(:func:`~logos.brokers.acceptance.buying_power`), measured just before the fill and with the
reservations of the *other* working orders held back. What does not fit does not fill: the
fill is cut down to the quantity step (:func:`~logos.brokers.fills.quantity_step`) and the
broker cancels the rest of the order with an ``insufficient_cash`` (``insufficient_margin``)
reason. The part of a fill that closes a position is never cut: exits always fill.

For a cash account without shorts (no margin, ``allow_short`` off) the room is exactly
``cash − cash reserved by other working buys``, so cash never goes below zero.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from logos.brokers import fills as rules
from logos.brokers.acceptance import buying_power, insufficient_funds
from logos.brokers.accounting import Ledger
from logos.brokers.inventory import ZERO
from logos.brokers.paper_state import PaperParams, WorkingState
from logos.domain import (
    Fill,
    Liquidity,
    Order,
    OrderStatus,
    Side,
)
from logos.money import add, multiply, subtract


def opening_part(qty: Decimal, side: Side, position: Decimal) -> Decimal:
    """The part of a fill of ``qty`` on ``side`` that opens or increases exposure."""
    closing = max(ZERO, side.signed(position).copy_negate())
    return max(ZERO, subtract(qty, closing))


def affordable_opening(
    opening: Decimal, per_unit: Decimal, room: Decimal, step: Decimal
) -> Decimal:
    """The most of ``opening`` (a multiple of ``step``) whose cost at ``per_unit`` fits ``room``."""
    if multiply(opening, per_unit) <= room:
        return opening
    if room <= 0:
        return ZERO
    fits = rules.to_step(room / per_unit, step)
    if multiply(fits, per_unit) > room:  # the division rounded up in its last digit
        fits -= step
    return max(ZERO, fits)


class Cut(NamedTuple):
    """How much of a fill may book; ``reason`` (non-empty) says why the rest is canceled."""

    qty: Decimal
    reason: str = ""


def cut_to_buying_power(
    ledger: Ledger,
    params: PaperParams,
    order: Order,
    qty: Decimal,
    price: Decimal,
    fee_bps: Decimal,
    step: Decimal,
    reserved_by_others: Callable[[], Decimal],
) -> Cut:
    """How much of a fill of ``qty`` at ``price`` (paying ``fee_bps``) the buying power
    covers (module docstring).

    The closing part always fits; the opening part is cut to a multiple of ``step``.
    ``reserved_by_others`` is asked only when the fill opens exposure.
    """
    opening = opening_part(qty, order.side, ledger.inventory.qty(order.symbol))
    if opening == 0:
        return Cut(qty)
    per_unit = rules.with_fee(price, fee_bps)
    room = buying_power(params, ledger.equity, ledger.gross_exposure, reserved_by_others())
    fits = affordable_opening(opening, per_unit, room, step)
    if fits == opening:
        return Cut(qty)
    allowed = qty - opening + fits
    detail = (
        f"at fill time {opening} {order.symbol} @ {price} needs {multiply(opening, per_unit)}, "
        f"available {room}; filled {allowed} of {qty}, rest of the order canceled"
    )
    return Cut(allowed, insufficient_funds(params, detail))


class Booked(NamedTuple):
    """A booked fill and the order fields it changes."""

    fill: Fill
    status: OrderStatus
    filled_qty: Decimal
    avg_fill_price: Decimal


def book(
    ledger: Ledger,
    order: Order,
    state: WorkingState,
    *,
    ts: datetime,
    qty: Decimal,
    price: Decimal,
    liquidity: Liquidity,
    fee_bps: Decimal,
    trade_id: str,
) -> Booked:
    """Book a fill of ``qty`` at ``price`` on bar ``ts``: ledger, the order's fill totals.

    Adds the fill's notional to ``state.filled_notional`` (for the average fill price).
    """
    fee = rules.fee(qty, price, fee_bps)
    outcome = ledger.book_fill(order.symbol, order.side, qty, price, fee, ts, trade_id)
    values = {
        "trade_id": trade_id,
        "order_id": order.order_id,
        "client_order_id": order.client_order_id,
        "ts": ts,
        "symbol": order.symbol,
        "side": order.side,
        "qty": qty,
        "price": price,
        "fee": fee,
        "liquidity": liquidity,
        "realized_pnl": outcome.realized_pnl,
    }
    fill = Fill(**values)
    state.filled_notional = add(state.filled_notional, multiply(qty, price))
    filled = add(order.filled_qty, qty)
    status = OrderStatus.FILLED if filled == order.qty else OrderStatus.PARTIALLY_FILLED
    return Booked(fill, status, filled, state.filled_notional / filled)
