"""The domain model: bars, symbol metadata, intents, orders, fills, positions, accounts, events.

Money (prices, quantities, cash, fees, PnL) is ``Decimal``; timestamps are tz-aware UTC
(DESIGN.md §4, §5). Records are immutable: an order that changes state is a new ``Order``
made with :meth:`Order.evolve`, so every version can be journaled as it was.

Validation is for values from outside (configs, feeds, strategies, venues, users). The paper
broker builds several records per order from values it computed itself; for those it may use
:func:`construct_trusted` after checking, with :func:`is_finite_decimal` and :func:`is_utc`,
that validation would return the values unchanged — and falls back to the validating
constructor otherwise, so bad values still raise the same errors.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

from logos.timeutil import ensure_utc

UtcDatetime = Annotated[AwareDatetime, AfterValidator(ensure_utc)]
"""A tz-aware timestamp, normalised to UTC; naive timestamps are rejected."""

PositiveDecimal = Annotated[Decimal, Field(gt=0)]
NonNegativeDecimal = Annotated[Decimal, Field(ge=0)]


class Record(BaseModel):
    """Base of the immutable domain records: frozen, no unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


ModelT = TypeVar("ModelT", bound=BaseModel)

_set_attribute = object.__setattr__
_FIELDS: dict[type[BaseModel], tuple[tuple[str, ...], set[str]]] = {}


def _field_names(cls: type[BaseModel]) -> tuple[tuple[str, ...], set[str]]:
    names = tuple(cls.__pydantic_fields__)
    fields = _FIELDS[cls] = (names, set(names))
    return fields


def construct_trusted(cls: type[ModelT], values: dict[str, Any]) -> ModelT:
    """A ``cls`` instance made from ``values`` (field name -> value) without validation.

    Every field must be given (else ``TypeError``), each exactly as validation would return
    it: the caller checks that (see the module docstring). The result equals, dumps and
    serializes like the validated instance; it just skips validating values already known
    to be valid, which costs more than the rest of a paper fill. ``values`` becomes the
    instance's own dict: the caller must not use it afterwards.
    """
    names, name_set = _FIELDS.get(cls) or _field_names(cls)
    if tuple(values) != names:
        if values.keys() != name_set:
            raise TypeError(f"{cls.__name__}: construct_trusted needs exactly {list(names)}")
        values = {name: values[name] for name in names}
    record = object.__new__(cls)
    _set_attribute(record, "__dict__", values)
    _set_attribute(record, "__pydantic_fields_set__", name_set.copy())
    _set_attribute(record, "__pydantic_extra__", None)
    _set_attribute(record, "__pydantic_private__", None)
    return record


def copy_trusted(record: ModelT, changes: dict[str, Any]) -> ModelT:
    """A copy of ``record`` with ``changes`` (field name -> value) applied, without validation.

    Like :func:`construct_trusted`, every changed value must be exactly what validation would
    return (the caller checks that); the names must be fields of the record (else
    ``TypeError``). Copying the record's own dict keeps its field order, so nothing else
    needs checking.
    """
    values = record.__dict__.copy()
    values.update(changes)
    if len(values) != len(record.__dict__):
        unknown = sorted(set(changes) - set(record.__dict__))
        raise TypeError(f"{type(record).__name__}: copy_trusted got unknown fields {unknown}")
    cls = type(record)
    copy = object.__new__(cls)
    _set_attribute(copy, "__dict__", values)
    _set_attribute(
        copy, "__pydantic_fields_set__", (_FIELDS.get(cls) or _field_names(cls))[1].copy()
    )
    _set_attribute(copy, "__pydantic_extra__", None)
    _set_attribute(copy, "__pydantic_private__", None)
    return copy


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

    @property
    def opposite(self) -> Side:
        """The other side."""
        return Side.SELL if self is Side.BUY else Side.BUY


class OrderType(StrEnum):
    """Order type."""

    MARKET = "market"
    LIMIT = "limit"


class TimeInForce(StrEnum):
    """How long an order works: good till canceled, or until the end of its trading day (UTC)."""

    GTC = "gtc"
    DAY = "day"


class Liquidity(StrEnum):
    """Whether a fill took liquidity (taker fee) or provided it (maker fee)."""

    TAKER = "taker"
    MAKER = "maker"


class OrderStatus(StrEnum):
    """Order lifecycle states (DESIGN.md §5). The legal transitions live in ``logos.lifecycle``.

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


@dataclass(frozen=True, slots=True)
class Bar:
    """One closed OHLCV bar. ``ts`` is the bar's **open** time, tz-aware UTC.

    A plain slotted dataclass rather than a pydantic model: feeds create millions of them and
    validate the whole series at once (see ``logos.feeds``), so per-bar validation would be
    paid twice.
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


class OrderIntent(Record):
    """What sizing wants to trade: a quantized, not yet risk-checked order request."""

    symbol: str
    side: Side
    qty: PositiveDecimal
    type: OrderType = OrderType.MARKET
    limit_price: PositiveDecimal | None = None
    time_in_force: TimeInForce = TimeInForce.GTC
    client_order_id: str
    reason: str = ""
    ts: UtcDatetime

    @property
    def signed_qty(self) -> Decimal:
        """Quantity with the side's sign: positive buys, negative sells."""
        return self.qty * self.side.sign


class Order(Record):
    """One version of an order. Use :meth:`evolve` to make the next version."""

    order_id: str
    client_order_id: str
    symbol: str
    side: Side
    type: OrderType
    qty: PositiveDecimal
    limit_price: PositiveDecimal | None = None
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


class Account(Record):
    """The account after one slice: cash, marks and the drawdown from the equity peak."""

    ts: UtcDatetime
    currency: str = "USD"
    cash: Decimal
    equity: Decimal
    gross_exposure: Decimal = Decimal(0)
    net_exposure: Decimal = Decimal(0)
    realized_pnl: Decimal = Decimal(0)
    unrealized_pnl: Decimal = Decimal(0)
    fees: NonNegativeDecimal = Decimal(0)
    peak_equity: Decimal
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
