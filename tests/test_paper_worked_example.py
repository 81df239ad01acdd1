"""The worked example of docs/paper_broker.md, number for number (all worked by hand there)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal as D

from logos.brokers import PaperBroker
from logos.domain import Liquidity, OrderIntent, OrderStatus, Side
from logos.testing.brokers import make_bar, make_intent

T0 = datetime(2024, 1, 2, 14, 30, tzinfo=UTC)
T1 = datetime(2024, 1, 2, 14, 31, tzinfo=UTC)
T2 = datetime(2024, 1, 2, 14, 32, tzinfo=UTC)


def intent(cid: str, side: Side, qty: int, limit: str | None = None) -> OrderIntent:
    return make_intent("ACME", side, qty, client_order_id=cid, ts=T0, limit=limit)


def test_worked_example() -> None:
    b = PaperBroker(
        cash=D(10000), fee_bps=D(10), maker_fee_bps=D(2), slippage_bps=D(5), allow_short=True
    )
    assert b.on_slice([make_bar("ACME", T0, "100")]).account.equity == D(10000)

    b.submit(intent("c1", Side.BUY, 10), ts=T0)
    b.submit(intent("c2", Side.BUY, 5, "98"), ts=T0)
    assert b.reserved() == D("1001.5005") + D("490.098")

    result = b.on_slice([make_bar("ACME", T1, "101", "102", "97.5", "99")])
    fills, account = result.fills, result.account
    assert [(f.qty, f.price, f.fee, f.liquidity) for f in fills] == [
        (D(10), D("101.0505"), D("1.010505"), Liquidity.TAKER),
        (D(5), D(98), D("0.098"), Liquidity.MAKER),
    ]
    assert account.cash == D("8498.386495")
    assert account.unrealized_pnl == D("-15.505")
    assert account.equity == D("9983.386495")
    assert account.fees == D("1.108505")
    assert account.peak_equity == D(10000)
    assert account.drawdown == D("0.0016613505")

    flip = b.submit(intent("c3", Side.SELL, 20), ts=T1)
    assert flip.status is OrderStatus.ACCEPTED
    result = b.on_slice([make_bar("ACME", T2, "104", "105", "103", "103")])
    [fill], account = result.fills, result.account
    assert (fill.price, fill.fee, fill.realized_pnl) == (D("103.948"), D("2.07896"), D("58.715"))
    assert account.cash == D("10575.267535")
    assert account.realized_pnl == D("58.715")
    assert account.unrealized_pnl == D("4.740")
    assert account.equity == D("10060.267535")
    assert account.fees == D("3.187465")
    assert (account.gross_exposure, account.net_exposure) == (D(515), D(-515))
    assert (account.peak_equity, account.drawdown) == (D("10060.267535"), D(0))
    [position] = b.positions()
    assert (position.qty, position.avg_cost, position.realized_pnl) == (
        D(-5),
        D("103.948"),
        D("58.715"),
    )
