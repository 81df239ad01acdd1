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
    MISSING_STOP_PRICE = "missing_stop_price"
    UNEXPECTED_STOP_PRICE = "unexpected_stop_price"
    BAD_TRAIL = "bad_trail"
    NOT_REDUCE_ONLY = "not_reduce_only"
    NOTHING_TO_REDUCE = "nothing_to_reduce"
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

    In order: the prices the order type needs, present exactly when it needs them (limit
    price for limit, stop-limit and take-profit; stop price for stop and stop-limit; one
    trailing distance for a trailing stop), a take-profit reduce-only, prices on the tick
    grid, quantity on the lot grid, whole quantity for a non-fractionable symbol, min and max
    qty.
    """
    problem = _type_problem(intent)
    if problem is not None or meta is None:
        return problem
    qty = intent.qty
    for label, price in (("limit", intent.limit_price), ("stop", intent.stop_price)):
        if price is not None and meta.tick_size is not None and not on_grid(price, meta.tick_size):
            return reason_text(
                RejectReason.OFF_TICK_GRID,
                f"{label} price {price} is not a multiple of {meta.tick_size}",
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


def _type_problem(intent: OrderIntent) -> str | None:
    """Whether ``intent`` carries exactly the prices its type needs."""
    kind = intent.type
    article = "an" if kind.value[0] in "aeiou" else "a"
    name = f"{article} {kind.value.replace('_', '-')} order"
    if kind.has_limit and intent.limit_price is None:
        return reason_text(RejectReason.MISSING_LIMIT_PRICE, f"{name} needs a limit_price")
    if not kind.has_limit and intent.limit_price is not None:
        return reason_text(
            RejectReason.UNEXPECTED_LIMIT_PRICE, f"{name} must not have a limit_price"
        )
    if kind in (OrderType.STOP, OrderType.STOP_LIMIT) and intent.stop_price is None:
        return reason_text(RejectReason.MISSING_STOP_PRICE, f"{name} needs a stop_price")
    if not kind.is_stop and intent.stop_price is not None:
        return reason_text(RejectReason.UNEXPECTED_STOP_PRICE, f"{name} must not have a stop_price")
    trails = (intent.trail_amount is not None) + (intent.trail_percent is not None)
    if kind is OrderType.TRAILING_STOP and trails != 1:
        return reason_text(
            RejectReason.BAD_TRAIL, f"{name} needs one of trail_amount or trail_percent"
        )
    if kind is not OrderType.TRAILING_STOP and trails:
        return reason_text(RejectReason.BAD_TRAIL, f"{name} must not have a trailing distance")
    if kind is OrderType.TAKE_PROFIT and not intent.reduce_only:
        return reason_text(RejectReason.NOT_REDUCE_ONLY, f"{name} closes a position: reduce_only")
    return None
