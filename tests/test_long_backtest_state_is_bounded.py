"""A backtest's memory does not grow with its number of orders.

Nothing can resume a backtest, so once an order has ended the engine writes it to its spooled
outputs and the paper broker forgets it (``Broker.release_orders``), journal or not: at the
end the broker knows only the orders still working. The artifacts are those of a run whose
broker keeps every order: same bytes. The orders the reports count are counted as they end,
not read back from disk again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from logos.config import validate_config
from logos.domain import OrderStatus
from logos.plugins import get_registry
from logos.reports import spool
from logos.reports.fill_totals import FillTotals
from logos.reports.order_counts import OrderCounts
from logos.session import build_session, run_session, write_artifacts
from logos.state.journal import JsonlJournal

DATA = Path(__file__).parent / "data"
COMPARED = ("orders.csv", "trades.csv", "positions.csv", "account.csv")
CONFIG: dict[str, Any] = {
    "session_id": "bounded",
    "symbols": ["UNITTEST/BTC"],
    "timeframe": "5m",
    "feed": {
        "name": "replay",
        "params": {"path": str(DATA / "bars" / "freqtrade_UNITTEST_BTC-5m.csv")},
    },
    "broker": {"name": "paper", "params": {"cash": "1000000", "fee_bps": "10"}},
    "strategy": {"name": "sma_cross", "params": {"fast": 2, "slow": 5}},
    "sizing": {"name": "fixed_qty", "params": {"qty": "1"}},
    # a take-profit far away rests for a long time: orders end out of creation order
    "exits": {"take_profit": {"percent": 0.2}},
}


def test_ended_orders_leave_the_broker_and_the_artifacts_are_unchanged(tmp_path: Path) -> None:
    registry = get_registry()
    outputs: dict[str, dict[str, bytes]] = {}
    for kept in (False, True):
        session = build_session(validate_config(CONFIG, registry), registry)
        session.engine.parts.journal = JsonlJournal(tmp_path / f"state-{kept}.jsonl")
        if kept:  # a broker that forgets nothing (the base class's default)
            session.engine.broker.release_orders = lambda order_ids: None  # type: ignore[method-assign]
        result = run_session(session)
        out = tmp_path / ("kept" if kept else "released")
        write_artifacts(session, result, out)
        outputs[out.name] = {name: (out / name).read_bytes() for name in COMPARED}
        known = session.engine.broker.orders()
        if kept:
            assert len(known) == len(result.orders) > 200
        else:
            assert all(o.status.is_working for o in known), "an ended order is still held"
        # what the engine counted as orders ended and fills happened is what they say
        assert result.order_counts == OrderCounts.of(list(result.orders))
        assert result.fill_totals == FillTotals.of(list(result.fills), result.symbols)
        assert result.fill_totals is not None and result.fill_totals.closing > 100
        statuses = {o.status for o in result.orders}
        assert OrderStatus.FILLED in statuses and OrderStatus.CANCELED in statuses
    assert outputs["released"] == outputs["kept"]
    lines = outputs["released"]["orders.csv"].decode().splitlines()[1:]
    created = [line.split(",")[2] for line in lines]
    assert created == sorted(created)  # creation order, though they ended out of order


def test_outputs_written_to_disk_or_held_in_memory_make_the_same_artifacts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a run of a few hundred orders holds its spools in memory; with batches of 7 items it
    # writes them to disk, out of order (the take-profits rest), and reads them back
    registry = get_registry()
    outputs: dict[int, dict[str, bytes]] = {}
    for batch in (spool.BATCH, 7):
        monkeypatch.setattr(spool, "BATCH", batch)
        session = build_session(validate_config(CONFIG, registry), registry)
        result = run_session(session)
        assert isinstance(result.fills, spool.Spool)
        assert (result.fills.batches_on_disk > 0) == (batch == 7)
        out = tmp_path / str(batch)
        write_artifacts(session, result, out)
        outputs[batch] = {name: (out / name).read_bytes() for name in (*COMPARED, "session.md")}
    assert outputs[7] == outputs[spool.BATCH]
