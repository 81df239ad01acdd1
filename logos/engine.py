"""The session loop shared by backtest, paper, dry-run and live (DESIGN.md §3).

For each time slice, in this order:

1. the feed yields the slice; it is journaled (one ``slice`` record, carrying any feed
   events such as gaps);
2. the broker matches working orders against the new bars (``on_bar``, fills journaled);
3. the account is marked to market at the closes (``mark``);
4. post-trade guards run (:meth:`RiskHooks.post_trade`);
5. each symbol's strategy computes its signal on bars up to and including this close;
6. sizing (:class:`~logos.sizing.OrderTranslator`) turns it into an intent; pre-trade guards
   approve or deny it (:meth:`RiskHooks.pre_trade`);
7. the broker accepts the order (every order event journaled as it happens);
8. reporters are notified (:meth:`~logos.reports.Reporter.on_slice`) and the account row is
   recorded.

One strategy instance per symbol: a strategy sees one symbol's bars, as its contract says.
Symbols within a slice are handled in the configured order.

The journal sequence (:attr:`Engine.seq`) advances by one per slice, per broker event and per
dropped or denied intent; the client order id of an intent is made from the session id and
the sequence number its NEW event gets, so it is the same in every path over the same data.
The vectorized backtest (:mod:`logos.backtest`) drives the same :class:`Engine` methods.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from logos.brokers.base import Broker
from logos.domain import Account, Bar, Event, Fill, Order, OrderIntent, OrderStatus
from logos.engine_hooks import Journal, NullJournal, RiskHooks
from logos.feeds.base import Feed
from logos.lifecycle import OrderEvent, created, order_from_intent, transition
from logos.reports import Reporter
from logos.reports.result import ACCOUNT_COLUMNS, AccountTable, DroppedIntent, SessionResult
from logos.sizing import OrderTranslator, TranslationResult
from logos.strategies.base import BAR_COLUMNS, Strategy

ZERO = Decimal(0)
_WORKING = frozenset(s for s in OrderStatus if s.is_working)

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


ProgressCallback = Callable[[int, int | None], None]
"""Called with the number of slices done so far and the total (None when unknown)."""


class Engine:
    """Runs slices through the steps of the module docstring and collects the results."""

    def __init__(self, parts: SessionParts) -> None:
        self.parts = parts
        self.broker = parts.broker
        self.translator = parts.translator
        self.seq = 0
        self.dropped: list[DroppedIntent] = []
        self.denied: list[Order] = []
        self.fills: list[Fill] = []
        self.working: dict[str, str] = {}
        """Working orders (order id -> symbol), kept from the broker's order events."""
        self._created: dict[str, int] = {}

    # shared steps ---------------------------------------------------------------------

    def journal_slice(self, ts: datetime, bars: Sequence[Bar], feed_events: list[Any]) -> None:
        """Step 1: one ``slice`` record (with the feed's events) per time slice."""
        self.seq += 1
        journal = self.parts.journal
        if journal.enabled:
            data = {
                "bars": [
                    {"symbol": b.symbol, "close": str(b.close), "volume": str(b.volume)}
                    for b in bars
                ],
                "feed_events": [{"type": e.type, **e.data} for e in feed_events],
            }
            journal.record(Event(seq=self.seq, type="slice", ts=ts, data=data))

    def journal_broker_events(self) -> int:
        """Journal every queued broker event; return how many there were."""
        events = self.broker.drain_events()
        if not events:
            return 0
        journal = self.parts.journal if self.parts.journal.enabled else None
        created, working, seq = self._created, self.working, self.seq
        for event in events:
            seq += 1
            if isinstance(event, OrderEvent):
                order = event.order
                if event.old is None:
                    created[order.order_id] = seq
                if event.new in _WORKING:
                    working[order.order_id] = order.symbol
                else:
                    working.pop(order.order_id, None)
            if journal is not None:
                self.seq = seq
                journal.record(event.to_event(seq))
        self.seq = seq
        return len(events)

    def position_and_working(self, symbol: str) -> tuple[Decimal, Decimal]:
        """Signed position and signed remaining quantity of working orders in ``symbol``."""
        position = next((p.qty for p in self.broker.positions() if p.symbol == symbol), ZERO)
        working = sum(
            (
                o.remaining_qty * o.side.sign
                for o in self.broker.working_orders()
                if o.symbol == symbol
            ),
            ZERO,
        )
        return position, working

    def evaluate(
        self,
        symbol: str,
        signal: float,
        price: Decimal,
        ts: datetime,
        account: Account,
        position: tuple[Decimal, Decimal] | None = None,
    ) -> TranslationResult | None:
        """Steps 6-7 for one symbol: size the signal, check it, submit it.

        ``position`` is (signed position, signed working quantity) when the caller already
        knows them exactly (the vectorized path); otherwise the broker is asked. Returns the
        translation (``None`` for a NaN signal, which never trades).
        """
        if math.isnan(signal):
            return None
        held, working = position if position is not None else self.position_and_working(symbol)
        result = self.translator.translate(
            symbol, signal, price, held, working, account.equity, ts, seq=self.seq + 1
        )
        for drop in result.dropped:
            self.seq += 1
            self.dropped.append(DroppedIntent(drop.ts, drop.symbol, drop.reason))
            if self.parts.journal.enabled:
                data = {"symbol": drop.symbol, "code": drop.code, "reason": drop.reason}
                self.parts.journal.record(
                    Event(seq=self.seq, type="intent_dropped", ts=ts, data=data)
                )
        for intent in result.intents:
            denial = self.parts.risk.pre_trade(intent, account)
            if denial is not None:
                self._deny(intent, denial, ts)
                continue
            self.broker.submit(intent, ts=ts)
            self.journal_broker_events()
        return result

    def _deny(self, intent: OrderIntent, reason: str, ts: datetime) -> None:
        order = order_from_intent(intent, f"DENIED-{self.seq + 1}", ts=ts)
        events = [created(order, ts=ts, reason=intent.reason)]
        order, event = transition(order, OrderStatus.DENIED, ts=ts, reason=reason)
        events.append(event)
        self._created[order.order_id] = self.seq + 1
        for item in events:
            self.seq += 1
            if self.parts.journal.enabled:
                self.parts.journal.record(item.to_event(self.seq))
        self.denied.append(order)

    def on_bar(self, bar: Bar) -> None:
        """Step 2 for one bar: the broker fills what it can; fills are kept in order."""
        self.fills.extend(self.broker.on_bar(bar))

    def result(self, account: AccountTable, bars: int, gaps: int) -> SessionResult:
        """Collect the session's outputs (orders in creation order, denied ones included)."""
        broker = self.broker
        created = self._created
        orders = sorted([*broker.orders(), *self.denied], key=lambda o: created[o.order_id])
        params = broker.params
        return SessionResult(
            session_id=self.parts.session_id,
            mode=self.parts.mode,
            config_summary=self.parts.config_summary,
            starting_cash=getattr(params, "cash", ZERO),
            currency=getattr(params, "currency", "USD"),
            orders=orders,
            fills=list(self.fills),
            positions=broker.positions(),
            account=account,
            symbols=list(self.parts.symbols),
            dropped_intents=list(self.dropped),
            bars=bars,
            gaps=gaps,
        )

    # the bar-by-bar loop ---------------------------------------------------------------

    def run_stepwise(
        self,
        feed: Feed,
        timeframe: str | timedelta,
        progress: ProgressCallback | None = None,
    ) -> SessionResult:
        """Run every slice of ``feed`` through the loop, signals from rolling windows."""
        parts = self.parts
        feed.start(parts.symbols, timeframe)
        windows = {s: _Window(parts.strategies[s].window_size()) for s in parts.symbols}
        stamps: list[datetime] = []
        rows: dict[str, list[Decimal]] = {c: [] for c in ACCOUNT_COLUMNS}
        bars_seen = 0
        for count, bars in enumerate(feed.slices(), start=1):
            ts = bars[0].ts
            self.journal_slice(ts, bars, feed.drain_events())
            for bar in bars:
                self.on_bar(bar)
            account = self.broker.mark(bars)
            self.journal_broker_events()
            parts.risk.post_trade(ts, account, bars)
            stamps.append(ts)
            for name in ACCOUNT_COLUMNS:
                rows[name].append(getattr(account, name))
            for bar in bars:
                window = windows[bar.symbol]
                window.append(bar)
                signal = parts.strategies[bar.symbol].last_signal(window.frame())
                self.evaluate(bar.symbol, signal, bar.close, ts, account)
            for reporter in parts.reporters:
                reporter.on_slice(ts, account)
            parts.journal.after_slice(self, ts)
            bars_seen += len(bars)
            if progress is not None:
                progress(count, None)
        parts.journal.finish(self)
        health = feed.health()
        return self.result(AccountTable.from_rows(stamps, rows), bars_seen, len(health.gaps))


class _Window:
    """The trailing bars of one symbol, as the float64 frame strategies take."""

    def __init__(self, size: int | None) -> None:
        self.size = size
        self.ts: list[datetime] = []
        self.values: list[tuple[float, ...]] = []

    def append(self, bar: Bar) -> None:
        self.ts.append(bar.ts)
        self.values.append(
            (float(bar.open), float(bar.high), float(bar.low), float(bar.close), float(bar.volume))
        )
        if self.size is not None and len(self.ts) > self.size:
            del self.ts[0], self.values[0]

    def frame(self) -> pd.DataFrame:
        index = pd.DatetimeIndex(self.ts, name="ts")
        return pd.DataFrame(
            np.array(self.values, dtype="float64").reshape(-1, len(BAR_COLUMNS)),
            index=index,
            columns=list(BAR_COLUMNS),
        )
