"""The ledger's cached sums (exposure, unrealized) follow every mark and every fill."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal as D

from logos.brokers.accounting import Ledger
from logos.domain import Side

T = datetime(2024, 1, 2, 15, 0, tzinfo=UTC)


def sums(ledger: Ledger) -> tuple[D, D, D, D, D]:
    account = ledger.account(T)
    return (
        account.cash,
        account.equity,
        account.gross_exposure,
        account.net_exposure,
        account.unrealized_pnl,
    )


def test_sums_follow_fills_and_marks() -> None:
    ledger = Ledger(D(1000), "USD")
    ledger.book_fill("A", Side.BUY, D(2), D(100), D(0), T, "t1")
    # cash 1000 - 200; A marked at its fill price 100
    assert sums(ledger) == (D(800), D(1000), D(200), D(200), D(0))
    ledger.mark({"A": D(110)}, T)
    # equity 800 + 2*110; unrealized (110-100)*2
    assert sums(ledger) == (D(800), D(1020), D(220), D(220), D(20))
    ledger.book_fill("A", Side.SELL, D(1), D(110), D(1), T, "t2")
    # cash 800 + 110 - 1 = 909; one A left at 110
    assert sums(ledger) == (D(909), D(1019), D(110), D(110), D(10))
    ledger.book_fill("B", Side.SELL, D(3), D(50), D(0), T, "t3")
    # a new symbol, short: cash 909 + 150 = 1059; B marked at 50
    assert sums(ledger) == (D(1059), D(1019), D(260), D(-40), D(10))
    assert ledger.inventory.symbols() == ["A", "B"]
    ledger.mark({"B": D(40)}, T)
    # equity 1059 + 110 - 120 = 1049; gross 110 + 120; short gains (50-40)*3
    assert sums(ledger) == (D(1059), D(1049), D(230), D(-10), D(40))
    assert ledger.peak_equity == D(1049)
    assert ledger.inventory.qty("A") == D(1)
    assert ledger.inventory.qty("B") == D(-3)
