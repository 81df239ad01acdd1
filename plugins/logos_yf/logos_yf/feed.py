"""Feed ``yfinance``: polls 1-minute equity bars through the yfinance library."""

from __future__ import annotations

import yfinance  # noqa: F401 - the feed's boundary
from pydantic import Field

from logos.components import NotAvailableYet, Params


class YFinanceFeed(NotAvailableYet):
    """Polls closed 1-minute bars for equities from Yahoo Finance."""

    name = "yfinance"
    planned_in = "the 'Data feeds' issue"

    class Params(Params):
        poll_interval: float = Field(30.0, gt=0, description="seconds between polls")
