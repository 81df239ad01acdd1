"""Feed ``ccxt`` through ccxt's own binance code: only ``Exchange.fetch`` (HTTP) is faked.

ccxt builds the klines request, parses binance's JSON (prices as strings) with its own
``parse_ohlcv`` and raises its own ``BadSymbol`` for a symbol its markets lack; the fake
answers ``GET /api/v3/klines`` like binance does, forming bar included.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import ccxt
import pytest
from logos_ccxt.feed import CcxtFeed

from logos.errors import FeedError
from logos.testing.feeds import ManualClock

MARKETS = Path(__file__).parent / "data" / "markets" / "binance.json"
T0 = datetime(2024, 3, 1, 10, 0, tzinfo=UTC)
T0_MS = 1709287200000


def kline(minute: int, close: str) -> list[Any]:
    """One binance /api/v3/klines row: open time, OHLCV as strings, close time, extras."""
    open_ms = T0_MS + minute * 60_000
    return [open_ms, "62000.10", "62010.00", "61990.50", close, "1.25000000",
            open_ms + 59_999, "77500.1", 42, "0.6", "37200.0", "0"]  # fmt: skip


class BinanceHttp(ccxt.binance):
    """Real ccxt.binance; its HTTP layer answers klines from memory up to the clock."""

    def __init__(self, clock: ManualClock, klines: list[list[Any]]) -> None:
        super().__init__()
        self.set_markets(list(json.loads(MARKETS.read_text()).values()))
        self.clock = clock
        self.klines = klines
        self.requests: list[dict[str, list[str]]] = []

    def fetch(self, url: str, method: str = "GET", headers: Any = None, body: Any = None) -> Any:
        query = parse_qs(urlparse(url).query)
        self.requests.append(query)
        assert urlparse(url).path == "/api/v3/klines"
        now_ms = int((self.clock() - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds() * 1000)
        start = int(query["startTime"][0])
        rows = [k for k in self.klines if start <= k[0] <= now_ms]
        return rows[: int(query["limit"][0])]


def test_binance_klines_parsed_by_ccxt_become_exact_closed_bars() -> None:
    clock = ManualClock(T0 + timedelta(minutes=2, seconds=5))
    client = BinanceHttp(clock, [kline(0, "62005.25"), kline(1, "62001.00"), kline(2, "1")])
    feed = CcxtFeed(client=client, clock=clock, sleep=clock.sleep, exchange="binance")
    feed.start(["BTC/USDT"], "1m", after=T0 - timedelta(minutes=1), until=T0 + timedelta(minutes=2))
    slices = list(feed.slices())
    assert [[(b.symbol, b.ts) for b in s] for s in slices] == [
        [("BTC/USDT", T0)],
        [("BTC/USDT", T0 + timedelta(minutes=1))],
    ]  # 10:02 is still forming at 10:02:05
    first = slices[0][0]
    assert (first.open, first.high, first.low, first.close, first.volume) == (
        Decimal("62000.1"),
        Decimal("62010.0"),
        Decimal("61990.5"),
        Decimal("62005.25"),
        Decimal("1.25"),
    )
    assert client.requests == [
        {"interval": ["1m"], "limit": ["500"], "symbol": ["BTCUSDT"], "startTime": [str(T0_MS)]}
    ]


def test_symbol_missing_from_the_markets_is_ccxt_bad_symbol_and_fatal() -> None:
    clock = ManualClock(T0)
    client = BinanceHttp(clock, [])
    feed = CcxtFeed(client=client, clock=clock, sleep=clock.sleep, exchange="binance")
    feed.start(["NOPE/USDT"], "1m", until=T0)
    with pytest.raises(FeedError, match=r"^feed 'ccxt': NOPE/USDT: BadSymbol: binance does not"):
        list(feed.slices())
    assert client.requests == [] and clock.sleeps == []
