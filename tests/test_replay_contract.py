"""The feed contract, run against the replay feed on real bar files."""

from __future__ import annotations

from pathlib import Path

from logos.feeds import ReplayFeed
from logos.testing.feeds import FeedContract

BARS = Path(__file__).parent / "data" / "bars"


class TestReplayContractOneSymbolWithGaps(FeedContract):
    symbols = ("BTC/ETH",)
    timeframe = "1m"

    def make_feed(self) -> ReplayFeed:
        return ReplayFeed(path=str(BARS / "freqtrade_UNITTEST_BTC-1m.csv"))


class TestReplayContractTwoSymbols(FeedContract):
    symbols = ("XRP/ETH", "XRP/ETH-short")
    timeframe = "5m"

    def make_feed(self) -> ReplayFeed:
        return ReplayFeed(
            path=str(BARS),
            files={
                "XRP/ETH": "freqtrade_XRP_ETH-5m.csv",
                "XRP/ETH-short": "edge_XRP_ETH-5m-first44.csv",
            },
        )
