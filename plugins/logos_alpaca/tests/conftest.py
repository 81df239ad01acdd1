"""Alpaca fixtures: real asset objects (tests/data/README.md) and intents."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from logos_alpaca.testing import FakeTradingClient, api_error

from logos.domain import OrderIntent, OrderType, Side, TimeInForce

DATA = Path(__file__).parent / "data"
EQUITIES = DATA / "equity_assets.json"
CRYPTO = DATA / "crypto_assets.json"
T0 = datetime(2024, 1, 2, 14, 30, tzinfo=UTC)


@pytest.fixture(scope="session")
def assets() -> dict[str, Any]:
    """Every fixture asset by symbol, parsed by alpaca-py's ``Asset``."""
    from logos_alpaca.assets import load_assets

    return {**load_assets(EQUITIES), **load_assets(CRYPTO)}


def make_intent(
    symbol: str = "AAPL",
    qty: str = "2",
    side: Side = Side.BUY,
    *,
    cid: str = "c-1",
    type: OrderType = OrderType.MARKET,
    tif: TimeInForce = TimeInForce.GTC,
    **fields: Any,
) -> OrderIntent:
    """An intent with exact Decimals from strings."""
    values = {k: Decimal(v) if isinstance(v, str) else v for k, v in fields.items()}
    return OrderIntent(
        symbol=symbol,
        side=side,
        qty=Decimal(qty),
        type=type,
        time_in_force=tif,
        client_order_id=cid,
        ts=T0,
        **values,
    )


@pytest.fixture(scope="session")
def intent() -> Any:
    """:func:`make_intent`, for tests (plugin test folders are not importable)."""
    return make_intent


@pytest.fixture
def fake_client(assets: dict[str, Any]) -> FakeTradingClient:
    """A fresh fake TradingClient that knows the fixture assets."""
    return FakeTradingClient(assets)


@pytest.fixture(scope="session")
def alpaca_error() -> Any:
    """:func:`api_error`, for tests."""
    return api_error
