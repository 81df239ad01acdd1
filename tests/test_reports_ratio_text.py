"""Vectorized ratio text agrees digit for digit with Decimal division (precision 28, half-even)."""

from __future__ import annotations

import decimal
from decimal import Decimal

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from logos.reports.numbers import format_decimal
from logos.reports.ratio_text import ratio_text


def _decimal_text(below: np.ndarray, peak: np.ndarray) -> list[str]:
    pairs = zip(below.tolist(), peak.tolist(), strict=True)
    return [format_decimal(Decimal(b) / Decimal(p)) for b, p in pairs]


def _check(below: list[int], peak: list[int]) -> None:
    b, p = np.array(below, dtype=np.int64), np.array(peak, dtype=np.int64)
    text = ratio_text(b, p)
    assert text is not None
    assert text.to_pylist() == _decimal_text(b, p)


@st.composite
def _pairs(draw: st.DrawFn) -> tuple[list[int], list[int]]:
    peaks = draw(st.lists(st.integers(1, 9 * 10**12), min_size=1, max_size=50))
    belows = [draw(st.integers(0, p - 1)) for p in peaks]
    return belows, peaks


@settings(max_examples=300, deadline=None)
@given(_pairs())
def test_matches_decimal_division(pairs: tuple[list[int], list[int]]) -> None:
    _check(*pairs)


def test_hand_picked_cases() -> None:
    cases = {
        (1, 2): "0.5",
        (1, 3): "0.3333333333333333333333333333",
        (2, 3): "0.6666666666666666666666666667",  # rounds up at the 28th digit
        (0, 7): "0",
        (1, 10**12): "0.000000000001",
        (999999999999, 10**12): "0.999999999999",
    }
    below, peak = zip(*cases, strict=True)
    text = ratio_text(np.array(below, dtype=np.int64), np.array(peak, dtype=np.int64))
    assert text is not None and text.to_pylist() == list(cases.values())


def test_ties_round_half_to_even() -> None:
    # 1 / 2**41 has 29 significant digits ending in 5: an exact tie at the 28th digit
    peak = [2**41] * 40
    _check(list(range(1, 41)), peak)


def test_declines_what_it_cannot_guarantee() -> None:
    one = np.array([1], dtype=np.int64)
    assert ratio_text(one, np.array([10**13], dtype=np.int64)) is None  # p·10^6 overflows int64
    assert ratio_text(np.array([3], dtype=np.int64), np.array([2], dtype=np.int64)) is None
    with decimal.localcontext(decimal.Context(prec=12)):
        assert ratio_text(one, np.array([3], dtype=np.int64)) is None
