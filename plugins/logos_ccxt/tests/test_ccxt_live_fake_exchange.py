"""Broker ``ccxt`` live, against ccxt's real okx class whose trading methods are faked in
memory and fail with ccxt's real exceptions: journal first, one create_order per order
whatever happens, reconciliation by client order id, fills in base units, every difference
reported after a restart. No network, no real credentials."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import ccxt
import pytest
from logos_ccxt.broker import CcxtBroker

from logos.brokers.base import FillEvent
from logos.brokers.venue import ErrorKind, VenueError, VenueRequestEvent
from logos.domain import OrderIntent, OrderStatus, OrderType, Side
from logos.errors import LogosError
from logos.testing.brokers import make_bar

MARKETS = Path(__file__).parent / "data" / "markets"
SYMBOL = "BTC/USDT:USDT"  # okx: 0.01 BTC per contract
T0 = datetime(2024, 3, 1, 10, 0, tzinfo=UTC)
T1, T2 = T0 + timedelta(minutes=1), T0 + timedelta(minutes=2)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def ms(ts: datetime) -> int:
    return (ts - EPOCH) // timedelta(milliseconds=1)


class FakeOkx(ccxt.okx):
    """ccxt's okx with its markets from the fixture and an in-memory book behind the unified
    trading methods. ``fail_create`` makes the next create_order raise it (``arrives``: the
    order reaches the book all the same); ``fail_reads`` are raised by the next reads."""

    def __init__(self) -> None:
        super().__init__({"enableRateLimit": False})
        self.set_markets(list(json.loads((MARKETS / "okx.json").read_text()).values()))
        self.book: dict[str, dict[str, Any]] = {}
        self.trades: list[dict[str, Any]] = []
        self.creates: list[tuple[Any, ...]] = []
        self.cancels: list[tuple[Any, ...]] = []
        self.fail_create: Exception | None = None
        self.arrives = False
        self.fail_reads: list[Exception] = []
        self.log: list[str] = []

    def place(self, cid: str | None, side: str, amount: str, price: str | None) -> dict[str, Any]:
        order = {
            "id": f"V{len(self.book) + 1}",
            "clientOrderId": cid,
            "symbol": SYMBOL,
            "side": side,
            "amount": float(amount),
            "filled": 0.0,
            "average": None,
            "price": None if price is None else float(price),
            "status": "open",
        }
        self.book[order["id"]] = order
        return order

    def create_order(self, symbol, type, side, amount, price=None, params={}):  # noqa: B006
        self.log.append("create_order")
        self.creates.append((symbol, type, side, amount, price, dict(params)))
        failure, self.fail_create = self.fail_create, None
        if failure is not None:
            if self.arrives:
                self.place(params.get("clientOrderId"), side, amount, price)
            raise failure
        return self.place(params.get("clientOrderId"), side, amount, price)

    def cancel_order(self, id, symbol=None, params={}):  # noqa: B006
        self.cancels.append((id, symbol, dict(params)))
        self.book[id]["status"] = "canceled"
        return self.book[id]

    def _read(self) -> None:
        if self.fail_reads:
            raise self.fail_reads.pop(0)

    def fetch_open_orders(self, symbol=None, since=None, limit=None, params={}):  # noqa: B006
        self._read()
        return [dict(o) for o in self.book.values() if o["status"] == "open"]

    def fetch_closed_orders(self, symbol=None, since=None, limit=None, params={}):  # noqa: B006
        self._read()
        return [dict(o) for o in self.book.values() if o["status"] != "open"]

    def fetch_my_trades(self, symbol=None, since=None, limit=None, params={}):  # noqa: B006
        self._read()
        return [t for t in self.trades if since is None or t["timestamp"] >= since]

    def fetch_balance(self, params={}):  # noqa: B006
        self._read()
        return {"total": {"USDT": 1000.5, "BTC": 0.0}}

    def trade(self, venue_id: str, contracts: str, price: str, fee: str, at: datetime) -> None:
        order = self.book[venue_id]
        order["filled"] += float(contracts)
        if order["filled"] >= order["amount"]:
            order["status"] = "closed"
        self.trades.append(
            {
                "id": f"tr{len(self.trades) + 1}",
                "order": venue_id,
                "symbol": SYMBOL,
                "side": order["side"],
                "amount": float(contracts),
                "price": float(price),
                "timestamp": ms(at),
                "takerOrMaker": "maker",
                "fee": {"cost": float(fee), "currency": "USDT"},
            }
        )


def live(venue: FakeOkx, **params: Any) -> CcxtBroker:
    broker = CcxtBroker(
        exchange="okx", mode="live", client=venue, cash=Decimal(10000), symbols=(), **params
    )
    broker.read_sleep = lambda seconds: None
    broker.on_slice([make_bar(SYMBOL, T0, "42000")])
    broker.drain_events()
    return broker


def buy(cid: str = "s-1", qty: str = "0.05", price: str = "42000.5") -> OrderIntent:
    return OrderIntent(
        symbol=SYMBOL,
        side=Side.BUY,
        qty=Decimal(qty),
        type=OrderType.LIMIT,
        limit_price=Decimal(price),
        client_order_id=cid,
        ts=T0,
    )


def test_submit_journals_first_then_sends_once_with_the_client_id() -> None:
    venue = FakeOkx()
    broker = live(venue)
    broker.before_send = lambda: venue.log.append(
        "journal: " + ", ".join(getattr(e, "new", e.type) for e in broker.drain_events())
    )
    order = broker.submit(buy(), ts=T0)
    assert venue.log == ["journal: venue_request, NEW, SUBMITTED", "create_order"]
    assert venue.creates == [(SYMBOL, "limit", "buy", "5", "42000.5", {"clientOrderId": "s-1"})]
    assert order.status is OrderStatus.ACCEPTED
    assert broker.snapshot()["venue"]["venue_ids"] == {"s-1": "V1"}


def test_the_journaled_request_is_what_was_sent() -> None:
    venue = FakeOkx()
    broker = live(venue)
    seen: list[Any] = []
    broker.add_listener(seen.append)
    broker.submit(buy(), ts=T0)
    [request] = [e for e in seen if isinstance(e, VenueRequestEvent)]
    assert request.sent is True
    assert request.request["raw"]["clOrdId"] == "s-1" and request.request["raw"]["sz"] == "5"


def test_timeout_then_reconciliation_finds_the_order_and_never_resends() -> None:
    venue = FakeOkx()
    venue.fail_create, venue.arrives = ccxt.RequestTimeout("okx POST /api/v5/trade/order"), True
    broker = live(venue)
    order = broker.submit(buy(), ts=T0)
    assert order.status is OrderStatus.SUBMITTED
    broker.on_slice([make_bar(SYMBOL, T1, "42000")])
    assert broker.order(order.order_id).status is OrderStatus.ACCEPTED
    assert broker.order(order.order_id).reason == "found at the venue by client order id"
    assert len(venue.creates) == 1
    assert broker.reconcile().ok


def test_timeout_with_the_order_unknown_stays_submitted_and_blocks_a_restart() -> None:
    venue = FakeOkx()
    venue.fail_create = ccxt.NetworkError("connection reset")
    broker = live(venue)
    order = broker.submit(buy(), ts=T0)
    broker.on_slice([make_bar(SYMBOL, T1, "42000")])
    assert broker.order(order.order_id).status is OrderStatus.SUBMITTED
    assert list(broker.reconcile()) == ["s-1: SUBMITTED in the journal, unknown at okx"]
    assert len(venue.creates) == 1
    assert broker.submit(buy(), ts=T1) == broker.order(order.order_id)  # no second send
    assert len(venue.creates) == 1


@pytest.mark.parametrize(
    "exc",
    [
        ccxt.RateLimitExceeded("okx 50011 too many requests"),
        ccxt.DDoSProtection("okx 429"),
        ccxt.DuplicateOrderId("okx 51016 duplicated clOrdId"),
    ],
)
def test_a_submit_that_may_have_arrived_is_left_in_flight(exc: Exception) -> None:
    venue = FakeOkx()
    venue.fail_create = exc
    broker = live(venue)
    assert broker.submit(buy(), ts=T0).status is OrderStatus.SUBMITTED


@pytest.mark.parametrize(
    ("exc", "name"),
    [
        (ccxt.InsufficientFunds('okx {"sCode":"51008","sMsg":"Insufficient balance"}'), "Insuff"),
        (ccxt.InvalidOrder("okx 51000 parameter px error"), "InvalidOrder"),
        (ccxt.BadSymbol("okx does not have market symbol"), "BadSymbol"),
    ],
)
def test_a_venue_rejection_rejects_with_its_message(exc: Exception, name: str) -> None:
    venue = FakeOkx()
    venue.fail_create = exc
    broker = live(venue)
    order = broker.submit(buy(), ts=T0)
    assert order.status is OrderStatus.REJECTED
    assert order.reason.startswith(f"venue_rejected: okx: {name}")
    assert str(exc) in order.reason
    assert broker.working_orders() == []


@pytest.mark.parametrize(
    "exc", [ccxt.AuthenticationError("okx 50113 invalid sign"), ccxt.PermissionDenied("okx 50120")]
)
def test_bad_credentials_stop_the_session(exc: Exception) -> None:
    venue = FakeOkx()
    venue.fail_create = exc
    broker = live(venue)
    with pytest.raises(VenueError, match=r"okx: submit of s-1 failed \(fatal\)") as info:
        broker.submit(buy(), ts=T0)
    assert info.value.kind is ErrorKind.FATAL


def test_cancel_cancels_at_the_venue_by_its_id() -> None:
    venue = FakeOkx()
    broker = live(venue)
    order = broker.submit(buy(), ts=T0)
    canceled = broker.cancel(order.order_id, ts=T0, reason="halt")
    assert canceled.status is OrderStatus.CANCELED
    assert venue.cancels == [("V1", SYMBOL, {})]


def test_a_refused_cancel_raises_and_changes_nothing() -> None:
    venue = FakeOkx()
    broker = live(venue)
    order = broker.submit(buy(), ts=T0)

    def gone(*args: Any, **kwargs: Any) -> None:
        raise ccxt.OrderNotFound("okx 51603 order does not exist")

    venue.cancel_order = gone  # type: ignore[method-assign]
    with pytest.raises(VenueError, match="cancel of s-1 failed"):
        broker.cancel(order.order_id, ts=T0)
    assert broker.order(order.order_id).status is OrderStatus.ACCEPTED


def test_fills_are_booked_in_base_units_with_the_venues_fee() -> None:
    venue = FakeOkx()
    broker = live(venue)
    cash = broker.account().cash
    order = broker.submit(buy(), ts=T0)
    venue.trade("V1", "2", "42000.5", "0.168", T1)  # 2 contracts = 0.02 BTC
    venue.trade("V1", "3", "42000", "0.252", T1 + timedelta(seconds=5))
    broker.on_slice([make_bar(SYMBOL, T1, "42010")])
    done = broker.order(order.order_id)
    assert done.status is OrderStatus.FILLED and done.filled_qty == Decimal("0.05")
    fills = [e.fill for e in broker.drain_events() if isinstance(e, FillEvent)]
    assert [(f.trade_id, f.qty, f.price, f.fee) for f in fills] == [
        ("tr1", Decimal("0.02"), Decimal("42000.5"), Decimal("0.168")),
        ("tr2", Decimal("0.03"), Decimal("42000"), Decimal("0.252")),
    ]
    assert broker.account().cash == cash - Decimal("840.01") - Decimal("1260") - Decimal("0.42")
    assert broker.position_qty(SYMBOL) == Decimal("0.05")
    broker.on_slice([make_bar(SYMBOL, T2, "42010")])
    assert broker.position_qty(SYMBOL) == Decimal("0.05")  # nothing booked twice


def test_transient_read_errors_are_retried() -> None:
    venue = FakeOkx()
    broker = live(venue)
    broker.submit(buy(), ts=T0)
    venue.fail_reads = [ccxt.RequestTimeout("slow"), ccxt.RateLimitExceeded("429")]
    assert broker.reconcile().ok
    venue.fail_reads = [ccxt.AuthenticationError("okx 50111 invalid key")]
    with pytest.raises(VenueError, match=r"read failed \(fatal\): AuthenticationError"):
        broker.reconcile()


def test_restart_reconciliation_reports_every_mismatch() -> None:
    venue = FakeOkx()
    broker = live(venue)
    broker.submit(buy("s-1"), ts=T0)
    broker.submit(buy("s-2"), ts=T0)
    broker.submit(buy("s-3"), ts=T0)
    snapshot = broker.snapshot()
    # while the session was down: s-2 canceled in the web UI, s-3 part-filled, and an
    # order placed by hand
    venue.book["V2"]["status"] = "canceled"
    venue.trade("V3", "1", "42000", "0", T1)
    venue.place(None, "sell", "1", "50000")
    restarted = CcxtBroker(exchange="okx", mode="live", client=venue, cash=Decimal(10000))
    restarted.restore(snapshot)
    report = restarted.reconcile()
    assert report.only_at_venue == [
        f"venue order V4: open at okx (sell 0.01 {SYMBOL}), not in the journal"
    ]
    assert report.differing == [
        "s-2: ACCEPTED in the journal, CANCELED at okx",
        "s-3: filled 0 in the journal, 0.01 at okx",
    ]
    assert report.balances == {"BTC": "0", "USDT": "1000.5"}
    assert not report.ok


def test_a_restart_books_the_downtime_first_and_then_only_the_unknown_differs() -> None:
    venue = FakeOkx()
    broker = live(venue)
    broker.submit(buy("s-1"), ts=T0)
    broker.submit(buy("s-2"), ts=T0)
    snapshot = broker.snapshot()
    venue.trade("V1", "5", "42000", "0.42", T1)  # filled while the session was down
    venue.book["V2"]["status"] = "canceled"
    venue.place(None, "sell", "1", "50000")
    restarted = CcxtBroker(exchange="okx", mode="live", client=venue, cash=Decimal(10000))
    restarted.read_sleep = lambda seconds: None
    restarted.restore(snapshot)
    [fill] = restarted.poll()
    assert (fill.qty, fill.price, fill.fee) == (Decimal("0.05"), Decimal("42000"), Decimal("0.42"))
    assert restarted.order_by_client_id("s-1").status is OrderStatus.FILLED
    assert restarted.order_by_client_id("s-2").status is OrderStatus.CANCELED
    assert list(restarted.reconcile()) == [
        f"venue order V3: open at okx (sell 0.01 {SYMBOL}), not in the journal"
    ]


def test_live_needs_credentials_and_client_ids() -> None:
    with pytest.raises(LogosError) as info:
        CcxtBroker(exchange="okx", mode="live", cash=Decimal(1))
    assert str(info.value) == (
        "broker 'ccxt': live trading on okx needs LOGOS_CCXT_OKX_API_KEY, "
        "LOGOS_CCXT_OKX_SECRET, LOGOS_CCXT_OKX_PASSWORD"
    )
    with pytest.raises(LogosError, match="coincheck ignores clientOrderId in ccxt"):
        CcxtBroker(exchange="coincheck", mode="live", credentials={"apiKey": "k", "secret": "s"})


def test_sandbox_only_where_ccxt_has_a_test_url() -> None:
    with pytest.raises(
        LogosError, match=r"kraken has no sandbox/testnet in ccxt \(no urls\['test'\]\)"
    ):
        CcxtBroker(exchange="kraken", sandbox=True, markets_file=str(MARKETS / "kraken.json"))
    broker = CcxtBroker(exchange="bybit", sandbox=True, markets_file=str(MARKETS / "bybit.json"))
    assert broker.exchange.isSandboxModeEnabled
    assert "testnet" in json.dumps(broker.exchange.urls["api"])
