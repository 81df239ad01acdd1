"""Live trading through a fake ``TradingClient`` answering with alpaca-py's real models:
journal first, never resent, reconciled by client order id, Alpaca's errors by status."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import requests
from logos_alpaca.broker import AlpacaBroker, AlpacaParams

from logos.brokers.base import FillEvent
from logos.brokers.venue import VenueError
from logos.domain import OrderStatus, OrderType, SymbolMeta
from logos.testing.brokers import make_bar

T0 = datetime(2024, 1, 2, 14, 30, tzinfo=UTC)  # the intents' time (conftest)
STEP = timedelta(minutes=1)


def bar(i: int, price: str = "100"):
    return make_bar("AAPL", T0 + i * STEP, price)


def live(client, **params) -> AlpacaBroker:
    broker = AlpacaBroker(
        AlpacaParams(**params), symbols=[SymbolMeta(symbol="AAPL")], mode="live", client=client
    )
    broker.read_sleep = lambda seconds: None
    broker.on_slice([bar(0)])
    broker.drain_events()
    return broker


def submits(client) -> list:
    return [arg for name, arg in client.calls if name == "submit_order"]


def test_submit_journals_first_then_sends(fake_client, intent):
    broker = live(fake_client)
    seen: list[str] = []
    broker.before_send = lambda: seen.append(
        f"journal (submits so far: {len(submits(fake_client))})"
    )
    order = broker.submit(intent("AAPL", "2", cid="c-1"), ts=T0)
    assert order.status is OrderStatus.ACCEPTED
    assert seen == ["journal (submits so far: 0)"]
    assert submits(fake_client) == [
        {
            "symbol": "AAPL",
            "qty": 2.0,
            "side": "buy",
            "type": "market",
            "time_in_force": "gtc",
            "client_order_id": "c-1",
        }
    ]
    records = [e.data() for e in broker.drain_events() if e.type == "venue_request"]
    assert [(r["client_order_id"], r["sent"]) for r in records] == [("c-1", True)]


def test_fills_at_alpaca_are_booked_at_their_prices(fake_client, intent):
    broker = live(fake_client)
    broker.submit(intent("AAPL", "2", cid="c-1"), ts=T0)
    fake_client.fill("c-1", "1", "100.5", "partially_filled")
    first = broker.on_bar(bar(1))
    fake_client.fill("c-1", "2", "100.75", "filled")  # second share at 101.00
    second = broker.on_bar(bar(2))
    assert [(f.qty, f.price) for f in first + second] == [
        (Decimal(1), Decimal("100.5")),
        (Decimal(1), Decimal("101.00")),
    ]
    order = broker.order_by_client_id("c-1")
    assert (order.status, order.filled_qty, order.avg_fill_price) == (
        OrderStatus.FILLED,
        Decimal(2),
        Decimal("100.75"),
    )
    assert broker.position_qty("AAPL") == 2
    assert len([e for e in broker.drain_events() if isinstance(e, FillEvent)]) == 2


def test_timeout_then_reconcile_finds_the_order_without_resending(fake_client, intent):
    broker = live(fake_client)
    fake_client.fail["submit_order"] = [requests.exceptions.ReadTimeout("read timed out")]
    fake_client.keep_on_failure = True  # Alpaca got it; the answer was lost
    order = broker.submit(intent("AAPL", "2", cid="c-1"), ts=T0)
    assert order.status is OrderStatus.SUBMITTED
    broker.on_bar(bar(1))
    assert broker.order_by_client_id("c-1").status is OrderStatus.ACCEPTED
    assert len(submits(fake_client)) == 1
    assert broker.reconcile().ok


def test_timeout_and_alpaca_never_got_it_stays_submitted_and_is_reported(fake_client, intent):
    broker = live(fake_client)
    fake_client.fail["submit_order"] = [requests.exceptions.ConnectionError("reset by peer")]
    order = broker.submit(intent("AAPL", "2", cid="c-1"), ts=T0)
    assert order.status is OrderStatus.SUBMITTED
    broker.on_bar(bar(1))
    assert broker.order_by_client_id("c-1").status is OrderStatus.SUBMITTED
    assert len(submits(fake_client)) == 1
    report = broker.reconcile()
    assert report.only_in_journal == ["c-1: SUBMITTED in the journal, unknown at alpaca"]


def test_alpaca_rejects_with_its_message(fake_client, intent, alpaca_error):
    broker = live(fake_client)
    fake_client.fail["submit_order"] = [alpaca_error(403, "insufficient buying power")]
    order = broker.submit(intent("AAPL", "2", cid="c-1"), ts=T0)
    assert order.status is OrderStatus.REJECTED
    assert "insufficient buying power" in order.reason
    assert broker.working_orders() == []


def test_bad_keys_stop_the_session(fake_client, intent, alpaca_error):
    broker = live(fake_client)
    fake_client.fail["submit_order"] = [alpaca_error(401, "request is not authorized")]
    with pytest.raises(VenueError, match="fatal"):
        broker.submit(intent("AAPL", "2", cid="c-1"), ts=T0)


def test_cancel_goes_to_alpaca_by_its_order_id(fake_client, intent):
    broker = live(fake_client)
    order = broker.submit(
        intent("AAPL", "2", cid="c-1", type=OrderType.LIMIT, limit_price="90"), ts=T0
    )
    canceled = broker.cancel(order.order_id, ts=T0)
    assert canceled.status is OrderStatus.CANCELED
    venue_id = fake_client.orders["c-1"]["id"]
    assert ("cancel_order_by_id", venue_id) in fake_client.calls
    assert broker.reconcile().ok


def test_unknown_symbol_at_alpaca_is_refused_not_sent(fake_client, intent):
    broker = live(fake_client)
    order = broker.submit(intent("NOPE", "1", cid="c-9"), ts=T0)
    assert order.status is OrderStatus.REJECTED
    assert "no Alpaca asset NOPE" in order.reason
    assert submits(fake_client) == []


def test_restart_finds_what_the_journal_does_not_know(fake_client, intent):
    broker = live(fake_client)
    broker.submit(intent("AAPL", "2", cid="c-1", type=OrderType.LIMIT, limit_price="90"), ts=T0)
    snapshot = broker.snapshot()
    # while the session was down: someone placed an order by hand, and c-1 half filled
    fake_client.add_order(
        {
            "client_order_id": "by-hand",
            "symbol": "AAPL",
            "qty": 5,
            "type": "market",
            "side": "sell",
            "time_in_force": "day",
        }
    )
    fake_client.fill("c-1", "1", "90", "partially_filled")
    restarted = AlpacaBroker(AlpacaParams(), mode="live", client=fake_client)
    restarted.read_sleep = lambda seconds: None
    restarted.restore(snapshot)
    report = restarted.reconcile()
    assert not report.ok
    assert report.only_at_venue == ["by-hand: open at alpaca (sell 5 AAPL), not in the journal"]
    assert report.differing == ["c-1: filled 0 in the journal, 1 at alpaca"]
