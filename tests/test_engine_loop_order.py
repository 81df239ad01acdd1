"""The engine runs each slice in the documented order (docs/backtest.md), journals with a
strictly increasing seq, and lets pre-trade guards deny orders (DENIED, never sent to the
broker)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from logos.brokers.paper import PaperBroker
from logos.domain import Account, Bar, Event, OrderIntent, OrderStatus
from logos.engine import Engine, NullJournal, RiskHooks, SessionParts
from logos.feeds.replay import ReplayFeed
from logos.reports import Reporter
from logos.sizing import OrderTranslator
from logos.strategies.buy_and_hold import BuyAndHold

MULTI = Path(__file__).parent / "data" / "engine" / "multi"


class RecordingBroker(PaperBroker):
    calls: list[str]

    def on_bar(self, bar: Bar) -> list[Any]:
        self.calls.append(f"on_bar {bar.symbol}")
        return super().on_bar(bar)

    def mark_prices(self, prices: Any, *, ts: datetime) -> Account:
        self.calls.append("mark")
        return super().mark_prices(prices, ts=ts)

    def submit(self, intent: OrderIntent, *, ts: datetime) -> Any:
        self.calls.append(f"submit {intent.symbol}")
        return super().submit(intent, ts=ts)


class RecordingRisk(RiskHooks):
    def __init__(self, calls: list[str], deny: str | None = None) -> None:
        self.calls, self.deny = calls, deny

    def post_trade(self, ts: datetime, account: Account, bars: Any) -> None:
        self.calls.append("post_trade")

    def pre_trade(self, intent: OrderIntent, account: Account) -> str | None:
        self.calls.append(f"pre_trade {intent.symbol}")
        return self.deny


class RecordingStrategy(BuyAndHold):
    calls: list[str]

    def update(self, bar: Bar) -> float:
        self.calls.append(f"signal {self.symbol}")
        return super().update(bar)


class RecordingReporter(Reporter):
    name = "recording"
    calls: list[str]

    def on_slice(self, ts: datetime, account: Account) -> None:
        self.calls.append("on_slice")


class ListJournal(NullJournal):
    enabled = True

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.slices_done: list[int] = []
        self.finished_at: int | None = None

    def record(self, event: Event) -> None:
        self.events.append(event)

    def after_slice(self, engine: Any, ts: datetime) -> None:
        self.slices_done.append(engine.seq)

    def finish(self, engine: Any) -> None:
        self.finished_at = engine.seq


def _engine(calls: list[str], deny: str | None = None, journal: Any = None) -> Engine:
    broker = RecordingBroker(cash=Decimal(100), fee_bps=Decimal(10))
    broker.calls = calls
    strategies = {}
    for symbol in ("AAA", "BBB"):
        strategy = RecordingStrategy()
        strategy.calls, strategy.symbol = calls, symbol
        strategies[symbol] = strategy
    reporter = RecordingReporter()
    reporter.calls = calls
    parts = SessionParts(
        session_id="t",
        mode="paper",
        symbols=["AAA", "BBB"],
        strategies=strategies,
        translator=OrderTranslator("fixed_qty", {"qty": "1"}, session_id="t"),
        broker=broker,
        reporters=[reporter],
        risk=RecordingRisk(calls, deny),
    )
    if journal is not None:
        parts.journal = journal
    return Engine(parts)


def _run(engine: Engine) -> Any:
    return engine.run(ReplayFeed(path=str(MULTI)), "1m")


def test_each_slice_runs_the_steps_in_design_order() -> None:
    calls: list[str] = []
    _run(_engine(calls))
    first_slice = calls[: calls.index("on_slice") + 1]
    assert first_slice == [
        "on_bar AAA",
        "on_bar BBB",
        "mark",
        "post_trade",
        "signal AAA",
        "pre_trade AAA",
        "submit AAA",
        "signal BBB",
        "pre_trade BBB",
        "submit BBB",
        "on_slice",
    ]
    second = calls[len(first_slice) : calls.index("on_slice", len(first_slice)) + 1]
    assert second[:4] == ["on_bar AAA", "on_bar BBB", "mark", "post_trade"]
    assert "submit AAA" not in second  # filled and held: nothing more to send


def test_journal_seq_increases_and_client_ids_carry_the_new_event_seq() -> None:
    journal = ListJournal()
    engine = _engine([], journal=journal)
    result = _run(engine)
    # the engine counts every record but the account rows (which change nothing it sends)
    seqs = [e.seq for e in journal.events if e.type != "account"]
    assert seqs == list(range(1, len(seqs) + 1))
    assert len(journal.slices_done) == len(result.account)  # a snapshot point per slice
    assert journal.finished_at == seqs[-1]
    assert sum(e.type == "slice" for e in journal.events) == len(result.account)
    assert sum(e.type == "account" for e in journal.events) == len(result.account)
    for order in result.orders:
        created = next(e for e in journal.events if e.data.get("order_id") == order.order_id)
        assert order.client_order_id == f"t-{created.seq}"


def test_pre_trade_denial_makes_denied_orders_and_sends_nothing() -> None:
    calls: list[str] = []
    engine = _engine(calls, deny="max_order_notional: 5 > 1")
    result = _run(engine)
    assert not any(c.startswith("submit") for c in calls)
    assert result.orders and all(o.status is OrderStatus.DENIED for o in result.orders)
    assert result.orders[0].reason == "max_order_notional: 5 > 1"
    assert result.fills == []
    # the denied target is sized again at every bar of each symbol (4000 bars), but a denial
    # the same as the symbol's last one, with nothing changed since, is counted, not repeated
    assert result.bars == 4000
    assert [o.symbol for o in result.orders] == ["AAA", "BBB"]
    assert result.repeated_denials == 3998
