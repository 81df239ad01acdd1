"""The column-wise CSV writer and the vectorized number/timestamp text of the CSV artifacts:
byte for byte what ``csv.writer`` and ``format_decimal``/``format_ts`` write."""

from __future__ import annotations

import csv
import io
import tempfile
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logos.domain import Fill, Order, OrderStatus, OrderType, Position, Side
from logos.errors import DataError
from logos.reports import csv_text
from logos.reports.artifacts import account_text, write_orders, write_positions, write_trades
from logos.reports.csv_text import write_csv
from logos.reports.numbers import (
    ScaledColumn,
    format_decimal_values,
    format_ts_column,
    format_ts_values,
)
from logos.reports.result import ACCOUNT_COLUMNS, AccountTable

D = Decimal
T0 = datetime(2024, 3, 1, 9, 30, tzinfo=UTC)


def _csv_module_bytes(path: Path, header: list[str], rows: list[list[str]]) -> bytes:
    """What ``csv.writer(lineterminator="\\n")`` writes on CPython >= 3.11.9 (gh-67044: a
    lone ``\\r`` is quoted). Older 3.11 releases quote only the terminator's characters, so
    each row is written with ``"\\r\\n"`` (quoting ``\\r`` there too) and its end cut to ``\\n``."""
    lines = []
    for row in [header, *rows]:
        line = io.StringIO()
        csv.writer(line, lineterminator="\r\n").writerow(row)
        lines.append(line.getvalue().removesuffix("\r\n") + "\n")
    path.write_bytes("".join(lines).encode("utf-8"))
    return path.read_bytes()


def _columns(rows: list[list[str]], width: int) -> list[pa.Array]:
    return [pa.array([row[i] for row in rows], pa.string()) for i in range(width)]


def test_fields_are_quoted_exactly_when_csv_writer_quotes_them(tmp_path: Path) -> None:
    texts = ["a,b", 'say "hi"', "two\nlines", "cr\ronly", "naïve ✓ 價格", "", '"', " pad ", "\x00"]
    path = write_csv(tmp_path / "new.csv", ["text", "n"], _columns([[t, "1"] for t in texts], 2))
    expected = (
        "text,n\n"
        '"a,b",1\n'
        '"say ""hi""",1\n'
        '"two\nlines",1\n'
        '"cr\ronly",1\n'
        "naïve ✓ 價格,1\n"
        ",1\n"
        '"""",1\n'
        " pad ,1\n"
        "\x00,1\n"
    ).encode()
    assert path.read_bytes() == expected
    reference = _csv_module_bytes(tmp_path / "ref.csv", ["text", "n"], [[t, "1"] for t in texts])
    assert expected == reference


def test_a_lone_empty_field_is_quoted_like_csv_writer(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "one.csv", ["only"], [pa.array(["", "x", ","])])
    assert path.read_bytes() == b'only\n""\nx\n","\n'


def test_nulls_are_empty_fields_and_no_rows_is_just_the_header(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "n.csv", ["a", "b"], [pa.array([None, "x"]), pa.array(["1", None])])
    assert path.read_bytes() == b"a,b\n,1\nx,\n"
    empty = write_csv(tmp_path / "e.csv", ["a", "b"], [pa.array([], pa.string())] * 2)
    assert empty.read_bytes() == b"a,b\n"


def test_rows_are_written_in_order_across_batches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(csv_text, "BATCH_ROWS", 2)
    path = write_csv(tmp_path / "b.csv", ["i"], [pa.array(["1", "2,", "3", "4", "5"])])
    assert path.read_bytes() == b'i\n1\n"2,"\n3\n4\n5\n'


text_without_surrogates = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(text_without_surrogates, text_without_surrogates), max_size=8))
def test_any_text_matches_csv_writer_byte_for_byte(rows: list[tuple[str, str]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        as_lists = [list(r) for r in rows]
        ours = write_csv(tmp / "ours.csv", ["a", "b"], _columns(as_lists, 2)).read_bytes()
        assert ours == _csv_module_bytes(tmp / "ref.csv", ["a", "b"], as_lists)


def test_decimal_values_text_by_hand() -> None:
    values = [
        D("1.50"),
        None,
        D("0"),
        D("-0"),
        D("-0.000"),
        D("0E-10"),
        D("-12.250"),
        D("1E+3"),
        D("150000.00"),
        D("0.000001"),
        D("-0.0000005"),
        D("1E-18"),
        D("12345678901234567890.123456789012345678"),
    ]
    assert format_decimal_values(values).to_pylist() == [
        "1.5",
        "",
        "0",
        "0",
        "0",
        "0",
        "-12.25",
        "1000",
        "150000",
        "0.000001",
        "-0.0000005",
        "0.000000000000000001",
        "12345678901234567890.123456789012345678",
    ]


def test_decimal_values_beyond_the_fast_path_are_still_exact() -> None:
    values = [
        D("1E-30"),
        D("0.1234567890123456789012345678"),
        D("1234567890123456789012345678"),
        D("-1E+30"),
        None,
        D("2.5"),
    ]
    assert format_decimal_values(values).to_pylist() == [
        "0.000000000000000000000000000001",
        "0.1234567890123456789012345678",
        "1234567890123456789012345678",
        "-1000000000000000000000000000000",
        "",
        "2.5",
    ]


def test_decimal_values_all_missing_or_none_at_all() -> None:
    assert format_decimal_values([None, None]).to_pylist() == ["", ""]
    assert format_decimal_values([]).to_pylist() == []


def test_non_finite_decimal_is_a_data_error() -> None:
    with pytest.raises(DataError, match="non-finite"):
        format_decimal_values([D("1"), D("NaN")])


def test_timestamp_values() -> None:
    berlin = timezone(timedelta(hours=2))
    values = [
        T0,
        datetime(2024, 3, 1, 9, 30, 0, 250_000, tzinfo=UTC),
        datetime(2024, 3, 1, 11, 30, tzinfo=berlin),
    ]
    assert format_ts_values(values).to_pylist() == [
        "2024-03-01T09:30:00Z",
        "2024-03-01T09:30:00.250000Z",
        "2024-03-01T09:30:00Z",
    ]
    assert format_ts_values([]).to_pylist() == []


def _order(n: int, **changes: object) -> Order:
    fields: dict[str, object] = {
        "order_id": f"P-{n}",
        "client_order_id": f"c-{n}",
        "symbol": "BTC/USDT",
        "side": Side.BUY,
        "type": OrderType.MARKET,
        "qty": D("0.50"),
        "status": OrderStatus.FILLED,
        "filled_qty": D("0.5"),
        "avg_fill_price": D("100.10"),
        "ts_created": T0,
        "ts_updated": T0 + timedelta(minutes=1),
        "reason": "plain",
    }
    return Order(**{**fields, **changes})


def test_orders_csv_by_hand(tmp_path: Path) -> None:
    orders = [
        _order(1),
        _order(
            2,
            side=Side.SELL,
            type=OrderType.LIMIT,
            limit_price=D("101.000"),
            status=OrderStatus.REJECTED,
            filled_qty=D("0"),
            avg_fill_price=None,
            reason='risk: "max, position"\nsecond line',
        ),
    ]
    text = write_orders(tmp_path / "orders.csv", orders).read_text(encoding="utf-8")
    assert text == (
        "order_id,client_order_id,ts_created,symbol,side,type,qty,limit_price,status,"
        "filled_qty,avg_fill_price,ts_updated,reason\n"
        "P-1,c-1,2024-03-01T09:30:00Z,BTC/USDT,buy,market,0.5,,FILLED,0.5,100.1,"
        "2024-03-01T09:31:00Z,plain\n"
        "P-2,c-2,2024-03-01T09:30:00Z,BTC/USDT,sell,limit,0.5,101,REJECTED,0,,"
        '2024-03-01T09:31:00Z,"risk: ""max, position""\nsecond line"\n'
    )


def test_trades_and_positions_csv_by_hand(tmp_path: Path) -> None:
    fills = [
        Fill(
            trade_id="T-1",
            order_id="P-1",
            client_order_id="c-1",
            ts=T0,
            symbol="SYM",
            side=Side.SELL,
            qty=D("2"),
            price=D("99.50"),
            fee=D("0.199000"),
            realized_pnl=D("-1.0"),
        )
    ]
    trades = write_trades(tmp_path / "trades.csv", fills).read_text()
    assert trades == (
        "trade_id,order_id,ts,symbol,side,qty,price,fee,realized_pnl\n"
        "T-1,P-1,2024-03-01T09:30:00Z,SYM,sell,2,99.5,0.199,-1\n"
    )
    positions = [
        Position(symbol="SYM", qty=D("-2"), avg_cost=D("99.5"), last_price=D("100")),
        Position(symbol="IDLE"),
    ]
    text = write_positions(tmp_path / "positions.csv", positions).read_text()
    assert text == (
        "symbol,qty,avg_cost,last_price,market_value,unrealized_pnl,realized_pnl\n"
        "SYM,-2,99.5,100,-200,0,0\n"
        "IDLE,0,0,,0,0,0\n"
    )


def test_no_orders_or_fills_write_only_headers(tmp_path: Path) -> None:
    assert write_orders(tmp_path / "o.csv", []).read_text().count("\n") == 1
    assert write_trades(tmp_path / "t.csv", []).read_text() == (
        "trade_id,order_id,ts,symbol,side,qty,price,fee,realized_pnl\n"
    )


def test_scaled_column_with_many_fractional_digits_keeps_zero_and_tiny_values_plain() -> None:
    column = ScaledColumn.from_decimals([D(0), D("1E-37"), D("-2.5"), D(0)])
    assert column.scale == 37
    assert column.to_text().to_pylist() == ["0", "0." + "0" * 36 + "1", "-2.5", "0"]


def test_timestamp_column_before_1970_and_near_the_end_of_int64() -> None:
    stamps = ["1969-12-31T23:59:59", "1900-02-28T12:00:01", "2262-04-11T23:47:16"]
    ns = np.array([np.datetime64(s, "s").astype(np.int64) * 10**9 for s in stamps])
    assert format_ts_column(ns).to_pylist() == [
        "1969-12-31T23:59:59Z",
        "1900-02-28T12:00:01Z",
        "2262-04-11T23:47:16Z",
    ]
    assert format_ts_column(np.zeros(0, dtype=np.int64)).to_pylist() == []


def _account(gross: list[str], net: list[str]) -> AccountTable:
    ts = [datetime(2024, 1, 1, tzinfo=UTC) + timedelta(minutes=i) for i in range(len(gross))]
    rows = {c: [D(0)] * len(gross) for c in ACCOUNT_COLUMNS}
    rows["gross_exposure"] = [D(v) for v in gross]
    rows["net_exposure"] = [D(v) for v in net]
    return AccountTable.from_rows(ts, rows)


def test_account_net_exposure_text_when_equal_to_gross_and_when_short() -> None:
    long_only = account_text(_account(["0", "10.5", "10.5"], ["0", "10.5", "10.5"]))
    assert long_only.column("net_exposure").to_pylist() == ["0", "10.5", "10.5"]
    short = account_text(_account(["0", "10.5", "20"], ["0", "-10.5", "20"]))
    assert short.column("gross_exposure").to_pylist() == ["0", "10.5", "20"]
    assert short.column("net_exposure").to_pylist() == ["0", "-10.5", "20"]


def test_scaled_column_text_on_both_sides_of_the_18_digit_boundary() -> None:
    fits = ScaledColumn(np.array([10**18 - 1, -(10**18 - 1), 0, -900], dtype=np.int64), 9)
    assert fits.to_text().to_pylist() == [
        "999999999.999999999",
        "-999999999.999999999",
        "0",
        "-0.0000009",
    ]
    extremes = np.array([np.iinfo(np.int64).min + 1, 10**18, 5], dtype=np.int64)
    assert ScaledColumn(extremes, 3).to_text().to_pylist() == [
        "-9223372036854775.807",
        "1000000000000000",
        "0.005",
    ]
    strided = ScaledColumn(np.arange(10, dtype=np.int64)[::3], 1)
    assert strided.to_text().to_pylist() == ["0", "0.3", "0.6", "0.9"]
