"""The breakers (max_drawdown, max_rejects, max_order_rate) trip at the bar their data set
is built to trip them at, move the trading state, cancel or flatten as configured, and leave
a journal record and a session.md row."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from logos.domain import OrderStatus, Side
from logos.risk import MaxDrawdown, MaxOrderRate, MaxRejects


def ts(i: int) -> datetime:
    return datetime(2024, 1, 2, tzinfo=UTC) + timedelta(minutes=i)


def _trip_rows(md: str, guard: str) -> list[str]:
    """The rows of session.md's guard trips table for ``guard``."""
    section = md.split("## Guard trips", 1)[1].split("\n## ", 1)[0]
    return [
        line for line in section.splitlines() if line.startswith("| 20") and f"| {guard} |" in line
    ]


# all in: 10 units bought at bar 1's open (100) with 1000 cash; equity = 10 × price after
FALLING = [100, 100, 100, 95, 91, 89, 85, 80, 80, 80]


def test_max_drawdown_halts_and_flattens_at_the_first_bar_beyond_the_limit(guarded: Any) -> None:
    run = guarded(
        {"AAA": FALLING},
        {"AAA": [1] * len(FALLING)},
        [MaxDrawdown(limit=Decimal("0.1"))],
        cash="1000",
        qty="10",
    )
    # high-water mark 1000; bar 4 (910) is 9 % down, bar 5 (890) is 11 %: the trip
    (trip,) = run.result.guard_trips
    assert (trip.ts, trip.guard, trip.action) == (ts(5), "max_drawdown", "HALTED, flatten")
    assert trip.measured == "11.00% (equity 890, high-water mark 1000)"
    assert trip.limit == "10.00%"
    events = run.journal.of_type("guard_trip")
    assert [(e.ts, e.data["guard"], e.data["action"]) for e in events] == [
        (ts(5), "max_drawdown", "HALTED, flatten")
    ]
    (state,) = run.journal.of_type("trading_state")
    assert state.data == {"from": "ACTIVE", "to": "HALTED", "guard": "max_drawdown"}
    assert state.seq > events[0].seq
    # the flatten order: sent at bar 5, filled at bar 6's open; nothing after it
    flatten = run.result.orders[-1]
    assert flatten.reason == "max_drawdown: flatten on trip"
    assert (flatten.side, flatten.qty, flatten.status) == (Side.SELL, 10, OrderStatus.FILLED)
    assert run.result.fills[-1].ts == ts(6) and run.result.fills[-1].price == 85
    assert run.result.positions == [] or all(p.qty == 0 for p in run.result.positions)
    assert len(run.result.orders) == 2  # the entry and the flatten: the halt sends nothing
    assert _trip_rows(run.session_md, "max_drawdown") == [
        "| 2024-01-02T00:05:00Z | max_drawdown | 11.00% (equity 890, high-water mark 1000) "
        "| 10.00% | HALTED, flatten |"
    ]


def test_max_drawdown_waits_for_confirming_slices_so_one_bad_mark_does_not_halt(
    guarded: Any,
) -> None:
    spike = [100, 100, 100, 50, 100, 100, 85, 85, 85, 85]  # one bad mark at bar 3
    run = guarded(
        {"AAA": spike},
        {"AAA": [1] * len(spike)},
        [MaxDrawdown(limit=Decimal("0.1"), confirm_slices=3, flatten=False)],
        cash="1000",
        qty="10",
    )
    (trip,) = run.result.guard_trips
    assert trip.ts == ts(8)  # bars 6, 7, 8 are 15 % down: the third one trips
    assert trip.action == "HALTED"
    assert run.result.orders[-1].status is OrderStatus.FILLED  # no flatten order
    assert run.result.positions[0].qty == 10


def test_a_calm_data_set_trips_nothing(guarded: Any) -> None:
    calm = [100, 101, 100, 102, 101, 103, 102, 104]
    run = guarded(
        {"AAA": calm},
        {"AAA": [1, 1, 0, 0, 1, 1, 0, 0]},
        [
            MaxDrawdown(limit=Decimal("0.1")),
            MaxRejects(limit=2),
            MaxOrderRate(limit=5),
        ],
        cash="1000",
        qty="5",
    )
    assert run.result.guard_trips == []
    assert not run.journal.of_type("guard_trip")
    assert not run.journal.of_type("trading_state")
    assert "## Guard trips\n\nNone." in run.session_md
    assert all(o.status is OrderStatus.FILLED for o in run.result.orders)
    assert len(run.result.orders) == 4


def test_max_rejects_halts_when_the_broker_rejects_limit_orders_within_the_window(
    guarded: Any,
) -> None:
    prices = [100] * 8
    # 50 cash cannot buy one unit at 100: every order is REJECTED at submit, and sized again
    run = guarded({"AAA": prices}, {"AAA": [1] * 8}, [MaxRejects(limit=3)], cash="50")
    rejected = run.orders(OrderStatus.REJECTED)
    assert [o.ts_created for o in rejected] == [ts(0), ts(1), ts(2)]
    (trip,) = run.result.guard_trips
    # the third reject (minute 2) trips; the halt holds before anything else is sent
    assert (trip.ts, trip.measured, trip.limit, trip.action) == (
        ts(2),
        "3 rejects within 1h",
        "3",
        "HALTED",
    )
    assert len(run.result.orders) == 3  # halted: nothing more is sent
    assert run.journal.of_type("trading_state")[0].data["to"] == "HALTED"
    assert _trip_rows(run.session_md, "max_rejects") == [
        "| 2024-01-02T00:02:00Z | max_rejects | 3 rejects within 1h | 3 | HALTED |"
    ]


def test_max_rejects_counts_rejects_within_one_slice(guarded: Any) -> None:
    # three symbols rejected in the same minute: a window of one bar still sees all three
    prices = {s: [100] * 4 for s in ("AAA", "BBB", "CCC", "DDD")}
    run = guarded(
        prices, {s: [1] * 4 for s in prices}, [MaxRejects(limit=3, window="1m")], cash="50"
    )
    (trip,) = run.result.guard_trips
    assert (trip.ts, trip.measured) == (ts(0), "3 rejects within 1m")
    # the 4th symbol's order, judged after the third reject, is denied: the halt came first
    assert [(o.symbol, o.status) for o in run.result.orders] == [
        ("AAA", OrderStatus.REJECTED),
        ("BBB", OrderStatus.REJECTED),
        ("CCC", OrderStatus.REJECTED),
        ("DDD", OrderStatus.DENIED),
    ]


@pytest.mark.parametrize(("limit", "trips_at"), [(3, None), (2, 1)])
def test_max_rejects_forgets_rejects_older_than_the_window(
    guarded: Any, limit: int, trips_at: int | None
) -> None:
    run = guarded(
        {"AAA": [100] * 8},
        {"AAA": [1] * 8},
        [MaxRejects(limit=limit, window="2m")],
        cash="50",
    )
    # one reject a minute: within (t − 2m, t] there are never more than 2
    assert [t.ts for t in run.result.guard_trips] == ([] if trips_at is None else [ts(trips_at)])


def test_max_order_rate_denies_the_order_beyond_the_limit_and_trips(guarded: Any) -> None:
    flips = [1, 0, 1, 0, 1, 0, 1, 0]  # a runaway strategy: a new order every bar
    run = guarded(
        {"AAA": [100] * 8},
        {"AAA": flips},
        [MaxOrderRate(limit=3, per="5m", action="reducing")],
    )
    summary = [(o.ts_created, o.side, o.status) for o in run.result.orders]
    assert summary == [
        (ts(0), Side.BUY, OrderStatus.FILLED),
        (ts(1), Side.SELL, OrderStatus.FILLED),
        (ts(2), Side.BUY, OrderStatus.FILLED),
        (ts(3), Side.SELL, OrderStatus.DENIED),  # the 4th order within 5 minutes
        # REDUCING from bar 3: bar 5's exit passes (2 orders within 5m by then) ...
        (ts(5), Side.SELL, OrderStatus.FILLED),
        # ... bar 6's new entry does not
        (ts(6), Side.BUY, OrderStatus.DENIED),
    ]
    assert run.result.orders[3].reason == "max_order_rate: 4 orders within 5m > limit 3"
    assert run.result.orders[5].reason == (
        "trading state REDUCING: nothing of the order reduces exposure"
    )
    (trip,) = run.result.guard_trips
    assert (trip.ts, trip.measured, trip.limit, trip.action) == (
        ts(3),
        "4 orders within 5m",
        "3",
        "REDUCING",
    )
    assert [e.data["to"] for e in run.journal.of_type("trading_state")] == ["REDUCING"]
    denials = [e for e in run.journal.of_type("order") if e.data.get("new") == "DENIED"]
    assert [e.ts for e in denials] == [ts(3), ts(6)]
    assert _trip_rows(run.session_md, "max_order_rate") == [
        "| 2024-01-02T00:03:00Z | max_order_rate | 4 orders within 5m | 3 | REDUCING |"
    ]
