"""A session's fills added up as they happen: fees, each symbol's net PnL, the closing fills.

The summary (fees, closing fills and the winning ones) and the statistics (fees and PnL per
symbol) need only these sums. After a long backtest the fills are on disk
(:mod:`logos.reports.spool`) and each pass over them decodes every one, so the engine adds
each fill as it happens (:meth:`FillTotals.add`), and a result rebuilt some other way (from a
journal) adds its fills once, when first asked
(:meth:`~logos.reports.result.SessionResult.counted_fills`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from logos.domain import Fill, Side
from logos.money import add, subtract

ZERO = Decimal(0)


@dataclass
class FillTotals:
    """Fees, each symbol's realized PnL − fees, and the fills that closed (part of) a
    position, with how many of those made money."""

    fees: Decimal = ZERO
    """Every fill's fee, summed in the default decimal context, as the reports always have."""
    pnl: dict[str, Decimal] = field(default_factory=dict)
    """Realized PnL − fee per symbol, exact; the session's symbols first, in their order."""
    closing: int = 0
    """Fills that reduced the position open in their symbol before them."""
    wins: int = 0
    """Closing fills with a positive realized PnL."""
    positions: dict[str, Decimal] = field(default_factory=dict, repr=False)
    """Each symbol's signed quantity after the fills added so far (what makes one closing)."""

    @classmethod
    def starting(cls, symbols: Iterable[str]) -> FillTotals:
        """Totals before any fill, with every symbol's PnL at zero in ``symbols`` order."""
        return cls(pnl=dict.fromkeys(symbols, ZERO))

    @classmethod
    def of(cls, fills: Iterable[Fill], symbols: Iterable[str] = ()) -> FillTotals:
        """The totals of ``fills``, in one pass."""
        totals = cls.starting(symbols)
        for fill in fills:
            totals.add(fill)
        return totals

    def add(self, fill: Fill) -> None:
        """Add one fill (fills of a symbol in the order they happened)."""
        symbol = fill.symbol
        self.fees = self.fees + fill.fee
        self.pnl[symbol] = add(self.pnl.get(symbol, ZERO), subtract(fill.realized_pnl, fill.fee))
        before = self.positions.get(symbol, ZERO)
        signed = fill.qty if fill.side is Side.BUY else -fill.qty
        if before != 0 and (before > 0) != (signed > 0):
            self.closing += 1
            self.wins += fill.realized_pnl > 0
        self.positions[symbol] = before + signed
