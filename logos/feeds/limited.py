"""A run's limits on its feed: at most ``max_slices`` slices, none after ``until``, and replayed
data paced at ``speed`` times real time (``logos trade --max-bars/--until/--speed``;
docs/state.md).

The wrapper passes the feed's slices on unchanged; the slices a restart skips or replays from
the journal (``after``: up to the last journaled one) are not counted. A run that stops at a
limit is paused, not completed: the session carries on with ``--resume``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from logos.domain import Bar
from logos.feeds.base import FeedEvent, FeedHealth, parse_timeframe


@dataclass(frozen=True)
class RunLimits:
    """How far one run of a session goes, and how fast replayed bars come."""

    max_slices: int | None = None
    until: datetime | None = None
    """The last bar time this run processes (bar open time, UTC)."""
    speed: float | None = None
    """Replay pace: one slice per ``timeframe / speed`` of wall time (None: no waiting)."""

    @property
    def any(self) -> bool:
        """True when there is a limit or a pace to apply."""
        return self.max_slices is not None or self.until is not None or self.speed is not None


class LimitedFeed:
    """``inner``'s slices within ``limits`` (see the module docstring)."""

    def __init__(
        self,
        inner: Any,
        limits: RunLimits,
        *,
        after: datetime | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.inner = inner
        self.limits = limits
        self.after = after
        self.sleep = sleep
        self.reached: str | None = None
        """The limit that ended the run (``--max-bars 100``), or None."""
        self._step = timedelta(0)

    def start(self, symbols: Sequence[str], timeframe: str | timedelta, **options: Any) -> None:
        self._step = parse_timeframe(timeframe)
        self.inner.start(symbols, timeframe, **options)

    def slices(self) -> Iterator[list[Bar]]:
        limits, after = self.limits, self.after
        pause = self._step.total_seconds() / limits.speed if limits.speed else 0.0
        counted = 0
        for bars in self.inner.slices():
            ts = bars[0].ts
            new = after is None or ts > after
            if new and limits.until is not None and ts > limits.until:
                self.reached = f"--until {limits.until.isoformat()}"
                return
            if new and pause:
                self.sleep(pause)
            yield bars
            if new:
                counted += 1
                if limits.max_slices is not None and counted >= limits.max_slices:
                    self.reached = f"--max-bars {limits.max_slices}"
                    return

    def drain_events(self) -> list[FeedEvent]:
        return self.inner.drain_events()

    def health(self) -> FeedHealth:
        return self.inner.health()

    def close(self) -> None:
        self.inner.close()
