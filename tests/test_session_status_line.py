"""The status of a running session, as a user reads it: slices done (of how many), the bar
time, over a live feed each symbol's newest bar's age, equity, open positions, trading state
and working orders — written as plain lines when not on a terminal, at most every
``every`` seconds of wall clock, and always to the session's log."""

from __future__ import annotations

import io
import logging
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

from rich.console import Console

from logos.cli.session_status import SessionStatus
from logos.domain import Account, Position


def _engine(last_bar: dict[str, datetime]) -> SimpleNamespace:
    broker = SimpleNamespace(
        positions=lambda: [
            Position(symbol="BTC/USDT", qty=Decimal("0.5")),
            Position(symbol="ETH/USDT", qty=Decimal(0)),
        ]
    )
    parts = SimpleNamespace(
        risk=SimpleNamespace(state=SimpleNamespace(value="REDUCING")),
        journal=SimpleNamespace(last_bar=last_bar),
    )
    return SimpleNamespace(slices_done=42, broker=broker, parts=parts, working={"P-1": "x"})


def _account(ts: datetime) -> Account:
    return Account(ts=ts, cash=Decimal(90), equity=Decimal("100.256"), peak_equity=Decimal(101))


class _Log(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def test_a_plain_status_line_every_interval_and_in_the_log() -> None:
    logger = logging.getLogger("test.status")
    logger.setLevel(logging.INFO)  # as session_logger sets it
    logger.propagate = False
    handler = _Log()
    logger.addHandler(handler)
    text = io.StringIO()
    now = [0.0]
    status = SessionStatus(
        _engine({}), Console(file=text), logger, total=100, every=10.0, clock=lambda: now[0]
    )
    ts = datetime(2024, 1, 2, 9, 30, tzinfo=UTC)
    with status:
        status.on_slice(ts, _account(ts))
        now[0] = 5.0
        status.on_slice(ts, _account(ts))  # within 10 s: nothing new
        now[0] = 10.0
        status.on_slice(ts, _account(ts))
    logger.removeHandler(handler)
    expected = (
        "slices=42/100 bar=2024-01-02T09:30:00Z equity=100.26 positions=BTC/USDT:0.5 "
        "state=REDUCING working=1"
    )
    assert handler.lines == [f"status {expected}"] * 2
    printed = text.getvalue().splitlines()
    assert len(printed) == 2 and all(line.endswith(f" status {expected}") for line in printed)


def test_over_a_live_feed_each_symbols_newest_bar_has_its_age() -> None:
    newest = datetime.now(UTC) - timedelta(seconds=95)
    engine = _engine({"BTC/USDT": newest})
    status = SessionStatus(
        engine, Console(file=io.StringIO()), logging.getLogger("t"), live_feed=True
    )
    line = status.line(_account(newest))
    age = int(line.split("age=BTC/USDT:", 1)[1].split("s", 1)[0])
    assert 95 <= age <= 100 and line.startswith("slices=42 bar=")
