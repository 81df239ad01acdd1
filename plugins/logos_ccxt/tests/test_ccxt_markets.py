"""ccxt markets → SymbolMeta on ccxt's own market fixtures (offline, set_markets)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import ccxt
import pytest
from logos_ccxt.markets import exchange_symbol_meta, market_to_meta, precision_step

from logos.errors import DataError, FeedError

MARKETS = Path(__file__).parent / "data" / "markets"


def exchange(name: str, precision_mode: int | None = None) -> ccxt.Exchange:
    ex = getattr(ccxt, name)({"enableRateLimit": False})
    if precision_mode is not None:
        ex.precisionMode = precision_mode
    ex.set_markets(list(json.loads((MARKETS / f"{name}.json").read_text()).values()))
    return ex


def test_tick_size_mode_reads_steps_as_they_are() -> None:
    # kraken.json BTC/USDT: precision amount 1e-08, price 0.1; limits amount.min 0.0001
    meta = exchange_symbol_meta(exchange("kraken"), ["BTC/USDT"])["BTC/USDT"]
    assert (meta.base, meta.quote) == ("BTC", "USDT")
    assert meta.tick_size == Decimal("0.1")
    assert meta.lot_size == Decimal("0.00000001")
    assert meta.min_qty == Decimal("0.0001")
    assert meta.max_qty is None and meta.min_notional is None
    assert meta.shortable is False and meta.fractionable is True


def test_binance_fixture_needs_decimal_places_mode() -> None:
    # binance.json BTC/USDT: precision amount 5, price 2 (decimal places, README caveat);
    # limits amount 1e-05..9000, cost.min 5
    meta = exchange_symbol_meta(exchange("binance", ccxt.DECIMAL_PLACES), ["BTC/USDT"])
    btc = meta["BTC/USDT"]
    assert (btc.tick_size, btc.lot_size) == (Decimal("0.01"), Decimal("0.00001"))
    assert (btc.min_qty, btc.max_qty, btc.min_notional) == (
        Decimal("0.00001"),
        Decimal("9000"),
        Decimal("5"),
    )


def test_markets_without_precision_or_limits_are_unconstrained() -> None:
    metas = exchange_symbol_meta(exchange("binance", ccxt.DECIMAL_PLACES))
    for symbol in ("BTC/USDT:USDT-231229", "ETH/USDT:USDT-231229-800-C"):
        meta = metas[symbol]
        assert (meta.tick_size, meta.lot_size, meta.min_qty, meta.max_qty, meta.min_notional) == (
            None,
            None,
            None,
            None,
            None,
        )
    assert len(metas) == 18


def test_non_ascii_symbol_is_kept_as_is() -> None:
    # gate.json: 人生K线/USDT:USDT, precision amount 1, price 1e-06, amount 1..1000000, a
    # linear swap of contractSize 100: logos counts base units, 100 per contract
    meta = exchange_symbol_meta(exchange("gate"), ["人生K线/USDT:USDT"])["人生K线/USDT:USDT"]
    assert meta.symbol == "人生K线/USDT:USDT" and meta.base == "人生K线"
    assert (meta.tick_size, meta.lot_size) == (Decimal("0.000001"), Decimal("100"))
    assert (meta.min_qty, meta.max_qty) == (Decimal("100"), Decimal("100000000"))
    assert meta.shortable is True


@pytest.mark.parametrize("name", sorted(p.stem for p in MARKETS.glob("*.json")))
def test_every_fixture_market_converts(name: str) -> None:
    mode = ccxt.DECIMAL_PLACES if name == "binance" else None
    ex = exchange(name, mode)
    metas = exchange_symbol_meta(ex)
    assert set(metas) == set(ex.markets)


def test_precision_step_by_mode() -> None:
    assert precision_step(0.001, ccxt.TICK_SIZE) == Decimal("0.001")
    assert precision_step(3, ccxt.DECIMAL_PLACES) == Decimal("0.001")
    assert precision_step(0, ccxt.DECIMAL_PLACES) == Decimal("1")
    assert precision_step(4, ccxt.SIGNIFICANT_DIGITS) is None
    assert precision_step(None, ccxt.TICK_SIZE) is None
    with pytest.raises(DataError, match="not a whole number of decimal places"):
        precision_step(0.5, ccxt.DECIMAL_PLACES)


def test_market_without_symbol_is_a_data_error() -> None:
    with pytest.raises(DataError, match="ccxt market without a symbol: id 'XBTUSD'"):
        market_to_meta({"id": "XBTUSD"}, ccxt.TICK_SIZE)


def test_symbol_the_exchange_does_not_list_is_named() -> None:
    with pytest.raises(FeedError, match="kraken does not list symbol\\(s\\): NOPE/USD"):
        exchange_symbol_meta(exchange("kraken"), ["BTC/USDT", "NOPE/USD"])


def test_the_precision_mode_numbers_are_ccxts() -> None:
    from ccxt.base import decimal_to_precision as ccxt_modes
    from logos_ccxt import markets

    assert (markets.DECIMAL_PLACES, markets.SIGNIFICANT_DIGITS, markets.TICK_SIZE) == (
        ccxt_modes.DECIMAL_PLACES,
        ccxt_modes.SIGNIFICANT_DIGITS,
        ccxt_modes.TICK_SIZE,
    )
