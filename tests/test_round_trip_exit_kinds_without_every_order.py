"""Round trips take the exit kind of each closing fill's order while the orders are read
once beside the fills: only the protective exits still being filled are remembered, never
a table of every order; and the statistics keep counts, sums and extremes of the round
trips, with only the first ones listed for the tables."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from logos.domain import Account, Fill, Order, OrderStatus, OrderType, Side
from logos.reports import AccountHistory
from logos.reports.result import SessionResult
from logos.reports.statistics import (
    TRIPS_LISTED,
    ExitKinds,
    Statistics,
    compute_statistics,
    is_exit_order,
    iter_round_trips,
    round_trips,
)

D = Decimal
T0 = datetime(2024, 1, 1, tzinfo=UTC)


def _t(minute: int) -> datetime:
    return T0 + timedelta(minutes=minute)


def _order(
    n: int, kind: OrderType, side: Side, qty: str, filled: str, created: int, **kw: object
) -> Order:
    status = kw.pop("status", OrderStatus.FILLED if D(filled) == D(qty) else OrderStatus.CANCELED)
    return Order(
        order_id=f"O{n}",
        client_order_id=f"c{n}",
        symbol=str(kw.pop("symbol", "X")),
        side=side,
        type=kind,
        qty=D(qty),
        limit_price=D(100) if kind in (OrderType.TAKE_PROFIT, OrderType.LIMIT) else None,
        stop_price=D(90) if kind in (OrderType.STOP, OrderType.TRAILING_STOP) else None,
        trail_amount=D(5) if kind is OrderType.TRAILING_STOP else None,
        status=status,
        filled_qty=D(filled),
        reduce_only=kind is not OrderType.MARKET,
        ts_created=_t(created),
        ts_updated=_t(created),
        reason=str(kw.pop("reason", "")),
    )


def _fill(
    n: int, order: int, side: Side, qty: str, price: str, minute: int, sym: str = "X"
) -> Fill:
    return Fill(
        trade_id=f"T{n}",
        order_id=f"O{order}",
        client_order_id=f"c{order}",
        ts=_t(minute),
        symbol=sym,
        side=side,
        qty=D(qty),
        price=D(price),
        fee=D(0),
    )


def _session() -> tuple[list[Order], list[Fill]]:
    """In creation order: X bought 2 (O1) with a stop leg (O2) and a take-profit leg (O3);
    40 signal round trips in Y meanwhile (O4..O83); the stop fills 1 at minute 100 and 1 at
    minute 101 (partial fills), the take-profit is canceled; then X bought 1 (O84) and
    flattened by a guard (O85)."""
    orders = [
        _order(1, OrderType.MARKET, Side.BUY, "2", "2", 0),
        _order(2, OrderType.STOP, Side.SELL, "2", "2", 1),
        _order(3, OrderType.TAKE_PROFIT, Side.SELL, "2", "0", 1),
    ]
    fills = [_fill(1, 1, Side.BUY, "2", "100", 1)]
    n = 3
    for i in range(40):
        for side in (Side.BUY, Side.SELL):
            n += 1
            orders.append(_order(n, OrderType.MARKET, side, "1", "1", 2 + 2 * i, symbol="Y"))
            fills.append(_fill(n, n, side, "1", "10", 3 + 2 * i, sym="Y"))
    fills.append(_fill(90, 2, Side.SELL, "1", "90", 100))
    fills.append(_fill(91, 2, Side.SELL, "1", "89", 101))
    orders.append(_order(84, OrderType.MARKET, Side.BUY, "1", "1", 110))
    fills.append(_fill(92, 84, Side.BUY, "1", "95", 111))
    reason = "max_drawdown: flatten on trip"
    orders.append(_order(85, OrderType.MARKET, Side.SELL, "1", "1", 112, reason=reason))
    fills.append(_fill(93, 85, Side.SELL, "1", "94", 113))
    return orders, fills


def test_exit_kinds_of_partial_stop_fills_and_a_guard_flatten() -> None:
    orders, fills = _session()
    trips = round_trips(fills, orders)
    x = [(t.qty, t.exit_price, t.exit_kind) for t in trips if t.symbol == "X"]
    assert x == [(D(1), D(90), "stop"), (D(1), D(89), "stop"), (D(1), D(94), "guard")]
    assert {t.exit_kind for t in trips if t.symbol == "Y"} == {"signal"}
    assert len(trips) == 3 + 40


def test_only_exits_still_being_filled_are_remembered() -> None:
    orders, fills = _session()
    kinds = ExitKinds(orders)
    held = []

    def kind_of(fill: Fill) -> str:
        kind = kinds.kind(fill)
        held.append(kinds.held)
        return kind

    list(iter_round_trips(fills, kind_of))
    # held: the stop leg (O2) from when it is read to its second fill, and the guard's
    # order (O85, minute 112) from when it is read, an hour ahead of the fill at minute 100,
    # to its own fill; never the canceled take-profit nor the 80 signal orders
    assert max(held) == 2 and kinds.held == 0
    assert held[-3] == 1  # after O2's second fill: O85 alone


def test_the_exit_orders_alone_name_the_same_exits() -> None:
    # what a session sets aside as its orders end: the filled stop (O2) and the guard's
    # flatten order (O85); not the canceled take-profit nor any signal order
    orders, fills = _session()
    exits = [o for o in orders if is_exit_order(o)]
    assert [o.order_id for o in exits] == ["O2", "O85"]
    assert round_trips(fills, exits) == round_trips(fills, orders)

    def statistics(exit_orders: list[Order] | None) -> Statistics:
        history = AccountHistory()
        history.append(Account(ts=_t(120), cash=D(1000), equity=D(1000), peak_equity=D(1000)))
        result = SessionResult(
            session_id="exits", mode="backtest", config_summary={}, starting_cash=D(1000),
            currency="USD", orders=orders, fills=fills, positions=[], account=history,
            symbols=["X", "Y"], exit_orders=exit_orders,
        )  # fmt: skip
        return compute_statistics(result)

    assert statistics(exits) == statistics(None)
    stats = statistics(exits)
    assert stats.exits_by_kind == {"guard": 1, "signal": 40, "stop": 2}
    assert (stats.orders, stats.filled_orders) == (85, 84)


def test_a_fill_stamped_a_little_before_its_order_still_finds_it() -> None:
    # a venue's clock a few seconds behind the session's: the stop's fills are stamped
    # before the stop was created; the orders are read an hour past each fill's time
    orders, fills = _session()
    orders[1] = orders[1].model_copy(update={"ts_created": _t(100) + timedelta(seconds=30)})
    orders[1:] = sorted(orders[1:], key=lambda o: o.ts_created)  # still in creation order
    trips = round_trips(fills, orders)
    assert [t.exit_kind for t in trips if t.symbol == "X"] == ["stop", "stop", "guard"]


def test_statistics_count_every_round_trip_and_list_the_first() -> None:
    count = TRIPS_LISTED + 5
    fills = []
    for i in range(count):
        # round trip i: buy 1 at 100, sell 1 at 100 + (i % 7) - 3: net -3 .. +3
        fills.append(_fill(2 * i, 2 * i, Side.BUY, "1", "100", 2 * i))
        fills.append(_fill(2 * i + 1, 2 * i + 1, Side.SELL, "1", str(100 + i % 7 - 3), 2 * i + 1))
    history = AccountHistory()
    history.append(Account(ts=T0, cash=D(100), equity=D(100), peak_equity=D(100)))
    result = SessionResult(
        session_id="many", mode="backtest", config_summary={}, starting_cash=D(100),
        currency="USD", orders=[], fills=fills, positions=[], account=history, symbols=["X"],
    )  # fmt: skip
    stats = compute_statistics(result)
    assert stats.round_trips == count and len(stats.listed_trips) == TRIPS_LISTED
    assert stats.listed_trips[0].entry_ts == _t(0)
    assert stats.listed_trips[-1].entry_ts == _t(2 * (TRIPS_LISTED - 1))
    # i % 7 in 4, 5, 6 win (+1, +2, +3), 0, 1, 2 lose (-3, -2, -1), 3 is flat: of 1005 trips
    # (143 full weeks of 7 and 4 more: i % 7 = 0..3) 143 × 3 win, 144 × 3 lose
    assert (stats.wins, stats.losses) == (429, 432)
    assert stats.best_trade is not None and stats.best_trade.entry_ts == _t(12)  # i = 6
    assert stats.worst_trade is not None and stats.worst_trade.entry_ts == _t(0)  # i = 0
    assert stats.avg_win == D(2) and stats.avg_loss == D(-2)
