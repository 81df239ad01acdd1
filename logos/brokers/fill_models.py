"""Fill and fee models: the small objects that make one simulated broker differ from another.

A :class:`~logos.brokers.simulated.SimulatedBroker` asks its fill model, for every working
order of a bar's symbol, whether and at what price the order fills on that bar, and its fee
model what the fill pays. Everything else (lifecycle, FIFO lots, the cash checks, DAY expiry,
snapshot/restore) stays the broker's (docs/writing_a_broker.md).

- :class:`PaperFill` and :class:`PaperFees`: the paper broker's rules
  (:mod:`logos.brokers.fills`, docs/paper_broker.md).
- :class:`CloseFill`: orders fill at the bar's *close* instead of its open.
- :class:`SpreadFill`: market orders also cross half a quoted spread.
- :class:`TieredFees`: fees by traded volume, maker and taker.

Models are stateless: every answer is a function of the order, the bar and the broker's
params, so a broker restored from its snapshot fills exactly as the original would have.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import ClassVar

from logos.brokers import fills as rules
from logos.brokers.paper_state import PaperParams
from logos.domain import Bar, Liquidity, Order, OrderType, Side
from logos.money import add

Priced = tuple[Decimal, Liquidity] | None
"""A fill's price and liquidity, or ``None``: the order does not fill on this bar."""


class FillModel:
    """How orders fill on a bar. Override :meth:`fill_price`; the rest has paper defaults.

    All prices are in the symbol's quote currency, exact Decimals; bps are 1/10 000.
    """

    latency: ClassVar[timedelta] = timedelta(0)
    """How long after the bar an order was accepted on it becomes eligible. 0: from the next
    bar on (an order never fills on the bar it was accepted on, whatever the latency)."""

    def fill_price(self, order: Order, bar: Bar, params: PaperParams) -> Priced:
        """Price and liquidity (TAKER pays ``fee_bps``, MAKER ``maker_fee_bps``) at which
        ``order`` fills on ``bar``, or ``None`` when it does not fill on this bar.

        Called once per eligible bar while the order works; quantity limits, the cash check
        at fill time and booking are the broker's. Default: the paper rules.
        """
        return rules.fill_price(order, bar, params.slippage_bps)

    def volume_budget(self, bar: Bar, params: PaperParams) -> Decimal | None:
        """How much of ``bar.symbol`` may fill on ``bar`` in total, shared by its orders in
        acceptance order (``None``: no cap). Default: ``volume_participation`` × volume."""
        return rules.participation_budget(bar, params.volume_participation)

    def reserve_slippage_bps(self, params: PaperParams) -> Decimal:
        """How far against the trader, in bps, a market order's fill may land from the last
        close: cash is reserved at acceptance for that price. Default: ``slippage_bps``."""
        return params.slippage_bps


class FeeModel:
    """What a fill pays, in bps of its notional (fee = qty × price × bps / 10 000, exact)."""

    def fee_bps(self, liquidity: Liquidity, params: PaperParams, traded: Decimal) -> Decimal:
        """The fee rate of a fill with this liquidity, given ``traded``: the notional the
        broker has filled before it (in the account's currency; kept in its snapshot, so a
        restarted session pays the same). Default: ``fee_bps`` for a taker, ``maker_fee_bps``
        (else ``fee_bps``) for a maker, whatever the volume."""
        return params.fee_bps_for(liquidity)


@dataclass(frozen=True)
class TieredFees(FeeModel):
    """Fees by traded volume, as venues charge them: ``tiers`` are ``(from, taker_bps,
    maker_bps)``, each applying once the notional filled so far reaches ``from`` (the
    first from 0). A fill is charged at the tier the volume before it is in."""

    tiers: tuple[tuple[Decimal, Decimal, Decimal], ...]

    def __post_init__(self) -> None:
        starts = [start for start, _, _ in self.tiers]
        if not starts or starts[0] != 0 or starts != sorted(set(starts)):
            raise ValueError(
                f"fee tiers must start at 0 and increase, got volumes {[str(s) for s in starts]}"
            )
        if any(bps < 0 for _, *rates in self.tiers for bps in rates):
            raise ValueError("fee tiers: a rate below 0 bps")

    def fee_bps(self, liquidity: Liquidity, params: PaperParams, traded: Decimal) -> Decimal:
        """See the class docstring."""
        taker, maker = next((t, m) for start, t, m in reversed(self.tiers) if traded >= start)
        return maker if liquidity is Liquidity.MAKER else taker


class PaperFill(FillModel):
    """The paper broker's fill rules (docs/paper_broker.md): market at the next open ±
    slippage, limit when the bar crosses it at the better of open and limit."""


class PaperFees(FeeModel):
    """The paper broker's fees: taker ``fee_bps``, maker ``maker_fee_bps``."""


class CloseFill(FillModel):
    """Fill at the bar's close: a market order at the close moved against the trader by
    ``slippage_bps`` (taker); a limit buy when the close is at or below the limit, a limit
    sell when it is at or above, at the close (maker).

    For data whose bars stand for a price printed at the close (a daily close auction). Still
    no look-ahead: an order accepted after bar t's close fills at bar t+1's close at the
    earliest.
    """

    def fill_price(self, order: Order, bar: Bar, params: PaperParams) -> Priced:
        """See the class docstring."""
        close = bar.close
        if order.type is OrderType.MARKET:
            return rules.slipped(close, order.side, params.slippage_bps), Liquidity.TAKER
        limit = order.limit_price
        assert limit is not None  # a limit order without a price is rejected at submit
        crossed = close <= limit if order.side is Side.BUY else close >= limit
        return (close, Liquidity.MAKER) if crossed else None


@dataclass(frozen=True)
class SpreadFill(FillModel):
    """Paper fills, plus a quoted spread: a market order pays ``half_spread_bps`` on top of
    ``slippage_bps`` (a buy at open × (1 + (half spread + slippage) / 10 000), a sell at
    open × (1 − ...)). Limit orders rest in the book and fill as on paper (no spread).

    Cash for a market order is reserved at the last close plus both, so a fill at the
    expected spread is never cut for lack of cash unless the price gaps.
    """

    half_spread_bps: Decimal = Decimal(0)

    def __post_init__(self) -> None:
        if not (isinstance(self.half_spread_bps, Decimal) and 0 <= self.half_spread_bps < 10000):
            raise ValueError(
                "half_spread_bps must be a Decimal from 0 up to 10000, "
                f"got {self.half_spread_bps!r}"
            )

    def _bps(self, params: PaperParams) -> Decimal:
        return add(params.slippage_bps, self.half_spread_bps)

    def fill_price(self, order: Order, bar: Bar, params: PaperParams) -> Priced:
        """See the class docstring."""
        if order.type is OrderType.MARKET:
            return rules.slipped(bar.open, order.side, self._bps(params)), Liquidity.TAKER
        return rules.fill_price(order, bar, params.slippage_bps)

    def reserve_slippage_bps(self, params: PaperParams) -> Decimal:
        """Slippage and half the spread."""
        return self._bps(params)
