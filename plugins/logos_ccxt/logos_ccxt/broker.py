"""Broker ``ccxt``: dry-run and live orders on a ccxt exchange."""

from __future__ import annotations

from logos.components import NotAvailableYet
from logos_ccxt.params import ExchangeParams


class CcxtBroker(NotAvailableYet):
    """Places orders on a ccxt exchange; in dry_run mode validates and quantizes without sending."""

    name = "ccxt"
    planned_in = "a later release (dry-run and live trading through this venue)"

    class Params(ExchangeParams):
        sandbox: bool = False
