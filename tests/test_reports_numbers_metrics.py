"""Artifact number/timestamp text, the account writer, summary metrics and session.md."""

from __future__ import annotations

import math
import statistics
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import numpy as np

from logos.domain import Fill, Side
from logos.reports.artifacts import write_account
from logos.reports.metrics import closing_flags, max_drawdown, sharpe_ratio, summarize
from logos.reports.numbers import DecimalColumn, ScaledColumn, format_decimal, format_ts_column
from logos.reports.result import ACCOUNT_COLUMNS, AccountTable, GuardTrip, SessionResult
from logos.reports.session_md import render_session_md

D = Decimal
TEXT = {
    "0": "0",
    "0.000": "0",
    "-0.0": "0",
    "1E+3": "1000",
    "150000.00": "150000",
    "99949.950": "99949.95",
    "-0.50": "-0.5",
    "0.000000001": "0.000000001",
    "-0.0000005": "-0.0000005",
    "12345678901234567890.123456789": "12345678901234567890.123456789",
}


def test_format_decimal_is_plain_and_value_based() -> None:
    assert {k: format_decimal(D(k)) for k in TEXT} == TEXT


def test_scaled_column_text_matches_format_decimal_including_tiny_values() -> None:
    values = [D(k) for k in TEXT if len(k) < 20] + [D("0.0000005")] * 5 + [D("7")] * 3
    column = ScaledColumn.from_decimals(values)
    assert column.to_text().to_pylist() == [format_decimal(v) for v in values]
    assert column.decimal_at(3) == D("1000")


def test_scaled_column_beyond_int64_is_exact() -> None:
    values = [D("123456789012345678901.5"), D("-0.25"), D("123456789012345678901.5")]
    column = ScaledColumn.from_decimals(values)
    assert column.values.dtype == object
    assert column.to_text().to_pylist() == [
        "123456789012345678901.5",
        "-0.25",
        "123456789012345678901.5",
    ]


def test_decimal_column_formats_each_value() -> None:
    column = DecimalColumn.from_list([D(0), D("0.0500"), D("0.0500"), D("0.1")])
    assert column.to_text().to_pylist() == ["0", "0.05", "0.05", "0.1"]


def test_timestamp_column_across_days_and_sub_seconds() -> None:
    stamps = ["2017-11-04T23:59:00", "2017-11-05T00:00:00", "1999-01-22T00:00:00"]
    ns = np.array([np.datetime64(s, "ns").astype(np.int64) for s in stamps])
    assert format_ts_column(ns).to_pylist() == [s + "Z" for s in stamps]
    odd = np.array([np.datetime64("2020-01-01T00:00:00.250", "ns").astype(np.int64)])
    assert format_ts_column(odd).to_pylist() == ["2020-01-01T00:00:00.250000Z"]


def _table(equity: list[str], days: int = 1) -> AccountTable:
    ts = [datetime(2024, 1, 1 + i * days, tzinfo=UTC) for i in range(len(equity))]
    rows = {c: [D(0)] * len(equity) for c in ACCOUNT_COLUMNS}
    rows["equity"] = [D(e) for e in equity]
    rows["cash"] = [D(e) for e in equity]
    return AccountTable.from_rows(ts, rows)


def test_write_account_header_and_rows(tmp_path: Path) -> None:
    path = write_account(tmp_path / "account.csv", _table(["100000", "100000.50"]))
    assert path.read_text().splitlines() == [
        "ts,cash,equity,gross_exposure,net_exposure,realized_pnl,unrealized_pnl,fees,drawdown",
        "2024-01-01T00:00:00Z,100000,100000,0,0,0,0,0,0",
        "2024-01-02T00:00:00Z,100000.5,100000.5,0,0,0,0,0,0",
    ]


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
        account=_table(["1000", "1100", "990", "1050"]),
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
