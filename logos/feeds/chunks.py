"""Reading bar files a chunk of rows at a time, so memory does not grow with the files.

A file is read as a sequence of :class:`~logos.feeds.raw_bars.RawBars`, at most
``chunk_rows`` rows each, every row named by its file and line exactly as a whole-file read
names it (line numbers carry across chunks: the header is line 1; a Parquet file's rows are
numbered from 1):

* CSV: blocks of whole lines parsed by pyarrow (``pyarrow.csv.read_csv``, the types of the
  first block imposed on the others, as its streaming reader does), cut into chunks. When
  pyarrow refuses the text part way (a cell it cannot convert, a row with too many fields,
  bytes that are not UTF-8), the file is read again from its start as text by pandas,
  chunk by chunk, skipping the chunks already delivered, to name the bad line as the
  whole-file reader did. Nothing is read ahead but the current block.
* Parquet: ``ParquetFile.iter_batches``.

Blank lines at the end of a file are not bars, while a blank line inside the data is a bad
bar: a chunk's trailing blank rows are held back until a row with data follows them.

A symbol's series (:class:`SymbolSource`) is one or more files read in order, or the rows of
one symbol in a file with a ``symbol`` column: that file is read once per symbol, keeping
only that symbol's rows, so memory stays one chunk per symbol whatever the file's size.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal, TypeVar

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from logos.errors import DataError
from logos.feeds.files import (
    CSV_SUFFIXES,
    PARQUET_SUFFIXES,
    TIMESTAMP_NAMES,
    ArrowColumns,
    EpochUnit,
    FrameColumns,
    UnitChoice,
    bar_suffix,
    csv_header,
    end_of_data,
    not_utf8,
    numbers_of_text,
    open_bytes,
    raw_bars_of,
)
from logos.feeds.raw_bars import RawBars
from logos.feeds.validation import OHLCV_COLUMNS

DEFAULT_CHUNK_ROWS = 131_072
"""Rows read at a time by default: large enough that per-chunk work (a pyarrow slice, one
validation call) is negligible per row, small enough that a chunk of every symbol of a
large run fits comfortably in memory."""

WHOLE_FILE_ROWS = 1 << 24
"""Rows per chunk when a file is read whole (:func:`logos.feeds.files.read_bars`)."""

NonNumeric = Literal["error", "nan"]
_Table = TypeVar("_Table", pa.Table, pd.DataFrame)


def raw_chunks(
    path: Path,
    epoch_unit: EpochUnit = "auto",
    non_numeric: NonNumeric = "error",
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
) -> Iterator[RawBars]:
    """The raw bars of one CSV or Parquet file, ``chunk_rows`` rows at a time, in file order.

    Always at least one chunk (empty for a file with a header and no rows), so the columns
    of every file are checked. ``epoch_unit = "auto"`` decides the unit from the file's
    first chunk with epoch numbers; a later chunk in another unit is a DataError. Between
    two chunks the reader holds only what it read ahead, never the chunk it gave.
    """
    if chunk_rows < 2:
        raise ValueError(f"chunk_rows must be at least 2, got {chunk_rows}")
    if path.is_dir():
        raise DataError(f"{path}: is a folder, not a bar file")
    if not path.is_file():
        raise DataError(f"{path}: file not found")
    suffix = bar_suffix(path)
    if suffix in PARQUET_SUFFIXES:
        return _parquet_chunks(path, epoch_unit, chunk_rows)
    if suffix in CSV_SUFFIXES:
        return _csv_chunks(path, epoch_unit, non_numeric, chunk_rows)
    raise DataError(f"{path}: unsupported bar file type (use .csv, .csv.gz or .parquet)")


def _parquet_chunks(path: Path, epoch_unit: EpochUnit, chunk_rows: int) -> Iterator[RawBars]:
    try:
        reader = pq.ParquetFile(path)
        batches = reader.iter_batches(batch_size=chunk_rows, use_threads=False)
        batch = next(batches, None)
    except Exception as exc:  # pyarrow raises many types for a bad file
        raise DataError(f"{path}: not a readable Parquet file ({exc})") from None
    choice, row = UnitChoice(), 1
    empty = reader.schema_arrow.empty_table()
    table = pa.Table.from_batches([batch]) if batch is not None else empty
    while table is not None:
        bars = raw_bars_of(FrameColumns(_parquet_frame(table)), path, row, epoch_unit, choice)
        row, table, batch = row + table.num_rows, None, None
        yield bars
        try:
            batch = next(batches, None)
        except Exception as exc:
            raise DataError(f"{path}: not a readable Parquet file ({exc})") from None
        table = None if batch is None else pa.Table.from_batches([batch])


def _parquet_frame(table: pa.Table) -> pd.DataFrame:
    """A Parquet chunk as pandas reads it (a datetime index becomes the timestamp column)."""
    frame = table.to_pandas()
    if isinstance(frame.index, pd.DatetimeIndex):
        name = frame.index.name if frame.index.name in TIMESTAMP_NAMES else "timestamp"
        frame = frame.rename_axis(name).reset_index()
    return frame


def _csv_chunks(
    path: Path, epoch_unit: EpochUnit, non_numeric: NonNumeric, chunk_rows: int
) -> Iterator[RawBars]:
    header = csv_header(path)
    types = {name: pa.float64() for name in header if name.lower() in OHLCV_COLUMNS}
    types.update({name: pa.string() for name in header if name.lower() == "symbol"})
    choice, line, delivered = UnitChoice(), 2, 0
    tables = _arrow_tables(path, types, chunk_rows)
    while True:
        try:
            table = next(tables, None)
        except (pa.ArrowInvalid, UnicodeDecodeError):
            break  # pyarrow refused the text here: pandas names the line
        if table is None:
            return
        bars = raw_bars_of(ArrowColumns(table), path, line, epoch_unit, choice)
        line, delivered, table = line + table.num_rows, delivered + 1, None
        yield bars
    for text in _text_chunks(path, chunk_rows, skip=delivered):
        frame = numbers_of_text(text, path, line, non_numeric)
        bars = raw_bars_of(FrameColumns(frame), path, line, epoch_unit, choice)
        line, text, frame = line + len(frame), None, None
        yield bars


READ_BLOCK_BYTES = 1 << 18
"""Bytes of text parsed at a time (whole lines). Chunks are cut from these blocks, so the
block size does not limit the chunk size; between two chunks a file holds at most a block's
rows not given yet."""

_UNTHREADED = pacsv.ReadOptions(use_threads=False)
"""Every pyarrow read here is single-threaded: a block is small enough that threads barely
pay, and pyarrow's threaded reads are known to hang now and then (an empty block read in
parallel; a pool inherited across ``fork``), where a replay must never hang."""


def _arrow_tables(path: Path, types: dict[str, pa.DataType], chunk_rows: int) -> Iterator[pa.Table]:
    """The CSV's rows as pyarrow tables of ``chunk_rows`` rows (see :func:`_rechunked`).

    The text is read a block of whole lines at a time and each block parsed by
    ``pyarrow.csv.read_csv`` with the columns and types of the first block, as pyarrow's
    streaming reader (``open_csv``) parses its blocks. Not ``open_csv`` itself: it reads
    dozens of blocks ahead, which, for every file of a many-symbol run, would hold more
    than the chunks themselves. A row pyarrow cannot parse raises ``pa.ArrowInvalid``.
    """
    with open_bytes(path) as source:
        header = source.readline()
        names = pacsv.read_csv(io.BytesIO(header), read_options=_UNTHREADED).column_names
        pieces = _parsed_blocks(path, source, names, types)
        first = next(pieces, None)
        if first is None:
            yield pa.schema([pa.field(n, types.get(n, pa.null())) for n in names]).empty_table()
            return
        empty, pieces = first.schema.empty_table(), itertools.chain([first], pieces)
        del first
        yield from _rechunked(pieces, chunk_rows, empty, pa.concat_tables, _arrow_row)


def _parsed_blocks(
    path: Path, source: BinaryIO, names: list[str], types: dict[str, pa.DataType]
) -> Iterator[pa.Table]:
    """The rest of ``source`` parsed a block of about :data:`READ_BLOCK_BYTES` of whole
    lines at a time; blocks after the first are read with the first's column types (a cell
    that does not fit is an error there). Neither the text nor a table given is held."""
    read = pacsv.ReadOptions(column_names=names, use_threads=False)
    parse = pacsv.ParseOptions(ignore_empty_lines=False)
    convert = pacsv.ConvertOptions(column_types=types)
    carry = b""
    while True:
        try:
            data = source.read(READ_BLOCK_BYTES)
        except (OSError, EOFError) as exc:  # a damaged .csv.gz (gzip.BadGzipFile is an OSError)
            raise DataError(f"{path}: not a readable .csv.gz file ({exc})") from None
        last = not data
        data, carry = carry + data, b""
        cut = data.rfind(b"\n") + 1
        if not last and cut == 0:  # no line end yet: a line longer than a block
            carry = data
            continue
        if not last and cut < len(data):
            data, carry = data[:cut], data[cut:]
        if data:
            table = pacsv.read_csv(
                io.BytesIO(data), read_options=read, parse_options=parse, convert_options=convert
            )
            data = b""
            given = dict(zip(table.column_names, table.schema.types, strict=True))
            convert = pacsv.ConvertOptions(column_types=given)
            out = [table]
            del table
            yield out.pop()
        if last:
            return


def _arrow_row(table: pa.Table, row: int) -> Sequence[object]:
    return list(table.slice(row, 1).to_pylist()[0].values())


def _text_chunks(path: Path, chunk_rows: int, skip: int) -> Iterator[pd.DataFrame]:
    """The CSV as text (every cell a string), ``chunk_rows`` rows at a time, less the first
    ``skip`` chunks; every way pandas cannot read it is a DataError naming the file."""
    try:
        reader = pd.read_csv(
            path,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            encoding="utf-8-sig",
            chunksize=chunk_rows,
        )
        with reader:
            pieces = _reset_index(reader)
            for number, chunk in enumerate(
                _rechunked(pieces, chunk_rows, None, _concat_frames, _frame_row)
            ):
                if number >= skip:
                    yield chunk
    except UnicodeDecodeError:
        raise (not_utf8(path) or DataError(f"{path}: not UTF-8 text")) from None
    except (pd.errors.ParserError, ValueError) as exc:
        raise DataError(f"{path}: not a readable CSV file ({str(exc).strip()})") from None


def _reset_index(frames: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    for frame in frames:
        yield frame.reset_index(drop=True)


def _concat_frames(frames: list[pd.DataFrame]) -> pd.DataFrame:
    return pd.concat(frames, ignore_index=True)


def _frame_row(frame: pd.DataFrame, row: int) -> Sequence[object]:
    return list(frame.iloc[row])


def _rechunked(
    pieces: Iterator[_Table],
    chunk_rows: int,
    empty: _Table | None,
    concat: Callable[[list[_Table]], _Table],
    row_values: Callable[[_Table, int], Sequence[object]],
) -> Iterator[_Table]:
    """``pieces`` (tables of any length, in order) cut into tables of ``chunk_rows`` rows,
    the last shorter, without the blank rows that end the file; at least one table (empty
    when there are no rows). Between two chunks only the rows not yet given are held (a
    chunk given is not kept alive by the generator)."""
    held: list[_Table] = []  # the rows not given yet, as one table (a list: see _given)
    delivered = False
    for piece in pieces:
        held[:] = [concat([held[0], piece]) if held else piece]
        del piece
        # a full chunk goes once a row with data is known to end it or follow it
        while len(held[0]) >= chunk_rows and _data_end(held[0], row_values) >= chunk_rows:
            yield _given(held, chunk_rows)
            delivered = True
    if held:
        held[0] = held[0][: _data_end(held[0], row_values)]
        while len(held[0]):
            yield _given(held, chunk_rows)
            delivered = True
    if not delivered:
        if held:
            yield held[0]
        elif empty is not None:
            yield empty


def _given(held: list[_Table], rows: int) -> _Table:
    """The first ``rows`` rows of ``held[0]``, which keeps the rest."""
    table = held[0]
    held[0] = table[rows:]
    return table[:rows]


def _data_end(table: _Table, row_values: Callable[[_Table, int], Sequence[object]]) -> int:
    return end_of_data(len(table), lambda row: row_values(table, row))


@dataclass(frozen=True)
class SymbolSource:
    """Where one symbol's bars are: ``files`` read in order as one series, keeping only the
    rows whose ``symbol`` column is ``only`` when it is given (a file of several symbols)."""

    symbol: str
    files: tuple[Path, ...]
    only: str | None = None

    def chunks(
        self, epoch_unit: EpochUnit, non_numeric: NonNumeric, chunk_rows: int
    ) -> Iterator[RawBars]:
        """The raw bars, a chunk at a time, file after file (a chunk never spans two files).

        A filtered chunk may be shorter than ``chunk_rows``, or empty.
        """
        for path in self.files:
            for bars in raw_chunks(path, epoch_unit, non_numeric, chunk_rows):
                if self.only is not None and bars.symbol is not None:
                    bars = bars.take(bars.symbol == self.only)
                yield bars


def symbols_in_file(
    path: Path, epoch_unit: EpochUnit, non_numeric: NonNumeric, chunk_rows: int
) -> list[str] | None:
    """The symbols of a file's ``symbol`` column in order of first appearance (None when the
    file has no such column): one pass over the file, holding a chunk at a time."""
    seen: dict[str, None] = {}
    for bars in raw_chunks(path, epoch_unit, non_numeric, chunk_rows):
        if bars.symbol is None:
            return None
        seen.update(dict.fromkeys(pd.unique(bars.symbol).tolist()))
    return list(seen)


def frame_chunks(frame: pd.DataFrame, chunk_rows: int) -> Iterator[pd.DataFrame]:
    """A frame in pieces of ``chunk_rows`` rows (views, no copy); none for an empty frame."""
    for start in range(0, len(frame), chunk_rows):
        yield frame.iloc[start : start + chunk_rows]
