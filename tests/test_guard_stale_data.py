"""stale_data: a symbol whose newest bar is older than 2 × timeframe + grace is recorded as
stale and takes no new entries (exits pass) until a fresh bar arrives; nothing latches."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from logos.domain import OrderStatus, Side
from logos.risk import StaleData


def ts(i: int) -> datetime:
    return datetime(2024, 1, 2, tzinfo=UTC) + timedelta(minutes=i)


def test_a_symbol_without_bars_goes_stale_then_fresh_again(guarded: Any) -> None:
    prices = {"AAA": [100] * 9, "BBB": [100, 100, 100, None, None, None, None, 100, 100]}
    run = guarded(prices, {"AAA": [0] * 9, "BBB": [0] * 5}, [StaleData()])
    # BBB's newest bar is minute 2. At the slice of minute 4 the clock is its close (00:05):
    # 3 minutes > 2 × 1m + 0 → stale. Minute 7 brings a bar: fresh.
    assert [(t.ts, t.action) for t in run.result.guard_trips] == [
        (ts(4), "entries blocked in BBB"),
        (ts(7), "cleared"),
    ]
    stale, fresh = run.result.guard_trips
    assert stale.measured == "BBB newest bar 2024-01-02T00:02:00Z is 3m old"
    assert stale.limit == "2 × 1m + 0s"
    assert fresh.measured == "BBB fresh again: newest bar 2024-01-02T00:07:00Z"
    assert [e.type for e in run.journal.events if e.type.startswith("guard")] == [
        "guard_trip",
        "guard_cleared",
    ]
    assert run.journal.of_type("guard_trip")[0].data["symbol"] == "BBB"
    assert "| stale_data | BBB newest bar 2024-01-02T00:02:00Z is 3m old |" in run.session_md
    assert not run.journal.of_type("trading_state")  # stale data changes no trading state


def test_grace_delays_staleness(guarded: Any) -> None:
    prices = {"AAA": [100] * 9, "BBB": [100, 100, 100, None, None, None, None, 100, 100]}
    run = guarded(prices, {"AAA": [0] * 9, "BBB": [0] * 5}, [StaleData(grace="2m")])
    assert [(t.ts, t.action) for t in run.result.guard_trips] == [
        (ts(6), "entries blocked in BBB"),  # 5 minutes > 2 + 2
        (ts(7), "cleared"),
    ]


def test_late_bars_block_entries_but_not_exits(guarded: Any) -> None:
    # from minute 3 the bars arrive 5 minutes after they close (a live feed falling behind)
    def clock(slice_ts: datetime) -> datetime:
        late = timedelta(minutes=5) if slice_ts >= ts(3) else timedelta(0)
        return slice_ts + timedelta(minutes=1) + late

    run = guarded({"AAA": [100] * 8}, {"AAA": [1, 1, 1, 0, 1, 1, 1, 1]}, [StaleData()], clock=clock)
    orders = [(o.ts_created, o.side, o.status) for o in run.result.orders]
    assert orders == [
        (ts(0), Side.BUY, OrderStatus.FILLED),
        (ts(3), Side.SELL, OrderStatus.FILLED),  # the exit passes while stale
        (ts(4), Side.BUY, OrderStatus.DENIED),  # the entry does not
    ]
    assert run.result.orders[2].reason == (
        "stale_data: AAA newest bar 2024-01-02T00:04:00Z is 6m old "
        "> limit 2 × 1m + 0s: no new entries"
    )
    assert [(t.ts, t.action) for t in run.result.guard_trips] == [(ts(3), "entries blocked in AAA")]
