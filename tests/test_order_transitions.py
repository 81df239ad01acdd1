"""Order transitions: a broker-computed change copies the order (``model_copy``) and equals the
validated version; anything else is validated and bad values raise."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal as D

import pytest
from pydantic import ValidationError

from logos.domain import OrderIntent, OrderStatus, Side
from logos.lifecycle import order_from_intent, transition

T0 = datetime(2024, 3, 1, 9, 30, tzinfo=UTC)
T1 = datetime(2024, 3, 1, 9, 31, tzinfo=UTC)


def intent(**changes: object) -> OrderIntent:
    values: dict[str, object] = {
        "symbol": "AAPL",
        "side": Side.BUY,
        "qty": D("2.50"),
        "client_order_id": "sess-1",
        "reason": "sizing said so",
        "ts": T0,
    }
    values.update(changes)
    return OrderIntent(**values)


def same(a: object, b: object) -> bool:
    assert isinstance(a, type(b))
    return (
        a == b
        and repr(a) == repr(b)
        and a.model_dump() == b.model_dump()  # type: ignore[attr-defined]
        and a.model_dump_json() == b.model_dump_json()  # type: ignore[attr-defined]
    )


def test_transition_copy_equals_evolve() -> None:
    order = order_from_intent(intent(), "P-000001", ts=T0)
    accepted, _ = transition(order, OrderStatus.SUBMITTED, ts=T0)
    accepted, _ = transition(accepted, OrderStatus.ACCEPTED, ts=T0)
    filled, _ = transition(
        accepted,
        OrderStatus.PARTIALLY_FILLED,
        ts=T1,
        reason="part",
        filled_qty=D("1.5"),
        avg_fill_price=D("100.01"),
    )
    expected = accepted.evolve(
        status=OrderStatus.PARTIALLY_FILLED,
        ts_updated=T1,
        reason="part",
        filled_qty=D("1.5"),
        avg_fill_price=D("100.01"),
    )
    assert same(filled, expected)
    assert filled.remaining_qty == D("1.00")


def test_transition_validates_what_it_cannot_vouch_for() -> None:
    order = order_from_intent(intent(), "P-000001", ts=T0)
    accepted, _ = transition(order, OrderStatus.SUBMITTED, ts=T0)
    accepted, _ = transition(accepted, OrderStatus.ACCEPTED, ts=T0)
    coerced, _ = transition(accepted, OrderStatus.PARTIALLY_FILLED, ts=T1, filled_qty=1)
    assert coerced.filled_qty == D(1)
    assert type(coerced.filled_qty) is D
    for bad in (D("-1"), D("NaN"), D("Infinity")):
        with pytest.raises(ValidationError, match="filled_qty"):
            transition(accepted, OrderStatus.FILLED, ts=T1, filled_qty=bad)
    with pytest.raises(ValidationError, match="qty"):
        transition(accepted, OrderStatus.FILLED, ts=T1, qty=D(0))
    cet = timezone(timedelta(hours=1))
    later, _ = transition(
        accepted, OrderStatus.CANCELED, ts=datetime(2024, 3, 1, 10, 31, tzinfo=cet)
    )
    assert later.ts_updated == T1
    assert later.ts_updated.tzinfo is UTC
