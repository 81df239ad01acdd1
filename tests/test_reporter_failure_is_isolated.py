"""A reporter that raises is reported in one line and disabled: the session runs to its end and
the other reporters write their files. Reporters that ask for fills and guard records get
each one, in order."""

from __future__ import annotations

import logging
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from logos.domain import Account, Fill
from logos.hookspecs import Register, hookimpl
from logos.reports import Reporter
from logos.reports.result import GuardTrip, SessionResult
from logos.testing.run import run_backtest

CALLS: dict[str, int] = {}
SEEN: dict[str, list[Any]] = {"fills": [], "trips": []}


class FailsOnSlice(Reporter):
    """Raises at its first slice."""

    name = "fails_on_slice"

    def on_slice(self, ts: datetime, account: Account) -> None:
        CALLS["on_slice"] = CALLS.get("on_slice", 0) + 1
        raise RuntimeError("boom in on_slice\nsecond line")

    def write(self, result: SessionResult, out_dir: Path) -> list[Path]:
        CALLS["write"] = CALLS.get("write", 0) + 1
        return []


class FailsOnWrite(Reporter):
    """Writes half a file, then raises."""

    name = "fails_on_write"

    def write(self, result: SessionResult, out_dir: Path) -> list[Path]:
        (out_dir / "half.txt").write_text("half")
        raise ValueError("boom in write")


class FailsOnFill(Reporter):
    """Raises at the first fill."""

    name = "fails_on_fill"

    def on_fill(self, fill: Fill) -> None:
        CALLS["on_fill"] = CALLS.get("on_fill", 0) + 1
        raise KeyError("boom")

    def write(self, result: SessionResult, out_dir: Path) -> list[Path]:
        return []


class Listens(Reporter):
    """Keeps every fill and guard record it is given."""

    name = "listens"

    def on_fill(self, fill: Fill) -> None:
        SEEN["fills"].append(fill)

    def on_guard_trip(self, trip: GuardTrip) -> None:
        SEEN["trips"].append(trip)

    def write(self, result: SessionResult, out_dir: Path) -> list[Path]:
        return []


@hookimpl
def register_reporters(register: Register) -> None:
    for cls in (FailsOnSlice, FailsOnWrite, FailsOnFill, Listens):
        register(cls)


PLUGIN = sys.modules[__name__]


@pytest.fixture(autouse=True)
def _fresh() -> None:
    CALLS.clear()
    SEEN["fills"].clear()
    SEEN["trips"].clear()


def _failures(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "logos.reports"]


def test_a_reporter_raising_on_a_slice_is_disabled_and_the_session_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.ERROR, logger="logos.reports"):
        run = run_backtest(plugins=[PLUGIN], reporters=["fails_on_slice", "csv", "markdown"])
    assert run.result.bars == 4012 and len(run.result.account) == 4012  # every bar ran
    assert CALLS == {"on_slice": 1}  # disabled at once: neither called again nor asked to write
    assert _failures(caplog) == [
        "reporter 'fails_on_slice' failed in on_slice and is disabled (RuntimeError: boom in "
        "on_slice); trading and the journal go on"
    ]
    assert sorted(run.files) == ["account.csv", "orders.csv", "positions.csv", "session.md",
                                 "trades.csv"]  # fmt: skip


def test_a_reporter_raising_in_write_leaves_no_file_and_the_others_write(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.ERROR, logger="logos.reports"):
        run = run_backtest(plugins=[PLUGIN], reporters=["csv", "fails_on_write", "markdown"])
    assert "half.txt" not in run.files
    assert {"orders.csv", "session.md"} <= set(run.files) and "equity.png" in run.binary
    [line] = _failures(caplog)
    assert "'fails_on_write' failed in write" in line and "ValueError: boom in write" in line


def test_a_reporter_raising_on_a_fill_is_disabled(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="logos.reports"):
        run = run_backtest(plugins=[PLUGIN], reporters=["fails_on_fill", "csv"])
    assert run.result.fills and CALLS == {"on_fill": 1}
    [line] = _failures(caplog)
    assert "'fails_on_fill' failed in on_fill" in line and "KeyError" in line
    assert "trades.csv" in run.files


def test_listening_reporters_get_every_fill_and_guard_record_in_order() -> None:
    run = run_backtest(
        plugins=[PLUGIN],
        strategy={"name": "sma_cross", "params": {"fast": 5, "slow": 20}},
        risk=[{"name": "max_order_notional", "params": {"limit": "1000"}}],
        sizing={"name": "fixed_qty", "params": {"qty": "100"}},
        reporters=["listens"],
    )
    assert run.result.fills and SEEN["fills"] == run.result.fills
    assert run.result.guard_trips and SEEN["trips"] == run.result.guard_trips
