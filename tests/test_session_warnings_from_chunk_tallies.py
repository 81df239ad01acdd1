"""The warnings of a session come from bounded tallies the session fills chunk by chunk
(bars and whether any signal was computed, per symbol) and from one pass over the orders,
with the same words as from whole frames and signal arrays."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import numpy as np
import pandas as pd

from logos.domain import Order, OrderStatus, OrderType, Side
from logos.reports.account_history import AccountHistory
from logos.reports.result import DroppedIntent, SessionResult
from logos.reports.warnings import SignalTally, session_warnings
from logos.strategies.base import Strategy

T0 = datetime(2024, 1, 1, tzinfo=UTC)
NO_SIGNAL = (
    "X: the strategy computed no signal on any of its 5 bars (every value NaN), so it never traded"
)


class NeedsThirty(Strategy):
    """Warm-up 30 bars; NaN signals throughout (a strategy that computed nothing)."""

    name = "needs_thirty"

    def warmup_bars(self) -> int:
        return 30

    def signals(self, bars: pd.DataFrame) -> pd.Series:
        return self._series(np.full(len(bars), np.nan), bars)


class NeedsOne(NeedsThirty):
    name = "needs_one"

    def warmup_bars(self) -> int:
        return 1


def _frame(bars: int) -> pd.DataFrame:
    index = pd.date_range(T0, periods=bars, freq="1min", name="ts")
    return pd.DataFrame({c: 1.0 for c in ("open", "high", "low", "close", "volume")}, index)


def _result(symbols: list[str], **kw: object) -> SessionResult:
    values: dict[str, object] = {
        "session_id": "s", "mode": "backtest", "config_summary": {},
        "starting_cash": Decimal(100), "currency": "USD", "orders": [], "fills": [],
        "positions": [], "account": AccountHistory(), "symbols": symbols,
    }  # fmt: skip
    values.update(kw)
    return SessionResult(**values)  # type: ignore[arg-type]


def _chunks(sizes: list[int], signals: list[np.ndarray | None]) -> SignalTally:
    tally = SignalTally(["X"])
    frame = _frame(sum(sizes))
    begin = 0
    for size, values in zip(sizes, signals, strict=True):
        tally.add("X", frame.iloc[begin : begin + size], values)
        begin += size
    return tally


def test_no_signal_in_any_chunk_is_the_same_warning_as_from_the_whole_frame() -> None:
    strategies = {"X": NeedsOne()}
    tally = _chunks([2, 3], [np.full(2, np.nan), np.full(3, np.nan)])
    assert session_warnings(_result(["X"]), strategies, tally) == [NO_SIGNAL]
    assert session_warnings(_result(["X"]), strategies, {"X": _frame(5)}) == [NO_SIGNAL]


def test_one_signal_in_one_chunk_is_no_warning() -> None:
    strategies = {"X": NeedsOne()}
    tally = _chunks([2, 3], [np.full(2, np.nan), np.array([np.nan, 0.0, np.nan])])
    assert session_warnings(_result(["X"]), strategies, tally) == []


def test_signals_not_kept_give_no_signal_warning_without_the_bars() -> None:
    strategies = {"X": NeedsOne()}
    tally = _chunks([2, 3], [None, None])  # computed bar by bar, not told
    assert session_warnings(_result(["X"]), strategies, tally) == []
    # with the whole frame at hand (small data) they are computed from it
    frames = {"X": _frame(5)}
    assert session_warnings(_result(["X"]), strategies, frames) == [NO_SIGNAL]


def test_fewer_bars_than_the_warm_up_over_chunks_and_a_symbol_without_bars() -> None:
    strategies = {"X": NeedsThirty(), "Y": NeedsThirty()}
    tally = SignalTally(["X", "Y"])
    frame = _frame(20)
    tally.add("X", frame.iloc[:8], np.zeros(8))
    tally.add("X", frame.iloc[8:], np.zeros(12))
    expected = [
        "X: 20 bars, fewer than the 30 the strategy needs before its first signal (its "
        "warm-up): it could not trade",
        "Y: 0 bars, fewer than the 30 the strategy needs before its first signal (its "
        "warm-up): it could not trade",
    ]
    assert session_warnings(_result(["X", "Y"]), strategies, tally) == expected
    frames = {"X": frame, "Y": frame.iloc[:0]}
    assert session_warnings(_result(["X", "Y"]), strategies, frames) == expected


def _order(n: int, symbol: str, status: OrderStatus, reason: str) -> Order:
    ts = T0 + timedelta(minutes=n)
    return Order(
        order_id=f"O{n}", client_order_id=f"c{n}", symbol=symbol, side=Side.BUY,
        type=OrderType.MARKET, qty=Decimal(1), status=status, ts_created=ts, ts_updated=ts,
        reason=reason,
    )  # fmt: skip


def test_rejections_and_drops_are_counted_in_one_pass() -> None:
    rejected = OrderStatus.REJECTED
    orders = [
        _order(1, "X", rejected, "insufficient_cash: needs 463 USD, has 100"),
        _order(2, "Y", OrderStatus.FILLED, "signal"),
        _order(3, "X", rejected, "short_not_allowed: X"),
        _order(4, "X", rejected, "insufficient_cash: needs 470 USD, has 100"),
        _order(5, "Y", rejected, "insufficient_cash: needs 1 USD"),
    ]
    drops = [
        DroppedIntent(T0, "Z", "below one lot (1)"),
        DroppedIntent(T0, "Y", "below one lot (1)"),
        DroppedIntent(T0, "Z", "below min notional"),
    ]
    result = _result(["X", "Y", "Z"], orders=orders, dropped_intents=drops)
    assert session_warnings(result, {}) == [
        # X: 3 orders, all rejected, insufficient_cash twice
        "X: every one of its 3 orders was rejected by the broker, so the results show no "
        "trading at all; most often (2): insufficient_cash",
        # Y sent an order that filled: its drop is no warning; Z sent nothing: 2 dropped
        "Z: every order intent was dropped by sizing (2 dropped, none sent), so the results "
        "show no trading at all; the first: below one lot (1)",
    ]
