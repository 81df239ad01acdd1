"""Shared fixtures of the core test suite."""

from __future__ import annotations

import functools
import os
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from logos.brokers.paper import PaperBroker
from logos.domain import Bar, Event, Order, OrderStatus, OrderType
from logos.engine import Engine, NullJournal, SessionParts
from logos.feeds.replay import ReplayFeed
from logos.reports import Reporter
from logos.reports.result import SessionResult
from logos.reports.session_md import write_session_md
from logos.risk import BreakerParams, RiskGuard, RiskManager, SliceView, Trip
from logos.sizing import OrderTranslator
from logos.strategies.base import Strategy

PLUGIN_DISTS = Path(__file__).parent / "plugin_dists"
REPOSITORY_PLUGINS = sorted(
    p.name for p in (Path(__file__).parent.parent / "plugins").glob("logos_*") if p.is_dir()
)
"""The plugins of this repository: the suite loads these and no others (set before any test
loads the registry; a test naming other plugins sets ``LOGOS_LOAD_PLUGINS`` itself), so a
third-party plugin installed beside logos — broken or not — changes no test's outcome."""
os.environ.setdefault("LOGOS_LOAD_PLUGINS", ",".join(REPOSITORY_PLUGINS))


@pytest.fixture(scope="session")
def test_plugin_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A site dir holding the tiny test plugin distributions, really built and installed.

    Built offline (``--no-index --no-build-isolation``) with the setuptools from the test
    extras, so discovery goes through genuine ``*.dist-info/entry_points.txt`` metadata.
    """
    site = tmp_path_factory.mktemp("plugin_site")
    dists = sorted(str(p) for p in PLUGIN_DISTS.iterdir() if (p / "pyproject.toml").exists())
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            "--no-build-isolation",
            "--disable-pip-version-check",
            "--target",
            str(site),
            *dists,
        ],
        check=True,
        capture_output=True,
    )
    return site


# A guarded session over a few hand-made bars: the harness of the risk guard tests ----------

GUARD_START = datetime(2024, 1, 2, tzinfo=UTC)
"""Bar i of a guarded run opens at GUARD_START + i minutes."""


def guard_bar_ts(i: int) -> datetime:
    """Open time of bar ``i`` of a guarded run."""
    return GUARD_START + timedelta(minutes=i)


class ScriptedStrategy(Strategy):
    """Gives the signals it was told, one per bar of its symbol, in order."""

    name = "scripted"

    def __init__(self, script: Sequence[float]) -> None:
        super().__init__()
        self.script = list(script)
        self.seen = 0

    def warmup_bars(self) -> int:
        return 1

    def signals(self, bars: pd.DataFrame) -> pd.Series:
        return self._series(np.asarray(self.script[: len(bars)], dtype=float), bars)

    def update(self, bar: Bar) -> float:
        self.seen += 1
        return self.script[self.seen - 1]


class ListJournal(NullJournal):
    """Keeps every journal record in memory."""

    enabled = True

    def __init__(self) -> None:
        self.events: list[Event] = []

    def record(self, event: Event) -> None:
        self.events.append(event)

    def of_type(self, kind: str) -> list[Event]:
        """The records of one type, in order."""
        return [e for e in self.events if e.type == kind]


@dataclass
class GuardedRun:
    """What a guarded run left: the result, the journal records and session.md's text."""

    result: SessionResult
    journal: ListJournal
    session_md: str
    out: Path

    def orders(self, status: OrderStatus | None = None) -> list[Order]:
        return [o for o in self.result.orders if status is None or o.status is status]


def run_guarded(
    tmp_path: Path,
    prices: Mapping[str, Sequence[float | None]],
    signals: Mapping[str, Sequence[float]],
    guards: Sequence[RiskGuard],
    *,
    cash: str = "10000",
    qty: str = "1",
    clock: Callable[[datetime], datetime] | None = None,
    reporters: Sequence[Reporter] = (),
    order_type: OrderType = OrderType.MARKET,
    allow_short: bool = False,
) -> GuardedRun:
    """Run the engine over bars of ``prices`` (symbol -> one price per minute; None: no bar
    that minute; open = high = low = close, so a market order fills at the next bar's price)
    with ``signals`` (one per bar the symbol has) and ``guards``; write session.md."""
    data = tmp_path / "bars"
    data.mkdir(exist_ok=True)
    for symbol, values in prices.items():
        rows = ["timestamp,open,high,low,close,volume"]
        for i, price in enumerate(values):
            if price is not None:
                stamp = guard_bar_ts(i).strftime("%Y-%m-%dT%H:%M:%SZ")
                rows.append(f"{stamp},{price},{price},{price},{price},100")
        (data / f"{symbol}.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    journal = ListJournal()
    parts = SessionParts(
        session_id="g",
        mode="backtest",
        symbols=list(prices),
        strategies={s: ScriptedStrategy(signals[s]) for s in prices},
        translator=OrderTranslator(
            "fixed_qty", {"qty": qty}, session_id="g", order_type=order_type
        ),
        broker=PaperBroker(cash=Decimal(cash), fee_bps=Decimal(0), allow_short=allow_short),
        reporters=list(reporters),
        risk=RiskManager(guards, clock=clock),
        journal=journal,
        run_dir=tmp_path / "run",
    )
    result = Engine(parts).run(ReplayFeed(path=str(data)), "1m")
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    text = write_session_md(out, result).read_text(encoding="utf-8")
    return GuardedRun(result, journal, text, out)


class TripAtParams(BreakerParams):
    at: datetime


class TripAt(RiskGuard):
    """A test breaker: trips at the slice of ``at`` (a plugin's guard, as docs/risk.md
    shows how to write one)."""

    name = "trip_at"
    Params = TripAtParams

    def check_slice(self, view: SliceView) -> Sequence[Trip]:
        return (Trip("the test says so", "-"),) if view.ts >= self.params.at else ()


@pytest.fixture
def trip_at() -> type[TripAt]:
    """The :class:`TripAt` test guard."""
    return TripAt


@pytest.fixture
def guarded(tmp_path: Path) -> Callable[..., GuardedRun]:
    """:func:`run_guarded` in the test's own temporary folder (the risk guard tests)."""
    return functools.partial(run_guarded, tmp_path)
