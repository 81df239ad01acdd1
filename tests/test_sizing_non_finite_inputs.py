"""``OrderTranslator.translate`` refuses non-finite Decimal inputs, including on the
shortcut that skips ``to_decimal`` for Decimals (NaN used to raise decimal.InvalidOperation
from a comparison, an infinite price still sized an order)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from logos.sizing import OrderTranslator

TS = datetime(2024, 5, 6, 9, 30, tzinfo=UTC)
FINITE = {
    "price": Decimal(10),
    "position": Decimal(0),
    "working": Decimal(0),
    "equity": Decimal(1000),
}


@pytest.mark.parametrize("field", ["price", "position", "working", "equity"])
@pytest.mark.parametrize("bad", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_decimal_inputs_raise_value_error(field: str, bad: str) -> None:
    values = {**FINITE, field: Decimal(bad)}
    translator = OrderTranslator("percent_equity", {"fraction": "0.5"}, session_id="t")
    with pytest.raises(ValueError, match="not a finite number"):
        translator.translate(
            "X",
            1.0,
            values["price"],
            values["position"],
            values["working"],
            values["equity"],
            TS,
            seq=1,
        )


def test_finite_decimals_still_size_as_before() -> None:
    translator = OrderTranslator("fixed_qty", {"qty": "2"}, session_id="t")
    result = translator.translate("X", 1.0, Decimal(10), Decimal(0), Decimal(0), Decimal(1), TS, 1)
    assert [(i.side.value, i.qty, i.client_order_id) for i in result.intents] == [
        ("buy", Decimal(2), "t-1")
    ]
