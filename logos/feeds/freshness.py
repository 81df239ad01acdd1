"""Staleness: is each symbol's newest closed bar recent enough? (docs/feeds.md)

A bar's age is ``now − ts`` (ts = the bar's open time). On time, the newest closed bar of a
1-minute feed is between one and two minutes old; a symbol is **stale** when its newest bar
is older than ``max_bar_age``, by default ``2 × timeframe + grace`` (one bar overdue by more
than the grace). A symbol that has had no bar at all is stale once ``max_bar_age`` has
passed since monitoring began. The feed only measures and reports: it emits a ``stale``
event when a symbol goes stale and a ``fresh`` event when it recovers; the risk layer
decides what staleness blocks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from logos.feeds.base import FeedEvent
from logos.timeutil import isoformat_utc

DEFAULT_GRACE = timedelta(seconds=30)


def default_max_bar_age(timeframe: timedelta, grace: timedelta = DEFAULT_GRACE) -> timedelta:
    """``2 × timeframe + grace``: the staleness limit (docs/feeds.md)."""
    return 2 * timeframe + grace


@dataclass(frozen=True, slots=True)
class Staleness:
    """One measurement: a symbol's newest bar time, its age, and the limit it broke."""

    symbol: str
    last_bar_ts: datetime | None
    age: timedelta
    max_bar_age: timedelta

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form (ages in seconds) for events and reports."""
        return {
            "symbol": self.symbol,
            "last_bar_ts": isoformat_utc(self.last_bar_ts) if self.last_bar_ts else None,
            "age_seconds": self.age.total_seconds(),
            "max_bar_age_seconds": self.max_bar_age.total_seconds(),
        }


class FreshnessMonitor:
    """Measures staleness per symbol at each check and reports changes as events."""

    def __init__(
        self,
        timeframe: timedelta,
        *,
        grace: timedelta = DEFAULT_GRACE,
        max_bar_age: timedelta | None = None,
    ) -> None:
        self.max_bar_age = max_bar_age or default_max_bar_age(timeframe, grace)
        self.stale: dict[str, Staleness] = {}
        self._since: datetime | None = None

    def measure(self, now: datetime, last_bar_ts: Mapping[str, datetime | None]) -> list[Staleness]:
        """Every symbol that is stale at ``now`` (in the mapping's order)."""
        if self._since is None:
            self._since = now
        found = []
        for symbol, ts in last_bar_ts.items():
            age = now - (ts if ts is not None else self._since)
            if age > self.max_bar_age:
                found.append(Staleness(symbol, ts, age, self.max_bar_age))
        return found

    def check(self, now: datetime, last_bar_ts: Mapping[str, datetime | None]) -> list[FeedEvent]:
        """Update :attr:`stale`; return ``stale``/``fresh`` events for symbols that changed."""
        current = {s.symbol: s for s in self.measure(now, last_bar_ts)}
        events = [
            FeedEvent("stale", now, s.as_dict())
            for sym, s in current.items()
            if sym not in self.stale
        ]
        for symbol in self.stale:
            if symbol not in current:
                ts = last_bar_ts.get(symbol)
                data = {"symbol": symbol, "last_bar_ts": isoformat_utc(ts) if ts else None}
                events.append(FeedEvent("fresh", now, data))
        self.stale = current
        return events
