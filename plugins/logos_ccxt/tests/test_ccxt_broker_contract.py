"""Broker ``ccxt`` in dry-run mode passes the broker contract suite, offline: kraken's real
markets (a spot market) and okx's (a linear swap of 0.01 BTC per contract) set from ccxt's
fixtures, every order built as ccxt would send it, then simulated as on paper."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from logos_ccxt.broker import CcxtBroker

from logos.testing.brokers import BrokerContract

MARKETS = Path(__file__).parent / "data" / "markets"


class TestCcxtKrakenSpotDryRun(BrokerContract):
    symbol = "BTC/USDT"
    unknown_symbol = "NO/SUCH"

    def make_broker(self) -> CcxtBroker:
        return CcxtBroker(
            exchange="kraken",
            markets_file=str(MARKETS / "kraken.json"),
            cash=Decimal(1000),
            fee_bps=Decimal(26),
        )


class TestCcxtOkxSwapDryRun(BrokerContract):
    symbol = "BTC/USDT:USDT"
    qty = Decimal("0.05")  # 5 contracts
    unaffordable_qty = Decimal("500")

    def make_broker(self) -> CcxtBroker:
        return CcxtBroker(
            exchange="okx",
            markets_file=str(MARKETS / "okx.json"),
            market_type="swap",
            cash=Decimal(1000),
            fee_bps=Decimal(5),
            allow_short=True,
        )
