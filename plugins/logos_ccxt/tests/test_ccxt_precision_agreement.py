"""logos quantization agrees with ccxt's own ``amount_to_precision`` / ``price_to_precision``.

ccxt runs offline here: markets are set by hand with ``exchange.set_markets`` (no network).
What is checked, precisely:

- amounts: ``quantize_qty`` == ``amount_to_precision`` (both truncate toward zero) for every
  value whose result is not zero; where logos gives 0, ccxt raises ``InvalidOrder`` instead.
- prices: ccxt rounds to the *nearest* tick, halves away from zero. ``quantize_price(meta, p,
  None)`` equals it exactly (where it is not zero; ccxt raises ``InvalidOrder`` for 0). For limit
  orders logos deliberately differs: a buy rounds down and a sell rounds up, so ccxt's result
  equals the buy price when the price is less than half a tick above the grid, the sell price
  when it is half a tick or more above, and all three agree on exact multiples.

ccxt sets the thread's decimal context (ROUND_HALF_UP, Underflow trap) on every call, so each
call runs inside ``decimal.localcontext()`` to keep that from leaking into other tests.
"""

from __future__ import annotations

import decimal
import json
import random
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import ccxt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from logos_ccxt.markets import market_to_meta

from logos.domain import Side, SymbolMeta
from logos.market import quantize_price, quantize_qty

MARKETS = Path(__file__).parent / "data" / "markets"
TICK_SIZE_FILES = sorted(p for p in MARKETS.glob("*.json") if p.stem != "binance")
STEP_DIGITS = (1, 2, 5, 25)


def market(symbol: str, amount_step: str, price_step: str) -> dict[str, Any]:
    """A minimal ccxt unified market; steps are floats, as ccxt markets hold them."""
    base, quote = symbol.split("/")
    return {
        "id": symbol.replace("/", ""),
        "symbol": symbol,
        "base": base,
        "quote": quote,
        "type": "spot",
        "spot": True,
        "precision": {"amount": float(amount_step), "price": float(price_step)},
        "limits": {},
    }


def meta_of(exchange: ccxt.Exchange, mkt: dict[str, Any]) -> SymbolMeta:
    """The SymbolMeta a live session gets for this market (the plugin's own conversion)."""
    return market_to_meta(mkt, exchange.precisionMode)


def ccxt_amount(exchange: ccxt.Exchange, symbol: str, value: str) -> D | None:
    with decimal.localcontext():
        try:
            return D(exchange.amount_to_precision(symbol, value))
        except ccxt.InvalidOrder:
            return None


def ccxt_price(exchange: ccxt.Exchange, symbol: str, value: str) -> D | None:
    with decimal.localcontext():
        try:
            return D(exchange.price_to_precision(symbol, value))
        except ccxt.InvalidOrder:
            return None


def values_for(meta: SymbolMeta, rng: random.Random) -> list[str]:
    """Random values plus the edge cases: exact multiples, half a tick, just below a step."""
    lot, tick = meta.lot_size, meta.tick_size
    n = rng.randint(1, 10**6)
    values = [str(D(rng.randint(1, 10**15)).scaleb(-rng.randint(0, 12))) for _ in range(4)]
    values += [
        str(n * lot),
        str(n * tick),
        str(n * tick + tick / 2),
        str(n * lot - lot / 1000),
        str(n * tick + tick / 2 - tick / 10**6),
        str(lot / 3),
    ]
    return values


def assert_agrees(exchange: ccxt.Exchange, meta: SymbolMeta, value: str) -> None:
    """Amounts: a linear contract's logos quantity is in base units, ccxt's in contracts of
    ``contractSize`` (``logos_ccxt.markets.contract_size``), so ccxt is asked for the
    quantity divided by the size and its answer multiplied back."""
    symbol = meta.symbol
    size = D(str(exchange.markets[symbol].get("contractSize") or 1))
    if not exchange.markets[symbol].get("contract") or exchange.markets[symbol].get("inverse"):
        size = D(1)
    for amount in (value, f"-{value}"):
        ours = quantize_qty(meta, D(amount))
        contracts = ccxt_amount(exchange, symbol, str(D(amount) / size))
        theirs = None if contracts is None else contracts * size
        if ours == 0:
            assert theirs is None, f"{symbol} amount {amount}: ccxt {theirs}, logos 0"
        else:
            assert theirs == ours, f"{symbol} amount {amount}: ccxt {theirs}, logos {ours}"
    price = D(value)
    nearest = quantize_price(meta, price, None)
    theirs = ccxt_price(exchange, symbol, value)
    if nearest == 0:
        assert theirs is None
        return
    assert theirs == nearest, f"{symbol} price {value}: ccxt {theirs}, logos {nearest}"
    buy, sell = quantize_price(meta, price, Side.BUY), quantize_price(meta, price, Side.SELL)
    above_grid = price - buy
    if above_grid == 0:
        assert buy == sell == theirs
    elif above_grid * 2 < meta.tick_size:
        assert theirs == buy < price < sell
    else:
        assert buy < price < sell == theirs


def generated_markets(count: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    markets = []
    for i in range(count):
        lot = D(rng.choice(STEP_DIGITS)).scaleb(rng.randint(-10, 2))
        tick = D(rng.choice(STEP_DIGITS)).scaleb(rng.randint(-10, 2))
        markets.append(market(f"G{i}/USD", str(lot), str(tick)))
    markets.append(market("HALF/USD", "0.5", "0.5"))  # large ticks from the issue
    markets.append(market("FIVE/USD", "5", "5"))
    markets.append(market("SAT/USD", "0.00000001", "0.00000001"))
    return markets


def test_generated_tick_size_markets_agree() -> None:
    exchange = ccxt.kraken({"enableRateLimit": False})
    assert exchange.precisionMode == ccxt.TICK_SIZE
    markets = generated_markets(300, seed=20241124)
    exchange.set_markets(markets)
    rng = random.Random(7)
    checked = 0
    for mkt in markets:
        meta = meta_of(exchange, mkt)
        for value in values_for(meta, rng):
            assert_agrees(exchange, meta, value)
            checked += 1
    assert checked == 303 * 10


@pytest.mark.parametrize("path", TICK_SIZE_FILES, ids=lambda p: p.stem)
def test_real_fixture_markets_agree(path: Path) -> None:
    exchange = getattr(ccxt, path.stem)({"enableRateLimit": False})
    assert exchange.precisionMode == ccxt.TICK_SIZE
    markets = list(json.loads(path.read_text(encoding="utf-8")).values())
    exchange.set_markets(markets)
    rng = random.Random(path.stem)
    usable = [
        m
        for m in markets
        if m.get("precision", {}).get("amount") and m.get("precision", {}).get("price")
    ]
    assert usable, f"{path.name} has no market with both precisions"
    for mkt in usable:
        meta = meta_of(exchange, mkt)
        for value in values_for(meta, rng):
            assert_agrees(exchange, meta, value)


def test_binance_fixture_in_decimal_places_mode_agrees() -> None:
    # This fixture predates TICK_SIZE: its precisions are decimal places (see README.md).
    exchange = ccxt.binance({"enableRateLimit": False})
    exchange.precisionMode = ccxt.DECIMAL_PLACES
    markets = list(json.loads((MARKETS / "binance.json").read_text(encoding="utf-8")).values())
    exchange.set_markets(markets)
    rng = random.Random(3)
    usable = [m for m in markets if m.get("precision", {}).get("amount") is not None]
    assert len(usable) >= 10
    for mkt in usable:
        meta = meta_of(exchange, mkt)
        for value in values_for(meta, rng):
            assert_agrees(exchange, meta, value)


@settings(max_examples=200, deadline=None)
@given(
    lot=st.builds(lambda d, e: D(d).scaleb(e), st.sampled_from(STEP_DIGITS), st.integers(-9, 3)),
    tick=st.builds(lambda d, e: D(d).scaleb(e), st.sampled_from(STEP_DIGITS), st.integers(-9, 3)),
    value=st.builds(
        lambda units, exponent: D(units).scaleb(exponent),
        st.integers(min_value=1, max_value=10**14),
        st.integers(min_value=-12, max_value=0),
    ),
)
def test_hypothesis_markets_agree(lot: D, tick: D, value: D) -> None:
    exchange = ccxt.kraken({"enableRateLimit": False})
    mkt = market("H/USD", str(lot), str(tick))
    exchange.set_markets([mkt])
    assert_agrees(exchange, meta_of(exchange, mkt), str(value))


def test_ccxt_changes_the_decimal_context_but_logos_does_not_care() -> None:
    exchange = ccxt.kraken({"enableRateLimit": False})
    exchange.set_markets([market("C/USD", "0.001", "0.5")])
    with decimal.localcontext():
        exchange.price_to_precision("C/USD", "1.25")
        assert decimal.getcontext().rounding == decimal.ROUND_HALF_UP  # ccxt set it
        meta = meta_of(exchange, market("C/USD", "0.001", "0.5"))
        assert quantize_price(meta, D("1.25"), Side.BUY) == D("1.0")
        assert quantize_qty(meta, D("2.0005")) == D("2")
