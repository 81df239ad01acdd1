"""logos_ccxt registers through its real entry point and validates its params with ccxt."""

from __future__ import annotations

from importlib.metadata import entry_points
from pathlib import Path

import ccxt
import pytest
from pydantic import ValidationError

from logos.plugins import load_plugins

MARKETS = Path(__file__).parent / "data" / "markets"


def test_entry_point_is_installed():
    (ep,) = entry_points(group="logos", name="logos_ccxt")
    assert ep.value == "logos_ccxt.plugin"
    assert ep.dist is not None and ep.dist.name == "logos-ccxt"


def test_registers_feed_and_broker(monkeypatch):
    monkeypatch.setenv("LOGOS_LOAD_PLUGINS", "logos_ccxt")
    registry = load_plugins()
    info = registry.plugins["logos_ccxt"]
    assert info.status == "ok"
    assert registry.get("feed", "ccxt").__module__.startswith("logos_ccxt")
    assert registry.get("broker", "ccxt").__module__.startswith("logos_ccxt")


def test_exchange_id_is_checked_against_ccxt():
    from logos_ccxt.broker import CcxtBroker

    assert "kraken" in ccxt.exchanges
    assert CcxtBroker.Params(exchange="kraken").exchange == "kraken"
    with pytest.raises(ValidationError, match="unknown ccxt exchange id 'krakken'"):
        CcxtBroker.Params(exchange="krakken")


def test_broker_builds_a_dry_run_offline_from_a_markets_file():
    from logos_ccxt.broker import CcxtBroker

    broker = CcxtBroker(exchange="kraken", markets_file=str(MARKETS / "kraken.json"))
    assert broker.mode == "dry_run" and broker.supports_live
    assert broker.exchange.id == "kraken" and broker.exchange.apiKey in ("", None)
    assert broker.symbol_meta("BTC/USDT").lot_size is not None
