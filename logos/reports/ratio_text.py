"""Exact text of many ratios b / p (0 ≤ b < p, integers) as Decimal division writes them.

The account's drawdown, (peak − equity) / peak, is a Decimal division rounded to the context's
28 significant digits, one per account row. Doing a million of them one by one costs half a
second; this computes the same digits for all rows at once with int64 arithmetic:

1. ``e``, the number of zeros between the point and the first significant digit
   (the smallest e with b·10^(e+1) ≥ p), so that r = b·10^e lies in [p/10, p);
2. long division of r by p in blocks of k digits (k = 7, or 4 for larger peaks, so that
   p·10^k fits in int64): 28/k blocks are the 28 significant digits, one more digit is the
   guard, and the final remainder says whether anything non-zero follows;
3. round half to even on the guard digit, carrying through the blocks (0.99…95 becomes
   0.1 with one leading zero fewer, or 1);
4. ``0.`` + e zeros + the digits as two zero-padded 14-digit halves, trailing zeros dropped
   (pyarrow string kernels).

The result is the text :func:`logos.reports.numbers.format_decimal` gives for
``Decimal(b) / Decimal(p)`` under a context of precision 28 rounding half-even (the default);
:func:`ratio_text` returns ``None`` when it cannot guarantee that (another context, a peak too
large, a ratio outside [0, 1)), and the caller divides in Decimal.
"""

from __future__ import annotations

import decimal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

PRECISION = 28
_LIMIT = np.iinfo(np.int64).max // 100  # e is estimated within one: b·10^(e+2) < 100·p


def _context_is_default() -> bool:
    context = decimal.getcontext()
    return context.prec == PRECISION and context.rounding == decimal.ROUND_HALF_EVEN


def _block_size(top: int) -> int | None:
    for size in (7, 4):
        if top * 10**size <= _LIMIT:
            return size
    return None


def ratio_text(below: np.ndarray, peak: np.ndarray) -> pa.Array | None:
    """Text of ``below[i] / peak[i]`` for int64 arrays with 0 ≤ below < peak, or ``None``."""
    if len(below) == 0 or below.dtype != np.int64 or peak.dtype != np.int64:
        return None
    if not _context_is_default() or np.any(below < 0) or np.any(below >= peak):
        return None
    size = _block_size(int(peak.max()))
    if size is None:
        return None
    zero = below == 0
    b = np.where(zero, 1, below)  # zero rows get a dummy ratio 1/10 and "0" at the end
    p = np.where(zero, 10, peak)
    zeros = _leading_zeros(b, p)
    blocks, up = _divide(b * 10**zeros, p, size)
    zeros = _round(blocks, up, zeros, size)
    return _text(blocks, zeros, zero, size)


def _leading_zeros(b: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Smallest e ≥ 0 with b·10^(e+1) ≥ p (b ≥ 1, b < p): zeros after the point."""
    guess = np.floor(np.log10(p.astype(np.float64)) - np.log10(b.astype(np.float64)))
    e = np.clip(guess.astype(np.int64), 0, 16)
    powers = 10 ** np.arange(20, dtype=np.int64)
    too_many = b * powers[e] >= p  # then e is one too large
    e = np.where(too_many, e - 1, e)
    too_few = b * powers[e + 1] < p
    return np.where(too_few, e + 1, e)


def _divide(r: np.ndarray, p: np.ndarray, size: int) -> tuple[list[np.ndarray], np.ndarray]:
    """28 significant digits of r / p (r in [p/10, p)) in blocks, and whether to round up."""
    scale = np.int64(10**size)
    blocks = []
    for _ in range(PRECISION // size):
        shifted = r * scale
        block = shifted // p
        r = shifted - block * p
        blocks.append(block)
    shifted = r * 10
    guard = shifted // p
    sticky = (shifted - guard * p) != 0
    odd = blocks[-1] % 2 == 1
    return blocks, (guard > 5) | ((guard == 5) & (sticky | odd))


def _round(blocks: list[np.ndarray], up: np.ndarray, zeros: np.ndarray, size: int) -> np.ndarray:
    """Add the rounding unit with carries; returns the leading-zero counts after overflow."""
    full = np.int64(10**size)
    blocks[-1] = blocks[-1] + up
    for i in range(len(blocks) - 1, 0, -1):
        carry = blocks[i] == full
        blocks[i] = np.where(carry, 0, blocks[i])
        blocks[i - 1] = blocks[i - 1] + carry
    overflow = blocks[0] == full
    blocks[0] = np.where(overflow, full // 10, blocks[0])  # 0.0999… → 0.1000…
    return zeros - overflow


def _halves(blocks: list[np.ndarray], size: int) -> tuple[np.ndarray, np.ndarray]:
    """The 28 digits as two 14-digit integers (each fits int64 with room to pad)."""
    half = PRECISION // 2
    hi = np.zeros(len(blocks[0]), dtype=np.int64)
    lo = np.zeros(len(blocks[0]), dtype=np.int64)
    for index, block in enumerate(blocks):
        start, end = index * size, (index + 1) * size
        if end <= half:
            hi += block * 10 ** (half - end)
        elif start >= half:
            lo += block * 10 ** (PRECISION - end)
        else:  # the block straddles the two halves
            cut = 10 ** (end - half)
            hi += block // cut
            lo += (block % cut) * 10 ** (PRECISION - end)
    return hi, lo


def _text(blocks: list[np.ndarray], zeros: np.ndarray, zero: np.ndarray, size: int) -> pa.Array:
    """``0.`` + zeros + the 28 digits, trailing zeros removed; ``0`` and ``1`` where they occur."""
    hi, lo = _halves(blocks, size)
    # Zero rows get all-zero digits, "0." + 28 zeros, which the trims below make "0".
    digits = np.concatenate(
        (_padded_digits(np.where(zero, 0, hi)), _padded_digits(np.where(zero, 0, lo))), axis=1
    )
    offsets = np.arange(0, digits.size + 1, PRECISION, dtype=np.int32)
    digit_text = pa.Array.from_buffers(
        pa.string(), len(digits), [None, pa.py_buffer(offsets), pa.py_buffer(digits)]
    )
    prefixes = pa.array(["0." + "0" * n for n in range(20)])
    prefix = pc.take(prefixes, pa.array(np.clip(zeros, 0, 19)))
    text = pc.binary_join_element_wise(prefix, digit_text, "")
    text = pc.utf8_rtrim(pc.utf8_rtrim(text, characters="0"), characters=".")
    one = zeros < 0  # 0.99…95 rounded up to 1
    if np.any(one):
        text = pc.replace_with_mask(text, pa.array(one), pa.array(["1"] * int(one.sum())))
    return text


def _padded_digits(half: np.ndarray) -> np.ndarray:
    """The 14 zero-padded digits of each value (< 10^14) as an (n, 14) byte matrix.

    Casting value + 10^14 to text gives exactly 15 bytes per row ("1" + the digits), so the
    digits are a view of the cast's own buffer: no per-row string slicing or joining."""
    width = PRECISION // 2 + 1
    text = pc.cast(pa.array(half + np.int64(10 ** (PRECISION // 2))), pa.string())
    _, offsets, data = text.buffers()
    ends = np.frombuffer(offsets, dtype=np.int32)[[0, len(half)]]
    if ends[0] != 0 or ends[1] != width * len(half):
        raise ValueError("digit halves must be below 10^14")
    chars = np.frombuffer(data, dtype=np.uint8)[: width * len(half)]
    return chars.reshape(len(half), width)[:, 1:]
