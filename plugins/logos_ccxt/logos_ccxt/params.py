"""Params shared by the ccxt components."""

from __future__ import annotations

import ccxt
from pydantic import Field, field_validator

from logos.components import Params


class ExchangeParams(Params):
    """Which ccxt exchange to talk to."""

    exchange: str = Field(description="ccxt exchange id, e.g. 'binance', 'kraken'")

    @field_validator("exchange")
    @classmethod
    def _known_exchange(cls, value: str) -> str:
        if value not in ccxt.exchanges:
            raise ValueError(f"unknown ccxt exchange id {value!r} (ccxt {ccxt.__version__})")
        return value
