"""REDUCING lets only exposure-reducing orders through and cancels working entries; HALTED
cancels every working order and sends nothing; a guard that cannot evaluate fails closed.

A third-party guard (``TripAt`` in conftest.py, written the way a plugin would write one)
trips at a chosen bar.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from logos.domain import OrderStatus, Side
from logos.risk import ProposedOrder, RiskGuard, SliceView, Trip, Verdict


def ts(i: int) -> datetime:
    return datetime(2024, 1, 2, tzinfo=UTC) + timedelta(minutes=i)


# AAA trades every minute; BBB has no bar at minutes 3-5, so its order of minute 2 is still
# working when the guard trips at minute 3.
PRICES = {
    "AAA": [100] * 8,
    "BBB": [100, 100, 100, None, None, None, 100, 100],
}


def test_reducing_cancels_working_entries_and_passes_only_what_reduces(
    guarded: Any, trip_at: Any
) -> None:
    run = guarded(
        PRICES,
        {"AAA": [1, 1, 1, 1, -1, 1, 1, 1], "BBB": [0, 0, 1, 1, 1]},
        [trip_at(at=ts(3), action="reducing")],
    )
    orders = [(o.symbol, o.ts_created, o.side, o.qty, o.status) for o in run.result.orders]
    assert orders == [
        ("AAA", ts(0), Side.BUY, 1, OrderStatus.FILLED),
        ("BBB", ts(2), Side.BUY, 1, OrderStatus.CANCELED),  # a working entry, canceled at 3
        ("AAA", ts(4), Side.SELL, 1, OrderStatus.FILLED),  # -1 wanted: the flip cut to flat
        ("AAA", ts(5), Side.BUY, 1, OrderStatus.DENIED),  # an entry: denied
        ("BBB", ts(6), Side.BUY, 1, OrderStatus.DENIED),
    ]
    canceled = run.result.orders[1]
    assert canceled.reason == "trip_at: trading state REDUCING"
    assert canceled.ts_updated == ts(3)
    exit_order = run.result.orders[2]
    assert exit_order.reason.endswith(
        "trading_state: sell 2 with 1 held or working > limit flat (REDUCING): clipped to 1"
    )
    assert run.result.orders[3].reason == (
        "trading state REDUCING: nothing of the order reduces exposure"
    )
    (state,) = run.journal.of_type("trading_state")
    assert (state.ts, state.data["to"]) == (ts(3), "REDUCING")


def test_halted_cancels_every_working_order_and_sends_nothing_new(
    guarded: Any, trip_at: Any
) -> None:
    run = guarded(
        PRICES,
        {"AAA": [1, 1, 1, 1, -1, 0, 1, 1], "BBB": [0, 0, 1, 1, 1]},
        [trip_at(at=ts(3))],  # default action: halted, no flatten
    )
    orders = [(o.symbol, o.ts_created, o.status) for o in run.result.orders]
    assert orders == [
        ("AAA", ts(0), OrderStatus.FILLED),
        ("BBB", ts(2), OrderStatus.CANCELED),
    ]
    assert run.result.orders[1].reason == "trip_at: trading state HALTED"
    assert run.result.positions[0].qty == 1  # no flatten asked: the position is kept
    assert len(run.result.account) == 8  # the session goes on marking, sending nothing
    assert "| trip_at | the test says so | - | HALTED |" in run.session_md


def test_a_latched_trip_is_recorded_once(guarded: Any, trip_at: Any) -> None:
    run = guarded(PRICES, {"AAA": [1] * 8, "BBB": [0] * 5}, [trip_at(at=ts(3))])
    assert [t.ts for t in run.result.guard_trips] == [ts(3)]


class Broken(RiskGuard):
    name = "broken"

    def check_order(self, order: ProposedOrder) -> Verdict:
        raise ZeroDivisionError("no price to divide by")


class BrokenAfter(RiskGuard):
    name = "broken_after"

    def check_slice(self, view: SliceView) -> Sequence[Trip]:
        if view.ts >= ts(2):
            raise KeyError("equity")
        return ()


def test_a_guard_that_cannot_judge_an_order_denies_it(guarded: Any) -> None:
    run = guarded({"AAA": [100] * 3}, {"AAA": [1, 1, 1]}, [Broken()])
    (order,) = run.result.orders
    assert order.status is OrderStatus.DENIED
    assert order.reason == "broken could not evaluate: ZeroDivisionError: no price to divide by"
    assert run.result.fills == []


def test_a_guard_that_cannot_evaluate_a_slice_halts_the_session(guarded: Any) -> None:
    run = guarded({"AAA": [100] * 5}, {"AAA": [1, 1, 0, 0, 0]}, [BrokenAfter()])
    (trip,) = run.result.guard_trips
    assert (trip.ts, trip.measured, trip.action) == (
        ts(2),
        "could not evaluate: KeyError: 'equity'",
        "HALTED",
    )
    assert [o.status for o in run.result.orders] == [OrderStatus.FILLED]  # the exit never goes
