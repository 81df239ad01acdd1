"""Entry point of the ``logos_alpaca`` plugin."""

from __future__ import annotations

import logos
from logos.hookspecs import Register
from logos_alpaca.broker import AlpacaBroker


@logos.hookimpl
def register_brokers(register: Register) -> None:
    """Register broker ``alpaca``."""
    register(AlpacaBroker)
