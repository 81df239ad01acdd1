"""Paper fill rules, table-driven with hand-worked prices and fees (DESIGN.md §5)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

import pytest

from logos.brokers import PaperBroker
from logos.domain import Liquidity, Order, OrderIntent, OrderStatus, Side, TimeInForce
from logos.errors import BrokerError, OrderStateError
from logos.testing.brokers import make_bar, make_intent

T0 = datetime(2024, 1, 2, 15, 0, tzinfo=UTC)


def t(i: int) -> datetime:
    return T0 + timedelta(minutes=i)


def broker(**params: object) -> PaperBroker:
    """Broker at bar 0 (close 100), 10 bps taker, 2 bps maker, 50 bps slippage, shorts allowed."""
    defaults: dict[str, object] = {
        "cash": D(100000),
        "fee_bps": D(10),
        "maker_fee_bps": D(2),
        "slippage_bps": D(50),
        "allow_short": True,
    }
    b = PaperBroker(**{**defaults, **params})
    b.on_slice([make_bar("X", t(0), "100")])
    return b


def intent(cid: str, side: Side, qty: str, limit: str | None = None) -> OrderIntent:
    return make_intent("X", side, qty, client_order_id=cid, ts=t(0), limit=limit)


BUY, SELL = Side.BUY, Side.SELL
CASES = [
    # id, side, limit, bar 1 (open, high, low, close), expected price, liquidity, fee on 10 units
    (
        "market buy: open + 50 bps",
        BUY,
        None,
        ("101", "102", "100", "101"),
        "101.505",
        "taker",
        "1.01505",
    ),
    (
        "market sell: open - 50 bps",
        SELL,
        None,
        ("101", "102", "100", "101"),
        "100.495",
        "taker",
        "1.00495",
    ),
    (
        "limit buy crossed: at limit",
        BUY,
        "99",
        ("100", "101", "98.5", "100"),
        "99",
        "maker",
        "0.198",
    ),
    (
        "limit buy touched: low == limit",
        BUY,
        "99",
        ("100", "101", "99", "100"),
        "99",
        "maker",
        "0.198",
    ),
    ("limit buy gap down: at open", BUY, "99", ("97", "98", "96", "97"), "97", "maker", "0.194"),
    ("limit buy not reached", BUY, "99", ("100", "101", "99.01", "100"), None, None, None),
    (
        "limit sell crossed: at limit",
        SELL,
        "102",
        ("100", "102.5", "99", "101"),
        "102",
        "maker",
        "0.204",
    ),
    (
        "limit sell gap up: at open",
        SELL,
        "102",
        ("104", "105", "103", "104"),
        "104",
        "maker",
        "0.208",
    ),
    (
        "limit sell touched: high == limit",
        SELL,
        "102",
        ("100", "102", "99", "101"),
        "102",
        "maker",
        "0.204",
    ),
    ("limit sell not reached", SELL, "102", ("100", "101.99", "99", "101"), None, None, None),
    # a limit buy above the market fills at the open: the better price, still no slippage
    ("limit buy above the open", BUY, "105", ("101", "102", "100", "101"), "101", "maker", "0.202"),
]


@pytest.mark.parametrize(
    ("side", "limit", "ohlc", "price", "liquidity", "fee"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_fill_rules(
    side: Side,
    limit: str | None,
    ohlc: tuple[str, str, str, str],
    price: str | None,
    liquidity: str | None,
    fee: str | None,
) -> None:
    b = broker()
    order = b.submit(intent("c1", side, "10", limit), ts=t(0))
    assert order.status is OrderStatus.ACCEPTED
    fills = b.on_bar(make_bar("X", t(1), *ohlc))
    if price is None:
        assert fills == []
        assert b.order(order.order_id).status is OrderStatus.ACCEPTED
        return
    [fill] = fills
    assert (fill.price, fill.qty, fill.fee) == (D(price), D(10), D(fee))
    assert fill.liquidity is Liquidity(liquidity)
    assert (fill.ts, fill.trade_id, fill.order_id) == (t(1), "PT-000001", "P-000001")
    done = b.order(order.order_id)
    assert (done.status, done.filled_qty, done.avg_fill_price) == (
        OrderStatus.FILLED,
        D(10),
        D(price),
    )
    assert b.account().cash == D(100000) - side.sign * D(10) * D(price) - D(fee)


def test_order_is_not_eligible_on_the_bar_it_was_accepted_on() -> None:
    b = broker()
    order = b.submit(intent("c1", BUY, "1"), ts=t(1))  # bar 1 is current when accepted
    assert b.on_bar(make_bar("X", t(1), "100")) == []
    [fill] = b.on_bar(make_bar("X", t(2), "110"))
    assert fill.price == D("110.55")  # 110 * 1.005
    assert b.order(order.order_id).status is OrderStatus.FILLED


def test_bars_must_move_forward() -> None:
    b = broker()
    with pytest.raises(BrokerError, match="not after the previous bar"):
        b.on_bar(make_bar("X", t(0), "100"))
    b.on_bar(make_bar("X", t(2), "100"))
    with pytest.raises(BrokerError, match="not after the previous bar"):
        b.on_bar(make_bar("X", t(1), "100"))


def test_maker_fee_defaults_to_taker_fee() -> None:
    b = PaperBroker(cash=D(1000), fee_bps=D(25))
    b.on_slice([make_bar("X", t(0), "10")])
    b.submit(intent("c1", BUY, "2", "10"), ts=t(0))
    [fill] = b.on_bar(make_bar("X", t(1), "10"))
    assert fill.fee == D("0.05")  # 2 * 10 * 0.0025


def test_other_symbols_bars_do_not_fill() -> None:
    b = broker()
    order = b.submit(intent("c1", BUY, "1"), ts=t(0))
    assert b.on_bar(make_bar("Y", t(1), "5")) == []
    assert b.order(order.order_id).status is OrderStatus.ACCEPTED


def test_same_inputs_give_byte_identical_events() -> None:
    def run() -> str:
        b = broker(volume_participation=D("0.5"))
        b.submit(intent("a", BUY, "7", "101"), ts=t(0))
        b.submit(intent("b", SELL, "3"), ts=t(0))
        for i, (o, v) in enumerate([("100", "4"), ("102", "6"), ("99", "20")], start=1):
            b.on_slice([make_bar("X", t(i), o, volume=v)])
        lines = [e.to_event(n).model_dump_json() for n, e in enumerate(b.drain_events())]
        return "\n".join(lines) + repr(b.snapshot())

    assert run() == run()


def test_listener_sees_events_as_they_happen_and_drain_empties_the_queue() -> None:
    b = broker()
    seen: list[str] = []
    b.add_listener(lambda e: seen.append(f"{e.type}:{getattr(e, 'new', '')}"))
    b.submit(intent("c1", BUY, "1"), ts=t(0))
    assert seen == ["order:NEW", "order:SUBMITTED", "order:ACCEPTED"]
    b.on_bar(make_bar("X", t(1), "100"))
    assert seen[3:] == ["fill:", "order:FILLED"]
    assert len(b.drain_events()) == 5
    assert b.drain_events() == []


def test_cancel_all_by_symbol() -> None:
    b = broker()
    b.on_slice([make_bar("Y", t(0), "50")])
    x = b.submit(intent("x", BUY, "1", "90"), ts=t(0))
    y = b.submit(intent("y", BUY, "1", "40").model_copy(update={"symbol": "Y"}), ts=t(0))
    assert [o.order_id for o in b.cancel_all(ts=t(0), symbol="Y", reason="halt")] == [y.order_id]
    assert [o.order_id for o in b.working_orders()] == [x.order_id]
    assert b.order(y.order_id).reason == "halt"
    assert [o.status for o in b.cancel_all(ts=t(0))] == [OrderStatus.CANCELED]
    assert b.working_orders() == []


def finished_order(status: OrderStatus) -> tuple[PaperBroker, str]:
    """A broker holding one order that reached ``status`` (a terminal state)."""
    b = broker()
    if status is OrderStatus.REJECTED:
        return b, b.submit(intent("c1", BUY, "100000"), ts=t(0)).order_id  # no cash for it
    tif = TimeInForce.DAY if status is OrderStatus.EXPIRED else TimeInForce.GTC
    limit_buy = intent("c1", BUY, "1", "50").model_copy(update={"time_in_force": tif})
    order_id = b.submit(limit_buy, ts=t(0)).order_id
    if status is OrderStatus.CANCELED:
        b.cancel(order_id, ts=t(0))
    elif status is OrderStatus.FILLED:
        b.on_bar(make_bar("X", t(1), "50"))
    else:  # DAY order: eligible on 2024-01-02, expires at the next day's first bar
        b.on_bar(make_bar("X", t(1), "100"))
        b.on_bar(make_bar("X", T0 + timedelta(days=1), "100"))
    assert b.order(order_id).status is status
    return b, order_id


@pytest.mark.parametrize(
    "status",
    [OrderStatus.FILLED, OrderStatus.CANCELED, OrderStatus.EXPIRED, OrderStatus.REJECTED],
)
def test_cancel_of_a_finished_order_raises_and_changes_nothing(status: OrderStatus) -> None:
    b, order_id = finished_order(status)
    before, snapshot = b.order(order_id), b.snapshot()
    b.drain_events()
    with pytest.raises(OrderStateError, match=rf"{order_id} .*{status.value} -> CANCELED"):
        b.cancel(order_id, ts=t(3))
    assert b.order(order_id) == before
    assert b.drain_events() == []
    assert b.snapshot() == snapshot  # the clock did not move to t(3) either


def test_cancel_all_leaves_in_flight_orders_to_reconciliation() -> None:
    class InFlight(PaperBroker):
        """A venue-like broker whose order "a" is still SUBMITTED (no answer yet)."""

        def working_orders(self) -> list[Order]:
            return [
                o.evolve(status=OrderStatus.SUBMITTED) if o.client_order_id == "a" else o
                for o in super().working_orders()
            ]

    b = InFlight(cash=D(100000))
    b.on_slice([make_bar("X", t(0), "100")])
    in_flight = b.submit(intent("a", BUY, "1", "90"), ts=t(0)).order_id
    accepted = b.submit(intent("b", BUY, "1", "90"), ts=t(0)).order_id
    assert [o.order_id for o in b.cancel_all(ts=t(0))] == [accepted]
    assert b.order(in_flight).status is OrderStatus.ACCEPTED  # untouched
