"""Entry point of the ``logos_yf`` plugin."""

from __future__ import annotations

import logos
from logos.hookspecs import Register
from logos_yf.feed import YFinanceFeed


@logos.hookimpl
def register_feeds(register: Register) -> None:
    """Register feed ``yfinance``."""
    register(YFinanceFeed)
