"""The order state machine: every legal move works, every other pair raises (DESIGN.md §5)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from logos.domain import Order, OrderStatus, OrderType, Side
from logos.errors import OrderStateError
from logos.lifecycle import TRANSITIONS, created, is_legal, transition

S = OrderStatus
T0 = datetime(2024, 3, 1, 9, 30, tzinfo=UTC)
T1 = datetime(2024, 3, 1, 9, 31, tzinfo=UTC)

# Written out by hand from DESIGN.md §5, independent of the table under test.
LEGAL = {
    (S.NEW, S.SUBMITTED),
    (S.NEW, S.DENIED),
    (S.SUBMITTED, S.ACCEPTED),
    (S.SUBMITTED, S.REJECTED),
    (S.ACCEPTED, S.PARTIALLY_FILLED),
    (S.ACCEPTED, S.FILLED),
    (S.ACCEPTED, S.CANCELED),
    (S.ACCEPTED, S.EXPIRED),
    (S.PARTIALLY_FILLED, S.PARTIALLY_FILLED),
    (S.PARTIALLY_FILLED, S.FILLED),
    (S.PARTIALLY_FILLED, S.CANCELED),
    (S.PARTIALLY_FILLED, S.EXPIRED),
}
ILLEGAL = sorted(set(itertools.product(S, S)) - LEGAL)


def order_in(status: OrderStatus) -> Order:
    return Order(
        order_id="P-000007",
        client_order_id="sess-42",
        symbol="AAPL",
        side=Side.BUY,
        type=OrderType.LIMIT,
        qty=Decimal("10"),
        limit_price=Decimal("150.25"),
        status=status,
        ts_created=T0,
        ts_updated=T0,
    )


def test_table_is_exactly_the_design() -> None:
    table_pairs = {(old, new) for old, news in TRANSITIONS.items() for new in news}
    assert table_pairs == LEGAL
    assert set(TRANSITIONS) == set(S)
    assert len(ILLEGAL) == 81 - 12


@pytest.mark.parametrize(("old", "new"), sorted(LEGAL))
def test_legal_transition_makes_new_version_and_event(old: OrderStatus, new: OrderStatus) -> None:
    order = order_in(old)
    updated, event = transition(order, new, ts=T1, reason="why")
    assert updated.status is new
    assert updated.ts_updated == T1
    assert updated.reason == "why"
    assert order.status is old  # the old version is untouched
    assert (event.old, event.new, event.ts, event.reason) == (old, new, T1, "why")
    assert event.order_id == "P-000007"
    assert event.client_order_id == "sess-42"
    assert is_legal(old, new)


@pytest.mark.parametrize(("old", "new"), ILLEGAL)
def test_illegal_transition_raises_naming_order_and_states(
    old: OrderStatus, new: OrderStatus
) -> None:
    with pytest.raises(OrderStateError) as info:
        transition(order_in(old), new, ts=T1)
    message = str(info.value)
    assert "P-000007" in message
    assert f"{old.value} -> {new.value}" in message
    assert not is_legal(old, new)


def test_terminal_states_have_no_way_out() -> None:
    for status in (S.FILLED, S.CANCELED, S.EXPIRED, S.DENIED, S.REJECTED):
        assert TRANSITIONS[status] == frozenset()
        assert status.is_terminal


def test_changes_are_applied_and_validated() -> None:
    updated, _ = transition(
        order_in(S.ACCEPTED),
        S.PARTIALLY_FILLED,
        ts=T1,
        filled_qty=Decimal("4"),
        avg_fill_price=Decimal("150"),
    )
    assert (updated.filled_qty, updated.avg_fill_price, updated.remaining_qty) == (
        Decimal("4"),
        Decimal("150"),
        Decimal("6"),
    )
    with pytest.raises(ValueError):
        transition(order_in(S.ACCEPTED), S.FILLED, ts=T1, filled_qty=Decimal("-1"))


def test_empty_reason_keeps_previous_reason() -> None:
    order = order_in(S.ACCEPTED).evolve(reason="first")
    updated, event = transition(order, S.CANCELED, ts=T1)
    assert updated.reason == "first"
    assert event.reason == ""


def test_event_payload_for_the_journal() -> None:
    _, event = transition(order_in(S.SUBMITTED), S.REJECTED, ts=T1, reason="insufficient_cash: x")
    journal = event.to_event(seq=12)
    assert journal.seq == 12
    assert journal.type == "order"
    assert journal.ts == T1
    data = journal.model_dump(mode="json")["data"]
    assert data["order_id"] == "P-000007"
    assert data["client_order_id"] == "sess-42"
    assert (data["old"], data["new"]) == ("SUBMITTED", "REJECTED")
    assert data["reason"] == "insufficient_cash: x"
    assert data["ts"] == "2024-03-01T09:31:00Z"
    assert data["order"]["status"] == "REJECTED"
    assert data["order"]["limit_price"] == "150.25"


def test_created_event_has_no_previous_state() -> None:
    event = created(order_in(S.NEW), ts=T0)
    assert (event.old, event.new) == (None, S.NEW)
    assert event.data()["old"] is None
    with pytest.raises(OrderStateError):
        created(order_in(S.ACCEPTED), ts=T0)


def test_naive_timestamp_is_refused() -> None:
    with pytest.raises(ValueError):
        transition(order_in(S.NEW), S.SUBMITTED, ts=datetime(2024, 3, 1, 9, 31))
