"""Polling base: closed bars, dedupe, gaps, order, retry/backoff, fatal errors, resume."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from logos.domain import Bar
from logos.errors import FeedError
from logos.feeds.base import Gap
from logos.feeds.freshness import FreshnessMonitor
from logos.feeds.polling import PollingFeed, RetryableFeedError
from logos.testing.feeds import FeedContract, ManualClock


def t(minute: int, second: int = 0) -> datetime:
    return datetime(2024, 3, 1, 10, 0, tzinfo=UTC) + timedelta(minutes=minute, seconds=second)


def bar(symbol: str, minute: int, close: str = "100") -> Bar:
    price = Decimal(close)
    return Bar(symbol, t(minute), price, price, price, price, Decimal(1))


class ScriptedFeed(PollingFeed):
    """A polling feed over an in-memory market: a bar exists once its open time has passed."""

    name = "scripted"

    def __init__(
        self,
        market: dict[str, list[Bar]],
        clock: ManualClock,
        errors: list[BaseException] | None = None,
        ignore_since: bool = False,
        reverse: bool = False,
        **params: Any,
    ) -> None:
        super().__init__(clock=clock, sleep=clock.sleep, rng=random.Random(0), **params)
        self.market = market
        self.errors = list(errors or [])
        self.ignore_since = ignore_since
        self.reverse = reverse
        self.calls: list[tuple[str, datetime]] = []

    def fetch(self, symbol: str, since: datetime, now: datetime) -> list[Bar]:
        self.calls.append((symbol, since))
        if self.errors:
            raise self.errors.pop(0)
        bars = [b for b in self.market.get(symbol, []) if b.ts <= now]
        if not self.ignore_since:
            bars = [b for b in bars if b.ts >= since]
        return bars[::-1] if self.reverse else bars


def run(feed: ScriptedFeed, symbols: list[str], **start: Any) -> list[list[tuple[str, int]]]:
    feed.start(symbols, "1m", **start)
    return [
        [(b.symbol, int((b.ts - t(0)).total_seconds() // 60)) for b in s] for s in feed.slices()
    ]


def test_still_forming_bar_is_dropped_until_it_closes() -> None:
    clock = ManualClock(t(5, 30))
    market = {"A": [bar("A", m) for m in range(6)]}  # 10:05 is forming at 10:05:30
    feed = ScriptedFeed(market, clock, poll_interval=40)
    emitted = run(feed, ["A"], after=t(-1), until=t(6, 10))
    # poll at 10:05:30 -> 10:00..10:04; poll at 10:06:10 -> 10:05 (closed at 10:06)
    assert emitted == [[("A", 0)], [("A", 1)], [("A", 2)], [("A", 3)], [("A", 4)], [("A", 5)]]
    assert clock.sleeps == [40]


def test_duplicates_across_polls_are_delivered_once() -> None:
    clock = ManualClock(t(2, 5))
    market = {"A": [bar("A", m) for m in range(4)]}
    feed = ScriptedFeed(market, clock, ignore_since=True, poll_interval=60)
    emitted = run(feed, ["A"], after=t(-1), until=t(4, 0))
    assert emitted == [[("A", 0)], [("A", 1)], [("A", 2)], [("A", 3)]]
    # poll 1 (10:02:05) gives 0,1 (2 forming); poll 2 (10:03:05) repeats 0,1; poll 3 (10:04:05)
    # repeats 0,1,2
    assert feed.health().duplicates_dropped == 5


def test_missing_minute_is_a_gap_not_a_bar() -> None:
    clock = ManualClock(t(5))
    market = {"A": [bar("A", 0), bar("A", 1), bar("A", 4)]}
    feed = ScriptedFeed(market, clock)
    emitted = run(feed, ["A"], after=t(-1), until=t(5))
    assert emitted == [[("A", 0)], [("A", 1)], [("A", 4)]]
    assert feed.health().gaps == [Gap("A", t(1), t(4), 2)]
    assert [e.type for e in feed.drain_events()] == ["gap"]


def test_out_of_order_rows_are_delivered_sorted_and_symbols_merged() -> None:
    clock = ManualClock(t(3))
    market = {"A": [bar("A", m) for m in range(3)], "B": [bar("B", m) for m in (0, 2)]}
    feed = ScriptedFeed(market, clock, reverse=True)
    emitted = run(feed, ["B", "A"], after=t(-1), until=t(3))
    assert emitted == [[("B", 0), ("A", 0)], [("A", 1)], [("B", 2), ("A", 2)]]


def test_bar_arriving_after_a_later_slice_is_dropped_and_reported() -> None:
    clock = ManualClock(t(2))
    market = {"A": [bar("A", 0), bar("A", 1)], "B": []}
    feed = ScriptedFeed(market, clock, poll_interval=60)
    feed.start(["A", "B"], "1m", after=t(-1), until=t(3))
    slices = feed.slices()
    assert [b.symbol for b in next(slices)] == ["A"]
    assert [b.symbol for b in next(slices)] == ["A"]
    market["B"].append(bar("B", 1))  # B's 10:01 shows up only at the next poll: too late
    market["A"].append(bar("A", 2))
    assert [(b.symbol, b.ts) for b in next(slices)] == [("A", t(2))]
    assert list(slices) == []
    assert feed.health().late_bars_dropped == 1
    assert "late_bar" in [e.type for e in feed.drain_events()]


def test_retry_then_success_backs_off_exponentially() -> None:
    clock = ManualClock(t(2))
    errors: list[BaseException] = [RetryableFeedError("timeout"), RetryableFeedError("timeout")]
    feed = ScriptedFeed({"A": [bar("A", 0)]}, clock, errors=errors, backoff_jitter=0)
    assert run(feed, ["A"], after=t(-1), until=t(2)) == [[("A", 0)]]
    assert clock.sleeps == [1.0, 2.0]  # backoff_initial 1 s, doubling
    health = feed.health()
    assert (health.total_failures, health.consecutive_failures) == (2, 0)
    assert [e.type for e in feed.drain_events()] == ["retry", "retry"]


def test_jitter_comes_from_the_injected_random_generator() -> None:
    clock = ManualClock(t(2))
    feed = ScriptedFeed({"A": [bar("A", 0)]}, clock, errors=[RetryableFeedError("x")])
    run(feed, ["A"], after=t(-1), until=t(2))
    assert clock.sleeps == [1.0 + random.Random(0).uniform(0, 1.0)]


def test_retry_budget_exhausted_is_a_clear_error() -> None:
    clock = ManualClock(t(2))
    errors: list[BaseException] = [RetryableFeedError("HTTP 503")] * 5
    feed = ScriptedFeed({"A": []}, clock, errors=errors, max_attempts=3, backoff_jitter=0)
    with pytest.raises(FeedError) as info:
        run(feed, ["A"], after=t(-1), until=t(2))
    assert str(info.value) == (
        "feed 'scripted': A: gave up after 3 attempt(s) in 3s (max_attempts=3, "
        "retry_deadline=120s); last error: RetryableFeedError: HTTP 503"
    )
    assert clock.sleeps == [1.0, 2.0]
    assert feed.health().consecutive_failures == 3


@pytest.mark.parametrize(
    ("deadline", "attempts", "elapsed", "sleeps"),
    [
        # attempts at +0 s and +1 s; the next wait (2 s) would start attempt 3 at +3 s, past
        # the 2.5 s deadline, so the feed gives up instead of sleeping
        (2.5, 2, "1s", [1.0]),
        # attempt 3 starts at +3 s, exactly the deadline; attempt 4 would start at +7 s
        (3.0, 3, "3s", [1.0, 2.0]),
    ],
)
def test_total_deadline_stops_retrying_before_max_attempts(
    deadline: float, attempts: int, elapsed: str, sleeps: list[float]
) -> None:
    clock = ManualClock(t(2))
    errors: list[BaseException] = [RetryableFeedError("slow")] * 9
    feed = ScriptedFeed(
        {"A": []}, clock, errors=errors, max_attempts=9, retry_deadline=deadline, backoff_jitter=0
    )
    with pytest.raises(FeedError, match=rf"gave up after {attempts} attempt\(s\) in {elapsed}"):
        run(feed, ["A"], after=t(-1), until=t(2))
    assert clock.sleeps == sleeps


def test_fatal_error_is_not_retried() -> None:
    clock = ManualClock(t(2))
    feed = ScriptedFeed({"A": []}, clock, errors=[ValueError("unknown symbol A")])
    with pytest.raises(FeedError) as info:
        run(feed, ["A"], after=t(-1), until=t(2))
    assert str(info.value) == "feed 'scripted': A: ValueError: unknown symbol A (not retryable)"
    assert len(feed.calls) == 1 and clock.sleeps == []


def test_resume_after_a_timestamp_fetches_from_the_next_bar() -> None:
    clock = ManualClock(t(5))
    feed = ScriptedFeed({"A": [bar("A", m) for m in range(5)]}, clock)
    assert run(feed, ["A"], after=t(2), until=t(5)) == [[("A", 3)], [("A", 4)]]
    assert feed.calls == [("A", t(3))]


def test_without_after_the_first_poll_starts_at_the_last_closed_bar() -> None:
    clock = ManualClock(t(5, 20))
    feed = ScriptedFeed({"A": [bar("A", m) for m in range(6)]}, clock, history_bars=2)
    assert run(feed, ["A"], until=t(5)) == [[("A", 2)], [("A", 3)], [("A", 4)]]
    assert feed.calls == [("A", t(2))]


def test_history_a_library_sends_unasked_is_not_emitted() -> None:
    clock = ManualClock(t(5, 20))
    feed = ScriptedFeed({"A": [bar("A", m) for m in range(6)]}, clock, ignore_since=True)
    # asked since 10:04 (history_bars=0: the last closed bar), answered with 10:00..10:05
    assert run(feed, ["A"], until=t(5)) == [[("A", 4)]]
    assert feed.calls == [("A", t(4))]
    assert feed.health().duplicates_dropped == 4


def test_staleness_is_reported_when_bars_stop_and_when_they_resume() -> None:
    clock = ManualClock(t(1))
    market = {"A": [bar("A", 0)]}
    feed = ScriptedFeed(market, clock, poll_interval=30)
    feed.start(["A"], "1m", after=t(-1), until=t(6))
    stale_at = []
    for _ in feed.slices():
        pass
    # last bar 10:00; limit 2 min + 30 s: polls at 10:01:00, :30, ... 10:02:30 is not stale
    # (age exactly the limit), 10:03:00 is.
    events = feed.drain_events()
    stale_at = [e.ts for e in events if e.type == "stale"]
    assert stale_at == [t(3)]
    assert events[0].data == {
        "symbol": "A",
        "last_bar_ts": "2024-03-01T10:00:00Z",
        "age_seconds": 180.0,
        "max_bar_age_seconds": 150.0,
    }
    assert feed.health().stale_symbols == ["A"]


def test_stale_symbol_recovers_with_a_fresh_event() -> None:
    clock = ManualClock(t(4))
    market = {"A": [bar("A", 0)]}
    feed = ScriptedFeed(market, clock, poll_interval=60)
    feed.start(["A"], "1m", after=t(-1), until=t(6))
    slices = feed.slices()
    next(slices)
    market["A"].append(bar("A", 4))
    assert [b.ts for b in next(slices)] == [t(4)]
    list(slices)
    assert [(e.type, e.ts) for e in feed.drain_events() if e.type in {"stale", "fresh"}] == [
        ("stale", t(4)),
        ("fresh", t(5)),
    ]
    assert feed.health().stale_symbols == []


class TestScriptedFeedContract(FeedContract):
    symbols = ("A", "B")

    def make_feed(self) -> ScriptedFeed:
        self.clock = ManualClock(t(0, 30))
        market = {
            "A": [bar("A", m, str(100 + m)) for m in range(12)],
            "B": [bar("B", m) for m in range(12) if m not in (3, 4)],
        }
        return ScriptedFeed(market, self.clock, poll_interval=45)

    def start_kwargs(self) -> dict[str, Any]:
        return {"until": t(12)}

    def clock_now(self, feed: Any) -> datetime:
        return self.clock()


def test_invalid_live_bar_is_skipped_and_reported() -> None:
    clock = ManualClock(t(3))
    bad = Bar("A", t(1), Decimal(5), Decimal(4), Decimal(6), Decimal(5), Decimal(1))
    feed = ScriptedFeed({"A": [bar("A", 0), bad, bar("A", 2)]}, clock)
    assert run(feed, ["A"], after=t(-1), until=t(3)) == [[("A", 0)], [("A", 2)]]
    assert feed.health().bad_bars_skipped == 1
    events = [e for e in feed.drain_events() if e.type == "bad_bar"]
    assert [e.data for e in events] == [
        {"symbol": "A", "bar_ts": "2024-03-01T10:01:00Z", "problem": "high below low"}
    ]


def test_invalid_newest_bar_is_reported_once_not_every_poll() -> None:
    clock = ManualClock(t(2))
    bad = Bar("A", t(1), Decimal(5), Decimal(4), Decimal(6), Decimal(5), Decimal(1))
    feed = ScriptedFeed({"A": [bar("A", 0), bad]}, clock, poll_interval=60)
    # polls at 10:02, 10:03, 10:04: the bad 10:01 bar is the newest closed bar each time
    assert run(feed, ["A"], after=t(-1), until=t(4)) == [[("A", 0)]]
    assert feed.health().bad_bars_skipped == 1
    assert feed.calls == [("A", t(0)), ("A", t(2)), ("A", t(2))]


def test_default_max_bar_age_is_two_timeframes_plus_grace() -> None:
    monitor = FreshnessMonitor(timedelta(minutes=5), grace=timedelta(seconds=10))
    assert monitor.max_bar_age == timedelta(minutes=10, seconds=10)
    last = {"A": t(0), "B": None}
    assert monitor.measure(t(10, 10), last) == []  # B: no bar yet, counted from first check
    assert [s.symbol for s in monitor.measure(t(10, 11), last)] == ["A"]
    assert [s.symbol for s in monitor.measure(t(20, 21), last)] == ["A", "B"]  # B: 10:11 old
    explicit = FreshnessMonitor(timedelta(minutes=1), max_bar_age=timedelta(seconds=90))
    assert explicit.max_bar_age == timedelta(seconds=90)
