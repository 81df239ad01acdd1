"""Broker ``alpaca``: Alpaca paper and live trading through alpaca-py's ``TradingClient``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field

from logos.components import NotAvailableYet, Params

if TYPE_CHECKING:  # the adapter's boundary; imported where used (alpaca-py takes ~0.15 s)
    from alpaca.trading.client import TradingClient  # noqa: F401


class AlpacaBroker(NotAvailableYet):
    """Places orders through Alpaca; in dry_run mode validates and quantizes without sending."""

    name = "alpaca"
    planned_in = "a later release (dry-run and live trading through this venue)"

    class Params(Params):
        paper: bool = Field(True, description="use Alpaca's paper-trading endpoint")
        key_env: str = Field("APCA_API_KEY_ID", description="env var holding the API key id")
        secret_env: str = Field("APCA_API_SECRET_KEY", description="env var holding the secret")
