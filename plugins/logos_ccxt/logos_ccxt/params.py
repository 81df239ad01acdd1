"""Params shared by the ccxt components.

ccxt is imported by the validator, not at module import: loading the plugin (every logos
command does) must not pay ccxt's ~0.2 s import when no ccxt component is configured.
"""

from __future__ import annotations

from pydantic import Field, field_validator

from logos.components import Params


class ExchangeParams(Params):
    """Which ccxt exchange to talk to."""

    exchange: str = Field(description="ccxt exchange id, e.g. 'binance', 'kraken'")

    @field_validator("exchange")
    @classmethod
    def _known_exchange(cls, value: str) -> str:
        import ccxt

        if value not in ccxt.exchanges:
            raise ValueError(f"unknown ccxt exchange id {value!r} (ccxt {ccxt.__version__})")
        return value
