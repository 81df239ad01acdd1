"""The domain model: Decimal money, tz-aware UTC timestamps, immutable records."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from pydantic import ValidationError

from logos.domain import (
    Account,
    Bar,
    Event,
    Fill,
    Order,
    OrderIntent,
    OrderStatus,
    OrderType,
    Position,
    Side,
    SymbolMeta,
)
from logos.timeutil import ensure_utc, isoformat_utc

T0 = datetime(2024, 1, 2, 9, 30, tzinfo=UTC)


def make_order(**changes) -> Order:
    fields = dict(
        order_id="P-1",
        client_order_id="s-1",
        symbol="BTC/USDT",
        side="buy",
        type="limit",
        qty="0.5",
        limit_price="100.25",
        ts_created=T0,
        ts_updated=T0,
    )
    return Order(**{**fields, **changes})


def test_money_fields_are_decimal_from_strings_and_floats():
    order = make_order(qty=0.1)
    assert order.qty == Decimal("0.1")  # from the float's shortest repr, not its binary value
    assert isinstance(order.limit_price, Decimal)
    assert order.remaining_qty == Decimal("0.1")


def test_naive_timestamps_are_rejected():
    with pytest.raises(ValidationError, match="timezone"):
        make_order(ts_created=datetime(2024, 1, 2, 9, 30))


def test_timestamps_are_normalised_to_utc():
    eastern = timezone(timedelta(hours=-5))
    order = make_order(ts_created=datetime(2024, 1, 2, 4, 30, tzinfo=eastern))
    assert order.ts_created == T0
    assert order.ts_created.utcoffset() == timedelta(0)
    assert isoformat_utc(order.ts_created) == "2024-01-02T09:30:00Z"
    with pytest.raises(ValueError, match="no timezone"):
        ensure_utc(datetime(2024, 1, 1))


def test_records_are_immutable_and_evolve_validates():
    order = make_order()
    with pytest.raises(ValidationError):
        order.status = OrderStatus.FILLED  # type: ignore[misc]
    accepted = order.evolve(status="ACCEPTED", filled_qty="0.2")
    assert (order.status, accepted.status) == (OrderStatus.NEW, OrderStatus.ACCEPTED)
    assert accepted.remaining_qty == Decimal("0.3")
    with pytest.raises(ValidationError):
        order.evolve(qty="-1")


def test_unknown_fields_are_rejected():
    with pytest.raises(ValidationError, match="Extra inputs"):
        make_order(colour="red")


@pytest.mark.parametrize("field", ["qty", "limit_price"])
def test_non_positive_quantities_and_prices_are_rejected(field):
    with pytest.raises(ValidationError):
        make_order(**{field: "0"})


def test_status_classification():
    working = {s for s in OrderStatus if s.is_working}
    terminal = {s for s in OrderStatus if s.is_terminal}
    assert working == {"SUBMITTED", "ACCEPTED", "PARTIALLY_FILLED"}
    assert terminal == {"FILLED", "CANCELED", "EXPIRED", "DENIED", "REJECTED"}
    assert OrderStatus.NEW not in working | terminal


def test_side_helpers():
    assert (Side.BUY.sign, Side.SELL.sign) == (1, -1)
    assert Side.BUY.opposite is Side.SELL
    intent = OrderIntent(
        symbol="X", side="sell", qty="2", client_order_id="s-2", ts=T0, type=OrderType.MARKET
    )
    assert intent.signed_qty == Decimal(-2)


def test_position_market_value_and_other_records():
    assert Position(symbol="X", qty="-2", last_price="10.5").market_value == Decimal("-21.0")
    assert Position(symbol="X", qty="3").market_value == 0
    fill = Fill(
        trade_id="T-1",
        order_id="P-1",
        client_order_id="s-1",
        ts=T0,
        symbol="X",
        side="buy",
        qty="1",
        price="10",
        fee="0.01",
    )
    assert fill.fee == Decimal("0.01")
    account = Account(ts=T0, cash=Decimal(100), equity=Decimal(100), peak_equity=Decimal(100))
    assert (account.currency, account.drawdown, account.fees) == ("USD", 0, 0)
    with pytest.raises(AttributeError):  # a record of one slice: immutable
        account.cash = Decimal(0)  # type: ignore[misc]
    assert Event(seq=1, type="bar", ts=T0, data={"x": 1}).data == {"x": 1}
    with pytest.raises(ValidationError):
        Event(seq=-1, type="bar", ts=T0)
    meta = SymbolMeta(symbol="X", tick_size="0.01", lot_size=1e-8)
    assert meta.lot_size == Decimal("1e-8")
    with pytest.raises(ValidationError):
        SymbolMeta(symbol="X", tick_size="0")


def test_bar_is_frozen():
    bar = Bar("X", T0, Decimal(1), Decimal(2), Decimal("0.5"), Decimal("1.5"), Decimal(10))
    with pytest.raises(AttributeError):
        bar.close = Decimal(3)  # type: ignore[misc]
