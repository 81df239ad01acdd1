"""Reporters: components that turn a session into artifacts.

A reporter is notified after every time slice of every session, backtest or live, with the
account the broker reported (:meth:`Reporter.on_slice`), and writes its files when the session
ends (:meth:`Reporter.write`) from the :class:`SessionResult`, whose
:class:`AccountHistory` holds the account after every slice. Built-ins: ``csv`` (orders,
trades, positions, account) and ``session_md`` (session.md and its chart).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from logos.components import Component
from logos.domain import Account
from logos.reports.account_history import AccountHistory
from logos.reports.artifacts import write_account, write_orders, write_positions, write_trades
from logos.reports.metrics import Summary, summarize
from logos.reports.result import DroppedIntent, GuardTrip, SessionResult
from logos.reports.session_md import write_session_md


class Reporter(Component):
    """Base class of reporters: per-slice notification and artifact writing at the end."""

    def on_slice(self, ts: datetime, account: Account) -> None:
        """Called after every time slice, in every mode (a backtest too), with the slice's time
        and the account the broker reported for it, the one the session's AccountHistory
        records. A backtest calls it millions of times: keep it cheap. Default: nothing."""

    def write(self, result: SessionResult, out_dir: Path) -> list[Path]:
        """Write this reporter's artifacts into ``out_dir``; return the paths written."""
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


class SessionMarkdownReporter(Reporter):
    """Writes session.md (summary, guard trips, restarts) and its equity/drawdown chart."""

    name = "session_md"

    def write(self, result: SessionResult, out_dir: Path) -> list[Path]:
        """Write session.md and equity.svg."""
        path = write_session_md(out_dir, result)
        return [path, out_dir / "equity.svg"]


DEFAULT_REPORTERS: tuple[str, ...] = ("csv", "session_md")
"""Reporters a run uses when its config names none."""

BUILTIN_REPORTERS: list[type[Component]] = [CsvReporter, SessionMarkdownReporter]

__all__ = [
    "BUILTIN_REPORTERS",
    "DEFAULT_REPORTERS",
    "AccountHistory",
    "CsvReporter",
    "DroppedIntent",
    "GuardTrip",
    "Reporter",
    "SessionMarkdownReporter",
    "SessionResult",
    "Summary",
    "summarize",
]
