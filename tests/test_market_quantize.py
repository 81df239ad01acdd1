"""Quantization edge cases (hand-computed) and hypothesis properties (DESIGN.md §4)."""

from __future__ import annotations

import decimal
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from logos.domain import Side, SymbolMeta
from logos.market import quantize_price, quantize_qty, to_decimal, untradeable_reasons


def meta(**fields: object) -> SymbolMeta:
    return SymbolMeta(symbol="X/USD", **fields)


@pytest.mark.parametrize(
    ("lot", "qty", "expected"),
    [
        ("0.01", "1.23", "1.23"),  # exact multiple
        ("0.01", "1.239", "1.23"),  # truncated, not rounded
        ("0.01", "0.0099", "0"),  # just below one step
        ("1", "1.9999999999", "1"),  # just below the next step
        ("0.01", "-1.239", "-1.23"),  # sells truncate toward zero too
        ("0.01", "-0.005", "0"),  # no negative zero
        ("0.00000001", "0.123456789", "0.12345678"),  # tiny lot 1e-8
        ("1E-8", "0.00000001", "0.00000001"),
        ("5", "14.999", "10"),  # large lot
        ("5", "15", "15"),
        ("0.5", "2.7", "2.5"),
    ],
)
def test_quantize_qty(lot: str, qty: str, expected: str) -> None:
    result = quantize_qty(meta(lot_size=D(lot)), D(qty))
    assert result == D(expected)
    assert format(result, "f") == expected  # written with the lot's decimals, zero as "0"


def test_quantize_qty_unconstrained_and_not_fractionable() -> None:
    assert quantize_qty(None, "1.23456789012345") == D("1.23456789012345")
    assert quantize_qty(meta(), D("7.77")) == D("7.77")
    assert quantize_qty(meta(fractionable=False), D("2.7")) == D("2")
    assert quantize_qty(meta(fractionable=False), D("-2.7")) == D("-2")


def test_floats_go_through_str_never_binary() -> None:
    # Decimal(0.3) is 0.29999999999999998889...; truncated to lot 0.1 that would be 0.2.
    assert D(0.3) < D("0.3")  # noqa: RUF032 - the binary value is the point
    assert quantize_qty(meta(lot_size=D("0.1")), 0.3) == D("0.3")
    # Decimal(1.1) is 1.100000000000000088817...; a sell rounded up would become 1.11.
    assert quantize_price(meta(tick_size=D("0.01")), 1.1, Side.SELL) == D("1.1")
    assert to_decimal(1e-8) == D("1E-8")
    assert to_decimal(" 12.50 ") == D("12.50")
    assert to_decimal(3) == D(3)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), "abc", "NaN", True, None])
def test_to_decimal_rejects_non_numbers(bad: object) -> None:
    with pytest.raises(ValueError):
        to_decimal(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("tick", "price", "buy", "sell", "nearest"),
    [
        ("0.5", "100.74", "100.5", "101.0", "100.5"),
        ("0.5", "100.5", "100.5", "100.5", "100.5"),  # exact multiple: unchanged
        ("0.5", "100.25", "100.0", "100.5", "100.5"),  # half: nearest goes away from zero
        ("0.5", "100.24", "100.0", "100.5", "100.0"),
        ("5", "12347", "12345", "12350", "12345"),
        ("5", "12347.5", "12345", "12350", "12350"),
        ("0.01", "0.019999", "0.01", "0.02", "0.02"),
        ("0.00000001", "0.000000019", "0.00000001", "0.00000002", "0.00000002"),
    ],
)
def test_quantize_price(tick: str, price: str, buy: str, sell: str, nearest: str) -> None:
    m = meta(tick_size=D(tick))
    assert quantize_price(m, D(price), Side.BUY) == D(buy)
    assert quantize_price(m, D(price), Side.SELL) == D(sell)
    assert quantize_price(m, D(price), None) == D(nearest)


def test_quantize_price_unconstrained_and_negative() -> None:
    assert quantize_price(None, "101.123", Side.BUY) == D("101.123")
    m = meta(tick_size=D("0.5"))
    assert quantize_price(m, D("-1.2"), Side.BUY) == D("-1.5")  # down is more negative
    assert quantize_price(m, D("-1.2"), Side.SELL) == D("-1.0")
    assert quantize_price(m, D("-1.25"), None) == D("-1.5")  # half: away from zero


def test_independent_of_the_threads_decimal_context() -> None:
    with decimal.localcontext() as ctx:
        ctx.prec = 3
        ctx.rounding = decimal.ROUND_UP
        assert quantize_qty(meta(lot_size=D("1E-8")), "1234.123456789") == D("1234.12345678")
        assert quantize_price(meta(tick_size=D("0.01")), "98765.4321", Side.SELL) == D("98765.44")


# -- tradeability ------------------------------------------------------------------------


def test_min_notional_boundary_passes_when_equal() -> None:
    m = meta(min_notional=D("10"))
    assert untradeable_reasons(m, D("0.1"), D("100")) == []
    assert untradeable_reasons(m, D("-0.1"), D("100")) == []  # sells: magnitude counts
    (reason,) = untradeable_reasons(m, D("0.1"), D("99.99"))
    assert reason == "notional 9.999 (qty 0.1 × price 99.99) is below min_notional 10"
    assert untradeable_reasons(m, D("0.1"), None) == ["no price to check min_notional 10"]


def test_untradeable_reasons() -> None:
    m = meta(
        lot_size=D("0.5"),
        min_qty=D("1"),
        max_qty=D("100"),
        fractionable=False,
        shortable=False,
    )
    assert untradeable_reasons(m, D("2"), D("10"), position_after=D("0")) == []
    assert untradeable_reasons(m, D("0"), D("10")) == ["quantity is zero"]
    assert untradeable_reasons(m, D("0.5"), D("10")) == [
        "quantity 0.5 is fractional and X/USD is not fractionable",
        "quantity 0.5 is below min_qty 1",
    ]
    assert untradeable_reasons(m, D("100.5"), D("1")) == [
        "quantity 100.5 is fractional and X/USD is not fractionable",
        "quantity 100.5 is above max_qty 100",
    ]
    assert untradeable_reasons(m, D("1.2"), D("1")) == [
        "quantity 1.2 is not a multiple of lot_size 0.5",
        "quantity 1.2 is fractional and X/USD is not fractionable",
    ]
    assert untradeable_reasons(m, D("-3"), D("10"), position_after=D("-1")) == [
        "X/USD is not shortable (position after would be -1)"
    ]
    assert untradeable_reasons(None, D("0.123"), None) == []


# -- properties --------------------------------------------------------------------------

steps = st.builds(
    lambda digit, exponent: D(digit).scaleb(exponent),
    st.sampled_from([1, 2, 5, 25]),
    st.integers(min_value=-10, max_value=2),
)
amounts = st.builds(
    lambda units, exponent: D(units).scaleb(exponent),
    st.integers(min_value=-(10**15), max_value=10**15),
    st.integers(min_value=-12, max_value=0),
)


@given(lot=steps, qty=amounts)
def test_quantized_qty_is_on_the_lot_grid_and_never_larger(lot: D, qty: D) -> None:
    result = quantize_qty(meta(lot_size=lot), qty)
    assert result % lot == 0
    assert abs(result) <= abs(qty)
    assert abs(qty) - abs(result) < lot  # nothing more than one step is given up
    assert result == 0 or (result > 0) == (qty > 0)


@given(tick=steps, price=amounts.map(abs).filter(lambda p: p > 0))
def test_quantized_limit_prices_are_never_worse(tick: D, price: D) -> None:
    m = meta(tick_size=tick)
    buy, sell = quantize_price(m, price, Side.BUY), quantize_price(m, price, Side.SELL)
    assert buy % tick == 0 and sell % tick == 0
    assert buy <= price <= sell  # a buy never pays more, a sell never receives less
    assert sell - buy == (0 if price % tick == 0 else tick)
    assert quantize_price(m, price, None) in (buy, sell)
