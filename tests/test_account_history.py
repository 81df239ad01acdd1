"""AccountHistory: the account after every slice, kept as account.csv lines.

Exact values round-trip, number and timestamp text is plain and deterministic, repeated values
and chunk boundaries do not change what is written, and bad values are clear errors."""

from __future__ import annotations

import contextlib
import gc
import io
import os
import tracemalloc
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logos.domain import Account
from logos.errors import DataError
from logos.reports.account_history import ACCOUNT_COLUMNS, ACCOUNT_HEADER, AccountHistory
from logos.reports.text import format_decimal, format_ts

D = Decimal
T0 = datetime(2024, 3, 1, 9, 30, tzinfo=UTC)
START = D("100000")


def account(ts: datetime = T0, **values: Any) -> Account:
    """An Account with every money column given (cash and equity default to START)."""
    money: dict[str, Any] = {c: D(0) for c in ACCOUNT_COLUMNS}
    money.update(cash=START, equity=START)
    money.update(values)
    peak = money.pop("peak_equity", START)
    return Account(ts=ts, currency="USD", peak_equity=peak, **money)


def csv_text(history: AccountHistory) -> str:
    buffer = io.BytesIO()
    history.write_csv(buffer)
    return buffer.getvalue().decode("ascii")


def expected_line(acc: Account) -> str:
    """The line the history must write for ``acc``, built value by value."""
    fields = [format_ts(acc.ts), *(format_decimal(getattr(acc, c)) for c in ACCOUNT_COLUMNS)]
    return ",".join(fields) + "\n"


EXACT = [
    D("123456789012345678901234567890.123456789012345678901234567891"),  # 60 digits
    D("1E-30"),
    D("-2.50"),
    D("0.1234567890123456789012345678"),
    D("99999999999999999999999999999999"),
    D("150000.00"),
]


def test_exact_values_round_trip_through_text_and_rows() -> None:
    history = AccountHistory()
    accounts = [
        account(T0 + timedelta(minutes=i), cash=value, equity=value * 2, fees=abs(value))
        for i, value in enumerate(EXACT)
    ]
    for acc in accounts:
        history.append(acc)
    for row, acc in enumerate(accounts):
        for column in ACCOUNT_COLUMNS:
            assert history.decimal(column, row) == getattr(acc, column)
    rows = list(history.rows())
    assert [ts for ts, _ in rows] == [acc.ts for acc in accounts]
    assert [values["cash"] for _, values in rows] == EXACT
    assert history.decimal("equity", -1) == EXACT[-1] * 2


def test_huge_and_tiny_values_are_written_as_plain_decimals() -> None:
    history = AccountHistory()
    for i, value in enumerate(EXACT):
        history.append(account(T0 + timedelta(days=i), cash=value, drawdown=value))
    cash = [line.split(",")[1] for line in csv_text(history).splitlines()[1:]]
    assert cash == [
        "123456789012345678901234567890.123456789012345678901234567891",
        "0.000000000000000000000000000001",
        "-2.5",
        "0.1234567890123456789012345678",
        "99999999999999999999999999999999",
        "150000",
    ]


def test_exponents_are_written_out_and_every_zero_is_0() -> None:
    history = AccountHistory()
    values = [D("1E+3"), D("-1.5E-7"), D("-0"), D("0E-8"), D("-0.00"), D("0.000"), D("7E-7")]
    for i, value in enumerate(values):
        history.append(account(T0 + timedelta(minutes=i), unrealized_pnl=value, drawdown=value))
    lines = csv_text(history).splitlines()[1:]
    unrealized = [line.split(",")[6] for line in lines]
    drawdown = [line.split(",")[8] for line in lines]
    expected = ["1000", "-0.00000015", "0", "0", "0", "0", "0.0000007"]
    assert unrealized == expected and drawdown == expected
    assert "-0," not in "".join(lines) and "E" not in "".join(lines)


def test_header_and_lines_as_pandas_reads_them() -> None:
    history = AccountHistory()
    history.append(account(cash=D("99000.5"), equity=D("100010.25"), drawdown=D("0.0125")))
    history.append(account(T0 + timedelta(minutes=1), equity=D("100001")))
    text = csv_text(history)
    assert text.splitlines() == [
        ACCOUNT_HEADER.rstrip("\n"),
        "2024-03-01T09:30:00Z,99000.5,100010.25,0,0,0,0,0,0.0125",
        "2024-03-01T09:31:00Z,100000,100001,0,0,0,0,0,0",
    ]
    frame = pd.read_csv(io.StringIO(text))
    assert list(frame.columns) == ["ts", *ACCOUNT_COLUMNS]
    assert frame["equity"].tolist() == [100010.25, 100001.0]


def test_an_empty_history() -> None:
    history = AccountHistory()
    assert len(history) == 0 and history.last is None
    assert csv_text(history) == ACCOUNT_HEADER
    assert history.ts_ns.tolist() == [] and history.equity_floats().tolist() == []
    assert history.drawdown_floats().tolist() == [] and list(history.rows()) == []
    with pytest.raises(IndexError):
        history.decimal("equity", -1)


def test_reads_between_appends_and_across_chunks() -> None:
    history = AccountHistory(chunk_rows=3)
    accounts = [
        account(T0 + timedelta(hours=i), equity=START + i, drawdown=D(i) / 100) for i in range(10)
    ]
    for i, acc in enumerate(accounts):
        history.append(acc)
        assert len(history) == i + 1 and history.last is acc
        if i in (1, 5):  # a read converts the rows appended so far
            assert history.decimal("equity", i) == START + i
            assert history.equity_floats()[-1] == float(START + i)
            assert csv_text(history).count("\n") == i + 2
    assert history.equity_floats().tolist() == [float(START + i) for i in range(10)]
    assert history.drawdown_floats().tolist() == [i / 100 for i in range(10)]
    expected_ns = [int(pd.Timestamp(acc.ts).value) for acc in accounts]
    assert history.ts_ns.dtype == np.int64 and history.ts_ns.tolist() == expected_ns
    assert csv_text(history) == ACCOUNT_HEADER + "".join(map(expected_line, accounts))


decimals = st.decimals(allow_nan=False, allow_infinity=False, places=None)
MINUTE = timedelta(minutes=1)
STEPS = [
    MINUTE,
    MINUTE,
    MINUTE,
    timedelta(0),
    -MINUTE,
    timedelta(days=3),
    timedelta(microseconds=1),
]
pool = st.lists(decimals, min_size=1, max_size=4)  # a few objects, reused: identity repeats


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_any_values_and_times_write_what_each_writes_alone(data: st.DataObject) -> None:
    choices = {c: data.draw(pool, label=c) for c in ACCOUNT_COLUMNS}
    rows = data.draw(st.integers(1, 12), label="rows")
    chunk = data.draw(st.integers(1, 5), label="chunk rows")
    history = AccountHistory(chunk_rows=chunk)
    accounts = []
    ts = T0
    for _ in range(rows):
        values = {c: data.draw(st.sampled_from(choices[c])) for c in ACCOUNT_COLUMNS}
        accounts.append(account(ts, **values))
        history.append(accounts[-1])
        ts += data.draw(st.sampled_from(STEPS), label="step")
    assert csv_text(history) == ACCOUNT_HEADER + "".join(map(expected_line, accounts))
    for row, acc in enumerate(accounts):
        assert history.decimal("cash", row) == acc.cash
        assert history.decimal("drawdown", row) == acc.drawdown
    assert history.ts_ns.tolist() == [pd.Timestamp(acc.ts).value for acc in accounts]
    assert [ts for ts, _ in history.rows()] == [acc.ts for acc in accounts]
    assert history.equity_floats().tolist() == [float(acc.equity) for acc in accounts]
    assert history.drawdown_floats().tolist() == [float(acc.drawdown) for acc in accounts]


def test_timestamps_are_utc_text_with_microseconds_only_when_present() -> None:
    history = AccountHistory()
    stamps = [
        datetime(1900, 2, 28, 12, 0, 1, tzinfo=UTC),
        datetime(1969, 12, 31, 23, 59, 59, 500_000, tzinfo=UTC),
        datetime(2024, 3, 1, 11, 30, tzinfo=timezone(timedelta(hours=2))),
        datetime(2262, 4, 11, 23, 47, 16, tzinfo=UTC),
    ]
    for ts in stamps:
        history.append(account(ts))
    assert [line.split(",")[0] for line in csv_text(history).splitlines()[1:]] == [
        "1900-02-28T12:00:01Z",
        "1969-12-31T23:59:59.500000Z",
        "2024-03-01T09:30:00Z",
        "2262-04-11T23:47:16Z",
    ]
    assert history.ts_ns.tolist() == [pd.Timestamp(ts).value for ts in stamps]
    assert [ts for ts, _ in history.rows()] == stamps


def test_a_float_in_an_account_is_a_clear_error() -> None:
    history = AccountHistory()
    history.append(account())
    with pytest.raises(DataError, match=r"account equity at 2024-03-01T09:31:00\+00:00 is 1\.5"):
        history.append(account(T0 + timedelta(minutes=1), equity=1.5))
    with pytest.raises(DataError, match=r"account fees .* is 0\.0 \(float\)"):
        AccountHistory().append(account(fees=0.0))
    with pytest.raises(DataError, match=r"account cash .* is None"):
        AccountHistory().append(account(cash=None))


@pytest.mark.parametrize("bad", [D("NaN"), D("-Infinity"), D("sNaN")])
def test_a_non_finite_decimal_is_a_clear_error(bad: Decimal) -> None:
    history = AccountHistory()
    history.append(account())
    with pytest.raises(DataError, match="account drawdown at 2024-03-01T09:31:00"):
        history.append(account(T0 + timedelta(minutes=1), drawdown=bad))
        history.ts_ns  # noqa: B018 (a non-finite Decimal is found when its chunk converts)


def test_a_naive_or_out_of_range_timestamp_is_a_clear_error() -> None:
    with pytest.raises(DataError, match="has no timezone"):
        AccountHistory().append(account(datetime(2024, 1, 1)))
    last = datetime(2262, 4, 11, 23, 47, 16, 854775, tzinfo=UTC)
    for late in ([last, datetime(2263, 1, 1, tzinfo=UTC)], [datetime(2263, 1, 1, tzinfo=UTC)]):
        history = AccountHistory()
        with pytest.raises(DataError, match="2263-01-01T00:00:00Z is outside the range"):
            for ts in late:  # found when the row is added, or when its chunk is converted
                history.append(account(ts))
            history.ts_ns  # noqa: B018
    history = AccountHistory()
    stamps = [datetime(1677, 9, 21, 0, 12, 43, 145225, tzinfo=UTC), last]
    for ts in stamps:
        history.append(account(ts))
    assert history.ts_ns.tolist() == [-(2**63) + 808, 2**63 - 1 - 807]
    with pytest.raises(DataError, match="1600-01-01T00:00:00Z is outside the range"):
        history.append(account(datetime(1600, 1, 1, tzinfo=UTC)))
        history.ts_ns  # noqa: B018


def minute_text(i: int) -> str:
    """T0 + i minutes (i < 870) as account.csv writes it, by hand."""
    minutes = 9 * 60 + 30 + i
    return f"2024-03-01T{minutes // 60:02d}:{minutes % 60:02d}:00Z"


def test_many_chunks_write_the_lines_built_by_hand(tmp_path: Path) -> None:
    history = AccountHistory(chunk_rows=5, directory=tmp_path)
    expected = [ACCOUNT_HEADER]
    fees = D(0)
    for i in range(47):
        equity = f"{100000 + i}.{i % 9 + 1}5"
        drawdown = f"0.00{i % 7 + 1}"
        if i % 10 == 0:
            fees = D(f"1.{i + 3}")  # a new object now and then; the same one in between
        ts = T0 + timedelta(minutes=i)
        history.append(account(ts, equity=D(equity), fees=fees, drawdown=D(drawdown)))
        fees_text = f"1.{i // 10 * 10 + 3}"
        expected.append(f"{minute_text(i)},100000,{equity},0,0,0,0,{fees_text},{drawdown}\n")
    text = csv_text(history)
    assert text.splitlines()[1] == "2024-03-01T09:30:00Z,100000,100000.15,0,0,0,0,1.3,0.001"
    assert text.splitlines()[47] == "2024-03-01T10:16:00Z,100000,100046.25,0,0,0,0,1.43,0.005"
    assert text == "".join(expected)
    assert history.decimal("equity", 23) == D("100023.65")
    assert history.decimal("fees", -1) == D("1.43")
    history.close()


def test_column_chunks_read_bounded_chunks_of_floats_and_times(tmp_path: Path) -> None:
    history = AccountHistory(chunk_rows=4, directory=tmp_path)
    for i in range(30):  # 7 chunks written, 2 rows pending until read
        history.append(
            account(T0 + timedelta(minutes=i), cash=D(i) - 3, equity=D(f"{i}.5"), fees=D(i) / 4)
        )
    chunks = list(history.column_chunks(["ts", "equity", "fees"], rows=10))
    assert [len(c["ts"]) for c in chunks] == [12, 12, 6]  # whole chunks of 4, at least 10 rows
    assert all(list(c) == ["ts", "equity", "fees"] for c in chunks)
    assert chunks[0]["ts"].dtype == np.int64 and chunks[0]["equity"].dtype == np.float64
    ts = np.concatenate([c["ts"] for c in chunks]).tolist()
    assert ts == [1_709_285_400_000_000_000 + i * 60_000_000_000 for i in range(30)]
    equity = np.concatenate([c["equity"] for c in chunks]).tolist()
    assert equity == [i + 0.5 for i in range(30)]
    assert np.concatenate([c["fees"] for c in chunks]).tolist() == [i / 4 for i in range(30)]
    only_cash = list(history.column_chunks(["cash"]))  # the default: all in one read here
    assert len(only_cash) == 1 and only_cash[0]["cash"].tolist() == [i - 3.0 for i in range(30)]
    assert history.float_column("fees").tolist() == [i / 4 for i in range(30)]
    assert history.float_column("equity").tolist() == equity
    assert list(history.column_chunks(["ts"], rows=1))[3]["ts"].tolist() == ts[12:16]
    with pytest.raises(ValueError, match=r"unknown account column.*'peak'.*known: ts, cash"):
        list(history.column_chunks(["ts", "peak"]))
    assert list(AccountHistory().column_chunks(["ts", "equity"])) == []


def open_files_in(folder: Path) -> list[str]:
    """This process's open files in ``folder`` (deleted or not), and the folder's entries."""
    found = []
    for fd in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):
            if os.readlink(f"/proc/self/fd/{fd}").startswith(str(folder)):
                found.append(fd)
    return found + os.listdir(folder)


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")
def test_rows_live_in_temporary_files_deleted_on_close_and_when_collected(tmp_path: Path) -> None:
    history = AccountHistory(chunk_rows=3, directory=tmp_path)
    for i in range(7):
        history.append(account(T0 + timedelta(minutes=i)))
    assert len(open_files_in(tmp_path)) == 2  # the lines and the times
    history.close()
    assert open_files_in(tmp_path) == []
    assert len(history) == 7 and history.last is not None
    closed = history
    for read in (lambda: closed.ts_ns, closed.equity_floats, lambda: csv_text(closed)):
        with pytest.raises(ValueError, match="account history is closed"):
            read()
    history = AccountHistory(chunk_rows=3, directory=tmp_path)
    for i in range(7):
        history.append(account(T0 + timedelta(minutes=i)))
    assert len(open_files_in(tmp_path)) == 2
    del history
    gc.collect()
    assert open_files_in(tmp_path) == []


def test_memory_does_not_grow_with_the_rows(tmp_path: Path) -> None:
    history = AccountHistory(chunk_rows=500, directory=tmp_path)
    equity = [D(f"100000.{i:02d}") for i in range(100)]

    def append(start: int, count: int) -> None:
        for i in range(start, start + count):
            history.append(account(T0 + timedelta(minutes=i), equity=equity[i % 100]))

    tracemalloc.start()
    try:
        append(0, 1000)
        before = tracemalloc.get_traced_memory()[0]
        append(1000, 20_000)  # 40 chunks: about 2 MB of lines and times
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert grown < 100_000
    assert len(csv_text(history).splitlines()) == 21_001
    assert history.decimal("equity", 20_999) == D("100000.99")
    history.close()
