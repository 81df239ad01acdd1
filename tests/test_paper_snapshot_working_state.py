"""``WorkingState`` is a plain dataclass; restoring a snapshot must still validate
each working state as strictly as the pydantic model did (unknown keys, naive timestamps,
non-finite amounts) and normalise offsets to UTC."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pydantic
import pytest

from logos.brokers.paper import PaperBroker
from logos.domain import Bar, OrderIntent, Side

T0 = datetime(2024, 5, 6, 9, 30, tzinfo=UTC)


def _snapshot() -> dict[str, Any]:
    broker = PaperBroker(cash=Decimal(100))
    broker.on_bar(Bar("X", T0, *(Decimal(10),) * 4, Decimal(1000)))
    broker.mark_prices({"X": Decimal(10)}, ts=T0)
    intent = OrderIntent(
        symbol="X", side=Side.BUY, qty=Decimal(2), client_order_id="c-1", reason="r", ts=T0
    )
    broker.submit(intent, ts=T0)
    return broker.snapshot()


def _with_working(**changes: Any) -> dict[str, Any]:
    snap = copy.deepcopy(_snapshot())
    snap["working"][0].update(changes)
    return snap


def test_snapshot_holds_the_working_state_as_json() -> None:
    assert _snapshot()["working"] == [
        {
            "order_id": "P-000001",
            "seq": 1,
            "accepted_ts": "2024-05-06T09:30:00Z",
            "reserve_qty": "2",
            "reserve_price": "10",
            "active_day": None,
            "filled_notional": "0",
        }
    ]


@pytest.mark.parametrize(
    ("changes", "location"),
    [
        ({"colour": "red"}, "working.0.colour"),
        ({"accepted_ts": "2024-05-06T09:30:00"}, "working.0.accepted_ts"),
        ({"reserve_qty": "NaN"}, "working.0.reserve_qty"),
        ({"reserve_price": "abc"}, "working.0.reserve_price"),
        ({"seq": "first"}, "working.0.seq"),
    ],
)
def test_restore_rejects_a_bad_working_state(changes: dict[str, Any], location: str) -> None:
    with pytest.raises(pydantic.ValidationError, match=location.replace(".", r"\.")):
        PaperBroker(cash=Decimal(100)).restore(_with_working(**changes))


def test_restore_normalises_an_offset_to_utc_and_round_trips() -> None:
    broker = PaperBroker(cash=Decimal(100))
    broker.restore(_with_working(accepted_ts="2024-05-06T11:30:00+02:00"))
    assert broker.snapshot() == _snapshot()
    assert broker.reserved() == Decimal(20)  # 2 x 10 held for the working buy
