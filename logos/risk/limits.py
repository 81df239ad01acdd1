"""Pre-trade limits: order notional, position notional, gross exposure (docs/risk.md).

Each limit approves an order within it, and an order that breaks it is clipped to the
largest quantity within the limit (``on_breach = "clip"``, the default) or denied
(``"reject"``). Orders that only reduce a position always pass the exposure limits: a limit
must never keep a strategy from getting out. Quantities are compared exactly (Decimal).
"""

from __future__ import annotations

from decimal import ROUND_DOWN, Context, Decimal

from pydantic import Field, model_validator

from logos.money import add, multiply, subtract
from logos.reports.text import format_decimal
from logos.risk.guard import (
    APPROVED,
    BreachPolicy,
    Limit,
    LimitParams,
    ProposedOrder,
    RiskGuard,
    Verdict,
)

_TOWARD_ZERO = Context(prec=28, rounding=ROUND_DOWN)
"""Limit ÷ price rounds toward zero, so a clipped order never exceeds its limit."""


def _breach(params: LimitParams, max_qty: Decimal, measured: str, limit: str) -> Verdict:
    if params.on_breach is BreachPolicy.REJECT or max_qty <= 0:
        return Verdict.denied(measured, limit)
    return Verdict.clipped(max_qty, measured, limit)


class MaxOrderNotionalParams(LimitParams):
    """Params of ``max_order_notional``."""

    limit: Limit = Field(description="largest |qty| × price of one order, in the quote currency")


class MaxOrderNotional(RiskGuard):
    """Caps the notional (|quantity| × last close) of every order a strategy sends."""

    name = "max_order_notional"
    Params = MaxOrderNotionalParams

    def check_order(self, order: ProposedOrder) -> Verdict:
        limit = self.params.limit
        notional = multiply(order.intent.qty, order.price)
        if notional <= limit:
            return APPROVED
        measured = f"order notional {format_decimal(notional)}"
        max_qty = _TOWARD_ZERO.divide(limit, order.price)
        return _breach(self.params, max_qty, measured, format_decimal(limit))


class MaxPositionNotionalParams(LimitParams):
    """Params of ``max_position_notional``."""

    limit: Limit = Field(
        description="largest |position + working + order| × price per symbol, in the quote currency"
    )


class MaxPositionNotional(RiskGuard):
    """Caps each symbol's exposure: |position + working orders + this order| × last close."""

    name = "max_position_notional"
    Params = MaxPositionNotionalParams

    def check_order(self, order: ProposedOrder) -> Verdict:
        if order.reduces:
            return APPROVED
        limit = self.params.limit
        after = multiply(order.exposure_after.copy_abs(), order.price)
        if after <= limit:
            return APPROVED
        measured = f"{order.intent.symbol} exposure after the order {format_decimal(after)}"
        room = order.max_qty_for_exposure(_TOWARD_ZERO.divide(limit, order.price))
        return _breach(self.params, room, measured, format_decimal(limit))


class MaxGrossExposureParams(LimitParams):
    """Params of ``max_gross_exposure``: a money limit, a multiple of equity, or both (the
    tighter applies)."""

    limit: Limit | None = Field(
        None, description="largest gross exposure (Σ |exposure| × price), quote currency"
    )
    equity_multiple: Limit | None = Field(
        None, description="largest gross exposure as a multiple of equity (1 = no leverage)"
    )

    @model_validator(mode="after")
    def _one_limit(self) -> MaxGrossExposureParams:
        if self.limit is None and self.equity_multiple is None:
            raise ValueError("max_gross_exposure needs limit (money), equity_multiple, or both")
        return self


class MaxGrossExposure(RiskGuard):
    """Caps the account's gross exposure: Σ over symbols of |position + working| × last
    close, this order included."""

    name = "max_gross_exposure"
    Params = MaxGrossExposureParams

    def _limit(self, order: ProposedOrder) -> tuple[Decimal, str]:
        params = self.params
        limits: list[tuple[Decimal, str]] = []
        if params.limit is not None:
            limits.append((params.limit, format_decimal(params.limit)))
        if params.equity_multiple is not None:
            equity = order.account.equity
            value = multiply(max(equity, Decimal(0)), params.equity_multiple)
            text = (
                f"{format_decimal(value)} ({format_decimal(params.equity_multiple)} × equity "
                f"{format_decimal(equity)})"
            )
            limits.append((value, text))
        return min(limits, key=lambda item: item[0])

    def check_order(self, order: ProposedOrder) -> Verdict:
        if order.reduces:
            return APPROVED
        limit, limit_text = self._limit(order)
        gross = add(order.gross_other, multiply(order.exposure_after.copy_abs(), order.price))
        if gross <= limit:
            return APPROVED
        measured = f"gross exposure after the order {format_decimal(gross)}"
        room = max(subtract(limit, order.gross_other), Decimal(0))
        max_qty = order.max_qty_for_exposure(_TOWARD_ZERO.divide(room, order.price))
        return _breach(self.params, max_qty, measured, limit_text)
