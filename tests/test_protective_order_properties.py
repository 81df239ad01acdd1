"""Property tests over random sessions with every order type and brackets (docs/orders.md):
a reduce-only fill never increases or flips a position, the accounting identities hold after
every step, and a broker restored from a snapshot mid-session goes on exactly as before."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st
from test_paper_invariants import PARAMS, SYMBOLS, T0, bars, metas, prices
from test_paper_invariants import check_identity as paper_identities

from logos.brokers import PaperBroker
from logos.brokers.base import FillEvent
from logos.domain import Bracket, ExitLevel, Fill, OrderIntent, OrderType, Side

percents = st.sampled_from([D("0.02"), D("0.05"), D("0.1"), D("0.25")])
levels = st.one_of(
    st.builds(ExitLevel, percent=percents),
    st.builds(ExitLevel, offset=st.sampled_from([D("0.5"), D(2), D(5)])),
)


@st.composite
def brackets(draw: st.DrawFn) -> Bracket | None:
    stop, take, trail = (draw(st.one_of(st.none(), levels)) for _ in range(3))
    if stop is None and take is None and trail is None:
        return None
    return Bracket(stop_loss=stop, take_profit=take, trailing=trail)


@st.composite
def intents(draw: st.DrawFn, n: int, i: int) -> OrderIntent:
    kind = draw(st.sampled_from(OrderType))
    fields: dict[str, object] = {}
    if kind.has_limit:
        fields["limit_price"] = draw(prices)
    if kind in (OrderType.STOP, OrderType.STOP_LIMIT):
        fields["stop_price"] = draw(prices)
    if kind is OrderType.TRAILING_STOP:
        if draw(st.booleans()):
            fields["trail_amount"] = draw(st.sampled_from([D("0.5"), D(2), D(5)]))
        else:
            fields["trail_percent"] = draw(percents)
    reduce_only = kind is OrderType.TAKE_PROFIT or (kind.is_stop and draw(st.booleans()))
    if kind in (OrderType.MARKET, OrderType.LIMIT) and not reduce_only:
        fields["exits"] = draw(brackets())
    return OrderIntent(
        symbol=draw(st.sampled_from(SYMBOLS)),
        side=draw(st.sampled_from(Side)),
        qty=D(draw(st.integers(min_value=1, max_value=30))) / 2,
        type=kind,
        reduce_only=reduce_only,
        time_in_force=draw(st.sampled_from(["gtc", "day"])),
        client_order_id=f"c{n}",
        ts=T0 + timedelta(hours=i),
        **fields,
    )


@st.composite
def sessions(draw: st.DrawFn) -> list[tuple[list, list[OrderIntent]]]:
    steps, n = [], 0
    for i in range(draw(st.integers(min_value=3, max_value=14))):
        slice_bars = [draw(bars(s, i)) for s in SYMBOLS]
        new = []
        for _ in range(draw(st.integers(min_value=0, max_value=3))):
            new.append(draw(intents(n, i)))
            n += 1
        steps.append((slice_bars, new))
    return steps


def check_fill_reduces(b: PaperBroker, fill: Fill, held: dict[str, D]) -> None:
    """A reduce-only order's fill moves its position toward zero, never past it."""
    before = held.get(fill.symbol, D(0))
    after = before + fill.side.sign * fill.qty
    held[fill.symbol] = after
    if b.order(fill.order_id).reduce_only:
        assert abs(after) < abs(before), (fill, before, after)
        assert after == 0 or (after > 0) == (before > 0), (fill, before, after)


def check_identity(b: PaperBroker, fills: list[Fill]) -> None:
    """The paper broker's identities (cash, equity, fees, positions from fills), and a
    bracket leg never larger than what its entry filled."""
    paper_identities(b, fills)
    for order in b.orders():
        if order.parent_id is not None:
            assert order.qty <= b.order(order.parent_id).filled_qty


def run(b: PaperBroker, steps: list, check: bool, restore_at: int | None = None) -> list[str]:
    fills: list[Fill] = []
    held: dict[str, D] = {}
    log: list[str] = []
    for i, (slice_bars, new) in enumerate(steps):
        if restore_at == i:
            fresh = PaperBroker(b.params, symbols=[b.symbol_meta(s) for s in SYMBOLS])
            fresh.restore(json.loads(json.dumps(b.snapshot())))
            b = fresh
        b.on_slice(slice_bars)
        for intent in new:
            b.submit(intent, ts=slice_bars[0].ts)
        for event in b.drain_events():
            if isinstance(event, FillEvent):
                fills.append(event.fill)
                if check:
                    check_fill_reduces(b, event.fill, held)
            log.append(json.dumps(event.data(), sort_keys=True))
        if check:
            check_identity(b, fills)
    return log


@settings(max_examples=200, deadline=None)
@given(params=PARAMS, steps=sessions())
def test_reduce_only_never_flips_and_identities_hold(params: dict, steps: list) -> None:
    run(PaperBroker(symbols=metas(), **params), steps, check=True)


@settings(max_examples=60, deadline=None)
@given(params=PARAMS, steps=sessions(), data=st.data())
def test_restore_mid_session_continues_identically(params: dict, steps: list, data) -> None:
    at = data.draw(st.integers(min_value=1, max_value=len(steps) - 1))
    straight = run(PaperBroker(symbols=metas(), **params), steps, check=False)
    restored = run(PaperBroker(symbols=metas(), **params), steps, check=False, restore_at=at)
    assert restored == straight
