"""Whether the paper broker accepts an order, and how much cash/margin it holds for it.

Checks, in this order; the first failure is the rejection reason:

1. unknown symbol: with symbol metadata configured, a symbol without metadata; with none
   configured, a symbol the broker has no price for (never marked, filled or seen in a bar);
2. shape (:func:`logos.brokers.rejections.check_shape`): limit price presence, tick and lot
   grid, fractionability, min/max qty;
3. no price: a market order for a symbol that has no mark yet;
4. min notional: qty × reference price below the symbol's ``min_notional``;
5. short: a sell that could leave the position below zero (counting working sells) when
   shorting is disabled, or on a symbol whose metadata says it is not shortable;
6. funds: the part of the order that opens or increases exposure must fit in
   ``leverage × equity − gross exposure − already reserved``. With margin off the leverage
   is 1, which for a long-only account is exactly "cash − cash reserved by working buys".

A reduce-only order (a protective exit, a take-profit) is accepted only while it has a
position to reduce; it opens nothing, so it holds no cash, and the short check does not
apply to it. Reduce-only working orders are left out of the other orders' checks too: they
can never add exposure.

Reference price: the limit price for a limit buy (and a buy stop-limit), max(limit, mark)
for a limit sell, the stop moved against the trader by the slippage for a buy stop, the
mark moved against the trader by the slippage for a market order (and a sell stop or a
trailing stop); the per-unit reservation adds the fee the fill would pay (taker for market
and stops, maker for limit).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import NamedTuple

from logos.brokers import fills as rules
from logos.brokers.inventory import ZERO
from logos.brokers.paper_state import PaperParams
from logos.brokers.rejections import RejectReason, check_shape, reason_text
from logos.domain import Liquidity, Order, OrderIntent, OrderType, Side, SymbolMeta
from logos.money import multiply, subtract


class AccountView(NamedTuple):
    """What the checks need to know about the account and the symbol's book."""

    metas_configured: bool
    meta: SymbolMeta | None
    mark: Decimal | None
    bar_seen: bool
    position: Decimal
    working: tuple[Order, ...]
    equity: Decimal
    gross_exposure: Decimal
    reserved: Decimal


class Verdict(NamedTuple):
    """``problem`` (the rejection reason) or the reservation of an accepted order."""

    problem: str | None
    reserve_qty: Decimal = ZERO
    reserve_price: Decimal = ZERO


def reference_price(
    intent: OrderIntent, mark: Decimal | None, slippage_bps: Decimal
) -> Decimal | None:
    """The price used to value ``intent`` before it fills (``None``: no price known)."""
    kind = intent.type
    if (
        kind is OrderType.LIMIT
        or kind is OrderType.TAKE_PROFIT
        or (kind is OrderType.STOP_LIMIT and intent.side is Side.BUY)
    ):
        assert intent.limit_price is not None
        if intent.side is Side.SELL and mark is not None:
            return max(intent.limit_price, mark)
        return intent.limit_price
    if kind.is_stop and intent.side is Side.BUY and intent.stop_price is not None:
        stop = rules.slipped(intent.stop_price, Side.BUY, slippage_bps)
        return stop if mark is None else max(stop, rules.slipped(mark, Side.BUY, slippage_bps))
    return None if mark is None else rules.slipped(mark, Side.BUY, slippage_bps)


def buying_power(
    params: PaperParams, equity: Decimal, gross_exposure: Decimal, reserved: Decimal
) -> Decimal:
    """Room for new exposure: ``leverage × equity − gross exposure − reserved``."""
    return subtract(subtract(multiply(params.leverage, equity), gross_exposure), reserved)


def insufficient_funds(params: PaperParams, detail: str) -> str:
    """The reason for an order the cash (or, with margin on, the margin) cannot cover."""
    code = (
        RejectReason.INSUFFICIENT_MARGIN if params.allow_margin else RejectReason.INSUFFICIENT_CASH
    )
    return reason_text(code, detail)


def _remaining(working: Iterable[Order], side: Side) -> Decimal:
    return sum((o.remaining_qty for o in working if o.side is side and not o.reduce_only), ZERO)


def opening_qty(intent: OrderIntent, position: Decimal, working: Iterable[Order]) -> Decimal:
    """The part of ``intent`` that opens or increases exposure, given working orders."""
    if intent.reduce_only:
        return ZERO
    working = tuple(working)
    if intent.side is Side.BUY:
        closable = max(ZERO, -position - _remaining(working, Side.BUY))
    else:
        closable = max(ZERO, position - _remaining(working, Side.SELL))
    return max(ZERO, intent.qty - closable)


def _unknown(intent: OrderIntent, view: AccountView) -> bool:
    if view.metas_configured:
        return view.meta is None
    return view.mark is None and not view.bar_seen


def _reduce_problem(intent: OrderIntent, position: Decimal) -> str | None:
    reduces = position > 0 if intent.side is Side.SELL else position < 0
    if reduces:
        return None
    return reason_text(
        RejectReason.NOTHING_TO_REDUCE,
        f"a reduce-only {intent.side.value} of {intent.symbol} with a position of {position}",
    )


def _short_problem(intent: OrderIntent, view: AccountView, params: PaperParams) -> str | None:
    if intent.reduce_only:
        return _reduce_problem(intent, view.position)
    if intent.side is not Side.SELL:
        return None
    worst = view.position - _remaining(view.working, Side.SELL) - intent.qty
    if worst >= 0:
        return None
    if not params.allow_short:
        return reason_text(
            RejectReason.SHORT_DISABLED,
            f"selling {intent.qty} {intent.symbol} could go short ({worst}); allow_short is off",
        )
    if view.meta is not None and not view.meta.shortable:
        return reason_text(RejectReason.NOT_SHORTABLE, f"{intent.symbol} is not shortable")
    return None


def evaluate(
    intent: OrderIntent,
    view: AccountView,
    params: PaperParams,
    *,
    slippage_bps: Decimal | None = None,
    fee_bps: Callable[[Liquidity], Decimal] | None = None,
) -> Verdict:
    """Run the checks of the module docstring; the verdict says reject (why) or accept.

    ``slippage_bps`` (default ``params.slippage_bps``) moves a market order's reference price;
    ``fee_bps`` (default ``params.fee_bps_for``) gives the fee of a fill by its liquidity: a
    simulated broker's fill and fee models supply both (:mod:`logos.brokers.simulated`).
    """
    if _unknown(intent, view):
        return Verdict(
            reason_text(RejectReason.UNKNOWN_SYMBOL, f"no metadata or price for {intent.symbol}")
        )
    problem = check_shape(intent, view.meta)
    if problem is not None:
        return Verdict(problem)
    slippage = params.slippage_bps if slippage_bps is None else slippage_bps
    ref = reference_price(intent, view.mark, slippage)
    if ref is None:
        return Verdict(reason_text(RejectReason.NO_PRICE, f"no price yet for {intent.symbol}"))
    min_notional = view.meta.min_notional if view.meta is not None else None
    if min_notional is not None and intent.qty * ref < min_notional:
        return Verdict(
            reason_text(
                RejectReason.BELOW_MIN_NOTIONAL,
                f"notional {intent.qty * ref} < min_notional {min_notional}",
            )
        )
    problem = _short_problem(intent, view, params)
    if problem is not None:
        return Verdict(problem)
    fees = params.fee_bps_for if fee_bps is None else fee_bps
    per_unit = rules.with_fee(ref, fees(rules.liquidity_of(intent.type)))
    opening = opening_qty(intent, view.position, view.working)
    need = multiply(opening, per_unit)
    available = buying_power(params, view.equity, view.gross_exposure, view.reserved)
    if need > available:
        return Verdict(insufficient_funds(params, f"needs {need}, available {available}"))
    return Verdict(None, opening, per_unit)
