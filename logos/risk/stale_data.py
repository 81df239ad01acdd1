"""``stale_data``: a symbol whose newest bar is too old takes no new entries (docs/risk.md).

A symbol is stale when ``now − its newest bar's time > 2 × timeframe + grace``: the bar
after its newest one is overdue by more than ``grace``. While it is stale, orders that would
increase its exposure are denied; exits still pass. It is not a breaker: nothing latches,
and the symbol trades again as soon as a fresh bar arrives. Both the moment it goes stale
and the moment it is fresh again are recorded. A symbol that has had no bar yet is not
stale (its data has not started).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from pydantic import Field

from logos.components import Params
from logos.risk.guard import (
    APPROVED,
    Delay,
    ProposedOrder,
    RiskGuard,
    SliceView,
    Trip,
    Verdict,
    duration_text,
)
from logos.timeutil import isoformat_utc


class StaleDataParams(Params):
    """Params of ``stale_data``."""

    grace: Delay = Field(timedelta(0), description="extra delay allowed, e.g. '30s'")


class StaleData(RiskGuard):
    """Blocks entries in a symbol whose newest bar is older than 2 × timeframe + grace."""

    name = "stale_data"
    Params = StaleDataParams
    latches = False

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.stale: dict[str, Trip] = {}
        """Stale symbols -> what was measured at the last slice."""

    def check_slice(self, view: SliceView) -> Sequence[Trip]:
        limit = 2 * view.timeframe + self.params.grace
        limit_text = f"2 × {duration_text(view.timeframe)} + {duration_text(self.params.grace)}"
        trips: list[Trip] = []
        stale = self.stale
        for symbol, last in view.last_bar_ts.items():
            if last is None:
                continue
            age = view.now - last
            if age > limit:
                measured = f"{symbol} newest bar {isoformat_utc(last)} is {duration_text(age)} old"
                trip = Trip(measured, limit_text, symbol=symbol)
                if symbol not in stale:
                    trips.append(trip)
                stale[symbol] = trip
            elif symbol in stale:
                del stale[symbol]
                measured = f"{symbol} fresh again: newest bar {isoformat_utc(last)}"
                trips.append(Trip(measured, limit_text, symbol=symbol, cleared=True))
        return trips

    def check_order(self, order: ProposedOrder) -> Verdict:
        trip = self.stale.get(order.intent.symbol)
        if trip is None or order.reduces:
            return APPROVED
        limit = f"{trip.limit}: no new entries"
        before = order.exposure_before
        if before != 0 and (order.signed_qty > 0) != (before > 0):  # a flip: the exit passes
            return Verdict.clipped(before.copy_abs(), trip.measured, limit)
        return Verdict.denied(trip.measured, limit)
