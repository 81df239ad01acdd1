"""Volume participation cap: shared per bar and symbol, FIFO priority, partial fills, cancel."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

from logos.brokers import PaperBroker
from logos.domain import OrderIntent, OrderStatus, Side, SymbolMeta
from logos.testing.brokers import make_bar, make_intent

T0 = datetime(2024, 1, 2, 15, 0, tzinfo=UTC)
S = OrderStatus


def t(i: int) -> datetime:
    return T0 + timedelta(minutes=i)


def broker(cap: str | None = "0.1", **params: object) -> PaperBroker:
    b = PaperBroker(
        cash=D(100000),
        volume_participation=None if cap is None else D(cap),
        **params,  # type: ignore[arg-type]
    )
    b.on_slice([make_bar("X", t(0), "10")])
    return b


def buy(cid: str, qty: str, limit: str | None = None) -> OrderIntent:
    return make_intent("X", Side.BUY, qty, client_order_id=cid, ts=t(0), limit=limit)


def test_cap_is_shared_fifo_and_remainder_keeps_working_over_several_bars() -> None:
    b = broker()
    a = b.submit(buy("a", "8"), ts=t(0)).order_id
    c = b.submit(buy("b", "4"), ts=t(0)).order_id
    # bar 1: volume 50 -> 5 may fill; a (first accepted) takes all 5
    fills = b.on_bar(make_bar("X", t(1), "10", volume="50"))
    assert [(f.order_id, f.qty, f.price) for f in fills] == [(a, D(5), D(10))]
    assert (b.order(a).status, b.order(a).filled_qty) == (S.PARTIALLY_FILLED, D(5))
    assert b.order(c).status is S.ACCEPTED
    # bar 2: volume 30 -> 3: a completes, b still nothing
    fills = b.on_bar(make_bar("X", t(2), "11", volume="30"))
    assert [(f.order_id, f.qty, f.price) for f in fills] == [(a, D(3), D(11))]
    assert b.order(a).status is S.FILLED
    assert b.order(a).avg_fill_price == D("10.375")  # (5*10 + 3*11) / 8
    # bar 3: volume 100 -> 10: b fills its 4
    fills = b.on_bar(make_bar("X", t(3), "12", volume="100"))
    assert [(f.order_id, f.qty) for f in fills] == [(c, D(4))]
    assert b.working_orders() == []
    assert [(p.symbol, p.qty) for p in b.positions()] == [("X", D(12))]


def test_budget_split_between_two_orders_on_one_bar() -> None:
    b = broker()
    a = b.submit(buy("a", "3"), ts=t(0)).order_id
    c = b.submit(buy("b", "4"), ts=t(0)).order_id
    fills = b.on_bar(make_bar("X", t(1), "10", volume="50"))  # 5 available
    assert [(f.order_id, f.qty) for f in fills] == [(a, D(3)), (c, D(2))]
    assert (b.order(c).status, b.order(c).remaining_qty) == (S.PARTIALLY_FILLED, D(2))


def test_uncrossed_limit_consumes_no_liquidity() -> None:
    b = broker()
    limit = b.submit(buy("a", "5", limit="9"), ts=t(0)).order_id
    market = b.submit(buy("b", "4"), ts=t(0)).order_id
    fills = b.on_bar(make_bar("X", t(1), "10", low="9.5", volume="50"))
    assert [(f.order_id, f.qty) for f in fills] == [(market, D(4))]
    assert b.order(limit).status is S.ACCEPTED


def test_partial_fills_are_truncated_to_the_lot_size() -> None:
    b = broker(symbols=[SymbolMeta(symbol="X", lot_size=D(1))])
    a = b.submit(buy("a", "2"), ts=t(0)).order_id
    c = b.submit(buy("b", "3"), ts=t(0)).order_id
    # volume 25 -> budget 2.5: a takes 2, the 0.5 left is below one lot, so b gets nothing
    fills = b.on_bar(make_bar("X", t(1), "10", volume="25"))
    assert [(f.order_id, f.qty) for f in fills] == [(a, D(2))]
    assert b.order(c).filled_qty == 0


def test_zero_volume_bar_fills_nothing_with_the_cap_on() -> None:
    b = broker()
    a = b.submit(buy("a", "1"), ts=t(0)).order_id
    assert b.on_bar(make_bar("X", t(1), "10", volume="0")) == []
    assert b.order(a).status is S.ACCEPTED


def test_zero_volume_bar_fills_with_the_cap_off() -> None:
    b = broker(cap=None)
    a = b.submit(buy("a", "1000"), ts=t(0)).order_id
    [fill] = b.on_bar(make_bar("X", t(1), "10", volume="0"))
    assert fill.qty == D(1000)
    assert b.order(a).status is S.FILLED


def test_cancel_partially_filled_order_keeps_its_fills() -> None:
    b = broker()
    a = b.submit(buy("a", "8"), ts=t(0)).order_id
    b.on_bar(make_bar("X", t(1), "10", volume="50"))  # fills 5
    canceled = b.cancel(a, ts=t(1), reason="user")
    assert (canceled.status, canceled.filled_qty, canceled.reason) == (S.CANCELED, D(5), "user")
    assert b.on_bar(make_bar("X", t(2), "10", volume="500")) == []
    assert [(p.symbol, p.qty) for p in b.positions()] == [("X", D(5))]
    assert b.account().cash == D(99950)  # 100000 - 5*10
    assert b.reserved() == 0


def test_reservation_shrinks_as_the_order_fills() -> None:
    b = broker()
    b.submit(buy("a", "8"), ts=t(0))
    assert b.reserved() == D(80)  # 8 * close 10, no fee, no slippage
    b.on_bar(make_bar("X", t(1), "10", volume="50"))
    assert b.reserved() == D(30)  # 3 left


def test_buys_and_sells_share_one_budget_per_bar() -> None:
    b = broker(allow_short=True)
    buy_id = b.submit(buy("a", "4"), ts=t(0)).order_id
    sell = buy("s", "4").model_copy(update={"side": Side.SELL})
    sell_id = b.submit(sell, ts=t(0)).order_id
    fills = b.on_bar(make_bar("X", t(1), "10", volume="50"))  # 5 in all, buy accepted first
    assert [(f.order_id, f.side, f.qty) for f in fills] == [
        (buy_id, Side.BUY, D(4)),
        (sell_id, Side.SELL, D(1)),
    ]
    assert b.order(sell_id).remaining_qty == D(3)


def test_without_a_lot_size_partial_fills_keep_the_order_precision() -> None:
    b = broker()
    whole = b.submit(buy("a", "10"), ts=t(0)).order_id
    [fill] = b.on_bar(make_bar("X", t(1), "10", volume="25"))  # budget 2.5
    assert (fill.order_id, fill.qty) == (whole, D(2))  # an order for 10 fills whole units

    b = broker()
    tenths = b.submit(buy("a", "2.5"), ts=t(0)).order_id
    [fill] = b.on_bar(make_bar("X", t(1), "10", volume="13"))  # budget 1.3
    assert (fill.order_id, fill.qty) == (tenths, D("1.3"))
    [fill] = b.on_bar(make_bar("X", t(2), "10", volume="9"))  # budget 0.9, 1.2 left
    assert fill.qty == D("0.9")


def test_a_non_fractionable_symbol_without_a_lot_size_fills_whole_units() -> None:
    b = broker(symbols=[SymbolMeta(symbol="X", fractionable=False)])
    order = b.submit(buy("a", "3"), ts=t(0)).order_id
    [fill] = b.on_bar(make_bar("X", t(1), "10", volume="19"))  # budget 1.9
    assert fill.qty == D(1)
    assert b.order(order).remaining_qty == D(2)
