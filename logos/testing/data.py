"""Sample data for plugin tests: the real bar series shipped with logos, and a clock.

The files are the ones ``make demo`` and the examples use (``logos/data/README.md`` says
where they come from): NVIDIA daily bars 1999-2014 (``NVDA``) and BTC/USDT perpetual
one-minute bars (``BTC/USDT:USDT``). They come with symbol metadata (``metadata.toml``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pandas as pd

from logos.domain import Bar
from logos.feeds.base import decimal_from_float
from logos.strategies.base import BAR_COLUMNS

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
"""The folder of the shipped sample data."""

SAMPLES: dict[str, tuple[str, str, str]] = {
    "nvda-1d": ("nvda-1d.csv", "NVDA", "1d"),
    "btcusdt-perp-1m": ("btcusdt-perp-1m.csv", "BTC/USDT:USDT", "1m"),
}
"""Sample name -> (file in :data:`DATA_DIR`, its symbol, its timeframe)."""


def sample_path(name: str = "nvda-1d") -> Path:
    """The CSV file of a shipped sample (``nvda-1d`` or ``btcusdt-perp-1m``)."""
    try:
        return DATA_DIR / SAMPLES[name][0]
    except KeyError:
        raise ValueError(f"no sample {name!r}; samples: {', '.join(SAMPLES)}") from None


def sample_bars(name: str = "nvda-1d", rows: int | None = None) -> pd.DataFrame:
    """A shipped series as the frame ``Strategy.signals`` gets: UTC ``DatetimeIndex`` named
    ``ts`` (bar open time), float64 columns ``open high low close volume``; the first
    ``rows`` bars only when given."""
    frame = pd.read_csv(sample_path(name), nrows=rows)
    index = pd.DatetimeIndex(pd.to_datetime(frame.pop("timestamp"), utc=True), name="ts")
    frame.index = index
    return frame[list(BAR_COLUMNS)].astype("float64")


def sample_bar_objects(name: str = "nvda-1d", rows: int | None = None) -> list[Bar]:
    """The same series as :class:`~logos.domain.Bar` objects (exact Decimal prices), as a
    feed yields them and ``Strategy.update`` and ``Broker.on_bar`` receive them."""
    symbol = SAMPLES[name][1] if name in SAMPLES else sample_path(name).name
    frame = sample_bars(name, rows)
    return [
        Bar(
            symbol=symbol,
            ts=ts.to_pydatetime(),
            open=decimal_from_float(o),
            high=decimal_from_float(h),
            low=decimal_from_float(lo),
            close=decimal_from_float(c),
            volume=Decimal(repr(v)),
        )
        for ts, o, h, lo, c, v in frame.itertuples(name=None)
    ]


class ManualClock:
    """A deterministic clock: ``clock()`` is now; ``clock.sleep(s)`` and
    ``clock.advance(...)`` move it forward. ``sleeps`` records every wait asked for.

    Pass ``clock=clock, sleep=clock.sleep`` to a ``PollingFeed`` (docs/feeds.md), or
    ``clock=clock`` to a ``RiskManager``.
    """

    def __init__(self, start: datetime = datetime(2024, 1, 2, 14, 30, tzinfo=UTC)) -> None:
        if start.utcoffset() != timedelta(0):
            raise ValueError(f"start must be a UTC datetime, got {start!r}")
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self, *_: object) -> datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        """Record the wait and move the clock forward by it."""
        self.sleeps.append(seconds)
        self.now += timedelta(seconds=seconds)

    def advance(self, delta: timedelta) -> datetime:
        """Move the clock forward by ``delta``; return the new time."""
        self.now += delta
        return self.now
