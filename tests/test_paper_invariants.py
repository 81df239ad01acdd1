"""Property tests: the accounting identity and restore parity over random order sequences."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Context, localcontext
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from logos.brokers import PaperBroker
from logos.brokers.base import FillEvent
from logos.domain import Bar, OrderIntent, OrderType, Side, SymbolMeta
from logos.testing.brokers import make_bar

T0 = datetime(2024, 1, 2, 22, 0, tzinfo=UTC)
SYMBOLS = ("A", "B")
prices = st.integers(min_value=50, max_value=150).map(lambda n: D(n) / 2)


@st.composite
def bars(draw: st.DrawFn, symbol: str, i: int) -> Bar:
    o, c, x, y = (draw(prices) for _ in range(4))
    return make_bar(
        symbol,
        T0 + timedelta(hours=i),
        o,
        high=max(o, c, x),
        low=min(o, c, y),
        close=c,
        volume=str(draw(st.integers(min_value=0, max_value=40))),
    )


@st.composite
def intents(draw: st.DrawFn, n: int, i: int) -> OrderIntent:
    limit = draw(st.one_of(st.none(), prices))
    return OrderIntent(
        symbol=draw(st.sampled_from(SYMBOLS)),
        side=draw(st.sampled_from(Side)),
        qty=D(draw(st.integers(min_value=1, max_value=30))) / 2,
        type=OrderType.MARKET if limit is None else OrderType.LIMIT,
        limit_price=limit,
        time_in_force=draw(st.sampled_from(["gtc", "day"])),
        client_order_id=f"c{n}",
        ts=T0 + timedelta(hours=i),
    )


@st.composite
def sessions(draw: st.DrawFn) -> list[tuple[list[Bar], list[OrderIntent], list[int]]]:
    steps = []
    n = 0
    for i in range(draw(st.integers(min_value=2, max_value=12))):
        slice_bars = [draw(bars(s, i)) for s in SYMBOLS]
        new = []
        for _ in range(draw(st.integers(min_value=0, max_value=3))):
            new.append(draw(intents(n, i)))
            n += 1
        cancels = draw(st.lists(st.integers(min_value=0, max_value=5), max_size=2))
        steps.append((slice_bars, new, cancels))
    return steps


PARAMS = st.fixed_dictionaries(
    {
        "cash": st.sampled_from([D(500), D(5000)]),
        "fee_bps": st.sampled_from([D(0), D(10), D("7.5")]),
        "maker_fee_bps": st.sampled_from([None, D(2)]),
        "slippage_bps": st.sampled_from([D(0), D(25)]),
        "volume_participation": st.sampled_from([None, D("0.5")]),
        "allow_short": st.booleans(),
    }
)
MARGIN = st.sampled_from([{}, {"allow_margin": True, "max_leverage": D(2)}])


def check_identity(b: PaperBroker, fills: list) -> None:
    with localcontext(Context(prec=200)):  # exact sums: the broker keeps every digit
        _check_identity(b, fills)


def _check_identity(b: PaperBroker, fills: list) -> None:
    account = b.account()
    start = b.params.cash
    assert account.equity == start + account.realized_pnl - account.fees + account.unrealized_pnl
    assert account.fees == sum((f.fee for f in fills), D(0))
    assert account.realized_pnl == sum((f.realized_pnl for f in fills), D(0))
    flows = sum((-f.side.sign * f.qty * f.price - f.fee for f in fills), D(0))
    assert account.cash == start + flows
    held = {p.symbol: p.qty for p in b.positions()}
    for symbol in SYMBOLS:
        traded = sum((f.side.sign * f.qty for f in fills if f.symbol == symbol), D(0))
        assert held.get(symbol, D(0)) == traded
    for order in b.orders():
        assert 0 <= order.filled_qty <= order.qty
    assert account.drawdown >= 0
    if not (b.params.allow_short or b.params.allow_margin):
        assert account.cash >= 0  # a cash account is never overdrawn, gaps or not
        # ... and only a gap can cut a fill: a market order's own, or one that used cash
        # reserved for a limit order (which then finds less than it reserved)
        market_filled = any(o.type is OrderType.MARKET and o.filled_qty for o in b.orders())
        for order in b.orders():
            if "at fill time" in order.reason:  # a stop fills as a market order once hit
                assert order.type is OrderType.MARKET or order.type.is_stop or market_filled


def run(b: PaperBroker, steps: list, check: bool, restore_at: int | None = None) -> list[str]:
    fills: list = []
    log: list[str] = []
    for i, (slice_bars, new, cancels) in enumerate(steps):
        if restore_at == i:
            fresh = PaperBroker(b.params, symbols=[b.symbol_meta(s) for s in SYMBOLS])
            fresh.restore(json.loads(json.dumps(b.snapshot())))
            b = fresh
        b.on_slice(slice_bars)
        ts = slice_bars[0].ts
        for intent in new:
            b.submit(intent, ts=ts)
        working = b.working_orders()
        for k in cancels:
            if k < len(working) and working[k].status.is_working:
                b.cancel(working[k].order_id, ts=ts)
                working = b.working_orders()
        for event in b.drain_events():
            if isinstance(event, FillEvent):
                fills.append(event.fill)
            log.append(json.dumps(event.data(), sort_keys=True))
        if check:
            check_identity(b, fills)
    return log


def metas() -> list[SymbolMeta]:
    return [SymbolMeta(symbol=s, lot_size=D("0.5"), shortable=s == "A") for s in SYMBOLS]


@settings(max_examples=150, deadline=None)
@given(params=PARAMS, margin=MARGIN, steps=sessions())
def test_equity_identity_holds_after_every_step(params: dict, margin: dict, steps: list) -> None:
    run(PaperBroker(symbols=metas(), **params, **margin), steps, check=True)


@settings(max_examples=60, deadline=None)
@given(params=PARAMS, steps=sessions(), data=st.data())
def test_restore_from_snapshot_continues_identically(params: dict, steps: list, data) -> None:
    at = data.draw(st.integers(min_value=1, max_value=len(steps) - 1))
    straight = run(PaperBroker(symbols=metas(), **params), steps, check=False)
    restored = run(PaperBroker(symbols=metas(), **params), steps, check=False, restore_at=at)
    assert restored == straight
