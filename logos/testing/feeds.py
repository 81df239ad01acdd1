"""The feed contract: subclass :class:`FeedContract` in your plugin's tests.

Override :meth:`FeedContract.make_feed` to build a fresh feed (with its library faked at
the boundary for live feeds), set ``symbols`` and ``timeframe``, and, for feeds that poll
forever, return an ``until`` from :meth:`FeedContract.start_kwargs` so a run ends. Live
feeds also override :meth:`FeedContract.clock_now` so the suite can check that every bar
was closed when it was emitted (docs/feeds.md)::

    class TestMyFeedContract(FeedContract):
        symbols = ("BTC/USDT",)
        def make_feed(self):
            return MyFeed(exchange=FakeExchange(...), clock=..., sleep=...)
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any, ClassVar

import pytest

from logos.components import Component, ComponentKind
from logos.domain import Bar
from logos.errors import FeedError
from logos.feeds.base import Feed, parse_timeframe
from logos.testing.components import ComponentContract
from logos.testing.data import ManualClock

__all__ = ["FeedContract", "ManualClock"]


class FeedContract(ComponentContract):
    """Behaviour every feed must have. Subclass it; pytest collects the ``test_*`` methods."""

    kind: ClassVar[ComponentKind] = ComponentKind.FEED

    symbols: ClassVar[tuple[str, ...]] = ("A",)
    timeframe: ClassVar[str] = "1m"
    max_slices: ClassVar[int] = 200_000

    # -- hooks ----------------------------------------------------------------------

    def make_feed(self) -> Feed:
        """A new, not yet started feed whose run ends (override)."""
        raise NotImplementedError("override make_feed() in your FeedContract subclass")

    def component_class(self) -> type[Component]:
        """The class of :meth:`make_feed`'s feed."""
        return type(self.make_feed())

    def start_kwargs(self) -> dict[str, Any]:
        """Extra keyword arguments for ``start`` (e.g. ``until`` for a polling feed)."""
        return {}

    def clock_now(self, feed: Feed) -> datetime | None:
        """The feed's clock when a slice is emitted; None for historical feeds."""
        return None

    # -- helpers --------------------------------------------------------------------

    def run_feed(self, after: datetime | None = None) -> tuple[Feed, list[list[Bar]], list[Any]]:
        """Start a fresh feed and collect its slices with the clock at each emission."""
        feed = self.make_feed()
        feed.start(list(self.symbols), self.timeframe, after=after, **self.start_kwargs())
        slices: list[list[Bar]] = []
        clocks: list[datetime | None] = []
        for bars in feed.slices():
            clocks.append(self.clock_now(feed))
            slices.append(bars)
            assert len(slices) <= self.max_slices, "feed did not end; give start() an until"
        return feed, slices, clocks

    # -- the contract ---------------------------------------------------------------

    def test_is_a_feed(self) -> None:
        feed = self.make_feed()
        assert isinstance(feed, Feed), f"{type(feed).__mro__} does not include Feed"

    def test_yields_bars_of_requested_symbols_only(self) -> None:
        _, slices, _ = self.run_feed()
        seen = {bar.symbol for bars in slices for bar in bars}
        assert slices, "the feed yielded nothing"
        assert seen <= set(self.symbols)

    def test_slices_share_one_timestamp_in_increasing_order(self) -> None:
        _, slices, _ = self.run_feed()
        stamps = []
        for bars in slices:
            assert bars, "an empty slice"
            assert len({bar.ts for bar in bars}) == 1, "a slice mixes timestamps"
            stamps.append(bars[0].ts)
        assert all(a < b for a, b in pairwise(stamps))

    def test_each_symbol_and_timestamp_once(self) -> None:
        _, slices, _ = self.run_feed()
        counts = Counter((bar.symbol, bar.ts) for bars in slices for bar in bars)
        assert [key for key, n in counts.items() if n > 1] == []

    def test_bars_are_closed_when_emitted(self) -> None:
        _, slices, clocks = self.run_feed()
        step = parse_timeframe(self.timeframe)
        for bars, now in zip(slices, clocks, strict=True):
            if now is not None:
                assert all(bar.ts + step <= now for bar in bars), f"forming bar at {now}"

    def test_bars_are_valid_utc_decimal(self) -> None:
        _, slices, _ = self.run_feed()
        for bar in (bar for bars in slices for bar in bars):
            assert bar.ts.utcoffset() == timedelta(0)
            prices = (bar.open, bar.high, bar.low, bar.close)
            assert all(isinstance(p, Decimal) and p > 0 for p in prices)
            assert isinstance(bar.volume, Decimal) and bar.volume >= 0
            assert bar.low <= min(bar.open, bar.close) <= max(bar.open, bar.close) <= bar.high

    def test_resume_after_timestamp_yields_exactly_the_rest(self) -> None:
        _, slices, _ = self.run_feed()
        assert len(slices) >= 2, "the contract needs at least two slices of data"
        middle = slices[len(slices) // 2 - 1][0].ts
        _, resumed, _ = self.run_feed(after=middle)
        expected = [bars for bars in slices if bars[0].ts > middle]
        assert resumed == expected

    def test_health_reports_last_bar_per_symbol(self) -> None:
        feed, slices, _ = self.run_feed()
        last: dict[str, datetime] = {}
        for bar in (bar for bars in slices for bar in bars):
            last[bar.symbol] = bar.ts
        health = feed.health()
        assert {s: t for s, t in health.last_bar_ts.items() if t is not None} == last
        assert health.bars_emitted == sum(len(bars) for bars in slices)
        assert health.consecutive_failures == 0

    def test_health_gaps_match_the_emitted_bars(self) -> None:
        feed, slices, _ = self.run_feed()
        step = parse_timeframe(self.timeframe)
        missing = 0
        previous: dict[str, datetime] = {}
        for bar in (bar for bars in slices for bar in bars):
            if bar.symbol in previous:
                missing += len(_between(previous[bar.symbol], bar.ts, step))
            previous[bar.symbol] = bar.ts
        assert feed.health().missing_bars == missing

    def test_iterating_before_start_is_an_error(self) -> None:
        feed = self.make_feed()
        with pytest.raises(FeedError):
            next(iter(feed.slices()))


def _between(first: datetime, second: datetime, step: timedelta) -> list[datetime]:
    """Bar times strictly between two bars that are missing (counted one by one)."""
    out = []
    t = first + step
    while t < second:
        out.append(t)
        t += step
    return out
