"""The paper broker's state records: params, a working order's bookkeeping, the snapshot."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from logos.brokers.accounting import LedgerState
from logos.components import Params
from logos.domain import (
    Liquidity,
    Order,
    UtcDatetime,
)
from logos.money import multiply

_ZERO = Decimal(0)


class PaperParams(Params):
    """Params of the paper broker (see docs/paper_broker.md)."""

    cash: Decimal = Field(Decimal(100000), gt=0, description="starting cash")
    currency: str | None = Field(
        None,
        min_length=1,
        description="account currency (default: the symbols' quote currency when they "
        "share one, else USD)",
    )
    fee_bps: Decimal = Field(
        Decimal(0), ge=0, lt=10000, description="taker fee (market fills), bps (below 100%)"
    )
    maker_fee_bps: Decimal | None = Field(
        None,
        ge=0,
        lt=10000,
        description="maker fee (limit fills), bps (below 100%); default: same as fee_bps",
    )
    slippage_bps: Decimal = Field(
        Decimal(0),
        ge=0,
        lt=10000,
        description="market fills move this far against the trader, bps (below 100%)",
    )
    volume_participation: Decimal | None = Field(
        None, gt=0, le=1, description="max fraction of a bar's volume filled per bar and symbol"
    )
    allow_short: bool = Field(False, description="allow sells that open or increase a short")
    allow_margin: bool = Field(False, description="allow exposure above equity (max_leverage)")
    max_leverage: Decimal = Field(
        Decimal(1), ge=1, description="gross exposure limit as a multiple of equity (margin only)"
    )
    id_prefix: str = Field(
        "P", pattern=r"^[A-Za-z][A-Za-z0-9]*$", description="order ids P-000001, trades PT-000001"
    )

    @model_validator(mode="after")
    def _leverage_needs_margin(self) -> Self:
        if self.max_leverage != 1 and not self.allow_margin:
            raise ValueError("max_leverage above 1 needs allow_margin = true")
        return self

    @property
    def maker_bps(self) -> Decimal:
        """The maker fee actually charged."""
        return self.fee_bps if self.maker_fee_bps is None else self.maker_fee_bps

    def fee_bps_for(self, liquidity: Liquidity) -> Decimal:
        """The fee, in bps, a fill with this liquidity pays (taker: ``fee_bps``, maker: maker)."""
        return self.fee_bps if liquidity is Liquidity.TAKER else self.maker_bps

    @property
    def leverage(self) -> Decimal:
        """Gross exposure allowed per unit of equity (1 without margin: a cash account)."""
        return self.max_leverage if self.allow_margin else Decimal(1)


@dataclass(slots=True)
class WorkingState:
    """Bookkeeping the paper broker keeps for a working order besides the order itself.

    ``reserve_qty`` is the part of the order that opens or increases exposure (measured at
    acceptance); ``reserve_price`` is the per-unit amount held for it (reference price incl.
    fee and slippage). ``active_day`` is the UTC day of the first bar the order was eligible
    on (DAY orders expire when a later day starts).

    A plain dataclass: the broker makes one per order from values it computed and updates it
    on every fill; :class:`PaperSnapshot` validates its fields when a snapshot is restored.
    """

    order_id: str
    seq: int
    accepted_ts: UtcDatetime
    reserve_qty: Decimal
    reserve_price: Decimal
    active_day: date | None = None
    filled_notional: Decimal = _ZERO

    def reserved(self, order: Order) -> Decimal:
        """What is still held for ``order`` (this state's order, in its latest version)."""
        return multiply(self.reserve_price, min(self.reserve_qty, order.remaining_qty))


class PaperSnapshot(BaseModel):
    """Everything needed to restore a paper broker (``PaperBroker.snapshot``)."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["paper"] = "paper"
    version: Literal[1] = 1
    ledger: LedgerState
    orders: list[Order]
    working: list[WorkingState]
    last_bar_ts: dict[str, UtcDatetime]
    clock: UtcDatetime | None
    order_counter: int
    trade_counter: int
    traded: Decimal = Decimal(0)
    """Notional filled so far (a tiered fee model's volume); absent in older snapshots."""
