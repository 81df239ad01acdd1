"""Summary metrics (from the account history and the fills) and session.md."""

from __future__ import annotations

import math
import statistics
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import numpy as np

from logos.domain import Account, Fill, Side
from logos.reports import AccountHistory
from logos.reports.fill_totals import FillTotals
from logos.reports.metrics import closing_flags, max_drawdown, sharpe_ratio, summarize
from logos.reports.result import GuardTrip, SessionResult
from logos.reports.session_md import render_session_md, write_session_md

D = Decimal


def _history(equity: list[str], days: int = 1) -> AccountHistory:
    history = AccountHistory()
    peak = D(0)
    for i, text in enumerate(equity):
        value = D(text)
        peak = max(peak, value)
        history.append(
            Account(
                ts=datetime(2024, 1, 1, tzinfo=UTC) + timedelta(days=i * days),
                cash=value,
                equity=value,
                peak_equity=peak,
                drawdown=(peak - value) / peak,
            )
        )
    return history


def _fill(n: int, side: Side, qty: str, pnl: str, symbol: str = "X") -> Fill:
    return Fill(
        trade_id=f"T{n}",
        order_id=f"O{n}",
        client_order_id=f"c{n}",
        ts=datetime(2024, 1, 1, tzinfo=UTC),
        symbol=symbol,
        side=side,
        qty=D(qty),
        price=D(10),
        fee=D("0.1"),
        realized_pnl=D(pnl),
    )


def test_closing_fills_reduce_an_open_position() -> None:
    fills = [
        _fill(1, Side.BUY, "2", "0"),  # opens long
        _fill(2, Side.BUY, "1", "0"),  # adds
        _fill(3, Side.SELL, "1", "5"),  # reduces: closing
        _fill(4, Side.SELL, "4", "-1"),  # closes 2 and opens a short: closing
        _fill(5, Side.SELL, "1", "0", symbol="Y"),  # another symbol: opens
        _fill(6, Side.BUY, "2", "0"),  # covers the short of X: closing
    ]
    assert closing_flags(fills) == [False, False, True, True, False, True]


def test_fill_totals_add_fees_pnl_per_symbol_and_the_winning_closing_fills() -> None:
    fills = [
        _fill(1, Side.BUY, "2", "0"),
        _fill(2, Side.SELL, "1", "5"),  # closing, wins
        _fill(3, Side.SELL, "2", "-1"),  # closing (and flips short), loses
        _fill(4, Side.SELL, "1", "0", symbol="Y"),
        _fill(5, Side.BUY, "1", "0.5"),  # closing, wins
    ]
    totals = FillTotals.of(fills, ["Y", "X", "Z"])
    assert (totals.closing, totals.wins, totals.fees) == (3, 2, D("0.5"))
    assert list(totals.pnl.items()) == [("Y", D("-0.1")), ("X", D("4.1")), ("Z", D(0))]


def test_max_drawdown_from_running_peak_including_start() -> None:
    dd, row = max_drawdown(np.array([110.0, 99.0, 120.0, 108.0]), start=100.0)
    assert math.isclose(dd, 0.1) and row == 1  # 110 -> 99 is the first 10% fall
    assert max_drawdown(np.array([90.0]), start=100.0)[0] == 0.1


def test_sharpe_annualised_by_observed_rate() -> None:
    equity = np.array([100.0, 101.0, 100.0, 102.0])
    ts = np.array([np.datetime64(f"2024-01-0{d}", "ns").astype(np.int64) for d in (1, 2, 3, 4)])
    sharpe, per_year = sharpe_ratio(equity, ts)
    returns = [101 / 100 - 1, 100 / 101 - 1, 102 / 100 - 1]
    expected = statistics.mean(returns) / statistics.stdev(returns) * math.sqrt(365.25)
    assert per_year is not None and math.isclose(per_year, 365.25)
    assert sharpe is not None and math.isclose(sharpe, expected)
    assert sharpe_ratio(np.array([100.0, 100.0, 100.0]), ts[:3])[0] is None


def _result(trips: list[GuardTrip]) -> SessionResult:
    fills = [_fill(1, Side.BUY, "1", "0"), _fill(2, Side.SELL, "1", "3")]
    fills += [_fill(3, Side.BUY, "1", "0"), _fill(4, Side.SELL, "1", "-2")]
    return SessionResult(
        session_id="s1",
        mode="backtest",
        config_summary={"strategy": "sma_cross (fast=10, slow=30)"},
        starting_cash=D(1000),
        currency="USD",
        orders=[],
        fills=fills,
        positions=[],
        account=_history(["1000", "1100", "990", "1050"]),
        symbols=["X"],
        guard_trips=trips,
    )


def test_summary_numbers() -> None:
    summary = summarize(_result([]))
    assert summary.final_equity == D(1050) and summary.pnl == D(50)
    assert math.isclose(summary.total_return, 0.05)
    assert math.isclose(summary.max_drawdown, 0.1) and summary.max_drawdown_money == D(110)
    assert (summary.fills, summary.closing_fills, summary.winning_fills) == (4, 2, 1)
    assert summary.win_rate == 0.5 and summary.fees == D("0.4")


def test_session_md_lists_guard_trips_or_says_none() -> None:
    result = _result([])
    text = render_session_md(result, summarize(result))
    assert "## Guard trips\n\nNone." in text
    assert "| return | 5.00% |" in text and "| max drawdown | 10.00% (110 USD) |" in text
    trip = GuardTrip(datetime(2024, 1, 3, tzinfo=UTC), "max_drawdown", "0.1", "0.05", "HALTED")
    result = _result([trip])
    text = render_session_md(result, summarize(result))
    assert "| 2024-01-03T00:00:00Z | max_drawdown | 0.1 | 0.05 | HALTED |" in text


def test_final_equity_and_drawdown_money_are_exact_from_the_rows() -> None:
    result = _result([])
    result.account = _history(["1000", "1000.0001000000000000000000000001", "999.9999999"])
    summary = summarize(result)
    assert summary.final_equity == D("999.9999999")
    assert summary.max_drawdown_money == D("0.0001001000000000000000000001")
    assert summary.pnl == D("-0.0000001")
    assert summary.slices == 3


def test_no_rows_means_starting_cash(tmp_path: Path) -> None:
    result = _result([])
    result.account = AccountHistory()
    summary = summarize(result)
    assert summary.final_equity == D(1000) and summary.pnl == 0 and summary.sharpe is None
    text = write_session_md(tmp_path, result).read_text()
    assert "| slices | 0 |" in text and (tmp_path / "equity.png").exists()


def test_session_md_period_and_chart(tmp_path: Path) -> None:
    result = _result([])
    path = write_session_md(tmp_path, result)
    text = path.read_text()
    assert "| period | 2024-01-01T00:00:00Z .. 2024-01-04T00:00:00Z |" in text
    assert "| final equity | 1050 USD |" in text
    assert "![equity and drawdown](equity.png)" in text
    assert (tmp_path / "equity.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
