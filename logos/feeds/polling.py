"""Polling base for live feeds: closed bars only, each once, in order; retries; freshness.

A subclass implements :meth:`PollingFeed.fetch` (one request to its library for one
symbol) and :meth:`PollingFeed.is_retryable` (which of the library's errors are worth
retrying). The base polls every ``poll_interval``:

* keeps only **closed** bars (``ts + timeframe <= now``) — the still-forming
  bar is fetched again next poll;
* drops bars already delivered (dedupe by ``(symbol, ts)``, counted), sorts what is left,
  and merges symbols into time slices; a bar older than a slice already delivered (one
  symbol's data arriving late) cannot be delivered in order: it is dropped and reported;
* skips invalid bars (same rules as files; counted, ``bad_bar`` event);
* fills nothing in: a missing bar is a reported gap (``Feed`` base);
* retries retryable errors with exponential backoff plus jitter (tenacity), bounded by
  ``max_attempts`` and a total ``retry_deadline``; any other error fails at once. Both
  end as a :class:`~logos.errors.FeedError` naming feed, symbol and cause;
* checks freshness after every poll (``logos.feeds.freshness``).

``clock`` and ``sleep`` are injectable so tests run instantly and deterministically.
"""

from __future__ import annotations

import logging
import random
import time
from abc import abstractmethod
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import Field
from tenacity import RetryCallState, RetryError, Retrying, retry_if_exception
from tenacity.stop import stop_after_attempt, stop_base
from tenacity.wait import wait_base, wait_exponential

from logos.components import Params
from logos.domain import Bar
from logos.errors import FeedError
from logos.feeds.base import Feed, FeedEvent
from logos.feeds.freshness import FreshnessMonitor
from logos.feeds.validation import bar_problem
from logos.timeutil import isoformat_utc

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
Sleeper = Callable[[float], None]


def system_clock() -> datetime:
    """Wall-clock time, tz-aware UTC (live feeds only; simulations inject their own)."""
    return datetime.now(UTC)


class RetryableFeedError(FeedError):
    """A transient failure a feed may raise itself (e.g. an empty answer it should retry)."""


class PollingParams(Params):
    """Params shared by every polling feed."""

    poll_interval: float = Field(10.0, gt=0, description="seconds between polls")
    max_attempts: int = Field(5, ge=1, description="attempts per request before giving up")
    retry_deadline: float = Field(120.0, gt=0, description="seconds one request may keep retrying")
    backoff_initial: float = Field(1.0, gt=0, description="first retry wait, seconds (doubles)")
    backoff_max: float = Field(30.0, gt=0, description="longest retry wait, seconds")
    backoff_jitter: float = Field(1.0, ge=0, description="random extra wait up to this, seconds")
    history_bars: int = Field(0, ge=0, description="closed bars to fetch before the first poll")
    stale_grace: float = Field(30.0, ge=0, description="grace in the 2×timeframe+grace limit")
    max_bar_age: float | None = Field(
        None, gt=0, description="seconds before a symbol is stale; default 2×timeframe+grace"
    )


class _StopBeforeDeadline(stop_base):
    """Stop rather than wait past a deadline on the injected clock.

    tenacity's own ``stop_before_delay`` measures with ``time.monotonic``, which tests cannot
    move; this is the same rule on the feed's clock: no attempt starts after the deadline.
    """

    def __init__(self, clock: Clock, deadline: datetime) -> None:
        self.clock = clock
        self.deadline = deadline

    def __call__(self, retry_state: RetryCallState) -> bool:
        next_attempt = self.clock() + timedelta(seconds=retry_state.upcoming_sleep)
        return next_attempt > self.deadline


class _Jitter(wait_base):
    """Uniform random extra wait from an injectable random generator."""

    def __init__(self, rng: random.Random, most: float) -> None:
        self.rng = rng
        self.most = most

    def __call__(self, retry_state: RetryCallState) -> float:
        return self.rng.uniform(0, self.most) if self.most else 0.0


class PollingFeed(Feed):
    """Base of live polling feeds; subclasses implement :meth:`fetch`."""

    Params = PollingParams
    params: PollingParams

    def __init__(
        self,
        params: PollingParams | None = None,
        *,
        clock: Clock | None = None,
        sleep: Sleeper | None = None,
        rng: random.Random | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(params, **kwargs)
        self.clock: Clock = clock or system_clock
        self.sleep: Sleeper = sleep or time.sleep
        self.rng = rng or random.Random()

    # -- what a subclass provides ------------------------------------------------------

    @abstractmethod
    def fetch(self, symbol: str, since: datetime, now: datetime) -> list[Bar]:
        """Bars of ``symbol`` with open time >= ``since`` as the library returns them.

        May include the still-forming bar, bars already delivered, and any order; the base
        filters. Raise the library's own errors; :meth:`is_retryable` classifies them.
        """

    def is_retryable(self, exc: BaseException) -> bool:
        """True for transient errors (network, timeout, rate limit). Override per library."""
        return isinstance(exc, RetryableFeedError)

    def describe_error(self, exc: BaseException) -> str:
        """One line naming the error (override to add library detail)."""
        return f"{type(exc).__name__}: {exc}"

    # -- the loop ----------------------------------------------------------------------

    def _on_start(self) -> None:
        # the open time of the last bar consumed per symbol: nothing at or before it is emitted,
        # even from a library that ignores ``since`` and answers with older history
        first = self.after if self.after is not None else self._initial_cursor(self.clock())
        self._cursor: dict[str, datetime] = dict.fromkeys(self.symbols, first)
        self._last_slice_ts: datetime | None = self.after
        max_age = self.params.max_bar_age
        self.freshness = FreshnessMonitor(
            self.timeframe,
            grace=timedelta(seconds=self.params.stale_grace),
            max_bar_age=timedelta(seconds=max_age) if max_age else None,
        )

    def _initial_cursor(self, now: datetime) -> datetime:
        """Without ``after``: just before the newest closed bar and ``history_bars`` before it."""
        epoch = datetime(1970, 1, 1, tzinfo=UTC)
        forming = epoch + ((now - epoch) // self.timeframe) * self.timeframe
        return forming - (self.params.history_bars + 2) * self.timeframe

    def _iter_slices(self) -> Iterator[list[Bar]]:
        while True:
            now = self.clock()
            fetched = {symbol: self._fetch_with_retry(symbol, now) for symbol in self.symbols}
            yield from self._slices(fetched, now)
            for event in self.freshness.check(now, self._health.last_bar_ts):
                self._emit(event)
            self._health.stale_symbols = list(self.freshness.stale)
            if self.until is not None and self.clock() >= self.until:
                return
            self.sleep(self.params.poll_interval)

    def _since(self, symbol: str) -> datetime:
        return self._cursor[symbol] + self.timeframe

    def _slices(self, fetched: dict[str, list[Bar]], now: datetime) -> list[list[Bar]]:
        accepted: list[tuple[datetime, int, Bar]] = []
        for rank, symbol in enumerate(self.symbols):
            cursor = self._cursor[symbol]
            seen: set[datetime] = set()
            for bar in fetched[symbol]:
                if bar.symbol != symbol or bar.ts + self.timeframe > now:
                    continue  # still forming: it comes again next poll
                if self.until is not None and bar.ts >= self.until:
                    continue
                if bar.ts <= cursor or bar.ts in seen:
                    self._health.duplicates_dropped += 1
                    continue
                seen.add(bar.ts)  # a bad bar is consumed too, so it is not reported every poll
                problem = bar_problem(bar)
                if problem is not None:
                    self._bad(bar, problem, now)
                    continue
                accepted.append((bar.ts, rank, bar))
            if seen:
                self._cursor[symbol] = max(seen)
        accepted.sort(key=lambda item: (item[0], item[1]))
        slices: list[list[Bar]] = []
        for ts, _, bar in accepted:
            if self._last_slice_ts is not None and ts < self._last_slice_ts:
                self._late(bar, now)
            elif slices and slices[-1][0].ts == ts:
                slices[-1].append(bar)
            elif self._last_slice_ts == ts:
                self._late(bar, now)
            else:
                slices.append([bar])
                self._last_slice_ts = ts
        return slices

    def _bad(self, bar: Bar, problem: str, now: datetime) -> None:
        self._health.bad_bars_skipped += 1
        data = {"symbol": bar.symbol, "bar_ts": isoformat_utc(bar.ts), "problem": problem}
        self._emit(FeedEvent("bad_bar", now, data))
        log.warning("feed %s: %s bar %s skipped: %s", self.name, bar.symbol, bar.ts, problem)

    def _late(self, bar: Bar, now: datetime) -> None:
        self._health.late_bars_dropped += 1
        self._emit(
            FeedEvent("late_bar", now, {"symbol": bar.symbol, "bar_ts": isoformat_utc(bar.ts)})
        )
        log.warning(
            "feed %s: %s bar %s arrived after later bars; dropped", self.name, bar.symbol, bar.ts
        )

    def _fetch_with_retry(self, symbol: str, now: datetime) -> list[Bar]:
        since = self._since(symbol)
        started = self.clock()
        p = self.params
        retrying = Retrying(
            stop=stop_after_attempt(p.max_attempts)
            | _StopBeforeDeadline(self.clock, started + timedelta(seconds=p.retry_deadline)),
            wait=wait_exponential(multiplier=p.backoff_initial, max=p.backoff_max)
            + _Jitter(self.rng, p.backoff_jitter),
            retry=retry_if_exception(self.is_retryable),
            sleep=self.sleep,
            before_sleep=lambda state: self._on_retry(symbol, state),
            reraise=False,
        )
        try:
            bars = retrying(self._attempt, symbol, since, now)
        except RetryError as exc:
            attempts = exc.last_attempt.attempt_number
            cause = exc.last_attempt.exception()
            elapsed = (self.clock() - started).total_seconds()
            raise FeedError(
                f"feed '{self.name}': {symbol}: gave up after {attempts} attempt(s) in "
                f"{elapsed:.3g}s (max_attempts={p.max_attempts}, "
                f"retry_deadline={p.retry_deadline:g}s); "
                f"last error: {self.describe_error(cause) if cause else 'unknown'}"
            ) from cause
        except FeedError:
            raise
        except Exception as exc:
            raise FeedError(
                f"feed '{self.name}': {symbol}: {self.describe_error(exc)} (not retryable)"
            ) from exc
        self._health.consecutive_failures = 0
        return bars

    def _attempt(self, symbol: str, since: datetime, now: datetime) -> list[Bar]:
        try:
            return self.fetch(symbol, since, now)
        except Exception as exc:
            self._health.consecutive_failures += 1
            self._health.total_failures += 1
            self._health.last_error = self.describe_error(exc)
            raise

    def _on_retry(self, symbol: str, state: RetryCallState) -> None:
        cause = state.outcome.exception() if state.outcome else None
        wait = state.next_action.sleep if state.next_action else 0.0
        data = {
            "symbol": symbol,
            "attempt": state.attempt_number,
            "wait_seconds": wait,
            "error": self.describe_error(cause) if cause else "",
        }
        self._emit(FeedEvent("retry", self.clock(), data))
        log.warning(
            "feed %s: %s attempt %d failed (%s); retrying in %.1fs",
            self.name,
            symbol,
            state.attempt_number,
            data["error"],
            wait,
        )
