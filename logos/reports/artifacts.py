"""The record artifacts: orders, trades, positions and account, as CSV and as Parquet.

CSV: a header row, then one row per record, written by :func:`csv.writer` (``,`` delimiter,
minimal quoting, ``\\n`` line ends, UTF-8). Timestamps and numbers are written as
:mod:`logos.reports.text` writes them; a missing value (a market order's limit price) is an
empty field. account.csv holds no text that needs quotes and is written from the lines
:class:`~logos.reports.account_history.AccountHistory` keeps.

Parquet (:func:`write_orders_parquet` and the others): the CSV's columns, written by pyarrow's
``ParquetWriter``. Timestamps are ``timestamp("ns", "UTC")`` (a time int64 nanoseconds cannot
hold is an error naming the file, the record and the column); text columns are strings, with
a null where the CSV has an empty field; ``reduce_only`` is a boolean. Money columns are the
CSV's exact text, as strings (null when missing): a session's Decimals have no common
precision or scale (a price with two decimals, a quantity with eight, a fee of ``1E-30``, a
balance of sixty digits all occur), so a ``decimal128`` column would need a scale chosen
before the records are seen and would reject or round some of them; the text is exact for
every value, is what the CSV holds, and any reader casts it to the decimal type it wants.
The files are deterministic: the same records give the same bytes (no time is written).

Records are read, turned into text and written :data:`WRITE_BATCH` at a time, so writing a
million orders from a :class:`~logos.reports.spool.Spool` holds one batch in memory.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from itertools import islice
from operator import attrgetter
from pathlib import Path
from typing import Any, TextIO

import pyarrow as pa
import pyarrow.parquet as pq

from logos.domain import Fill, Order, Position
from logos.errors import DataError
from logos.reports.account_history import ACCOUNT_COLUMNS, AccountHistory
from logos.reports.text import format_optional, format_ts

WRITE_BATCH = 10_000
"""Records converted and written together."""

ORDER_COLUMNS = (
    "order_id",
    "client_order_id",
    "ts_created",
    "symbol",
    "side",
    "type",
    "qty",
    "limit_price",
    "stop_price",
    "trail_amount",
    "trail_percent",
    "status",
    "filled_qty",
    "avg_fill_price",
    "ts_updated",
    "reduce_only",
    "parent_id",
    "oco_id",
    "reason",
)
TRADE_COLUMNS = (
    "trade_id",
    "order_id",
    "ts",
    "symbol",
    "side",
    "qty",
    "price",
    "fee",
    "realized_pnl",
)
POSITION_COLUMNS = (
    "symbol",
    "qty",
    "avg_cost",
    "last_price",
    "market_value",
    "unrealized_pnl",
    "realized_pnl",
)


def write_orders(path: Path, orders: Iterable[Order]) -> Path:
    """orders.csv: the latest version of every order, in creation order."""
    return _write(path, ORDER_COLUMNS, orders)


def write_trades(path: Path, fills: Iterable[Fill]) -> Path:
    """trades.csv: one row per fill, in the order the fills happened."""
    return _write(path, TRADE_COLUMNS, fills)


def write_positions(path: Path, positions: Iterable[Position]) -> Path:
    """positions.csv: the final position of every symbol traded or configured."""
    return _write(path, POSITION_COLUMNS, positions)


def write_account(path: Path, account: AccountHistory) -> Path:
    """account.csv: the header, then the account after every slice."""
    with path.open("wb") as fh:
        account.write_csv(fh)
    return path


_TIMESTAMPS = frozenset({"ts", "ts_created", "ts_updated"})
_TEXT = frozenset({"order_id", "client_order_id", "trade_id", "symbol", "side", "type"})
_TEXT |= {"status", "reason", "parent_id", "oco_id"}
_FLAGS = frozenset({"reduce_only"})
# every other column is a number (Decimal, or None for an empty field)


def _write(path: Path, columns: Sequence[str], records: Iterable[Any]) -> Path:
    """Write ``columns`` (attribute names) of each record, one row per record, a batch of
    records at a time. Values are turned into text a column at a time: text columns are
    written as they are (string enums are strings), timestamps by
    :func:`~logos.reports.text.format_ts` and numbers by
    :func:`~logos.reports.text.format_optional`."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(columns)
        for first, values in _batches(columns, records):
            texts = [
                _converted(path, first, name, column, _CSV_TEXT[_kind(name)])
                for name, column in zip(columns, values, strict=True)
            ]
            if _QUOTES_CARRIAGE_RETURN or not any("\r" in "".join(t) for t in texts):
                writer.writerows(zip(*texts, strict=True))
            else:
                for row in zip(*texts, strict=True):
                    _write_row(fh, writer, row)
    return path


def _batches(
    columns: Sequence[str], records: Iterable[Any]
) -> Iterator[tuple[int, list[tuple[Any, ...]]]]:
    """The records :data:`WRITE_BATCH` at a time, each batch as the number of its first
    record and its values by column."""
    values_of = attrgetter(*columns)
    records = iter(records)
    first = 0
    while batch := list(map(values_of, islice(records, WRITE_BATCH))):
        yield first, list(zip(*batch, strict=True))
        first += len(batch)


def _kind(name: str) -> str:
    if name in _TEXT:
        return "text"
    if name in _FLAGS:
        return "flag"
    if name in _TIMESTAMPS:
        return "timestamp"
    return "number"


def _text_or_empty(values: Sequence[Any]) -> list[str]:
    return ["" if v is None else v for v in values]


def _flag_text(values: Sequence[Any]) -> list[str]:
    return ["true" if v else "false" for v in values]


_CSV_TEXT: dict[str, Callable[[Sequence[Any]], Sequence[Any]]] = {
    "text": _text_or_empty,
    "flag": _flag_text,
    "timestamp": lambda values: list(map(format_ts, values)),
    "number": lambda values: list(map(format_optional, values)),
}


def _converted(
    path: Path,
    first: int,
    name: str,
    values: Sequence[Any],
    convert: Callable[[Sequence[Any]], Any],
) -> Any:
    """``convert(values)``; a value it cannot convert is a DataError naming the file, the
    record (counted from 1) and the column."""
    try:
        return convert(values)
    except _CONVERSION_ERRORS:
        for number, value in enumerate(values, start=first + 1):
            try:
                convert([value])
            except _CONVERSION_ERRORS as exc:
                shown = value.isoformat() if isinstance(value, datetime) else str(value)
                raise DataError(f"{path.name}, record {number}: {name} {shown}: {exc}") from None
        raise


_CONVERSION_ERRORS = (DataError, TypeError, ValueError, OverflowError, pa.ArrowException)


# Parquet ------------------------------------------------------------------------------

_TS_TYPE = pa.timestamp("ns", "UTC")
_PARQUET_TYPE = {"text": pa.string(), "flag": pa.bool_(), "timestamp": _TS_TYPE}
_PARQUET_TYPE["number"] = pa.string()  # exact text (the module docstring says why)
_NS_RANGE = "1677-09-21T00:12:43.145225Z .. 2262-04-11T23:47:16.854775Z"


def _parquet_text(values: Sequence[Any]) -> pa.Array:
    return pa.array([None if v is None else str(v) for v in values], pa.string())


def _parquet_numbers(values: Sequence[Any]) -> pa.Array:
    return pa.array([None if v is None else format_optional(v) for v in values], pa.string())


def _parquet_times(values: Sequence[Any]) -> pa.Array:
    try:
        return pa.array(values, _TS_TYPE)
    except (pa.ArrowInvalid, OverflowError, ValueError) as exc:
        if len(values) == 1:
            raise DataError(f"outside the times Parquet's nanoseconds hold ({_NS_RANGE})") from exc
        raise


_PARQUET_ARRAY: dict[str, Callable[[Sequence[Any]], Any]] = {
    "text": _parquet_text,
    "flag": lambda values: pa.array([bool(v) for v in values], pa.bool_()),
    "timestamp": _parquet_times,
    "number": _parquet_numbers,
}


def parquet_schema(columns: Sequence[str]) -> pa.Schema:
    """The Parquet schema of a record artifact with ``columns`` (see the module docstring)."""
    return pa.schema([pa.field(name, _PARQUET_TYPE[_kind(name)]) for name in columns])


def write_orders_parquet(path: Path, orders: Iterable[Order]) -> Path:
    """orders.parquet: orders.csv's rows and columns."""
    return _write_parquet(path, ORDER_COLUMNS, orders)


def write_trades_parquet(path: Path, fills: Iterable[Fill]) -> Path:
    """trades.parquet: trades.csv's rows and columns."""
    return _write_parquet(path, TRADE_COLUMNS, fills)


def write_positions_parquet(path: Path, positions: Iterable[Position]) -> Path:
    """positions.parquet: positions.csv's rows and columns."""
    return _write_parquet(path, POSITION_COLUMNS, positions)


def write_account_parquet(path: Path, account: AccountHistory) -> Path:
    """account.parquet: account.csv's rows and columns (``ts``, then the money columns as
    their exact text)."""
    schema = parquet_schema(("ts", *ACCOUNT_COLUMNS))
    with _parquet_writer(path, schema) as writer:
        for chunk in account.text_chunks():
            writer.write_table(pa.Table.from_pydict(chunk, schema=schema))
    return path


def _write_parquet(path: Path, columns: Sequence[str], records: Iterable[Any]) -> Path:
    """Write ``columns`` of each record, a row group per batch of records."""
    schema = parquet_schema(columns)
    with _parquet_writer(path, schema) as writer:
        for first, values in _batches(columns, records):
            arrays = [
                _converted(path, first, name, column, _PARQUET_ARRAY[_kind(name)])
                for name, column in zip(columns, values, strict=True)
            ]
            writer.write_table(pa.Table.from_arrays(arrays, schema=schema))
    return path


def _parquet_writer(path: Path, schema: pa.Schema) -> pq.ParquetWriter:
    """A writer with everything that shapes the bytes fixed (no time is written)."""
    return pq.ParquetWriter(path, schema, compression="zstd", write_statistics=True)


def _write_row(fh: TextIO, writer: Any, row: Sequence[str]) -> None:
    """``writer.writerow(row)``, quoting a field with a lone ``\\r`` on every Python.

    CPython's writer quotes ``\\r`` only since 3.11.9 and 3.12.3; earlier it left it bare,
    and every CSV reader then ends the row there. On those versions a row with a ``\\r`` is
    written by a writer whose line terminator is ``\\r\\n`` (so that it quotes ``\\r``), and
    its terminator is then cut to ``\\n``.
    """
    if "\r" not in "".join(row):
        writer.writerow(row)
        return
    line = io.StringIO()
    csv.writer(line, lineterminator="\r\n").writerow(row)
    fh.write(line.getvalue().removesuffix("\r\n") + "\n")


def _quotes_carriage_return() -> bool:
    line = io.StringIO()
    csv.writer(line, lineterminator="\n").writerow(["\r"])
    return line.getvalue() == '"\r"\n'


_QUOTES_CARRIAGE_RETURN = _quotes_carriage_return()
