"""What a running paper session shows (``logos trade``): a status line on a terminal, plain
structured lines otherwise, and every line in ``RUN_DIR/logos.log`` (docs/state.md).

The status says how many slices were processed (of how many, with an ETA, when the feed knows
its end), the last bar's time — and its age, when the feed is live —, the equity, each open
position, the trading state and the working orders. It is redrawn at most a few times a
second on a terminal and written every ``every`` seconds (wall clock) to a log, so a session
of millions of slices pays for a few hundred status lines, not one per slice.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape

from logos.domain import Account
from logos.reports import Reporter
from logos.reports.result import SessionResult

LOG_FILE = "logos.log"
NOTABLE = frozenset(
    {"guard_trip", "guard_cleared", "trading_state", "restart", "operator", "session_end"}
)
"""Journal records also written to the log as they happen."""


def session_logger(run_dir: Path) -> logging.Logger:
    """The session's logger, appending to ``RUN_DIR/logos.log`` (one line per event, UTC)."""
    logger = logging.getLogger(f"logos.session.{run_dir.resolve()}")
    logger.setLevel(logging.INFO)
    logger.propagate = False
    if not logger.handlers:
        handler = logging.FileHandler(run_dir / LOG_FILE, encoding="utf-8")
        formatter = logging.Formatter("%(asctime)s %(message)s", "%Y-%m-%dT%H:%M:%SZ")
        formatter.converter = time.gmtime
        handler.setFormatter(formatter)
        logger.addHandler(handler)
    return logger


def close_logger(logger: logging.Logger) -> None:
    """Close the log file (a later run of the session appends to it)."""
    for handler in list(logger.handlers):
        handler.close()
        logger.removeHandler(handler)


def log_record(logger: logging.Logger) -> Callable[[str, datetime, dict[str, Any]], None]:
    """A journal listener writing the notable records (:data:`NOTABLE`) to ``logger``."""

    def listen(type: str, ts: datetime, data: dict[str, Any]) -> None:
        if type in NOTABLE:
            logger.info("%s ts=%s %s", type, ts.isoformat(), json.dumps(data, default=str))

    return listen


class SessionStatus(Reporter):
    """The status of a running session (see the module docstring); writes no artifact."""

    name = "status"

    def __init__(
        self,
        engine: Any,
        console: Console,
        logger: logging.Logger,
        *,
        total: int | None = None,
        live_feed: bool = False,
        every: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.engine = engine
        self.console = console
        self.logger = logger
        self.total = total
        self.live_feed = live_feed
        self.every = every
        self.clock = clock
        self.terminal = console.is_terminal
        self._next_draw = self._next_log = 0.0
        self._progress: Any = None
        self._task: Any = None

    def __enter__(self) -> SessionStatus:
        if self.terminal:
            from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

            columns = [TextColumn("{task.description}")]
            if self.total is not None:
                columns += [BarColumn(), TimeRemainingColumn()]
            self._progress = Progress(*columns, console=self.console, transient=True)
            self._task = self._progress.add_task("starting", total=self.total)
            self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def on_slice(self, ts: datetime, account: Account) -> None:
        now = self.clock()
        if now >= self._next_draw and self._progress is not None:
            self._next_draw = now + 0.25
            done = self.engine.slices_done
            line = escape(self.line(account))
            self._progress.update(self._task, completed=done, description=line)
        if now >= self._next_log:
            self._next_log = now + self.every
            line = self.line(account)
            self.logger.info("status %s", line)
            if not self.terminal:
                self.console.print(
                    f"{datetime.now(UTC):%Y-%m-%dT%H:%M:%SZ} status {line}",
                    soft_wrap=True,  # one line, whole, for whoever reads or greps the log
                    markup=False,
                    highlight=False,
                )

    def line(self, account: Account) -> str:
        """``key=value`` pairs: slices, last bar (over a live feed, each symbol's newest bar's
        age), equity, positions, state, working orders."""
        engine = self.engine
        done = engine.slices_done
        slices = f"{done}/{self.total}" if self.total is not None else str(done)
        parts = [f"slices={slices}", f"bar={account.ts:%Y-%m-%dT%H:%M:%SZ}"]
        if self.live_feed:  # each symbol's newest bar and its age, on the wall clock
            now = datetime.now(UTC)
            last = getattr(engine.parts.journal, "last_bar", {})
            ages = [f"{sym}:{int((now - when).total_seconds())}s" for sym, when in last.items()]
            parts.append(f"age={','.join(ages) or '-'}")
        parts.append(f"equity={account.equity:.2f}")
        held = [f"{p.symbol}:{p.qty.normalize()}" for p in engine.broker.positions() if p.qty]
        parts.append(f"positions={','.join(held) or '-'}")
        state = getattr(engine.parts.risk, "state", None)
        parts.append(f"state={getattr(state, 'value', 'ACTIVE')}")
        parts.append(f"working={len(engine.working)}")
        return " ".join(parts)

    def write(self, result: SessionResult, out_dir: Path) -> list[Path]:
        """Nothing: the status is shown while the session runs."""
        return []
