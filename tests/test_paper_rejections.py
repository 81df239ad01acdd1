"""Every rejection reason of the paper broker, each with the order that triggers it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D
from typing import Any

import pytest

from logos.brokers import PaperBroker
from logos.brokers.base import InvalidOrderError
from logos.domain import OrderIntent, OrderStatus, OrderType, Side, SymbolMeta
from logos.lifecycle import OrderEvent
from logos.testing.brokers import make_bar

T0 = datetime(2024, 1, 2, 15, 0, tzinfo=UTC)
T1 = T0 + timedelta(minutes=1)

META = SymbolMeta(
    symbol="X",
    tick_size=D("0.01"),
    lot_size=D("0.001"),
    min_qty=D("0.002"),
    max_qty=D(50),
    min_notional=D(1),
)
WHOLE = SymbolMeta(symbol="W", fractionable=False)
NO_SHORT = SymbolMeta(symbol="N", shortable=False)


def broker(metas: list[SymbolMeta] | None = None, **params: Any) -> PaperBroker:
    defaults: dict[str, Any] = {"cash": D(1000), "fee_bps": D(10)}
    b = PaperBroker(symbols=metas or [], **{**defaults, **params})
    b.on_slice([make_bar(m.symbol, T0, "100") for m in metas or [SymbolMeta(symbol="X")]])
    return b


def order(symbol: str = "X", side: Side = Side.BUY, qty: str = "1", **kw: Any) -> OrderIntent:
    return OrderIntent(symbol=symbol, side=side, qty=D(qty), client_order_id="c", ts=T0, **kw)


ALL = [META, WHOLE, NO_SHORT]
LIMIT = OrderType.LIMIT
CASES: list[tuple[str, PaperBroker, OrderIntent, str]] = []


def case(name: str, b: PaperBroker, intent: OrderIntent, code: str) -> None:
    CASES.append((name, b, intent, code))


case("symbol without metadata", broker(ALL), order("ZZZ"), "unknown_symbol")
case("symbol never seen, no metadata", broker(), order("ZZZ"), "unknown_symbol")
case("limit without price", broker(ALL), order(type=LIMIT), "missing_limit_price")
case("market with a price", broker(ALL), order(limit_price=D(99)), "unexpected_limit_price")
case("limit off tick", broker(ALL), order(type=LIMIT, limit_price=D("99.005")), "off_tick_grid")
STOP = OrderType.STOP
case("stop without a stop price", broker(ALL), order(type=STOP), "missing_stop_price")
case("limit with a stop price", broker(ALL), order(stop_price=D(99)), "unexpected_stop_price")
case("stop off tick", broker(ALL), order(type=STOP, stop_price=D("101.005")), "off_tick_grid")
case(
    "trailing stop without a distance",
    broker(ALL),
    order(type=OrderType.TRAILING_STOP),
    "bad_trail",
)
case("market with a trailing distance", broker(ALL), order(trail_amount=D(1)), "bad_trail")
case(
    "take-profit not reduce-only",
    broker(ALL),
    order(side=Side.SELL, type=OrderType.TAKE_PROFIT, limit_price=D(110)),
    "not_reduce_only",
)
case(
    "reduce-only without a position",
    broker(ALL),
    order(side=Side.SELL, reduce_only=True),
    "nothing_to_reduce",
)
case("qty off lot", broker(ALL), order(qty="0.0025"), "off_lot_grid")
case("fraction of a whole-share symbol", broker(ALL), order("W", qty="1.5"), "not_fractionable")
case("below min qty", broker(ALL), order(qty="0.001"), "below_min_qty")
case("above max qty", broker(ALL, cash=D(10**6)), order(qty="51"), "above_max_qty")
case("below min notional", broker(ALL), order(qty="0.002"), "below_min_notional")  # 0.2 < 1
case("short with shorting off", broker(ALL), order(side=Side.SELL), "short_disabled")
case(
    "short on a non-shortable symbol",
    broker(ALL, allow_short=True),
    order("N", side=Side.SELL),
    "not_shortable",
)
# 10 * 100 * 1.001 = 1001 > 1000
case("cash", broker(ALL), order(qty="10"), "insufficient_cash")
# 21 * 100 = 2100 > 2 * 1000
case(
    "margin",
    broker(ALL, allow_margin=True, max_leverage=D(2), fee_bps=D(0)),
    order(qty="21"),
    "insufficient_margin",
)


@pytest.mark.parametrize(("b", "intent", "code"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_rejection(b: PaperBroker, intent: OrderIntent, code: str) -> None:
    rejected = b.submit(intent, ts=T0)
    assert rejected.status is OrderStatus.REJECTED
    assert rejected.reason.startswith(f"{code}: ")
    assert b.working_orders() == []
    events = [e for e in b.drain_events() if isinstance(e, OrderEvent)]
    assert [(e.old, e.new) for e in events][-2:] == [
        (OrderStatus.NEW, OrderStatus.SUBMITTED),
        (OrderStatus.SUBMITTED, OrderStatus.REJECTED),
    ]
    assert events[-1].reason == rejected.reason


def test_every_reason_code_is_covered() -> None:
    from logos.brokers.rejections import RejectReason

    covered = {c[3] for c in CASES} | {"no_price"}
    assert covered == {r.value for r in RejectReason}


def test_market_order_before_any_price_is_rejected() -> None:
    b = PaperBroker(cash=D(1000), symbols=[SymbolMeta(symbol="X")])
    rejected = b.submit(order(), ts=T0)
    assert rejected.reason.startswith("no_price: ")
    accepted = b.submit(
        order(type=LIMIT, limit_price=D(10)).model_copy(update={"client_order_id": "l"}), ts=T0
    )
    assert accepted.status is OrderStatus.ACCEPTED


def test_the_edge_of_cash_is_accepted_and_working_buys_reserve_cash() -> None:
    b = broker(ALL, fee_bps=D(0))
    assert b.submit(order(qty="9"), ts=T0).status is OrderStatus.ACCEPTED  # 900
    second = order(qty="1").model_copy(update={"client_order_id": "c2"})
    assert b.submit(second, ts=T0).status is OrderStatus.ACCEPTED  # 100 more: exactly 1000
    third = order(qty="0.01").model_copy(update={"client_order_id": "c3"})
    assert b.submit(third, ts=T0).reason.startswith("insufficient_cash: ")


def test_limit_buy_reserves_at_its_limit_price_with_the_maker_fee() -> None:
    b = broker(ALL, fee_bps=D(10), maker_fee_bps=D(0))
    # 20 * 50 = 1000 at the limit price, maker fee 0: fits exactly although the close is 100
    accepted = b.submit(order(qty="20", type=LIMIT, limit_price=D(50)), ts=T0)
    assert accepted.status is OrderStatus.ACCEPTED
    assert b.reserved() == D(1000)


def test_closing_a_long_and_covering_a_short_need_no_cash() -> None:
    b = broker(ALL, fee_bps=D(0), allow_short=True)
    b.submit(order(qty="10"), ts=T0)  # all the cash
    b.on_slice([make_bar("X", T1, "100")])
    sell = order(side=Side.SELL, qty="10").model_copy(update={"client_order_id": "s"})
    assert b.submit(sell, ts=T1).status is OrderStatus.ACCEPTED
    # one more sell would go short by 1: 100 of exposure, equity 1000, gross 1000 -> no room
    more = order(side=Side.SELL, qty="1").model_copy(update={"client_order_id": "s2"})
    assert b.submit(more, ts=T1).reason.startswith("insufficient_cash: ")


def test_short_selling_uses_equity_as_collateral() -> None:
    b = broker(ALL, fee_bps=D(0), allow_short=True)
    short = order(side=Side.SELL, qty="10")
    assert b.submit(short, ts=T0).status is OrderStatus.ACCEPTED  # 1000 of 1000
    b.on_slice([make_bar("X", T1, "100")])
    cover = order(qty="10").model_copy(update={"client_order_id": "cover"})
    assert b.submit(cover, ts=T1).status is OrderStatus.ACCEPTED  # reduces exposure: no check


def test_sell_counting_working_sells_would_go_short() -> None:
    b = broker(ALL, fee_bps=D(0))
    b.submit(order(qty="5"), ts=T0)
    b.on_slice([make_bar("X", T1, "100")])
    first = order(side=Side.SELL, qty="3").model_copy(update={"client_order_id": "s1"})
    second = order(side=Side.SELL, qty="3").model_copy(update={"client_order_id": "s2"})
    assert b.submit(first, ts=T1).status is OrderStatus.ACCEPTED
    assert b.submit(second, ts=T1).reason.startswith("short_disabled: ")


@pytest.mark.parametrize(("qty", "limit"), [(D(0), None), (D(-1), None), (D(1), D(0))])
def test_non_positive_qty_or_price_cannot_become_an_order(qty: D, limit: D | None) -> None:
    with pytest.raises(ValueError):
        order(
            qty=str(qty), limit_price=limit, type=LIMIT if limit is not None else OrderType.MARKET
        )
    raw = OrderIntent.model_construct(
        symbol="X",
        side=Side.BUY,
        qty=qty,
        type=OrderType.MARKET if limit is None else LIMIT,
        limit_price=limit,
        time_in_force="gtc",
        client_order_id="bad",
        reason="",
        ts=T0,
    )
    b = broker(ALL)
    with pytest.raises(InvalidOrderError, match="must be positive"):
        b.submit(raw, ts=T0)
    assert b.orders() == []
