"""report.html: the session in one self-contained, interactive page.

The page holds the same summary as session.md (configuration, results, round trips, PnL by
symbol, guard trips), an interactive equity and drawdown chart, one price chart per symbol
with its fills marked, and the round-trip table. The charts are drawn by plotly.js, whose
script is inlined once in the page's head (``plotly.offline.get_plotlyjs()``): the file opens
without a network. plotly draws SVG into the page itself, which a headless browser can check.

Deterministic: every chart has a fixed element id (``equity-chart``, ``price-chart-1`` ...),
numbers are written by plotly's JSON encoder and the times as ISO text, so the same session
gives the same bytes.

Size: lines are bounded samples (every bucket's low and high kept, about
:data:`~logos.reports.chart.CHART_POINTS` points a line): the equity and drawdown from the
one pass over the account rows (:func:`logos.reports.metrics.equity_curve`), the prices from
:class:`logos.reports.prices.PriceSampler`. Fill markers are at most :data:`MAX_MARKERS` per
symbol and side (every n-th fill, n doubling as fills come, picked in one pass over the
fills), the table :data:`MAX_TABLE_ROWS` round trips (trades.csv has every fill), so a
million-bar backtest gives a file of about the size of plotly.js (4.8 MB) plus a few hundred
KB.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from logos.credentials import redact
from logos.domain import Fill, Side
from logos.reports.chart import envelope
from logos.reports.metrics import EquityCurve, Summary, equity_curve, summarize
from logos.reports.result import SessionResult
from logos.reports.statistics import TRIPS_LISTED, Statistics, compute_statistics
from logos.reports.summary_rows import approx_money, result_rows, round_trip_rows
from logos.reports.text import format_decimal, format_ts

REPORT_FILE = "report.html"
MAX_MARKERS = 2000
"""Fill markers drawn per symbol and side at most."""
MAX_TABLE_ROWS = TRIPS_LISTED
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
    curve = summary.curve or equity_curve(result.account, result.starting_cash)
    parts += ["<h2>Equity and drawdown</h2>", _equity_chart(curve, _cur(result))]
    parts += ["<h2>Results</h2>", _table(("metric", "value"), result_rows(result, summary, stats))]
    parts += [
        "<h2>Round trips</h2>",
        _table(("metric", "value"), round_trip_rows(stats, _cur(result))),
    ]
    pnl = [(s, format_decimal(v)) for s, v in stats.pnl_by_symbol.items()]
    parts += ["<h2>PnL by symbol</h2>", _table(("symbol", f"PnL ({_cur(result)})"), pnl)]
    parts += ["<h2>Prices and fills</h2>"]
    markers = _markers(result.fills)
    for number, symbol in enumerate(result.symbols, start=1):
        parts.append(_price_chart(result, symbol, markers, f"price-chart-{number}"))
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


def _equity_chart(curve: EquityCurve, currency: str) -> str:
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    equity, drawdown = curve.chart_equity, curve.chart_drawdown
    x = _iso(curve.chart_ts_ns)
    figure = make_subplots(
        rows=2, cols=1, shared_xaxes=True, row_heights=[0.68, 0.32], vertical_spacing=0.04
    )
    figure.add_trace(
        go.Scatter(x=x, y=equity.tolist(), name="equity", line={"color": "#1f77b4"}),
        row=1,
        col=1,
    )
    figure.add_trace(
        go.Scatter(
            x=x,
            y=(-drawdown * 100).tolist(),
            name="drawdown",
            fill="tozeroy",
            line={"color": "#d62728"},
        ),
        row=2,
        col=1,
    )
    figure.update_layout(template="plotly_white", margin={"t": 20}, hovermode="x unified")
    figure.update_yaxes(title_text=f"equity ({currency})", row=1, col=1)
    figure.update_yaxes(title_text="drawdown (%)", ticksuffix="%", row=2, col=1)
    figure.update_xaxes(title_text="time (UTC)", row=2, col=1)
    return _figure_html(figure, "equity-chart", "chart")


def _price_chart(
    result: SessionResult, symbol: str, markers: dict[tuple[str, Side], _Spaced], div_id: str
) -> str:
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
    for side, (shape, colour) in MARKERS.items():
        spaced = markers.get((symbol, side))
        if spaced is None:
            continue
        figure.add_trace(
            go.Scatter(
                x=[marker.when for marker in spaced.kept],
                y=[marker.price for marker in spaced.kept],
                mode="markers",
                name=f"{side.value} fills",
                marker={"symbol": shape, "color": colour, "size": 9},
                text=[marker.text for marker in spaced.kept],
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


class _Marker(NamedTuple):
    """What a fill's marker shows (kept instead of the fill: a few small values)."""

    when: str
    price: float
    text: str


class _Spaced:
    """At most ``limit`` of a stream of fills' markers, evenly spaced: every ``step``-th,
    the step doubling (every other kept one dropped) whenever more would be kept."""

    __slots__ = ("kept", "limit", "seen", "step")

    def __init__(self, limit: int) -> None:
        self.limit, self.step, self.seen = limit, 1, 0
        self.kept: list[_Marker] = []

    def add(self, fill: Fill) -> None:
        if self.seen % self.step == 0:
            text = f"{fill.side.value} {format_decimal(fill.qty)} @ {format_decimal(fill.price)}"
            self.kept.append(_Marker(format_ts(fill.ts).removesuffix("Z"), float(fill.price), text))
            if len(self.kept) > self.limit:
                self.kept = self.kept[::2]
                self.step *= 2
        self.seen += 1


def _markers(fills: Iterable[Fill]) -> dict[tuple[str, Side], _Spaced]:
    """The fills to mark, per symbol and side, in one pass over the fills."""
    markers: dict[tuple[str, Side], _Spaced] = {}
    for fill in fills:
        key = (fill.symbol, fill.side)
        spaced = markers.get(key)
        if spaced is None:
            spaced = markers[key] = _Spaced(MAX_MARKERS)
        spaced.add(fill)
    return markers


def _trips_table(stats: Statistics, cur: str) -> str:
    trips = stats.listed_trips
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
    if stats.round_trips > len(rows):
        table += f"<p>… and {stats.round_trips - len(rows)} more round trips.</p>"
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
