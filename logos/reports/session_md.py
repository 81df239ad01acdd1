"""session.md: warnings, configuration, data, results, trades, PnL per symbol, guard trips,
stale data, denials, skipped bad bars, restarts, operator actions and the chart.

Warnings (``logos.reports.warnings``) come first: a run that could not trade says so before
its "0 trades". Gaps are counted apart from expected closures (weekends and holidays of daily
bars), and skipped bad bars are counted and listed, never shown as gaps. Every number comes
from :mod:`logos.reports.statistics` (definitions there and in docs/reports.md); config
values are shown with credentials masked (:func:`logos.credentials.redact`).

The chart is ``equity.png`` beside session.md (referenced from it; :mod:`logos.reports.chart`)
plus a text sparkline in the file itself, so the report reads well in a terminal too. Both
come from the one pass over the account rows (:func:`logos.reports.metrics.equity_curve`):
the chart from its bounded sample, the sparkline from the rows it shows, picked on the way.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from logos.credentials import redact
from logos.domain import Order, OrderStatus
from logos.reports.chart import CHART_FILE, sparkline, write_equity_png
from logos.reports.metrics import EquityCurve, Summary, equity_curve, summarize, utc_datetime
from logos.reports.prices import bar_count
from logos.reports.result import SessionResult
from logos.reports.statistics import Statistics, compute_statistics
from logos.reports.summary_rows import result_rows, round_trip_rows
from logos.reports.text import format_decimal, format_ts

MAX_ROWS = 200
"""Clip and denial rows shown; the rest are counted (orders.csv has every one). Trips and
state changes are always all listed."""


def render_session_md(result: SessionResult, summary: Summary | None = None) -> str:
    """The markdown text of session.md."""
    summary = summary or summarize(result)
    return _render(result, summary, compute_statistics(result), _curve(result, summary))


def _curve(result: SessionResult, summary: Summary) -> EquityCurve:
    """The pass over the account rows behind ``summary`` (made again only for a summary
    that was not made by :func:`summarize`)."""
    return summary.curve or equity_curve(result.account, result.starting_cash)


def _render(
    result: SessionResult,
    summary: Summary,
    stats: Statistics,
    curve: EquityCurve,
) -> str:
    cur = result.currency
    lines = [f"# Session `{result.session_id}` ({result.mode})", ""]
    if result.warnings:
        lines += ["## Warnings", ""]
        lines += [f"- {_cell(warning)}" for warning in result.warnings]
        lines.append("")
    lines += ["## Configuration", ""]
    lines += ["| setting | value |", "|---|---|"]
    lines += [f"| {key} | {_cell(redact(value))} |" for key, value in result.config_summary.items()]
    if curve.first_ts_ns is not None and curve.last_ts_ns is not None:
        first, last = (
            format_ts(utc_datetime(curve.first_ts_ns)),
            format_ts(utc_datetime(curve.last_ts_ns)),
        )
        lines += [f"| period | {first} .. {last} |"]
    lines += [
        f"| slices | {summary.slices} |",
        f"| bars | {result.bars} |",
        f"| gaps | {_gaps(result)} |",
        f"| expected closures (weekends, holidays: not gaps) | {result.expected_closures} |",
        f"| bad bars skipped | {_skipped(result)} |",
        "",
    ]
    lines += _data(result)
    lines += ["## Results", "", "| metric | value |", "|---|---|"]
    lines += [f"| {name} | {value} |" for name, value in result_rows(result, summary, stats)]
    lines += ["", "## Round trips", "", "| metric | value |", "|---|---|"]
    lines += [f"| {name} | {value} |" for name, value in round_trip_rows(stats, cur)]
    lines.append("")
    lines += ["## PnL by symbol", "", f"| symbol | PnL ({cur}) |", "|---|---|"]
    lines += [f"| {sym} | {format_decimal(pnl)} |" for sym, pnl in stats.pnl_by_symbol.items()]
    lines += ["", "## Guard trips", ""]
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
    lines += ["", "## Trading state", ""]
    if result.state_changes:
        lines += ["| ts | from | to | by |", "|---|---|---|---|"]
        lines += [
            f"| {format_ts(c.ts)} | {c.old} | {c.new} | {_cell(c.by)} |"
            for c in result.state_changes
        ]
    else:
        lines.append("ACTIVE throughout.")
    stale = [t for t in result.guard_trips if t.guard == "stale_data"]
    if stale:
        lines += ["", "## Stale data", ""]
        lines += [f"- {format_ts(t.ts)}: {_cell(t.measured)} ({_cell(t.action)})" for t in stale]
    if summary.denied_orders:
        denied = _first_denied(result)
        lines += ["", "## Orders denied by guards", ""]
        lines += ["| ts | symbol | side | qty | reason |", "|---|---|---|---|---|"]
        lines += [
            f"| {format_ts(o.ts_created)} | {o.symbol} | {o.side.value} | "
            f"{format_decimal(o.qty)} | {_cell(o.reason)} |"
            for o in denied
        ]
        lines += _more(summary.denied_orders, "denied orders (every one is in orders.csv)")
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
        f"equity   {sparkline(curve.spark_equity)}",
        f"drawdown {sparkline(-curve.spark_drawdown)}",
        "```",
        "",
    ]
    return "\n".join(lines)


def _data(result: SessionResult) -> list[str]:
    """Each symbol's first and last bar and its bar count (when the bars are known)."""
    if not result.prices:
        return []
    lines = ["## Data", "", "| symbol | first bar | last bar | bars |", "|---|---|---|---|"]
    for symbol, series in result.prices.items():
        if len(series.ts_ns):
            first, last = (
                format_ts(utc_datetime(series.ts_ns[0])),
                format_ts(utc_datetime(series.ts_ns[-1])),
            )
        else:
            first = last = "-"
        lines.append(f"| {symbol} | {first} | {last} | {bar_count(series)} |")
    return [*lines, ""]


def _time(ns: int | np.integer) -> str:
    """Int64 UTC nanoseconds as the artifacts write a time."""
    return format_ts(utc_datetime(ns))


def _first_denied(result: SessionResult) -> list[Order]:
    """The first :data:`MAX_ROWS` orders denied by guards, in one pass over the orders."""
    denied: list[Order] = []
    for order in result.orders:
        if order.status is OrderStatus.DENIED:
            denied.append(order)
            if len(denied) == MAX_ROWS:
                break
    return denied


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


def write_session_md(out_dir: Path, result: SessionResult, summary: Summary | None = None) -> Path:
    """Write session.md and its chart (:data:`CHART_FILE`) into ``out_dir``; return the
    session.md path."""
    summary = summary or summarize(result)
    curve = _curve(result, summary)
    write_equity_png(
        out_dir / CHART_FILE,
        curve.chart_ts_ns,
        curve.chart_equity,
        curve.chart_drawdown,
        title=result.session_id,
        currency=result.currency,
    )
    path = out_dir / "session.md"
    text = _render(result, summary, compute_statistics(result), curve)
    path.write_text(text, encoding="utf-8")
    return path
