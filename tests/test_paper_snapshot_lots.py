"""``Lot`` is a frozen dataclass; a snapshot still holds each lot as the same JSON object, and
restoring one validates every lot as strictly as the pydantic model did (unknown keys, naive
timestamps, non-finite amounts) and normalises offsets to UTC."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pydantic
import pytest

from logos.brokers.inventory import SymbolLots
from logos.brokers.paper import PaperBroker
from logos.domain import Bar, OrderIntent, Side

T0 = datetime(2024, 5, 6, 9, 30, tzinfo=UTC)
T1 = T0 + timedelta(minutes=1)


def _snapshot() -> dict[str, Any]:
    broker = PaperBroker(cash=Decimal(100))
    broker.on_bar(Bar("X", T0, *(Decimal(10),) * 4, Decimal(1000)))
    broker.mark_prices({"X": Decimal(10)}, ts=T0)
    intent = OrderIntent(
        symbol="X", side=Side.BUY, qty=Decimal(2), client_order_id="c-1", reason="r", ts=T0
    )
    broker.submit(intent, ts=T0)
    broker.on_bar(Bar("X", T1, *(Decimal(10),) * 4, Decimal(1000)))
    return broker.snapshot()


def _with_lot(**changes: Any) -> dict[str, Any]:
    snap = copy.deepcopy(_snapshot())
    snap["ledger"]["lots"]["X"][0].update(changes)
    return snap


def test_snapshot_holds_each_lot_as_json() -> None:
    assert _snapshot()["ledger"]["lots"] == {
        "X": [{"qty": "2", "price": "10", "ts": "2024-05-06T09:31:00Z", "trade_id": "PT-000001"}]
    }


@pytest.mark.parametrize(
    ("changes", "location"),
    [
        ({"colour": "red"}, "ledger.lots.X.0.colour"),
        ({"ts": "2024-05-06T09:31:00"}, "ledger.lots.X.0.ts"),
        ({"qty": "NaN"}, "ledger.lots.X.0.qty"),
        ({"price": "abc"}, "ledger.lots.X.0.price"),
    ],
)
def test_restore_rejects_a_bad_lot(changes: dict[str, Any], location: str) -> None:
    with pytest.raises(pydantic.ValidationError, match=location.replace(".", r"\.")):
        PaperBroker(cash=Decimal(100)).restore(_with_lot(**changes))


def test_restore_normalises_an_offset_to_utc_and_round_trips() -> None:
    broker = PaperBroker(cash=Decimal(100))
    broker.restore(_with_lot(ts="2024-05-06T11:31:00+02:00"))
    assert broker.snapshot() == _snapshot()
    assert broker.position_qty("X") == Decimal(2)


def test_a_lot_opened_at_an_offset_is_kept_in_utc() -> None:
    book = SymbolLots()
    cet = timezone(timedelta(hours=1))
    opened = book.apply(Decimal(3), Decimal(5), datetime(2024, 5, 6, 10, 30, tzinfo=cet), "t1")
    assert opened.opened is not None
    assert opened.opened.ts == T0 and opened.opened.ts.tzinfo is UTC
