"""Feed ``ccxt``: public OHLCV polling for any ccxt exchange (no credentials needed)."""

from __future__ import annotations

from pydantic import Field

from logos.components import NotAvailableYet
from logos_ccxt.params import ExchangeParams


class CcxtFeed(NotAvailableYet):
    """Polls closed 1-minute OHLCV bars from a ccxt exchange's public API."""

    name = "ccxt"
    planned_in = "the 'Data feeds' issue"

    class Params(ExchangeParams):
        poll_interval: float = Field(10.0, gt=0, description="seconds between polls")
