"""The domain model: bars, symbol metadata, intents, orders, fills, positions, accounts, events.

Money (prices, quantities, cash, fees, PnL) is ``Decimal``; timestamps are tz-aware UTC.
Records are immutable: an order that changes state is a new ``Order``
made with :meth:`Order.evolve`, so every version can be journaled as it was.

Records are pydantic models, validated when made. The two made once per bar or slice — a
million times in a long backtest — are immutable named tuples instead: :class:`Bar` (feeds
validate whole series at once) and :class:`Account` (the broker computes it from its own
Decimals every slice).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, NamedTuple

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from logos.timeutil import ensure_utc


def _as_utc(value: datetime) -> datetime:
    """``value`` itself when it is a plain ``datetime`` in UTC already (every timestamp logos
    makes: no new object), else :func:`~logos.timeutil.ensure_utc` of it."""
    return value if type(value) is datetime and value.tzinfo is UTC else ensure_utc(value)


UtcDatetime = Annotated[AwareDatetime, AfterValidator(_as_utc)]
"""A tz-aware timestamp, normalised to UTC; naive timestamps are rejected."""

PositiveDecimal = Annotated[Decimal, Field(gt=0)]
NonNegativeDecimal = Annotated[Decimal, Field(ge=0)]


class Record(BaseModel):
    """Base of the immutable domain records: frozen, no unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


def is_finite_decimal(value: object) -> bool:
    """True for a finite ``Decimal`` (not a subclass): a Decimal field keeps it unchanged."""
    return type(value) is Decimal and value.is_finite()


def is_utc(value: object) -> bool:
    """True for a ``datetime`` (not a subclass) in UTC: a UtcDatetime field keeps it unchanged."""
    return type(value) is datetime and value.tzinfo is UTC


class Side(StrEnum):
    """Order side."""

    BUY = "buy"
    SELL = "sell"

    @property
    def sign(self) -> int:
        """+1 for a buy, -1 for a sell."""
        return 1 if self is Side.BUY else -1

    def signed(self, qty: Decimal) -> Decimal:
        """``qty`` with this side's sign, exactly (``qty * sign`` would round a quantity of
        more than 28 significant digits in the default decimal context)."""
        return qty if self is Side.BUY else qty.copy_negate()

    @property
    def opposite(self) -> Side:
        """The other side."""
        return Side.SELL if self is Side.BUY else Side.BUY


class OrderType(StrEnum):
    """Order type (docs/orders.md has the fill rule of each, with a worked example).

    STOP is a market order once the bar trades through ``stop_price``; STOP_LIMIT a limit
    order at ``limit_price`` once it does; TRAILING_STOP a stop whose ``stop_price`` follows
    the market in the trader's favour by ``trail_amount`` or ``trail_percent``; TAKE_PROFIT
    a reduce-only limit order that closes a position at ``limit_price`` or better.
    """

    MARKET = "market"
    LIMIT = "limit"
    STOP = "stop"
    STOP_LIMIT = "stop_limit"
    TRAILING_STOP = "trailing_stop"
    TAKE_PROFIT = "take_profit"

    @property
    def is_stop(self) -> bool:
        """True for the types that wait for a trigger (stop, stop-limit, trailing stop)."""
        return self in _STOP_TYPES

    @property
    def has_limit(self) -> bool:
        """True for the types that carry a ``limit_price``."""
        return self in _LIMIT_TYPES


_STOP_TYPES = frozenset({OrderType.STOP, OrderType.STOP_LIMIT, OrderType.TRAILING_STOP})
_LIMIT_TYPES = frozenset({OrderType.LIMIT, OrderType.STOP_LIMIT, OrderType.TAKE_PROFIT})


class TimeInForce(StrEnum):
    """How long an order works: good till canceled, or until the end of its trading day (UTC)."""

    GTC = "gtc"
    DAY = "day"


class Liquidity(StrEnum):
    """Whether a fill took liquidity (taker fee) or provided it (maker fee)."""

    TAKER = "taker"
    MAKER = "maker"


class OrderStatus(StrEnum):
    """Order lifecycle states (docs/paper_broker.md); the legal moves live in ``logos.lifecycle``.

    DENIED means refused by logos' own risk checks before anything was sent; REJECTED means
    refused by the venue or the paper broker.
    """

    NEW = "NEW"
    SUBMITTED = "SUBMITTED"
    ACCEPTED = "ACCEPTED"
    PARTIALLY_FILLED = "PARTIALLY_FILLED"
    FILLED = "FILLED"
    CANCELED = "CANCELED"
    EXPIRED = "EXPIRED"
    DENIED = "DENIED"
    REJECTED = "REJECTED"

    @property
    def is_working(self) -> bool:
        """True while the order can still fill (or is in flight to the venue)."""
        return self in _WORKING

    @property
    def is_terminal(self) -> bool:
        """True once nothing can happen to the order any more."""
        return self in _TERMINAL


_WORKING = frozenset({OrderStatus.SUBMITTED, OrderStatus.ACCEPTED, OrderStatus.PARTIALLY_FILLED})
_TERMINAL = frozenset(
    {
        OrderStatus.FILLED,
        OrderStatus.CANCELED,
        OrderStatus.EXPIRED,
        OrderStatus.DENIED,
        OrderStatus.REJECTED,
    }
)


class Bar(NamedTuple):
    """One closed OHLCV bar. ``ts`` is the bar's **open** time, tz-aware UTC.

    An immutable named tuple rather than a pydantic model: feeds create one per bar —
    millions in a long backtest — and validate the whole series at once (see
    ``logos.feeds``), so per-bar validation would be paid twice.
    """

    symbol: str
    ts: datetime
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: Decimal


class SymbolMeta(Record):
    """What a venue allows for one symbol. ``None`` means "not constrained"."""

    symbol: str
    base: str | None = None
    quote: str | None = None
    tick_size: PositiveDecimal | None = None
    lot_size: PositiveDecimal | None = None
    min_qty: NonNegativeDecimal | None = None
    max_qty: PositiveDecimal | None = None
    min_notional: NonNegativeDecimal | None = None
    fractionable: bool = True
    shortable: bool = True


def require_exactly_one(model: BaseModel, names: tuple[str, ...], what: str) -> None:
    """Raise ``ValueError`` ("<what> exactly one of a, b or c (got ...)") unless exactly one
    of the fields ``names`` of ``model`` is set."""
    given = [name for name in names if getattr(model, name) is not None]
    if len(given) != 1:
        choices = f"{', '.join(names[:-1])} or {names[-1]}"
        got = f" (got {', '.join(given)})" if given else ""
        raise ValueError(f"{what} exactly one of {choices}{got}")


class ExitLevel(Record):
    """Where a protective exit sits, relative to the price its entry filled at: exactly one
    of ``price`` (absolute), ``percent`` (a fraction: 0.05 is 5 % away) or ``offset`` (a
    distance in price units, e.g. 2 × ATR worked out when the entry was sized)."""

    price: PositiveDecimal | None = None
    percent: Annotated[Decimal, Field(gt=0, lt=1)] | None = None
    offset: PositiveDecimal | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> ExitLevel:
        require_exactly_one(self, ("price", "percent", "offset"), "an exit level needs")
        return self


class Bracket(Record):
    """The protective exits an entry arms when it fills (docs/orders.md): a stop-loss, a
    take-profit and/or a trailing stop, one-cancels-other, reduce-only, sized to the
    quantity the entry has filled. With both ``stop_loss`` and ``trailing``, the one stop
    leg is a trailing stop that starts at the stop-loss level."""

    stop_loss: ExitLevel | None = None
    take_profit: ExitLevel | None = None
    trailing: ExitLevel | None = None

    @model_validator(mode="after")
    def _protects(self) -> Bracket:
        if self.stop_loss is None and self.take_profit is None and self.trailing is None:
            raise ValueError("a bracket needs a stop_loss, a take_profit or a trailing exit")
        if self.trailing is not None and self.trailing.price is not None:
            raise ValueError("a trailing exit is a percent or an offset, not a price")
        return self


class OrderIntent(Record):
    """What sizing wants to trade: a quantized, not yet risk-checked order request.

    ``stop_price`` is the trigger of a stop or stop-limit (and the starting level of a
    trailing stop, when given); ``trail_amount`` / ``trail_percent`` the distance a trailing
    stop keeps; ``reduce_only`` an order that may only shrink a position (never open or flip
    one); ``exits`` the bracket an entry arms when it fills; ``parent_id`` and ``oco_id`` link
    a bracket's legs to their entry and to each other.
    """

    symbol: str
    side: Side
    qty: PositiveDecimal
    type: OrderType = OrderType.MARKET
    limit_price: PositiveDecimal | None = None
    stop_price: PositiveDecimal | None = None
    trail_amount: PositiveDecimal | None = None
    trail_percent: Annotated[Decimal, Field(gt=0, lt=1)] | None = None
    reduce_only: bool = False
    exits: Bracket | None = None
    parent_id: str | None = None
    oco_id: str | None = None
    time_in_force: TimeInForce = TimeInForce.GTC
    client_order_id: str
    reason: str = ""
    ts: UtcDatetime

    @property
    def signed_qty(self) -> Decimal:
        """Quantity with the side's sign: positive buys, negative sells."""
        return self.side.signed(self.qty)


class Order(Record):
    """One version of an order. Use :meth:`evolve` to make the next version."""

    order_id: str
    client_order_id: str
    symbol: str
    side: Side
    type: OrderType
    qty: PositiveDecimal
    limit_price: PositiveDecimal | None = None
    stop_price: PositiveDecimal | None = None
    """Trigger of a stop / stop-limit; a trailing stop's current level (it moves)."""
    trail_amount: PositiveDecimal | None = None
    trail_percent: Annotated[Decimal, Field(gt=0, lt=1)] | None = None
    reduce_only: bool = False
    exits: Bracket | None = None
    parent_id: str | None = None
    """The entry order whose fill armed this bracket leg."""
    oco_id: str | None = None
    """Legs with the same ``oco_id`` cancel each other: a fill of one cancels the rest."""
    triggered: bool = False
    """A stop-limit whose trigger was hit: it now rests as a limit order."""
    time_in_force: TimeInForce = TimeInForce.GTC
    status: OrderStatus = OrderStatus.NEW
    filled_qty: NonNegativeDecimal = Decimal(0)
    avg_fill_price: Decimal | None = None
    ts_created: UtcDatetime
    ts_updated: UtcDatetime
    reason: str = ""

    @property
    def remaining_qty(self) -> Decimal:
        """Quantity still to fill."""
        return self.qty - self.filled_qty

    def evolve(self, **changes: Any) -> Order:
        """A new version of this order with ``changes`` applied and validated."""
        return type(self).model_validate({**self.model_dump(), **changes})


class Fill(Record):
    """One execution of (part of) an order."""

    trade_id: str
    order_id: str
    client_order_id: str
    ts: UtcDatetime
    symbol: str
    side: Side
    qty: PositiveDecimal
    price: PositiveDecimal
    fee: NonNegativeDecimal = Decimal(0)
    liquidity: Liquidity = Liquidity.TAKER
    realized_pnl: Decimal = Decimal(0)


class Position(Record):
    """Net position in one symbol; ``qty`` is signed (negative = short)."""

    symbol: str
    qty: Decimal = Decimal(0)
    avg_cost: Decimal = Decimal(0)
    last_price: Decimal | None = None
    realized_pnl: Decimal = Decimal(0)
    unrealized_pnl: Decimal = Decimal(0)

    @property
    def market_value(self) -> Decimal:
        """Signed value of the position at the last price (0 when there is no price yet)."""
        return self.qty * self.last_price if self.last_price is not None else Decimal(0)


class Account(NamedTuple):
    """The account after one slice: cash, marks and the drawdown from the equity peak.

    ``drawdown`` is a fraction of ``peak_equity`` (0.05 = 5 % below the peak); ``ts`` is
    tz-aware UTC. An immutable named tuple rather than a pydantic model: the broker makes
    one every slice from values it computed itself, and the account history checks each
    value it records.
    """

    ts: datetime
    cash: Decimal
    equity: Decimal
    peak_equity: Decimal
    currency: str = "USD"
    gross_exposure: Decimal = Decimal(0)
    net_exposure: Decimal = Decimal(0)
    realized_pnl: Decimal = Decimal(0)
    unrealized_pnl: Decimal = Decimal(0)
    fees: Decimal = Decimal(0)
    drawdown: Decimal = Decimal(0)


class Event(Record):
    """The journal envelope: one line of ``state.jsonl``.

    ``seq`` is strictly increasing within a run, ``type`` names what happened
    (``bar``, ``order``, ``fill``, ``guard_trip``, ...), ``ts`` is the bar time it belongs to,
    and ``data`` is a JSON-serialisable payload.
    """

    seq: Annotated[int, Field(ge=0)]
    type: str
    ts: UtcDatetime
    data: dict[str, Any] = Field(default_factory=dict)

    @classmethod
    def made(cls, seq: int, type: str, ts: datetime, data: dict[str, Any]) -> Event:
        """An event of the engine's own making, not validated again: its ``ts`` comes from a
        validated bar or order (tz-aware UTC) and its ``seq`` from the engine's count. The
        journal gets several per slice, so the validation would cost as much as writing."""
        return cls.model_construct(seq=seq, type=type, ts=ts, data=data)
