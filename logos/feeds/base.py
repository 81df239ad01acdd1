"""The feed interface every feed implements, and the health it reports.

A feed is *started* for a list of symbols and a timeframe, then yields **time slices**: lists
of closed :class:`~logos.domain.Bar` objects sharing one timestamp, in strictly increasing
timestamp order, each ``(symbol, ts)`` at most once (docs/feeds.md). A feed can resume
after a timestamp (restarts) and reports its health: the last bar time per symbol,
consecutive failures and the gaps it has seen. Missing bars are reported, never invented.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from logos.components import Component
from logos.domain import Bar
from logos.errors import FeedError
from logos.timeutil import ensure_utc, isoformat_utc

_TIMEFRAME = re.compile(r"^([1-9][0-9]*)([smhdw])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_timeframe(timeframe: str | timedelta) -> timedelta:
    """``"1m"`` → 1 minute; units s, m, h, d, w (the config's ``timeframe`` syntax)."""
    if isinstance(timeframe, timedelta):
        if timeframe <= timedelta(0):
            raise FeedError(f"timeframe must be positive, got {timeframe}")
        return timeframe
    match = _TIMEFRAME.match(timeframe.strip())
    if match is None:
        raise FeedError(f"timeframe {timeframe!r} is not like '1m', '5m', '1h' or '1d'")
    return timedelta(seconds=int(match.group(1)) * _UNIT_SECONDS[match.group(2)])


def timeframe_label(timeframe: timedelta) -> str:
    """1 minute → ``"1m"``: the largest unit that divides it exactly (w, d, h, m, s)."""
    seconds = int(timeframe.total_seconds())
    for unit in ("w", "d", "h", "m", "s"):
        if seconds % _UNIT_SECONDS[unit] == 0:
            return f"{seconds // _UNIT_SECONDS[unit]}{unit}"
    raise FeedError(f"timeframe {timeframe} is not a whole number of seconds")


def decimal_from_float(value: float) -> Decimal:
    """The exact decimal of a price parsed from text: ``Decimal(repr(value))``.

    ``repr`` gives the shortest decimal that round-trips the float, so for any source token
    with at most 15 significant digits, or written as a shortest round-trip decimal (as
    every file in ``tests/data/bars`` is), this is the token's value exactly. The replay
    feed's Bars and the strategies' exact arithmetic both use it, so whole-series signals
    and fills agree to the last digit.
    """
    return Decimal(repr(float(value)))


@dataclass(frozen=True, slots=True)
class Gap:
    """Missing bars between two consecutive bars of one symbol (never filled in)."""

    symbol: str
    after: datetime
    before: datetime
    missing: int

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form for events and reports."""
        return {
            "symbol": self.symbol,
            "after": isoformat_utc(self.after),
            "before": isoformat_utc(self.before),
            "missing": self.missing,
        }


def is_expected_closure(gap: Gap) -> bool:
    """Whether a gap in *daily* bars of a market that closes at weekends is a closure the
    calendar explains: the days it misses are Saturdays and Sundays and at most one weekday
    (a holiday such as a Monday, Good Friday or Christmas). Longer closures (several
    weekdays in a row) stay gaps: the data may be missing bars.

    The caller decides the market closes at weekends (the replay feed: no bar of the data
    falls on one); for a market open every day, a missing weekend is a real gap.
    """
    first, last = gap.after.date() + timedelta(days=1), gap.before.date()
    days = (last - first).days
    if days <= 0:
        return False
    weekdays = sum((first + timedelta(days=n)).weekday() < 5 for n in range(min(days, 8)))
    return days <= 7 and weekdays <= 1


@dataclass(frozen=True, slots=True)
class FeedEvent:
    """Something a feed noticed that the engine should journal (gap, stale, retry, skip...)."""

    type: str
    ts: datetime
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class FeedHealth:
    """What a feed reports about itself; ``Feed.health()`` returns a copy."""

    last_bar_ts: dict[str, datetime | None] = field(default_factory=dict)
    consecutive_failures: int = 0
    total_failures: int = 0
    gaps: list[Gap] = field(default_factory=list)
    bars_emitted: int = 0
    duplicates_dropped: int = 0
    late_bars_dropped: int = 0
    bad_bars_skipped: int = 0
    stale_symbols: list[str] = field(default_factory=list)
    last_error: str | None = None

    @property
    def missing_bars(self) -> int:
        """Total number of bars missing across every gap seen."""
        return sum(gap.missing for gap in self.gaps)

    def copy(self) -> FeedHealth:
        """A snapshot that later updates do not change."""
        return FeedHealth(
            last_bar_ts=dict(self.last_bar_ts),
            consecutive_failures=self.consecutive_failures,
            total_failures=self.total_failures,
            gaps=list(self.gaps),
            bars_emitted=self.bars_emitted,
            duplicates_dropped=self.duplicates_dropped,
            late_bars_dropped=self.late_bars_dropped,
            bad_bars_skipped=self.bad_bars_skipped,
            stale_symbols=list(self.stale_symbols),
            last_error=self.last_error,
        )


class Feed(Component, ABC):
    """Base of every feed: ``start(symbols, timeframe, after=, until=)`` then iterate slices.

    Subclasses implement :meth:`_iter_slices`; the base tracks health (last bar per symbol,
    bars emitted) and queues events for the engine (:meth:`drain_events`).
    """

    symbols: tuple[str, ...]
    timeframe: timedelta
    after: datetime | None
    until: datetime | None

    def start(
        self,
        symbols: Sequence[str],
        timeframe: str | timedelta,
        *,
        after: datetime | None = None,
        until: datetime | None = None,
    ) -> None:
        """Prepare to deliver closed bars of ``symbols`` with open time in (after, until)."""
        if not symbols:
            raise FeedError(f"feed '{self.name}' needs at least one symbol")
        if len(set(symbols)) != len(symbols):
            raise FeedError(f"feed '{self.name}': symbols listed twice in {list(symbols)}")
        self.symbols = tuple(symbols)
        self.timeframe = parse_timeframe(timeframe)
        self.after = ensure_utc(after) if after is not None else None
        self.until = ensure_utc(until) if until is not None else None
        self._health = FeedHealth(last_bar_ts=dict.fromkeys(self.symbols))
        self._events: list[FeedEvent] = []
        self._started = True
        self._on_start()

    def _on_start(self) -> None:
        """Hook for subclasses: open files or connections after ``start``."""

    def slices(self) -> Iterator[list[Bar]]:
        """Yield time slices (closed bars sharing one ts), in strictly increasing ts order."""
        if not getattr(self, "_started", False):
            raise FeedError(f"feed '{self.name}' was iterated before start()")
        health, timeframe, after = self._health, self.timeframe, self.after
        last_bar_ts = health.last_bar_ts
        for bars in self._iter_slices():
            for bar in bars:
                symbol, ts = bar.symbol, bar.ts  # once each: this runs for every bar
                previous = last_bar_ts.get(symbol) or after
                if previous is not None and ts - previous > timeframe:
                    self._note_gap(bar, previous)
                last_bar_ts[symbol] = ts
            health.bars_emitted += len(bars)
            yield bars

    def _note_gap(self, bar: Bar, previous: datetime) -> None:
        missing = (bar.ts - previous - timedelta(microseconds=1)) // self.timeframe
        gap = Gap(bar.symbol, previous, bar.ts, missing)
        self._health.gaps.append(gap)
        self._emit(FeedEvent("gap", bar.ts, gap.as_dict()))

    def __iter__(self) -> Iterator[list[Bar]]:
        return self.slices()

    @abstractmethod
    def _iter_slices(self) -> Iterator[list[Bar]]:
        """The feed's own slice generator (called by :meth:`slices`)."""

    def health(self) -> FeedHealth:
        """A snapshot of the feed's health."""
        return self._health.copy()

    def drain_events(self) -> list[FeedEvent]:
        """Events noticed since the last call (oldest first); the engine journals them."""
        events, self._events = self._events, []
        return events

    def _emit(self, event: FeedEvent) -> None:
        self._events.append(event)

    def close(self) -> None:
        """Release files or connections (the default has nothing to release)."""
