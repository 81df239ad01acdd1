"""Stop, stop-limit, trailing-stop, take-profit and bracket fills, worked by hand (docs/orders.md).

Every broker starts at bar 0 with a close of 100, 100,000 cash, a 10 bps taker fee, a 2 bps
maker fee and no slippage (one case adds 50 bps); the expected prices and fees are written
out in each case.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

import pytest

from logos.brokers import PaperBroker
from logos.domain import (
    Bracket,
    ExitLevel,
    Liquidity,
    Order,
    OrderIntent,
    OrderStatus,
    OrderType,
    Side,
)
from logos.testing.brokers import make_bar

T0 = datetime(2024, 1, 2, 15, 0, tzinfo=UTC)
BUY, SELL = Side.BUY, Side.SELL


def t(i: int) -> datetime:
    return T0 + timedelta(minutes=i)


def broker(**params: object) -> PaperBroker:
    defaults: dict[str, object] = {
        "cash": D(100000),
        "fee_bps": D(10),
        "maker_fee_bps": D(2),
        "slippage_bps": D(0),
        "allow_short": True,
    }
    b = PaperBroker(**{**defaults, **params})
    b.on_slice([make_bar("X", t(0), "100")])
    return b


def bar(i: int, o: str, h: str, lo: str, c: str, volume: str = "1000"):
    return make_bar("X", t(i), o, h, lo, c, volume)


def order(cid: str, side: Side, qty: str, kind: OrderType, at: int = 0, **fields: object):
    values = {k: (D(v) if isinstance(v, str) else v) for k, v in fields.items()}
    return OrderIntent(
        symbol="X",
        side=side,
        qty=D(qty),
        type=kind,
        client_order_id=cid,
        ts=t(at),
        **values,
    )


def long_10(b: PaperBroker) -> None:
    """Buy 10 at bar 1's open of 100: a long position of 10."""
    b.submit(order("entry", BUY, "10", OrderType.MARKET), ts=t(0))
    fills = b.on_slice([bar(1, "100", "100", "100", "100")]).fills
    assert [(f.qty, f.price) for f in fills] == [(D(10), D(100))]


def legs(b: PaperBroker, parent: str) -> dict[str, Order]:
    return {o.type.value: o for o in b.orders() if o.parent_id == parent}


# --- stops ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "bar2", "price", "fee"),
    [
        # traded through intrabar: at the stop, 95; fee 10 × 95 × 10 bps = 0.95
        ("through", ("97", "98", "94", "96"), "95", "0.95"),
        # touched exactly: low == stop
        ("touched", ("97", "98", "95", "96"), "95", "0.95"),
        # gap below the stop: at the open, 93 (never the better 95); fee 0.93
        ("gap", ("93", "94", "92", "93"), "93", "0.93"),
        # not reached: low 95.01 > 95
        ("missed", ("97", "98", "95.01", "96"), None, None),
    ],
)
def test_sell_stop(case: str, bar2: tuple[str, ...], price: str | None, fee: str | None) -> None:
    b = broker()
    long_10(b)
    b.submit(order("stop", SELL, "10", OrderType.STOP, 1, stop_price="95"), ts=t(1))
    fills = b.on_slice([bar(2, *bar2)]).fills
    if price is None:
        assert fills == []
        assert b.order_by_client_id("stop").status is OrderStatus.ACCEPTED
        return
    assert [(f.qty, f.price, f.fee, f.liquidity) for f in fills] == [
        (D(10), D(price), D(fee), Liquidity.TAKER)
    ]
    assert b.position_qty("X") == 0


def test_stop_fill_is_slipped_against_the_trader() -> None:
    b = broker(slippage_bps=D(50))
    b.submit(order("entry", BUY, "10", OrderType.MARKET), ts=t(0))
    b.on_slice([bar(1, "100", "100", "100", "100")])  # bought at 100 × 1.005 = 100.5
    b.submit(order("stop", SELL, "10", OrderType.STOP, 1, stop_price="95"), ts=t(1))
    (fill,) = b.on_slice([bar(2, "97", "98", "94", "96")]).fills
    assert fill.price == D("94.525")  # 95 × (1 − 0.005)


def test_buy_stop_entry_fills_at_the_stop_or_a_gap_above_it() -> None:
    b = broker()
    b.submit(order("breakout", BUY, "10", OrderType.STOP, stop_price="105"), ts=t(0))
    assert b.on_slice([bar(1, "101", "104.99", "100", "104")]).fills == []
    (fill,) = b.on_slice([bar(2, "107", "108", "106", "107")]).fills
    assert (fill.price, fill.liquidity) == (D(107), Liquidity.TAKER)  # gap: max(107, 105)


# --- stop-limit ----------------------------------------------------------------------------


def test_stop_limit_fills_on_the_trigger_bar_when_the_limit_allows() -> None:
    b = broker()
    long_10(b)
    b.submit(
        order("sl", SELL, "10", OrderType.STOP_LIMIT, 1, stop_price="95", limit_price="94"),
        ts=t(1),
    )
    (fill,) = b.on_slice([bar(2, "97", "98", "93", "96")]).fills
    assert (fill.price, fill.liquidity) == (D(95), Liquidity.TAKER)  # triggered at 95 ≥ 94


def test_stop_limit_gapped_past_its_limit_rests_as_a_limit_order() -> None:
    b = broker()
    long_10(b)
    b.submit(
        order("sl", SELL, "10", OrderType.STOP_LIMIT, 1, stop_price="95", limit_price="94"),
        ts=t(1),
    )
    # opens at 93: triggered at 93, below the 94 limit: no fill, it now rests at 94
    assert b.on_slice([bar(2, "93", "93.9", "92", "93")]).fills == []
    resting = b.order_by_client_id("sl")
    assert (resting.status, resting.triggered) == (OrderStatus.ACCEPTED, True)
    # next bar reaches 94.5 from an open of 93.5: a limit sell at max(93.5, 94) = 94, maker
    (fill,) = b.on_slice([bar(3, "93.5", "94.5", "93", "94")]).fills
    assert (fill.price, fill.liquidity, fill.fee) == (D(94), Liquidity.MAKER, D("0.188"))


# --- trailing stops ------------------------------------------------------------------------


def test_trailing_stop_ratchets_with_highs_and_never_back() -> None:
    b = broker()
    long_10(b)  # mark 100 after bar 1
    b.submit(order("tr", SELL, "10", OrderType.TRAILING_STOP, 1, trail_amount="5"), ts=t(1))
    assert b.order_by_client_id("tr").stop_price == D(95)  # 100 − 5 from the last close
    b.on_slice([bar(2, "100", "110", "99", "108")])  # not hit (99 > 95); level 110 − 5
    assert b.order_by_client_id("tr").stop_price == D(105)
    b.on_slice([bar(3, "108", "109", "106", "107")])  # 109 − 5 = 104 < 105: stays
    assert b.order_by_client_id("tr").stop_price == D(105)
    (fill,) = b.on_slice([bar(4, "106", "107", "103", "104")]).fills  # low 103 ≤ 105
    assert fill.price == D(105)


def test_trailing_stop_by_percent_for_a_short() -> None:
    b = broker()
    b.submit(order("short", SELL, "10", OrderType.MARKET), ts=t(0))
    b.on_slice([bar(1, "100", "100", "100", "100")])
    b.submit(order("tr", BUY, "10", OrderType.TRAILING_STOP, 1, trail_percent="0.1"), ts=t(1))
    assert b.order_by_client_id("tr").stop_price == D(110)  # 100 × 1.1
    b.on_slice([bar(2, "95", "99", "80", "85")])  # not hit (99 < 110); 80 × 1.1 = 88
    assert b.order_by_client_id("tr").stop_price == D(88)
    (fill,) = b.on_slice([bar(3, "90", "91", "86", "90")]).fills  # gap above 88: the open
    assert fill.price == D(90)
    assert b.position_qty("X") == 0


# --- brackets ------------------------------------------------------------------------------


def bracket_entry(qty: str = "10", **exits: ExitLevel) -> OrderIntent:
    return order("entry", BUY, qty, OrderType.MARKET, exits=Bracket(**exits))


SL5 = ExitLevel(percent=D("0.05"))
TP10 = ExitLevel(percent=D("0.1"))


def test_bracket_arms_on_fill_and_take_profit_cancels_the_stop() -> None:
    b = broker()
    b.submit(bracket_entry(stop_loss=SL5, take_profit=TP10), ts=t(0))
    assert [o.type for o in b.working_orders()] == [OrderType.MARKET]  # nothing armed yet
    b.on_slice([bar(1, "100", "101", "96", "100")])  # bought 10 at 100; low 96 > stop 95
    armed = legs(b, b.order_by_client_id("entry").order_id)
    stop, take = armed["stop"], armed["take_profit"]
    assert (stop.stop_price, stop.qty, stop.side, stop.reduce_only) == (D(95), D(10), SELL, True)
    assert (take.limit_price, take.qty) == (D(110), D(10))
    assert stop.oco_id == take.oco_id is not None
    (fill,) = b.on_slice([bar(2, "105", "111", "97", "108")]).fills
    assert (fill.order_id, fill.price, fill.fee) == (take.order_id, D(110), D("0.22"))
    assert b.order(stop.order_id).status is OrderStatus.CANCELED
    assert "one-cancels-other" in b.order(stop.order_id).reason


def test_both_legs_touched_in_one_bar_takes_the_stop() -> None:
    b = broker()
    b.submit(bracket_entry(stop_loss=SL5, take_profit=TP10), ts=t(0))
    b.on_slice([bar(1, "100", "101", "99", "100")])
    (fill,) = b.on_slice([bar(2, "100", "111", "94", "100")]).fills  # 94 ≤ 95 and 111 ≥ 110
    armed = legs(b, b.order_by_client_id("entry").order_id)
    assert (fill.order_id, fill.price) == (armed["stop"].order_id, D(95))
    assert b.order(armed["take_profit"].order_id).status is OrderStatus.CANCELED


def test_a_gap_over_the_take_profit_fills_it_first_at_the_open() -> None:
    b = broker()
    b.submit(bracket_entry(stop_loss=SL5, take_profit=TP10), ts=t(0))
    b.on_slice([bar(1, "100", "101", "99", "100")])
    # opens at 112, above the 110 target: the take-profit filled at the first price
    (fill,) = b.on_slice([bar(2, "112", "113", "94", "100")]).fills
    armed = legs(b, b.order_by_client_id("entry").order_id)
    assert (fill.order_id, fill.price) == (armed["take_profit"].order_id, D(112))
    assert b.order(armed["stop"].order_id).status is OrderStatus.CANCELED


def test_stop_leg_fills_on_the_entry_bar_when_the_bar_goes_through_it() -> None:
    b = broker()
    b.submit(bracket_entry(stop_loss=SL5, take_profit=TP10), ts=t(0))
    # bought at the open, 100; the bar then fell to 94: stopped out at 95 on the same bar
    fills = b.on_slice([bar(1, "100", "111", "94", "96")]).fills
    assert [(f.side, f.price) for f in fills] == [(BUY, D(100)), (SELL, D(95))]
    assert b.position_qty("X") == 0
    armed = legs(b, b.order_by_client_id("entry").order_id)
    # the take-profit is never checked on the entry bar (111 ≥ 110 was not assumed after)
    assert b.order(armed["take_profit"].order_id).status is OrderStatus.CANCELED


def test_partial_entry_fill_arms_a_partial_bracket_that_grows() -> None:
    b = broker(volume_participation=D("0.5"))
    b.submit(bracket_entry(stop_loss=SL5, take_profit=TP10), ts=t(0))
    b.on_slice([bar(1, "100", "101", "99", "100", volume="8")])  # 0.5 × 8 = 4 fill
    entry_id = b.order_by_client_id("entry").order_id
    armed = legs(b, entry_id)
    assert {o.type.value: o.qty for o in armed.values()} == {"stop": 4, "take_profit": 4}
    b.on_slice([bar(2, "100", "101", "99", "100", volume="100")])  # the other 6 fill
    assert b.order(entry_id).status is OrderStatus.FILLED
    armed = legs(b, entry_id)
    assert {o.type.value: o.qty for o in armed.values()} == {"stop": 10, "take_profit": 10}
    assert len(armed) == 2  # grown, not a second pair


def test_trailing_bracket_starts_at_the_stop_loss_then_trails() -> None:
    b = broker()
    b.submit(bracket_entry(stop_loss=SL5, trailing=ExitLevel(percent=D("0.1"))), ts=t(0))
    b.on_slice([bar(1, "100", "120", "99", "118")])  # armed at 95; not moved on the entry bar
    entry_id = b.order_by_client_id("entry").order_id
    (leg,) = legs(b, entry_id).values()
    assert (leg.type, leg.stop_price) == (OrderType.TRAILING_STOP, D(95))
    b.on_slice([bar(2, "118", "130", "117", "125")])  # 130 × 0.9 = 117 > 95
    assert b.order(leg.order_id).stop_price == D(117)
    (fill,) = b.on_slice([bar(3, "120", "121", "116", "118")]).fills
    assert fill.price == D(117)


def test_leg_levels_round_to_the_tick_toward_the_entry() -> None:
    from logos.domain import SymbolMeta

    b = PaperBroker(
        cash=D(100000), symbols=[SymbolMeta(symbol="X", tick_size=D("0.5"), lot_size=D(1))]
    )
    b.on_slice([make_bar("X", t(0), "100")])
    b.submit(
        bracket_entry(
            stop_loss=ExitLevel(percent=D("0.033")), take_profit=ExitLevel(percent=D("0.077"))
        ),
        ts=t(0),
    )
    b.on_slice([bar(1, "100", "100", "100", "100")])
    armed = legs(b, b.order_by_client_id("entry").order_id)
    # stop 96.7 rounds up to 97 (tighter); target 107.7 rounds down to 107.5 (nearer)
    assert armed["stop"].stop_price == D(97)
    assert armed["take_profit"].limit_price == D("107.5")


# --- reduce-only ---------------------------------------------------------------------------


def test_reduce_only_stop_never_flips_the_position() -> None:
    b = broker()
    long_10(b)
    b.submit(
        order("big", SELL, "15", OrderType.STOP, 1, stop_price="95", reduce_only=True), ts=t(1)
    )
    (fill,) = b.on_slice([bar(2, "97", "98", "94", "96")]).fills
    assert fill.qty == 10
    assert b.position_qty("X") == 0  # not −5
    assert b.order_by_client_id("big").status is OrderStatus.CANCELED


def test_reduce_only_without_a_position_is_rejected() -> None:
    b = broker()
    placed = b.submit(
        order("tp", SELL, "5", OrderType.TAKE_PROFIT, limit_price="110", reduce_only=True),
        ts=t(0),
    )
    assert placed.status is OrderStatus.REJECTED
    assert placed.reason.startswith("nothing_to_reduce")


def test_take_profit_must_be_reduce_only() -> None:
    b = broker()
    placed = b.submit(order("tp", SELL, "5", OrderType.TAKE_PROFIT, limit_price="110"), ts=t(0))
    assert placed.status is OrderStatus.REJECTED
    assert placed.reason.startswith("not_reduce_only")


def test_legs_are_canceled_when_a_signal_exit_closes_the_position() -> None:
    b = broker()
    b.submit(bracket_entry(stop_loss=SL5, take_profit=TP10), ts=t(0))
    b.on_slice([bar(1, "100", "101", "99", "100")])
    b.submit(order("exit", SELL, "10", OrderType.MARKET, 1), ts=t(1))
    fills = b.on_slice([bar(2, "101", "102", "100", "101")]).fills
    assert [(f.side, f.price) for f in fills] == [(SELL, D(101))]
    armed = legs(b, b.order_by_client_id("entry").order_id)
    statuses = {o.type.value: o.status for o in armed.values()}
    assert statuses == {"stop": OrderStatus.CANCELED, "take_profit": OrderStatus.CANCELED}
    assert b.working_orders() == []


def test_a_sell_signal_is_not_refused_as_a_short_because_of_working_exits() -> None:
    b = broker(allow_short=False)
    b.submit(bracket_entry(stop_loss=SL5, take_profit=TP10), ts=t(0))
    b.on_slice([bar(1, "100", "101", "99", "100")])
    placed = b.submit(order("exit", SELL, "10", OrderType.MARKET, 1), ts=t(1))
    assert placed.status is OrderStatus.ACCEPTED


def test_snapshot_restores_armed_legs_and_trailing_levels() -> None:
    b = broker()
    b.submit(bracket_entry(trailing=ExitLevel(offset=D(5)), take_profit=TP10), ts=t(0))
    b.on_slice([bar(1, "100", "101", "99", "100")])
    b.on_slice([bar(2, "100", "104", "99", "103")])  # trailing 95 → 99
    copy = PaperBroker(cash=D(100000), fee_bps=D(10), maker_fee_bps=D(2), allow_short=True)
    copy.restore(b.snapshot())
    tail = [bar(3, "103", "103", "98", "99")]
    assert b.on_slice(tail).fills == copy.on_slice(tail).fills
    assert [o.model_dump() for o in b.orders()] == [o.model_dump() for o in copy.orders()]
