"""The vectorized backtest: the engine's loop, visiting only the slices where something can
happen, with signals precomputed on the whole series.

It produces the same orders, fills and account rows as :meth:`logos.engine.Engine.run_stepwise`
on the same data (the parity tests compare the artifacts byte for byte), because it skips a
(slice, symbol) only when the bar-by-bar loop provably does nothing there:

- the broker is called for a symbol's bar (``on_bar``) only while that symbol has working
  orders; without working orders ``on_bar`` cannot fill anything;
- sizing runs at a symbol's bar when its signal changed (NaN → value included), when the
  symbol has working orders, when its last evaluation dropped something, or when its
  position differs from the target of its last evaluation (a rejected, denied or truncated
  order); and at every bar when the sizing rule depends on price or equity (anything but
  ``fixed_qty`` without ``max_position_notional``). Otherwise the translator would compute
  target − position − working = 0, as at the last evaluation, and emit nothing;
- before sizing runs, every symbol is marked at its latest close, so the broker's acceptance
  checks see the same marks, equity and exposure as in the bar-by-bar loop;
- position, cash, fees, realized PnL and lot cost are tracked from the fills with the
  ledger's formulas (cost after a fill = cost + signed qty × price + realized PnL), and
  account rows come from :mod:`logos.backtest_account`, exact between fills;
- journal sequence numbers count the skipped slices, so client order ids agree;
- when quantities may leave a short decimal grid (:func:`exact_account_possible` is false:
  ``fixed_notional``/``percent_equity`` or caps without lot sizes), the ledger's 28-digit
  Decimal rounding cannot be reproduced from integers, so the broker is marked at every slice
  and its own Account rows are used (same rows, slower).

It needs a session without a journal and without post-trade guards (those must see every
slice); :func:`can_vectorize` says whether a session qualifies. Reporters' ``on_slice`` is not
called here; they get the whole result at the end.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import numpy as np
import pandas as pd

from logos.backtest_account import FillLedger, SymbolMarks, account_table
from logos.domain import Bar
from logos.engine import Engine, ProgressCallback, RiskHooks
from logos.errors import DataError
from logos.feeds.base import decimal_from_float
from logos.reports.result import ACCOUNT_COLUMNS, AccountTable, SessionResult
from logos.strategies.base import BAR_COLUMNS

_NEVER = np.iinfo(np.int64).max
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ZERO = Decimal(0)


def can_vectorize(engine: Engine) -> bool:
    """True when the session may skip slices: no journal, no post-trade guards."""
    parts = engine.parts
    guards_noop = type(parts.risk).post_trade is RiskHooks.post_trade
    return not parts.journal.enabled and guards_noop


def signal_only_sizing(engine: Engine) -> bool:
    """True when the sizing target depends on the signal alone (not on price or equity)."""
    translator = engine.translator
    return translator.rule == "fixed_qty" and translator.params.max_position_notional is None


def exact_account_possible(engine: Engine) -> bool:
    """True when every quantity stays on a short decimal grid, so account rows can be computed
    exactly from integers: every symbol has a lot size, or sizing is ``fixed_qty`` without
    caps. Otherwise quantities may carry 28 significant digits, the ledger's Decimal context
    rounds, and the backtest marks the broker at every slice instead (same rows, slower)."""
    translator = engine.translator
    params = translator.params
    uncapped = params.max_position_notional is None and params.max_order_notional is None
    if translator.rule == "fixed_qty" and uncapped:
        return True
    metas = translator.metas
    return all(
        (meta := metas.get(s)) is not None and meta.lot_size is not None
        for s in engine.parts.symbols
    )


def utc_datetime(ns: int) -> datetime:
    """A UTC datetime from nanoseconds since the epoch (microsecond precision, like pandas)."""
    return _EPOCH + timedelta(microseconds=ns // 1000)


class _Symbol:
    """One symbol's bars and signals, and what the loop knows about it."""

    def __init__(
        self, name: str, frame: pd.DataFrame, signals: np.ndarray, timeline: np.ndarray
    ) -> None:
        self.name = name
        self.values = frame[list(BAR_COLUMNS)].to_numpy(dtype=np.float64)
        self.closes = np.ascontiguousarray(self.values[:, 3])
        self.slice_of_row = np.searchsorted(timeline, frame.index.asi8)
        self.dense = len(self.slice_of_row) == len(timeline)
        self._prices: dict[float, Decimal] = {}
        self.signals = signals
        self.nan = np.isnan(signals)
        previous = np.concatenate(([np.nan], signals[:-1]))
        same = (signals == previous) | (self.nan & np.isnan(previous))
        self.changed = ~same & ~self.nan
        self.eval_rows: list[int] = np.flatnonzero(self.changed).tolist()
        self.rows = len(self.slice_of_row)
        self.pointer = 0
        self.row = -1
        self.follow = False
        self.target: Decimal | None = None
        self.dropped = False

    def _exact(self, value: float) -> Decimal:
        """``decimal_from_float`` (what the replay feed's Bars hold), once per distinct value."""
        price = self._prices.get(value)
        if price is None:
            price = self._prices[value] = decimal_from_float(value)
        return price

    def bar(self, row: int, ts: datetime) -> Bar:
        o, h, lo, c, v = self.values[row].tolist()
        exact = self._exact
        return Bar(self.name, ts, exact(o), exact(h), exact(lo), exact(c), exact(v))

    def close(self, row: int) -> Decimal:
        return self._exact(self.closes.item(row))

    def row_at(self, index: int) -> int:
        """This symbol's row in slice ``index``, or -1."""
        if self.dense:
            return index
        row = int(np.searchsorted(self.slice_of_row, index))
        if row < len(self.slice_of_row) and self.slice_of_row[row] == index:
            return row
        return -1

    def slice_of(self, row: int) -> int:
        """The slice of this symbol's ``row``."""
        return row if self.dense else int(self.slice_of_row[row])

    def next_visit(self) -> int:
        """The next slice where the loop must look at this symbol."""
        rows, pointer, row = self.eval_rows, self.pointer, self.row
        end = len(rows)
        while pointer < end and rows[pointer] <= row:
            pointer += 1
        self.pointer = pointer
        nxt = self.slice_of(rows[pointer]) if pointer < end else _NEVER
        if self.follow and row + 1 < self.rows:
            nxt = min(nxt, self.slice_of(row + 1))
        return nxt


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
    timeline = _union([frames[s].index.asi8 for s in symbols])
    if len(timeline) == 0:
        raise DataError(f"no bars for {', '.join(symbols)}")
    book: list[_Symbol] = []
    for name in symbols:
        frame = frames[name]
        signals = parts.strategies[name].signals(frame).to_numpy(dtype=np.float64)
        if len(signals) != len(frame):
            raise DataError(
                f"strategy for {name} returned {len(signals)} signals for {len(frame)} bars"
            )
        book.append(_Symbol(name, frame, signals, timeline))
    every_bar = not signal_only_sizing(engine)
    if every_bar:
        for sym in book:
            sym.eval_rows = np.flatnonzero(~sym.nan).tolist()
    broker = engine.broker
    ledger = FillLedger(broker.account().cash, list(symbols))
    position = ledger.position
    states = [ledger.state(-1)]
    working: set[str] = set()
    upcoming = [s.next_visit() for s in book]
    last_slice = -1
    every_slice = not exact_account_possible(engine)
    stamps: list[datetime] = []
    rows: dict[str, list[Decimal]] = {c: [] for c in ACCOUNT_COLUMNS}
    while True:
        current = min(upcoming)
        if every_slice:
            current = min(current, last_slice + 1)
        if current >= len(timeline):
            break
        ts = utc_datetime(int(timeline[current]))
        engine.seq += current - last_slice  # one slice record each (the journal is off here)
        # Only symbols due here can fill or size: any other symbol with a bar in this slice
        # has no working order, no pending target and no signal change (see module doc).
        here = [(i, s, s.row_at(current)) for i, s in enumerate(book) if upcoming[i] == current]
        if working:
            fills_before = len(engine.fills)
            for _, sym, row in here:
                if sym.name in working:
                    engine.on_bar(sym.bar(row, ts))
            engine.journal_broker_events()
            new_fills = engine.fills[fills_before:]
            for fill in new_fills:
                ledger.book(fill)
            if new_fills:
                states.append(ledger.state(current))
            working = set(engine.working.values())
        due = [
            (sym, row)
            for _, sym, row in here
            if not sym.nan[row]
            and (
                every_bar
                or sym.changed[row]
                or sym.dropped
                or sym.name in working
                or position[sym.name] != sym.target
            )
        ]
        if due or every_slice:
            account = broker.mark_prices(_latest_closes(book, current), ts=ts)
        if every_slice:
            stamps.append(ts)
            for name in ACCOUNT_COLUMNS:
                rows[name].append(getattr(account, name))
        if due:
            for sym, row in due:
                result = engine.evaluate(
                    sym.name,
                    float(sym.signals[row]),
                    sym.close(row),
                    ts,
                    account,
                    position=(position[sym.name], _working_qty(engine, sym.name, working)),
                )
                assert result is not None
                sym.target, sym.dropped = result.target_qty, bool(result.dropped)
            working = set(engine.working.values())
        for index, sym, row in here:
            sym.row = row
            sym.follow = (
                sym.name in working
                or sym.dropped
                or (sym.target is not None and position[sym.name] != sym.target)
            )
            upcoming[index] = sym.next_visit()
        last_slice = current
        if progress is not None:
            progress(current + 1, len(timeline))
    broker.mark_prices(_latest_closes(book, len(timeline) - 1), ts=utc_datetime(int(timeline[-1])))
    engine.seq += len(timeline) - 1 - last_slice
    if progress is not None:
        progress(len(timeline), len(timeline))
    if every_slice:
        table = AccountTable.from_rows(stamps, rows)
    else:
        marks = [SymbolMarks(s.name, s.slice_of_row, s.closes) for s in book]
        table = account_table(timeline, marks, states, states[0].cash)
    bars = sum(len(frames[s]) for s in symbols)
    return engine.result(table, bars, gaps)


def _working_qty(engine: Engine, symbol: str, working: set[str]) -> Decimal:
    if symbol not in working:
        return ZERO
    return sum(
        (
            o.remaining_qty * o.side.sign
            for o in engine.broker.working_orders()
            if o.symbol == symbol
        ),
        ZERO,
    )


def _latest_closes(book: Sequence[_Symbol], current: int) -> dict[str, Decimal]:
    closes = {}
    for sym in book:
        if sym.dense:
            closes[sym.name] = sym.close(current)
            continue
        row = int(np.searchsorted(sym.slice_of_row, current, side="right")) - 1
        if row >= 0:
            closes[sym.name] = sym.close(row)
    return closes


def _union(stamps: list[np.ndarray]) -> np.ndarray:
    """Sorted distinct timestamps of all symbols (each array is already strictly increasing)."""
    if len(stamps) == 1:
        return stamps[0]
    merged = np.sort(np.concatenate(stamps))
    keep = np.ones(len(merged), dtype=bool)
    keep[1:] = merged[1:] != merged[:-1]
    return merged[keep]
