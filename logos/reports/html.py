"""report.html: the session in one self-contained, interactive page.

The page holds the same summary as session.md (configuration, results, round trips, PnL by
symbol, guard trips), an interactive equity and drawdown chart, one price chart per symbol
with its fills marked, and the round-trip table. The charts are drawn by plotly.js, whose
script is inlined once in the page's head (``plotly.offline.get_plotlyjs()``): the file opens
without a network. plotly draws SVG into the page itself, which a headless browser can check.

Deterministic: every chart has a fixed element id (``equity-chart``, ``price-chart-1`` ...),
numbers are written by plotly's JSON encoder and the times as ISO text, so the same session
gives the same bytes.

Size: lines are downsampled by :func:`logos.reports.chart.envelope` (at most
:data:`~logos.reports.chart.CHART_POINTS` points a line, every bucket's low and high kept),
fill markers to :data:`MAX_MARKERS` a symbol (evenly spaced when there are more), the table
to :data:`MAX_TABLE_ROWS` round trips (trades.csv has every fill), so a million-bar backtest
gives a file of about the size of plotly.js (4.8 MB) plus a few hundred KB.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import numpy as np

from logos.credentials import redact
from logos.domain import Fill, Side
from logos.reports.chart import envelope
from logos.reports.metrics import Summary, drawdown_series, summarize
from logos.reports.result import SessionResult
from logos.reports.statistics import Statistics, compute_statistics
from logos.reports.summary_rows import approx_money, result_rows, round_trip_rows
from logos.reports.text import format_decimal, format_ts

REPORT_FILE = "report.html"
MAX_MARKERS = 2000
"""Fill markers drawn per symbol at most."""
MAX_TABLE_ROWS = 1000
"""Round trips listed at most (the first ones; the rest are counted)."""
MARKERS = {Side.BUY: ("triangle-up", "#2ca02c"), Side.SELL: ("triangle-down", "#d62728")}
PLOTLY_CONFIG = {"displaylogo": False, "responsive": True}

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1200px; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 1.6em; }
table { border-collapse: collapse; margin: 0.5em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: left; }
th { background: #f3f3f3; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.warning { background: #fff4d6; border-left: 4px solid #e0a800; padding: 0.4em 0.8em; }
.chart { width: 100%; height: 520px; } .price { width: 100%; height: 420px; }
"""


def write_report_html(out_dir: Path, result: SessionResult, summary: Summary | None = None) -> Path:
    """Write report.html into ``out_dir``; return its path."""
    path = out_dir / REPORT_FILE
    path.write_text(render_report_html(result, summary), encoding="utf-8")
    return path


def render_report_html(result: SessionResult, summary: Summary | None = None) -> str:
    """The text of report.html (see the module docstring)."""
    from plotly.offline import get_plotlyjs

    summary = summary or summarize(result)
    stats = compute_statistics(result)
    title = f"Session {result.session_id} ({result.mode})"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{_e(title)}</title>",
        f"<style>{_STYLE}</style>",
        f'<script type="text/javascript">{get_plotlyjs()}</script>',
        "</head><body>",
        f"<h1>{_e(title)}</h1>",
    ]
    parts += [f'<p class="warning">{_e(w)}</p>' for w in result.warnings]
    if result.stopped is not None:
        parts.append(f'<p class="warning">Stopped early by {_e(result.stopped)}.</p>')
    parts += ["<h2>Equity and drawdown</h2>", _equity_chart(result)]
    parts += ["<h2>Results</h2>", _table(("metric", "value"), result_rows(result, summary, stats))]
    parts += [
        "<h2>Round trips</h2>",
        _table(("metric", "value"), round_trip_rows(stats, _cur(result))),
    ]
    pnl = [(s, format_decimal(v)) for s, v in stats.pnl_by_symbol.items()]
    parts += ["<h2>PnL by symbol</h2>", _table(("symbol", f"PnL ({_cur(result)})"), pnl)]
    parts += ["<h2>Prices and fills</h2>"]
    for number, symbol in enumerate(result.symbols, start=1):
        parts.append(_price_chart(result, symbol, f"price-chart-{number}"))
    parts += ["<h2>Trades (round trips)</h2>", _trips_table(stats, _cur(result))]
    parts += ["<h2>Guard trips</h2>", _guards(result)]
    config = [(k, redact(v)) for k, v in result.config_summary.items()]
    parts += ["<h2>Configuration</h2>", _table(("setting", "value"), config)]
    parts += ["<h2>Restarts</h2>", f"<p>{result.restarts}</p>"]
    parts += [f"<p>{_e(note)}</p>" for note in result.restart_notes]
    parts += ["</body></html>", ""]
    return "\n".join(parts)


def _cur(result: SessionResult) -> str:
    return result.currency


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]] | list[tuple[str, str]]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _iso(ts_ns: np.ndarray) -> list[str]:
    """Times as ISO text without a zone (plotly reads them as UTC wall times)."""
    return np.datetime_as_string(ts_ns.astype("datetime64[ns]"), unit="s").tolist()


def _figure_html(figure: Any, div_id: str, css: str) -> str:
    body = figure.to_html(
        include_plotlyjs=False,
        full_html=False,
        div_id=div_id,
        config=PLOTLY_CONFIG,
        default_height="100%",
        default_width="100%",
    )
    return f'<div class="{css}">{body}</div>'


def _equity_chart(result: SessionResult) -> str:
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    account = result.account
    equity = account.equity_floats()
    drawdown = drawdown_series(equity, float(result.starting_cash))
    rows = np.union1d(envelope(equity), envelope(-drawdown))
    x = _iso(account.ts_ns[rows])
    figure = make_subplots(
        rows=2, cols=1, shared_xaxes=True, row_heights=[0.68, 0.32], vertical_spacing=0.04
    )
    figure.add_trace(
        go.Scatter(x=x, y=equity[rows].tolist(), name="equity", line={"color": "#1f77b4"}),
        row=1,
        col=1,
    )
    figure.add_trace(
        go.Scatter(
            x=x,
            y=(-drawdown[rows] * 100).tolist(),
            name="drawdown",
            fill="tozeroy",
            line={"color": "#d62728"},
        ),
        row=2,
        col=1,
    )
    figure.update_layout(template="plotly_white", margin={"t": 20}, hovermode="x unified")
    figure.update_yaxes(title_text=f"equity ({_cur(result)})", row=1, col=1)
    figure.update_yaxes(title_text="drawdown (%)", ticksuffix="%", row=2, col=1)
    figure.update_xaxes(title_text="time (UTC)", row=2, col=1)
    return _figure_html(figure, "equity-chart", "chart")


def _price_chart(result: SessionResult, symbol: str, div_id: str) -> str:
    import plotly.graph_objects as go

    figure = go.Figure()
    series = result.prices.get(symbol)
    if series is not None and len(series.close):
        rows = envelope(series.close)
        figure.add_trace(
            go.Scatter(
                x=_iso(series.ts_ns[rows]),
                y=series.close[rows].tolist(),
                name=f"{symbol} close",
                line={"color": "#555", "width": 1},
            )
        )
    fills = [f for f in result.fills if f.symbol == symbol]
    for side, (shape, colour) in MARKERS.items():
        chosen = _spaced([f for f in fills if f.side is side], MAX_MARKERS)
        if not chosen:
            continue
        figure.add_trace(
            go.Scatter(
                x=[format_ts(f.ts).removesuffix("Z") for f in chosen],
                y=[float(f.price) for f in chosen],
                mode="markers",
                name=f"{side.value} fills",
                marker={"symbol": shape, "color": colour, "size": 9},
                text=[_fill_text(f) for f in chosen],
            )
        )
    figure.update_layout(
        template="plotly_white",
        margin={"t": 40},
        title={"text": symbol},
        yaxis_title=f"price ({_cur(result)})",
        xaxis_title="time (UTC)",
    )
    return _figure_html(figure, div_id, "price")


def _fill_text(fill: Fill) -> str:
    return f"{fill.side.value} {format_decimal(fill.qty)} @ {format_decimal(fill.price)}"


def _spaced(fills: list[Fill], limit: int) -> list[Fill]:
    """At most ``limit`` fills, evenly spaced (all of them when there are fewer)."""
    if len(fills) <= limit:
        return fills
    picks = np.linspace(0, len(fills) - 1, limit).round().astype(int)
    return [fills[i] for i in np.unique(picks)]


def _trips_table(stats: Statistics, cur: str) -> str:
    trips = stats.round_trips
    header = (
        "symbol", "direction", "qty", "entry time", "entry price", "exit time", "exit price",
        f"gross PnL ({cur})", f"fees ({cur})", f"net PnL ({cur})", "exit",
    )  # fmt: skip
    rows = [
        (
            t.symbol,
            t.direction,
            format_decimal(t.qty),
            format_ts(t.entry_ts),
            format_decimal(t.entry_price),
            format_ts(t.exit_ts),
            format_decimal(t.exit_price),
            format_decimal(t.gross_pnl),
            approx_money(t.fees),
            approx_money(t.net_pnl),
            t.exit_kind,
        )
        for t in trips[:MAX_TABLE_ROWS]
    ]
    table = _table(header, rows).replace("<table>", '<table id="trades-table">', 1)
    if len(trips) > MAX_TABLE_ROWS:
        table += f"<p>… and {len(trips) - MAX_TABLE_ROWS} more round trips.</p>"
    return table


def _guards(result: SessionResult) -> str:
    if not result.guard_trips:
        return "<p>None.</p>"
    rows = [
        (format_ts(t.ts), t.guard, t.measured, t.limit, t.action)
        for t in result.guard_trips
        if t.kind != "clip"
    ]
    clips = sum(t.kind == "clip" for t in result.guard_trips)
    table = _table(("ts", "guard", "measured", "limit", "action"), rows)
    return table + (f"<p>{clips} clipped orders (each is in orders.csv).</p>" if clips else "")
