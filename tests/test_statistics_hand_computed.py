"""The session statistics against values worked out by hand on tiny equity curves and fills.

Every expected number is written out with its arithmetic in the comments; none comes from
``logos.reports.statistics`` itself.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from logos.domain import Account, Fill, Order, OrderStatus, OrderType, Position, Side
from logos.reports import AccountHistory
from logos.reports.result import SessionResult
from logos.reports.statistics import compute_statistics, exit_kind, round_trips

D = Decimal
T0 = datetime(2024, 1, 1, tzinfo=UTC)


def _day(n: int) -> datetime:
    return T0 + timedelta(days=n)


def _history(equity: list[str], exposure: list[str] | None = None) -> AccountHistory:
    """One account row a day from 2024-01-01, cash = equity."""
    history = AccountHistory()
    peak = D(0)
    for i, text in enumerate(equity):
        value = D(text)
        peak = max(peak, value)
        gross = D(exposure[i]) if exposure else D(0)
        history.append(
            Account(
                ts=_day(i),
                cash=value,
                equity=value,
                gross_exposure=gross,
                net_exposure=gross,
                peak_equity=peak,
                drawdown=(peak - value) / peak,
            )
        )
    return history


def _fill(n: int, side: Side, qty: str, price: str, fee: str, day: int, sym: str = "X") -> Fill:
    return Fill(
        trade_id=f"T{n}",
        order_id=f"O{n}",
        client_order_id=f"c{n}",
        ts=_day(day),
        symbol=sym,
        side=side,
        qty=D(qty),
        price=D(price),
        fee=D(fee),
    )


def _order(n: int, kind: OrderType, reason: str = "", sym: str = "X") -> Order:
    return Order(
        order_id=f"O{n}",
        client_order_id=f"c{n}",
        symbol=sym,
        side=Side.SELL,
        type=kind,
        qty=D(1),
        limit_price=D(1) if kind is not OrderType.MARKET else None,
        stop_price=D(1) if kind in (OrderType.STOP, OrderType.STOP_LIMIT) else None,
        status=OrderStatus.FILLED,
        ts_created=T0,
        ts_updated=T0,
        reason=reason,
    )


def _result(equity: list[str], **kw: object) -> SessionResult:
    values: dict[str, object] = {
        "session_id": "s",
        "mode": "backtest",
        "config_summary": {},
        "starting_cash": D(100),
        "currency": "USD",
        "orders": [],
        "fills": [],
        "positions": [],
        "account": _history(equity, kw.pop("exposure", None)),  # type: ignore[arg-type]
        "symbols": ["X"],
    }
    values.update(kw)
    return SessionResult(**values)  # type: ignore[arg-type]


def test_returns_sharpe_sortino_on_a_four_day_curve() -> None:
    # equity 100 (start) -> rows 100, 110, 99, 121 on four consecutive days
    stats = compute_statistics(_result(["100", "110", "99", "121"]))
    # total return 121 / 100 - 1 = 0.21; PnL 21
    assert stats.pnl == D(21) and math.isclose(stats.total_return, 0.21)
    # bar returns: 110/100-1 = 0.1; 99/110-1 = -0.1; 121/99-1 = 22/99 = 0.2222...
    r = [0.1, -0.1, 22 / 99]
    mean = (0.1 - 0.1 + 22 / 99) / 3  # = 22/297 = 0.074074...
    # sample std (ddof 1): sqrt(sum((r - mean)^2) / 2)
    std = math.sqrt(((0.1 - mean) ** 2 + (-0.1 - mean) ** 2 + (22 / 99 - mean) ** 2) / 2)
    # observed frequency: 3 returns over 3 days = 1 bar a day = 365.25 bars a year
    assert stats.bars_per_year is not None and math.isclose(stats.bars_per_year, 365.25)
    assert stats.sharpe is not None and math.isclose(stats.sharpe, mean / std * math.sqrt(365.25))
    # downside deviation: sqrt((0^2 + (-0.1)^2 + 0^2) / 3) = sqrt(0.01 / 3) = 0.057735
    downside = math.sqrt(0.01 / 3)
    assert stats.sortino is not None
    assert math.isclose(stats.sortino, mean / downside * math.sqrt(365.25))
    assert len(r) == 3
    # annualised: 4 rows at 365.25 a year = 4/365.25 years; 1.21 ** (365.25 / 4) - 1
    assert stats.annualised_return is not None
    assert math.isclose(stats.annualised_return, 1.21 ** (365.25 / 4) - 1)


def test_max_drawdown_with_peak_trough_and_recovery_dates() -> None:
    # start 100; rows 100, 120, 90, 96, 125, 110 (days 0..5)
    # running peak 100, 120, 120, 120, 125, 125 -> falls 0, 0, 30/120 = 0.25, 24/120, 0, 15/125
    stats = compute_statistics(_result(["100", "120", "90", "96", "125", "110"]))
    dd = stats.drawdown
    assert math.isclose(dd.depth, 0.25) and dd.money == D(30)  # 120 - 90
    assert dd.peak == _day(1) and dd.trough == _day(2)
    assert dd.recovery == _day(4)  # 125 >= 120 first on day 4


def test_drawdown_from_starting_cash_never_recovered() -> None:
    # start 100; rows 95, 80, 90: peak is the starting cash (before the first row)
    dd = compute_statistics(_result(["95", "80", "90"])).drawdown
    assert math.isclose(dd.depth, 0.2) and dd.money == D(20)  # (100 - 80) / 100
    assert dd.peak is None and dd.trough == _day(1) and dd.recovery is None


def test_exposure_is_the_share_of_rows_holding_something() -> None:
    # 4 rows, gross exposure 0, 50, 60, 0 -> 2 of 4 rows = 0.5
    stats = compute_statistics(
        _result(["100", "101", "102", "100"], exposure=["0", "50", "60", "0"])
    )
    assert stats.exposure == 0.5


def test_fifo_round_trips_with_fees_wins_losses_and_profit_factor() -> None:
    fills = [
        _fill(1, Side.BUY, "2", "10", "0.2", 0),  # lot A: 2 @ 10, fee 0.1 a unit
        _fill(2, Side.BUY, "1", "12", "0.3", 1),  # lot B: 1 @ 12, fee 0.3 a unit
        # sells 2: closes lot A (2 @ 10) at 13, fee 0.4 -> 0.2 a unit
        #   gross (13 - 10) * 2 = 6; fees 0.1*2 + 0.2*2 = 0.6; net 5.4
        _fill(3, Side.SELL, "2", "13", "0.4", 2),
        # sells 3: closes lot B (1 @ 12) at 11, fee 0.3 -> 0.1 a unit
        #   gross (11 - 12) * 1 = -1; fees 0.3 + 0.1 = 0.4; net -1.4
        # then opens a short lot C: 2 @ 11, fee 0.1 a unit
        _fill(4, Side.SELL, "3", "11", "0.3", 3),
        # buys 2: covers the short C at 9, fee 0 -> gross (11 - 9) * 2 = 4; fees 0.2; net 3.8
        _fill(5, Side.BUY, "2", "9", "0", 4),
    ]
    orders = [
        _order(3, OrderType.TAKE_PROFIT),
        _order(4, OrderType.STOP),
        _order(5, OrderType.MARKET, reason="max_drawdown: flatten on trip"),
    ]
    trips = round_trips(fills, orders)
    assert [(t.direction, t.qty, t.entry_price, t.exit_price) for t in trips] == [
        ("long", D(2), D(10), D(13)),
        ("long", D(1), D(12), D(11)),
        ("short", D(2), D(11), D(9)),
    ]
    assert [t.gross_pnl for t in trips] == [D(6), D(-1), D(4)]
    assert [t.fees for t in trips] == [D("0.6"), D("0.4"), D("0.2")]
    assert [t.net_pnl for t in trips] == [D("5.4"), D("-1.4"), D("3.8")]
    assert [t.exit_kind for t in trips] == ["take_profit", "stop", "guard"]

    stats = compute_statistics(_result(["100", "100"], fills=fills, orders=orders))
    assert (stats.wins, stats.losses) == (2, 1)
    assert stats.win_rate is not None and math.isclose(stats.win_rate, 2 / 3)
    assert stats.avg_win == D("4.6")  # (5.4 + 3.8) / 2
    assert stats.avg_loss == D("-1.4")
    # profit factor: (5.4 + 3.8) / 1.4 = 9.2 / 1.4 = 6.571428...
    assert stats.profit_factor is not None and math.isclose(stats.profit_factor, 9.2 / 1.4)
    assert stats.best_trade is trips[0] or stats.best_trade == trips[0]
    assert stats.worst_trade == trips[1]
    assert stats.fees == D("1.2")  # 0.2 + 0.3 + 0.4 + 0.3 + 0
    assert stats.exits_by_kind == {"guard": 1, "stop": 1, "take_profit": 1}


def test_exit_kinds_follow_the_order_type_text() -> None:
    assert exit_kind(_order(1, OrderType.STOP_LIMIT)) == "stop"
    assert exit_kind(_order(1, OrderType.TRAILING_STOP)) == "trailing"
    assert exit_kind(_order(1, OrderType.LIMIT)) == "signal"
    assert exit_kind(None) == "signal"


def test_counts_and_pnl_per_symbol() -> None:
    fills = [
        _fill(1, Side.BUY, "1", "10", "0.5", 0, sym="X"),
        _fill(2, Side.SELL, "1", "14", "0.5", 1, sym="X").model_copy(update={"realized_pnl": D(4)}),
        _fill(3, Side.BUY, "2", "5", "0.1", 1, sym="Y"),
    ]
    orders = [
        _order(1, OrderType.MARKET),
        _order(2, OrderType.MARKET).model_copy(update={"status": OrderStatus.REJECTED}),
        _order(3, OrderType.MARKET).model_copy(update={"status": OrderStatus.DENIED}),
    ]
    positions = [Position(symbol="Y", qty=D(2), avg_cost=D(5), unrealized_pnl=D(3))]
    stats = compute_statistics(
        _result(["100", "100"], fills=fills, orders=orders, positions=positions, symbols=["X", "Y"])
    )
    assert (stats.orders, stats.filled_orders, stats.rejected_orders, stats.denied_orders) == (
        3,
        1,
        1,
        1,
    )
    # X: realized 4 - fees 1 = 3; Y: - fee 0.1 + unrealized 3 = 2.9
    assert stats.pnl_by_symbol == {"X": D(3), "Y": D("2.9")}


def test_undefined_ratios_are_none() -> None:
    stats = compute_statistics(_result(["100", "101"]))  # two rows: no Sharpe
    assert stats.sharpe is None and stats.sortino is None and stats.win_rate is None
    rising = compute_statistics(_result(["101", "102", "103"]))  # no losing bar
    assert rising.sortino is None and rising.sharpe is not None
    assert rising.profit_factor is None and rising.round_trips == 0 and rising.listed_trips == ()
