"""report.html marks at most MAX_MARKERS fills per symbol and side, evenly spaced, picked in
one pass over the fills and kept as what a marker shows (not as fills)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from logos.domain import Fill, Side
from logos.reports.html import MAX_MARKERS, _markers

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def _fill(n: int, symbol: str, side: Side) -> Fill:
    return Fill(
        trade_id=f"T{n}", order_id=f"O{n}", client_order_id=f"c{n}",
        ts=T0 + timedelta(minutes=n), symbol=symbol, side=side, qty=Decimal(1),
        price=Decimal(100 + n % 10), fee=Decimal(0),
    )  # fmt: skip


def test_markers_are_every_nth_fill_of_a_symbol_and_side() -> None:
    count = 5 * MAX_MARKERS + 3
    fills = [_fill(n, "X", Side.BUY) for n in range(count)]
    fills += [_fill(count + n, "X", Side.SELL) for n in range(3)]
    fills.append(_fill(10 * count, "Y", Side.BUY))
    markers = _markers(fills)
    buys = markers[("X", Side.BUY)].kept
    # 10,003 buys: the step doubles 1 -> 2 -> 4 -> 8 until at most 2,000 are kept: every
    # 8th buy, 0, 8, ..., 10,000 (1,251 markers)
    assert len(buys) == 1251 <= MAX_MARKERS
    assert buys[0].when == "2024-01-01T00:00:00" and buys[1].when == "2024-01-01T00:08:00"
    assert buys[1].price == 108.0 and buys[1].text == "buy 1 @ 108"
    assert len(markers[("X", Side.SELL)].kept) == 3 and len(markers[("Y", Side.BUY)].kept) == 1
