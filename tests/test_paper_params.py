"""The paper broker is the registered broker ``paper`` and its params are validated."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

import pytest
from pydantic import ValidationError

from logos.brokers import BUILTIN_BROKERS, PaperBroker
from logos.brokers.base import Broker
from logos.components import ComponentKind
from logos.domain import OrderIntent, Side
from logos.plugins import get_registry
from logos.testing.brokers import make_bar


def test_registered_as_paper() -> None:
    assert PaperBroker in BUILTIN_BROKERS
    assert get_registry().get(ComponentKind.BROKER, "paper") is PaperBroker
    assert issubclass(PaperBroker, Broker)
    assert "Deterministic" in PaperBroker.description()


def test_params_from_toml_like_values() -> None:
    params = PaperBroker.Params.model_validate(
        {"cash": "2500.50", "fee_bps": 10, "slippage_bps": "2.5", "volume_participation": "0.1"}
    )
    assert (params.cash, params.fee_bps, params.slippage_bps) == (D("2500.50"), D(10), D("2.5"))
    assert params.maker_bps == D(10)  # maker defaults to the taker fee
    assert params.leverage == D(1)
    assert params.volume_participation == D("0.1")
    assert params.allow_short is False


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"cash": 0}, "cash"),
        ({"fee_bps": -1}, "fee_bps"),
        ({"slippage_bps": 10000}, "slippage_bps"),
        ({"volume_participation": 0}, "volume_participation"),
        ({"volume_participation": "1.5"}, "volume_participation"),
        ({"max_leverage": 2}, "allow_margin"),
        ({"max_leverage": "0.5", "allow_margin": True}, "max_leverage"),
        ({"id_prefix": "P-"}, "id_prefix"),
        ({"fees": 1}, "fees"),
    ],
)
def test_bad_params_are_named(bad: dict, field: str) -> None:
    with pytest.raises(ValidationError, match=field):
        PaperBroker.Params.model_validate(bad)


def test_margin_leverage() -> None:
    params = PaperBroker.Params(allow_margin=True, max_leverage=D(3))
    assert params.leverage == D(3)


def test_id_prefix_names_orders_and_trades() -> None:
    t0 = datetime(2024, 1, 2, tzinfo=UTC)
    b = PaperBroker(id_prefix="SIM")
    b.on_slice([make_bar("X", t0, "10")])
    intent = OrderIntent(symbol="X", side=Side.BUY, qty=D(1), client_order_id="c", ts=t0)
    assert b.submit(intent, ts=t0).order_id == "SIM-000001"
    [fill] = b.on_bar(make_bar("X", t0 + timedelta(minutes=1), "10"))
    assert fill.trade_id == "SIMT-000001"
