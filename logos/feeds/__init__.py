"""Feeds: the ``Feed`` interface, the built-in ``replay`` feed, validation and health.

Live feeds (plugins) build on ``logos.feeds.polling.PollingFeed``.
"""

from __future__ import annotations

from logos.components import Component
from logos.feeds.base import (
    Feed,
    FeedEvent,
    FeedHealth,
    Gap,
    decimal_from_float,
    parse_timeframe,
)
from logos.feeds.replay import ReplayFeed, ReplayReport

BUILTIN_FEEDS: list[type[Component]] = [ReplayFeed]

__all__ = [
    "BUILTIN_FEEDS",
    "Feed",
    "FeedEvent",
    "FeedHealth",
    "Gap",
    "ReplayFeed",
    "ReplayReport",
    "decimal_from_float",
    "parse_timeframe",
]
