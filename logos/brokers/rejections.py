"""Why a broker rejects an order: reason codes and the checks that need only symbol metadata.

A rejected order's ``reason`` reads ``"<code>: <detail>"`` with one of the
:class:`RejectReason` codes, so reports can count rejections per reason.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from logos.domain import OrderIntent, OrderType, SymbolMeta


class RejectReason(StrEnum):
    """The codes a broker rejects with (REJECTED; DENIED belongs to the risk guards)."""

    UNKNOWN_SYMBOL = "unknown_symbol"
    NO_PRICE = "no_price"
    MISSING_LIMIT_PRICE = "missing_limit_price"
    UNEXPECTED_LIMIT_PRICE = "unexpected_limit_price"
    OFF_LOT_GRID = "off_lot_grid"
    OFF_TICK_GRID = "off_tick_grid"
    NOT_FRACTIONABLE = "not_fractionable"
    BELOW_MIN_QTY = "below_min_qty"
    ABOVE_MAX_QTY = "above_max_qty"
    BELOW_MIN_NOTIONAL = "below_min_notional"
    SHORT_DISABLED = "short_disabled"
    NOT_SHORTABLE = "not_shortable"
    INSUFFICIENT_CASH = "insufficient_cash"
    INSUFFICIENT_MARGIN = "insufficient_margin"


def reason_text(code: RejectReason, detail: str) -> str:
    """The ``reason`` stored on a rejected order."""
    return f"{code.value}: {detail}"


def on_grid(value: Decimal, step: Decimal) -> bool:
    """True when ``value`` is an exact multiple of ``step``."""
    return value % step == 0


def check_shape(intent: OrderIntent, meta: SymbolMeta | None) -> str | None:
    """Checks that need only the order and the symbol's metadata; the first failure's reason.

    In order: limit price present exactly for limit orders, limit price on the tick grid,
    quantity on the lot grid, whole quantity for a non-fractionable symbol, min and max qty.
    """
    if intent.type is OrderType.LIMIT and intent.limit_price is None:
        return reason_text(RejectReason.MISSING_LIMIT_PRICE, "a limit order needs a limit_price")
    if intent.type is OrderType.MARKET and intent.limit_price is not None:
        return reason_text(
            RejectReason.UNEXPECTED_LIMIT_PRICE, "a market order must not have a limit_price"
        )
    if meta is None:
        return None
    qty, limit = intent.qty, intent.limit_price
    if limit is not None and meta.tick_size is not None and not on_grid(limit, meta.tick_size):
        return reason_text(
            RejectReason.OFF_TICK_GRID, f"limit price {limit} is not a multiple of {meta.tick_size}"
        )
    if meta.lot_size is not None and not on_grid(qty, meta.lot_size):
        return reason_text(
            RejectReason.OFF_LOT_GRID, f"qty {qty} is not a multiple of lot size {meta.lot_size}"
        )
    if not meta.fractionable and not on_grid(qty, Decimal(1)):
        return reason_text(
            RejectReason.NOT_FRACTIONABLE, f"qty {qty} is fractional; {meta.symbol} is not"
        )
    if meta.min_qty is not None and qty < meta.min_qty:
        return reason_text(RejectReason.BELOW_MIN_QTY, f"qty {qty} < min_qty {meta.min_qty}")
    if meta.max_qty is not None and qty > meta.max_qty:
        return reason_text(RejectReason.ABOVE_MAX_QTY, f"qty {qty} > max_qty {meta.max_qty}")
    return None
