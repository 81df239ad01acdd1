"""The text every artifact writes for a number or a timestamp.

A Decimal is written as plain decimal text without trailing fractional zeros: ``str(d)``
(``format(d, "f")`` when that has an exponent) with the zeros after the point removed, so the
text depends on the value alone (``150000``, ``99949.95``, ``-0.5``, ``0.000141976``); any
zero is ``0`` (never ``-0``). ``Decimal(text)`` gives the value back exactly. Non-finite
values (NaN, infinities) have no such text and are an error.

A timestamp is ISO-8601 UTC with ``Z``: ``2024-01-01T00:00:00Z``, with microseconds
(``2024-01-01T00:00:00.250000Z``) only when it has them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from logos.errors import DataError
from logos.timeutil import isoformat_utc

_DECIMAL_TEXT = Decimal.__str__  # str() that raises TypeError for anything but a Decimal


def format_decimal(value: Decimal) -> str:
    """``value`` as plain text (see the module docstring); ``DataError`` if not a finite
    Decimal."""
    try:
        text = _DECIMAL_TEXT(value)
    except TypeError:
        raise DataError(
            f"cannot write {value!r} ({type(value).__name__}) as an exact number"
        ) from None
    if "E" in text or "N" in text or "I" in text or not value:
        return _unusual_text(value)
    return _without_trailing_zeros(text)


def plain_text(value: Decimal) -> str:
    """:func:`format_decimal` for a Decimal whose ``str`` has no exponent and which is not
    zero (the caller checks the result for ``E``, ``N``, ``y`` and ``-0``); the fast path of
    the account history, which writes millions of values (so one call, not two)."""
    text = _DECIMAL_TEXT(value)
    if text[-1] == "0" and "." in text:
        return text.rstrip("0").rstrip(".")
    return text


def _without_trailing_zeros(text: str) -> str:
    if text[-1] == "0" and "." in text:
        return text.rstrip("0").rstrip(".")
    return text


def _unusual_text(value: Decimal) -> str:
    """The text of a zero, of a value ``str`` writes with an exponent, or an error."""
    if not value.is_finite():
        raise DataError(f"cannot write non-finite number {value}")
    if not value:
        return "0"
    return _without_trailing_zeros(format(value, "f"))


def format_optional(value: Decimal | None) -> str:
    """:func:`format_decimal`, or an empty field for ``None``."""
    return "" if value is None else format_decimal(value)


def format_ts(ts: datetime) -> str:
    """``ts`` as ISO-8601 UTC with ``Z`` (a naive ``ts`` is a ValueError)."""
    if ts.tzinfo is UTC:
        return ts.isoformat().removesuffix("+00:00") + "Z"
    return isoformat_utc(ts)
