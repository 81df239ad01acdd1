"""Broker ``ccxt``'s params reach ccxt as documented (docs/brokers/ccxt.md): options and the
market type, the markets file, the venue's metadata over the config's, and bad input refused
with one readable line."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from logos_ccxt.broker import CcxtBroker
from pydantic import ValidationError

from logos.domain import SymbolMeta
from logos.errors import DataError

MARKETS = Path(__file__).parent / "data" / "markets"
OKX = str(MARKETS / "okx.json")


def test_options_and_market_type_go_to_ccxt() -> None:
    broker = CcxtBroker(
        exchange="okx", markets_file=OKX, market_type="swap", options={"brokerId": "abc"}
    )
    assert broker.exchange.options["defaultType"] == "swap"
    assert broker.exchange.options["brokerId"] == "abc"


def test_the_venues_metadata_replaces_the_configs() -> None:
    wrong = SymbolMeta(symbol="BTC/USDT:USDT", lot_size=Decimal("1"), tick_size=Decimal("5"))
    other = SymbolMeta(symbol="NVDA")
    broker = CcxtBroker(exchange="okx", markets_file=OKX, symbols=[wrong, other])
    meta = broker.symbol_meta("BTC/USDT:USDT")
    assert (meta.lot_size, meta.tick_size, meta.min_qty) == (
        Decimal("0.001"),
        Decimal("0.1"),
        Decimal("0.001"),
    )  # precision amount 0.1 contract x 0.01 BTC, tick 0.1
    assert broker.symbol_meta("NVDA") is None  # okx lists no NVDA: its orders are refused
    assert broker.account().currency == "USDT"
    assert broker.symbol_meta("ETH/USDT").quote == "USDT"  # any listed symbol, on demand


def test_known_symbols_come_from_the_markets_file_offline() -> None:
    known = CcxtBroker.known_symbols({"exchange": "okx", "markets_file": OKX})
    assert known is not None and "BTC/USDT:USDT" in known and len(known) == 17
    assert CcxtBroker.known_symbols({"exchange": "okx"}) is None


def test_a_bad_markets_file_is_one_line_naming_it(tmp_path: Path) -> None:
    bad = tmp_path / "markets.json"
    bad.write_text('{"BTC/USDT": {"symbol": "BTC/USDT",}')
    with pytest.raises(DataError, match=r"markets.json, line 1: not JSON: "):
        CcxtBroker(exchange="okx", markets_file=str(bad))
    with pytest.raises(DataError, match="cannot read the markets file"):
        CcxtBroker(exchange="okx", markets_file=str(tmp_path / "missing.json"))


def test_params_are_validated() -> None:
    with pytest.raises(ValidationError, match="market_type"):
        CcxtBroker.Params(exchange="okx", market_type="perpetual")
    with pytest.raises(ValidationError, match="unknown ccxt exchange id"):
        CcxtBroker.Params(exchange="okex5")
