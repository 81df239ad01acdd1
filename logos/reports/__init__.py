"""Reporters: components that turn a session into artifacts (DESIGN.md §7).

A reporter is notified once per time slice (:meth:`Reporter.on_slice`, used by the bar-by-bar
loop; the vectorized backtest records its account rows in bulk and skips it) and writes its
files when the session ends (:meth:`Reporter.write`). Built-ins: ``csv`` (orders, trades,
positions, account) and ``session_md`` (session.md and its chart).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

from logos.components import Component
from logos.domain import Account
from logos.reports.artifacts import (
    account_text,
    write_account_text,
    write_orders,
    write_positions,
    write_trades,
)
from logos.reports.metrics import Summary, summarize
from logos.reports.result import AccountTable, DroppedIntent, GuardTrip, SessionResult
from logos.reports.session_md import write_session_md


class Reporter(Component):
    """Base class of reporters: per-slice notification and artifact writing at the end."""

    def on_slice(self, ts: datetime, account: Account) -> None:
        """Called after each slice of the bar-by-bar loop; default: nothing."""

    def write(self, result: SessionResult, out_dir: Path) -> list[Path]:
        """Write this reporter's artifacts into ``out_dir``; return the paths written."""
        raise NotImplementedError


class CsvReporter(Reporter):
    """Writes orders.csv, trades.csv, positions.csv and account.csv."""

    name = "csv"

    def write(self, result: SessionResult, out_dir: Path) -> list[Path]:
        """Write the four CSV artifacts. account.csv's text columns are built first (that
        needs the GIL, and waits for it badly on a thread), then pyarrow writes them outside
        the GIL on a worker thread while the other three files are written."""
        table = account_text(result.account)
        with ThreadPoolExecutor(max_workers=1) as pool:
            account = pool.submit(write_account_text, out_dir / "account.csv", table)
            paths = [
                write_orders(out_dir / "orders.csv", result.orders),
                write_trades(out_dir / "trades.csv", result.fills),
                write_positions(out_dir / "positions.csv", result.positions),
            ]
            paths.append(account.result())
        return paths


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
    "AccountTable",
    "CsvReporter",
    "DroppedIntent",
    "GuardTrip",
    "Reporter",
    "SessionMarkdownReporter",
    "SessionResult",
    "Summary",
    "summarize",
]
