"""The paper broker's money is exact whatever the number of digits: cash, fees and the
buying-power check never round (a 28-digit rounding would let a cash account go below 0)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

from logos.brokers.execution import opening_part
from logos.brokers.paper import PaperBroker
from logos.domain import Bar, OrderIntent, OrderStatus, Side

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def bar(i: int, price: D) -> Bar:
    return Bar("X", T0 + timedelta(minutes=i), price, price, price, price, D(1))


def buy(broker: PaperBroker, qty: D, at: Bar) -> OrderStatus:
    intent = OrderIntent(
        client_order_id=f"c{at.ts.minute}", symbol="X", side=Side.BUY, qty=qty, ts=at.ts
    )
    return broker.submit(intent, ts=at.ts).status


def test_a_unit_dearer_than_the_cash_by_5e_21_is_rejected() -> None:
    cash = D("10000000.000000000000000000015")  # 29 significant digits
    price = D("10000000.00000000000000000002")  # 5E-21 more than the cash
    broker = PaperBroker(PaperBroker.Params(cash=cash, fee_bps=0))
    broker.on_bar(bar(0, price))
    broker.mark([bar(0, price)])
    assert buy(broker, D(1), bar(0, price)) is OrderStatus.REJECTED
    assert broker.on_bar(bar(1, price)) == []
    assert broker.mark([bar(1, price)]).cash == cash


def test_cash_and_fees_keep_every_digit() -> None:
    cash, price = D("10000000"), D("0.000605037329999992993")
    broker = PaperBroker(PaperBroker.Params(cash=cash, fee_bps=D(10)))
    broker.on_bar(bar(0, price))
    broker.mark([bar(0, price)])
    assert buy(broker, D(3), bar(0, price)) is OrderStatus.ACCEPTED
    [fill] = broker.on_bar(bar(1, price))
    account = broker.mark([bar(1, price)])
    # by hand: notional 3 × price = 0.001815111989999978979, fee a thousandth of it;
    # 10000000 − 0.001815111989999978979 = 9999999.998184888010000021021,
    # − 0.000001815111989999978979 = 9999999.998183072898010021042021 (34 digits)
    assert fill.fee == D("0.000001815111989999978979")
    assert account.cash == D("9999999.998183072898010021042021")
    # equity: cash + 3 × price = 10000000 − the fee
    assert account.equity == D("9999999.999998184888010000021021")


def test_a_side_signs_quantities_exactly() -> None:
    # 30 significant digits: qty * -1 or qty - closing in the default 28-digit context would
    # round the last digits away
    qty = D("1.00000000000000000000000000001")
    assert Side.SELL.signed(qty) == D("-1.00000000000000000000000000001")
    assert Side.BUY.signed(qty) is qty
    assert opening_part(qty, Side.SELL, D("0.5")) == D("0.50000000000000000000000000001")
    assert opening_part(qty, Side.BUY, D("-0.5")) == D("0.50000000000000000000000000001")
