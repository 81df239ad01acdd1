"""Review of the count-only broker events: the engine's sequence, working orders and order
creation order are the same whether the paper broker records or only counts its events,
including fill-time cash cuts, rejections and a listener added afterwards."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from logos.brokers.paper import PaperBroker
from logos.domain import Bar, OrderIntent, OrderStatus, OrderType, Side, TimeInForce
from logos.engine import Engine, SessionParts
from logos.lifecycle import OrderEvent
from logos.sizing import OrderTranslator
from logos.strategies.buy_and_hold import BuyAndHold

T0 = datetime(2024, 5, 6, 9, 30, tzinfo=UTC)
T1 = T0 + timedelta(minutes=1)
T2 = T0 + timedelta(minutes=2)


def _bar(ts: datetime, price: str) -> Bar:
    p = Decimal(price)
    return Bar("X", ts, p, p, p, p, Decimal(1000))


def _engine(counting: bool) -> Engine:
    parts = SessionParts(
        session_id="t",
        mode="backtest",
        symbols=["X"],
        strategies={"X": BuyAndHold()},
        translator=OrderTranslator("fixed_qty", {"qty": "5"}, session_id="t"),
        broker=PaperBroker(cash=Decimal(100)),
    )
    engine = Engine(parts)
    if counting:
        assert engine.count_broker_events_only()
    return engine


def _step(engine: Engine, ts: datetime, price: str) -> None:
    engine.on_bar(_bar(ts, price))
    engine.journal_broker_events()
    account = engine.broker.mark_prices({"X": Decimal(price)}, ts=ts)
    engine.evaluate("X", 1.0, Decimal(price), ts, account)


def _run(counting: bool) -> tuple[Engine, list[int], list[dict[str, str]]]:
    engine = _engine(counting)
    seqs, working = [], []
    for ts, price in ((T0, "10"), (T1, "30"), (T2, "30")):
        _step(engine, ts, price)
        seqs.append(engine.seq)
        working.append(dict(engine.working))
    return engine, seqs, working


def test_counting_engine_keeps_sequence_working_orders_and_creation_order() -> None:
    # T0: buy 5 @ last close 10 accepted (NEW 1, SUBMITTED 2, ACCEPTED 3), reserves 50 of 100.
    # T1: opens at 30: 5 x 30 = 150 > 100, cut to 3 (90): fill 4, PARTIALLY_FILLED 5,
    #     CANCELED 6; then target 5 - position 3 = buy 2 at 30 = 60 > cash 10: NEW 7,
    #     SUBMITTED 8, REJECTED 9 (client id t-7). T2: the same again, NEW 10 .. REJECTED 12.
    for counting in (False, True):
        engine, seqs, working = _run(counting)
        assert seqs == [3, 9, 12]
        assert working == [{"P-000001": "X"}, {}, {}]
        orders = engine.broker.orders()
        assert [(o.client_order_id, o.status, o.filled_qty) for o in orders] == [
            ("t-1", OrderStatus.CANCELED, Decimal(3)),
            ("t-7", OrderStatus.REJECTED, Decimal(0)),
            ("t-10", OrderStatus.REJECTED, Decimal(0)),
        ]
        assert engine._created == {"P-000001": 1, "P-000002": 7, "P-000003": 10}
        assert engine.broker.event_count == 12


def test_a_listener_added_to_a_counting_broker_sees_events_and_nothing_piles_up() -> None:
    engine = _engine(counting=True)
    _step(engine, T0, "10")  # seq 3, one working order
    seen: list[object] = []
    engine.broker.add_listener(seen.append)
    _step(engine, T1, "30")  # fill 4, PARTIALLY_FILLED 5, CANCELED 6, NEW 7 .. REJECTED 9
    assert engine.seq == 9
    assert [type(e).__name__ for e in seen] == [
        "FillEvent",
        "OrderEvent",
        "OrderEvent",
        "OrderEvent",
        "OrderEvent",
        "OrderEvent",
    ]
    assert [e.new for e in seen if isinstance(e, OrderEvent)] == [
        OrderStatus.PARTIALLY_FILLED,
        OrderStatus.CANCELED,
        OrderStatus.NEW,
        OrderStatus.SUBMITTED,
        OrderStatus.REJECTED,
    ]
    # the engine counted (and so consumed) these events: none stays queued for ever
    assert engine.broker.drain_events() == []


def _day_limit(client_id: str) -> OrderIntent:
    return OrderIntent(
        symbol="X",
        side=Side.BUY,
        qty=Decimal(1),
        type=OrderType.LIMIT,
        limit_price=Decimal(5),
        time_in_force=TimeInForce.DAY,
        client_order_id=client_id,
        reason="review",
        ts=T0,
    )


def test_count_only_counts_day_expiry_cancel_and_ignores_a_resend() -> None:
    day1, day2 = T0, T0 + timedelta(days=1)
    counts = []
    for counting in (False, True):
        broker = PaperBroker(cash=Decimal(100))
        broker.on_bar(_bar(day1, "10"))
        broker.mark_prices({"X": Decimal(10)}, ts=day1)
        assert broker.drain_events() == []  # a bar and a mark are no events
        if counting:
            assert broker.count_only()
        expiring = broker.submit(_day_limit("c-1"), ts=day1)  # NEW, SUBMITTED, ACCEPTED: 3
        canceled = broker.submit(_day_limit("c-2"), ts=day1)  # 3 more: 6
        assert broker.submit(_day_limit("c-1"), ts=day1) == expiring  # resend: no event
        broker.cancel(canceled.order_id, ts=day1)  # CANCELED: 7
        broker.on_bar(_bar(day1 + timedelta(minutes=1), "10"))  # limit 5 not crossed
        broker.on_bar(_bar(day2, "10"))  # EXPIRED: 8
        assert broker.order(expiring.order_id).status is OrderStatus.EXPIRED
        assert broker.working_orders() == []
        counts.append((broker.event_count, len(broker.drain_events())))
    assert counts == [(8, 8), (8, 0)]
