"""Entry point of the ``logos_ccxt`` plugin."""

from __future__ import annotations

import logos
from logos.hookspecs import Register
from logos_ccxt.broker import CcxtBroker
from logos_ccxt.feed import CcxtFeed


@logos.hookimpl
def register_feeds(register: Register) -> None:
    """Register feed ``ccxt``."""
    register(CcxtFeed)


@logos.hookimpl
def register_brokers(register: Register) -> None:
    """Register broker ``ccxt``."""
    register(CcxtBroker)
