"""The session loop: one engine for backtest, paper, dry-run and live (docs/backtest.md).

For each time slice (the closed bars of every symbol sharing one timestamp), in this order:

1. the feed yields the slice; it is journaled (one ``slice`` record, carrying any feed
   events such as gaps);
2. the broker matches working orders against each new bar (:meth:`Broker.on_bar`);
3. the broker marks the account at the closes (:meth:`Broker.mark`); every order event and
   fill is journaled;
4. post-trade guards run (:meth:`RiskHooks.post_trade`; :mod:`logos.risk`), and may change
   the trading state — while it is HALTED nothing is sized at step 6;
5. each symbol's strategy gives its signal for the bar just closed;
6. sizing (:class:`~logos.sizing.OrderTranslator`) turns it into an intent; pre-trade guards
   approve, clip or deny it (:meth:`RiskHooks.pre_trade`); a denial is a DENIED order, not
   repeated while nothing changes (same symbol, side and guard as the symbol's last one);
7. the broker accepts the order (every order event journaled as it happens);
8. reporters are notified (:meth:`~logos.reports.Reporter.on_slice`), the account row is
   recorded and the journal may snapshot (:meth:`Journal.after_slice`); when the guards ask
   to stop (the kill switch) and none of their own orders is working, the session ends.

The broker is the only accountant: account rows, positions and PnL are what it returns,
every slice, in every mode. Nothing is skipped that could change what happens; the
shortcuts below only avoid work whose result is known:

- signals come from the strategy's :meth:`~logos.strategies.base.Strategy.update` bar by bar,
  or, when the caller passes them (a backtest over a replay feed), from ``signals()``
  computed on the whole series, chunk by chunk as the feed reads it — the same numbers,
  which the strategy contract checks;
- sizing for a symbol is skipped while its signal is unchanged, nothing of it is working,
  no fill changed its position, no order of it ended unfilled (canceled, expired, cut,
  rejected) and the last sizing left nothing to do, when the sizing rule depends on the
  signal alone (``fixed_qty`` without ``max_position_notional``): the translator would
  compute target − position − working = 0 again and emit nothing;
- reporters whose ``on_slice`` and risk hooks whose ``post_trade`` are the base class's
  no-op are not called, and the journal is not asked to record when it is disabled.

Protective exits (docs/orders.md): an entry carries the bracket the strategy's protection (over
the config's ``[exits]``) asks for, and the broker arms its legs when it fills. The legs are
reduce-only: they are not "working toward the target" in sizing, and when one closes a
position the symbol is not sized again until its signal changes.

What the session produced leaves memory as it goes: fills, and orders once they end, go to
disk-backed spools (:mod:`logos.reports.spool`), and the broker is told to forget the orders
that ended (:meth:`Broker.release_orders`), so a session's memory does not grow with its
number of orders: at the end of the slice they ended in, or, when the journal takes
snapshots (a restart starts from the latest), when it takes the next one
(:meth:`Engine.release_ended`).

One strategy instance per symbol: a strategy sees one symbol's bars, as its contract says.
Symbols within a slice are handled in the configured order.

The journal sequence (:attr:`Engine.seq`) advances by one per slice, per broker event, per
dropped or denied intent and per risk record (:meth:`Engine.record_event`); the client order
id of an intent is made from the session id and the sequence number its NEW event gets, so a
resent order after a restart is recognisable.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import numpy as np

from logos.brokers.base import Broker, BrokerEvent
from logos.brokers.brackets import exit_kind
from logos.domain import (
    Account,
    Bar,
    Event,
    Fill,
    Order,
    OrderIntent,
    OrderStatus,
    OrderType,
    Side,
    TimeInForce,
)
from logos.engine_hooks import Journal, NullJournal, RiskHooks
from logos.errors import LogosError
from logos.feeds.base import Feed, parse_timeframe
from logos.lifecycle import OrderEvent, created, order_from_intent, transition
from logos.money import add
from logos.reports import AccountHistory, Reporter
from logos.reports.account_history import ACCOUNT_COLUMNS
from logos.reports.fill_totals import FillTotals
from logos.reports.order_counts import OrderCounts
from logos.reports.result import DroppedIntent, SessionResult
from logos.reports.spool import KeyedSpool, Spool
from logos.reports.statistics import is_exit_order
from logos.risk.guard import SessionInfo
from logos.sizing import OrderTranslator, TranslationResult, make_client_order_id
from logos.strategies.atr import WilderAtr
from logos.strategies.base import Strategy
from logos.strategies.targets import (
    Entry,
    Protection,
    Target,
    exposure_of,
    signal_from_json,
    signal_to_json,
)

ZERO = Decimal(0)
_WORKING = frozenset(s for s in OrderStatus if s.is_working)
_ACCOUNT_RECORD = (*ACCOUNT_COLUMNS, "peak_equity")
PROGRESS_EVERY = 4096
"""Slices between two progress callbacks (a callback costs more than a slice)."""
STOP_WAIT_SLICES = 10
"""Slices a stop (the kill switch) waits at most for the guards' flatten orders to finish."""

__all__ = [
    "Engine",
    "Journal",
    "NullJournal",
    "ProgressCallback",
    "RiskHooks",
    "SessionParts",
]


@dataclass
class SessionParts:
    """Everything a session runs with, already built and validated."""

    session_id: str
    mode: str
    symbols: list[str]
    strategies: dict[str, Strategy]
    translator: OrderTranslator
    broker: Broker
    reporters: list[Reporter] = field(default_factory=list)
    risk: RiskHooks = field(default_factory=RiskHooks)
    journal: Journal = field(default_factory=NullJournal)
    config_summary: dict[str, str] = field(default_factory=dict)
    run_dir: Path | None = None
    """The run folder (the kill switch looks for a ``KILL`` file there)."""
    exits: Protection | None = None
    """The config's ``[exits]``: protection for every entry of any strategy."""
    spool_dir: Path | None = None
    """Where the session's spooled outputs (fills, ended orders, account rows) live on disk
    while it runs (:meth:`logos.run_folder.RunFolder.scratch`; None: the system's temporary
    folder)."""


ProgressCallback = Callable[[int, int | None], None]
"""Called with the number of slices done so far and the total (None when unknown)."""


class _Symbol:
    """What the loop keeps per symbol: where its signals come from and what sizing last saw."""

    __slots__ = (
        "atr",
        "entry",
        "hold",
        "last_signal",
        "name",
        "protection",
        "settled",
        "signal",
        "target",
    )

    def __init__(
        self,
        name: str,
        signal: Callable[[Bar], object],
        entry: Entry | None = None,
        protection: Protection | None = None,
    ) -> None:
        self.name = name
        self.signal = signal
        self.entry = entry
        """How the strategy enters (None: at market)."""
        self.protection = protection
        """The strategy's protection over the config's ``[exits]`` (None: none)."""
        self.atr = {p: WilderAtr(p) for p in (protection.atr_periods if protection else ())}
        """ATR per period its ATR-multiple exits need, updated every bar."""
        self.hold: object = None
        """After a protective exit closed the position: the signal it was entered on; the
        symbol is not sized again until the strategy's signal changes (no re-entry on the
        same signal the stop just took it out of)."""
        self.last_signal: object = math.nan
        self.target: Decimal | None = None
        """The signed target position of the last sizing (None before a usable signal)."""
        self.settled = False
        """True when sizing would emit nothing now: its last run emitted and dropped nothing,
        or the fills since then brought position and working orders exactly to its target."""


def _exposure(signal: object) -> float:
    """A signal's exposure as a float (NaN when it is not a number)."""
    try:
        return float(exposure_of(signal))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan


def _precomputed(symbol: str, values: np.ndarray) -> Callable[[Bar], float]:
    """The signal of each successive bar of ``symbol`` from a whole-series array."""
    stream: Iterator[float] = iter(values.tolist())

    def signal(bar: Bar) -> float:
        try:
            return next(stream)
        except StopIteration:
            raise LogosError(
                f"{symbol}: the feed gave more bars than the {len(values)} signals computed "
                "on the whole series"
            ) from None

    return signal


class Engine:
    """Runs slices through the steps of the module docstring and collects the results."""

    def __init__(self, parts: SessionParts) -> None:
        self.parts = parts
        self.broker = parts.broker
        self.translator = parts.translator
        self.seq = 0
        self.dropped: Spool[DroppedIntent] = Spool(directory=parts.spool_dir)
        """Every intent sizing did not send (a run that cannot trade drops one a bar)."""
        self.fills: Spool[Fill] = Spool(directory=parts.spool_dir)
        """Every fill, in the order they happened (on disk past a batch: a long backtest
        makes hundreds of thousands)."""
        self.ended: KeyedSpool[Order] = KeyedSpool(directory=parts.spool_dir)
        """Every order that ended (filled, canceled, expired, rejected, denied), its final
        version keyed by the journal sequence of its NEW event: orders.csv's creation order."""
        self.exit_orders: KeyedSpool[Order] = KeyedSpool(directory=parts.spool_dir)
        """The ended orders that name a round trip's exit kind (``is_exit_order``), keyed as
        :attr:`ended`: the statistics read these instead of every order."""
        self.fill_totals = FillTotals.starting(parts.symbols)
        """The fills added up as they happen (what the summary and statistics need)."""
        self.order_counts = OrderCounts()
        """The ended orders by status and symbol (what the summary and warnings need)."""
        self._unreleased: list[str] = []
        """Ids of the orders that ended and that the broker has not been told to forget yet
        (:meth:`release_ended`)."""
        self._release = False
        self.working: dict[str, str] = {}
        """Working orders (order id -> symbol) that move a symbol toward its target, kept
        from the broker's order events; protective exits (reduce-only) are not among them."""
        self.account_history = AccountHistory(directory=parts.spool_dir)
        self._created: dict[str, int] = {}
        self._states: dict[str, _Symbol] = {}
        self.guard_orders: set[str] = set()
        """Ids of the orders the risk guards sent (flatten orders)."""
        self._last_denial: dict[str, tuple[Side, str]] = {}
        self.repeated_denials = 0
        """Denials not recorded as orders: the same as the symbol's last one, nothing changed."""
        self.stopped: str | None = None
        """Why the session stopped before its feed ended (the kill switch), or None."""
        self.slices_done = 0
        """Slices processed (across restarts: a resumed engine starts from its snapshot's)."""
        self.stop_by: int | None = None
        """The slice count by which a requested stop ends the session at the latest."""
        self.interrupted: str | None = None
        """Set (to the signal's name) to end the session after the slice in progress: a
        Ctrl-C or SIGTERM lands between two slices, never inside a record
        (:func:`logos.cli.session_signals.stop_between_slices`)."""
        self.waiting = False
        """True while the loop waits for the feed's next slice (nothing is half done); kept
        only while :attr:`track_waiting` (a backtest's loop does not pay for it)."""
        self.track_waiting = False
        """Set by what reads :attr:`waiting` (a session's signal handlers) before the run."""
        self._order_listeners: list[Reporter] = []
        self._fill_listeners: list[Reporter] = []
        self._trip_listeners: list[Reporter] = []
        self._event_listeners = False
        params = parts.translator.params
        self._signal_only_sizing = (
            parts.translator.rule == "fixed_qty"
            and getattr(params, "max_position_notional", None) is None
        )

    # the steps --------------------------------------------------------------------------

    def journal_slice(self, ts: datetime, bars: Sequence[Bar], feed_events: list[object]) -> None:
        """Step 1: one ``slice`` record (with the feed's events) per time slice."""
        self.seq += 1
        journal = self.parts.journal
        if journal.enabled:
            data = {
                "bars": [
                    [b.symbol, str(b.open), str(b.high), str(b.low), str(b.close), str(b.volume)]
                    for b in bars
                ],
                "feed_events": [
                    {"type": e.type, **e.data}  # type: ignore[attr-defined]
                    for e in feed_events
                ],
            }
            self._record("slice", ts, data)

    def journal_broker_events(self) -> int:
        """Journal every queued broker event and keep track of working orders; return how
        many events there were."""
        events = self.broker.drain_events()
        if events:
            self._journal_events(events)
        return len(events)

    def _journal_events(self, events: Sequence[BrokerEvent]) -> None:
        if self._event_listeners:
            self._tell_reporters(events)
        journal = self.parts.journal if self.parts.journal.enabled else None
        created, working, seq = self._created, self.working, self.seq
        for event in events:
            seq += 1
            if isinstance(event, OrderEvent):
                order = event.order
                if event.old is None:
                    created[order.order_id] = seq
                if event.new in _WORKING:
                    if not order.reduce_only:
                        working[order.order_id] = order.symbol
                else:
                    if (
                        working.pop(order.order_id, None) is not None
                        and event.new is not OrderStatus.FILLED
                    ):
                        self._unsettle(order.symbol)  # ended with part or none of it filled
                    if event.new.is_terminal:
                        self._ended_order(created.pop(order.order_id), order)
                        self._unreleased.append(order.order_id)
            if journal is not None:
                self.seq = seq
                self._record(event.type, event.ts, event.data())
        self.seq = seq

    def _record(self, type: str, ts: datetime, data: dict[str, object]) -> None:
        """One journal record numbered :attr:`seq`: given by its parts to a journal that
        takes them (``append``), else as an :class:`~logos.domain.Event`."""
        journal = self.parts.journal
        append = getattr(journal, "append", None)
        if append is not None:
            append(type, ts, data)
        else:
            journal.record(Event.made(self.seq, type, ts, data))

    def flush_journal(self) -> None:
        """Journal the broker's queued events and make the journal durable: what a venue
        adapter calls just before an order leaves the process (:attr:`Broker.before_send`)."""
        self.journal_broker_events()
        sync = getattr(self.parts.journal, "sync", None)
        if sync is not None:
            sync()

    def journal_account(self, account: Account) -> None:
        """Step 8: one ``account`` record (the broker's account after the slice)."""
        data = {name: str(getattr(account, name)) for name in _ACCOUNT_RECORD}
        self._record("account", account.ts, data)

    def working_qty(self, symbol: str) -> Decimal:
        """Signed remaining quantity of the working orders in ``symbol`` that move it toward
        a target (protective exits, reduce-only, are not: they only guard what is held)."""
        if symbol not in self.working.values():
            return ZERO
        total = ZERO
        for order in self.broker.working_orders():
            if order.symbol == symbol and not order.reduce_only:
                total = add(total, order.side.signed(order.remaining_qty))
        return total

    def evaluate(
        self, symbol: str, signal: float, price: Decimal, ts: datetime, account: Account
    ) -> TranslationResult | None:
        """Steps 6-7 for one symbol: size the signal, check it, submit it.

        ``signal`` is an exposure or a :class:`~logos.strategies.targets.Target`; an entry
        is placed as the strategy asks and armed with its protection (the strategy's, over
        the config's ``[exits]``). Returns the translation (``None`` for a NaN signal,
        which never trades).
        """
        state = self._states.get(symbol)
        entry = state.entry if state is not None else None
        protection = state.protection if state is not None else None
        if isinstance(signal, Target):
            entry = signal.entry or entry
            if signal.protection is not None:
                protection = signal.protection.over(protection)
            signal = signal.exposure
        try:
            signal = float(signal)
        except (TypeError, ValueError):
            raise LogosError(
                f"the strategy for {symbol} gave {signal!r} as its signal at {ts.isoformat()}: "
                "a signal is a number in [-1, 1], or NaN for none"
            ) from None
        if math.isnan(signal):
            return None
        held = self.broker.position_qty(symbol)
        exits, notes = None, []
        if protection is not None:
            atr = {} if state is None else {p: t.value for p, t in state.atr.items()}
            exits, notes = protection.bracket(atr)
        result = self.translator.translate(
            symbol,
            signal,
            price,
            held,
            self.working_qty(symbol),
            account.equity,
            ts,
            seq=self.seq + 1,
            entry=entry,
            exits=exits,
            exit_notes=notes,
        )
        for drop in result.dropped:
            self.seq += 1
            self.dropped.append(DroppedIntent(drop.ts, drop.symbol, drop.reason))
            if self.parts.journal.enabled:
                data = {"symbol": drop.symbol, "code": drop.code, "reason": drop.reason}
                self._record("intent_dropped", ts, data)
        for intent in result.intents:
            verdict = self.parts.risk.pre_trade(intent, account)
            if isinstance(verdict, str):
                self._deny(intent, verdict, ts)
                continue
            self.broker.submit(verdict or intent, ts=ts)
            self.journal_broker_events()
        return result

    def _deny(self, intent: OrderIntent, reason: str, ts: datetime) -> None:
        key = (intent.side, getattr(reason, "code", reason))
        if self._last_denial.get(intent.symbol) == key:
            self.repeated_denials += 1
            return
        self._last_denial[intent.symbol] = key
        order = order_from_intent(intent, f"DENIED-{self.seq + 1}", ts=ts)
        events = [created(order, ts=ts, reason=intent.reason)]
        order, event = transition(order, OrderStatus.DENIED, ts=ts, reason=reason)
        events.append(event)
        self._ended_order(self.seq + 1, order)
        for item in events:
            self.seq += 1
            if self.parts.journal.enabled:
                self._record(item.type, item.ts, item.data())

    # what the risk layer may do ------------------------------------------------------

    def record_event(self, type: str, ts: datetime, data: dict[str, object]) -> None:
        """Journal one event of the risk layer (a trip, a state change, a clip); a guard
        record also goes to the reporters that listen to them."""
        self.seq += 1
        if self.parts.journal.enabled:
            self._record(type, ts, data)
        trips = getattr(self.parts.risk, "trips", None)
        if self._trip_listeners and trips and type.startswith("guard_"):
            for reporter in self._trip_listeners:
                reporter.on_guard_trip(trips[-1])

    def _tell_reporters(self, events: Sequence[BrokerEvent]) -> None:
        """Each order event and fill to the reporters that listen to them, in order."""
        orders, fills = self._order_listeners, self._fill_listeners
        for event in events:
            if isinstance(event, OrderEvent):
                for reporter in orders:
                    reporter.on_order_event(event)
            else:
                for reporter in fills:
                    reporter.on_fill(event.fill)

    def cancel_orders(self, ts: datetime, reason: str, which: Callable[[Order], bool]) -> None:
        """Cancel the working orders ``which`` selects (those still in flight to a venue
        are left to reconciliation, as :meth:`Broker.cancel_all` does)."""
        for order in self.broker.working_orders():
            if order.status is not OrderStatus.SUBMITTED and which(order):
                self.broker.cancel(order.order_id, ts=ts, reason=reason)
        self.journal_broker_events()

    def submit_guard_order(self, symbol: str, qty: Decimal, ts: datetime, reason: str) -> Order:
        """Send a market order of signed ``qty`` for a guard (a flatten order): no sizing,
        no pre-trade check, a client order id from the journal sequence like any order."""
        intent = OrderIntent.model_validate(
            {
                "symbol": symbol,
                "side": Side.BUY if qty > 0 else Side.SELL,
                "qty": qty.copy_abs(),
                "type": OrderType.MARKET,
                "time_in_force": TimeInForce.GTC,
                "client_order_id": make_client_order_id(self.parts.session_id, self.seq + 1),
                "reason": reason,
                "ts": ts,
            }
        )
        order = self.broker.submit(intent, ts=ts)
        self.guard_orders.add(order.order_id)
        self.journal_broker_events()
        return order

    def resize_all(self) -> None:
        """What the guards allow changed (a trip, a new trading state, a stale symbol fresh
        again): size every symbol at its next bar, and record its next denial anew."""
        for state in self._states.values():
            state.settled = False
        self._last_denial.clear()

    def result(self, bars: int, gaps: int) -> SessionResult:
        """Collect the session's outputs: every order in creation order (denied ones
        included; those still working at the end in their latest version), every fill."""
        broker = self.broker
        created = self._created
        for order in broker.orders():
            key = created.pop(order.order_id, None)
            if key is not None:  # still working (or restored from a snapshot that had it)
                self._ended_order(key, order)
        params = broker.params
        return SessionResult(
            session_id=self.parts.session_id,
            mode=self.parts.mode,
            config_summary=self.parts.config_summary,
            starting_cash=getattr(params, "cash", ZERO),
            currency=self.account_currency(params),
            orders=self.ended,
            order_counts=self.order_counts,
            fill_totals=self.fill_totals,
            exit_orders=self.exit_orders,
            fills=self.fills,
            positions=broker.positions(),
            account=self.account_history,
            symbols=list(self.parts.symbols),
            dropped_intents=self.dropped,
            guard_trips=list(getattr(self.parts.risk, "trips", [])),
            state_changes=list(getattr(self.parts.risk, "state_changes", [])),
            repeated_denials=self.repeated_denials,
            stopped=self.stopped,
            bars=bars,
            gaps=gaps,
        )

    def account_currency(self, params: object) -> str:
        """The account currency: the broker's when its params set one, else the quote
        currency every traded symbol's metadata names (prices, and so cash and PnL, are in
        it: a USDT perpetual's account is in USDT), else USD."""
        currency = getattr(params, "currency", None)
        if currency is not None and "currency" in getattr(params, "model_fields_set", ()):
            return str(currency)
        currency = currency or "USD"
        metas = self.parts.translator.metas
        quotes = {meta.quote if meta else None for meta in map(metas.get, self.parts.symbols)}
        if len(quotes) == 1 and None not in quotes:
            return str(quotes.pop())
        return currency

    # the loop --------------------------------------------------------------------------

    def run(
        self,
        feed: Feed,
        timeframe: str | timedelta,
        *,
        signals: Mapping[str, np.ndarray | Callable[[Bar], float]] | None = None,
        progress: ProgressCallback | None = None,
        total: int | None = None,
        restore: Callable[[Engine], None] | None = None,
    ) -> SessionResult:
        """Run every slice of ``feed`` through the loop and return the session's result.

        ``signals`` gives, per symbol, the signals computed on the whole series: an array
        (one float per bar the feed will deliver for it, in order) or a callable giving the
        next bar's (:class:`~logos.strategies.chunked.ChunkedSignals`, fed chunk by chunk as
        a streaming replay feed reads them); a symbol without is asked bar by bar
        (:meth:`Strategy.update`). ``total`` is the number of slices, when known,
        for ``progress``. ``restore`` (a restart, :mod:`logos.state.resume`) is called once
        the guards have started and before the first slice: it puts back the engine's,
        broker's and guards' state from a snapshot (:meth:`state`, :meth:`restore_state`).
        """
        parts = self.parts
        feed.start(parts.symbols, timeframe)
        self.broker.before_send = self.flush_journal
        reporters = parts.reporters
        self._order_listeners = [r for r in reporters if r.listens("on_order_event")]
        self._fill_listeners = [r for r in reporters if r.listens("on_fill")]
        self._trip_listeners = [r for r in reporters if r.listens("on_guard_trip")]
        self._event_listeners = bool(self._order_listeners or self._fill_listeners)
        self.stopped = None
        # a journal that snapshots lets the broker forget ended orders as it takes each one
        self._release = not getattr(parts.journal, "snapshots", False)
        states = self._states = {}
        for symbol in parts.symbols:
            strategy = parts.strategies[symbol]
            given = None if signals is None else signals[symbol]
            if callable(given):
                source = given
            elif given is not None:
                source = _precomputed(symbol, np.asarray(given, dtype=np.float64))
            else:
                source = strategy.update
            protection = strategy.protection
            protection = parts.exits if protection is None else protection.over(parts.exits)
            states[symbol] = _Symbol(symbol, source, strategy.entry, protection)
        symbols, step = tuple(parts.symbols), parse_timeframe(timeframe)
        session = SessionInfo(parts.session_id, parts.mode, symbols, step, parts.run_dir)
        try:
            parts.risk.start(self, session)
            try:
                if restore is not None:
                    restore(self)
                bars_seen = self._loop(feed, states, progress, total)
            finally:
                parts.risk.finish()
        finally:
            feed.close()
            parts.journal.finish(self)  # however the run ended: what was journaled is kept
        return self.result(bars_seen, len(feed.health().gaps))

    def _loop(
        self,
        feed: Feed,
        states: dict[str, _Symbol],
        progress: ProgressCallback | None,
        total: int | None,
    ) -> int:
        parts = self.parts
        broker = self.broker
        on_bar, mark = broker.on_bar, broker.mark
        risk = parts.risk
        post_trade = risk.post_trade if type(risk).post_trade is not RiskHooks.post_trade else None
        journal = parts.journal
        journaling = journal.enabled
        record = self.account_history.append
        listening = [r for r in parts.reporters if type(r).on_slice is not Reporter.on_slice]
        signal_only = self._signal_only_sizing
        working = self.working
        evaluate = self.evaluate
        drain_feed = feed.drain_events
        drain_broker = broker.drain_events
        bars_seen = 0
        count = first = self.slices_done
        slices = feed.slices()
        if self.track_waiting:
            slices = self._waiting_for(slices)
        for count, bars in enumerate(slices, start=first + 1):
            ts = bars[0].ts
            feed_events = drain_feed()
            if journaling:
                self.journal_slice(ts, bars, feed_events)
            else:
                self.seq += 1
            for bar in bars:
                fills = on_bar(bar)
                if fills:
                    self.fills.extend(fills)
                    for fill in fills:
                        self.fill_totals.add(fill)
                    self._after_fills(states[bar.symbol], fills)
            account = mark(bars)
            events = drain_broker()
            if events:
                self._journal_events(events)
            if post_trade is not None:
                post_trade(ts, account, bars)
            halted = risk.halted
            for bar in bars:
                state = states[bar.symbol]
                signal = state.signal(bar)
                if state.atr:
                    for tracker in state.atr.values():
                        tracker.update(bar)
                if halted:
                    continue  # nothing new is sent; the signal kept the strategy's state
                if state.hold is not None:
                    if signal == state.hold:
                        continue  # stopped out: wait for the strategy to change its mind
                    state.hold = None
                if (
                    signal_only
                    and state.settled
                    and (signal == state.last_signal)
                    and bar.symbol not in working.values()
                ):
                    continue
                result = evaluate(bar.symbol, signal, bar.close, ts, account)
                state.last_signal = signal
                state.target = None if result is None else result.target_qty
                state.settled = result is not None and not (result.intents or result.dropped)
            for reporter in listening:
                reporter.on_slice(ts, account)
            record(account)
            if self._release and self._unreleased:
                self.release_ended()
            self.slices_done = count
            if risk.stop_requested:
                self.stop_by = self.stop_by or count + STOP_WAIT_SLICES
            if journaling:
                self.journal_account(account)
                journal.after_slice(self, ts)
            bars_seen += len(bars)
            if progress is not None and count % PROGRESS_EVERY == 0:
                progress(count, total)
            if self.stop_by is not None and (
                count >= self.stop_by or not self.guard_orders.intersection(working)
            ):
                break
            if self.interrupted is not None:
                break
        if risk.stop_requested:
            self.stopped = getattr(risk, "stop_reason", None) or "stop requested"
        if progress is not None:
            progress(count, total)
        return bars_seen

    def _waiting_for(self, slices: Iterator[list[Bar]]) -> Iterator[list[Bar]]:
        """``slices``, with :attr:`waiting` true while the next one is awaited."""
        while True:
            self.waiting = True
            try:
                bars = next(slices)
            except StopIteration:
                return
            finally:
                self.waiting = False
            yield bars

    # restart ----------------------------------------------------------------------------

    def state(self) -> dict[str, object]:
        """What a restart needs of the engine at a slice boundary (JSON-serialisable): its
        counters, which orders the guards sent, each symbol's last sizing, the denials not to
        repeat (:mod:`logos.state.snapshot`). A requested stop is not kept: it ends the run
        it was asked of (the kill switch's trip itself stays latched in the guards')."""
        return {
            "seq": self.seq,
            "slices": self.slices_done,
            "repeated_denials": self.repeated_denials,
            "created": dict(self._created),
            "guard_orders": sorted(self.guard_orders),
            "symbols": {
                name: {
                    "last_signal": signal_to_json(s.last_signal),
                    "target": None if s.target is None else str(s.target),
                    "settled": s.settled,
                    "hold": None if s.hold is None else signal_to_json(s.hold),
                    "atr": [t.state() for t in s.atr.values()],
                }
                for name, s in self._states.items()
            },
            "last_denial": {k: [side.value, code] for k, (side, code) in self._last_denial.items()},
        }

    def restore_state(self, state: Mapping[str, object]) -> None:
        """Take back a :meth:`state` (called from ``run``'s ``restore``, once each symbol's
        state exists); the working orders, and the ended ones it still holds, are read from
        the broker, restored before."""
        self.seq = int(state["seq"])  # type: ignore[call-overload]
        self.slices_done = int(state["slices"])  # type: ignore[call-overload]
        self.repeated_denials = int(state["repeated_denials"])  # type: ignore[call-overload]
        self._created = dict(state["created"])  # type: ignore[call-overload]
        self.guard_orders = set(state["guard_orders"])  # type: ignore[call-overload]
        for name, saved in state["symbols"].items():  # type: ignore[attr-defined]
            symbol = self._states[name]
            symbol.last_signal = signal_from_json(saved["last_signal"])
            hold = saved.get("hold")
            symbol.hold = None if hold is None else signal_from_json(hold)
            for tracker, kept in zip(symbol.atr.values(), saved.get("atr", []), strict=False):
                tracker.restore(kept)
            symbol.target = None if saved["target"] is None else Decimal(saved["target"])
            symbol.settled = bool(saved["settled"])
        self._last_denial = {
            k: (Side(side), code)
            for k, (side, code) in state["last_denial"].items()  # type: ignore[attr-defined]
        }
        self.working = {
            o.order_id: o.symbol for o in self.broker.working_orders() if not o.reduce_only
        }
        # ended orders the snapshot still held (one taken while a restart replayed, or of an
        # older logos) are forgotten with the next snapshot, as the ones that end from now on
        self._unreleased = [o.order_id for o in self.broker.orders() if o.status.is_terminal]

    def warm_up(self, bars: Sequence[Bar]) -> None:
        """A restart: each bar's symbol takes its signal for it and discards it, so that its
        strategy (or its stream of whole-series signals) is where it was after that bar;
        nothing is sized or sent."""
        states = self._states
        for bar in bars:
            state = states[bar.symbol]
            state.signal(bar)
            for tracker in state.atr.values():
                tracker.update(bar)

    def release_ended(self) -> None:
        """Tell the broker to forget the orders that ended since the last call: they are in
        the session's outputs, and a restart (from a snapshot taken now or later) never asks
        for them again. Called at the end of each slice, or by a journal that snapshots
        just before it takes one."""
        if self._unreleased:
            self.broker.release_orders(self._unreleased)
            self._unreleased = []

    def _ended_order(self, created_seq: int, order: Order) -> None:
        """Record an order that ended (or, at the session's end, still works) in its final
        version: spooled in creation order and counted for the reports."""
        self.ended.append(created_seq, order)
        self.order_counts.add(order)
        if is_exit_order(order):
            self.exit_orders.append(created_seq, order)

    def _unsettle(self, symbol: str) -> None:
        """An order of ``symbol`` stopped working before it filled completely (canceled,
        expired, cut at fill time, rejected by a venue): size the symbol again."""
        state = self._states.get(symbol)
        if state is not None:
            state.settled = False
        self._last_denial.pop(symbol, None)

    def _after_fills(self, state: _Symbol, fills: Sequence[Fill]) -> None:
        """A fill changed ``state``'s position: it is settled again only when position and
        working orders now add up to the target its last sizing computed exactly (sizing
        would then emit nothing); otherwise it is sized at this slice. A protective exit
        that filled holds the symbol until its signal changes (:attr:`_Symbol.hold`)."""
        self._last_denial.pop(state.name, None)
        if state.hold is None and not math.isnan(_exposure(state.last_signal)):
            order = self.broker.order
            if any(exit_kind(order(fill.order_id)) is not None for fill in fills):
                state.hold = state.last_signal
        target = state.target
        state.settled = (
            target is not None
            and self.broker.position_qty(state.name) + self.working_qty(state.name) == target
        )
