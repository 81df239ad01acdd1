"""Charts draw a bounded number of points however long the session: each bucket's lowest and
highest row survive (so the deepest drawdown drawn is the real one), and report.html of a
long session stays about the size of plotly.js."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import numpy as np

from logos.domain import Account
from logos.reports import AccountHistory
from logos.reports.chart import CHART_POINTS, envelope
from logos.reports.html import render_report_html
from logos.reports.result import PriceSeries, SessionResult


def test_envelope_keeps_each_buckets_low_and_high_and_the_ends() -> None:
    values = np.array([5, 1, 9, 3, 7, 2, 8, 4], dtype=float)
    # 4 points: 2 buckets of 4 rows: [5 1 9 3] low at 1, high at 2; [7 2 8 4] low 5, high 6;
    # plus the first (0) and the last (7) row
    assert envelope(values, points=4).tolist() == [0, 1, 2, 5, 6, 7]
    assert envelope(values, points=8).tolist() == list(range(8))  # short enough: all rows


def test_envelope_keeps_a_one_row_trough_among_a_million() -> None:
    values = np.full(1_000_000, 100.0)
    values[654_321] = 1.0
    kept = envelope(values)
    assert len(kept) <= CHART_POINTS + 2 and 654_321 in kept


def test_report_html_of_a_long_session_stays_small() -> None:
    rows = 200_000
    start = datetime(2024, 1, 1, tzinfo=UTC)
    history = AccountHistory()
    rng = np.random.default_rng(7)
    equity = 100_000 + np.cumsum(rng.normal(0, 5, rows)).round(2)
    for i, value in enumerate(equity.tolist()):
        money = Decimal(str(value))
        history.append(
            Account(
                ts=start + timedelta(minutes=i),
                cash=money,
                equity=money,
                peak_equity=money,
            )
        )
    ts_ns = history.ts_ns
    result = SessionResult(
        session_id="long",
        mode="backtest",
        config_summary={},
        starting_cash=Decimal(100_000),
        currency="USD",
        orders=[],
        fills=[],
        positions=[],
        account=history,
        symbols=["X"],
    )
    result.prices = {"X": PriceSeries(ts_ns, equity / 1000)}
    from plotly.offline import get_plotlyjs

    page = render_report_html(result)
    # plotly.js, then two charts of at most CHART_POINTS points a line: well under 1 MB more
    assert len(page) - len(get_plotlyjs()) < 1_000_000
