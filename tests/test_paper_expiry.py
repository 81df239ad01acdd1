"""Time in force: DAY orders expire when the UTC day of their first eligible bar ends."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal as D

from logos.brokers import PaperBroker
from logos.domain import OrderIntent, OrderStatus, Side, TimeInForce
from logos.lifecycle import OrderEvent
from logos.testing.brokers import make_bar, make_intent


def at(day: int, hour: int, minute: int) -> datetime:
    return datetime(2024, 1, day, hour, minute, tzinfo=UTC)


def limit_buy(cid: str, tif: TimeInForce, ts: datetime) -> OrderIntent:
    return make_intent("X", Side.BUY, 1, client_order_id=cid, ts=ts, limit=90, time_in_force=tif)


def broker(first: datetime) -> PaperBroker:
    b = PaperBroker(cash=D(10000))
    b.on_slice([make_bar("X", first, "100"), make_bar("Y", first, "100")])
    return b


def test_day_order_expires_at_the_first_bar_of_the_next_utc_day() -> None:
    b = broker(at(2, 23, 58))
    day = b.submit(limit_buy("d", TimeInForce.DAY, at(2, 23, 58)), ts=at(2, 23, 58)).order_id
    gtc = b.submit(limit_buy("g", TimeInForce.GTC, at(2, 23, 58)), ts=at(2, 23, 58)).order_id
    b.on_bar(make_bar("X", at(2, 23, 59), "100"))  # eligible on 2024-01-02, not crossed
    b.drain_events()
    # the next day's first bar would cross the limit, but the DAY order is gone first
    fills = b.on_bar(make_bar("X", at(3, 0, 0), "89"))
    assert [f.order_id for f in fills] == [gtc]
    expired = b.order(day)
    assert (expired.status, expired.ts_updated) == (OrderStatus.EXPIRED, at(3, 0, 0))
    assert "2024-01-02" in expired.reason
    events = [e for e in b.drain_events() if isinstance(e, OrderEvent) and e.order_id == day]
    assert [(e.old, e.new) for e in events] == [(OrderStatus.ACCEPTED, OrderStatus.EXPIRED)]


def test_day_order_accepted_at_the_last_bar_of_a_day_works_the_next_day() -> None:
    b = broker(at(2, 23, 59))
    day = b.submit(limit_buy("d", TimeInForce.DAY, at(2, 23, 59)), ts=at(2, 23, 59)).order_id
    b.on_bar(make_bar("X", at(3, 0, 0), "100"))  # first eligible bar: 2024-01-03
    assert b.order(day).status is OrderStatus.ACCEPTED
    [fill] = b.on_bar(make_bar("X", at(3, 15, 0), "95", low="89"))
    assert (fill.order_id, fill.price) == (day, D(90))


def test_day_order_with_daily_bars_works_one_session() -> None:
    b = broker(at(2, 0, 0))
    day = b.submit(limit_buy("d", TimeInForce.DAY, at(2, 0, 0)), ts=at(2, 0, 0)).order_id
    b.on_bar(make_bar("X", at(3, 0, 0), "100"))  # eligible session 2024-01-03
    assert b.order(day).status is OrderStatus.ACCEPTED
    b.on_bar(make_bar("X", at(4, 0, 0), "80"))
    assert b.order(day).status is OrderStatus.EXPIRED


def test_a_new_day_on_another_symbol_expires_the_order_too() -> None:
    b = broker(at(2, 23, 58))
    day = b.submit(limit_buy("d", TimeInForce.DAY, at(2, 23, 58)), ts=at(2, 23, 58)).order_id
    b.on_bar(make_bar("X", at(2, 23, 59), "100"))
    b.on_bar(make_bar("Y", at(3, 0, 0), "100"))
    assert b.order(day).status is OrderStatus.EXPIRED


def test_partially_filled_day_order_expires() -> None:
    b = PaperBroker(cash=D(10000), volume_participation=D("0.5"))
    b.on_slice([make_bar("X", at(2, 23, 58), "100")])
    intent = limit_buy("d", TimeInForce.DAY, at(2, 23, 58)).model_copy(update={"qty": D(4)})
    day = b.submit(intent, ts=at(2, 23, 58)).order_id
    b.on_bar(make_bar("X", at(2, 23, 59), "90", volume="2"))  # fills 1 of 4
    assert b.order(day).status is OrderStatus.PARTIALLY_FILLED
    b.on_bar(make_bar("X", at(3, 0, 0), "90", volume="100"))
    expired = b.order(day)
    assert (expired.status, expired.filled_qty) == (OrderStatus.EXPIRED, D(1))
