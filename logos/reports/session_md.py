"""session.md: config summary, PnL and return, drawdown, counts, guard trips, restarts, chart.

The chart is ``equity.svg`` beside session.md (referenced from it) plus a text sparkline in the
file itself, so the report reads well in a terminal too.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from logos.reports.chart import equity_svg, sparkline
from logos.reports.metrics import Summary, summarize
from logos.reports.numbers import format_decimal, format_ts
from logos.reports.result import SessionResult

CHART_FILE = "equity.svg"


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2%}"


def _num(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def drawdown_series(equity: np.ndarray, start: float) -> np.ndarray:
    """Fraction below the running peak (starting cash is the first peak), per row."""
    if len(equity) == 0:
        return equity
    peaks = np.maximum.accumulate(np.concatenate(([start], equity)))[1:]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(peaks > 0, (peaks - equity) / peaks, 0.0)


def render_session_md(result: SessionResult, summary: Summary) -> str:
    """The markdown text of session.md."""
    cur = result.currency
    lines = [f"# Session `{result.session_id}` ({result.mode})", "", "## Configuration", ""]
    lines += ["| setting | value |", "|---|---|"]
    lines += [f"| {key} | {value} |" for key, value in result.config_summary.items()]
    account = result.account
    if len(account):
        first, last = format_ts(_dt(account.ts_ns[0])), format_ts(_dt(account.ts_ns[-1]))
        lines += [f"| period | {first} .. {last} |"]
    lines += [
        f"| slices | {summary.slices} |",
        f"| bars | {result.bars} |",
        f"| gaps (missing bars reported by the feed) | {result.gaps} |",
        "",
        "## Results",
        "",
        "| metric | value |",
        "|---|---|",
        f"| starting cash | {format_decimal(summary.starting_cash)} {cur} |",
        f"| final equity | {format_decimal(summary.final_equity)} {cur} |",
        f"| PnL | {format_decimal(summary.pnl)} {cur} |",
        f"| return | {_pct(summary.total_return)} |",
        f"| max drawdown | {_pct(summary.max_drawdown)} "
        f"({format_decimal(summary.max_drawdown_money)} {cur}) |",
        f"| Sharpe (annualised, {_num(summary.periods_per_year, 0)} slices/year) "
        f"| {_num(summary.sharpe)} |",
        f"| fees | {format_decimal(summary.fees)} {cur} |",
        f"| orders | {summary.orders} (filled {summary.filled_orders}, "
        f"rejected {summary.rejected_orders}, denied {summary.denied_orders}) |",
        f"| fills | {summary.fills} (closing {summary.closing_fills}, "
        f"winning {summary.winning_fills}) |",
        f"| win rate (closing fills with realized PnL > 0) | {_pct(summary.win_rate)} |",
        f"| intents dropped by sizing | {summary.dropped_intents} |",
        "",
        "## Guard trips",
        "",
    ]
    if result.guard_trips:
        lines += ["| ts | guard | measured | limit | action |", "|---|---|---|---|---|"]
        lines += [
            f"| {format_ts(t.ts)} | {t.guard} | {t.measured} | {t.limit} | {t.action} |"
            for t in result.guard_trips
        ]
    else:
        lines.append("None.")
    lines += ["", "## Restarts", "", f"{result.restarts}", "", "## Equity and drawdown", ""]
    equity = account.columns["equity"].to_float() if len(account) else np.zeros(0)
    drawdown = drawdown_series(equity, float(result.starting_cash))
    lines += [
        f"![equity and drawdown]({CHART_FILE})",
        "",
        "```",
        f"equity   {sparkline(equity)}",
        f"drawdown {sparkline(-drawdown)}",
        "```",
        "",
    ]
    return "\n".join(lines)


def _dt(ns: np.integer) -> datetime:
    return pd.Timestamp(int(ns), tz="UTC").to_pydatetime()


def write_session_md(out_dir: Path, result: SessionResult, summary: Summary | None = None) -> Path:
    """Write session.md and its chart into ``out_dir``; return the session.md path."""
    summary = summary or summarize(result)
    equity = result.account.columns["equity"].to_float()
    drawdown = drawdown_series(equity, float(result.starting_cash))
    (out_dir / CHART_FILE).write_text(
        equity_svg(equity, drawdown, result.session_id), encoding="utf-8"
    )
    path = out_dir / "session.md"
    path.write_text(render_session_md(result, summary), encoding="utf-8")
    return path
