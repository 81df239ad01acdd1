"""account.csv of a vectorized backtest, computed exactly without a Decimal per row.

Between fills, cash, realized PnL, fees, and each symbol's quantity and lot cost are constant;
only the marks (the last close of every symbol) move. So every money column is an integer
combination of per-state values and per-row closes at one common decimal scale:

- market value ``mv_s = qty_s × close_s``; net = Σ mv_s; gross = Σ |mv_s|
- unrealized = Σ (mv_s − cost_s), where ``cost_s = Σ lot qty × lot price`` of the open lots
- equity = cash + net; peak = max(starting cash, running max of equity)
- drawdown = (peak − equity) / peak, in Decimal with the current context, exactly as
  the broker's ledger computes it (only rows below the peak need a division)

These are the ledger's own formulas (``logos.brokers.accounting``), evaluated in exact integer
arithmetic (int64 when every value provably fits, Python ints otherwise), so each value
equals the Decimal the bar-by-bar loop computes; the parity tests check it byte for byte.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from logos.domain import Fill
from logos.errors import LogosError
from logos.feeds.base import decimal_from_float
from logos.reports.numbers import DecimalColumn, ScaledColumn, TextColumn
from logos.reports.ratio_text import ratio_text
from logos.reports.result import AccountTable

ZERO = Decimal(0)
_SAFE = 2**62
_MAX_DIGITS = 27  # below the 28 digits of the default Decimal context: no rounding there


@dataclass(frozen=True)
class LedgerState:
    """The account after the fills of one slice (``slice_index`` -1: the starting state)."""

    slice_index: int
    cash: Decimal
    realized: Decimal
    fees: Decimal
    qty: dict[str, Decimal]
    cost: dict[str, Decimal]


class FillLedger:
    """Cash, fees, realized PnL, positions and lot cost tracked from fills, booked with the
    broker ledger's formulas (``logos.brokers.accounting``): cash −= signed qty × price + fee;
    the cost of the open lots after a fill = cost + signed qty × price + the fill's realized
    PnL (the closed lots' cost is price × closed qty − realized PnL)."""

    def __init__(self, cash: Decimal, symbols: list[str]) -> None:
        self.cash, self.realized, self.fees = cash, ZERO, ZERO
        self.position = dict.fromkeys(symbols, ZERO)
        self.cost = dict.fromkeys(symbols, ZERO)

    def book(self, fill: Fill) -> None:
        """Book one fill."""
        signed = fill.qty * fill.side.sign
        self.cash += -signed * fill.price - fill.fee
        self.fees += fill.fee
        self.realized += fill.realized_pnl
        self.position[fill.symbol] += signed
        self.cost[fill.symbol] += signed * fill.price + fill.realized_pnl

    def state(self, index: int) -> LedgerState:
        """The current state, as of slice ``index``."""
        return LedgerState(
            index, self.cash, self.realized, self.fees, dict(self.position), dict(self.cost)
        )


def _scale(value: Decimal) -> int:
    """Fractional digits of ``value`` as stored (an upper bound of what it needs)."""
    exponent = value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _max_scale(values: list[Decimal]) -> int:
    """A scale at which every value is an integer. The series come from ``FillLedger``'s
    additions, and a Decimal sum keeps the smaller exponent, so the stored scale never
    shrinks along a series: its last value's bounds all. ``_unscaled`` checks it anyway."""
    return max((_scale(v) for v in (values[0], values[-1])), default=0) if values else 0


def _unscaled(value: Decimal, scale: int) -> int:
    scaled = value.scaleb(scale)
    integer = int(scaled)
    if integer != scaled:
        raise LogosError(f"internal: {value} is not a multiple of 10^-{scale}")
    return integer


def exact_prices(values: np.ndarray) -> tuple[np.ndarray, int]:
    """``decimal_from_float`` of every float as unscaled int64 at one scale (and the scale).

    Fast path: the smallest scale k ≤ 12 at which every ``round(x·10^k) / 10^k == x`` with
    fewer than 15 significant digits. Such a decimal is the only one of ≤ 15 digits that rounds
    to ``x``, so it is exactly ``Decimal(repr(x))``. Otherwise each distinct value goes
    through ``decimal_from_float``.
    """
    finite = np.isfinite(values).all()
    for scale in range(13) if finite else ():
        ints = np.round(values * 10.0**scale)
        if np.all(ints / 10.0**scale == values) and np.all(np.abs(ints) < 1e15):
            return ints.astype(np.int64), scale
    unique, inverse = np.unique(values, return_inverse=True)
    decimals = [decimal_from_float(v) for v in unique.tolist()]
    scale = max((_scale(d.normalize()) for d in decimals), default=0)
    ints = [_unscaled(d, scale) for d in decimals]
    if max((abs(i) for i in ints), default=0) >= _SAFE:
        raise LogosError("prices too large for the vectorized account; use --stepwise")
    return np.array(ints, dtype=np.int64)[inverse.reshape(-1)], scale


@dataclass(frozen=True)
class SymbolMarks:
    """One symbol's closes on the session timeline: row of its latest bar per slice."""

    symbol: str
    slice_of_row: np.ndarray
    close: np.ndarray


def account_table(
    ts_ns: np.ndarray,
    marks: list[SymbolMarks],
    states: list[LedgerState],
    starting_cash: Decimal,
) -> AccountTable:
    """One exact account row per slice of ``ts_ns`` from the ledger states and the closes."""
    count = len(ts_ns)
    state_slices = np.array([s.slice_index for s in states], dtype=np.int64)
    state_of_row = _index_at_or_before(state_slices, count)
    prices = {m.symbol: exact_prices(m.close) for m in marks}
    qtys = {m.symbol: [s.qty.get(m.symbol, ZERO) for s in states] for m in marks}
    costs = {m.symbol: [s.cost.get(m.symbol, ZERO) for s in states] for m in marks}
    qty_scale = {symbol: _max_scale(values) for symbol, values in qtys.items()}
    series = [[s.cash for s in states], [s.realized for s in states], [s.fees for s in states]]
    series += list(costs.values())
    money = [v for values in series for v in values]
    scale = max(
        [_max_scale(values) for values in series]
        + [qty_scale[m.symbol] + prices[m.symbol][1] for m in marks]
    )
    bound = _unscaled(max(max(money), -min(money)), scale)
    for m in marks:
        close_ints, close_scale = prices[m.symbol]
        top_qty = max(abs(v) for v in set(qtys[m.symbol]))
        top_close = int(np.max(np.abs(close_ints))) if len(close_ints) else 0
        bound += (
            _unscaled(top_qty, qty_scale[m.symbol])
            * top_close
            * 10 ** (scale - qty_scale[m.symbol] - close_scale)
        )
    dtype: type = np.int64 if bound * 4 < _SAFE else object
    if bound >= 10**_MAX_DIGITS:
        raise LogosError("account values exceed 27 digits; use --stepwise for exact Decimals")

    def per_state(values: list[Decimal], at: int) -> np.ndarray:
        ints = []
        known: dict[Decimal, int] = {}  # a symbol's qty and cost repeat while others trade
        for value in values:
            integer = known.get(value)
            if integer is None:
                scaled = value.scaleb(at)
                integer = known[value] = int(scaled)
                if integer != scaled:
                    raise LogosError(f"internal: {value} is not a multiple of 10^-{at}")
            ints.append(integer)
        return np.array(ints, dtype=dtype)[state_of_row]

    cash = per_state([s.cash for s in states], scale)
    net = np.zeros(count, dtype=dtype)
    gross = np.zeros(count, dtype=dtype)
    unrealized = np.zeros(count, dtype=dtype)
    for m in marks:
        close_ints, close_scale = prices[m.symbol]
        qs = qty_scale[m.symbol]
        qty = per_state(qtys[m.symbol], qs)
        if not np.any(qty):
            continue
        held = qty != 0
        if len(m.slice_of_row) == count:  # a bar in every slice: the closes are the marks
            mark = close_ints.astype(dtype, copy=False)
        else:
            latest = _index_at_or_before(m.slice_of_row, count)
            if np.any(held & (latest < 0)):
                raise LogosError(f"{m.symbol}: a position before the symbol's first bar")
            mark = close_ints.astype(dtype)[np.maximum(latest, 0)]
        value = qty * mark
        factor = 10 ** (scale - qs - close_scale)
        if factor != 1:
            value *= factor
        net += value
        gross += np.abs(value)
        value -= per_state(costs[m.symbol], scale)
        value[~held] = 0
        unrealized += value
    equity = cash + net
    start = _unscaled(starting_cash, scale)
    peak = np.maximum.accumulate(np.concatenate((np.array([start], dtype=dtype), equity)))[1:]
    columns = {
        "cash": ScaledColumn(cash, scale),
        "equity": ScaledColumn(equity, scale),
        "gross_exposure": ScaledColumn(gross, scale),
        "net_exposure": ScaledColumn(net, scale),
        "realized_pnl": ScaledColumn(per_state([s.realized for s in states], scale), scale),
        "unrealized_pnl": ScaledColumn(unrealized, scale),
        "fees": ScaledColumn(per_state([s.fees for s in states], scale), scale),
        "drawdown": _drawdown_column(peak, equity),
    }
    return AccountTable(np.asarray(ts_ns, dtype=np.int64), columns)


def _index_at_or_before(starts: np.ndarray, count: int) -> np.ndarray:
    """For each row 0..count-1, the index of the last ``starts`` entry ≤ row (-1 before the
    first); ``starts`` is strictly increasing."""
    if len(starts) == count and (count == 0 or (starts[0] == 0 and starts[-1] == count - 1)):
        return np.arange(count)  # one entry per row
    return np.searchsorted(starts, np.arange(count), side="right") - 1


def _drawdown_column(peak: np.ndarray, equity: np.ndarray) -> TextColumn | DecimalColumn:
    """The drawdown column: exact text from vectorized long division when it applies
    (``logos.reports.ratio_text``), else one Decimal division per run of equal rows."""
    if peak.dtype == np.int64 and len(peak) and np.all(peak > 0) and np.all(equity >= 0):
        below = peak - equity
        change = np.ones(len(below), dtype=bool)
        change[1:] = (below[1:] != below[:-1]) | (peak[1:] != peak[:-1])
        starts = np.flatnonzero(change)
        text = ratio_text(below[starts], peak[starts])
        if text is not None:
            run = np.cumsum(change) - 1
            floats = below / peak
            return TextColumn(pc.take(text, pa.array(run)), floats)
    return DecimalColumn(_drawdowns(peak, equity))


def _drawdowns(peak: np.ndarray, equity: np.ndarray) -> np.ndarray:
    """(peak − equity) / peak per row as Decimal (0 at a new high), one division per run of
    equal rows. Both are unscaled integers at one scale, so their ratio is the ratio of the
    money values; ``Decimal(int)`` is exact and the division rounds as the ledger's does."""
    zero = Decimal(0)
    if len(equity) == 0:
        return np.empty(0, dtype=object)
    below = peak - equity
    change = np.ones(len(equity), dtype=bool)
    change[1:] = (below[1:] != below[:-1]) | (peak[1:] != peak[:-1])
    starts = np.flatnonzero(change)
    runs = np.full(len(starts), zero, dtype=object)
    falling = np.flatnonzero((below[starts] != 0) & (peak[starts] > 0))
    runs[falling] = list(
        map(
            operator.truediv,
            map(Decimal, below[starts][falling].tolist()),
            map(Decimal, peak[starts][falling].tolist()),
        )
    )
    return runs[np.cumsum(change) - 1]
