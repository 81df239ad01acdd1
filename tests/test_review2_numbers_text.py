"""Review of the vectorized number and timestamp text: timestamps outside the nanosecond range
keep their real text, and exact decimal columns whose unscaled integers exceed 28 digits, whose
values need more than 38 digits in all, or whose scale exceeds 38 are written exactly."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import numpy as np

from logos.reports.numbers import ScaledColumn, format_ts_values


def test_timestamps_beyond_the_nanosecond_range_keep_their_text() -> None:
    values = [
        datetime(2263, 1, 1, tzinfo=UTC),
        datetime(1600, 6, 30, 12, 0, 5, tzinfo=UTC),
        datetime(2024, 3, 1, 9, 30, tzinfo=UTC),
    ]
    assert format_ts_values(values).to_pylist() == [
        "2263-01-01T00:00:00Z",
        "1600-06-30T12:00:05Z",
        "2024-03-01T09:30:00Z",
    ]


def test_scaled_column_with_more_than_38_digits_in_all_is_written_exactly() -> None:
    # 0.1234567890123456789012345678 (28 digits) and 12345678901 share scale 28, so the
    # second is 12345678901 * 10**28: 39 digits, too many for decimal128(38).
    column = ScaledColumn.from_decimals(
        [Decimal("0.1234567890123456789012345678"), Decimal("12345678901")]
    )
    assert column.to_text().to_pylist() == ["0.1234567890123456789012345678", "12345678901"]


def test_scaled_column_of_30_digit_integers_is_not_rounded_to_28() -> None:
    unscaled = 123456789012345678901234567891  # 30 significant digits
    column = ScaledColumn.from_ints([unscaled, unscaled], 18)
    assert column.to_text().to_pylist() == ["123456789012.345678901234567891"] * 2
    assert column.decimal_at(0) == Decimal("123456789012.345678901234567891")


def test_scaled_column_with_a_scale_above_38() -> None:
    # 1 / 10**40 has 40 fractional digits; 50 / 10**40 = 5 / 10**39 has 39.
    column = ScaledColumn(np.array([1, 50, -3], dtype=np.int64), 40)
    assert column.to_text().to_pylist() == [
        "0." + "0" * 39 + "1",
        "0." + "0" * 38 + "5",
        "-0." + "0" * 39 + "3",
    ]
