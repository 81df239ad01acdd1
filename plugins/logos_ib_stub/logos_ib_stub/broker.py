"""Broker ``ib``: a documented stub. Interactive Brokers support is future work.

The stub registers the name and params so configs can be written and validated against them;
constructing it raises ``NotAvailableYetError``. A real adapter would wrap ``ib_async`` (the
maintained successor of ``ib_insync``) against TWS or IB Gateway.
"""

from __future__ import annotations

from pydantic import Field

from logos.components import NotAvailableYet, Params


class IbBroker(NotAvailableYet):
    """Interactive Brokers through TWS / IB Gateway (stub: not implemented)."""

    name = "ib"
    planned_in = "future work (this plugin is a documented stub)"

    class Params(Params):
        host: str = "127.0.0.1"
        port: int = Field(7497, ge=1, le=65535, description="7497 paper TWS, 7496 live TWS")
        client_id: int = Field(1, ge=0)
