"""The account statistics are read a chunk of rows at a time and come out the same however
the rows were chunked: the drawdown (its peak, trough and recovery across chunk
boundaries), the exposure, the Sharpe and Sortino ratios (to the last bit) and the
rendered session.md.

Expected values are worked out by hand in the comments (or with the standard library's
``statistics``), never by ``logos.reports``.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any

import numpy as np
import pytest

from logos.domain import Account
from logos.reports import AccountHistory
from logos.reports.metrics import ExactSum, equity_curve, sharpe_ratio, summarize
from logos.reports.result import SessionResult
from logos.reports.session_md import render_session_md
from logos.reports.statistics import compute_statistics

D = Decimal
T0 = datetime(2024, 1, 1, tzinfo=UTC)
# start 100; one row a day
EQUITY = ["100", "120", "90", "96", "125", "110", "80", "130"]
EXPOSURE = ["0", "5", "5", "0", "0", "7", "7", "0"]
# running peak 100 120 120 120 125 125 125 130
# falls        0   0  .25  .2   0  .12 .36   0
# the day-2 trough (0.25) recovers on day 4 (125 >= 120); the deeper day-6 trough (0.36,
# 45 below the day-4 peak of 125) recovers on day 7 (130 >= 125)


class Chunked:
    """An account history read back ``size`` rows at a time (as a disk-backed one is)."""

    def __init__(self, history: AccountHistory, size: int) -> None:
        self.history, self.size = history, size

    def __len__(self) -> int:
        return len(self.history)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.history, name)

    def column_chunks(self, columns: Sequence[str]) -> Iterator[dict[str, np.ndarray]]:
        whole = {
            c: self.history.ts_ns if c == "ts" else self.history.float_column(c) for c in columns
        }
        for begin in range(0, len(self.history), self.size):
            yield {c: v[begin : begin + self.size] for c, v in whole.items()}


def _history(equity: list[str], exposure: list[str]) -> AccountHistory:
    history = AccountHistory()
    for day, (text, gross) in enumerate(zip(equity, exposure, strict=True)):
        value = D(text)
        history.append(
            Account(
                ts=T0 + timedelta(days=day),
                cash=value,
                equity=value,
                peak_equity=value,
                gross_exposure=D(gross),
                net_exposure=D(gross),
            )
        )
    return history


def _result(account: Any) -> SessionResult:
    return SessionResult(
        session_id="chunks", mode="backtest", config_summary={}, starting_cash=D(100),
        currency="USD", orders=[], fills=[], positions=[], account=account, symbols=["X"],
    )  # fmt: skip


@pytest.mark.parametrize("size", [1, 2, 3, 5, 8, 100])
def test_drawdown_exposure_and_ratios_in_any_chunks(size: int) -> None:
    result = _result(Chunked(_history(EQUITY, EXPOSURE), size))
    stats = compute_statistics(result)
    dd = stats.drawdown
    assert dd.depth == pytest.approx(0.36) and dd.money == D(45)  # (125 - 80) / 125
    assert dd.peak == T0 + timedelta(days=4) and dd.trough == T0 + timedelta(days=6)
    assert dd.recovery == T0 + timedelta(days=7)
    assert stats.exposure == 4 / 8  # days 1, 2, 5 and 6 hold something
    summary = summarize(result)
    assert summary.max_drawdown_money == D(45) and summary.slices == 8
    values = [float(v) for v in EQUITY]
    returns = [b / a - 1 for a, b in pairwise(values)]
    # 7 returns over 7 days: 365.25 a year
    assert stats.bars_per_year == pytest.approx(365.25)
    sharpe = statistics.mean(returns) / statistics.stdev(returns) * math.sqrt(365.25)
    assert stats.sharpe == pytest.approx(sharpe, rel=1e-12)
    downside = math.sqrt(sum(min(r, 0.0) ** 2 for r in returns) / 7)
    sortino = statistics.mean(returns) / downside * math.sqrt(365.25)
    assert stats.sortino == pytest.approx(sortino, rel=1e-12)


def test_ratios_and_session_md_are_the_same_to_the_bit_in_any_chunks() -> None:
    rng = np.random.default_rng(11)
    equity = [str(round(v, 2)) for v in (1000 + np.cumsum(rng.normal(0, 3, 300))).tolist()]
    exposure = ["1" if v > 0 else "0" for v in rng.normal(size=300).tolist()]
    history = _history(equity, exposure)
    texts, numbers = set(), set()
    for size in (1, 7, 64, 299, 300, 1000):
        result = _result(Chunked(history, size))
        stats = compute_statistics(result)
        numbers.add((stats.sharpe, stats.sortino, stats.drawdown, stats.exposure))
        texts.add(render_session_md(result))
    plain = _result(history)
    numbers.add(
        (compute_statistics(plain).sharpe, compute_statistics(plain).sortino,
         compute_statistics(plain).drawdown, compute_statistics(plain).exposure)
    )  # fmt: skip
    texts.add(render_session_md(plain))
    assert len(numbers) == 1 and len(texts) == 1
    # the whole-array function gives the very same Sharpe
    whole = sharpe_ratio(history.float_column("equity"), history.ts_ns)[0]
    assert whole == compute_statistics(plain).sharpe


def test_a_drawdown_that_recovers_in_a_later_chunk() -> None:
    # start 100; rows 100, 90, 95, 99, 100.5: the trough is 90 on day 1, 0.10 below the
    # peak 100 of day 0 (a row as high as the starting cash is the peak); 100.5 on day 4 is
    # the first row at or above 100 again
    history = _history(["100", "90", "95", "99", "100.5"], ["0"] * 5)
    for size in (1, 2, 3):
        dd = compute_statistics(_result(Chunked(history, size))).drawdown
        assert dd.depth == pytest.approx(0.1) and dd.money == D(10)
        assert dd.peak == T0 and dd.trough == T0 + timedelta(days=1)
        assert dd.recovery == T0 + timedelta(days=4)


def test_exact_sum_keeps_what_a_float_sum_loses() -> None:
    values = np.array([1e16, 1.0, -1e16, 1.0])
    # left to right in floats: 1e16 + 1 rounds to 1e16, - 1e16 = 0, + 1 = 1; exactly: 2
    assert float(np.add.accumulate(values)[-1]) == 1.0
    for size in (1, 2, 3, 4):
        total = ExactSum()
        for begin in range(0, 4, size):
            total.add(values[begin : begin + size])
        assert total.value == 2.0


def test_the_sparkline_and_the_chart_sample_of_a_long_curve() -> None:
    rows = 20_000
    equity = np.full(rows, 1000.0)
    equity[12_345] = 700.0  # one deep dip: 30 % below the peak
    history = AccountHistory()
    for i, value in enumerate(equity.tolist()):
        money = D(repr(value))
        history.append(
            Account(ts=T0 + timedelta(minutes=i), cash=money, equity=money, peak_equity=money)
        )
    curve = equity_curve(Chunked(history, 999), D(1000), points=200)  # type: ignore[arg-type]
    assert len(curve.chart_ts_ns) <= 2 * 200 + 2  # two lines' lows and highs, both ends
    dip = int(history.ts_ns[12_345])
    assert dip in curve.chart_ts_ns.tolist()
    assert curve.chart_drawdown.max() == pytest.approx(0.3)
    # the sparkline shows the last row of each of 60 equal buckets of 20,000 rows: rows
    # 332, 665, ..., 19999 (int(20000 × k / 60) - 1)
    assert len(curve.spark_equity) == 60
    assert curve.spark_equity.tolist() == [1000.0] * 60
