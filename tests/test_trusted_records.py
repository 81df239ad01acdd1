"""Records the broker builds without re-validation are exactly the validated records.

The fast paths (``construct_trusted``, ``transition`` copying instead of validating,
``order_from_intent``) must give objects that compare, print and serialize like the ones
pydantic validation gives, and must fall back to validation (same errors, same coercions)
for anything they cannot vouch for.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal as D

import pytest
from pydantic import ValidationError

from logos.domain import (
    Account,
    Fill,
    Order,
    OrderIntent,
    OrderStatus,
    Side,
    construct_trusted,
    is_finite_decimal,
    is_utc,
)
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


def test_construct_trusted_equals_validated_account() -> None:
    values = {
        "ts": T1,
        "currency": "USD",
        "cash": D("99899.93"),
        "equity": D("99999.88"),
        "gross_exposure": D("99.95"),
        "net_exposure": D("-99.95"),
        "realized_pnl": D("0.01"),
        "unrealized_pnl": D("-0.05"),
        "fees": D("0.09997"),
        "peak_equity": D("100000"),
        "drawdown": D("0.0000012"),
    }
    reordered = dict(reversed(list(values.items())))
    assert same(construct_trusted(Account, dict(values)), Account(**values))
    assert same(construct_trusted(Account, reordered), Account(**values))


def test_construct_trusted_needs_every_field_and_no_other() -> None:
    values = {"seq": 1, "type": "bar", "ts": T0, "data": {}}
    with pytest.raises(TypeError, match="trade_id"):
        construct_trusted(Fill, values)
    with pytest.raises(TypeError):
        construct_trusted(Account, {"ts": T0, "cash": D(1)})


def test_value_checks() -> None:
    assert is_finite_decimal(D("1.5"))
    assert not is_finite_decimal(D("NaN"))
    assert not is_finite_decimal(D("Infinity"))
    assert not is_finite_decimal(1.5)
    assert is_utc(T0)
    assert not is_utc(datetime(2024, 3, 1, 10, 30, tzinfo=timezone(timedelta(hours=1))))
    assert not is_utc(datetime(2024, 3, 1, 9, 30))


def test_order_from_intent_equals_validated_order() -> None:
    for request in (intent(), intent(type="limit", limit_price=D("150.25"), side=Side.SELL)):
        order = order_from_intent(request, "P-000001", ts=T0)
        expected = Order(
            order_id="P-000001",
            client_order_id="sess-1",
            symbol="AAPL",
            side=request.side,
            type=request.type,
            qty=D("2.50"),
            limit_price=request.limit_price,
            ts_created=T0,
            ts_updated=T0,
            reason="sizing said so",
        )
        assert same(order, expected)
        assert (order.status, order.filled_qty) == (OrderStatus.NEW, D(0))
        assert order.reason == "sizing said so"  # the intent's reason travels to orders.csv


def test_order_from_an_unvalidated_intent_is_validated() -> None:
    bad = OrderIntent.model_construct(**{**intent().model_dump(), "qty": D("-1")})
    with pytest.raises(ValidationError, match="qty"):
        order_from_intent(bad, "P-000001", ts=T0)
    cet = timezone(timedelta(hours=1))
    order = order_from_intent(intent(), "P-000001", ts=datetime(2024, 3, 1, 10, 30, tzinfo=cet))
    assert order.ts_created == T0
    assert order.ts_created.tzinfo is UTC


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
