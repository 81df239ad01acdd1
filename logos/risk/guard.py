"""The risk guard interface: what a guard sees and what it may answer (docs/risk.md).

A guard is a component (registered through the ``register_risk_guards`` hook, chosen by
``[[risk]]`` in a config) with up to three entry points, all optional:

- :meth:`RiskGuard.check_order` (pre-trade, step 6): approve, clip or deny one order a
  strategy's sizing wants to send, given a :class:`ProposedOrder`;
- :meth:`RiskGuard.check_slice` (post-trade, step 4): look at the marked account and the
  slice and report :class:`Trip` s;
- :meth:`RiskGuard.on_order_event`: see every order transition the broker reports
  (rejects, fills, cancels) as it happens.

A guard never acts itself: the :class:`~logos.risk.manager.RiskManager` applies what it
reports — the trading state, the cancels, the flatten orders, the journal events — the same
way for every guard, built in or third party.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, ClassVar, NamedTuple

from pydantic import BeforeValidator, Field

from logos.components import Component, Params
from logos.domain import Account, Bar, OrderIntent
from logos.lifecycle import OrderEvent
from logos.money import add, subtract

_DURATION = re.compile(r"^\s*([0-9]+)\s*([smhdw])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_LONGEST = timedelta(days=3660)
"""Durations beyond about ten years are a typo, not a limit."""


def _seconds(value: Any) -> float:
    if isinstance(value, str):
        match = _DURATION.match(value)
        if match is None:
            raise ValueError(f"{value!r} is not a duration like '30s', '5m', '1h' or '1d'")
        return int(match.group(1)) * _UNIT_SECONDS[match.group(2)]
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not math.isfinite(value):
            raise ValueError(f"{value!r} is not a duration")
        return value
    if isinstance(value, timedelta):
        return value.total_seconds()
    raise ValueError(f"{value!r} is not a duration like '30s', '5m', '1h' or '1d'")


def _duration(value: Any, *, zero: bool) -> timedelta:
    seconds = _seconds(value)
    if seconds < 0 or (seconds == 0 and not zero):
        raise ValueError(f"{value!r} must be {'0 or more' if zero else 'more than 0'}")
    if seconds > _LONGEST.total_seconds():
        raise ValueError(f"{value!r} is longer than ten years")
    return timedelta(seconds=seconds)


Duration = Annotated[timedelta, BeforeValidator(lambda v: _duration(v, zero=False))]
"""A positive duration param: ``"30s"``, ``"5m"``, ``"1h"``, ``"1d"``, ``"1w"`` or seconds."""
Delay = Annotated[timedelta, BeforeValidator(lambda v: _duration(v, zero=True))]
"""A duration param that may be 0 (a grace period)."""


def duration_text(span: timedelta) -> str:
    """``timedelta(minutes=3)`` → ``"3m"``: the largest unit that divides it, else seconds."""
    seconds = span.total_seconds()
    if seconds.is_integer():
        whole = int(seconds)
        for unit in ("w", "d", "h", "m"):
            size = _UNIT_SECONDS[unit]
            if whole and whole % size == 0:
                return f"{whole // size}{unit}"
        return f"{whole}s"
    return f"{seconds:g}s"


Limit = Annotated[Decimal, Field(gt=0, allow_inf_nan=False)]
"""A money limit: a finite number greater than 0."""


class TradingState(StrEnum):
    """What the session may still do (docs/risk.md).

    ``ACTIVE``: everything the guards approve. ``REDUCING``: only orders that reduce
    exposure (exits keep working; working entries are canceled). ``HALTED``: no new orders
    but the guards' own flatten orders; every working order is canceled.
    """

    ACTIVE = "ACTIVE"
    REDUCING = "REDUCING"
    HALTED = "HALTED"

    @property
    def severity(self) -> int:
        """0, 1, 2: a trip only ever moves the state to a more severe one."""
        return _SEVERITY[self]


_SEVERITY = {TradingState.ACTIVE: 0, TradingState.REDUCING: 1, TradingState.HALTED: 2}


class TripAction(StrEnum):
    """What a guard's trip does to the session."""

    REDUCING = "reducing"
    HALTED = "halted"


class BreakerParams(Params):
    """Params every breaker (a guard that changes the trading state) has."""

    action: TripAction = Field(
        TripAction.HALTED, description="trading state after a trip: reducing or halted"
    )
    flatten: bool = Field(False, description="close every position with market orders on a trip")


class BreachPolicy(StrEnum):
    """What a pre-trade limit does with an order that would break it."""

    CLIP = "clip"
    REJECT = "reject"


class LimitParams(Params):
    """Params every pre-trade limit has."""

    on_breach: BreachPolicy = Field(
        BreachPolicy.CLIP,
        description="clip the order to the limit, or reject it (the order ends DENIED)",
    )


@dataclass(frozen=True, slots=True)
class Trip:
    """A guard's finding: ``measured`` against ``limit`` (both as text for people).

    ``symbol`` is set when the finding concerns one symbol only; ``cleared`` when it ends a
    per-symbol finding reported before (fresh bars are back).
    """

    measured: str
    limit: str
    symbol: str | None = None
    cleared: bool = False


@dataclass(frozen=True, slots=True)
class Verdict:
    """A pre-trade answer: approve (``max_qty`` None, ``deny`` False), clip the order to at
    most ``max_qty`` (unsigned), or deny it. ``measured`` and ``limit`` say why, as text
    (``"order notional 4643"``, ``"1000"``); ``trip``, when set, is a trip to apply as well
    (a rate limit denies the order and trips its breaker)."""

    max_qty: Decimal | None = None
    deny: bool = False
    measured: str = ""
    limit: str = ""
    trip: Trip | None = None

    @property
    def note(self) -> str:
        """``measured > limit limit``: the reason text orders and reports show."""
        return f"{self.measured} > limit {self.limit}"

    @classmethod
    def denied(cls, measured: str, limit: str, trip: Trip | None = None) -> Verdict:
        """Refuse the order; it ends DENIED."""
        return cls(deny=True, measured=measured, limit=limit, trip=trip)

    @classmethod
    def clipped(cls, max_qty: Decimal, measured: str, limit: str) -> Verdict:
        """Send at most ``max_qty`` (a quantity ≤ 0 denies)."""
        return cls(max_qty=max_qty, measured=measured, limit=limit)


APPROVED = Verdict()
"""The verdict that lets an order through unchanged."""


@dataclass(frozen=True, slots=True)
class ProposedOrder:
    """An order a strategy wants to send, with what a pre-trade guard needs to judge it.

    ``position`` and ``working`` are the symbol's signed position and signed remaining
    quantity of its working orders; ``price`` is the symbol's last close (the order's price
    for sizing); ``gross_other`` is the gross exposure (|position + working| × last close)
    of every other symbol.
    """

    intent: OrderIntent
    price: Decimal
    position: Decimal
    working: Decimal
    gross_other: Decimal
    account: Account
    ts: datetime

    @property
    def signed_qty(self) -> Decimal:
        """The order's quantity with its side's sign (buys positive), exactly."""
        return self.intent.signed_qty

    @property
    def exposure_before(self) -> Decimal:
        """Signed position the symbol heads for without this order (position + working)."""
        return add(self.position, self.working)

    @property
    def exposure_after(self) -> Decimal:
        """Signed position the symbol heads for with this order."""
        return add(add(self.position, self.working), self.signed_qty)

    @property
    def reduces(self) -> bool:
        """True when the order moves the symbol toward flat and not beyond."""
        before, qty = self.exposure_before, self.signed_qty
        return before != 0 and (qty > 0) != (before > 0) and qty.copy_abs() <= before.copy_abs()

    def max_qty_for_exposure(self, limit_qty: Decimal) -> Decimal:
        """The largest unsigned quantity in the order's direction that keeps
        |position + working + qty| ≤ ``limit_qty`` (may be ≤ 0: nothing fits)."""
        before = self.exposure_before
        return subtract(limit_qty, before if self.signed_qty > 0 else before.copy_negate())


class SliceView(NamedTuple):
    """What a post-trade guard sees after the marks of one slice (a named tuple: one is
    made every slice).

    ``now`` is the session clock: the wall clock in a live session, the slice's close
    (``ts`` + timeframe) over replayed data. ``last_bar_ts`` is each symbol's newest bar time.
    """

    ts: datetime
    now: datetime
    timeframe: timedelta
    account: Account
    bars: Sequence[Bar]
    last_bar_ts: Mapping[str, datetime | None]


@dataclass(frozen=True, slots=True)
class SessionInfo:
    """The session a guard runs in, given to :meth:`RiskGuard.start`."""

    session_id: str
    mode: str
    symbols: Sequence[str]
    timeframe: timedelta
    run_dir: Path | None
    """The run folder (where a ``KILL`` file is looked for); None when there is none."""


class RiskGuard(Component):
    """Base of every risk guard. Override what the guard checks; the defaults approve and
    trip nothing.

    ``latches`` says whether a trip stays until it is reset on purpose (every built-in
    breaker latches; a latched guard is not checked again). ``Params`` usually subclasses
    :class:`BreakerParams` (post-trade breakers) or :class:`LimitParams` (pre-trade limits).
    """

    latches: ClassVar[bool] = True
    stops_session: ClassVar[bool] = False
    """True for a guard whose trip ends the session (the kill switch)."""

    def start(self, session: SessionInfo) -> None:
        """The session starts (raise a ``LogosError`` to refuse to start)."""

    def finish(self) -> None:
        """The session ended, however it ended (release what :meth:`start` took)."""

    def check_order(self, order: ProposedOrder) -> Verdict:
        """Pre-trade: approve, clip or deny ``order`` (raise: the order is denied)."""
        return APPROVED

    def check_slice(self, view: SliceView) -> Sequence[Trip]:
        """Post-trade: what tripped at this slice (raise: the session halts)."""
        return ()

    def on_order_event(self, event: OrderEvent) -> Sequence[Trip]:
        """An order transition reported by the broker, as it happens; what it returns trips
        before the next order is judged (default: nothing)."""
        return ()

    def state(self) -> dict[str, Any]:
        """What the guard must keep across a restart (JSON-serialisable; default none)."""
        return {}

    def restore(self, state: Mapping[str, Any]) -> None:
        """Take back what :meth:`state` returned."""

    @property
    def trip_action(self) -> TripAction | None:
        """The trading state a trip moves to (None: a trip changes no state)."""
        return getattr(self.params, "action", None)

    @property
    def flattens(self) -> bool:
        """Whether a trip closes every position."""
        return bool(getattr(self.params, "flatten", False))
