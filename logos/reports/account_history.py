"""The account after every time slice of a session, kept compactly as the lines of account.csv.

The engine appends the broker's :class:`~logos.domain.Account` once per slice, so a long
backtest appends millions of times: :meth:`AccountHistory.append` must be cheap and a row
small. A row is therefore kept as text — its account.csv line — never as an Account or as
Decimals (about 110 bytes a row instead of about 1 KB).

Numbers are written as :mod:`logos.reports.text` writes them: exact, so
:meth:`~AccountHistory.decimal` gives back a Decimal equal to the broker's. Between fills most
values repeat, often as the very same Decimal object (cash, realized PnL, fees), so ``append``
keeps the previous row's text for a value identical to the previous row's in its column (and
the gross exposure's text for a net exposure that is the same object, as the ledger gives it
without a short position), and the previous row's text for a row whose values are all equal
to the previous row's.

Timestamps are converted a chunk of rows at a time, to int64 nanoseconds by pandas and to
ISO-8601 text by pyarrow; the chunk's lines are then joined and appended to a temporary file
(:class:`~logos.reports.spool.BlockFile`), and its times to another, so the memory a
history takes is the chunk being filled, however long the session. account.csv holds only
timestamps and numbers, which never need quoting, so it is that file copied after its header.
Numbers as float64 (for statistics and charts) are read back from the file by pyarrow's CSV
reader, a few chunks at a time (:meth:`AccountHistory.column_chunks`). :meth:`~AccountHistory.close`
deletes the files (so do garbage collection and the end of the process).

A value that is not a finite Decimal is a :class:`~logos.errors.DataError` from the ``append``
that receives it; a timestamp without a timezone, or outside the range of int64 nanoseconds,
is one from ``append`` or from the conversion of its chunk. Each names the column (or the
timestamp), the value and the row's time.
"""

from __future__ import annotations

import io
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from logos.errors import DataError
from logos.reports.spool import BlockFile
from logos.reports.text import format_decimal, format_ts, plain_text

if TYPE_CHECKING:
    from logos.domain import Account

ACCOUNT_COLUMNS: tuple[str, ...] = (
    "cash",
    "equity",
    "gross_exposure",
    "net_exposure",
    "realized_pnl",
    "unrealized_pnl",
    "fees",
    "drawdown",
)
"""The money columns of account.csv, after ``ts``."""

ACCOUNT_HEADER = ",".join(("ts", *ACCOUNT_COLUMNS)) + "\n"
"""The header line of account.csv."""

CHUNK_ROWS = 8192
"""Rows whose timestamps are converted together, by default."""

READ_ROWS = 65_536
"""Rows :meth:`AccountHistory.column_chunks` reads at a time, at least (whole chunks)."""

_MONEY = attrgetter(*ACCOUNT_COLUMNS)
_NO_VALUES: tuple[Any, ...] = (object(),) * len(ACCOUNT_COLUMNS)  # equal to no value
_FLOAT_COLUMNS = ("equity", "gross_exposure", "drawdown")
_CSV_NAMES = ["ts", *ACCOUNT_COLUMNS]
_NS_RANGE = (  # the instants int64 nanoseconds hold, to the microsecond
    datetime(1677, 9, 21, 0, 12, 43, 145225, tzinfo=UTC),
    datetime(2262, 4, 11, 23, 47, 16, 854775, tzinfo=UTC),
)


class AccountHistory:
    """The account after every slice of a session, one row per :meth:`append`."""

    __slots__ = (
        "_chunk_rows",
        "_chunks",
        "_closed",
        "_floats",
        "_last",
        "_lines",
        "_row",
        "_rows",
        "_stamps",
        "_starts",
        "_texts",
        "_times",
        "_values",
    )

    def __init__(
        self, chunk_rows: int = CHUNK_ROWS, *, directory: str | Path | None = None
    ) -> None:
        """``directory`` holds the temporary files (the system's temporary directory by
        default)."""
        self._chunk_rows = chunk_rows
        self._lines = BlockFile(directory)  # converted rows: account.csv without its header
        self._times = BlockFile(directory)  # their times, int64 nanoseconds
        self._chunks: list[tuple[int, int]] = []  # each converted chunk's offset and length
        self._starts: list[int] = [0]  # the first row of each chunk, then the row count
        self._closed = False
        self._stamps: list[datetime] = []  # the pending rows' times...
        self._rows: list[str] = []  # ...and their lines after the timestamp
        self._values: tuple[Any, ...] = _NO_VALUES  # the previous row's money values...
        self._texts: tuple[str, ...] = ("",) * len(ACCOUNT_COLUMNS)  # ...their text...
        self._row = ""  # ...and its line after the timestamp: ",cash,...,drawdown\n"
        self._last: Account | None = None
        self._floats: tuple[int, dict[str, np.ndarray]] = (-1, {})  # rows parsed, columns

    def append(self, account: Account) -> None:
        """Add the account after one slice (its ``ts`` tz-aware, its money values finite
        Decimals; anything else is a ``DataError`` naming the column and the value)."""
        values = _MONEY(account)
        try:
            repeated = values == self._values  # per column: identical, or else equal
        except InvalidOperation:  # a signalling NaN compared
            repeated = False
        if not repeated:
            # Unrolled, identity only: while a position is held most slices come here, with
            # new equity, exposure, unrealized PnL and drawdown values to write.
            c0, c1, c2, c3, c4, c5, c6, c7 = values
            p0, p1, p2, p3, p4, p5, p6, p7 = self._values
            t0, t1, t2, t3, t4, t5, t6, t7 = self._texts
            try:
                t0 = t0 if c0 is p0 else plain_text(c0)
                t1 = t1 if c1 is p1 else plain_text(c1)
                t2 = t2 if c2 is p2 else plain_text(c2)
                # net exposure: often the gross exposure itself (no short position)
                t3 = t3 if c3 is p3 else t2 if c3 is c2 else plain_text(c3)
                t4 = t4 if c4 is p4 else plain_text(c4)
                t5 = t5 if c5 is p5 else plain_text(c5)
                t6 = t6 if c6 is p6 else plain_text(c6)
                t7 = t7 if c7 is p7 else plain_text(c7)
            except TypeError:
                raise _bad_value(values, account.ts) from None
            row = f",{t0},{t1},{t2},{t3},{t4},{t5},{t6},{t7}\n"
            if "E" in row or "N" in row or "y" in row or "-0," in row or "-0\n" in row:
                # an exponent, a non-finite value or a negative zero: the careful text
                texts = tuple(_text(value, values, account.ts) for value in values)
                row = "," + ",".join(texts) + "\n"
            else:
                texts = (t0, t1, t2, t3, t4, t5, t6, t7)
            self._values, self._texts, self._row = values, texts, row
        ts = account.ts
        if ts.tzinfo is not UTC:
            ts = _utc(ts)
        self._stamps.append(ts)
        self._rows.append(self._row)
        self._last = account
        if len(self._rows) >= self._chunk_rows:
            self._convert()

    def _convert(self) -> None:
        """Turn the pending rows into a chunk: their times as nanoseconds and ISO text, and
        their lines joined into one string."""
        stamps, rows = self._stamps, self._rows
        if not stamps:
            return
        ns = _nanoseconds(stamps)
        # each time's text, then its row's: interleaved by slice assignment and joined once
        # (no intermediate string per line)
        parts: list[str] = [""] * (2 * len(rows))
        parts[::2] = _iso_text(ns)
        parts[1::2] = rows
        self._chunks.append(self._lines.write("".join(parts).encode("ascii")))
        self._times.write(ns.tobytes())
        self._starts.append(self._starts[-1] + len(rows))
        self._stamps, self._rows = [], []

    # reading -------------------------------------------------------------------------

    def __len__(self) -> int:
        return self._starts[-1] + len(self._rows)

    @property
    def last(self) -> Account | None:
        """The last account appended (``None`` before the first)."""
        return self._last

    @property
    def ts_ns(self) -> np.ndarray:
        """Each row's time as int64 UTC nanoseconds (a copy)."""
        return self._read_times(0, self._starts[self._converted()])

    def equity_floats(self) -> np.ndarray:
        """Each row's equity as float64 (for metrics and charts, never for money)."""
        return self._float_column("equity")

    def drawdown_floats(self) -> np.ndarray:
        """Each row's drawdown as float64 (for metrics and charts)."""
        return self._float_column("drawdown")

    def float_column(self, column: str) -> np.ndarray:
        """Each row's ``column`` (one of :data:`ACCOUNT_COLUMNS`) as float64, for statistics
        and charts, never for money."""
        if column in _FLOAT_COLUMNS:
            return self._float_column(column)
        parts = [chunk[column] for chunk in self.column_chunks([column])]
        return np.concatenate([np.zeros(0), *parts])

    def column_chunks(
        self, columns: Sequence[str], rows: int = READ_ROWS
    ) -> Iterator[dict[str, np.ndarray]]:
        """The rows, a few thousand at a time (whole chunks, at least ``rows`` of them but the
        last), as arrays by column: ``ts`` as int64 UTC nanoseconds, the others (of
        :data:`ACCOUNT_COLUMNS`) as float64 — what statistics and charts read, in bounded
        memory. The rows are those there when the iteration starts."""
        unknown = [c for c in columns if c != "ts" and c not in ACCOUNT_COLUMNS]
        if unknown:
            raise ValueError(
                f"unknown account column(s) {', '.join(map(repr, unknown))}; "
                f"known: ts, {', '.join(ACCOUNT_COLUMNS)}"
            )
        numbers = [c for c in ACCOUNT_COLUMNS if c in columns]
        for start, stop, lines in self._groups(rows, read_lines=bool(numbers)):
            values = _parse_columns(lines, numbers, pa.float64()) if numbers else {}
            arrays = {c: v.to_numpy(zero_copy_only=False, writable=True) for c, v in values.items()}
            if "ts" in columns:
                arrays["ts"] = self._read_times(start, stop)
            yield {c: arrays[c] for c in columns}

    def text_chunks(self, rows: int = READ_ROWS) -> Iterator[dict[str, pa.Array]]:
        """The rows in chunks as :meth:`column_chunks` reads them, as pyarrow arrays: ``ts``
        as ``timestamp("ns", "UTC")``, then each of :data:`ACCOUNT_COLUMNS` as its exact
        text in account.csv (for Parquet, where money stays exact)."""
        for start, stop, lines in self._groups(rows, read_lines=True):
            values = _parse_columns(lines, list(ACCOUNT_COLUMNS), pa.string())
            ts = pa.array(self._read_times(start, stop), pa.timestamp("ns", "UTC"))
            yield {"ts": ts, **values}

    def _groups(self, rows: int, *, read_lines: bool) -> Iterator[tuple[int, int, bytes]]:
        """Runs of whole converted chunks, the fewest that hold ``rows`` rows (the last may
        hold fewer): their first row, the row after their last, and their lines (when
        ``read_lines``). The rows are those converted when the iteration starts."""
        converted = self._converted()
        chunks, starts = self._chunks[:converted], self._starts
        first = 0
        while first < len(chunks):
            last = bisect_right(starts, starts[first] + max(rows, 1) - 1, lo=first + 1)
            last = min(last, len(chunks))  # chunks first..last-1
            lines = b""
            if read_lines:
                offset = chunks[first][0]
                lines = self._lines.read(offset, chunks[last - 1][0] + chunks[last - 1][1] - offset)
            yield starts[first], starts[last], lines
            first = last

    def decimal(self, column: str, row: int) -> Decimal:
        """The exact value of ``column`` (one of :data:`ACCOUNT_COLUMNS`) at ``row``."""
        return Decimal(self._fields(row)[1 + ACCOUNT_COLUMNS.index(column)])

    def rows(self) -> Iterator[tuple[datetime, dict[str, Decimal]]]:
        """Each row as its time and its values by column name, exact (for reporters that
        want Decimals; slow for millions of rows)."""
        for chunk in range(self._converted()):
            for line in self._chunk_text(chunk).splitlines():
                ts, *values = line.split(",")
                stamp = datetime.fromisoformat(ts).astimezone(UTC)
                yield stamp, dict(zip(ACCOUNT_COLUMNS, map(Decimal, values), strict=True))

    def write_csv(self, fh: BinaryIO) -> None:
        """Write account.csv to a binary file: the header and one line per row (the
        temporary file copied a chunk at a time)."""
        converted = self._converted()
        fh.write(ACCOUNT_HEADER.encode("ascii"))
        for offset, length in self._chunks[:converted]:
            fh.write(self._lines.read(offset, length))

    def close(self) -> None:
        """Delete the temporary files (idempotent); reading the rows afterwards is a
        ``ValueError``."""
        self._closed = True
        self._lines.close()
        self._times.close()
        self._floats = (-1, {})

    def _converted(self) -> int:
        """Convert the pending rows; the number of converted chunks (all of them)."""
        if self._closed:
            raise ValueError("the account history is closed: its temporary files were deleted")
        self._convert()
        return len(self._chunks)

    def _chunk_text(self, chunk: int) -> str:
        return self._lines.read(*self._chunks[chunk]).decode("ascii")

    def _read_times(self, start: int, stop: int) -> np.ndarray:
        """The times of rows ``start`` to ``stop`` (converted rows)."""
        if start == stop:
            return np.zeros(0, dtype=np.int64)
        data = self._times.read(8 * start, 8 * (stop - start))
        return np.frombuffer(data, dtype=np.int64).copy()

    def _fields(self, row: int) -> list[str]:
        self._converted()
        count = len(self)
        if not -count <= row < count:
            raise IndexError(f"account row {row} out of range (0..{count - 1})")
        row %= count
        chunk = bisect_right(self._starts, row) - 1
        line = self._chunk_text(chunk).splitlines()[row - self._starts[chunk]]
        return line.split(",")

    def _float_column(self, column: str) -> np.ndarray:
        self._converted()
        parsed, columns = self._floats
        if parsed != len(self):
            parts = list(self.column_chunks(_FLOAT_COLUMNS))
            columns = {
                c: np.concatenate([np.zeros(0), *(p[c] for p in parts)]) for c in _FLOAT_COLUMNS
            }
            self._floats = (len(self), columns)
        return columns[column].copy()

    def __reduce__(self) -> Any:
        raise TypeError("an AccountHistory lives in temporary files and cannot be pickled")

    def __repr__(self) -> str:
        return f"AccountHistory({len(self)} rows)"


def _parse_columns(lines: bytes, columns: list[str], kind: pa.DataType) -> dict[str, pa.Array]:
    """``columns`` of account.csv ``lines`` (no header) as ``kind`` arrays, by pyarrow's CSV
    reader."""
    table = pacsv.read_csv(
        io.BytesIO(lines),
        read_options=pacsv.ReadOptions(column_names=_CSV_NAMES, use_threads=False),
        convert_options=pacsv.ConvertOptions(
            include_columns=columns, column_types=dict.fromkeys(columns, kind)
        ),
    )
    return {c: table.column(c).combine_chunks() for c in columns}


def _text(value: Any, values: tuple[Any, ...], ts: datetime) -> str:
    """The text of one account value, or the DataError for the row it is in."""
    try:
        return format_decimal(value)
    except DataError:
        raise _bad_value(values, ts) from None


def _bad_value(values: tuple[Any, ...], ts: datetime) -> DataError:
    """The error for the first money value that is not a finite Decimal."""
    for column, value in zip(ACCOUNT_COLUMNS, values, strict=True):
        if not isinstance(value, Decimal) or not value.is_finite():
            kind = type(value).__name__
            return DataError(
                f"account {column} at {ts.isoformat()} is {value!r} ({kind}); a broker must "
                "report money as finite Decimals"
            )
    return DataError(f"account values at {ts.isoformat()} cannot be written: {values!r}")


def _nanoseconds(stamps: list[datetime]) -> np.ndarray:
    """UTC nanoseconds of ``stamps`` (all in UTC), or a DataError naming the first one that
    int64 nanoseconds cannot hold."""
    try:
        return pd.DatetimeIndex(stamps).as_unit("ns").asi8.copy()
    except (pd.errors.OutOfBoundsDatetime, OverflowError):
        low, high = _NS_RANGE
        bad = next(ts for ts in stamps if not low <= ts <= high)
        raise DataError(
            f"account timestamp {format_ts(bad)} is outside the range of int64 nanoseconds "
            f"({format_ts(low)} .. {format_ts(high)})"
        ) from None


def _iso_text(ns: np.ndarray) -> list[str]:
    """ISO-8601 UTC text with ``Z`` of each time, with microseconds only where it has them
    (pyarrow's timestamp-to-string cast, with the ``T`` and ``Z`` put in)."""
    instants = pa.array(ns, pa.timestamp("ns"))
    text = pc.cast(instants, pa.timestamp("s"), safe=False).cast(pa.string())
    fractional = pa.array((ns % 1_000_000_000) != 0)
    if pc.any(fractional).as_py():
        micro = pc.cast(instants, pa.timestamp("us"), safe=False).cast(pa.string())
        text = pc.if_else(fractional, micro, text)
    text = pc.utf8_replace_slice(text, start=10, stop=11, replacement="T")
    return pc.binary_join_element_wise(text, "Z", "").to_pylist()


def _utc(ts: datetime) -> datetime:
    """``ts`` in UTC; a naive timestamp is a DataError."""
    if ts.tzinfo is None or ts.tzinfo.utcoffset(ts) is None:
        raise DataError(f"account timestamp {ts.isoformat()} has no timezone")
    return ts.astimezone(UTC)
