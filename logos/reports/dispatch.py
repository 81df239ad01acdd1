"""How a session talks to its reporters: a reporter that raises is reported and disabled, never
the end of the session; fills and guard records reach the reporters that ask for them.

- :func:`guard_reporters` wraps each configured reporter in a :class:`GuardedReporter`. A
  reporter whose ``on_slice``, ``on_fill``, ``on_guard_trip`` or ``write`` raises an
  ``Exception`` is disabled from then on, and one line saying which reporter failed, where
  and why goes to the ``logos.reports`` logger (stderr, and ``logos.log`` for a ``logos
  trade`` session). Trading, the journal and the other reporters carry on. An ``OSError`` in
  ``write`` (a full disk, a folder that cannot be written) is not a reporter's bug: it
  propagates, so the run folder keeps its earlier run whole (docs/backtest.md). A Ctrl-C
  propagates too.
- Per-slice cost: only a reporter that overrides ``on_slice`` is wrapped in the class that
  has one (the engine calls ``on_slice`` only on reporters whose class overrides it), and the
  engine hands order events, fills and guard records only to the reporters that
  :meth:`~logos.reports.Reporter.listens` to them.
- :func:`write_reports` has every reporter still enabled write its files; the files of one
  that raised are removed (each file is whole or absent).
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import Any

from logos.domain import Account, Fill
from logos.lifecycle import OrderEvent
from logos.reports import Reporter
from logos.reports.result import GuardTrip, SessionResult

log = logging.getLogger("logos.reports")


class GuardedReporter(Reporter):
    """A configured reporter whose exceptions disable it (see the module docstring)."""

    name = "guarded"

    def __init__(self, inner: Reporter) -> None:
        super().__init__(getattr(inner, "params", None))
        self.inner = inner
        self.failure: str | None = None
        """Why the reporter was disabled (None while it works)."""

    @property
    def reporter_name(self) -> str:
        """The wrapped reporter's registered name."""
        return getattr(self.inner, "name", type(self.inner).__name__)

    def fail(self, stage: str, exc: Exception) -> None:
        """Disable the reporter after ``exc`` in ``stage``, saying so in one line."""
        detail = str(exc).splitlines()[0] if str(exc) else ""
        self.failure = f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
        log.error(
            "reporter '%s' failed in %s and is disabled (%s); trading and the journal go on",
            self.reporter_name,
            stage,
            self.failure,
        )

    def listens(self, method: str) -> bool:
        """Whether the wrapped reporter listens to ``method``."""
        return self.inner.listens(method)

    def on_order_event(self, event: OrderEvent) -> None:
        if self.failure is None:
            try:
                self.inner.on_order_event(event)
            except Exception as exc:
                self.fail("on_order_event", exc)

    def on_fill(self, fill: Fill) -> None:
        if self.failure is None:
            try:
                self.inner.on_fill(fill)
            except Exception as exc:
                self.fail("on_fill", exc)

    def on_guard_trip(self, trip: GuardTrip) -> None:
        if self.failure is None:
            try:
                self.inner.on_guard_trip(trip)
            except Exception as exc:
                self.fail("on_guard_trip", exc)

    def write(self, result: SessionResult, out_dir: Path) -> list[Path]:
        """The wrapped reporter's files; none (and its partial files removed) if it raised."""
        if self.failure is not None:
            return []
        before = set(out_dir.iterdir())
        try:
            return list(self.inner.write(result, out_dir))
        except OSError:
            raise
        except Exception as exc:
            for path in set(out_dir.iterdir()) - before:
                path.unlink(missing_ok=True)
            self.fail("write", exc)
            return []

    def __getattr__(self, name: str) -> Any:
        inner = self.__dict__.get("inner")
        if inner is None:
            raise AttributeError(name)
        return getattr(inner, name)


class ListeningReporter(GuardedReporter):
    """A :class:`GuardedReporter` whose wrapped reporter overrides ``on_slice``."""

    def on_slice(self, ts: datetime, account: Account) -> None:
        if self.failure is None:
            try:
                self.inner.on_slice(ts, account)
            except Exception as exc:
                self.fail("on_slice", exc)


def _overrides(reporter: Reporter, method: str) -> bool:
    return getattr(type(reporter), method) is not getattr(Reporter, method)


def guard_reporters(reporters: list[Reporter]) -> list[Reporter]:
    """Each reporter wrapped so that its exceptions disable it (see the module docstring)."""
    guarded: list[Reporter] = []
    for reporter in reporters:
        if isinstance(reporter, GuardedReporter):
            guarded.append(reporter)
        elif _overrides(reporter, "on_slice"):
            guarded.append(ListeningReporter(reporter))
        else:
            guarded.append(GuardedReporter(reporter))
    return guarded


def write_reports(reporters: list[Reporter], result: SessionResult, out_dir: Path) -> list[Path]:
    """Every reporter writes ``result`` into ``out_dir``; a raising one (guarded) is skipped."""
    paths: list[Path] = []
    for reporter in reporters:
        paths.extend(reporter.write(result, out_dir))
    return paths


def failures(reporters: list[Reporter]) -> list[str]:
    """One line per disabled reporter: its name and why."""
    return [
        f"reporter '{r.reporter_name}' disabled: {r.failure}"
        for r in reporters
        if isinstance(r, GuardedReporter) and r.failure is not None
    ]
