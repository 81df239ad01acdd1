"""session.md: warnings, config summary, PnL and return, drawdown, counts, guard trips,
skipped bad bars, restarts, chart.

Warnings (``logos.reports.warnings``) come first: a run that could not trade says so before
its "0 trades". Gaps are counted apart from expected closures (weekends and holidays of daily
bars), and skipped bad bars are counted and listed, never shown as gaps.

The chart is ``equity.svg`` beside session.md (referenced from it) plus a text sparkline in the
file itself, so the report reads well in a terminal too.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from logos.domain import OrderStatus
from logos.reports.chart import equity_svg, sparkline
from logos.reports.metrics import Summary, drawdown_series, summarize
from logos.reports.result import SessionResult
from logos.reports.text import format_decimal, format_ts

CHART_FILE = "equity.svg"
MAX_ROWS = 200
"""Clip and denial rows shown; the rest are counted (orders.csv has every one). Trips and
state changes are always all listed."""


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2%}"


def _num(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def render_session_md(result: SessionResult, summary: Summary) -> str:
    """The markdown text of session.md."""
    return _render(result, summary, *_chart_series(result))


def _chart_series(result: SessionResult) -> tuple[np.ndarray, np.ndarray]:
    """Equity (float approximations) and its drawdown fraction, per account row."""
    equity = result.account.equity_floats()
    return equity, drawdown_series(equity, float(result.starting_cash))


def _render(
    result: SessionResult, summary: Summary, equity: np.ndarray, drawdown: np.ndarray
) -> str:
    cur = result.currency
    lines = [f"# Session `{result.session_id}` ({result.mode})", ""]
    if result.warnings:
        lines += ["## Warnings", ""]
        lines += [f"- {_cell(warning)}" for warning in result.warnings]
        lines.append("")
    lines += ["## Configuration", ""]
    lines += ["| setting | value |", "|---|---|"]
    lines += [f"| {key} | {value} |" for key, value in result.config_summary.items()]
    if len(result.account):
        ts_ns = result.account.ts_ns
        first, last = format_ts(_dt(ts_ns[0])), format_ts(_dt(ts_ns[-1]))
        lines += [f"| period | {first} .. {last} |"]
    lines += [
        f"| slices | {summary.slices} |",
        f"| bars | {result.bars} |",
        f"| gaps | {_gaps(result)} |",
        f"| expected closures (weekends, holidays: not gaps) | {result.expected_closures} |",
        f"| bad bars skipped | {_skipped(result)} |",
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
    if result.stopped is not None:
        lines += [f"Stopped early by {result.stopped}.", ""]
    if result.guard_trips:
        # every trip, state change and all-clear; clips (one per order) only up to MAX_ROWS
        clips = [t for t in result.guard_trips if t.kind == "clip"]
        shown = set(map(id, clips[:MAX_ROWS]))
        rows = [t for t in result.guard_trips if t.kind != "clip" or id(t) in shown]
        lines += ["| ts | guard | measured | limit | action |", "|---|---|---|---|---|"]
        lines += [
            f"| {format_ts(t.ts)} | {t.guard} | {_cell(t.measured)} | {_cell(t.limit)} "
            f"| {_cell(t.action)} |"
            for t in rows
        ]
        lines += _more(len(clips), "clipped orders (each is in orders.csv)")
    else:
        lines.append("None.")
    denied = [o for o in result.orders if o.status is OrderStatus.DENIED]
    if denied:
        lines += ["", "## Orders denied by guards", ""]
        lines += ["| ts | symbol | side | qty | reason |", "|---|---|---|---|---|"]
        lines += [
            f"| {format_ts(o.ts_created)} | {o.symbol} | {o.side.value} | "
            f"{format_decimal(o.qty)} | {_cell(o.reason)} |"
            for o in denied[:MAX_ROWS]
        ]
        lines += _more(len(denied), "denied orders (every one is in orders.csv)")
        if result.repeated_denials:
            lines += [
                "",
                f"{result.repeated_denials} more intents were denied for the same symbol, side "
                "and guard before anything changed; they are not repeated as orders.",
            ]
    if result.skipped_bars:
        lines += ["", "## Bad bars skipped", ""]
        lines += [f"- {_cell(row)}" for row in result.skipped_rows]
        lines += _more(sum(result.skipped_bars.values()), "bad bars skipped")
    lines += ["", "## Restarts", "", f"{result.restarts}"]
    if result.restart_notes:
        lines += [""] + [f"- {_cell(note)}" for note in result.restart_notes]
    if result.operator_actions:
        lines += ["", "## Operator actions", ""]
        lines += [f"- {_cell(action)}" for action in result.operator_actions]
    lines += ["", "## Equity and drawdown", ""]
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


def _gaps(result: SessionResult) -> str:
    if result.missing_bars is None:
        return str(result.gaps)
    return f"{result.gaps} ({result.missing_bars} bars missing)"


def _skipped(result: SessionResult) -> str:
    total = sum(result.skipped_bars.values())
    if not total:
        return "0"
    kinds = ", ".join(f"{n} {kind}" for kind, n in result.skipped_bars.items())
    return f"{total} ({_cell(kinds)})"


def _cell(text: str) -> str:
    """Text safe inside a markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def _more(count: int, what: str) -> list[str]:
    if count <= MAX_ROWS:
        return []
    return ["", f"… and {count - MAX_ROWS} more {what}."]


def _dt(ns: np.integer) -> datetime:
    return pd.Timestamp(int(ns), tz="UTC").to_pydatetime()


def write_session_md(out_dir: Path, result: SessionResult, summary: Summary | None = None) -> Path:
    """Write session.md and its chart into ``out_dir``; return the session.md path."""
    summary = summary or summarize(result)
    equity, drawdown = _chart_series(result)
    (out_dir / CHART_FILE).write_text(
        equity_svg(equity, drawdown, result.session_id), encoding="utf-8"
    )
    path = out_dir / "session.md"
    path.write_text(_render(result, summary, equity, drawdown), encoding="utf-8")
    return path
