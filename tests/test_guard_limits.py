"""The pre-trade limits (max_order_notional, max_position_notional, max_gross_exposure) clip
an order to the limit or deny it, at the bar their data set is built to breach them, with
the clip or the denial in the journal, orders.csv's reason and session.md."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from logos.domain import OrderStatus, Side
from logos.risk import MaxGrossExposure, MaxOrderNotional, MaxPositionNotional


def ts(i: int) -> datetime:
    return datetime(2024, 1, 2, tzinfo=UTC) + timedelta(minutes=i)


FLAT = [100] * 6


def test_max_order_notional_clips_each_order_to_the_limit(guarded: Any) -> None:
    run = guarded({"AAA": FLAT}, {"AAA": [1] * 6}, [MaxOrderNotional(limit=Decimal(400))], qty="10")
    # target 10 at price 100: orders of 4 (clipped), 4 (clipped), then the 2 left
    assert [(o.ts_created, o.qty, o.status) for o in run.result.orders] == [
        (ts(0), 4, OrderStatus.FILLED),
        (ts(1), 4, OrderStatus.FILLED),
        (ts(2), 2, OrderStatus.FILLED),
    ]
    first = run.result.orders[0]
    assert first.reason.endswith(
        "; max_order_notional: order notional 1000 > limit 400: clipped to 4"
    )
    clips = run.journal.of_type("guard_clip")
    assert [(e.ts, e.data["action"]) for e in clips] == [
        (ts(0), "clipped 10 → 4"),
        (ts(1), "clipped 6 → 4"),
    ]
    # the clipped order's client id is its NEW event's sequence number, like any order's
    news = [e for e in run.journal.of_type("order") if e.data["old"] is None]
    assert [e.data["client_order_id"] for e in news] == [f"g-{e.seq}" for e in news]
    assert (
        "| 2024-01-02T00:00:00Z | max_order_notional | order notional 1000 | 400 "
        "| clipped 10 → 4 |" in run.session_md
    )


def test_max_order_notional_rejects_when_asked_to(guarded: Any) -> None:
    run = guarded(
        {"AAA": FLAT},
        {"AAA": [1] * 6},
        [MaxOrderNotional(limit=Decimal(400), on_breach="reject")],
        qty="10",
    )
    (order,) = run.result.orders  # denied once; the same denial is not repeated as an order
    assert order.status is OrderStatus.DENIED and order.ts_created == ts(0)
    assert order.reason == "max_order_notional: order notional 1000 > limit 400"
    assert run.result.fills == [] and run.result.repeated_denials == 5
    assert "## Orders denied by guards" in run.session_md
    assert "max_order_notional: order notional 1000 > limit 400 |" in run.session_md


def test_max_position_notional_clips_entries_and_lets_exits_through(guarded: Any) -> None:
    run = guarded(
        {"AAA": FLAT},
        {"AAA": [1, 1, 1, 0, 0, 0]},
        [MaxPositionNotional(limit=Decimal(550))],
        qty="10",
    )
    orders = [(o.ts_created, o.side, o.qty, o.status) for o in run.result.orders]
    assert orders == [
        (ts(0), Side.BUY, Decimal("5.5"), OrderStatus.FILLED),  # 10 × 100 clipped to 550
        (ts(1), Side.BUY, Decimal("4.5"), OrderStatus.DENIED),  # at the limit: nothing fits
        (ts(3), Side.SELL, Decimal("5.5"), OrderStatus.FILLED),  # an exit always passes
    ]
    assert run.result.orders[1].reason == (
        "max_position_notional: AAA exposure after the order 1000 > limit 550"
    )


def test_max_gross_exposure_counts_every_symbol(guarded: Any) -> None:
    run = guarded(
        {"AAA": FLAT, "BBB": FLAT},
        {"AAA": [1] * 6, "BBB": [0, 1, 1, 1, 1, 1]},
        [MaxGrossExposure(limit=Decimal(800))],
        qty="5",
    )
    by_symbol = {(o.symbol, o.ts_created): (o.qty, o.status) for o in run.result.orders}
    assert by_symbol[("AAA", ts(0))] == (5, OrderStatus.FILLED)
    # BBB: 500 of AAA held, 800 allowed → 3 of the 5 wanted
    assert by_symbol[("BBB", ts(1))] == (3, OrderStatus.FILLED)
    (clip,) = run.result.guard_trips
    assert (clip.ts, clip.measured, clip.limit) == (
        ts(1),
        "gross exposure after the order 1000",
        "800",
    )


def test_max_gross_exposure_as_a_multiple_of_equity(guarded: Any) -> None:
    run = guarded(
        {"AAA": FLAT},
        {"AAA": [1] * 6},
        [MaxGrossExposure(equity_multiple=Decimal("0.5"))],
        cash="1000",
        qty="10",
    )
    assert run.result.orders[0].qty == 5  # half of the 1000 equity at 100
    assert run.result.guard_trips[0].limit == "500 (0.5 × equity 1000)"


@pytest.mark.parametrize(
    ("guard", "params", "message"),
    [
        (MaxOrderNotional, {}, "Field required"),
        (MaxOrderNotional, {"limit": "NaN"}, "finite number"),
        (MaxOrderNotional, {"limit": "0"}, "greater than 0"),
        (MaxGrossExposure, {}, "max_gross_exposure needs limit (money), equity_multiple, or both"),
        (MaxPositionNotional, {"limit": "1", "on_breach": "shrug"}, "'clip' or 'reject'"),
    ],
)
def test_limits_refuse_params_that_are_unset_or_not_finite(
    guard: Any, params: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValidationError, match=re.escape(message)):
        guard.Params(**params)
