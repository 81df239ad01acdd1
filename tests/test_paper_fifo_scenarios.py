"""FIFO PnL through the paper broker, end to end, every number worked out by hand below."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

from logos.brokers import PaperBroker
from logos.domain import Account, OrderIntent, OrderStatus, Side
from logos.testing.brokers import make_bar, make_intent

T0 = datetime(2024, 1, 2, 15, 0, tzinfo=UTC)


def t(i: int) -> datetime:
    return T0 + timedelta(minutes=i)


def order(cid: str, side: Side, qty: int, at: int, limit: str | None = None) -> OrderIntent:
    return make_intent("X", side, qty, client_order_id=cid, ts=t(at), limit=limit)


def identity_holds(account: Account, start: D) -> bool:
    return account.equity == start + account.realized_pnl - account.fees + account.unrealized_pnl


def test_buys_at_three_prices_partial_sell_flip_to_short_and_cover_at_a_loss() -> None:
    """10 bps taker fee on every fill, no slippage, shorts allowed, 10000 of cash."""
    start = D(10000)
    b = PaperBroker(cash=start, fee_bps=D(10), allow_short=True)
    b.on_slice([make_bar("X", t(0), "100")])
    realized, fees = [], []

    def step(i: int, o: str, h: str, low: str, c: str) -> Account:
        result = b.on_slice([make_bar("X", t(i), o, h, low, c)])
        realized.extend(f.realized_pnl for f in result.fills)
        fees.extend(f.fee for f in result.fills)
        assert identity_holds(result.account, start)
        return result.account

    # three buys: 10 @ 100 (fee 1), 5 @ 110 (fee 0.55), 5 @ 120 (fee 0.6)
    b.submit(order("b1", Side.BUY, 10, 0), ts=t(0))
    acc = step(1, "100", "100", "100", "100")
    assert (acc.cash, acc.equity) == (D(8999), D(9999))  # 10000 - 1000 - 1; + 10 × 100
    assert (acc.peak_equity, acc.drawdown) == (start, D("0.0001"))  # 1 / 10000
    b.submit(order("b2", Side.BUY, 5, 1), ts=t(1))
    step(2, "110", "110", "110", "110")
    b.submit(order("b3", Side.BUY, 5, 2), ts=t(2))
    acc = step(3, "120", "120", "120", "120")
    # cash 8999 - 550.55 - 600.6; lots 10@100 5@110 5@120: cost 2150, avg 107.5
    assert acc.cash == D("7847.85")
    assert acc.unrealized_pnl == D(250)  # 20 × 120 - 2150
    [pos] = b.positions()
    assert (pos.qty, pos.avg_cost) == (D(20), D("107.5"))

    # partial sell 12 @ 130 (fee 1.56) closes lot 10@100 and 2 of 5@110
    b.submit(order("s1", Side.SELL, 12, 3), ts=t(3))
    acc = step(4, "130", "130", "125", "125")
    assert realized[-1] == D(340)  # 10 × 30 + 2 × 20
    assert acc.cash == D("9406.29")  # 7847.85 + 1560 - 1.56
    assert acc.unrealized_pnl == D(70)  # 3 × (125 - 110) + 5 × (125 - 120)
    assert acc.equity == D("10406.29")  # 9406.29 + 8 × 125: a new peak
    assert (acc.peak_equity, acc.drawdown) == (D("10406.29"), D(0))
    [pos] = b.positions()
    assert (pos.qty, pos.avg_cost) == (D(8), D("116.25"))  # (330 + 600) / 8

    # flip: sell 20 @ 115 (fee 2.3) closes 3@110 (+15) and 5@120 (-25), opens -12 @ 115
    b.submit(order("s2", Side.SELL, 20, 4), ts=t(4))
    acc = step(5, "115", "118", "115", "118")
    assert realized[-1] == D(-10)
    assert acc.cash == D("11703.99")  # 9406.29 + 2300 - 2.3
    assert acc.unrealized_pnl == D(-36)  # (118 - 115) × -12
    assert acc.equity == D("10287.99")  # 11703.99 - 12 × 118
    assert (acc.gross_exposure, acc.net_exposure) == (D(1416), D(-1416))
    assert acc.drawdown == D("118.30") / D("10406.29")  # (peak - equity) / peak
    [pos] = b.positions()
    assert (pos.qty, pos.avg_cost, pos.unrealized_pnl) == (D(-12), D(115), D(-36))

    # cover 12 @ 121 (fee 1.452): a loss of (115 - 121) × 12
    b.submit(order("c1", Side.BUY, 12, 5), ts=t(5))
    acc = step(6, "121", "121", "121", "121")
    assert realized == [D(0), D(0), D(0), D(340), D(-10), D(-72)]
    assert fees == [D(1), D("0.55"), D("0.6"), D("1.56"), D("2.3"), D("1.452")]
    assert acc.cash == acc.equity == D("10250.538")  # 11703.99 - 1452 - 1.452; flat
    assert (acc.realized_pnl, acc.fees, acc.unrealized_pnl) == (D(258), D("7.462"), D(0))
    assert acc.drawdown == D("155.752") / D("10406.29")
    [pos] = b.positions()
    assert (pos.qty, pos.avg_cost, pos.realized_pnl, pos.unrealized_pnl) == (D(0), D(0), D(258), 0)
    assert all(o.status is OrderStatus.FILLED for o in b.orders())


def test_maker_and_taker_fees_and_a_sell_closing_lots_over_two_partial_fills() -> None:
    """Taker 20 bps, maker 5 bps, at most half of each bar's volume."""
    start = D(10000)
    b = PaperBroker(cash=start, fee_bps=D(20), maker_fee_bps=D(5), volume_participation=D("0.5"))
    b.on_slice([make_bar("X", t(0), "50", volume="100")])
    b.submit(order("b1", Side.BUY, 10, 0), ts=t(0))
    b.submit(order("b2", Side.BUY, 10, 0, limit="48"), ts=t(0))

    # budget 50: market 10 @ 50 (taker 10 × 50 × 0.002 = 1), limit 10 @ min(50, 48) = 48
    # (maker 10 × 48 × 0.0005 = 0.24)
    r = b.on_slice([make_bar("X", t(1), "50", "51", "47", "49", volume="100")])
    assert [(f.qty, f.price, f.fee) for f in r.fills] == [
        (D(10), D(50), D(1)),
        (D(10), D(48), D("0.24")),
    ]
    assert r.account.cash == D("9018.76")  # 10000 - 500 - 1 - 480 - 0.24
    assert r.account.equity == D("9998.76")  # + 20 × 49; unrealized -10 + 10 = 0
    assert identity_holds(r.account, start)

    sell = b.submit(order("s1", Side.SELL, 16, 1, limit="52"), ts=t(1))
    # volume 12 -> 6 may fill; high 53 ≥ 52 -> at max(51, 52) = 52, fee 6 × 52 × 0.0005
    r = b.on_slice([make_bar("X", t(2), "51", "53", "50", "52", volume="12")])
    [fill] = r.fills
    assert (fill.qty, fill.price, fill.fee, fill.realized_pnl) == (D(6), D(52), D("0.156"), D(12))
    assert b.order(sell.order_id).status is OrderStatus.PARTIALLY_FILLED
    assert r.account.cash == D("9330.604")  # 9018.76 + 312 - 0.156
    assert identity_holds(r.account, start)

    # opens above the limit: the other 10 fill at the open 54 (fee 0.27); FIFO closes
    # the 4 left of 10@50 (+16) and 6 of 10@48 (+36)
    r = b.on_slice([make_bar("X", t(3), "54", "55", "53", "53", volume="100")])
    [fill] = r.fills
    assert (fill.qty, fill.price, fill.fee, fill.realized_pnl) == (D(10), D(54), D("0.27"), D(52))
    done = b.order(sell.order_id)
    assert (done.status, done.avg_fill_price) == (OrderStatus.FILLED, D("53.25"))  # 852 / 16
    acc = r.account
    assert acc.cash == D("9870.334")  # 9330.604 + 540 - 0.27
    assert (acc.realized_pnl, acc.fees, acc.unrealized_pnl) == (D(64), D("1.666"), D(20))
    assert acc.equity == D("10082.334")  # 9870.334 + 4 × 53
    assert (acc.peak_equity, acc.drawdown) == (D("10082.334"), D(0))
    [pos] = b.positions()
    assert (pos.qty, pos.avg_cost, pos.realized_pnl) == (D(4), D(48), D(64))
