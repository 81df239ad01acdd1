"""Exact text of many ratios b / p (0 ≤ b < p, integers) as Decimal division writes them.

The account's drawdown, (peak − equity) / peak, is a Decimal division rounded to the context's
28 significant digits, one per account row. Doing a million of them one by one costs half a
second; this computes the same digits with int64 long division over all rows at once:

1. ``k`` decimal digits at a time (as many as ``p · 10^k`` fits in int64), enough digits for
   the leading zeros plus 28 significant digits and a guard digit, and the final remainder;
2. round half to even at the 28th significant digit (the guard digit, and whether anything
   non-zero follows it), with the carry propagated (0.99…95 becomes 1 with one zero fewer);
3. ``0.`` + leading zeros + the digits without trailing zeros, assembled as one byte buffer.

The result is the text :func:`logos.reports.numbers.format_decimal` gives for
``Decimal(b) / Decimal(p)`` under a context of precision 28 rounding half-even (the default);
:func:`ratio_text` returns ``None`` when it cannot guarantee that (another context, a peak too
large for int64 long division, a ratio outside [0, 1)), and the caller divides in Decimal.
"""

from __future__ import annotations

import decimal

import numpy as np
import pyarrow as pa

PRECISION = 28
_INT64_MAX = np.iinfo(np.int64).max
_ZERO, _DOT = ord("0"), ord(".")


def _context_is_default() -> bool:
    context = decimal.getcontext()
    return context.prec == PRECISION and context.rounding == decimal.ROUND_HALF_EVEN


def ratio_text(below: np.ndarray, peak: np.ndarray) -> pa.Array | None:
    """Text of ``below[i] / peak[i]`` for int64 arrays with 0 ≤ below < peak, or ``None``."""
    count = len(below)
    if count == 0 or below.dtype != np.int64 or peak.dtype != np.int64:
        return None
    if not _context_is_default() or np.any(below < 0) or np.any(below >= peak):
        return None
    top = int(peak.max())
    chunk = len(str(_INT64_MAX // top)) - 1  # digits per step with p·10^k < 2^63
    if chunk < 1:
        return None
    digits = _long_division(below, peak, chunk, len(str(top)) + PRECISION + 1)
    return _assemble(*_round(digits, below))


def _long_division(
    below: np.ndarray, peak: np.ndarray, chunk: int, wanted: int
) -> tuple[np.ndarray, np.ndarray]:
    """Fractional digits (rows × columns, uint8) of below / peak and 'remainder left' flags."""
    steps = -(-wanted // chunk)
    digits = np.empty((len(below), steps * chunk), dtype=np.uint8)
    scale = np.int64(10**chunk)
    rest = below.copy()
    for step in range(steps):
        shifted = rest * scale
        block = shifted // peak
        rest = shifted - block * peak
        for place in range(chunk):
            power = np.int64(10 ** (chunk - 1 - place))
            digits[:, step * chunk + place] = (block // power) % 10
    return digits, rest != 0


def _round(
    found: tuple[np.ndarray, np.ndarray], below: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """28 significant digits rounded half-even, the leading-zero count, and zero rows."""
    digits, remainder_left = found
    width = digits.shape[1]
    nonzero = digits != 0
    zero_row = below == 0
    first = np.argmax(nonzero, axis=1)
    first[zero_row] = 0
    span = first[:, None] + np.arange(PRECISION + 1)
    window = np.take_along_axis(digits, span, axis=1)
    significant, guard = window[:, :PRECISION].astype(np.int16), window[:, PRECISION]
    after_guard = np.arange(width)[None, :] > (first + PRECISION)[:, None]
    sticky = np.any(nonzero & after_guard, axis=1) | remainder_left
    odd = significant[:, -1] % 2 == 1
    up = (guard > 5) | ((guard == 5) & (sticky | odd))
    up &= ~zero_row
    significant[:, -1] += up
    for place in range(PRECISION - 1, 0, -1):  # carry
        carry = significant[:, place] == 10
        significant[carry, place] = 0
        significant[carry, place - 1] += 1
    overflow = significant[:, 0] == 10
    significant[overflow] = 0
    significant[overflow, 0] = 1
    first = first - overflow  # one leading zero fewer (or the integer 1 when first was 0)
    return significant.astype(np.uint8), first, zero_row


def _assemble(significant: np.ndarray, first: np.ndarray, zero_row: np.ndarray) -> pa.Array:
    """``0.`` + zeros + digits (trailing zeros dropped); ``1`` and ``0`` where they occur."""
    rows = len(first)
    is_one = first < 0
    kept = PRECISION - np.argmax(significant[:, ::-1] != 0, axis=1)
    lengths = np.where(zero_row | is_one, 1, 2 + first + kept)
    width = int(lengths.max())
    column = np.arange(width)[None, :]
    position = column - 2 - first[:, None]
    inside = (position >= 0) & (position < PRECISION)
    picked = np.take_along_axis(significant, np.clip(position, 0, PRECISION - 1), axis=1)
    text = np.where(inside, picked + _ZERO, _ZERO).astype(np.uint8)
    if width > 1:
        text[:, 1] = _DOT
    text[is_one, 0] = ord("1")
    data = text[column < lengths[:, None]]
    offsets = np.zeros(rows + 1, dtype=np.int32)
    np.cumsum(lengths, out=offsets[1:])
    return pa.Array.from_buffers(
        pa.string(), rows, [None, pa.py_buffer(offsets), pa.py_buffer(data.tobytes())]
    )
