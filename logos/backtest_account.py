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

from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from logos.errors import LogosError
from logos.feeds.base import decimal_from_float
from logos.reports.numbers import DecimalColumn, ScaledColumn
from logos.reports.result import AccountTable

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


def _scale(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _unscaled(value: Decimal, scale: int) -> int:
    return int(value.scaleb(scale))


def exact_prices(values: np.ndarray) -> tuple[np.ndarray, int]:
    """``decimal_from_float`` of every float as unscaled int64 at one scale (and the scale)."""
    unique, inverse = np.unique(values, return_inverse=True)
    decimals = [decimal_from_float(v) for v in unique.tolist()]
    scale = max((_scale(d) for d in decimals), default=0)
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
    state_of_row = np.searchsorted(state_slices, np.arange(count), side="right") - 1
    prices = {m.symbol: exact_prices(m.close) for m in marks}
    qty_scale = {
        m.symbol: max([_scale(s.qty.get(m.symbol, Decimal(0))) for s in states]) for m in marks
    }
    money = [v for s in states for v in (s.cash, s.realized, s.fees, *s.cost.values())]
    scale = max(
        [_scale(v) for v in money] + [qty_scale[m.symbol] + prices[m.symbol][1] for m in marks]
    )
    bound = max(abs(_unscaled(v, scale)) for v in money)
    for m in marks:
        close_ints, close_scale = prices[m.symbol]
        top_qty = max(abs(s.qty.get(m.symbol, Decimal(0))) for s in states)
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
        return np.array([_unscaled(v, at) for v in values], dtype=dtype)[state_of_row]

    cash = per_state([s.cash for s in states], scale)
    net = np.zeros(count, dtype=dtype)
    gross = np.zeros(count, dtype=dtype)
    unrealized = np.zeros(count, dtype=dtype)
    for m in marks:
        close_ints, close_scale = prices[m.symbol]
        qs = qty_scale[m.symbol]
        qty = per_state([s.qty.get(m.symbol, Decimal(0)) for s in states], qs)
        if not np.any(qty):
            continue
        latest = np.searchsorted(m.slice_of_row, np.arange(count), side="right") - 1
        held = qty != 0
        if np.any(held & (latest < 0)):
            raise LogosError(f"{m.symbol}: a position before the symbol's first bar")
        mark = close_ints.astype(dtype)[np.maximum(latest, 0)]
        value = qty * mark * (10 ** (scale - qs - close_scale))
        cost = per_state([s.cost.get(m.symbol, Decimal(0)) for s in states], scale)
        net = net + value
        gross = gross + np.abs(value)
        unrealized = unrealized + np.where(held, value - cost, 0)
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
        "drawdown": DecimalColumn(_drawdowns(peak, equity)),
    }
    return AccountTable(np.asarray(ts_ns, dtype=np.int64), columns)


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
    values = [
        Decimal(b) / Decimal(p) if b and p > 0 else zero
        for b, p in zip(below[starts].tolist(), peak[starts].tolist(), strict=True)
    ]
    runs = np.empty(len(values), dtype=object)
    runs[:] = values
    return runs[np.cumsum(change) - 1]
