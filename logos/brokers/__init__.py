"""Built-in brokers. The paper broker lands with the "Paper broker" issue."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field

from logos.components import Component, NotAvailableYet, Params


class PaperBroker(NotAvailableYet):
    """Deterministic simulated broker: FIFO inventory, fees, slippage, strict order lifecycle."""

    name = "paper"
    planned_in = "the 'Paper broker' issue"

    class Params(Params):
        cash: Decimal = Field(Decimal(100000), gt=0, description="starting cash")
        currency: str = "USD"
        fee_bps: Decimal = Field(Decimal(0), ge=0, description="taker fee in basis points")


BUILTIN_BROKERS: list[type[Component]] = [PaperBroker]
