"""Guards together, and the edges of their arithmetic: a later halt keeps an earlier
guard's flatten order, a latched breaker stops judging orders, the order rate counts only
orders that went out, REDUCING cancels orders that would flip a position, a stale symbol's
exit part passes, a second stale episode is recorded again, session.md lists every trip
however many clips there were, and exposures are compared exactly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from logos.domain import Account, OrderIntent, OrderStatus, OrderType, Side
from logos.reports.session_md import MAX_ROWS
from logos.risk import (
    MaxDrawdown,
    MaxGrossExposure,
    MaxOrderNotional,
    MaxOrderRate,
    MaxPositionNotional,
    ProposedOrder,
    StaleData,
)


def ts(i: int) -> datetime:
    return datetime(2024, 1, 2, tzinfo=UTC) + timedelta(minutes=i)


def _summary(run: Any) -> list[tuple[Any, ...]]:
    return [(o.ts_created, o.side, o.qty, o.status) for o in run.result.orders]


def test_a_later_halt_keeps_an_earlier_guards_flatten_order(guarded: Any, trip_at: Any) -> None:
    run = guarded(
        {"AAA": [100] * 6},
        {"AAA": [1] * 6},
        [trip_at(at=ts(3), action="reducing", flatten=True), trip_at(at=ts(3))],
    )
    flatten = run.result.orders[-1]
    assert flatten.reason == "trip_at: flatten on trip"
    assert (flatten.status, run.result.fills[-1].ts) == (OrderStatus.FILLED, ts(4))
    assert all(p.qty == 0 for p in run.result.positions)
    assert [e.data["to"] for e in run.journal.of_type("trading_state")] == ["REDUCING", "HALTED"]


def test_a_latched_order_rate_breaker_no_longer_judges_orders(guarded: Any) -> None:
    run = guarded(
        {"AAA": [100] * 8},
        {"AAA": [1, 1, 1, 0, 0, 0, 0, 0]},
        [MaxOrderRate(limit=1, per="1h", action="reducing")],
        qty="2",
        order_type=OrderType.MARKET,
    )
    # bar 0: buy 2 (the one order an hour); bar 3: the exit is the 2nd order → denied, trip,
    # REDUCING; bar 4: the exit again — the latched breaker does not judge it: it passes
    assert _summary(run) == [
        (ts(0), Side.BUY, 2, OrderStatus.FILLED),
        (ts(3), Side.SELL, 2, OrderStatus.DENIED),
        (ts(4), Side.SELL, 2, OrderStatus.FILLED),
    ]
    assert [t.guard for t in run.result.guard_trips] == ["max_order_rate"]


def test_the_order_rate_counts_only_orders_that_went_out(guarded: Any) -> None:
    run = guarded(
        {"AAA": [100] * 6},
        {"AAA": [1] * 6},
        [MaxOrderRate(limit=2, per="1h"), MaxOrderNotional(limit=Decimal(50), on_breach="reject")],
    )
    assert [o.status for o in run.result.orders] == [OrderStatus.DENIED]  # by the notional
    assert run.result.guard_trips == []  # nothing went out: no rate to exceed


def test_reducing_cancels_a_working_order_that_would_flip_the_position(
    guarded: Any, trip_at: Any
) -> None:
    # BBB has no bar at minutes 3-4: its sell of 2 (long 1 → short 1) is working at the trip
    prices = {"AAA": [100] * 6, "BBB": [100, 100, 100, None, None, 100]}
    run = guarded(
        prices,
        {"AAA": [0] * 6, "BBB": [1, 1, -1, 0]},
        [trip_at(at=ts(3), action="reducing")],
        allow_short=True,
    )
    flip = next(o for o in run.result.orders if o.ts_created == ts(2))
    assert (flip.side, flip.qty, flip.status) == (Side.SELL, 2, OrderStatus.CANCELED)
    assert flip.reason == "trip_at: trading state REDUCING"
    assert all(p.qty >= 0 for p in run.result.positions)  # never short while REDUCING


def test_a_stale_symbol_may_still_exit_when_its_signal_flips(guarded: Any) -> None:
    def clock(slice_ts: datetime) -> datetime:  # from minute 3, bars arrive 5 minutes late
        return slice_ts + timedelta(minutes=6 if slice_ts >= ts(3) else 1)

    run = guarded(
        {"AAA": [100] * 6}, {"AAA": [1, 1, 1, -1, -1, -1]}, [StaleData()], clock=clock,
        allow_short=True,
    )  # fmt: skip
    exit_order = run.result.orders[1]
    assert (exit_order.side, exit_order.qty, exit_order.status) == (
        Side.SELL,
        1,
        OrderStatus.FILLED,
    )
    assert exit_order.reason.endswith("no new entries: clipped to 1")
    assert run.result.positions[0].qty == 0


def test_a_second_stale_episode_is_denied_and_recorded_again(guarded: Any) -> None:
    def clock(slice_ts: datetime) -> datetime:  # late at minutes 1-2 and again 5-6
        late = slice_ts in (ts(1), ts(2), ts(5), ts(6))
        return slice_ts + timedelta(minutes=6 if late else 1)

    run = guarded({"AAA": [100] * 8}, {"AAA": [0, 1, 1, 0, 0, 1, 1, 0]}, [StaleData()], clock=clock)
    denied = [o.ts_created for o in run.result.orders if o.status is OrderStatus.DENIED]
    assert denied == [ts(1), ts(5)]
    assert [t.action for t in run.result.guard_trips] == [
        "entries blocked in AAA",
        "cleared",
        "entries blocked in AAA",
        "cleared",
    ]


def test_session_md_lists_every_trip_however_many_clips(guarded: Any) -> None:
    bars = 3 * MAX_ROWS
    prices = [100] * (bars - 5) + [150] * 5  # short at the end when the price jumps
    run = guarded(
        {"AAA": prices},
        {"AAA": [(-1) ** i for i in range(bars)]},  # long 1, short 1 ... an order every bar
        [MaxOrderNotional(limit=Decimal(150)), MaxDrawdown(limit=Decimal("0.01"))],
        allow_short=True,
        cash="1000",
    )
    clips = [t for t in run.result.guard_trips if t.kind == "clip"]
    assert len(clips) > MAX_ROWS
    assert "| max_drawdown |" in run.session_md
    assert f"… and {len(clips) - MAX_ROWS} more clipped orders" in run.session_md


def test_exposures_are_compared_exactly() -> None:
    # a position of 0.5 + 10^-28 and an order of 0.5 make 1 + 10^-28: above a limit of 1 at
    # a price of 1, however small the excess (28-digit arithmetic would round it to 1)
    intent = OrderIntent(
        symbol="AAA", side=Side.BUY, qty=Decimal("0.5"), client_order_id="t-1", ts=ts(0)
    )
    order = ProposedOrder(
        intent=intent,
        price=Decimal(1),
        position=Decimal("0.5000000000000000000000000001"),
        working=Decimal(0),
        gross_other=Decimal(0),
        account=Account(ts(0), Decimal(10), Decimal(10), Decimal(10)),
        ts=ts(0),
    )
    assert order.exposure_after == Decimal("1.0000000000000000000000000001")
    verdict = MaxPositionNotional(limit=Decimal(1), on_breach="reject").check_order(order)
    assert verdict.deny
    assert verdict.measured == "AAA exposure after the order 1.0000000000000000000000000001"
    assert MaxGrossExposure(limit=Decimal(1), on_breach="reject").check_order(order).deny
