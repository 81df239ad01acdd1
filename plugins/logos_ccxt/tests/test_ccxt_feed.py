"""Feed ``ccxt`` against a fake exchange: a real ccxt.binance subclass, no network."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import ccxt
import pytest
from logos_ccxt.feed import CcxtFeed, ms

from logos.errors import FeedError
from logos.feeds.base import Gap
from logos.testing.feeds import FeedContract, ManualClock

T0 = datetime(2024, 3, 1, 10, 0, tzinfo=UTC)
T0_MS = 1709287200000  # 2024-03-01T10:00:00Z in epoch milliseconds


def t(minute: int, second: int = 0) -> datetime:
    return T0 + timedelta(minutes=minute, seconds=second)


def row(minute: int, close: float = 100.5, volume: float | None = 2.25) -> list[Any]:
    return [T0_MS + minute * 60_000, 100.0, 101.0, 99.0, close, volume]


class FakeBinance(ccxt.binance):
    """ccxt.binance with fetch_ohlcv served from memory, like binance: the forming bar included."""

    def __init__(self, clock: ManualClock, rows: dict[str, list[list[Any]]], **options: Any):
        super().__init__({"enableRateLimit": True})
        self.clock = clock
        self.rows = rows
        self.errors: list[BaseException] = list(options.get("errors", []))
        self.ignore_since = options.get("ignore_since", False)
        self.reverse = options.get("reverse", False)
        self.rateLimit = options.get("rate_limit", 0)
        self.calls: list[tuple[str, str, int | None, int | None]] = []

    def fetch_ohlcv(self, symbol, timeframe="1m", since=None, limit=None, params=None):
        self.calls.append((symbol, timeframe, since, limit))
        if self.errors:
            raise self.errors.pop(0)
        if symbol not in self.rows:
            raise ccxt.BadSymbol(f"binance does not have market symbol {symbol}")
        now_ms = int(self.clock().timestamp() * 1000)
        rows = [r for r in self.rows[symbol] if r[0] <= now_ms]
        if since is not None and not self.ignore_since:
            rows = [r for r in rows if r[0] >= since]
        rows = rows[:limit] if limit else rows
        return rows[::-1] if self.reverse else rows


def make(
    clock: ManualClock,
    rows: dict[str, list[list[Any]]],
    options: dict[str, Any] | None = None,
    **params: Any,
) -> tuple[CcxtFeed, FakeBinance]:
    client = FakeBinance(clock, rows, **(options or {}))
    params.setdefault("backoff_jitter", 0)
    feed = CcxtFeed(client=client, clock=clock, sleep=clock.sleep, exchange="binance", **params)
    return feed, client


def minutes(feed: CcxtFeed, symbols: list[str], **start: Any) -> list[list[tuple[str, int]]]:
    feed.start(symbols, "1m", **start)
    return [[(b.symbol, (b.ts - T0) // timedelta(minutes=1)) for b in s] for s in feed.slices()]


def test_bars_carry_the_exact_ccxt_numbers_and_utc_open_time() -> None:
    clock = ManualClock(t(1, 5))
    feed, _ = make(clock, {"BTC/USDT": [[T0_MS, 42000.1, 42010.0, 41990.5, 42005.25, 1.5]]})
    feed.start(["BTC/USDT"], "1m", after=t(-1), until=t(1))
    (bar,) = next(iter(feed.slices()))
    assert bar.ts == datetime(2024, 3, 1, 10, 0, tzinfo=UTC)
    assert (bar.open, bar.high, bar.low, bar.close, bar.volume) == (
        Decimal("42000.1"),
        Decimal("42010.0"),
        Decimal("41990.5"),
        Decimal("42005.25"),
        Decimal("1.5"),
    )


def test_missing_volume_is_zero() -> None:
    clock = ManualClock(t(1, 5))
    feed, _ = make(clock, {"X/Y": [row(0, volume=None)]})
    feed.start(["X/Y"], "1m", after=t(-1), until=t(1))
    assert next(iter(feed.slices()))[0].volume == Decimal(0)


def test_row_with_a_missing_price_is_skipped_and_reported_not_fatal() -> None:
    clock = ManualClock(t(3))
    rows = [row(0), [T0_MS + 60_000, 100.0, None, 99.0, 100.5, 2.0], row(2)]
    feed, _ = make(clock, {"X/Y": rows})
    assert minutes(feed, ["X/Y"], after=t(-1), until=t(3)) == [[("X/Y", 0)], [("X/Y", 2)]]
    assert feed.health().bad_bars_skipped == 1
    assert feed.health().gaps == [Gap("X/Y", t(0), t(2), 1)]


def test_since_milliseconds_are_exact_where_float_seconds_are_not() -> None:
    # 1099006878916 ms: int(datetime.timestamp() * 1000) gives ...915 (float rounding)
    stamp = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=1099006878916)
    assert ms(stamp) == 1099006878916
    assert ms(T0) == T0_MS


def test_still_forming_last_bar_is_dropped() -> None:
    clock = ManualClock(t(3, 20))
    feed, client = make(clock, {"BTC/USDT": [row(m) for m in range(4)]}, poll_interval=60)
    # 10:03 is forming at 10:03:20 (binance returns it); it closes at 10:04 and comes next poll
    assert minutes(feed, ["BTC/USDT"], after=t(-1), until=t(4)) == [
        [("BTC/USDT", 0)],
        [("BTC/USDT", 1)],
        [("BTC/USDT", 2)],
        [("BTC/USDT", 3)],
    ]
    assert [c[2] for c in client.calls] == [T0_MS, T0_MS + 3 * 60_000]


def test_duplicates_across_polls_are_dropped() -> None:
    clock = ManualClock(t(2, 1))
    options = {"ignore_since": True}
    feed, _ = make(clock, {"A/B": [row(m) for m in range(3)]}, options, poll_interval=60)
    assert minutes(feed, ["A/B"], after=t(-1), until=t(3)) == [
        [("A/B", 0)],
        [("A/B", 1)],
        [("A/B", 2)],
    ]
    assert feed.health().duplicates_dropped == 2  # 0 and 1 again in the second poll


def test_gap_is_reported_not_filled() -> None:
    clock = ManualClock(t(6))
    feed, _ = make(clock, {"A/B": [row(0), row(1), row(5)]})
    assert minutes(feed, ["A/B"], after=t(-1), until=t(6)) == [
        [("A/B", 0)],
        [("A/B", 1)],
        [("A/B", 5)],
    ]
    assert feed.health().gaps == [Gap("A/B", t(1), t(5), 3)]


def test_out_of_order_rows_are_sorted() -> None:
    clock = ManualClock(t(3))
    feed, _ = make(clock, {"A/B": [row(m) for m in range(3)]}, {"reverse": True})
    assert minutes(feed, ["A/B"], after=t(-1), until=t(3)) == [
        [("A/B", 0)],
        [("A/B", 1)],
        [("A/B", 2)],
    ]


@pytest.mark.parametrize(
    "error",
    [
        ccxt.RequestTimeout("binance GET https://api.binance.com/api/v3/klines timed out"),
        ccxt.RateLimitExceeded("binance 429 Too Many Requests"),
        ccxt.DDoSProtection("binance 418 I'm a teapot"),
        ccxt.ExchangeNotAvailable("binance 503 Service Unavailable"),
        ccxt.OnMaintenance("binance system maintenance"),
        ccxt.InvalidNonce("binance timestamp for this request is outside of the recvWindow"),
        ccxt.NetworkError("binance connection reset"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_retryable_ccxt_errors_are_retried_then_succeed(error: Exception) -> None:
    clock = ManualClock(t(1))
    feed, client = make(clock, {"A/B": [row(0)]}, {"errors": [error, error]})
    assert minutes(feed, ["A/B"], after=t(-1), until=t(1)) == [[("A/B", 0)]]
    assert len(client.calls) == 3
    assert clock.sleeps == [1.0, 2.0]
    assert feed.health().total_failures == 2


def test_retry_budget_exhausted_names_exchange_symbol_and_cause() -> None:
    clock = ManualClock(t(1))
    errors = [ccxt.RequestTimeout("binance GET /api/v3/klines timed out")] * 4
    feed, client = make(clock, {"A/B": []}, {"errors": errors}, max_attempts=4)
    with pytest.raises(FeedError) as info:
        minutes(feed, ["A/B"], after=t(-1), until=t(1))
    assert str(info.value) == (
        "feed 'ccxt': A/B: gave up after 4 attempt(s) in 7s (max_attempts=4, "
        "retry_deadline=120s); last error: RequestTimeout: binance GET /api/v3/klines timed out"
    )
    assert len(client.calls) == 4 and clock.sleeps == [1.0, 2.0, 4.0]


@pytest.mark.parametrize(
    "error",
    [
        ccxt.BadSymbol("binance does not have market symbol NOPE/USDT"),
        ccxt.AuthenticationError("binance API-key format invalid"),
        ccxt.PermissionDenied("binance IP not allowed"),
        ccxt.AccountSuspended("binance account has been frozen"),
        ccxt.BadRequest("binance Invalid interval"),
        ccxt.NotSupported("binance fetchOHLCV() is not supported"),
        ccxt.ExchangeError("binance unknown error"),
        ccxt.BadResponse("binance returned an unparseable body"),
        ccxt.NullResponse("binance returned an empty body"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_fatal_ccxt_errors_fail_at_once(error: Exception) -> None:
    clock = ManualClock(t(1))
    feed, client = make(clock, {"A/B": []}, {"errors": [error]})
    with pytest.raises(
        FeedError,
        match=rf"feed 'ccxt': A/B: {type(error).__name__}: binance .* "
        r"\(not retryable\)$",
    ):
        minutes(feed, ["A/B"], after=t(-1), until=t(1))
    assert len(client.calls) == 1 and clock.sleeps == []


def test_unknown_symbol_from_the_exchange_is_fatal() -> None:
    clock = ManualClock(t(1))
    feed, _ = make(clock, {})
    with pytest.raises(FeedError, match="BadSymbol: binance does not have market symbol NOPE/USDT"):
        minutes(feed, ["NOPE/USDT"], after=t(-1), until=t(1))


def test_resume_after_a_timestamp_uses_since() -> None:
    clock = ManualClock(t(5))
    feed, client = make(clock, {"A/B": [row(m) for m in range(5)]})
    assert minutes(feed, ["A/B"], after=t(2), until=t(5)) == [[("A/B", 3)], [("A/B", 4)]]
    assert client.calls == [("A/B", "1m", T0_MS + 3 * 60_000, 500)]


def test_catch_up_pages_forward_with_since() -> None:
    clock = ManualClock(t(7, 30))
    feed, client = make(clock, {"A/B": [row(m) for m in range(8)]}, limit=3)
    assert len(minutes(feed, ["A/B"], after=t(-1), until=t(7))) == 7
    assert [c[2] for c in client.calls] == [T0_MS, T0_MS + 2 * 60_000 + 1, T0_MS + 5 * 60_000 + 1]


def test_requests_are_spaced_by_the_exchange_rate_limit() -> None:
    clock = ManualClock(t(1))
    rows = {"A/B": [row(0)], "C/D": [row(0)]}
    feed, _ = make(clock, rows, {"rate_limit": 1200}, poll_interval=0.5)
    minutes(feed, ["A/B", "C/D"], after=t(-1), until=t(1, 2))
    # poll 1: A/B at +0 s, C/D waits 1.2 s; sleep 0.5 s; poll 2: A/B waits 0.7 s, C/D 1.2 s
    assert clock.sleeps == [1.2, 0.5, pytest.approx(0.7), 1.2]


def test_staleness_is_measured_against_the_clock() -> None:
    clock = ManualClock(t(1))
    feed, _ = make(clock, {"A/B": [row(0)]}, poll_interval=60)
    feed.start(["A/B"], "1m", after=t(-1), until=t(4))
    list(feed.slices())
    stale = [e for e in feed.drain_events() if e.type == "stale"]
    assert [(e.ts, e.data["age_seconds"]) for e in stale] == [(t(3), 180.0)]


def test_timeframe_the_exchange_lacks_is_refused() -> None:
    feed, _ = make(ManualClock(t(1)), {})
    with pytest.raises(FeedError, match="binance has no 7m candles"):
        feed.start(["A/B"], "7m")


def test_exchange_is_built_from_its_id_without_network() -> None:
    feed = CcxtFeed(exchange="kraken", clock=ManualClock(t(0)))
    feed.start(["BTC/USD"], "1m")
    assert isinstance(feed.exchange, ccxt.kraken) and feed.exchange.enableRateLimit is False


class TestCcxtFeedContract(FeedContract):
    symbols = ("BTC/USDT", "ETH/USDT")

    def make_feed(self) -> CcxtFeed:
        self.clock = ManualClock(t(0, 10))
        rows = {
            "BTC/USDT": [row(m, close=100 + m / 4) for m in range(10)],
            "ETH/USDT": [row(m) for m in range(10) if m != 6],
        }
        feed, _ = make(self.clock, rows, {"rate_limit": 50}, poll_interval=25)
        return feed

    def start_kwargs(self) -> dict[str, Any]:
        return {"until": t(10)}

    def clock_now(self, feed: Any) -> datetime:
        return self.clock()
