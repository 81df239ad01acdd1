"""Feed ``yfinance`` with ``Ticker.history`` faked at the boundary (frames shaped like 1.x)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pandas as pd
import pytest
import yfinance
from curl_cffi.requests.exceptions import CertificateVerifyError, DNSError, InvalidURL
from curl_cffi.requests.exceptions import ConnectionError as CurlConnectionError
from curl_cffi.requests.exceptions import HTTPError as CurlHTTPError
from curl_cffi.requests.exceptions import Timeout as CurlTimeout
from logos_yf.feed import YFinanceFeed
from yfinance.exceptions import (
    YFDataException,
    YFInvalidPeriodError,
    YFPricesMissingError,
    YFRateLimitError,
    YFTzMissingError,
)

from logos.errors import FeedError
from logos.feeds.base import Gap
from logos.testing.feeds import FeedContract, ManualClock

NY = "America/New_York"
T0 = datetime(2024, 3, 1, 14, 30, tzinfo=UTC)  # 09:30 in New York: the open


def t(minute: int, second: int = 0) -> datetime:
    return T0 + timedelta(minutes=minute, seconds=second)


def history_frame(minutes: list[int], closes: list[float] | None = None) -> pd.DataFrame:
    """What ``Ticker.history(interval="1m", auto_adjust=False, actions=False)`` returns."""
    index = pd.DatetimeIndex([pd.Timestamp(t(m)).tz_convert(NY) for m in minutes], name="Datetime")
    closes = closes or [180.25 + m / 100 for m in minutes]
    return pd.DataFrame(
        {
            "Open": [180.0] * len(minutes),
            "High": [181.5] * len(minutes),
            "Low": [179.75] * len(minutes),
            "Close": closes,
            "Adj Close": closes,
            "Volume": pd.array([1200 + m for m in minutes], dtype="int64"),
        },
        index=index,
    )


class FakeHistory:
    """Replaces ``yfinance.Ticker.history``: serves minutes up to the clock, forming bar too."""

    def __init__(self, clock: ManualClock, minutes: dict[str, list[int]], **options: Any):
        self.clock = clock
        self.minutes = minutes
        self.errors: list[BaseException] = list(options.get("errors", []))
        self.reverse = options.get("reverse", False)
        self.ignore_start = options.get("ignore_start", False)
        self.calls: list[dict[str, Any]] = []
        self.hide_exceptions_seen: list[bool] = []
        self.prices_missing = 0

    def __call__(self, ticker: yfinance.Ticker, **kwargs: Any) -> pd.DataFrame:
        self.calls.append({"symbol": ticker.ticker, **kwargs})
        self.hide_exceptions_seen.append(yfinance.config.debug.hide_exceptions)
        if self.errors:
            raise self.errors.pop(0)
        now = self.clock()
        start, end = kwargs["start"], kwargs["end"]
        wanted = [
            m
            for m in self.minutes.get(ticker.ticker, [])
            if t(m) <= now and t(m) < end and (self.ignore_start or t(m) >= start)
        ]
        if not wanted:
            self.prices_missing += 1
            raise YFPricesMissingError(ticker.ticker, "(1m 2024-03-01 -> 2024-03-01)")
        return history_frame(wanted[::-1] if self.reverse else wanted)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(t(0))


def install(
    monkeypatch: pytest.MonkeyPatch,
    clock: ManualClock,
    minutes: dict[str, list[int]],
    **options: Any,
) -> FakeHistory:
    fake = FakeHistory(clock, minutes, **options)

    def history(self: yfinance.Ticker, *args: Any, **kwargs: Any) -> pd.DataFrame:
        assert not args
        return fake(self, **kwargs)

    monkeypatch.setattr(yfinance.Ticker, "history", history)
    return fake


def make(clock: ManualClock, **params: Any) -> YFinanceFeed:
    params.setdefault("backoff_jitter", 0)
    return YFinanceFeed(clock=clock, sleep=clock.sleep, **params)


def run(feed: YFinanceFeed, symbols: list[str], **start: Any) -> list[list[tuple[str, int]]]:
    feed.start(symbols, "1m", **start)
    return [[(b.symbol, (b.ts - T0) // timedelta(minutes=1)) for b in s] for s in feed.slices()]


def test_bars_are_utc_and_exact(monkeypatch: pytest.MonkeyPatch, clock: ManualClock) -> None:
    clock.now = t(1, 5)
    install(monkeypatch, clock, {"AAPL": [0]})
    feed = make(clock)
    feed.start(["AAPL"], "1m", after=t(-1), until=t(1))
    (bar,) = next(iter(feed.slices()))
    assert bar.ts == datetime(2024, 3, 1, 14, 30, tzinfo=UTC)
    assert (bar.open, bar.high, bar.low, bar.close, bar.volume) == (
        Decimal("180.0"),
        Decimal("181.5"),
        Decimal("179.75"),
        Decimal("180.25"),
        Decimal("1200.0"),
    )


def test_history_is_called_as_documented_and_errors_unhidden(
    monkeypatch: pytest.MonkeyPatch, clock: ManualClock
) -> None:
    clock.now = t(2, 10)
    fake = install(monkeypatch, clock, {"AAPL": [0, 1, 2]})
    feed = make(clock)
    run(feed, ["AAPL"], after=t(-1), until=t(2))
    assert fake.calls == [
        {
            "symbol": "AAPL",
            "interval": "1m",
            "start": t(0),
            "end": t(3, 10),
            "prepost": False,
            "actions": False,
            "auto_adjust": False,
            "timeout": 10.0,
        }
    ]
    assert fake.hide_exceptions_seen == [False]
    assert yfinance.config.debug.hide_exceptions is True


def test_still_forming_bar_is_dropped(monkeypatch: pytest.MonkeyPatch, clock: ManualClock) -> None:
    clock.now = t(2, 30)
    install(monkeypatch, clock, {"AAPL": [0, 1, 2, 3]})
    feed = make(clock, poll_interval=60)
    # poll at 14:32:30 returns 14:32 (forming); it is delivered by the 14:33:30 poll
    assert run(feed, ["AAPL"], after=t(-1), until=t(3)) == [
        [("AAPL", 0)],
        [("AAPL", 1)],
        [("AAPL", 2)],
    ]


def test_duplicates_across_polls(monkeypatch: pytest.MonkeyPatch, clock: ManualClock) -> None:
    clock.now = t(1, 30)
    install(monkeypatch, clock, {"AAPL": [0, 1, 2]}, ignore_start=True)
    feed = make(clock, poll_interval=60)
    assert run(feed, ["AAPL"], after=t(-1), until=t(2)) == [[("AAPL", 0)], [("AAPL", 1)]]
    assert feed.health().duplicates_dropped == 1


def test_gaps_and_out_of_order_rows(monkeypatch: pytest.MonkeyPatch, clock: ManualClock) -> None:
    clock.now = t(5)
    install(monkeypatch, clock, {"AAPL": [0, 1, 4]}, reverse=True)
    feed = make(clock)
    assert run(feed, ["AAPL"], after=t(-1), until=t(5)) == [
        [("AAPL", 0)],
        [("AAPL", 1)],
        [("AAPL", 4)],
    ]
    assert feed.health().gaps == [Gap("AAPL", t(1), t(4), 2)]


def test_no_prices_in_range_is_an_empty_poll_not_an_error(
    monkeypatch: pytest.MonkeyPatch, clock: ManualClock
) -> None:
    clock.now = t(0, -30)  # 14:29:30: the first bar (14:30) does not exist yet
    fake = install(monkeypatch, clock, {"AAPL": [0]})
    feed = make(clock, poll_interval=60)
    # polls at 14:29:30 (YFPricesMissingError), 14:30:30 (14:30 forming), 14:31:30
    assert run(feed, ["AAPL"], after=t(-1), until=t(1)) == [[("AAPL", 0)]]
    assert (len(fake.calls), fake.prices_missing) == (3, 1)
    assert feed.health().total_failures == 0 and clock.sleeps == [60, 60]


@pytest.mark.parametrize(
    "error",
    [
        YFRateLimitError(),
        CurlTimeout("Operation timed out after 10001 milliseconds"),
        CurlConnectionError("Recv failure: Connection reset by peer"),
        DNSError("Could not resolve host: query2.finance.yahoo.com"),
        YFDataException("*** YAHOO! FINANCE IS CURRENTLY DOWN! ***"),
        ConnectionError("reset"),
        CurlHTTPError("HTTP/2 stream 1 was not closed cleanly", 92),
        CurlHTTPError("HTTP Error 503: Service Unavailable", 0, SimpleNamespace(status_code=503)),
    ],
    ids=lambda e: type(e).__name__,
)
def test_retryable_errors_then_success(
    monkeypatch: pytest.MonkeyPatch, clock: ManualClock, error: Exception
) -> None:
    clock.now = t(1)
    fake = install(monkeypatch, clock, {"AAPL": [0]}, errors=[error])
    feed = make(clock)
    assert run(feed, ["AAPL"], after=t(-1), until=t(1)) == [[("AAPL", 0)]]
    assert len(fake.calls) == 2 and clock.sleeps == [1.0]


def test_retry_budget_exhausted(monkeypatch: pytest.MonkeyPatch, clock: ManualClock) -> None:
    clock.now = t(1)
    install(monkeypatch, clock, {"AAPL": [0]}, errors=[YFRateLimitError()] * 3)
    feed = make(clock, max_attempts=3)
    with pytest.raises(FeedError) as info:
        run(feed, ["AAPL"], after=t(-1), until=t(1))
    assert str(info.value) == (
        "feed 'yfinance': AAPL: gave up after 3 attempt(s) in 3s (max_attempts=3, "
        "retry_deadline=120s); last error: YFRateLimitError: Too Many Requests. "
        "Rate limited. Try after a while."
    )


@pytest.mark.parametrize(
    ("error", "text"),
    [
        (YFTzMissingError("NOPE"), "YFTzMissingError: $NOPE: possibly delisted; no timezone found"),
        (
            YFInvalidPeriodError("NOPE", "1m", "1d, 5d"),
            "YFInvalidPeriodError: NOPE: Period '1m' is invalid, must be one of: 1d, 5d",
        ),
        (
            CertificateVerifyError("SSL certificate problem: unable to get local issuer"),
            "CertificateVerifyError: SSL certificate problem: unable to get local issuer",
        ),
        (InvalidURL("URL using bad/illegal format"), "InvalidURL: URL using bad/illegal format"),
        (
            CurlHTTPError("HTTP Error 404: Not Found", 0, SimpleNamespace(status_code=404)),
            "HTTPError: HTTP Error 404: Not Found",
        ),
    ],
    ids=["unknown-symbol", "invalid-period", "certificate", "bad-url", "http-404"],
)
def test_fatal_errors_are_not_retried(
    monkeypatch: pytest.MonkeyPatch, clock: ManualClock, error: Exception, text: str
) -> None:
    clock.now = t(1)
    fake = install(monkeypatch, clock, {}, errors=[error])
    feed = make(clock)
    with pytest.raises(FeedError) as info:
        run(feed, ["NOPE"], after=t(-1), until=t(1))
    assert str(info.value) == f"feed 'yfinance': NOPE: {text} (not retryable)"
    assert len(fake.calls) == 1 and clock.sleeps == []


def test_resume_after_a_timestamp(monkeypatch: pytest.MonkeyPatch, clock: ManualClock) -> None:
    clock.now = t(5)
    fake = install(monkeypatch, clock, {"AAPL": list(range(5))})
    feed = make(clock)
    assert run(feed, ["AAPL"], after=t(2), until=t(5)) == [[("AAPL", 3)], [("AAPL", 4)]]
    assert fake.calls[0]["start"] == t(3)


def test_one_minute_history_is_limited_to_seven_days(
    monkeypatch: pytest.MonkeyPatch, clock: ManualClock
) -> None:
    clock.now = t(0) + timedelta(days=10)
    fake = install(monkeypatch, clock, {"AAPL": []})
    feed = make(clock)
    run(feed, ["AAPL"], after=t(0), until=clock.now)
    assert fake.calls[0]["start"] == t(0) + timedelta(days=3)
    (event,) = [e for e in feed.drain_events() if e.type == "history_limited"]
    assert event.data == {
        "symbol": "AAPL",
        "requested": "2024-03-01T14:31:00Z",
        "used": "2024-03-04T14:30:00Z",
    }


def test_staleness(monkeypatch: pytest.MonkeyPatch, clock: ManualClock) -> None:
    clock.now = t(1)
    install(monkeypatch, clock, {"AAPL": [0]})
    feed = make(clock, poll_interval=60, stale_grace=0)
    feed.start(["AAPL"], "1m", after=t(-1), until=t(4))
    list(feed.slices())
    stale = [(e.ts, e.data["age_seconds"]) for e in feed.drain_events() if e.type == "stale"]
    assert stale == [(t(3), 180.0)]  # limit 2 min + 0 s grace; 14:32:00 is exactly 120 s


def test_unsupported_timeframe_is_refused(clock: ManualClock) -> None:
    with pytest.raises(FeedError, match="Yahoo has no 3m bars"):
        make(clock).start(["AAPL"], "3m")


class TestYFinanceFeedContract(FeedContract):
    symbols = ("AAPL", "MSFT")

    @pytest.fixture(autouse=True)
    def _fake_yfinance(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.monkeypatch = monkeypatch

    def make_feed(self) -> YFinanceFeed:
        self.clock = ManualClock(t(0, 20))
        minutes = {"AAPL": list(range(10)), "MSFT": [m for m in range(10) if m not in (2, 3)]}
        install(self.monkeypatch, self.clock, minutes)
        return make(self.clock, poll_interval=40)

    def start_kwargs(self) -> dict[str, Any]:
        return {"until": t(10)}

    def clock_now(self, feed: Any) -> datetime:
        return self.clock()
