"""session.md and report.html of a seven-bar session whose every number is worked out by hand.

The session (the risk tests' harness, no guard, no fee): one symbol AAA, one bar a minute
from 2024-01-02 00:00, open = high = low = close, so a market order sent at bar i fills at
bar i+1's price. Cash 2000, fixed quantity 10.

    bar     0     1     2     3     4     5     6
    price   100   100   110   120   90    90    99
    signal  1     1     1     0     0     1     1

- bar 0: buy 10 sent. Equity 2000 (nothing held).
- bar 1: buy fills at 100: cash 1000, 10 held at 100: equity 2000, exposure 1000.
- bar 2: equity 1000 + 1100 = 2100.  bar 3: 1000 + 1200 = 2200; sell 10 sent.
- bar 4: sell fills at 90: cash 1900, flat: equity 1900. Round trip: long 10, 100 -> 90,
  gross (90 - 100) × 10 = -100, no fee: net -100 (a loss).
- bar 5: equity 1900; buy 10 sent.  bar 6: buy fills at 99: cash 910, equity 910 + 990 = 1900.

Equity rows 2000, 2000, 2100, 2200, 1900, 1900, 1900: PnL -100, return -100 / 2000 = -5.00%.
Max drawdown: peak 2200 (bar 3), trough 1900 (bar 4): 300 / 2200 = 13.636...% -> 13.64%,
300 USD, not recovered. Exposure: rows holding a position 1, 2, 3, 6 = 4 of 7 = 57.14%.
Round trips: 1, no win: win rate 0.00%, average loss -100, profit factor 0 ÷ 100 = 0.
PnL of AAA: realized -100 + unrealized (99 - 99) × 10 = -100.
"""

from __future__ import annotations

import html
import math
import statistics
from typing import Any

from logos.reports import HtmlReporter

PRICES = [100, 100, 110, 120, 90, 90, 99]
SIGNALS = [1, 1, 1, 0, 0, 1, 1]


def test_session_md_and_report_html_give_the_hand_computed_numbers(guarded: Any) -> None:
    run = guarded({"AAA": PRICES}, {"AAA": SIGNALS}, [], cash="2000", qty="10")
    md = run.session_md
    expected = {
        "final equity": "1900 USD",
        "PnL": "-100 USD",
        "return": "-5.00%",
        "max drawdown": "13.64% (300 USD)",
        "max drawdown peak / trough / recovery": (
            "2024-01-02T00:03:00Z / 2024-01-02T00:04:00Z / not recovered"
        ),
        "exposure (slices holding a position)": "57.14%",
        "fills": "3 (closing 1, winning 0)",
        "round trips (FIFO, per symbol)": "1 (wins 0, losses 1)",
        "win rate (net PnL > 0)": "0.00%",
        "average loss": "-100 USD",
        "average win": "n/a",
        "profit factor": "0.00",  # winning net PnL 0 ÷ losing 100
        "exits by kind": "signal 1",
        "AAA": "-100",
    }
    for metric, value in expected.items():
        assert f"| {metric} | {value} |" in md, metric
    # Sharpe over the six bar returns, one bar a minute: 525,960 bars a year
    returns = [0, 0.05, 2200 / 2100 - 1, 1900 / 2200 - 1, 0, 0]
    sharpe = statistics.mean(returns) / statistics.stdev(returns) * math.sqrt(525_960)
    assert f"| Sharpe (annualised, 525960 slices/year) | {sharpe:.2f} |" in md
    # Sortino: downside deviation sqrt((1900/2200 - 1)^2 / 6)
    downside = math.sqrt((1900 / 2200 - 1) ** 2 / 6)
    sortino = statistics.mean(returns) / downside * math.sqrt(525_960)
    assert f"| Sortino (annualised, 525960 slices/year) | {sortino:.2f} |" in md

    HtmlReporter().write(run.result, run.out)
    page = (run.out / "report.html").read_text(encoding="utf-8")
    for metric, value in expected.items():
        if metric != "AAA":
            assert f"<td>{html.escape(metric)}</td><td>{html.escape(value)}</td>" in page
    # the one round trip in the trades table: entry 100 at bar 1, exit 90 at bar 4
    trip = (
        "<td>AAA</td><td>long</td><td>10</td><td>2024-01-02T00:01:00Z</td><td>100</td>"
        "<td>2024-01-02T00:04:00Z</td><td>90</td><td>-100</td><td>0</td><td>-100</td>"
        "<td>signal</td>"
    )
    assert trip in page
