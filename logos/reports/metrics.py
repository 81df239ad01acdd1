"""Summary metrics of a session, with the definitions session.md and the CLI print.

- total return: final equity ÷ starting cash − 1; PnL: final equity − starting cash (exact).
- final equity: the equity of the last account row (exact), starting cash without rows.
- max drawdown: the largest fall of equity from its running peak, as a fraction of that peak
  (and in money, exact from the rows' equity), over the account rows (starting cash counts as
  the first peak). The fraction, the Sharpe ratio and the chart work on float64 equity.
- fills: rows of trades.csv. Closing fills: fills that reduce an open position (found from the
  fills' own signed quantities, FIFO-independent). Win rate: closing fills with
  realized_pnl > 0 ÷ closing fills (realized PnL is gross; fees are reported separately).
- Sharpe: mean ÷ standard deviation (ddof=1) of per-slice equity returns, risk-free rate 0,
  annualised by √(slices per year) where slices per year is the *observed* rate:
  (rows − 1) ÷ (last ts − first ts in years of 365.25 days). Calendar time makes one rule fit
  every asset class: daily equity bars come out near 252 a year (weekends and holidays are
  simply absent), 24/7 crypto minutes near 525,960, and gaps lower the rate as they should.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from logos.domain import Fill, OrderStatus, Side
from logos.money import subtract
from logos.reports.result import SessionResult

SECONDS_PER_YEAR = 365.25 * 86_400


@dataclass(frozen=True)
class Summary:
    """The headline numbers of a session."""

    starting_cash: Decimal
    final_equity: Decimal
    pnl: Decimal
    total_return: float
    max_drawdown: float
    max_drawdown_money: Decimal
    sharpe: float | None
    periods_per_year: float | None
    orders: int
    filled_orders: int
    rejected_orders: int
    denied_orders: int
    fills: int
    closing_fills: int
    winning_fills: int
    win_rate: float | None
    fees: Decimal
    dropped_intents: int
    guard_trips: int
    restarts: int
    slices: int


def closing_flags(fills: list[Fill]) -> list[bool]:
    """For each fill, whether it reduced the position open in its symbol before it."""
    return [closes for _, closes in _with_closing(fills)]


def _with_closing(fills: Iterable[Fill]) -> Iterator[tuple[Fill, bool]]:
    """Each fill with whether it reduced the position open in its symbol before it."""
    position: dict[str, Decimal] = {}
    zero = Decimal(0)
    for fill in fills:
        before = position.get(fill.symbol, zero)
        # Side compared directly instead of qty * side.sign: this runs once per fill.
        signed = fill.qty if fill.side is Side.BUY else -fill.qty
        yield fill, before != 0 and (before > 0) != (signed > 0)
        position[fill.symbol] = before + signed


def _fill_totals(fills: list[Fill]) -> tuple[int, int, Decimal]:
    """Closing fills, winning closing fills and total fees, in one pass over the fills (the
    fill objects are spread over a large heap: each pass costs cache misses)."""
    closing = wins = 0
    fees = Decimal(0)
    for fill, closes in _with_closing(fills):
        fees += fill.fee
        if closes:
            closing += 1
            wins += fill.realized_pnl > 0
    return closing, wins, fees


def drawdown_series(equity: np.ndarray, start: float) -> np.ndarray:
    """Fraction below the running peak (starting cash is the first peak), per row."""
    if len(equity) == 0:
        return equity
    peaks = np.maximum.accumulate(np.concatenate(([start], equity)))[1:]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(peaks > 0, (peaks - equity) / peaks, 0.0)


def max_drawdown(equity: np.ndarray, start: float) -> tuple[float, int]:
    """Largest fall from the running peak as a fraction of the peak, and the row where it is."""
    if len(equity) == 0:
        return 0.0, -1
    falls = drawdown_series(equity, start)
    row = int(np.argmax(falls))
    return float(falls[row]), row


def sharpe_ratio(equity: np.ndarray, ts_ns: np.ndarray) -> tuple[float | None, float | None]:
    """Annualised Sharpe of per-row returns and the slices-per-year used (None when undefined)."""
    if len(equity) < 3:
        return None, None
    elapsed = (int(ts_ns[-1]) - int(ts_ns[0])) / 1e9
    if elapsed <= 0:
        return None, None
    per_year = (len(equity) - 1) / (elapsed / SECONDS_PER_YEAR)
    with np.errstate(divide="ignore", invalid="ignore"):
        returns = np.diff(equity) / equity[:-1]
    if not np.all(np.isfinite(returns)):
        return None, per_year
    std = float(np.std(returns, ddof=1))
    if std == 0.0 or not math.isfinite(std):
        return None, per_year
    return float(np.mean(returns)) / std * math.sqrt(per_year), per_year


def summarize(result: SessionResult) -> Summary:
    """The :class:`Summary` of a session result (computed once, then kept on the result)."""
    if isinstance(result.summary_cache, Summary):
        return result.summary_cache
    result.summary_cache = _summarize(result)
    return result.summary_cache


def _summarize(result: SessionResult) -> Summary:
    account = result.account
    start = result.starting_cash
    equity = account.equity_floats()
    final = account.decimal("equity", -1) if len(account) else start
    dd, dd_row = max_drawdown(equity, float(start))
    dd_money = Decimal(0)
    if dd_row >= 0 and dd > 0:
        peak = max(account.decimal("equity", int(np.argmax(equity[: dd_row + 1]))), start)
        dd_money = subtract(peak, account.decimal("equity", dd_row))
    sharpe, per_year = sharpe_ratio(equity, account.ts_ns)
    closing, wins, fees = _fill_totals(result.fills)
    statuses = [o.status for o in result.orders]
    return Summary(
        starting_cash=start,
        final_equity=final,
        pnl=subtract(final, start),
        total_return=float(final / start - 1) if start else 0.0,
        max_drawdown=dd,
        max_drawdown_money=dd_money,
        sharpe=sharpe,
        periods_per_year=per_year,
        orders=len(result.orders),
        filled_orders=statuses.count(OrderStatus.FILLED),
        rejected_orders=statuses.count(OrderStatus.REJECTED),
        denied_orders=statuses.count(OrderStatus.DENIED),
        fills=len(result.fills),
        closing_fills=closing,
        winning_fills=wins,
        win_rate=wins / closing if closing else None,
        fees=fees,
        dropped_intents=len(result.dropped_intents),
        guard_trips=len(result.guard_trips),
        restarts=result.restarts,
        slices=len(account),
    )
