"""Reporters: components that turn a session into artifacts (docs/reports.md).

A reporter is told about the session as it runs — after every time slice with the account
the broker reported (:meth:`Reporter.on_slice`), each fill (:meth:`Reporter.on_fill`) and
each guard record (:meth:`Reporter.on_guard_trip`) — and writes its files when the session
ends, however it ends (:meth:`Reporter.write`), from the :class:`SessionResult`, whose
:class:`AccountHistory` holds the account after every slice. A config chooses several with
``[[reporters]]``; without any it gets :data:`DEFAULT_REPORTERS`. Built-ins: ``csv``
(orders, trades, positions, account), ``parquet`` (the same four as Parquet files, for
large runs: ``logos backtest --format parquet``), ``markdown`` (session.md and equity.png;
also under its older name ``session_md``) and ``html`` (report.html). A reporter that raises is
reported and disabled (:mod:`logos.reports.dispatch`).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from logos.components import Component
from logos.domain import Account, Fill
from logos.lifecycle import OrderEvent
from logos.reports.account_history import AccountHistory
from logos.reports.artifacts import write_account, write_orders, write_positions, write_trades
from logos.reports.metrics import Summary, summarize
from logos.reports.result import DroppedIntent, GuardTrip, PriceSeries, SessionResult


class Reporter(Component):
    """Base class of reporters: notifications as the session runs, files at the end."""

    def on_slice(self, ts: datetime, account: Account) -> None:
        """Called after every time slice, in every mode (a backtest too), with the slice's time
        and the account the broker reported for it, the one the session's AccountHistory
        records. A backtest calls it millions of times: keep it cheap. Default: nothing (and
        a reporter that does not override it costs nothing per slice)."""

    def on_order_event(self, event: OrderEvent) -> None:
        """Called for every order transition (creation and amendments included) as the engine
        journals it, in order. Default: nothing (a reporter that does not override it, or
        :meth:`on_fill` or :meth:`on_guard_trip`, costs nothing)."""

    def on_fill(self, fill: Fill) -> None:
        """Called once per fill as the engine journals it (right after the broker matched
        the bar), before the order's transition it caused. Default: nothing."""

    def on_guard_trip(self, trip: GuardTrip) -> None:
        """Called once per guard record (a trip, a clip, an all-clear) as the risk layer
        journals it. Default: nothing."""

    def listens(self, method: str) -> bool:
        """True when this reporter's class overrides ``method`` (``on_slice``, ``on_fill``
        ...): the engine calls only the reporters that listen."""
        return getattr(type(self), method) is not getattr(Reporter, method)

    def write(self, result: SessionResult, out_dir: Path) -> list[Path]:
        """Write this reporter's artifacts into ``out_dir``; return the paths written. Called
        once when the session ends — at its end, at a kill switch's stop, after a Ctrl-C or an
        error (a ``logos trade`` session: from its journal) — and by ``logos report``."""
        raise NotImplementedError


class CsvReporter(Reporter):
    """Writes orders.csv, trades.csv, positions.csv and account.csv."""

    name = "csv"

    def write(self, result: SessionResult, out_dir: Path) -> list[Path]:
        """Write the four CSV artifacts."""
        return [
            write_orders(out_dir / "orders.csv", result.orders),
            write_trades(out_dir / "trades.csv", result.fills),
            write_positions(out_dir / "positions.csv", result.positions),
            write_account(out_dir / "account.csv", result.account),
        ]


class ParquetReporter(Reporter):
    """Writes orders.parquet, trades.parquet, positions.parquet and account.parquet: the
    CSV artifacts' records as Parquet (docs/reports.md), quicker to load for large runs."""

    name = "parquet"

    def write(self, result: SessionResult, out_dir: Path) -> list[Path]:
        """Write the four Parquet artifacts."""
        from logos.reports import artifacts

        return [
            artifacts.write_orders_parquet(out_dir / "orders.parquet", result.orders),
            artifacts.write_trades_parquet(out_dir / "trades.parquet", result.fills),
            artifacts.write_positions_parquet(out_dir / "positions.parquet", result.positions),
            artifacts.write_account_parquet(out_dir / "account.parquet", result.account),
        ]


class SessionMarkdownReporter(Reporter):
    """Writes session.md (summary, statistics, guard trips, restarts) and equity.png."""

    name = "markdown"

    def write(self, result: SessionResult, out_dir: Path) -> list[Path]:
        """Write session.md and its chart, equity.png."""
        from logos.reports.chart import CHART_FILE
        from logos.reports.session_md import write_session_md

        path = write_session_md(out_dir, result)
        return [path, out_dir / CHART_FILE]


class SessionMdReporter(SessionMarkdownReporter):
    """Writes session.md and equity.png: the ``markdown`` reporter under its older name."""

    name = "session_md"


class HtmlReporter(Reporter):
    """Writes report.html: summary, interactive equity, drawdown and price charts, trades."""

    name = "html"

    def write(self, result: SessionResult, out_dir: Path) -> list[Path]:
        """Write report.html (one self-contained file)."""
        from logos.reports.html import write_report_html

        return [write_report_html(out_dir, result)]


DEFAULT_REPORTERS: tuple[str, ...] = ("csv", "markdown")
"""Reporters a run uses when its config names none."""

BUILTIN_REPORTERS: list[type[Component]] = [
    CsvReporter,
    ParquetReporter,
    SessionMarkdownReporter,
    SessionMdReporter,
    HtmlReporter,
]

__all__ = [
    "BUILTIN_REPORTERS",
    "DEFAULT_REPORTERS",
    "AccountHistory",
    "CsvReporter",
    "DroppedIntent",
    "GuardTrip",
    "HtmlReporter",
    "ParquetReporter",
    "PriceSeries",
    "Reporter",
    "SessionMarkdownReporter",
    "SessionMdReporter",
    "SessionResult",
    "Summary",
    "summarize",
]
