"""Whatever quantity and price logos sizes, the request Alpaca receives says exactly that
(alpaca-py's fields are floats: a value that would not survive is refused, never rounded)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st
from logos_alpaca.refusal import AlpacaRefusal
from logos_alpaca.requests import order_request, request_body

from logos.domain import OrderType, TimeInForce

quantities = st.decimals(
    min_value=Decimal("0.000000001"), max_value=Decimal("100000"), places=9, allow_nan=False
)
prices = st.decimals(min_value=Decimal("1"), max_value=Decimal("99999"), places=2)


@given(qty=quantities, price=prices)
def test_a_fractional_limit_order_says_exactly_what_logos_sized(assets, intent, qty, price):
    order = intent(
        "AAPL", str(qty), type=OrderType.LIMIT, tif=TimeInForce.DAY, limit_price=str(price)
    )
    try:
        body = request_body(order_request(order, assets["AAPL"], price=price))
    except AlpacaRefusal as refusal:
        assert qty * price < 1 and "below Alpaca's $1 minimum" in refusal.reason
        return
    assert Decimal(repr(body["qty"])) == qty
    assert Decimal(repr(body["limit_price"])) == price
