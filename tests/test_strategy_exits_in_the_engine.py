"""How a strategy's entries and exits go through the engine (docs/orders.md): no re-entry on
the signal a stop just closed, limit entries at an offset, ATR-multiple stops, per-bar targets
from ``update``, and the protective legs under the trading states (HALTED keeps them; a guard's
flatten cancels them)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal as D
from pathlib import Path

import numpy as np
import pandas as pd
from conftest import TripAt

from logos.brokers.paper import PaperBroker
from logos.domain import Bar, Order, OrderStatus, OrderType
from logos.engine import Engine, SessionParts
from logos.feeds.replay import ReplayFeed
from logos.reports.result import SessionResult
from logos.risk import RiskManager
from logos.sizing import OrderTranslator
from logos.strategies.base import Strategy
from logos.strategies.targets import Entry, ExitSpec, Protection, Target

T0 = datetime(2024, 5, 6, 10, 0, tzinfo=UTC)
Ohlc = tuple[float, float, float, float]


class Scripted(Strategy):
    """Gives the signals (floats or Targets) it was told, one per bar."""

    name = "scripted_exits"

    def __init__(self, script: Sequence[object], **attrs: object) -> None:
        super().__init__()
        self.script = list(script)
        self.seen = 0
        for key, value in attrs.items():
            setattr(self, key, value)

    def warmup_bars(self) -> int:
        return 1

    def signals(self, bars: pd.DataFrame) -> pd.Series:
        values = [s.exposure if isinstance(s, Target) else s for s in self.script]
        return self._series(np.asarray(values[: len(bars)], dtype=float), bars)

    def update(self, bar: Bar) -> object:
        self.seen += 1
        return self.script[self.seen - 1]


def run(
    tmp_path: Path,
    bars: Sequence[Ohlc],
    strategy: Strategy,
    *,
    exits: Protection | None = None,
    guards: Sequence[object] = (),
    stepwise: bool = False,
) -> SessionResult:
    lines = ["timestamp,open,high,low,close,volume"]
    for i, (o, h, lo, c) in enumerate(bars):
        stamp = (T0 + timedelta(minutes=i)).strftime("%Y-%m-%dT%H:%M:%SZ")
        lines.append(f"{stamp},{o},{h},{lo},{c},100")
    path = tmp_path / "X.csv"
    path.write_text("\n".join(lines) + "\n")
    parts = SessionParts(
        session_id="e",
        mode="backtest",
        symbols=["X"],
        strategies={"X": strategy},
        translator=OrderTranslator("fixed_qty", {"qty": "10"}, session_id="e"),
        broker=PaperBroker(cash=D(100000)),
        risk=RiskManager(list(guards)),
        exits=exits,
        run_dir=tmp_path / "run",
    )
    signals = None
    if not stepwise:
        frame = ReplayFeed(path=str(path)).load_frames(["X"])["X"]
        signals = {"X": strategy.signals(frame).to_numpy()}
    return Engine(parts).run(ReplayFeed(path=str(path)), "1m", signals=signals)


def flat(price: float) -> Ohlc:
    return (price, price, price, price)


def by_type(result: SessionResult, kind: OrderType) -> list[Order]:
    return [o for o in result.orders if o.type is kind]


STOP_5 = Protection(stop_loss=ExitSpec(percent=D("0.05")))


def test_no_reentry_on_the_signal_a_stop_closed(tmp_path: Path) -> None:
    bars = [flat(100), flat(100), (100, 100, 90, 92), flat(92), flat(92), flat(92), flat(92)]
    # entry at bar 1's open (100); the stop at 95 fills at bar 2; signal stays 1 until bar 4
    strategy = Scripted([1, 1, 1, 1, 0, 1, 1])
    result = run(tmp_path, bars, strategy, exits=STOP_5)
    entries = [o for o in by_type(result, OrderType.MARKET) if o.exits is not None]
    assert [o.ts_created for o in entries] == [T0, T0 + timedelta(minutes=5)]
    (stop,) = [o for o in by_type(result, OrderType.STOP) if o.status is OrderStatus.FILLED]
    assert (stop.stop_price, stop.avg_fill_price) == (D(95), D(95))
    assert list(result.exit_orders or []) == [stop]  # set aside for the statistics


def test_limit_entry_at_an_offset_from_the_close(tmp_path: Path) -> None:
    bars = [flat(100), (100, 100, 98, 99), flat(99)]
    strategy = Scripted([1, 1, 1], entry=Entry(type="limit", offset=D("0.01")))
    result = run(tmp_path, bars, strategy)
    (entry,) = result.orders
    # 100 × (1 − 0.01) = 99; bar 1's low of 98 reaches it: filled at min(open 100, 99)
    assert (entry.type, entry.limit_price, entry.avg_fill_price) == (OrderType.LIMIT, 99, 99)


def test_atr_multiple_stop_is_an_offset_from_the_entry(tmp_path: Path) -> None:
    # true ranges: 4, 4, 4 (high − low; no gap) → ATR(3) = 4 after bar 2; 2 × ATR = 8
    bars = [(100, 102, 98, 100), (100, 102, 98, 100), (100, 102, 98, 100), flat(100), flat(100)]
    protection = Protection(stop_loss=ExitSpec(atr=D(2), atr_period=3))
    strategy = Scripted([np.nan, np.nan, 1, 1, 1], protection=protection)
    result = run(tmp_path, bars, strategy)
    (stop,) = by_type(result, OrderType.STOP)
    assert stop.stop_price == D(92)  # entry at bar 3's open, 100, minus 8


def test_per_bar_target_from_update_sets_its_own_levels(tmp_path: Path) -> None:
    target = Target(
        1.0,
        protection=Protection(stop_loss=ExitSpec(price=D(90)), take_profit=ExitSpec(price=D(120))),
    )
    bars = [flat(100), flat(100), (110, 121, 109, 115), flat(115)]
    result = run(tmp_path, bars, Scripted([target] * 4), stepwise=True)
    (stop,) = by_type(result, OrderType.STOP)
    (take,) = by_type(result, OrderType.TAKE_PROFIT)
    assert (stop.stop_price, stop.status) == (D(90), OrderStatus.CANCELED)
    assert (take.limit_price, take.avg_fill_price) == (D(120), D(120))


def test_halted_keeps_the_protective_legs_working(tmp_path: Path) -> None:
    bars = [flat(100), flat(100), flat(101), flat(102), (102, 102, 94, 95), flat(95)]
    halt = TripAt(at=T0 + timedelta(minutes=2), action="halted")
    result = run(tmp_path, bars, Scripted([1] * 6), exits=STOP_5, guards=[halt])
    (stop,) = by_type(result, OrderType.STOP)
    assert (stop.status, stop.avg_fill_price) == (OrderStatus.FILLED, D(95))


def test_a_guard_flatten_cancels_the_legs(tmp_path: Path) -> None:
    bars = [flat(100), flat(100), flat(101), flat(102), (102, 102, 94, 95), flat(95)]
    halt = TripAt(at=T0 + timedelta(minutes=2), action="halted", flatten=True)
    exits = Protection(
        stop_loss=ExitSpec(percent=D("0.05")), take_profit=ExitSpec(percent=D("0.5"))
    )
    result = run(tmp_path, bars, Scripted([1] * 6), exits=exits, guards=[halt])
    legs = [o for o in result.orders if o.parent_id is not None]
    assert [(o.type, o.status) for o in legs] == [
        (OrderType.STOP, OrderStatus.CANCELED),
        (OrderType.TAKE_PROFIT, OrderStatus.CANCELED),
    ]
    flatten = [o for o in result.orders if "flatten" in o.reason and o.type is OrderType.MARKET]
    assert flatten and flatten[0].status is OrderStatus.FILLED
    assert list(result.exit_orders or []) == flatten  # the canceled legs never filled
