"""Sizing rules, caps, working-quantity netting, drops and client order ids (hand-computed)."""

from __future__ import annotations

import decimal
import re
from datetime import UTC, datetime
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from logos.domain import OrderType, Side, SymbolMeta
from logos.errors import LogosError
from logos.sizing import OrderTranslator, TranslationResult, make_client_order_id

TS = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def translate(
    rule: str,
    params: dict[str, str],
    signal: float,
    *,
    price: str = "100",
    position: str = "0",
    working: str = "0",
    equity: str = "10000",
    meta: SymbolMeta | None = None,
    order_type: OrderType = OrderType.MARKET,
) -> TranslationResult:
    metas = {"BTC/USD": meta} if meta is not None else {}
    translator = OrderTranslator(rule, params, metas, "sess", order_type, strategy_name="demo")
    return translator.translate(
        "BTC/USD", signal, D(price), D(position), D(working), D(equity), TS, seq=42
    )


def only_intent(result: TranslationResult):
    assert result.dropped == []
    (intent,) = result.intents
    return intent


def test_fixed_qty_long_and_short() -> None:
    buy = only_intent(translate("fixed_qty", {"qty": "10"}, 1.0))
    assert (buy.side, buy.qty, buy.type, buy.limit_price) == (
        Side.BUY,
        D(10),
        OrderType.MARKET,
        None,
    )
    assert (buy.symbol, buy.client_order_id, buy.ts) == ("BTC/USD", "sess-42", TS)
    sell = only_intent(translate("fixed_qty", {"qty": "10"}, -0.5))  # target -5
    assert (sell.side, sell.qty) == (Side.SELL, D(5))


def test_order_is_target_minus_position_minus_working() -> None:
    # target 10, position 3, 2 already working -> buy 5 more
    intent = only_intent(translate("fixed_qty", {"qty": "10"}, 1.0, position="3", working="2"))
    assert (intent.side, intent.qty) == (Side.BUY, D(5))
    # target 10, 10 already working: no second order for the same delta, and no drop record
    result = translate("fixed_qty", {"qty": "10"}, 1.0, working="10")
    assert (result.intents, result.dropped, result.target_qty) == ([], [], D(10))
    # at target: nothing
    assert translate("fixed_qty", {"qty": "10"}, 1.0, position="10").intents == []
    # flat signal while long 4 with a working sell of 1 -> sell 3
    intent = only_intent(translate("fixed_qty", {"qty": "10"}, 0.0, position="4", working="-1"))
    assert (intent.side, intent.qty) == (Side.SELL, D(3))


def test_fixed_notional() -> None:
    # 1 × 1000 ÷ 30 = 33.33.. -> truncated to lot 1 -> 33
    intent = only_intent(
        translate(
            "fixed_notional",
            {"notional": "1000"},
            1.0,
            price="30",
            meta=SymbolMeta(symbol="BTC/USD", lot_size=D(1)),
        )
    )
    assert intent.qty == D(33)
    assert "fixed_notional: 1 × 1000 ÷ price 30" in intent.reason


def test_percent_equity() -> None:
    # 1 × 0.5 × 10000 ÷ 40 = 125
    intent = only_intent(translate("percent_equity", {"fraction": "0.5"}, 1.0, price="40"))
    assert intent.qty == D(125)
    dropped = translate("percent_equity", {"fraction": "0.5"}, 1.0, equity="-5").dropped
    assert [d.code for d in dropped] == ["no_equity"]


def test_percent_equity_flat_signal_closes_even_without_equity() -> None:
    # target 0 whatever the equity: long 3 -> sell 3 (not a no_equity drop)
    result = translate("percent_equity", {"fraction": "0.5"}, 0.0, position="3", equity="-5")
    intent = only_intent(result)
    assert (intent.side, intent.qty, result.target_qty) == (Side.SELL, D(3), D(0))


def test_max_position_notional_clips_the_target() -> None:
    # target 50 × 100 = 5000 > 2000 -> target 20
    result = translate("fixed_qty", {"qty": "50", "max_position_notional": "2000"}, 1.0)
    assert result.target_qty == D(20)
    intent = only_intent(result)
    assert intent.qty == D(20)
    assert "max_position_notional 2000 clipped target to 20" in intent.reason


def test_max_order_notional_clips_the_order_both_ways() -> None:
    params = {"qty": "20", "max_order_notional": "500"}
    buy = only_intent(translate("fixed_qty", params, 1.0))  # 20 × 100 > 500 -> 5
    assert (buy.side, buy.qty) == (Side.BUY, D(5))
    assert "max_order_notional 500 clipped order to 5" in buy.reason
    sell = only_intent(translate("fixed_qty", params, -1.0))
    assert (sell.side, sell.qty) == (Side.SELL, D(5))


def test_caps_apply_before_quantization() -> None:
    # cap 1000 at price 300 -> 3.333.. -> lot 1 -> 3 (quantizing first would give 10 then 3.33)
    lot = SymbolMeta(symbol="BTC/USD", lot_size=D(1))
    intent = only_intent(
        translate(
            "fixed_qty", {"qty": "10", "max_order_notional": "1000"}, 1.0, price="300", meta=lot
        )
    )
    assert intent.qty == D(3)
    assert D(3) * D(300) <= D(1000)


def test_nan_signal_gives_nothing_and_bad_signal_is_dropped() -> None:
    result = translate("fixed_qty", {"qty": "1"}, float("nan"))
    assert (result.intents, result.dropped, result.target_qty) == ([], [], None)
    (drop,) = translate("fixed_qty", {"qty": "1"}, 1.5).dropped
    assert drop.code == "invalid_signal"
    assert drop.reason == "demo signal 1.5 for BTC/USD is outside [-1, 1]"


def test_delta_below_one_lot_is_a_recorded_drop() -> None:
    # 10 ÷ 60000 = 0.000166.. < lot 0.001
    meta = SymbolMeta(symbol="BTC/USD", lot_size=D("0.001"))
    result = translate("fixed_notional", {"notional": "10"}, 1.0, price="60000", meta=meta)
    (drop,) = result.dropped
    assert result.intents == []
    assert (drop.code, drop.quantized_qty, drop.symbol, drop.ts) == (
        "below_lot",
        D(0),
        "BTC/USD",
        TS,
    )
    assert D("0.000166") < drop.requested_qty < D("0.000167")
    assert drop.reason.endswith("below one lot (0.001)")


def test_min_notional_drop_names_the_reason() -> None:
    meta = SymbolMeta(symbol="BTC/USD", lot_size=D("0.001"), min_notional=D("10"))
    (drop,) = translate("fixed_qty", {"qty": "0.005"}, 1.0, price="1000", meta=meta).dropped
    assert (drop.code, drop.quantized_qty) == ("untradeable", D("0.005"))
    assert "below min_notional 10" in drop.reason
    # exactly at the boundary it is sent: 0.01 × 1000 = 10
    assert only_intent(
        translate("fixed_qty", {"qty": "0.01"}, 1.0, price="1000", meta=meta)
    ).qty == D("0.01")


def test_not_shortable_clips_the_target_at_zero() -> None:
    meta = SymbolMeta(symbol="BTC/USD", shortable=False)
    intent = only_intent(translate("fixed_qty", {"qty": "5"}, -1.0, position="5", meta=meta))
    assert (intent.side, intent.qty) == (Side.SELL, D(5))
    assert "not shortable: target clipped to 0" in intent.reason


def test_max_qty_clips_the_order() -> None:
    meta = SymbolMeta(symbol="BTC/USD", lot_size=D(1), max_qty=D(3))
    intent = only_intent(translate("fixed_qty", {"qty": "10"}, 1.0, meta=meta))
    assert intent.qty == D(3)
    assert "max_qty 3 clipped order to 3" in intent.reason


def test_limit_orders_round_in_the_traders_favour() -> None:
    meta = SymbolMeta(symbol="BTC/USD", tick_size=D("0.5"))
    buy = only_intent(
        translate(
            "fixed_qty", {"qty": "1"}, 1.0, price="100.74", meta=meta, order_type=OrderType.LIMIT
        )
    )
    sell = only_intent(
        translate(
            "fixed_qty", {"qty": "1"}, -1.0, price="100.74", meta=meta, order_type=OrderType.LIMIT
        )
    )
    assert (buy.type, buy.limit_price) == (OrderType.LIMIT, D("100.5"))
    assert sell.limit_price == D("101.0")


def test_limit_buy_below_one_tick_is_dropped_not_a_crash() -> None:
    # price 0.3 on tick 0.5: a buy rounds down to 0, which no venue accepts
    meta = SymbolMeta(symbol="BTC/USD", tick_size=D("0.5"))
    result = translate(
        "fixed_qty", {"qty": "1"}, 1.0, price="0.3", meta=meta, order_type=OrderType.LIMIT
    )
    (drop,) = result.dropped
    assert (result.intents, drop.code, drop.quantized_qty) == ([], "untradeable", D(1))
    assert drop.reason.endswith("dropped, limit price 0.3 rounds to 0 on the tick grid")
    sell = translate(
        "fixed_qty", {"qty": "1"}, -1.0, price="0.3", meta=meta, order_type=OrderType.LIMIT
    )
    assert only_intent(sell).limit_price == D("0.5")


def test_float_signal_is_read_through_str() -> None:
    intent = only_intent(translate("fixed_qty", {"qty": "10"}, 0.1))  # 0.1 × 10 = exactly 1
    assert intent.qty == D(1)


def test_reason_says_signal_rule_and_cap() -> None:
    intent = only_intent(
        translate("fixed_qty", {"qty": "20", "max_order_notional": "500"}, 1.0, position="2")
    )
    assert intent.reason == (
        "demo signal 1.0 for BTC/USD; fixed_qty: 1 × qty 20 = 20; "
        "position 2, working 0 → order 18; max_order_notional 500 clipped order to 5"
    )


def test_reason_text_does_not_depend_on_decimal_exponents() -> None:
    # A flat position can be Decimal("0.0") after a round trip in one path and Decimal("0")
    # in another; equal values must give the same reason (the parity test compares orders.csv).
    plain = only_intent(translate("fixed_qty", {"qty": "5"}, 1.0, position="0"))
    padded = only_intent(translate("fixed_qty", {"qty": "5.00"}, 1.0, position="0.000"))
    assert plain.reason == padded.reason
    assert plain.reason.endswith("fixed_qty: 1 × qty 5 = 5; position 0, working 0 → order 5")


def test_unknown_rule_and_bad_params_are_readable_errors() -> None:
    with pytest.raises(LogosError, match="unknown sizing rule 'kelly'"):
        OrderTranslator("kelly", {})
    with pytest.raises(LogosError, match="sizing 'fixed_qty' params"):
        OrderTranslator("fixed_qty", {"qty": "-1"})


def test_client_order_ids() -> None:
    assert make_client_order_id("sess", 42) == "sess-42"
    long_id = make_client_order_id("a-very-long-session-name-for-a-backtest-2024", 123456)
    dotted = make_client_order_id("my.session", 3)
    for cid in (long_id, dotted):
        assert len(cid) <= 36 and re.fullmatch(r"[A-Za-z0-9_-]+", cid)
    assert long_id.endswith("-123456") and dotted.endswith("-3")
    assert make_client_order_id("my_session", 3) != dotted  # sanitizing keeps sessions apart
    assert make_client_order_id("my.session", 3) == dotted  # deterministic


@given(
    signal=st.floats(min_value=-1, max_value=1, allow_nan=False),
    position=st.integers(min_value=-10_000, max_value=10_000),
    working=st.integers(min_value=-10_000, max_value=10_000),
)
def test_orders_are_on_the_grid_and_never_overshoot(
    signal: float, position: int, working: int
) -> None:
    lot = D("0.01")
    meta = SymbolMeta(symbol="BTC/USD", lot_size=lot)
    pos, work = D(position) * lot, D(working) * lot
    result = translate(
        "fixed_qty", {"qty": "50"}, signal, position=str(pos), working=str(work), meta=meta
    )
    target = result.target_qty
    with decimal.localcontext(prec=1000):  # exact checks even for signals like 5e-292
        assert target == D(str(signal)) * 50
        wanted = target - pos - work
        for intent in result.intents:
            assert intent.qty % lot == 0
            left = wanted - intent.signed_qty
            assert abs(left) < abs(wanted)  # moves toward the target
            assert left == 0 or (left > 0) == (wanted > 0)  # never past it
            assert abs(left) < lot  # and gets within one lot of it
        if not result.intents:
            assert abs(wanted) < lot
