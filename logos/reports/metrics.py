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

The account rows are read once, a chunk at a time (:func:`equity_curve`), never as whole
columns: a year of minute rows must not need its columns in memory at once. The means and
the standard deviation are computed from *exact* sums of the returns and of their squares
(:class:`ExactSum`, each rounded once at the end), so they are the same whatever the chunks
were, and the same from :func:`sharpe_ratio` on a whole array.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from logos.domain import Fill, OrderStatus
from logos.money import subtract
from logos.reports.chart import CHART_POINTS, SPARK_WIDTH, CurveSampler, downsample_rows
from logos.reports.fill_totals import FillTotals
from logos.reports.result import SessionResult

if TYPE_CHECKING:
    from logos.reports.account_history import AccountHistory

SECONDS_PER_YEAR = 365.25 * 86_400
CHUNK_ROWS = 65_536
"""Rows per chunk when the account history has no chunked reader of its own."""
_SPLIT = 134_217_729.0  # 2**27 + 1: Veltkamp's splitter for float64
_TOO_LARGE = 1e150  # a return whose square (or split) would overflow: no ratio


@dataclass(frozen=True)
class EquityCurve:
    """What one chunked pass over the account rows finds (see :func:`equity_curve`): the
    drawdown, the ratios, the exposure, the sparkline rows and a bounded chart sample."""

    rows: int
    first_ts_ns: int | None
    last_ts_ns: int | None
    max_drawdown: float
    """The largest fall from the running peak, as a fraction of the peak (0 without rows)."""
    trough_row: int
    """The row of that fall (the first such row; -1 without rows)."""
    trough_ts_ns: int | None
    best_row: int
    """The row of the highest equity up to the trough (the first such row; -1: none)."""
    best_ts_ns: int | None
    best_equity: float
    recovery_ts_ns: int | None
    """The first row after the trough at or above the peak again (None: not recovered)."""
    sharpe: float | None
    per_year: float | None
    sortino: float | None
    exposed_rows: int
    """Rows with a gross exposure other than 0."""
    spark_equity: np.ndarray
    spark_drawdown: np.ndarray
    """Equity and drawdown at the rows a sparkline shows
    (:func:`~logos.reports.chart.downsample_rows`)."""
    chart_ts_ns: np.ndarray
    chart_equity: np.ndarray
    chart_drawdown: np.ndarray
    """Times, equity and drawdown fraction of the rows a chart draws (each bucket's lows and
    highs, :class:`~logos.reports.chart.CurveSampler`)."""


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
    curve: EquityCurve | None = field(default=None, compare=False, repr=False)
    """The pass over the account rows these numbers came from (the statistics and the charts
    read it instead of the rows again)."""


def closing_flags(fills: Iterable[Fill]) -> list[bool]:
    """For each fill, whether it reduced the position open in its symbol before it."""
    totals, flags = FillTotals(), []
    for fill in fills:
        closed = totals.closing
        totals.add(fill)
        flags.append(totals.closing > closed)
    return flags


class ExactSum:
    """The exact sum of every float added, rounded once when read: the same value however
    the floats were chunked or ordered (``math.fsum`` over all of them, kept between
    chunks as a few floats whose exact sum is the running total)."""

    __slots__ = ("_parts",)

    def __init__(self) -> None:
        self._parts: list[float] = []

    def add(self, values: np.ndarray) -> None:
        """Add finite ``values`` (a non-finite value is the caller's to check first)."""
        values = values[values != 0.0]  # a zero changes no sum (a flat bar's return is one)
        if not len(values):
            return
        terms = [*self._parts, *values.tolist()]
        parts: list[float] = []
        while True:  # peel the exact total into non-overlapping floats
            total = math.fsum(terms)
            if total == 0.0:
                break
            parts.append(total)
            terms.append(-total)
        self._parts = parts

    @property
    def value(self) -> float:
        """The sum, correctly rounded."""
        return math.fsum(self._parts)

    def fraction(self) -> Fraction:
        """The sum, exact."""
        return sum(map(Fraction, self._parts), Fraction(0))


def _add_squares(total: ExactSum, values: np.ndarray) -> None:
    """Add each value's square exactly: as its rounded square and the rounding error
    (Dekker's product, with Veltkamp's split)."""
    high = values * values
    spread = _SPLIT * values
    top = spread - (spread - values)
    rest = values - top
    total.add(high)
    total.add(((top * top - high) + 2.0 * top * rest) + rest * rest)


class _Returns:
    """Exact sums of the bar returns of an equity curve read in chunks: for the Sharpe
    ratio, (equity − previous) ÷ previous and its squares; for the Sortino ratio,
    equity ÷ previous − 1 and the squares of its losses."""

    __slots__ = ("_losses", "_prev", "_ratio", "_simple", "_squares", "count", "finite")

    def __init__(self) -> None:
        self.count = 0
        self.finite = True
        self._prev: float | None = None
        self._simple, self._squares = ExactSum(), ExactSum()
        self._ratio, self._losses = ExactSum(), ExactSum()

    def add(self, equity: np.ndarray) -> None:
        if not len(equity):
            return
        series = equity if self._prev is None else np.concatenate(([self._prev], equity))
        self._prev = float(equity[-1])
        before, after = series[:-1], series[1:]
        self.count += len(before)
        if not self.finite or not len(before):
            return
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            simple = (after - before) / before
            ratio = after / before - 1.0
        finite = bool(np.isfinite(simple).all() and np.isfinite(ratio).all())
        if not finite or max(np.abs(simple).max(), np.abs(ratio).max()) >= _TOO_LARGE:
            self.finite = False  # a zero equity: no ratio (or its square) is defined
            return
        self._simple.add(simple)
        _add_squares(self._squares, simple)
        self._ratio.add(ratio)
        _add_squares(self._losses, np.minimum(ratio, 0.0))

    def sharpe(self, per_year: float | None) -> float | None:
        """Mean ÷ sample standard deviation × √per_year (None when undefined)."""
        n = self.count
        if n < 2 or not per_year or not self.finite:
            return None
        total = self._simple.fraction()
        spread = self._squares.fraction() - total * total / n
        if spread <= 0:
            return None
        return float(total / n) / math.sqrt(float(spread / (n - 1))) * math.sqrt(per_year)

    def sortino(self, per_year: float | None) -> float | None:
        """Mean ÷ downside deviation (target 0) × √per_year (None when undefined)."""
        n = self.count
        if n < 2 or not per_year or not self.finite:
            return None
        downside = math.sqrt(float(self._losses.fraction() / n))
        if downside == 0.0:
            return None
        return float(self._ratio.fraction() / n) / downside * math.sqrt(per_year)


def _per_year(rows: int, first_ns: int | None, last_ns: int | None) -> float | None:
    """Observed rows per year: (rows − 1) ÷ elapsed years (None below three rows)."""
    if rows < 3 or first_ns is None or last_ns is None:
        return None
    elapsed = (last_ns - first_ns) / 1e9
    if elapsed <= 0:
        return None
    return (rows - 1) / (elapsed / SECONDS_PER_YEAR)


class _CurveReader:
    """Reads the account rows chunk by chunk and keeps only running values (see
    :func:`equity_curve`)."""

    def __init__(self, start: float, rows: int, points: int, spark_width: int) -> None:
        self.start = start
        self.rows = 0
        self.first_ts: int | None = None
        self.last_ts: int | None = None
        self.peak = start  # the running peak, starting cash first
        self.high, self.high_row, self.high_ts = -math.inf, -1, 0  # highest equity row yet
        self.depth, self.trough, self.trough_ts = -math.inf, -1, 0
        self.best, self.best_row, self.best_ts = -math.inf, -1, 0
        self.target = start  # the peak a recovery must reach
        self.recovery: int | None = None
        self.exposed = 0
        self.returns = _Returns()
        self.spark_rows = downsample_rows(rows, spark_width)
        self.spark: list[tuple[np.ndarray, np.ndarray]] = []
        self.sampler = CurveSampler(2, points)

    def add(self, ts: np.ndarray, equity: np.ndarray, gross: np.ndarray) -> None:
        n = len(equity)
        if not n:
            return
        g = self.rows
        if self.first_ts is None:
            self.first_ts = int(ts[0])
        self.last_ts = int(ts[-1])
        peaks = np.maximum.accumulate(np.concatenate(([self.peak], equity)))[1:]
        with np.errstate(divide="ignore", invalid="ignore"):
            falls = np.where(peaks > 0, (peaks - equity) / peaks, 0.0)
        self.peak = float(peaks[-1])
        i = int(np.argmax(falls))
        if float(falls[i]) > self.depth:
            self.depth, self.trough, self.trough_ts = float(falls[i]), g + i, int(ts[i])
            j = int(np.argmax(equity[: i + 1]))
            if float(equity[j]) > self.high:
                self.best, self.best_row, self.best_ts = float(equity[j]), g + j, int(ts[j])
            else:
                self.best, self.best_row, self.best_ts = self.high, self.high_row, self.high_ts
            self.target = self.best if self.best >= self.start else self.start
            self.recovery = None
            self._find_recovery(equity[i + 1 :], ts[i + 1 :])
        elif self.recovery is None and self.trough >= 0:
            self._find_recovery(equity, ts)
        k = int(np.argmax(equity))
        if float(equity[k]) > self.high:
            self.high, self.high_row, self.high_ts = float(equity[k]), g + k, int(ts[k])
        self.exposed += int(np.count_nonzero(gross))
        self.returns.add(equity)
        lo, hi = np.searchsorted(self.spark_rows, [g, g + n])
        if hi > lo:
            picks = self.spark_rows[lo:hi] - g
            self.spark.append((equity[picks], falls[picks]))
        self.sampler.add(ts, equity, falls)
        self.rows += n

    def _find_recovery(self, equity: np.ndarray, ts: np.ndarray) -> None:
        hits = np.flatnonzero(equity >= self.target)
        if len(hits):
            self.recovery = int(ts[hits[0]])

    def curve(self) -> EquityCurve:
        per_year = _per_year(self.rows, self.first_ts, self.last_ts)
        _, times, values = self.sampler.sample()
        spark = self.spark or [(np.zeros(0), np.zeros(0))]
        found = self.trough >= 0
        return EquityCurve(
            rows=self.rows,
            first_ts_ns=self.first_ts,
            last_ts_ns=self.last_ts,
            max_drawdown=self.depth if found else 0.0,
            trough_row=self.trough,
            trough_ts_ns=self.trough_ts if found else None,
            best_row=self.best_row,
            best_ts_ns=self.best_ts if self.best_row >= 0 else None,
            best_equity=self.best,
            recovery_ts_ns=self.recovery,
            sharpe=self.returns.sharpe(per_year),
            per_year=per_year,
            sortino=self.returns.sortino(per_year),
            exposed_rows=self.exposed,
            spark_equity=np.concatenate([s[0] for s in spark]),
            spark_drawdown=np.concatenate([s[1] for s in spark]),
            chart_ts_ns=times,
            chart_equity=values[:, 0],
            chart_drawdown=values[:, 1],
        )


def account_chunks(
    account: AccountHistory, columns: Sequence[str]
) -> Iterator[dict[str, np.ndarray]]:
    """The account rows' ``columns`` (``ts`` as int64 UTC ns, the others float64), a bounded
    chunk at a time: the history's own ``column_chunks`` when it has one, else slices of its
    whole columns."""
    reader: Any = getattr(account, "column_chunks", None)
    if reader is not None:
        yield from reader(tuple(columns))
        return
    whole = {c: account.ts_ns if c == "ts" else account.float_column(c) for c in columns}
    for begin in range(0, len(account), CHUNK_ROWS):
        yield {c: values[begin : begin + CHUNK_ROWS] for c, values in whole.items()}


def equity_curve(
    account: AccountHistory,
    start: Decimal,
    *,
    points: int = CHART_POINTS,
    spark_width: int = SPARK_WIDTH,
) -> EquityCurve:
    """Everything the reports need from the account rows, in one pass over bounded chunks:
    the max drawdown with its rows (running peak, starting cash first), the Sharpe and
    Sortino ratios (exact sums of the returns), the exposed rows, the sparkline's rows and
    a chart sample of at most about ``points`` rows per line."""
    reader = _CurveReader(float(start), len(account), points, spark_width)
    for chunk in account_chunks(account, ("ts", "equity", "gross_exposure")):
        reader.add(chunk["ts"], chunk["equity"], chunk["gross_exposure"])
    return reader.curve()


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
    """Annualised Sharpe of per-row returns and the slices-per-year used (None when
    undefined); the same numbers as :func:`equity_curve` gives for these rows."""
    per_year = _per_year(len(equity), *(int(ts_ns[i]) if len(ts_ns) else None for i in (0, -1)))
    if per_year is None:
        return None, None
    returns = _Returns()
    returns.add(np.asarray(equity, dtype=np.float64))
    return returns.sharpe(per_year), per_year


def sortino_ratio(equity: np.ndarray, per_year: float | None) -> float | None:
    """Mean bar return (equity ÷ previous − 1) ÷ downside deviation (target 0) ×
    √per_year; None when undefined (fewer than three rows, unknown frequency, no losing
    bar); the same number as :func:`equity_curve` gives."""
    if len(equity) < 3:
        return None
    returns = _Returns()
    returns.add(np.asarray(equity, dtype=np.float64))
    return returns.sortino(per_year)


def summarize(result: SessionResult) -> Summary:
    """The :class:`Summary` of a session result (computed once, then kept on the result)."""
    if isinstance(result.summary_cache, Summary):
        return result.summary_cache
    result.summary_cache = _summarize(result)
    return result.summary_cache


def _summarize(result: SessionResult) -> Summary:
    account = result.account
    start = result.starting_cash
    curve = equity_curve(account, start)
    final = account.decimal("equity", -1) if curve.rows else start
    dd, dd_row = curve.max_drawdown, curve.trough_row
    dd_money = Decimal(0)
    if dd_row >= 0 and dd > 0:
        peak = max(account.decimal("equity", curve.best_row), start)
        dd_money = subtract(peak, account.decimal("equity", dd_row))
    fills = result.counted_fills()
    closing, wins, fees = fills.closing, fills.wins, fills.fees
    statuses = result.counted_orders().statuses
    return Summary(
        starting_cash=start,
        final_equity=final,
        pnl=subtract(final, start),
        total_return=float(final / start - 1) if start else 0.0,
        max_drawdown=dd,
        max_drawdown_money=dd_money,
        sharpe=curve.sharpe,
        periods_per_year=curve.per_year,
        orders=len(result.orders),
        filled_orders=statuses.get(OrderStatus.FILLED, 0),
        rejected_orders=statuses.get(OrderStatus.REJECTED, 0),
        denied_orders=statuses.get(OrderStatus.DENIED, 0),
        fills=len(result.fills),
        closing_fills=closing,
        winning_fills=wins,
        win_rate=wins / closing if closing else None,
        fees=fees,
        dropped_intents=len(result.dropped_intents),
        guard_trips=len(result.guard_trips),
        restarts=result.restarts,
        slices=curve.rows,
        curve=curve,
    )


def utc_datetime(ns: int | np.integer) -> datetime:
    """Int64 UTC nanoseconds as a tz-aware datetime."""
    return pd.Timestamp(int(ns), tz="UTC").to_pydatetime()
