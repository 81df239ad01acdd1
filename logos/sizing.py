"""Sizing rules: how a signal becomes a target position. Params models are defined here so run
configs can be validated; the translator itself lands with the order-generation issue."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, Field

from logos.components import Params


class SizingCaps(Params):
    """Caps applied to every sizing rule before quantization (``None``: no cap)."""

    max_order_notional: Decimal | None = Field(None, gt=0)
    max_position_notional: Decimal | None = Field(None, gt=0)


class FixedQtyParams(SizingCaps):
    """target position = signal × qty"""

    qty: Decimal = Field(gt=0)


class FixedNotionalParams(SizingCaps):
    """target position = signal × notional ÷ price"""

    notional: Decimal = Field(gt=0)


class PercentEquityParams(SizingCaps):
    """target position = signal × fraction × equity ÷ price"""

    fraction: Decimal = Field(gt=0, le=1)


SIZING_PARAMS: dict[str, type[BaseModel]] = {
    "fixed_qty": FixedQtyParams,
    "fixed_notional": FixedNotionalParams,
    "percent_equity": PercentEquityParams,
}
