"""FIFO lots: partial closes against several lots, flips, short covers, and the ledger's cash."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal as D

import pytest

from logos.brokers.accounting import Ledger
from logos.brokers.inventory import SymbolLots
from logos.domain import Side

T = datetime(2024, 5, 6, tzinfo=UTC)


def lots_of(book: SymbolLots) -> list[tuple[D, D, str]]:
    return [(lot.qty, lot.price, lot.trade_id) for lot in book]


def test_several_buys_then_partial_sells_realize_per_lot() -> None:
    book = SymbolLots()
    for qty, price, tid in [("10", "100", "t1"), ("5", "110", "t2"), ("5", "120", "t3")]:
        assert book.apply(D(qty), D(price), T, tid).closed == ()
    assert book.qty == D(20)
    assert book.avg_cost == D("107.5")  # (1000 + 550 + 600) / 20

    out = book.apply(D(-12), D(130), T, "t4")
    # t1: (130-100)*10 = 300; t2: (130-110)*2 = 40
    assert [(c.trade_id, c.qty, c.realized_pnl) for c in out.closed] == [
        ("t1", D(10), D(300)),
        ("t2", D(2), D(40)),
    ]
    assert out.realized_pnl == D(340)
    assert out.opened is None
    assert lots_of(book) == [(D(3), D(110), "t2"), (D(5), D(120), "t3")]
    assert book.avg_cost == D("116.25")  # (330 + 600) / 8
    assert book.unrealized(D(125)) == D(70)  # 15*3 + 5*5

    out = book.apply(D(-4), D(105), T, "t5")
    assert out.realized_pnl == D(-30)  # (105-110)*3 + (105-120)*1
    assert lots_of(book) == [(D(4), D(120), "t3")]


def test_long_to_short_flip_in_one_fill_then_cover() -> None:
    book = SymbolLots()
    book.apply(D(4), D(120), T, "t1")
    out = book.apply(D(-10), D(115), T, "t2")
    assert out.realized_pnl == D(-20)  # (115-120)*4
    assert out.opened is not None and (out.opened.qty, out.opened.price) == (D(-6), D(115))
    assert book.qty == D(-6)
    assert book.avg_cost == D(115)
    assert book.unrealized(D(120)) == D(-30)  # (120-115) * -6

    out = book.apply(D(2), D(100), T, "t3")  # cover part of the short
    assert out.realized_pnl == D(30)  # (115-100)*2
    assert lots_of(book) == [(D(-4), D(115), "t2")]


def test_short_to_long_flip_and_several_short_lots() -> None:
    book = SymbolLots()
    book.apply(D(-3), D(50), T, "s1")
    book.apply(D(-2), D(40), T, "s2")
    assert book.avg_cost == D(46)  # (150 + 80) / 5
    out = book.apply(D(8), D(45), T, "b1")
    # s1: (50-45)*3 = 15; s2: (40-45)*2 = -10
    assert [c.realized_pnl for c in out.closed] == [D(15), D(-10)]
    assert lots_of(book) == [(D(3), D(45), "b1")]


def test_exact_close_leaves_no_lot() -> None:
    book = SymbolLots()
    book.apply(D("0.5"), D("20000.10"), T, "t1")
    out = book.apply(D("-0.5"), D("20100.30"), T, "t2")
    assert out.realized_pnl == D("50.100")  # (20100.30 - 20000.10) * 0.5
    assert book.qty == 0 and lots_of(book) == [] and book.avg_cost == 0


def test_zero_quantity_fill_is_an_error() -> None:
    with pytest.raises(ValueError):
        SymbolLots().apply(D(0), D(1), T, "t")


def test_ledger_fees_on_both_sides_and_invariant() -> None:
    ledger = Ledger(D(10000), "USD")
    ledger.book_fill("X", Side.BUY, D(10), D(100), D("1.5"), T, "t1")
    ledger.book_fill("X", Side.SELL, D(4), D(110), D("0.75"), T, "t2")
    ledger.mark({"X": D(105)}, T)
    # cash = 10000 - 1000 - 1.5 + 440 - 0.75 = 9437.75
    assert ledger.cash == D("9437.75")
    assert ledger.fees == D("2.25")
    assert ledger.realized == D(40)  # (110-100)*4
    assert ledger.unrealized == D(30)  # (105-100)*6
    assert ledger.equity == D("10067.75")  # 9437.75 + 6*105
    assert ledger.equity == ledger.starting_cash + ledger.realized - ledger.fees + ledger.unrealized
    account = ledger.account(T)
    assert (account.gross_exposure, account.net_exposure) == (D(630), D(630))
    [position] = ledger.positions()
    assert (position.qty, position.avg_cost, position.last_price) == (D(6), D(100), D(105))
    assert (position.realized_pnl, position.unrealized_pnl) == (D(40), D(30))


def test_ledger_exposure_with_long_and_short_and_drawdown() -> None:
    ledger = Ledger(D(1000), "USD")
    ledger.book_fill("A", Side.BUY, D(2), D(100), D(0), T, "t1")
    ledger.book_fill("B", Side.SELL, D(3), D(50), D(0), T, "t2")
    ledger.mark({"A": D(110), "B": D(60)}, T)
    # equity = 1000 - 200 + 150 + 2*110 - 3*60 = 990; peak stays 1000
    account = ledger.account(T)
    assert account.equity == D(990)
    assert account.gross_exposure == D(400)  # 220 + 180
    assert account.net_exposure == D(40)  # 220 - 180
    assert account.peak_equity == D(1000)
    assert account.drawdown == D("0.01")  # (1000 - 990) / 1000
    ledger.mark({"A": D(130)}, T)  # equity = 990 + 40 = 1030: a new high
    assert ledger.peak_equity == D(1030)
    assert ledger.account(T).drawdown == 0
