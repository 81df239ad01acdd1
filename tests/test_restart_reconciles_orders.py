"""On restart, once the journaled slices are processed again, the broker's orders and the
journal's are compared by client order id: an order one side knows and the other does not,
or in another state, is listed and stops the start; a venue adapter adds what its venue
reports (its own ``reconcile``)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from logos.brokers.paper import PaperBroker
from logos.domain import OrderIntent, Side
from logos.state.journal import JsonlJournal, read_journal
from logos.state.reconcile import describe, differences, forgotten_orders

T0 = datetime(2024, 5, 6, 9, 30, tzinfo=UTC)


def _broker(*client_ids: str) -> PaperBroker:
    broker = PaperBroker(cash=Decimal(100))
    broker.mark_prices({"X": Decimal(10)}, ts=T0)
    for client_id in client_ids:
        intent = OrderIntent(
            symbol="X", side=Side.BUY, qty=Decimal(2), client_order_id=client_id, ts=T0
        )
        broker.submit(intent, ts=T0)
    return broker


def _journaled(broker: PaperBroker) -> dict[str, dict[str, Any]]:
    return {o.client_order_id: o.model_dump(mode="json") for o in broker.orders()}


def test_a_broker_and_a_journal_that_agree_have_no_differences() -> None:
    broker = _broker("s-1", "s-2")
    assert differences(broker, _journaled(broker)) == []


def test_each_side_knowing_an_order_the_other_does_not_is_listed() -> None:
    broker = _broker("s-1", "s-2")
    journaled = _journaled(broker)
    del journaled["s-2"]
    journaled["s-9"] = {**journaled["s-1"], "client_order_id": "s-9", "status": "ACCEPTED"}
    assert differences(broker, journaled) == [
        "s-9: in the journal (ACCEPTED), not at the broker",
        "s-2: at the broker (ACCEPTED), not in the journal",
    ]


def test_an_order_in_another_state_is_listed_with_both_values() -> None:
    broker = _broker("s-1")
    journaled = _journaled(broker)
    journaled["s-1"] = {**journaled["s-1"], "status": "FILLED", "filled_qty": "2"}
    assert differences(broker, journaled) == [
        "s-1: status ACCEPTED at the broker, FILLED in the journal"
    ]


def test_a_denied_order_never_reached_a_broker() -> None:
    broker = _broker()
    denied = {"client_order_id": "s-3", "status": "DENIED"}
    assert differences(broker, {"s-3": denied}) == []


def test_a_venue_adapters_own_reconciliation_is_added() -> None:
    class VenueBroker(PaperBroker):
        def reconcile(self, journaled: dict[str, dict[str, Any]]) -> list[str]:
            return [f"venue: {len(journaled)} orders checked, 1 fill the journal lacks"]

    broker = VenueBroker(cash=Decimal(100))
    assert differences(broker, {}) == ["venue: 0 orders checked, 1 fill the journal lacks"]


def test_the_message_counts_every_difference_and_lists_the_first_five() -> None:
    found = [f"s-{i}: x" for i in range(7)]
    assert describe(found) == (
        "7 order(s) differ between the broker and the journal: s-0: x; s-1: x; s-2: x; s-3: x; "
        "s-4: x (and 2 more)"
    )


def test_an_order_the_broker_forgot_at_a_snapshot_may_be_missing_there() -> None:
    broker = _broker("s-1")
    journaled = _journaled(broker)
    ended = {**journaled["s-1"], "client_order_id": "s-0", "status": "FILLED"}
    journaled["s-0"] = ended
    assert differences(broker, journaled, forgotten={"s-0"}) == []
    assert differences(broker, journaled) == ["s-0: in the journal (FILLED), not at the broker"]


def test_the_forgotten_orders_are_those_that_ended_by_the_snapshots_record(
    tmp_path: Path,
) -> None:
    def order(client_id: str, status: str) -> dict[str, Any]:
        return {"order": {"client_order_id": client_id, "status": status}}

    journal = JsonlJournal(tmp_path / "state.jsonl")
    journal.write("order", T0, order("s-1", "ACCEPTED"))  # seq 0
    journal.write("order", T0, order("s-1", "FILLED"))  # 1: ended before the snapshot
    journal.write("order", T0, order("s-2", "ACCEPTED"))  # 2: working at the snapshot
    journal.write("order", T0, order("s-3", "CANCELED"))  # 3: ended after it
    journal.close()
    contents = read_journal(tmp_path / "state.jsonl")
    assert forgotten_orders(contents, through=2) == {"s-1"}
    assert forgotten_orders(contents, through=-1) == set()
