"""Feed ``yfinance`` through yfinance's own ``Ticker.history``: only the HTTP GET is faked.

yfinance asks Yahoo's chart API (``/v8/finance/chart/SYMBOL``) for the exchange timezone and
then for the 1-minute quotes, and builds its frame itself (tz-aware ``Datetime`` index,
``Open High Low Close Adj Close Volume``); the fake answers like Yahoo does, the still-forming
minute included. yfinance's on-disk timezone cache is replaced by its own no-op cache.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import yfinance.base
import yfinance.cache
from curl_cffi.requests.exceptions import HTTPError
from logos_yf.feed import YFinanceFeed
from yfinance.data import YfData

from logos.errors import FeedError
from logos.testing.feeds import ManualClock

# yfinance 1.7's own parse_quotes uses sort_index(inplace=True), deprecated in pandas 3.1
pytestmark = pytest.mark.filterwarnings("ignore:The inplace keyword in DataFrame.sort_index")

T0 = datetime(2024, 3, 1, 14, 30, tzinfo=UTC)  # 09:30 in New York
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def seconds(ts: datetime) -> int:
    return (ts - EPOCH) // timedelta(seconds=1)


class Response:
    """The parts of a curl_cffi response yfinance reads."""

    def __init__(self, url: str, payload: dict[str, Any], status_code: int = 200) -> None:
        self.url = url
        self.status_code = status_code
        self.payload = payload
        self.text = str(payload)

    def json(self) -> dict[str, Any]:
        return self.payload

    def raise_for_status(self) -> None:
        """As curl_cffi's Response does."""
        if self.status_code >= 400:
            raise HTTPError(f"HTTP Error {self.status_code}: Not Found", 0, self)


class YahooChart:
    """Yahoo's chart API for known symbols: minutes (offsets from T0) up to the clock."""

    def __init__(self, clock: ManualClock, minutes: dict[str, list[int]]) -> None:
        self.clock = clock
        self.minutes = minutes
        self.requests: list[tuple[str, dict[str, Any]]] = []

    def get(self, data: YfData, url: str, params: dict[str, Any] | None = None, timeout: Any = 30):
        symbol = url.rsplit("/", 1)[1]
        params = dict(params or {})
        self.requests.append((symbol, params))
        if symbol not in self.minutes:
            not_found = {"code": "Not Found", "description": f"Quote not found for {symbol}"}
            if "/quoteSummary/" in url:
                return Response(url, {"quoteSummary": {"result": None, "error": not_found}}, 404)
            return Response(url, {"chart": {"result": None, "error": not_found}})
        session = {"timezone": "EST", "gmtoffset": -18000}
        regular = {**session, "start": seconds(T0), "end": seconds(T0) + 390 * 60}
        meta = {
            "currency": "USD",
            "symbol": symbol,
            "exchangeTimezoneName": "America/New_York",
            "instrumentType": "EQUITY",
            "dataGranularity": params.get("interval", "1d"),
            "tradingPeriods": [[regular]],
        }
        if "period1" not in params:  # the timezone probe: range=1d
            return Response(url, {"chart": {"result": [{"meta": meta}], "error": None}})
        now = seconds(self.clock())
        stamps = [
            seconds(T0) + 60 * m
            for m in self.minutes[symbol]
            if params["period1"] <= seconds(T0) + 60 * m <= min(now, params["period2"])
        ]
        quote = {
            "open": [100.5] * len(stamps),
            "high": [101.25] * len(stamps),
            "low": [99.75] * len(stamps),
            "close": [100.0 + i / 4 for i in range(len(stamps))],
            "volume": [300] * len(stamps),
        }
        result = {"meta": meta, "indicators": {"quote": [quote if stamps else {}]}}
        if stamps:
            result["timestamp"] = stamps
        return Response(url, {"chart": {"result": [result], "error": None}})


@pytest.fixture
def yahoo(monkeypatch: pytest.MonkeyPatch) -> Iterator[YahooChart]:
    clock = ManualClock(T0)
    chart = YahooChart(clock, {"AAPL": [0, 1, 3, 4]})
    monkeypatch.setattr(
        YfData,
        "get",
        lambda self, url, params=None, timeout=30: chart.get(self, url, params, timeout),
    )
    monkeypatch.setattr(yfinance.cache, "get_tz_cache", yfinance.cache._TzCacheDummy)
    YfData.cache_get.cache_clear()
    yield chart
    YfData.cache_get.cache_clear()


def test_yfinance_builds_the_frame_and_the_feed_emits_closed_utc_bars(yahoo: YahooChart) -> None:
    yahoo.clock.now = T0 + timedelta(minutes=4, seconds=10)
    feed = YFinanceFeed(clock=yahoo.clock, sleep=yahoo.clock.sleep, backoff_jitter=0)
    feed.start(["AAPL"], "1m", after=T0 - timedelta(minutes=1), until=T0 + timedelta(minutes=4))
    bars = [bar for bars in feed.slices() for bar in bars]
    # 14:34 is still forming at 14:34:10; 14:32 has no trade: a gap, not a bar
    assert [b.ts for b in bars] == [T0 + timedelta(minutes=m) for m in (0, 1, 3)]
    assert (bars[0].open, bars[0].high, bars[0].low, bars[0].close, bars[0].volume) == (
        Decimal("100.5"),
        Decimal("101.25"),
        Decimal("99.75"),
        Decimal("100.0"),
        Decimal("300"),
    )
    assert [g.missing for g in feed.health().gaps] == [1]
    chart_request = yahoo.requests[-1][1]
    assert (chart_request["interval"], chart_request["period1"]) == ("1m", seconds(T0))


@pytest.mark.parametrize(
    ("info_lookups_used", "error"),
    [
        # yfinance asks the quote API for a missing timezone (twice per process): 404
        (0, r"HTTPError: HTTP Error 404: Not Found"),
        (2, r"YFTzMissingError: \$NOPE: possibly delisted; no timezone found"),
    ],
)
def test_unknown_symbol_is_fatal_at_once(
    yahoo: YahooChart, monkeypatch: pytest.MonkeyPatch, info_lookups_used: int, error: str
) -> None:
    monkeypatch.setattr(yfinance.base, "_tz_info_fetch_ctr", info_lookups_used)  # order-proof
    feed = YFinanceFeed(clock=yahoo.clock, sleep=yahoo.clock.sleep)
    feed.start(["NOPE"], "1m", until=T0)
    with pytest.raises(FeedError, match=rf"^feed 'yfinance': NOPE: {error}.* \(not retryable\)$"):
        list(feed.slices())
    assert yahoo.clock.sleeps == []
