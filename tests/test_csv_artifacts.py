"""The record artifacts: orders.csv, trades.csv, positions.csv (csv.writer), account.csv and
their Parquet twins.

Free text is quoted so that csv readers and pandas read it back whole, timestamps are ISO-8601
UTC with ``Z`` for any datetime, and numbers are exact plain decimals."""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logos.domain import Account, Fill, Order, OrderStatus, OrderType, Position, Side
from logos.errors import DataError
from logos.reports import AccountHistory, CsvReporter, SessionResult, artifacts
from logos.reports.artifacts import (
    ORDER_COLUMNS,
    write_account,
    write_account_parquet,
    write_orders,
    write_orders_parquet,
    write_positions,
    write_positions_parquet,
    write_trades,
    write_trades_parquet,
)

D = Decimal
T0 = datetime(2024, 3, 1, 9, 30, tzinfo=UTC)


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


def _fill(n: int, ts: datetime = T0, **changes: object) -> Fill:
    fields: dict[str, object] = {
        "trade_id": f"T-{n}",
        "order_id": f"P-{n}",
        "client_order_id": f"c-{n}",
        "ts": ts,
        "symbol": "SYM",
        "side": Side.SELL,
        "qty": D("2"),
        "price": D("99.50"),
        "fee": D("0.199000"),
        "realized_pnl": D("-1.0"),
    }
    return Fill(**{**fields, **changes})


def _csv_writer_bytes(rows: list[list[str]]) -> bytes:
    """What ``csv.writer(lineterminator="\\n")`` writes on a Python that quotes a lone
    ``\\r`` (3.11.9+, 3.12.3+): older ones quote ``\\r`` only when it is in the line
    terminator, so each row is written with ``"\\r\\n"`` and its end cut to ``\\n``."""
    lines = []
    for row in rows:
        line = io.StringIO()
        csv.writer(line, lineterminator="\r\n").writerow(row)
        lines.append(line.getvalue().removesuffix("\r\n") + "\n")
    return "".join(lines).encode("utf-8")


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
        ",".join(ORDER_COLUMNS) + "\n"
        "P-1,c-1,2024-03-01T09:30:00Z,BTC/USDT,buy,market,0.5,,,,,FILLED,0.5,100.1,"
        "2024-03-01T09:31:00Z,false,,,plain\n"
        "P-2,c-2,2024-03-01T09:30:00Z,BTC/USDT,sell,limit,0.5,101,,,,REJECTED,0,,"
        '2024-03-01T09:31:00Z,false,,,"risk: ""max, position""\nsecond line"\n'
    )


def test_trades_and_positions_csv_by_hand(tmp_path: Path) -> None:
    trades = write_trades(tmp_path / "trades.csv", [_fill(1)]).read_text()
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


def test_no_records_write_only_the_header(tmp_path: Path) -> None:
    assert write_orders(tmp_path / "o.csv", []).read_text() == ",".join(ORDER_COLUMNS) + "\n"
    assert write_trades(tmp_path / "t.csv", []).read_text() == (
        "trade_id,order_id,ts,symbol,side,qty,price,fee,realized_pnl\n"
    )
    assert write_positions(tmp_path / "p.csv", []).read_text().count("\n") == 1


REASONS = [
    "a,b",
    'say "hi"',
    "two\nlines",
    "cr\ronly",
    "\r",
    "crlf\r\ninside",
    "naïve ✓ 價格",
    "",
    '"',
    " pad ",
]


def test_reasons_are_quoted_as_csv_writer_does_and_read_back_whole(tmp_path: Path) -> None:
    orders = [_order(i, reason=reason) for i, reason in enumerate(REASONS)]
    path = write_orders(tmp_path / "orders.csv", orders)
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert [row[-1] for row in rows[1:]] == REASONS
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert frame["reason"].tolist() == REASONS
    with path.open(newline="", encoding="utf-8") as fh:
        assert path.read_bytes() == _csv_writer_bytes(list(csv.reader(fh)))
    assert b'"cr\ronly"' in path.read_bytes() and b'"\r"' in path.read_bytes()


text_without_surrogates = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)


@settings(max_examples=150, deadline=None)
@given(st.lists(text_without_surrogates, min_size=1, max_size=5))
def test_any_reason_reads_back_whole(reasons: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = write_orders(
            Path(folder) / "o.csv", [_order(i, reason=r) for i, r in enumerate(reasons)]
        )
        with path.open(newline="", encoding="utf-8") as fh:
            rows = list(csv.reader(fh))
        assert [row[-1] for row in rows[1:]] == reasons
        assert path.read_bytes() == _csv_writer_bytes(rows)


def test_timestamps_of_any_year_are_utc_iso_text(tmp_path: Path) -> None:
    stamps = [
        datetime(1600, 6, 30, 12, 0, 5, tzinfo=UTC),
        datetime(1969, 12, 31, 23, 59, 59, 250_000, tzinfo=UTC),
        datetime(2263, 1, 1, tzinfo=UTC),
        datetime(9999, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),
        datetime(2024, 3, 1, 11, 30, tzinfo=timezone(timedelta(hours=2))),
    ]
    fills = [_fill(i, ts) for i, ts in enumerate(stamps)]
    lines = write_trades(tmp_path / "t.csv", fills).read_text().splitlines()[1:]
    assert [line.split(",")[2] for line in lines] == [
        "1600-06-30T12:00:05Z",
        "1969-12-31T23:59:59.250000Z",
        "2263-01-01T00:00:00Z",
        "9999-12-31T23:59:59.999999Z",
        "2024-03-01T09:30:00Z",
    ]
    whole_seconds = [_order(1, ts_created=stamps[0], ts_updated=stamps[2])]  # all at once
    line = write_orders(tmp_path / "o.csv", whole_seconds).read_text().splitlines()[1]
    assert "1600-06-30T12:00:05Z" in line and "2263-01-01T00:00:00Z" in line


def test_huge_tiny_and_negative_zero_numbers_are_exact_plain_text(tmp_path: Path) -> None:
    values = [
        D("123456789012345678901234567890.123456789012345678901234567891"),
        D("1E-30"),
        D("-0"),
        D("-0.000"),
        D("1E+3"),
        D("-1.5E-7"),
    ]
    fills = [_fill(i, price=v.copy_abs() or D(1), realized_pnl=v) for i, v in enumerate(values)]
    lines = write_trades(tmp_path / "t.csv", fills).read_text().splitlines()[1:]
    expected = [
        "123456789012345678901234567890.123456789012345678901234567891",
        "0.000000000000000000000000000001",
        "0",
        "0",
        "1000",
        "-0.00000015",
    ]
    assert [line.split(",")[8] for line in lines] == expected
    assert [line.split(",")[6] for line in lines][:2] == expected[:2]
    assert [Decimal(text) for text in expected] == [v if v else 0 for v in values]


def _history(count: int) -> AccountHistory:
    history = AccountHistory()
    for i in range(count):
        equity = D(1000) + i
        history.append(
            Account(ts=T0 + timedelta(days=i), cash=D(1000), equity=equity, peak_equity=equity)
        )
    return history


def test_account_csv_is_the_history(tmp_path: Path) -> None:
    path = write_account(tmp_path / "account.csv", _history(2))
    assert path.read_text().splitlines() == [
        "ts,cash,equity,gross_exposure,net_exposure,realized_pnl,unrealized_pnl,fees,drawdown",
        "2024-03-01T09:30:00Z,1000,1000,0,0,0,0,0,0",
        "2024-03-02T09:30:00Z,1000,1001,0,0,0,0,0,0",
    ]


def test_csv_reporter_writes_the_four_files(tmp_path: Path) -> None:
    result = SessionResult(
        session_id="s",
        mode="backtest",
        config_summary={},
        starting_cash=D(1000),
        currency="USD",
        orders=[_order(1)],
        fills=[_fill(1)],
        positions=[Position(symbol="SYM")],
        account=_history(3),
        symbols=["SYM"],
    )
    paths = CsvReporter().write(result, tmp_path)
    assert [p.name for p in paths] == ["orders.csv", "trades.csv", "positions.csv", "account.csv"]
    assert [len(p.read_text().splitlines()) for p in paths] == [2, 2, 2, 4]


def test_records_are_written_in_batches_with_the_same_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    orders = [_order(n, reason=REASONS[n % len(REASONS)], qty=D(n + 1)) for n in range(23)]
    whole = write_orders(tmp_path / "whole.csv", orders).read_bytes()
    monkeypatch.setattr(artifacts, "WRITE_BATCH", 4)
    consumed = []

    def one_at_a_time() -> Iterator[Order]:  # a spool, say: never a list of everything
        for order in orders:
            consumed.append(order)
            yield order

    batched = write_orders(tmp_path / "batched.csv", one_at_a_time()).read_bytes()
    assert batched == whole and len(consumed) == 23

    long_reason = "x" * 9000  # a batch of rows outgrows the file's buffer
    path = tmp_path / "streamed.csv"
    on_disk = []

    def watched() -> Iterator[Order]:
        for n in range(12):
            if n == 8:  # two batches taken: the first is on disk already
                on_disk.append(path.read_text(encoding="utf-8"))
            yield _order(n, reason=long_reason)

    write_orders(path, watched())
    assert "P-0,c-0," in on_disk[0] and "P-3,c-3," in on_disk[0]
    assert path.read_text(encoding="utf-8").count(long_reason) == 12
    lines = batched.decode().split("\n")
    assert lines[1].startswith("P-0,c-0,2024-03-01T09:30:00Z,BTC/USDT,buy,market,1,,,,,FILLED,")
    assert lines[1].endswith(',false,,,"a,b"')
    trades = write_trades(tmp_path / "t.csv", (_fill(n, price=D(n + 1)) for n in range(9)))
    assert [line.split(",")[6] for line in trades.read_text().splitlines()[1:]] == [
        str(n + 1) for n in range(9)
    ]


def test_a_bad_number_names_the_file_record_and_column(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(artifacts, "WRITE_BATCH", 2)
    positions = [Position(symbol=f"S{n}") for n in range(3)]
    positions.append(Position.model_construct(symbol="BAD", qty=D("NaN"), avg_cost=D(0)))
    with pytest.raises(
        DataError, match=r"positions\.csv, record 4: qty NaN: cannot write non-finite number NaN"
    ):
        write_positions(tmp_path / "positions.csv", positions)
    with pytest.raises(
        DataError, match=r"positions\.parquet, record 4: qty NaN: cannot write non-finite"
    ):
        write_positions_parquet(tmp_path / "positions.parquet", positions)


def _csv_strings(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def test_parquet_files_hold_the_csv_values(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(artifacts, "WRITE_BATCH", 3)
    orders = [
        _order(1),
        _order(2, type=OrderType.LIMIT, limit_price=D("101.000"), avg_fill_price=None),
        *(_order(n, reason=REASONS[n % len(REASONS)], qty=D("1E-30") * n) for n in range(3, 9)),
    ]
    fills = [_fill(n, T0 + timedelta(microseconds=n * 250_000), fee=D(n) / 7) for n in range(7)]
    positions = [
        Position(symbol="SYM", qty=D("-2"), avg_cost=D("99.5"), last_price=D("100")),
        Position(symbol="IDLE"),
    ]
    for name, write_csv, write_parquet, records in (
        ("orders", write_orders, write_orders_parquet, orders),
        ("trades", write_trades, write_trades_parquet, fills),
        ("positions", write_positions, write_positions_parquet, positions),
    ):
        csv_frame = _csv_strings(write_csv(tmp_path / f"{name}.csv", records))
        table = pq.read_table(write_parquet(tmp_path / f"{name}.parquet", records))
        assert table.column_names == list(csv_frame.columns)
        for column in table.column_names:
            values = table.column(column).to_pylist()
            kind = table.schema.field(column).type
            if pa.types.is_timestamp(kind):
                assert kind == pa.timestamp("ns", "UTC")
                values = [
                    v.strftime("%Y-%m-%dT%H:%M:%S.%fZ").replace(".000000Z", "Z") for v in values
                ]
            elif pa.types.is_boolean(kind):
                values = ["true" if v else "false" for v in values]
            else:
                assert kind == pa.string()
                values = ["" if v is None else v for v in values]
            assert values == csv_frame[column].tolist(), (name, column)
    table = pq.read_table(tmp_path / "orders.parquet")
    assert table.column("limit_price").to_pylist()[:2] == [None, "101"]
    assert table.column("qty").to_pylist()[2] == "0.000000000000000000000000000003"
    assert table.column("parent_id").null_count == len(orders)
    ts = pq.read_table(tmp_path / "trades.parquet").column("ts").to_pylist()
    assert ts[2] == T0 + timedelta(microseconds=500_000) and ts[2].tzinfo is not None


def test_account_parquet_holds_account_csv(tmp_path: Path) -> None:
    history = AccountHistory(chunk_rows=2)
    for i in range(5):
        history.append(
            Account(
                ts=T0 + timedelta(days=i),
                cash=D(f"123456789012345678901234567890.{i + 5}"),
                equity=D(1000) + D(i) / 3,
                peak_equity=D(2000),
                fees=D("1E-30"),
            )
        )
    write_account(tmp_path / "account.csv", history)
    table = pq.read_table(write_account_parquet(tmp_path / "account.parquet", history))
    frame = _csv_strings(tmp_path / "account.csv")
    assert table.schema.field("ts").type == pa.timestamp("ns", "UTC")
    assert table.column("ts").cast(pa.int64()).to_pylist() == history.ts_ns.tolist()
    for column in frame.columns[1:]:
        assert table.column(column).to_pylist() == frame[column].tolist()
    assert table.column("cash").to_pylist()[0] == "123456789012345678901234567890.5"
    assert table.column("fees").to_pylist()[0] == "0.000000000000000000000000000001"
    assert table.num_rows == 5
    empty = pq.read_table(write_account_parquet(tmp_path / "empty.parquet", AccountHistory()))
    assert empty.num_rows == 0 and empty.column_names == list(frame.columns)


def test_parquet_files_are_the_same_bytes_for_the_same_records(tmp_path: Path) -> None:
    orders = [_order(n, reason=REASONS[n % len(REASONS)]) for n in range(12)]
    first = write_orders_parquet(tmp_path / "a.parquet", orders).read_bytes()
    second = write_orders_parquet(tmp_path / "b.parquet", iter(orders)).read_bytes()
    assert first == second
    other = write_orders_parquet(tmp_path / "c.parquet", orders[:-1]).read_bytes()
    assert other != first


def test_a_time_parquet_cannot_hold_is_named(tmp_path: Path) -> None:
    fills = [_fill(1), _fill(2, datetime(2263, 1, 1, tzinfo=UTC))]
    with pytest.raises(
        DataError,
        match=r"trades.parquet, record 2: ts 2263-01-01T00:00:00\+00:00: outside the times "
        r"Parquet's nanoseconds hold \(1677-09-21T00:12:43.145225Z .. 2262",
    ):
        write_trades_parquet(tmp_path / "trades.parquet", fills)
