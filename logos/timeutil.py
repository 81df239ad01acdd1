"""Timestamp helpers: every timestamp in logos is timezone-aware UTC."""

from __future__ import annotations

from datetime import UTC, datetime


def ensure_utc(ts: datetime) -> datetime:
    """Return ``ts`` converted to UTC; a naive timestamp is an error, never silently assumed."""
    if ts.tzinfo is None or ts.tzinfo.utcoffset(ts) is None:
        raise ValueError(f"timestamp {ts.isoformat()} has no timezone; logos needs tz-aware UTC")
    return ts.astimezone(UTC)


def isoformat_utc(ts: datetime) -> str:
    """ISO-8601 with a ``Z`` suffix, the format of every artifact and journal line."""
    text = ensure_utc(ts).isoformat()
    return text.removesuffix("+00:00") + "Z"
