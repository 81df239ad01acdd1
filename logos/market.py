"""Quantization against ``SymbolMeta`` and the check that says why an order is not tradeable.

Rules (docs/metadata.md):

- quantities are truncated toward zero to ``lot_size`` (a sell of -1.239 with lot 0.01 becomes
  -1.23), then to whole units when the symbol is not ``fractionable``;
- limit prices are rounded to ``tick_size`` in the trader's favour: buys down, sells up, so a
  quantized limit is never worse than the price asked for;
- ``None`` in the metadata means "not constrained": no step, no limit.

Everything is exact ``Decimal`` arithmetic in a private context (ccxt, for one, changes the
thread's default decimal context), so results never depend on who else touched
``decimal.getcontext()``. Floats are converted through ``str()`` (their shortest repr), never
``Decimal(float)``, so ``0.1`` means ``Decimal("0.1")``.

Where logos differs from ccxt (see docs/strategies.md): ccxt's ``amount_to_precision`` also
truncates and agrees exactly, except that it raises ``InvalidOrder`` where logos returns 0;
ccxt's ``price_to_precision`` rounds to the *nearest* tick (halves away from zero), which
logos reproduces with ``side=None`` but deliberately does not use for limit orders.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Context, Decimal, InvalidOperation

from logos.domain import Side, SymbolMeta

_CTX = Context(prec=60, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation])
"""Private context: 60 digits keeps every remainder below exact for realistic prices/sizes."""

_ZERO = Decimal(0)
_ONE = Decimal(1)


def to_decimal(value: Decimal | str | int | float) -> Decimal:
    """An exact ``Decimal`` from a Decimal, int, str or float (floats via ``str()``).

    Raises ``ValueError`` for NaN, infinities, booleans and text that is not a number.
    """
    if type(value) is Decimal:  # the common case, first
        result = value
    elif isinstance(value, bool):
        raise ValueError(f"not a number: {value!r}")
    elif isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        result = Decimal(str(value))
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f"not a number: {value!r}") from None
    else:
        raise ValueError(f"not a number: {value!r}")
    if not result.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return result


def _tidy(value: Decimal, step: Decimal) -> Decimal:
    """``value`` (a multiple of ``step``) written with the step's decimals; zero as plain 0."""
    if value == 0:
        return _ZERO
    exponent = min(step.normalize(_CTX).as_tuple().exponent, 0)
    return value.quantize(Decimal(1).scaleb(exponent), context=_CTX)


def _truncate(value: Decimal, step: Decimal) -> Decimal:
    """``value`` truncated toward zero to a multiple of ``step`` (exact)."""
    remainder = _CTX.remainder(value, step)  # sign of value: subtracting truncates to zero
    return _tidy(_CTX.subtract(value, remainder), step)


def quantize_qty(meta: SymbolMeta | None, qty: Decimal | str | int | float) -> Decimal:
    """``qty`` (signed: negative sells) truncated toward zero to the lot step.

    Not fractionable symbols are also truncated to whole units. No metadata or no lot size:
    the quantity is returned unchanged (as a Decimal). The result never exceeds ``qty`` in
    magnitude and may be 0.
    """
    value = to_decimal(qty)
    if meta is not None and meta.lot_size is not None:
        value = _truncate(value, meta.lot_size)
    if meta is not None and not meta.fractionable:
        value = _truncate(value, _ONE)
    return value


def quantize_price(
    meta: SymbolMeta | None, price: Decimal | str | int | float, side: Side | None
) -> Decimal:
    """A limit price on the tick grid, never worse than ``price`` for ``side``.

    Buy: the largest tick multiple ≤ price. Sell: the smallest tick multiple ≥ price.
    ``side=None``: the nearest tick multiple, halves away from zero — exactly what ccxt's
    ``price_to_precision`` does in TICK_SIZE mode; meant for display and estimates, never for
    a limit order. No metadata or no tick size: ``price`` is returned unchanged.
    """
    value = to_decimal(price)
    tick = meta.tick_size if meta is not None else None
    if tick is None:
        return value
    remainder = _CTX.remainder(value, tick)
    if remainder == 0:
        return _tidy(value, tick)
    down = _CTX.subtract(value, remainder)  # toward zero
    if remainder < 0:  # negative price: toward zero is up
        down = _CTX.subtract(down, tick)
    up = _CTX.add(down, tick)
    if side is Side.BUY:
        result = down
    elif side is Side.SELL:
        result = up
    else:
        away_from_zero, toward_zero = (up, down) if value > 0 else (down, up)
        half_or_more = _CTX.multiply(abs(remainder), 2) >= tick
        result = away_from_zero if half_or_more else toward_zero
    return _tidy(result, tick)


def untradeable_reasons(
    meta: SymbolMeta | None,
    qty: Decimal,
    price: Decimal | None,
    position_after: Decimal | None = None,
) -> list[str]:
    """Why an order of signed ``qty`` at ``price`` cannot be sent; empty when it can.

    Checks, in order: zero quantity, off the lot grid, not fractionable, below ``min_qty``,
    above ``max_qty``, below ``min_notional`` (``|qty| × price``; equal passes; fails closed
    when there is no price), and a short on a non-shortable symbol (``position_after < 0``).
    """
    if qty == 0:
        return ["quantity is zero"]
    if meta is None:
        return []
    size = abs(qty)
    reasons: list[str] = []
    if meta.lot_size is not None and _CTX.remainder(size, meta.lot_size) != 0:
        reasons.append(f"quantity {size} is not a multiple of lot_size {meta.lot_size}")
    if not meta.fractionable and _CTX.remainder(size, _ONE) != 0:
        reasons.append(f"quantity {size} is fractional and {meta.symbol} is not fractionable")
    if meta.min_qty is not None and size < meta.min_qty:
        reasons.append(f"quantity {size} is below min_qty {meta.min_qty}")
    if meta.max_qty is not None and size > meta.max_qty:
        reasons.append(f"quantity {size} is above max_qty {meta.max_qty}")
    if meta.min_notional is not None:
        if price is None:
            reasons.append(f"no price to check min_notional {meta.min_notional}")
        else:
            notional = _CTX.multiply(size, price)
            if notional < meta.min_notional:
                reasons.append(
                    f"notional {notional} (qty {size} × price {price}) is below "
                    f"min_notional {meta.min_notional}"
                )
    if not meta.shortable and position_after is not None and position_after < 0:
        reasons.append(f"{meta.symbol} is not shortable (position after would be {position_after})")
    return reasons
