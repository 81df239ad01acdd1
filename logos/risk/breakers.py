"""Circuit breakers: drawdown, broker rejects, order rate (docs/risk.md).

A breaker trips once its condition holds and the session moves to its ``action`` state
(``halted`` by default), optionally flattening; the state latches until it is reset on
purpose. Each breaker keeps what it measures across a restart (:meth:`state`).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from pydantic import Field, field_validator

from logos.domain import OrderStatus
from logos.lifecycle import OrderEvent
from logos.money import multiply, subtract
from logos.reports.text import format_decimal
from logos.risk.guard import (
    APPROVED,
    BreakerParams,
    Duration,
    ProposedOrder,
    RiskGuard,
    SliceView,
    Trip,
    Verdict,
    duration_text,
)
from logos.timeutil import ensure_utc, isoformat_utc


def _pct(value: Decimal, unlike: Decimal | None = None) -> str:
    """``value`` as a percentage with 2 decimals, or more when that would read the same as
    ``unlike`` (a drawdown just past its limit must not read as the limit itself)."""
    for digits in range(2, 10):
        text = f"{value * 100:.{digits}f}%"
        if unlike is None or text != f"{unlike * 100:.{digits}f}%":
            return text
    return text


class MaxDrawdownParams(BreakerParams):
    """Params of ``max_drawdown``."""

    limit: Decimal = Field(
        gt=0,
        lt=1,
        allow_inf_nan=False,
        description="drawdown from the high-water mark as a fraction: 0.2 is 20 %",
    )

    @field_validator("limit", mode="before")
    @classmethod
    def _a_fraction(cls, value: Any) -> Any:
        try:
            percent_like = 1 <= Decimal(str(value)) <= 100
        except (ArithmeticError, ValueError):
            return value  # the field's own checks say what is wrong
        if percent_like:
            raise ValueError(f"{value} is not a fraction: a 20 % drawdown is written 0.2")
        return value

    confirm_slices: int = Field(
        1,
        ge=1,
        description="consecutive slices the drawdown must exceed the limit before tripping "
        "(so one bad mark cannot halt the session)",
    )
    flatten: bool = Field(True, description="close every position with market orders on a trip")


class MaxDrawdown(RiskGuard):
    """Trips when equity falls more than ``limit`` (a fraction) below its high-water mark.

    The high-water mark is the guard's own (the highest equity it has seen, kept across a
    restart), so neither a restart nor a broker's own peak can widen the loss limit.
    """

    name = "max_drawdown"
    Params = MaxDrawdownParams

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.high_water: Decimal | None = None
        self.floor: Decimal | None = None
        """Equity below this is a drawdown beyond the limit: high − limit × high (exact)."""
        self.breaching = 0

    def _set_high(self, high: Decimal) -> None:
        self.high_water = high
        self.floor = subtract(high, multiply(self.params.limit, high)) if high > 0 else None

    def check_slice(self, view: SliceView) -> Sequence[Trip]:
        equity = view.account.equity
        high = self.high_water
        if high is None or equity > high:
            self._set_high(equity)
            high = equity
        floor = self.floor
        if floor is None or equity >= floor:
            self.breaching = 0
            return ()
        self.breaching += 1
        limit = self.params.limit
        if self.breaching < self.params.confirm_slices:
            return ()
        drawdown = (high - equity) / high
        measured = (
            f"{_pct(drawdown, limit)} (equity {format_decimal(equity)}, high-water mark "
            f"{format_decimal(high)})"
        )
        return (Trip(measured, _pct(limit)),)

    def state(self) -> dict[str, Any]:
        high = self.high_water
        return {"high_water": None if high is None else str(high), "breaching": self.breaching}

    def restore(self, state: Mapping[str, Any]) -> None:
        high = state.get("high_water")
        self.high_water = self.floor = None
        if high is not None:
            self._set_high(Decimal(high))
        self.breaching = int(state.get("breaching", 0))


class _Window:
    """Timestamps of events within a trailing time window."""

    def __init__(self, span: timedelta) -> None:
        self.span = span
        self.times: deque[datetime] = deque()

    def add(self, ts: datetime) -> None:
        self.times.append(ts)

    def count(self, now: datetime) -> int:
        """Events in (now − span, now]."""
        times, start = self.times, now - self.span
        while times and times[0] <= start:
            times.popleft()
        return len(times)

    def state(self) -> list[str]:
        return [isoformat_utc(ts) for ts in self.times]

    def restore(self, values: Sequence[str]) -> None:
        self.times = deque(ensure_utc(datetime.fromisoformat(v)) for v in values)


class MaxRejectsParams(BreakerParams):
    """Params of ``max_rejects``."""

    limit: int = Field(ge=1, description="broker rejects within the window that trip")
    window: Duration = Field(timedelta(hours=1), description="trailing window, e.g. '1h'")


class MaxRejects(RiskGuard):
    """Trips when the broker rejects ``limit`` orders within a trailing ``window``: a venue
    refusing order after order means something is wrong. Counted at each reject, so the
    session halts before its next order goes out."""

    name = "max_rejects"
    Params = MaxRejectsParams

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rejects = _Window(self.params.window)

    def on_order_event(self, event: OrderEvent) -> Sequence[Trip]:
        if event.new is not OrderStatus.REJECTED:
            return ()
        self.rejects.add(event.ts)
        count = self.rejects.count(event.ts)
        if count < self.params.limit:
            return ()
        window = duration_text(self.params.window)
        return (Trip(f"{count} rejects within {window}", f"{self.params.limit}"),)

    def state(self) -> dict[str, Any]:
        return {"rejects": self.rejects.state()}

    def restore(self, state: Mapping[str, Any]) -> None:
        self.rejects.restore(state.get("rejects", []))


class MaxOrderRateParams(BreakerParams):
    """Params of ``max_order_rate``."""

    limit: int = Field(ge=1, description="orders allowed within `per`; one more trips")
    per: Duration = Field(timedelta(minutes=1), description="the rate's period, e.g. '1m'")


class MaxOrderRate(RiskGuard):
    """Stops a runaway strategy: an order beyond ``limit`` orders sent within ``per``
    (session time) is denied and trips the breaker."""

    name = "max_order_rate"
    Params = MaxOrderRateParams

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sent = _Window(self.params.per)
        """Times of the orders that reached the broker (denied ones never do)."""

    def on_order_event(self, event: OrderEvent) -> Sequence[Trip]:
        if event.old is None:
            self.sent.add(event.ts)
        return ()

    def check_order(self, order: ProposedOrder) -> Verdict:
        count = self.sent.count(order.ts)
        if count < self.params.limit:
            return APPROVED
        measured = f"{count + 1} orders within {duration_text(self.params.per)}"
        limit = str(self.params.limit)
        return Verdict.denied(measured, limit, Trip(measured, limit))

    def state(self) -> dict[str, Any]:
        return {"sent": self.sent.state()}

    def restore(self, state: Mapping[str, Any]) -> None:
        self.sent.restore(state.get("sent", []))
