"""The rows of the results and round-trip tables, as text, shared by session.md and
report.html so that both say the same thing in the same words."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from logos.reports.metrics import Summary
from logos.reports.result import SessionResult
from logos.reports.statistics import RoundTrip, Statistics
from logos.reports.text import format_decimal, format_ts

SHOWN_PLACES = Decimal("1e-10")
"""Round-trip amounts that carry a fee share (a quotient) are shown to this place."""


def pct(value: float | None) -> str:
    """A fraction as a percentage with two decimals, ``n/a`` for None."""
    return "n/a" if value is None else f"{value:.2%}"


def num(value: float | None, digits: int = 2) -> str:
    """A ratio with ``digits`` decimals, ``n/a`` for None."""
    return "n/a" if value is None else f"{value:.{digits}f}"


def when(ts: datetime | None, none: str) -> str:
    """A time as the artifacts write it, ``none`` for None."""
    return none if ts is None else format_ts(ts)


def approx_money(value: Decimal | None) -> str:
    """A money amount that may carry a quotient, to :data:`SHOWN_PLACES` at most."""
    if value is None:
        return "n/a"
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -10:
        value = value.quantize(SHOWN_PLACES)
    return format_decimal(value)


def _money(value: Decimal | None, cur: str) -> str:
    return "n/a" if value is None else f"{approx_money(value)} {cur}"


def result_rows(
    result: SessionResult, summary: Summary, stats: Statistics
) -> list[tuple[str, str]]:
    """(metric, value) rows of the results table."""
    cur = result.currency
    dd = stats.drawdown
    recovery = when(dd.recovery, "not recovered" if dd.trough else "-")
    return [
        ("starting cash", f"{format_decimal(summary.starting_cash)} {cur}"),
        ("final equity", f"{format_decimal(summary.final_equity)} {cur}"),
        ("PnL", f"{format_decimal(summary.pnl)} {cur}"),
        ("return", pct(summary.total_return)),
        ("annualised return", pct(stats.annualised_return)),
        (
            "max drawdown",
            f"{pct(summary.max_drawdown)} ({format_decimal(summary.max_drawdown_money)} {cur})",
        ),
        (
            "max drawdown peak / trough / recovery",
            f"{when(dd.peak, 'start')} / {when(dd.trough, '-')} / {recovery}",
        ),
        (
            f"Sharpe (annualised, {num(summary.periods_per_year, 0)} slices/year)",
            num(summary.sharpe),
        ),
        (f"Sortino (annualised, {num(stats.bars_per_year, 0)} slices/year)", num(stats.sortino)),
        ("exposure (slices holding a position)", pct(stats.exposure)),
        ("fees", f"{format_decimal(summary.fees)} {cur}"),
        (
            "orders",
            f"{summary.orders} (filled {summary.filled_orders}, "
            f"rejected {summary.rejected_orders}, denied {summary.denied_orders})",
        ),
        (
            "fills",
            f"{summary.fills} (closing {summary.closing_fills}, winning {summary.winning_fills})",
        ),
        ("win rate (closing fills with realized PnL > 0)", pct(summary.win_rate)),
        ("intents dropped by sizing", str(summary.dropped_intents)),
    ]


def round_trip_rows(stats: Statistics, cur: str) -> list[tuple[str, str]]:
    """(metric, value) rows of the round-trip table (FIFO, net of fees)."""
    exits = ", ".join(f"{kind} {n}" for kind, n in stats.exits_by_kind.items()) or "none"
    return [
        (
            "round trips (FIFO, per symbol)",
            f"{stats.round_trips} (wins {stats.wins}, losses {stats.losses})",
        ),
        ("win rate (net PnL > 0)", pct(stats.win_rate)),
        ("average win", _money(stats.avg_win, cur)),
        ("average loss", _money(stats.avg_loss, cur)),
        ("profit factor", num(stats.profit_factor)),
        ("best trade", trip_text(stats.best_trade, cur)),
        ("worst trade", trip_text(stats.worst_trade, cur)),
        ("exits by kind", exits),
    ]


def trip_text(trip: RoundTrip | None, cur: str) -> str:
    """A round trip in one line: net PnL, symbol, direction, quantity, entry and exit."""
    if trip is None:
        return "n/a"
    return (
        f"{approx_money(trip.net_pnl)} {cur} ({trip.symbol} {trip.direction} "
        f"{format_decimal(trip.qty)}, {format_ts(trip.entry_ts)} .. {format_ts(trip.exit_ts)})"
    )
