"""VenueBroker in live mode, against a tiny in-memory venue: journal first, never a resend,
in-flight orders resolved by client order id, fills booked into the broker's own ledger,
reconciliation reporting every difference (docs/brokers/ccxt.md, "Live")."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest

from logos.brokers.base import FillEvent
from logos.brokers.venue import (
    ErrorKind,
    VenueAck,
    VenueBroker,
    VenueError,
    VenueFill,
    VenueOrder,
    VenueRequestEvent,
)
from logos.domain import Order, OrderIntent, OrderStatus, Side, SymbolMeta
from logos.errors import OrderStateError
from logos.lifecycle import OrderEvent
from logos.testing.brokers import make_bar, make_intent

META = SymbolMeta(symbol="AAA", tick_size=Decimal("0.01"), lot_size=Decimal("0.001"))
T0 = datetime.fromisoformat("2024-01-02T14:30:00+00:00")
T1 = datetime.fromisoformat("2024-01-02T14:31:00+00:00")
T2 = datetime.fromisoformat("2024-01-02T14:32:00+00:00")


class Timeout(Exception):
    """The toy library's timeout."""


class Refused(Exception):
    """The toy library's 'the venue refused it'."""


class BadKey(Exception):
    """The toy library's authentication error."""


@dataclass
class Venue:
    """What the venue knows: orders by client id, trades; ``fail_next`` makes the next
    create raise (``arrives``: the order reaches the venue all the same)."""

    orders: dict[str, VenueOrder] = field(default_factory=dict)
    trades: list[VenueFill] = field(default_factory=list)
    creates: list[dict[str, Any]] = field(default_factory=list)
    cancels: list[str] = field(default_factory=list)
    fail_next: Exception | None = None
    arrives: bool = False

    def add(self, cid: str, qty: str = "2", status: OrderStatus = OrderStatus.ACCEPTED) -> None:
        vid = f"V{len(self.orders) + 1}"
        self.orders[cid] = VenueOrder(cid, vid, "AAA", "buy", Decimal(qty), Decimal(0), status)

    def trade(self, cid: str, qty: str, price: str, fee: str, ts: datetime) -> None:
        order = self.orders[cid]
        filled = order.filled_qty + Decimal(qty)
        status = OrderStatus.FILLED if filled == order.qty else OrderStatus.PARTIALLY_FILLED
        self.orders[cid] = VenueOrder(
            cid, order.venue_order_id, "AAA", "buy", order.qty, filled, status
        )
        trade_id = f"T{len(self.trades) + 1}"
        self.trades.append(
            VenueFill(trade_id, None, order.venue_order_id, ts, "AAA", "buy", Decimal(qty),
                      Decimal(price), Decimal(fee))
        )  # fmt: skip


class ToyLive(VenueBroker):
    name = "toy_live"
    venue_name = "toy"

    def __init__(self, venue: Venue, **kwargs: Any) -> None:
        super().__init__(mode="live", credentials={"key": "k"}, symbols=[META], **kwargs)
        self.venue = venue
        self.read_sleep = lambda seconds: None

    def venue_request(self, intent: OrderIntent) -> dict[str, Any]:
        return {"cid": intent.client_order_id, "qty": str(intent.qty)}

    def send(self, order: Order, request: dict[str, Any]) -> VenueAck:
        self.venue.creates.append(request)
        failure, self.venue.fail_next = self.venue.fail_next, None
        if failure is not None:
            if self.venue.arrives:
                self.venue.add(order.client_order_id, str(order.qty))
            raise failure
        self.venue.add(order.client_order_id, str(order.qty))
        return VenueAck(self.venue.orders[order.client_order_id].venue_order_id)

    def cancel_at_venue(self, order: Order) -> None:
        self.venue.cancels.append(order.client_order_id)
        seen = self.venue.orders[order.client_order_id]
        self.venue.orders[order.client_order_id] = VenueOrder(
            seen.client_order_id, seen.venue_order_id, "AAA", "buy", seen.qty, seen.filled_qty,
            OrderStatus.CANCELED,
        )  # fmt: skip

    def fetch_order_by_client_id(self, client_order_id: str) -> VenueOrder | None:
        return self.venue.orders.get(client_order_id)

    def fetch_open_orders(self) -> list[VenueOrder]:
        return [o for o in self.venue.orders.values() if o.status.is_working]

    def fetch_fills(self, since: datetime | None) -> list[VenueFill]:
        return [t for t in self.venue.trades if since is None or t.ts >= since]

    def fetch_balances(self) -> dict[str, Decimal]:
        return {"USD": Decimal(5000)}

    def venue_error_kind(self, exc: BaseException) -> ErrorKind:
        kinds = {Timeout: ErrorKind.UNKNOWN_OUTCOME, Refused: ErrorKind.REJECTED}
        return kinds.get(type(exc), ErrorKind.FATAL)


def live(venue: Venue) -> ToyLive:
    broker = ToyLive(venue, cash=Decimal(10000))
    broker.on_slice([make_bar("AAA", T0, "100")])
    broker.drain_events()
    return broker


def buy(cid: str = "s-1", qty: str = "2") -> OrderIntent:
    return make_intent("AAA", Side.BUY, qty, client_order_id=cid, ts=T0)


def test_the_journal_has_the_order_before_the_venue_does() -> None:
    venue = Venue()
    broker = live(venue)
    at_send: list[list[str]] = []
    broker.before_send = lambda: at_send.append(
        [getattr(e, "new", e.type) for e in broker.drain_events()]
    )
    order = broker.submit(buy(), ts=T0)
    assert at_send == [["venue_request", OrderStatus.NEW, OrderStatus.SUBMITTED]]
    assert venue.creates == [{"cid": "s-1", "qty": "2"}]
    assert order.status is OrderStatus.ACCEPTED
    [accepted] = broker.drain_events()
    assert accepted.new is OrderStatus.ACCEPTED


def test_the_live_request_record_says_it_was_sent() -> None:
    broker = live(Venue())
    seen: list[object] = []
    broker.add_listener(seen.append)
    broker.submit(buy(), ts=T0)
    [request] = [e for e in seen if isinstance(e, VenueRequestEvent)]
    assert request.sent is True and request.data()["request"] == {"cid": "s-1", "qty": "2"}


def test_timeout_then_reconciliation_finds_the_order_without_a_resend() -> None:
    venue = Venue(fail_next=Timeout("read timed out"), arrives=True)
    broker = live(venue)
    order = broker.submit(buy(), ts=T0)
    assert order.status is OrderStatus.SUBMITTED
    assert broker.reconcile().ok  # in flight, and the venue has it: no difference
    broker.on_slice([make_bar("AAA", T1, "100")])
    assert broker.order(order.order_id).status is OrderStatus.ACCEPTED
    assert len(venue.creates) == 1  # never resent
    again = broker.submit(buy(), ts=T1)  # the engine's own resend is idempotent too
    assert again.order_id == order.order_id and len(venue.creates) == 1


def test_timeout_with_the_order_unknown_stays_submitted_and_is_reported() -> None:
    venue = Venue(fail_next=Timeout("read timed out"), arrives=False)
    broker = live(venue)
    order = broker.submit(buy(), ts=T0)
    broker.on_slice([make_bar("AAA", T1, "100")])
    assert broker.order(order.order_id).status is OrderStatus.SUBMITTED
    report = broker.reconcile()
    assert not report.ok
    assert report.only_in_journal == ["s-1: SUBMITTED in the journal, unknown at toy"]
    assert len(venue.creates) == 1
    assert broker.cancel_all(ts=T1) == []  # in flight: left to reconciliation
    with pytest.raises(OrderStateError):
        broker.cancel(order.order_id, ts=T1)


def test_a_venue_rejection_rejects_with_its_message() -> None:
    venue = Venue(fail_next=Refused("insufficient balance"))
    broker = live(venue)
    order = broker.submit(buy(), ts=T0)
    assert order.status is OrderStatus.REJECTED
    assert order.reason == "venue_rejected: toy: Refused: insufficient balance"
    assert broker.working_orders() == [] and broker.reserved() == 0


def test_a_fatal_error_raises_and_leaves_the_order_in_flight() -> None:
    broker = live(Venue(fail_next=BadKey("invalid api key")))
    with pytest.raises(VenueError, match="toy: submit of s-1 failed \\(fatal\\): BadKey") as info:
        broker.submit(buy(), ts=T0)
    assert info.value.kind is ErrorKind.FATAL
    assert broker.order_by_client_id("s-1").status is OrderStatus.SUBMITTED


def test_cancel_goes_to_the_venue_first() -> None:
    venue = Venue()
    broker = live(venue)
    order = broker.submit(buy(), ts=T0)
    canceled = broker.cancel(order.order_id, ts=T0, reason="halt")
    assert venue.cancels == ["s-1"] and canceled.status is OrderStatus.CANCELED
    assert venue.orders["s-1"].status is OrderStatus.CANCELED


def test_venue_fills_are_booked_in_the_ledger_once() -> None:
    venue = Venue()
    broker = live(venue)
    start = broker.account().cash
    order = broker.submit(buy(qty="2"), ts=T0)
    venue.trade("s-1", "0.5", "100.10", "0.05", T1)
    fills = broker.on_bar(make_bar("AAA", T1, "100"))
    assert [(f.qty, f.price, f.fee) for f in fills] == [
        (Decimal("0.5"), Decimal("100.10"), Decimal("0.05"))
    ]
    assert broker.order(order.order_id).status is OrderStatus.PARTIALLY_FILLED
    venue.trade("s-1", "1.5", "100.30", "0.15", T2)
    broker.on_slice([make_bar("AAA", T2, "101")])
    done = broker.order(order.order_id)
    assert done.status is OrderStatus.FILLED and done.filled_qty == Decimal(2)
    assert done.avg_fill_price == (Decimal("50.05") + Decimal("150.45")) / 2
    assert broker.account().cash == start - Decimal("50.05") - Decimal("150.45") - Decimal("0.20")
    assert broker.position_qty("AAA") == Decimal(2)
    fills = [e.fill for e in broker.drain_events() if isinstance(e, FillEvent)]
    assert [f.trade_id for f in fills] == ["T1", "T2"]
    broker.poll()  # the same trades again: nothing booked twice
    assert broker.position_qty("AAA") == Decimal(2)


def test_an_order_canceled_at_the_venue_is_followed() -> None:
    venue = Venue()
    broker = live(venue)
    order = broker.submit(buy(), ts=T0)
    broker.cancel_at_venue(broker.order(order.order_id))  # e.g. canceled in the web UI
    broker.on_slice([make_bar("AAA", T1, "100")])
    moved = broker.order(order.order_id)
    assert moved.status is OrderStatus.CANCELED and moved.reason == "canceled at toy"


def test_restart_reconciliation_lists_every_mismatch() -> None:
    venue = Venue()
    broker = live(venue)
    kept = broker.submit(buy("s-1"), ts=T0)
    broker.submit(buy("s-2"), ts=T0)
    broker.submit(buy("s-3"), ts=T0)
    snapshot = broker.snapshot()
    # while the session was down: s-2 vanished, s-3 part-filled, someone placed x-9
    del venue.orders["s-2"]
    venue.trade("s-3", "1", "100", "0", T1)
    venue.add("x-9")
    restarted = ToyLive(venue, cash=Decimal(10000))
    restarted.restore(snapshot)
    journaled = {"s-4": {"status": "ACCEPTED"}, "s-1": kept.model_dump(mode="json")}
    report = restarted.reconcile(journaled)
    assert report.only_at_venue == ["x-9: open at toy (buy 2 AAA), not in the journal"]
    assert report.only_in_journal == [
        "s-2: ACCEPTED in the journal, unknown at toy",
        "s-4: ACCEPTED in the journal, unknown to the broker and at toy",
    ]
    assert report.differing == ["s-3: filled 0 in the journal, 1 at toy"]
    assert report.balances == {"USD": "5000"}
    assert len(list(report)) == 4


def test_snapshot_keeps_venue_ids_and_booked_fills() -> None:
    venue = Venue()
    broker = live(venue)
    broker.submit(buy(), ts=T0)
    venue.trade("s-1", "1", "100", "0", T1)
    broker.on_slice([make_bar("AAA", T1, "100")])
    restarted = ToyLive(venue, cash=Decimal(10000))
    restarted.restore(broker.snapshot())
    assert restarted.poll() == []  # T1 was booked before the snapshot
    assert restarted.snapshot()["venue"] == {
        "venue_ids": {"s-1": "V1"},
        "booked": ["T1"],
        "fills_since": "2024-01-02T14:31:00Z",
    }


def test_reads_are_retried_when_their_error_is_transient() -> None:
    venue = Venue()
    broker = live(venue)
    broker.submit(buy(), ts=T0)
    calls: list[int] = []
    original = broker.fetch_open_orders

    def flaky() -> list[VenueOrder]:
        calls.append(1)
        if len(calls) < 3:
            raise Timeout("slow")
        return original()

    broker.fetch_open_orders = flaky  # type: ignore[method-assign]
    assert broker.reconcile().ok and len(calls) == 3
    calls.clear()
    broker.read_attempts = 2
    with pytest.raises(VenueError, match="read failed \\(unknown_outcome\\): Timeout: slow"):
        broker.reconcile()


def test_events_are_legal_transitions() -> None:
    venue = Venue(fail_next=Timeout("t"), arrives=True)
    broker = live(venue)
    broker.submit(buy(), ts=T0)
    venue.trade("s-1", "2", "100", "0", T1)
    broker.on_slice([make_bar("AAA", T1, "100")])
    statuses = [e.new for e in broker.drain_events() if isinstance(e, OrderEvent)]
    assert statuses == [
        OrderStatus.NEW,
        OrderStatus.SUBMITTED,
        OrderStatus.ACCEPTED,
        OrderStatus.FILLED,
    ]


def test_the_venue_is_polled_once_per_bar_time_and_only_with_orders_working() -> None:
    venue = Venue()
    broker = live(venue)
    polls: list[datetime | None] = []
    original = broker.fetch_fills

    def counted(since: datetime | None) -> list[VenueFill]:
        polls.append(since)
        return original(since)

    broker.fetch_fills = counted  # type: ignore[method-assign]
    broker.on_slice([make_bar("AAA", T1, "100"), make_bar("BBB", T1, "5")])
    assert polls == []  # nothing working: nothing to ask
    broker.submit(buy(), ts=T1)
    broker.on_slice([make_bar("AAA", T2, "100"), make_bar("BBB", T2, "5")])
    assert len(polls) == 1


def test_cancel_all_tries_every_order_before_reporting_a_refusal() -> None:
    venue = Venue()
    broker = live(venue)
    for cid in ("s-1", "s-2", "s-3"):
        broker.submit(buy(cid), ts=T0)
    original = broker.cancel_at_venue

    def refuse_s2(order: Order) -> None:
        if order.client_order_id == "s-2":
            raise Refused("order already closed")
        original(order)

    broker.cancel_at_venue = refuse_s2  # type: ignore[method-assign]
    with pytest.raises(VenueError, match="cancel of s-2 failed \\(rejected\\)"):
        broker.cancel_all(ts=T0, reason="kill switch")
    assert venue.cancels == ["s-1", "s-3"]
    assert [o.client_order_id for o in broker.working_orders()] == ["s-2"]
