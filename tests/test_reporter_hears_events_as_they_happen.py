"""A reporter hears the session as it runs: every order transition, every fill and every guard
record when the engine journals it, before the ``on_slice`` of the slice it belongs to — and
a reporter that listens to nothing is never called (docs/reports.md)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from conftest import GUARD_START, TripAt, run_guarded

from logos.domain import Account, Fill
from logos.lifecycle import OrderEvent
from logos.reports import Reporter
from logos.reports.result import GuardTrip


class Recorder(Reporter):
    name = "recorder"

    def __init__(self) -> None:
        super().__init__()
        self.heard: list[tuple[str, ...]] = []

    def on_order_event(self, event: OrderEvent) -> None:
        old = "-" if event.old is None else event.old.value
        self.heard.append(("order", event.order.order_id, f"{old}->{event.new.value}"))

    def on_fill(self, fill: Fill) -> None:
        self.heard.append(("fill", fill.order_id, f"{fill.price:f}".rstrip("0").rstrip(".")))

    def on_guard_trip(self, trip: GuardTrip) -> None:
        self.heard.append(("guard", trip.guard, trip.action))

    def on_slice(self, ts: datetime, account: Account) -> None:
        self.heard.append(("slice", str(int((ts - GUARD_START) / timedelta(minutes=1)))))

    def write(self, result: object, out_dir: Path) -> list[Path]:
        return []


def test_events_arrive_in_order_before_their_slice(tmp_path: Path) -> None:
    recorder = Recorder()
    halt = TripAt(at=GUARD_START + timedelta(minutes=3), action="halted", flatten=True)
    prices = {"X": [100, 101, 102, 103, 104, 105]}  # open = close: fills at the next price
    run_guarded(tmp_path, prices, {"X": [1] * 6}, [halt], reporters=[recorder])
    assert recorder.heard == [
        # bar 0: the signal sizes a buy of 1, accepted at once, eligible from bar 1
        ("order", "P-000001", "-->NEW"),
        ("order", "P-000001", "NEW->SUBMITTED"),
        ("order", "P-000001", "SUBMITTED->ACCEPTED"),
        ("slice", "0"),
        # bar 1: it fills at the open, 101
        ("fill", "P-000001", "101"),
        ("order", "P-000001", "ACCEPTED->FILLED"),
        ("slice", "1"),
        ("slice", "2"),
        # bar 3: the breaker trips (HALTED, flatten): the flatten order is sent
        ("guard", "trip_at", "HALTED, flatten"),
        ("order", "P-000002", "-->NEW"),
        ("order", "P-000002", "NEW->SUBMITTED"),
        ("order", "P-000002", "SUBMITTED->ACCEPTED"),
        ("slice", "3"),
        # bar 4: the flatten order fills at 104
        ("fill", "P-000002", "104"),
        ("order", "P-000002", "ACCEPTED->FILLED"),
        ("slice", "4"),
        ("slice", "5"),
    ]


class Silent(Reporter):
    """Listens to nothing: the engine must not call it while the session runs."""

    name = "silent"

    def __getattribute__(self, name: str) -> object:
        if name in ("on_order_event", "on_fill", "on_guard_trip", "on_slice"):
            raise AssertionError(f"{name} called on a reporter that does not listen")
        return super().__getattribute__(name)

    def write(self, result: object, out_dir: Path) -> list[Path]:
        return []


def test_a_reporter_that_listens_to_nothing_is_never_called(tmp_path: Path) -> None:
    halt = TripAt(at=GUARD_START + timedelta(minutes=3), action="halted", flatten=True)
    prices = {"X": [100, 101, 102, 103, 104, 105]}
    run = run_guarded(tmp_path, prices, {"X": [1] * 6}, [halt], reporters=[Silent()])
    assert len(run.result.fills) == 2
