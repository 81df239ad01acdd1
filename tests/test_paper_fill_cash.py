"""Fill-time buying power: a gap never overdraws a cash account; exits are never cut."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from logos.brokers import PaperBroker
from logos.brokers.base import FillEvent
from logos.domain import OrderIntent, OrderStatus, Side, SymbolMeta
from logos.lifecycle import OrderEvent
from logos.testing.brokers import make_bar, make_intent

T0 = datetime(2024, 1, 2, 15, 0, tzinfo=UTC)
S = OrderStatus


def t(i: int) -> datetime:
    return T0 + timedelta(minutes=i)


def broker(cash: str, metas: list[SymbolMeta] | None = None, **params: Any) -> PaperBroker:
    """A broker whose bar 0 of X closed at 100."""
    b = PaperBroker(cash=D(cash), symbols=metas or [], **params)
    b.on_slice([make_bar("X", t(0), "100")])
    return b


def intent(cid: str, side: Side, qty: str, at: int = 0, limit: str | None = None) -> OrderIntent:
    return make_intent("X", side, qty, client_order_id=cid, ts=t(at), limit=limit)


LOT_1 = [SymbolMeta(symbol="X", lot_size=D(1))]


def test_gap_up_cuts_a_market_buy_to_the_lot_grid_and_cancels_the_rest() -> None:
    b = broker("1000", LOT_1)
    order = b.submit(intent("c", Side.BUY, "10"), ts=t(0))  # 10 × 100 = 1000: fits exactly
    assert order.status is S.ACCEPTED
    b.drain_events()
    [fill] = b.on_bar(make_bar("X", t(1), "104"))
    # 10 × 104 = 1040 > 1000; 1000 / 104 = 9.6… -> 9 lots, 936
    assert (fill.qty, fill.price) == (D(9), D(104))
    done = b.order(order.order_id)
    assert (done.status, done.filled_qty) == (S.CANCELED, D(9))
    assert done.reason.startswith("insufficient_cash: at fill time ")
    assert b.account().cash == D(64)  # 1000 - 936
    assert b.working_orders() == [] and b.reserved() == 0
    events = b.drain_events()
    assert isinstance(events[0], FillEvent)
    assert [(e.old, e.new) for e in events[1:] if isinstance(e, OrderEvent)] == [
        (S.ACCEPTED, S.PARTIALLY_FILLED),
        (S.PARTIALLY_FILLED, S.CANCELED),
    ]


def test_the_fee_counts_and_without_a_lot_size_the_cut_keeps_the_order_precision() -> None:
    b = broker("1001", fee_bps=D(10))
    b.submit(intent("c", Side.BUY, "10"), ts=t(0))  # 10 × 100 × 1.001 = 1001
    [fill] = b.on_bar(make_bar("X", t(1), "104"))
    # per unit 104 × 1.001 = 104.104; 1001 / 104.104 = 9.61… -> 9 (the order is for whole units)
    assert (fill.qty, fill.fee) == (D(9), D("0.936"))  # fee 9 × 104 × 0.001
    assert b.account().cash == D("64.064")  # 1001 - 936 - 0.936

    b = broker("250")
    b.submit(intent("c", Side.BUY, "2.5"), ts=t(0))  # 250
    [fill] = b.on_bar(make_bar("X", t(1), "104"))
    assert fill.qty == D("2.4")  # 250 / 104 = 2.403…, cut to tenths like the order's 2.5
    assert b.account().cash == D("0.4")  # 250 - 249.6


def test_nothing_fits_cancels_without_a_fill() -> None:
    b = broker("100")
    order = b.submit(intent("c", Side.BUY, "1"), ts=t(0))
    assert b.on_bar(make_bar("X", t(1), "101")) == []  # 101 > 100
    assert b.order(order.order_id).status is S.CANCELED
    assert b.order(order.order_id).filled_qty == 0
    assert b.account().cash == D(100)


def test_other_working_orders_keep_their_reservation() -> None:
    b = broker("1000", LOT_1)
    market = b.submit(intent("m", Side.BUY, "5"), ts=t(0)).order_id  # reserves 500
    limit = b.submit(intent("l", Side.BUY, "5", limit="100"), ts=t(0)).order_id  # reserves 500
    [fill] = b.on_bar(make_bar("X", t(1), "110", low="105"))  # the limit is not reached
    # room for the market buy: 1000 - 500 held for the limit = 500; 500 / 110 -> 4 lots
    assert (fill.order_id, fill.qty) == (market, D(4))
    assert b.account().cash == D(560)  # 1000 - 440
    assert b.order(limit).status is S.ACCEPTED
    assert b.reserved() == D(500)  # still covered by the 560 of cash


def test_a_limit_buy_is_never_cut() -> None:
    b = broker("1000")
    b.submit(intent("l", Side.BUY, "10", limit="100"), ts=t(0))
    [fill] = b.on_bar(make_bar("X", t(1), "100", low="99"))
    assert (fill.qty, fill.price) == (D(10), D(100))  # never above its limit: cost ≤ reserved
    assert b.account().cash == 0


def test_covering_a_short_is_never_cut_even_past_the_cash() -> None:
    b = broker("1000", allow_short=True)
    b.submit(intent("s", Side.SELL, "10"), ts=t(0))  # 1000 of collateral: fits
    b.on_slice([make_bar("X", t(1), "100")])  # short 10 @ 100, cash 2000
    cover = b.submit(intent("c", Side.BUY, "10", at=1), ts=t(1))
    [fill] = b.on_bar(make_bar("X", t(2), "300"))
    assert (fill.qty, fill.price, fill.realized_pnl) == (D(10), D(300), D(-2000))
    assert b.order(cover.order_id).status is S.FILLED
    assert b.account().cash == D(-1000)  # 2000 - 3000: the loss of the short, not a new debt


def test_a_flip_always_closes_and_cuts_only_the_new_side() -> None:
    b = broker("3000", LOT_1, allow_short=True)
    b.submit(intent("s", Side.SELL, "10"), ts=t(0))
    b.on_slice([make_bar("X", t(1), "100")])  # short 10 @ 100: cash 4000, equity 3000
    # buy 30: 10 cover, 20 open long; 20 × 100 = 2000 ≤ 3000 - 1000 of gross: accepted
    flip = b.submit(intent("f", Side.BUY, "30", at=1), ts=t(1))
    assert flip.status is S.ACCEPTED
    [fill] = b.on_bar(make_bar("X", t(2), "110"))
    # room before the fill is still 2000 (marks at 100): 2000 / 110 -> 18 open, + 10 cover
    assert (fill.qty, fill.price, fill.realized_pnl) == (D(28), D(110), D(-100))
    assert b.order(flip.order_id).status is S.CANCELED
    assert b.account().cash == D(920)  # 4000 - 28 × 110
    assert [(p.qty, p.avg_cost) for p in b.positions()] == [(D(18), D(110))]


def test_with_margin_the_cut_is_an_insufficient_margin() -> None:
    b = broker("1000", LOT_1, allow_margin=True, max_leverage=D(2))
    b.submit(intent("c", Side.BUY, "20"), ts=t(0))  # 2000 ≤ 2 × 1000
    [fill] = b.on_bar(make_bar("X", t(1), "104"))
    assert fill.qty == D(19)  # 2000 / 104 = 19.2…
    assert b.orders()[0].reason.startswith("insufficient_margin: ")
    assert b.account().cash == D(-976)  # 1000 - 1976, borrowed on margin


halves = st.integers(min_value=20, max_value=400).map(lambda n: D(n) / 2)


@settings(max_examples=200, deadline=None)
@given(
    cash=st.integers(min_value=100, max_value=20000).map(D),
    close=halves,
    opens=st.lists(halves, min_size=1, max_size=3),
    fee_bps=st.sampled_from([D(0), D(10), D("7.5")]),
    slippage_bps=st.sampled_from([D(0), D(25)]),
    orders=st.integers(min_value=1, max_value=3),
)
def test_all_in_market_buys_never_overdraw_a_cash_account_whatever_the_gap(
    cash: D, close: D, opens: list[D], fee_bps: D, slippage_bps: D, orders: int
) -> None:
    b = PaperBroker(
        cash=cash,
        fee_bps=fee_bps,
        slippage_bps=slippage_bps,
        symbols=[SymbolMeta(symbol="X", lot_size=D("0.5"))],
    )
    b.on_slice([make_bar("X", t(0), close)])
    share = cash / orders / close
    for n in range(orders):  # each order as large as the cash allows, down to 0.5 less
        qty = (share * 2).to_integral_value(rounding="ROUND_FLOOR") / 2
        for attempt in (qty, qty - D("0.5")):
            if attempt > 0:
                order = b.submit(intent(f"c{n}-{attempt}", Side.BUY, str(attempt)), ts=t(0))
                if order.status is S.ACCEPTED:
                    break
    for i, open_ in enumerate(opens, start=1):
        b.on_slice([make_bar("X", t(i), open_)])
        assert b.account().cash >= 0
    for order in b.orders():
        assert order.status in (S.FILLED, S.CANCELED, S.REJECTED)
        if order.status is S.CANCELED:
            assert order.reason.startswith("insufficient_cash: at fill time ")
