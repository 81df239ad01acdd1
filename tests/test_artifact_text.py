"""The text artifacts write for a number or a timestamp, one at a time and in bulk."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logos.domain import Account
from logos.errors import DataError
from logos.reports.account_history import AccountHistory
from logos.reports.text import format_decimal, format_optional, format_ts

D = Decimal

TEXT = {
    "0": "0",
    "0.000": "0",
    "-0": "0",
    "-0.0": "0",
    "0E-8": "0",
    "1E+3": "1000",
    "150000.00": "150000",
    "-0.50": "-0.5",
    "100.0": "100",
    "0.1230": "0.123",
    "0.000001": "0.000001",
    "-5E-7": "-0.0000005",
    "1E-30": "0.000000000000000000000000000001",
    "12345678901234567890.123456789012345678901": "12345678901234567890.123456789012345678901",
}


def test_decimal_text_is_plain_exact_and_never_negative_zero() -> None:
    assert {k: format_decimal(D(k)) for k in TEXT} == TEXT
    assert all(D(text) == D(k) for k, text in TEXT.items())
    assert format_optional(None) == "" and format_optional(D("2.5")) == "2.5"


@pytest.mark.parametrize("value", [D("NaN"), D("sNaN"), D("Infinity"), D("-Infinity")])
def test_non_finite_decimal_is_a_data_error(value: Decimal) -> None:
    with pytest.raises(DataError, match="non-finite"):
        format_decimal(value)


def test_a_float_is_not_an_exact_number() -> None:
    with pytest.raises(DataError, match=r"cannot write 0\.1 \(float\)"):
        format_decimal(0.1)  # type: ignore[arg-type]


def test_timestamp_text() -> None:
    assert format_ts(datetime(2024, 3, 1, 9, 30, tzinfo=UTC)) == "2024-03-01T09:30:00Z"
    assert format_ts(datetime(2024, 3, 1, 9, 30, 0, 250, tzinfo=UTC)) == (
        "2024-03-01T09:30:00.000250Z"
    )
    berlin = timezone(timedelta(hours=2))
    assert format_ts(datetime(2024, 3, 1, 11, 30, tzinfo=berlin)) == "2024-03-01T09:30:00Z"
    with pytest.raises(ValueError, match="no timezone"):
        format_ts(datetime(2024, 3, 1))


in_nanosecond_range = st.datetimes(
    min_value=datetime(1677, 9, 22), max_value=datetime(2262, 4, 10), timezones=st.just(UTC)
)


def _history_text(stamps: list[datetime]) -> tuple[list[str], list[int]]:
    """account.csv's timestamp column and ts_ns for one row per stamp."""
    history = AccountHistory(chunk_rows=7)
    zero = D(0)
    for ts in stamps:
        history.append(Account(ts, zero, zero, zero))
    buffer = io.BytesIO()
    history.write_csv(buffer)
    column = [line.split(",")[0] for line in buffer.getvalue().decode().splitlines()[1:]]
    return column, history.ts_ns.tolist()


@settings(max_examples=200, deadline=None)
@given(st.lists(in_nanosecond_range, min_size=1, max_size=20))
def test_bulk_timestamps_match_one_at_a_time(stamps: list[datetime]) -> None:
    text, ns = _history_text(stamps)
    assert text == [format_ts(ts) for ts in stamps]
    assert ns == [pd.Timestamp(ts).value for ts in stamps]


def test_bulk_timestamps_ignore_fold_and_reach_the_ends_of_the_range() -> None:
    stamps = [
        datetime(2024, 11, 3, 1, 30, fold=1, tzinfo=UTC),
        datetime(1677, 9, 21, 0, 12, 43, 145225, tzinfo=UTC),
        datetime(2262, 4, 11, 23, 47, 16, 854775, tzinfo=UTC),
        datetime(1969, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    ]
    text, ns = _history_text(stamps)
    assert text == [
        "2024-11-03T01:30:00Z",
        "1677-09-21T00:12:43.145225Z",
        "2262-04-11T23:47:16.854775Z",
        "1969-12-31T23:59:59.999999Z",
    ]
    assert ns == [pd.Timestamp(ts).value for ts in stamps]
