"""Entry point of the ``logos_ib_stub`` plugin."""

from __future__ import annotations

import logos
from logos.hookspecs import Register
from logos_ib_stub.broker import IbBroker


@logos.hookimpl
def register_brokers(register: Register) -> None:
    """Register broker ``ib`` (a stub)."""
    register(IbBroker)
