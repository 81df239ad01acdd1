"""The risk guard contract: subclass :class:`GuardContract` in your plugin's tests.

Override :meth:`GuardContract.make_guard`; to check the guard against situations of your
own, override :meth:`GuardContract.proposed_orders` and :meth:`GuardContract.slice_views`
(the defaults are a small buy and sell of ``AAA`` on a 100 000 account, and two slices of
one bar)::

    from logos.testing.guards import GuardContract

    class TestMaxQtyContract(GuardContract):
        def make_guard(self):
            return MaxQty(qty="5")

The suite checks what the risk manager relies on (docs/risk.md): the registration rules;
``start``/``finish`` around a session; ``check_order`` answers a ``Verdict`` (a clip is an
unsigned Decimal), ``check_slice`` and ``on_order_event`` a sequence of ``Trip``; the same
inputs give the same answers; and ``state()`` is JSON and survives ``restore``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import ClassVar

from logos.components import Component, ComponentKind
from logos.domain import Account, OrderIntent, OrderStatus, Side
from logos.lifecycle import created, order_from_intent
from logos.risk.guard import ProposedOrder, RiskGuard, SessionInfo, SliceView, Trip, Verdict
from logos.testing.brokers import make_bar
from logos.testing.components import ComponentContract

START = datetime(2024, 1, 2, 14, 30, tzinfo=UTC)


def sample_account(ts: datetime = START, equity: str = "100000", peak: str = "100000") -> Account:
    """A flat account of ``equity`` cash whose equity peak was ``peak``."""
    e, p = Decimal(equity), Decimal(peak)
    return Account(ts=ts, cash=e, equity=e, peak_equity=p, drawdown=(p - e) / p)


class GuardContract(ComponentContract):
    """Behaviour every risk guard must have. Subclass it; override :meth:`make_guard`."""

    kind: ClassVar[ComponentKind] = ComponentKind.RISK_GUARD
    symbol: ClassVar[str] = "AAA"
    timeframe: ClassVar[timedelta] = timedelta(minutes=1)

    def make_guard(self) -> RiskGuard:
        """A fresh guard with the params to check (override)."""
        raise NotImplementedError("override make_guard() in your GuardContract subclass")

    def component_class(self) -> type[Component]:
        """The class of :meth:`make_guard`'s guard."""
        return type(self.make_guard())

    def session(self) -> SessionInfo:
        """The session the guard is started in."""
        return SessionInfo("contract", "backtest", (self.symbol,), self.timeframe, None)

    def proposed_orders(self) -> list[ProposedOrder]:
        """Orders to judge: a buy and a sell of 10 at 100, flat, on :func:`sample_account`."""
        orders = []
        for i, side in enumerate((Side.BUY, Side.SELL)):
            intent = OrderIntent(
                symbol=self.symbol, side=side, qty=Decimal(10), client_order_id=f"c-{i}", ts=START
            )
            orders.append(
                ProposedOrder(
                    intent=intent,
                    price=Decimal(100),
                    position=Decimal(0),
                    working=Decimal(0),
                    gross_other=Decimal(0),
                    account=sample_account(),
                    ts=START,
                )
            )
        return orders

    def slice_views(self) -> list[SliceView]:
        """Slices to check: one bar at 100, then one at 90 with the account 10 % down."""
        views = []
        for i, (price, equity) in enumerate((("100", "100000"), ("90", "90000"))):
            ts = START + i * self.timeframe
            bar = make_bar(self.symbol, ts, price)
            views.append(
                SliceView(
                    ts=ts,
                    now=ts + self.timeframe,
                    timeframe=self.timeframe,
                    account=sample_account(ts, equity),
                    bars=(bar,),
                    last_bar_ts={self.symbol: ts},
                )
            )
        return views

    # -- the contract -----------------------------------------------------------------

    def test_is_a_risk_guard(self) -> None:
        guard = self.make_guard()
        assert isinstance(guard, RiskGuard), f"{type(guard).__mro__} does not include RiskGuard"

    def test_starts_and_finishes_a_session(self) -> None:
        guard = self.make_guard()
        guard.start(self.session())
        guard.finish()

    def test_check_order_answers_a_verdict(self) -> None:
        guard = self.make_guard()
        guard.start(self.session())
        for order in self.proposed_orders():
            verdict = guard.check_order(order)
            assert isinstance(verdict, Verdict), (order.intent, verdict)
            if verdict.max_qty is not None:
                assert isinstance(verdict.max_qty, Decimal), verdict
                assert verdict.measured and verdict.limit, f"a clip must say why: {verdict}"
            if verdict.deny:
                assert verdict.measured and verdict.limit, f"a denial must say why: {verdict}"
        guard.finish()

    def test_check_slice_answers_trips(self) -> None:
        guard = self.make_guard()
        guard.start(self.session())
        for view in self.slice_views():
            trips = guard.check_slice(view)
            assert isinstance(trips, Sequence), (view.ts, trips)
            assert all(isinstance(t, Trip) for t in trips), trips
        guard.finish()

    def test_order_events_answer_trips(self) -> None:
        guard = self.make_guard()
        guard.start(self.session())
        intent = self.proposed_orders()[0].intent
        order = order_from_intent(intent, "O-1", ts=START)
        trips = guard.on_order_event(created(order, ts=START))
        assert isinstance(trips, Sequence) and all(isinstance(t, Trip) for t in trips), trips
        assert order.status is OrderStatus.NEW

    def test_same_inputs_same_answers(self) -> None:
        answers = []
        for _ in range(2):
            guard = self.make_guard()
            guard.start(self.session())
            orders = [guard.check_order(o) for o in self.proposed_orders()]
            slices = [tuple(guard.check_slice(v)) for v in self.slice_views()]
            answers.append((orders, slices))
        assert answers[0] == answers[1]

    def test_state_is_json_and_survives_restore(self) -> None:
        guard = self.make_guard()
        guard.start(self.session())
        for view in self.slice_views():
            guard.check_slice(view)
        state = guard.state()
        text = json.dumps(state, sort_keys=True)
        fresh = self.make_guard()
        fresh.restore(json.loads(text))
        assert json.dumps(fresh.state(), sort_keys=True) == text
