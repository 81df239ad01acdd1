"""A simulated broker is the paper broker with a fill model and a fee model swapped in: the
two shipped alternatives (fill at the close, a quoted spread), latency, a flat fee, and the
broker contract for brokers built that way."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import ClassVar

import pytest

from logos.brokers.fill_models import (
    CloseFill,
    FeeModel,
    FillModel,
    PaperFill,
    SpreadFill,
    TieredFees,
)
from logos.brokers.paper import PaperBroker
from logos.brokers.paper_state import PaperParams
from logos.brokers.simulated import SimulatedBroker
from logos.domain import Liquidity, OrderStatus, OrderType, Side
from logos.plugins import check_component
from logos.testing.brokers import BrokerContract, make_bar, make_intent

T0 = datetime(2024, 1, 2, 14, 30, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


class CloseFillBroker(SimulatedBroker):
    """Fills at the bar's close."""

    name = "close_fill"
    fill_model = CloseFill()


class SpreadBroker(SimulatedBroker):
    """Market orders cross a 5 bps half spread."""

    name = "spread"
    fill_model = SpreadFill(half_spread_bps=Decimal(5))


def at(i: int) -> datetime:
    return T0 + i * MINUTE


def started(broker: SimulatedBroker, price: str = "100") -> SimulatedBroker:
    broker.on_slice([make_bar("AAA", at(0), price)])
    return broker


def test_close_fill_market_order_at_the_next_close_with_slippage() -> None:
    broker = started(CloseFillBroker(slippage_bps=Decimal(10), fee_bps=Decimal(20)))
    order = broker.submit(make_intent("AAA", Side.BUY, 2, client_order_id="c", ts=at(0)), ts=at(0))
    [fill] = broker.on_slice([make_bar("AAA", at(1), "101", "103", "100", "102")]).fills
    # 102 x (1 + 10/10000) = 102.102; fee 2 x 102.102 x 20/10000 = 0.4084080
    assert (fill.price, fill.fee, fill.liquidity) == (
        Decimal("102.102"),
        Decimal("0.408408"),
        Liquidity.TAKER,
    )
    assert broker.order(order.order_id).status is OrderStatus.FILLED


def test_close_fill_limit_order_needs_the_close_through_the_limit() -> None:
    broker = started(CloseFillBroker(maker_fee_bps=Decimal(0)))
    intent = make_intent("AAA", Side.BUY, 1, client_order_id="c", ts=at(0), limit="101")
    order = broker.submit(intent, ts=at(0))
    # the low touches 100 but the close, 102, is above the limit: no fill (paper would fill)
    assert broker.on_slice([make_bar("AAA", at(1), "101", "103", "100", "102")]).fills == []
    [fill] = broker.on_slice([make_bar("AAA", at(2), "102", "102", "100", "100.5")]).fills
    assert (fill.price, fill.liquidity) == (Decimal("100.5"), Liquidity.MAKER)
    assert broker.order(order.order_id).status is OrderStatus.FILLED


def test_the_same_orders_on_paper_fill_at_the_open() -> None:
    broker = started(PaperBroker())
    broker.submit(make_intent("AAA", Side.BUY, 1, client_order_id="c", ts=at(0)), ts=at(0))
    [fill] = broker.on_slice([make_bar("AAA", at(1), "101", "103", "100", "102")]).fills
    assert fill.price == Decimal("101")


def test_spread_fill_buys_at_the_ask_and_sells_at_the_bid() -> None:
    broker = started(SpreadBroker(slippage_bps=Decimal(10), allow_short=True))
    broker.submit(make_intent("AAA", Side.BUY, 1, client_order_id="b", ts=at(0)), ts=at(0))
    broker.submit(make_intent("AAA", Side.SELL, 3, client_order_id="s", ts=at(0)), ts=at(0))
    buy, sell = broker.on_slice([make_bar("AAA", at(1), "200")]).fills
    # 200 x (1 ± (10 + 5) / 10000)
    assert (buy.price, sell.price) == (Decimal("200.3"), Decimal("199.7"))


def test_spread_fill_reserves_cash_for_the_spread_at_acceptance() -> None:
    intent = make_intent("AAA", Side.BUY, 10, client_order_id="c", ts=at(0))
    # 10 x 100 x (1 + 15/10000) = 1001.5 > 1001 of cash; without the spread 1001 fits
    spread = started(SpreadBroker(cash=Decimal(1001), slippage_bps=Decimal(10)))
    assert spread.submit(intent, ts=at(0)).status is OrderStatus.REJECTED
    paper = started(PaperBroker(cash=Decimal(1001), slippage_bps=Decimal(10)))
    assert paper.submit(intent, ts=at(0)).status is OrderStatus.ACCEPTED


def test_spread_fill_refuses_a_negative_spread() -> None:
    with pytest.raises(ValueError, match="half_spread_bps"):
        SpreadFill(half_spread_bps=Decimal(-1))


class TwoMinutesLate(FillModel):
    latency: ClassVar[timedelta] = 2 * MINUTE


def test_latency_delays_the_first_eligible_bar() -> None:
    broker = started(SimulatedBroker(fill_model=TwoMinutesLate()))
    order = broker.submit(make_intent("AAA", Side.BUY, 1, client_order_id="c", ts=at(0)), ts=at(0))
    assert broker.on_slice([make_bar("AAA", at(1), "101")]).fills == []
    [fill] = broker.on_slice([make_bar("AAA", at(2), "105")]).fills
    assert (fill.ts, fill.price) == (at(2), Decimal("105"))
    assert broker.order(order.order_id).status is OrderStatus.FILLED


class FlatSevenBps(FeeModel):
    def fee_bps(self, liquidity: Liquidity, params: PaperParams, traded: Decimal) -> Decimal:
        return Decimal(7)


def test_a_fee_model_sets_what_fills_pay() -> None:
    broker = started(SimulatedBroker(fee_model=FlatSevenBps(), fee_bps=Decimal(50)))
    intent = make_intent("AAA", Side.BUY, 4, client_order_id="c", ts=at(0), limit="100")
    broker.submit(intent, ts=at(0))
    [fill] = broker.on_slice([make_bar("AAA", at(1), "100")]).fills
    assert fill.fee == Decimal("0.28")  # 4 x 100 x 7 / 10000, maker or taker alike
    assert broker.account().fees == Decimal("0.28")


def test_the_paper_broker_is_the_simulated_broker_with_the_paper_models() -> None:
    assert issubclass(PaperBroker, SimulatedBroker)
    assert isinstance(PaperBroker().fill_model, PaperFill)
    assert set(PaperBroker().snapshot()) == {
        "kind",
        "version",
        "ledger",
        "orders",
        "working",
        "last_bar_ts",
        "clock",
        "order_counter",
        "trade_counter",
        "traded",
    }


def test_a_broker_built_on_the_base_registers() -> None:
    check_component("broker", CloseFillBroker)
    check_component("broker", SpreadBroker)


def test_a_restored_close_fill_broker_fills_as_the_original() -> None:
    original = started(CloseFillBroker())
    intent = make_intent("AAA", Side.BUY, 1, client_order_id="c", ts=at(0), limit="99")
    assert original.submit(intent, ts=at(0)).type is OrderType.LIMIT
    restored = CloseFillBroker()
    restored.restore(original.snapshot())
    bar = make_bar("AAA", at(1), "100", "100", "98", "98.5")
    fills = restored.on_slice([bar]).fills
    assert [f.price for f in fills] == [Decimal("98.5")]
    assert fills == original.on_slice([bar]).fills


class TestCloseFillBrokerContract(BrokerContract):
    def make_broker(self) -> SimulatedBroker:
        return CloseFillBroker(cash=Decimal(100000), fee_bps=Decimal(10))


class TestSpreadBrokerContract(BrokerContract):
    def make_broker(self) -> SimulatedBroker:
        return SpreadBroker(cash=Decimal(100000), fee_bps=Decimal(10))


TIERS = TieredFees(((Decimal(0), Decimal(10), Decimal(5)), (Decimal(1000), Decimal(4), Decimal(0))))


def test_tiered_fees_charge_by_the_volume_filled_before_each_fill() -> None:
    """10 bps taker until 1,000 has been filled, 4 bps from then on; the volume is the
    broker's own and survives a snapshot."""
    broker = started(SimulatedBroker(fee_model=TIERS, cash=Decimal(100_000)))
    fees = []
    for minute in range(3):
        intent = make_intent("AAA", Side.BUY, 6, client_order_id=f"c{minute}", ts=at(minute))
        broker.submit(intent, ts=at(minute))
        [fill] = broker.on_slice([make_bar("AAA", at(minute + 1), "100")]).fills
        fees.append(fill.fee)
    # 600 then 1,200 filled before the 2nd and 3rd fills: 10, 10, then 4 bps of 600
    assert fees == [Decimal("0.6"), Decimal("0.6"), Decimal("0.24")]
    restored = SimulatedBroker(fee_model=TIERS, cash=Decimal(100_000))
    restored.restore(broker.snapshot())
    intent = make_intent("AAA", Side.BUY, 1, client_order_id="c9", ts=at(4))
    restored.submit(intent, ts=at(4))
    [fill] = restored.on_slice([make_bar("AAA", at(5), "100")]).fills
    assert fill.fee == Decimal("0.04")  # still past the tier after a restart


def test_a_maker_fill_pays_its_tiers_maker_rate() -> None:
    assert TIERS.fee_bps(Liquidity.MAKER, PaperParams(), Decimal(999)) == Decimal(5)
    assert TIERS.fee_bps(Liquidity.MAKER, PaperParams(), Decimal(1000)) == Decimal(0)


@pytest.mark.parametrize(
    "tiers",
    [
        (),
        ((Decimal(5), Decimal(1), Decimal(1)),),
        ((Decimal(0), Decimal(1), Decimal(1)), (Decimal(0), Decimal(1), Decimal(1))),
        ((Decimal(0), Decimal(-1), Decimal(1)),),
    ],
)
def test_fee_tiers_must_start_at_zero_increase_and_not_be_negative(tiers: tuple) -> None:
    with pytest.raises(ValueError, match="fee tiers"):
        TieredFees(tiers)
