"""Sizing: how a signal becomes a target position and then a quantized ``OrderIntent``.

Rules (selected by name in the config's ``[sizing]`` table, params validated by the models
below): ``fixed_qty`` (target = signal × qty), ``fixed_notional`` (signal × notional ÷ price),
``percent_equity`` (signal × fraction × equity ÷ price). Caps ``max_order_notional`` and
``max_position_notional`` apply before quantization. :class:`OrderTranslator` does the rest
(docs/strategies.md).
"""

from __future__ import annotations

import functools
import hashlib
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Context, Decimal
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from logos.components import Params
from logos.domain import (
    Bracket,
    OrderIntent,
    OrderType,
    Side,
    SymbolMeta,
    TimeInForce,
)
from logos.errors import ConfigError, LogosError
from logos.market import quantize_price, quantize_qty, to_decimal, untradeable_reasons
from logos.strategies.targets import Entry

_ZERO = Decimal(0)


class SizingCaps(Params):
    """Caps applied to every sizing rule before quantization (``None``: no cap)."""

    max_order_notional: Decimal | None = Field(None, gt=0)
    max_position_notional: Decimal | None = Field(None, gt=0)


class FixedQtyParams(SizingCaps):
    """target position = signal × qty"""

    qty: Decimal = Field(gt=0)


class FixedNotionalParams(SizingCaps):
    """target position = signal × notional ÷ price"""

    notional: Decimal = Field(gt=0)


class PercentEquityParams(SizingCaps):
    """target position = signal × fraction × equity ÷ price"""

    fraction: Decimal = Field(gt=0, le=1)


SIZING_PARAMS: dict[str, type[BaseModel]] = {
    "fixed_qty": FixedQtyParams,
    "fixed_notional": FixedNotionalParams,
    "percent_equity": PercentEquityParams,
}


_CTX = Context(prec=28, rounding=ROUND_HALF_EVEN)
"""Sizing arithmetic context (28 significant digits), independent of the thread's context."""
_TOWARD_ZERO = Context(prec=28, rounding=ROUND_DOWN)
"""Cap limits (cap ÷ price) and order deltas round toward zero, so a clipped quantity never
exceeds its cap and an order never overshoots its target."""
_WIDE = Context(prec=60)

CLIENT_ORDER_ID_MAX_LEN = 36
"""Binance and Bybit accept at most 36 characters of ``[A-Za-z0-9_-]`` (Alpaca 128)."""

_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


@functools.lru_cache(maxsize=64)
def _safe_session_id(session_id: str) -> str:
    return _ID_UNSAFE.sub("_", session_id)


def make_client_order_id(session_id: str, seq: int, max_len: int = CLIENT_ORDER_ID_MAX_LEN) -> str:
    """Deterministic client order id ``<session>-<seq>``, at most ``max_len`` chars of
    ``[A-Za-z0-9_-]``.

    When the session id has other characters or is too long, it is shortened and a short
    sha256 of the original session id is appended, so distinct sessions keep distinct ids.
    """
    if seq < 0:
        raise ValueError(f"seq must be >= 0, got {seq}")
    suffix = f"-{seq}"
    safe = _safe_session_id(session_id)
    if safe == session_id and len(safe) + len(suffix) <= max_len:
        return safe + suffix
    digest = hashlib.sha256(session_id.encode()).hexdigest()[:8]
    room = max_len - len(suffix) - len(digest) - 1
    if room < 1:
        raise ValueError(f"seq {seq} is too long for a {max_len}-character client order id")
    return f"{safe[:room]}_{digest}{suffix}"


@dataclass(frozen=True)
class DroppedIntent:
    """An order sizing wanted but did not emit, and why (``code`` for grouping, ``reason`` for
    people). ``requested_qty`` is the signed quantity before quantization, ``quantized_qty``
    after it (0 when it truncated to nothing or was never quantized)."""

    symbol: str
    ts: datetime
    code: str
    reason: str
    requested_qty: Decimal
    quantized_qty: Decimal


@dataclass(frozen=True, slots=True)
class TranslationResult:
    """What one signal became: at most one intent, or drop records. ``target_qty`` is the
    signed target position after caps (None when there was no usable signal)."""

    symbol: str
    target_qty: Decimal | None
    intents: list[OrderIntent] = field(default_factory=list)
    dropped: list[DroppedIntent] = field(default_factory=list)


def _decimal(value: Decimal | str | int | float) -> Decimal:
    """:func:`~logos.market.to_decimal`, skipping the call for a finite Decimal (the usual
    case); NaN and infinities still raise its ``ValueError``."""
    return value if type(value) is Decimal and value.is_finite() else to_decimal(value)


def target_position(
    rule: str, params: BaseModel, signal: Decimal, price: Decimal, equity: Decimal
) -> tuple[Decimal, str]:
    """Signed target position for ``signal`` under ``rule``, and how it was computed."""
    if rule == "fixed_qty":
        value = _CTX.multiply(signal, params.qty)
        return value, f"fixed_qty: {_num(signal)} × qty {_num(params.qty)} = {_num(value)}"
    if rule == "fixed_notional":
        value = _CTX.divide(_CTX.multiply(signal, params.notional), price)
        return value, (
            f"fixed_notional: {_num(signal)} × {_num(params.notional)} ÷ price {_num(price)}"
            f" = {_num(value)}"
        )
    if rule == "percent_equity":
        value = _CTX.divide(_CTX.multiply(_CTX.multiply(signal, params.fraction), equity), price)
        text = (
            f"percent_equity: {_num(signal)} × {_num(params.fraction)} × equity {_num(equity)}"
            f" ÷ price {_num(price)}"
        )
        return value, f"{text} = {_num(value)}"
    raise LogosError(f"unknown sizing rule '{rule}'; known: {', '.join(sorted(SIZING_PARAMS))}")


_NUM_TEXT: dict[Decimal, str] = {}
_NUM_TEXT_MAX = 4096


def _num(value: Decimal) -> str:
    """A Decimal as reason text: plain digits, no trailing zeros, so values that are equal
    read the same whatever their exponent (a position of 0.0 and of 0 are one position).

    The text depends only on the value, so it is cached by value (equal Decimals hash
    alike): sizing repeats the same parameters, positions and quantities every order."""
    finite = value.is_finite()
    text = _NUM_TEXT.get(value) if finite else None
    if text is not None:
        return text
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    text = "0" if text in ("-0", "") else text
    if finite:
        if len(_NUM_TEXT) >= _NUM_TEXT_MAX:
            _NUM_TEXT.clear()
        _NUM_TEXT[value] = text
    return text


def _bracket_text(bracket: Bracket) -> str:
    """A bracket as reason text: ``stop_loss 5%, take_profit 10%``."""
    parts = []
    for name in ("stop_loss", "take_profit", "trailing"):
        level = getattr(bracket, name)
        if level is None:
            continue
        if level.percent is not None:
            parts.append(f"{name} {_num(level.percent * 100)}%")
        elif level.offset is not None:
            parts.append(f"{name} {_num(level.offset)} away")
        else:
            parts.append(f"{name} at {_num(level.price)}")
    return ", ".join(parts)


def _clip(value: Decimal, limit: Decimal) -> Decimal:
    return value if abs(value) <= limit else limit.copy_sign(value)


def smallest_order(meta: SymbolMeta) -> Decimal:
    """The smallest quantity an order of ``meta``'s symbol can have: its lot size, its
    ``min_qty``, and 1 when it is not fractionable, whichever is largest."""
    floor = Decimal(1) if not meta.fractionable else _ZERO
    return max(meta.lot_size or _ZERO, meta.min_qty or _ZERO, floor)


def qty_below_lot(
    params: BaseModel, metas: Mapping[str, SymbolMeta], symbols: Sequence[str]
) -> list[str]:
    """Why a ``fixed_qty`` can never trade ``symbols``: its qty below a symbol's smallest
    order (signals are within [-1, 1], so every order would be quantized to nothing).

    Refused up front rather than run: a backtest that drops every order looks like a
    strategy that never wanted to trade.
    """
    qty = getattr(params, "qty", None)
    if not isinstance(params, FixedQtyParams) or qty is None:
        return []
    problems = []
    for symbol in symbols:
        meta = metas.get(symbol)
        if meta is None or qty >= smallest_order(meta):
            continue
        limits = [f"lot_size {_num(meta.lot_size)}"] if meta.lot_size is not None else []
        limits += [f"min_qty {_num(meta.min_qty)}"] if meta.min_qty is not None else []
        limits += [] if meta.fractionable else ["not fractionable"]
        problems.append(
            f"sizing.params.qty: {_num(qty)} is below the smallest order of {symbol}, "
            f"{_num(smallest_order(meta))} ({', '.join(limits)}): every order would be "
            "dropped; use a qty of at least that"
        )
    return problems


class OrderTranslator:
    """Turns one symbol's signal into a quantized ``OrderIntent`` (or a recorded drop).

    Order quantity = target − position − working (all signed), so a delta already being worked
    is never ordered twice. Caps apply before quantization: ``max_position_notional`` clips the
    target, ``max_order_notional`` clips the order; a non-shortable symbol's target is clipped at
    0; ``max_qty`` clips the quantized order. Nothing at all is returned for a NaN signal or when
    the delta is exactly zero; a nonzero delta that truncates to zero, or an order that fails
    :func:`logos.market.untradeable_reasons`, is returned as a ``DroppedIntent``.
    """

    def __init__(
        self,
        rule: str,
        params: BaseModel | Mapping[str, Any] | None = None,
        metas: Mapping[str, SymbolMeta] | None = None,
        session_id: str = "session",
        order_type: OrderType = OrderType.MARKET,
        strategy_name: str = "strategy",
        symbols: Sequence[str] = (),
    ) -> None:
        model = SIZING_PARAMS.get(rule)
        if model is None:
            raise LogosError(
                f"unknown sizing rule '{rule}'; known: {', '.join(sorted(SIZING_PARAMS))}"
            )
        if params is None or isinstance(params, Mapping):
            try:
                params = model.model_validate(dict(params or {}))
            except ValidationError as exc:
                raise LogosError(f"sizing '{rule}' params: {exc}") from None
        self.rule = rule
        self.params = params
        self.metas = dict(metas or {})
        self.session_id = session_id
        self.order_type = OrderType(order_type)
        self.strategy_name = strategy_name
        problems = qty_below_lot(params, self.metas, symbols)
        if problems:
            raise ConfigError(problems)

    def translate(
        self,
        symbol: str,
        signal: float,
        price: Decimal,
        position_qty: Decimal,
        working_qty: Decimal,
        equity: Decimal,
        ts: datetime,
        seq: int,
        entry: Entry | None = None,
        exits: Bracket | None = None,
        exit_notes: Sequence[str] = (),
    ) -> TranslationResult:
        """Size ``signal`` for ``symbol`` at ``price``; ``seq`` makes the client order id.

        An order that opens or adds to a position is an entry: it is placed as ``entry``
        says (a limit at a price, or at an offset from ``price``, on the tick grid: a buy
        rounded down, a sell up) and carries ``exits``, the bracket it arms when it fills
        (docs/orders.md); ``exit_notes`` (why an exit was left out) join its reason. An order
        that only reduces a position goes at market.
        """
        price, position_qty = _decimal(price), _decimal(position_qty)
        working_qty, equity = _decimal(working_qty), _decimal(equity)
        meta = self.metas.get(symbol)

        def drop(
            code: str, reason: str, requested: Decimal, quantized: Decimal
        ) -> TranslationResult:
            record = DroppedIntent(symbol, ts, code, reason, requested, quantized)
            return TranslationResult(symbol, target, [], [record])

        target: Decimal | None = None
        if isinstance(signal, float | int) and math.isnan(signal):
            return TranslationResult(symbol, None, [], [])
        source = f"{self.strategy_name} signal {signal!r} for {symbol}"
        if not math.isfinite(signal) or abs(signal) > 1:
            return drop("invalid_signal", f"{source} is outside [-1, 1]", _ZERO, _ZERO)
        if price <= 0:
            return drop("no_price", f"{source}: price {price} is not positive", _ZERO, _ZERO)
        if self.rule == "percent_equity" and equity <= 0 and signal != 0:
            return drop("no_equity", f"{source}: equity {equity} is not positive", _ZERO, _ZERO)

        exposure = float(signal)
        # -1, 0 and 1 (the usual signals) as 1, not 1.0: quantities keep no spurious digit
        exact = Decimal(int(exposure)) if exposure.is_integer() else to_decimal(exposure)
        target, how = target_position(self.rule, self.params, exact, price, equity)
        notes = [source, how]
        cap = self.params.max_position_notional
        if cap is not None and abs(_CTX.multiply(target, price)) > cap:
            target = _clip(target, _TOWARD_ZERO.divide(cap, price))
            notes.append(f"max_position_notional {_num(cap)} clipped target to {_num(target)}")
        if target < 0 and meta is not None and not meta.shortable:
            target = _ZERO
            notes.append(f"{symbol} is not shortable: target clipped to 0")
        delta = _TOWARD_ZERO.subtract(target, _WIDE.add(position_qty, working_qty))
        if delta == 0:
            return TranslationResult(symbol, target, [], [])
        notes.append(
            f"position {_num(position_qty)}, working {_num(working_qty)} → order {_num(delta)}"
        )
        requested = delta
        cap = self.params.max_order_notional
        if cap is not None and abs(_CTX.multiply(delta, price)) > cap:
            delta = _clip(delta, _TOWARD_ZERO.divide(cap, price))
            notes.append(f"max_order_notional {_num(cap)} clipped order to {_num(delta)}")
        qty = quantize_qty(meta, delta)
        if meta is not None and meta.max_qty is not None and abs(qty) > meta.max_qty:
            qty = quantize_qty(meta, meta.max_qty.copy_sign(qty))
            notes.append(f"max_qty {_num(meta.max_qty)} clipped order to {_num(qty)}")
        if qty != delta:
            notes.append(f"quantized to {_num(qty)}")
        reason = "; ".join(notes)
        if qty == 0:
            step = meta.lot_size if meta is not None and meta.lot_size is not None else 1
            return drop("below_lot", f"{reason}: below one lot ({step})", requested, qty)
        side = Side.BUY if qty > 0 else Side.SELL
        held = _WIDE.add(position_qty, working_qty)
        opens = abs(_WIDE.add(held, qty)) > abs(held)
        order_type = self.order_type
        limit_at = price
        if opens and entry is not None and entry.type == "limit":
            order_type = OrderType.LIMIT
            if entry.price is not None:
                limit_at = entry.price
            else:
                assert entry.offset is not None
                away = entry.offset if side is Side.SELL else -entry.offset
                limit_at = _CTX.multiply(price, _CTX.add(1, away))
            reason = f"{reason}; limit entry at {_num(limit_at)}"
        limit = quantize_price(meta, limit_at, side) if order_type is OrderType.LIMIT else None
        if limit is not None and limit <= 0:
            text = f"{reason}: dropped, limit price {price} rounds to {limit} on the tick grid"
            return drop("untradeable", text, requested, qty)
        if meta is not None:  # without metadata a nonzero quantity is always tradeable
            after = _CTX.add(_CTX.add(position_qty, working_qty), qty)
            problems = untradeable_reasons(meta, qty, limit or price, position_after=after)
            if problems:
                text = f"{reason}: dropped, {'; '.join(problems)}"
                return drop("untradeable", text, requested, qty)
        bracket = exits if opens else None
        if bracket is not None:
            reason = f"{reason}; exits {_bracket_text(bracket)}"
        if opens and exit_notes:
            reason = f"{reason}; {'; '.join(exit_notes)}"
        values = {
            "symbol": symbol,
            "side": side,
            "qty": abs(qty),
            "type": order_type,
            "limit_price": limit,
            "exits": bracket,
            "time_in_force": TimeInForce.GTC,
            "client_order_id": make_client_order_id(self.session_id, seq),
            "reason": reason,
            "ts": ts,
        }
        return TranslationResult(symbol, target, [OrderIntent.model_validate(values)], [])
