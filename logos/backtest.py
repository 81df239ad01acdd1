"""The vectorized backtest: the engine's loop, visiting only the slices where something can
happen, with signals precomputed on the whole series.

It produces the same orders, fills and account rows as :meth:`logos.engine.Engine.run_stepwise`
on the same data (the parity tests compare the artifacts byte for byte), because it skips a
(slice, symbol) only when the bar-by-bar loop provably does nothing there:

- the broker is called for a symbol's bar (``on_bar``) only while that symbol has working
  orders; without working orders ``on_bar`` cannot fill anything;
- sizing runs at a symbol's bar when its signal changed (NaN → value included), when the
  previous evaluation emitted, dropped or denied something, when the symbol had working
  orders or fills, or always when the sizing rule depends on price or equity (anything but
  ``fixed_qty`` without ``max_position_notional``). Otherwise the translator would compute
  the same zero delta as at the symbol's last evaluation (same signal, position, working
  quantity) and emit nothing;
- before sizing runs, every symbol is marked at its latest close, so the broker's acceptance
  checks see the same marks, equity and exposure as in the bar-by-bar loop;
- account rows come from :mod:`logos.backtest_account`, exact between fills;
- journal sequence numbers count the skipped slices, so client order ids agree.

It needs a session without a journal and without post-trade guards (those must see every
slice); :func:`can_vectorize` says whether a session qualifies.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

import numpy as np
import pandas as pd

from logos.backtest_account import LedgerState, SymbolMarks, account_table
from logos.domain import Account, Bar, Position
from logos.engine import Engine, ProgressCallback, RiskHooks
from logos.errors import DataError
from logos.feeds.base import decimal_from_float
from logos.reports.result import SessionResult
from logos.strategies.base import BAR_COLUMNS

_NEVER = np.iinfo(np.int64).max


def can_vectorize(engine: Engine) -> bool:
    """True when the session may skip slices: no journal, no post-trade guards."""
    parts = engine.parts
    guards_noop = type(parts.risk).post_trade is RiskHooks.post_trade
    return not parts.journal.enabled and guards_noop


def _signal_only(engine: Engine) -> bool:
    translator = engine.translator
    return translator.rule == "fixed_qty" and translator.params.max_position_notional is None


class _Symbol:
    """One symbol's bars, signals and where the loop has to visit it."""

    def __init__(self, name: str, frame: pd.DataFrame, signals: np.ndarray, timeline: np.ndarray):
        self.name = name
        self.values = frame[list(BAR_COLUMNS)].to_numpy(dtype=np.float64)
        self.stamps = frame.index
        self.slice_of_row = np.searchsorted(timeline, frame.index.asi8)
        self.signals = signals
        self.nan = np.isnan(signals)
        previous = np.concatenate(([np.nan], signals[:-1]))
        same = (signals == previous) | (self.nan & np.isnan(previous))
        self.changed = ~same & ~self.nan
        self.pointer = 0
        self.last_row = -1
        self.dirty = False

    def bar(self, row: int, ts: datetime) -> Bar:
        o, h, lo, c, v = (decimal_from_float(x) for x in self.values[row].tolist())
        return Bar(self.name, ts, o, h, lo, c, v)

    def close(self, row: int) -> Decimal:
        return decimal_from_float(float(self.values[row, 3]))


def run_vectorized(
    engine: Engine,
    frames: dict[str, pd.DataFrame],
    *,
    gaps: int = 0,
    progress: ProgressCallback | None = None,
) -> SessionResult:
    """Run ``frames`` (one validated bar frame per symbol) through ``engine``."""
    parts = engine.parts
    if not can_vectorize(engine):
        raise DataError("this session needs the bar-by-bar loop (journal or post-trade guards)")
    symbols = parts.symbols
    timeline = np.unique(np.concatenate([frames[s].index.asi8 for s in symbols]))
    stamps = pd.DatetimeIndex(timeline, tz="UTC")
    book: list[_Symbol] = []
    for name in symbols:
        frame = frames[name]
        signals = parts.strategies[name].signals(frame).to_numpy(dtype=np.float64)
        if len(signals) != len(frame):
            raise DataError(
                f"strategy for {name} returned {len(signals)} signals for {len(frame)} bars"
            )
        book.append(_Symbol(name, frame, signals, timeline))
    every_bar = not _signal_only(engine)
    candidates = [s.changed if not every_bar else ~s.nan for s in book]
    eval_rows = [np.flatnonzero(c) for c in candidates]
    broker = engine.broker
    start = broker.account()
    states = [LedgerState(-1, start.cash, start.realized_pnl, start.fees, {}, {})]
    working: set[str] = set()
    last_slice = -1

    def next_slice(index: int) -> int:
        sym = book[index]
        rows = eval_rows[index]
        nxt = _NEVER
        while sym.pointer < len(rows) and rows[sym.pointer] <= sym.last_row:
            sym.pointer += 1
        if sym.pointer < len(rows):
            nxt = int(sym.slice_of_row[rows[sym.pointer]])
        follow = sym.last_row + 1
        if (sym.dirty or sym.name in working) and follow < len(sym.slice_of_row):
            nxt = min(nxt, int(sym.slice_of_row[follow]))
        return nxt

    upcoming = [next_slice(i) for i in range(len(book))]
    while True:
        current = min(upcoming)
        if current == _NEVER:
            break
        ts = stamps[current].to_pydatetime()
        engine.seq += current - last_slice - 1
        here = []
        for index, sym in enumerate(book):
            row = int(np.searchsorted(sym.slice_of_row, current))
            if row < len(sym.slice_of_row) and sym.slice_of_row[row] == current:
                here.append((index, sym, row))
        engine.journal_slice(ts, [], [])
        filled = False
        for _, sym, row in here:
            if sym.name in working:
                before = len(engine.fills)
                engine.on_bar(sym.bar(row, ts))
                if len(engine.fills) > before:
                    filled = True
                    sym.dirty = True
        account = broker.mark_prices(_latest_closes(book, current), ts=ts)
        engine.journal_broker_events()
        if filled:
            states.append(_ledger_state(current, account, broker.positions()))
        for index, sym, row in here:
            due = sym.dirty or sym.name in working or bool(candidates[index][row])
            signal = float(sym.signals[row])
            sym.dirty = due and engine.evaluate(sym.name, signal, sym.close(row), ts, account)
            sym.last_row = row
        working = {o.symbol for o in broker.working_orders()}
        for _, sym, _ in here:
            if sym.name in working:
                sym.dirty = True
        for index in range(len(book)):
            upcoming[index] = next_slice(index)
        last_slice = current
        if progress is not None:
            progress(current + 1, len(timeline))
    final_ts = stamps[-1].to_pydatetime()
    broker.mark_prices(_latest_closes(book, len(timeline) - 1), ts=final_ts)
    engine.journal_broker_events()
    engine.seq += len(timeline) - 1 - last_slice
    marks = [SymbolMarks(s.name, s.slice_of_row, s.values[:, 3]) for s in book]
    table = account_table(timeline, marks, states, start.cash)
    bars = sum(len(frames[s]) for s in symbols)
    return engine.result(table, bars, gaps)


def _latest_closes(book: Sequence[_Symbol], current: int) -> dict[str, Decimal]:
    closes = {}
    for sym in book:
        row = int(np.searchsorted(sym.slice_of_row, current, side="right")) - 1
        if row >= 0:
            closes[sym.name] = sym.close(row)
    return closes


def _ledger_state(index: int, account: Account, positions: list[Position]) -> LedgerState:
    qty = {p.symbol: p.qty for p in positions}
    cost = {
        p.symbol: (
            p.qty * p.last_price - p.unrealized_pnl
            if p.qty and p.last_price is not None
            else Decimal(0)
        )
        for p in positions
    }
    return LedgerState(index, account.cash, account.realized_pnl, account.fees, qty, cost)
