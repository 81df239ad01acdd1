"""Reading bar files (CSV, Parquet) into raw bars, and mapping symbols to files.

Raw bars (:class:`~logos.feeds.raw_bars.RawBars`) are the file's values as arrays, before
validation; their raw frame names each row's file and line. Files are read a chunk of rows at
a time (:mod:`logos.feeds.chunks`); this module turns one chunk of parsed columns into raw
bars (:func:`raw_bars_of`), parses timestamps, and maps symbols to files (globs included).

Every way a file can be unreadable is a DataError in the one format ``FILE, line N: what is
wrong`` (:func:`logos.errors.at_line`): not UTF-8, gzip-compressed under a ``.csv`` name,
``;``- or tab-separated, a Parquet or zip file named ``.csv``.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal

import numpy as np
import pandas as pd
import pyarrow as pa

from logos.errors import DataError, at_line
from logos.feeds.raw_bars import RawBars
from logos.feeds.validation import OHLCV_COLUMNS
from logos.textfile import non_utf8_message, non_utf8_position

TIMESTAMP_NAMES = ("timestamp", "ts", "time", "date", "datetime")
CSV_SUFFIXES = (".csv", ".csv.gz")
PARQUET_SUFFIXES = (".parquet", ".pq")
BAR_SUFFIXES = CSV_SUFFIXES + PARQUET_SUFFIXES

EpochUnit = Literal["auto", "s", "ms", "us", "ns"]

_MAGIC = {
    b"\x1f\x8b": "is gzip-compressed: decompress it or name it .csv.gz",
    b"PAR1": "is a Parquet file: name it .parquet",
    b"PK\x03\x04": "is a zip archive (or an Excel workbook): unzip it or export it as CSV",
}
"""What a ``.csv`` file that starts with these bytes really is."""
_SEPARATORS = {";": "';'-separated", "\t": "tab-separated", "|": "'|'-separated"}


def bar_suffix(path: Path) -> str | None:
    """The bar-file suffix ``path`` ends with (``.csv``, ``.csv.gz``, ``.parquet``, ``.pq``;
    any case), or None."""
    name = path.name.lower()
    return next((s for s in sorted(BAR_SUFFIXES, key=len, reverse=True) if name.endswith(s)), None)


def _bar_stem(path: Path) -> str:
    """The file name without its bar suffix (``BTC.csv.gz`` → ``BTC``)."""
    suffix = bar_suffix(path)
    return path.name[: -len(suffix)] if suffix else path.stem


def symbol_file_stem(symbol: str) -> str:
    """File-name form of a symbol: ``BTC/USDT`` → ``BTC_USDT`` (``/ \\ :`` become ``_``)."""
    return symbol.replace("/", "_").replace("\\", "_").replace(":", "_")


def read_bar_file(path: Path, epoch_unit: EpochUnit = "auto") -> pd.DataFrame:
    """The raw frame (see :meth:`RawBars.frame`) of one CSV or Parquet file."""
    return read_bars(path, epoch_unit).frame()


def read_bars(
    path: Path, epoch_unit: EpochUnit = "auto", non_numeric: Literal["error", "nan"] = "error"
) -> RawBars:
    """Raw bars from one whole CSV or Parquet file (its chunks, concatenated).

    ``epoch_unit`` is the unit of numeric timestamps (see :func:`parse_timestamps`).
    ``non_numeric = "nan"`` reads a price or volume cell that is not a number as missing, so
    it is a bad bar like any other (skipped under ``on_bad_bar = "skip"``); ``"error"``
    rejects the file naming the cell. For a file too large to hold, read it chunk by chunk
    with :func:`logos.feeds.chunks.raw_chunks`.
    """
    from logos.feeds.chunks import WHOLE_FILE_ROWS, raw_chunks  # chunks imports this module

    return RawBars.concat(list(raw_chunks(path, epoch_unit, non_numeric, WHOLE_FILE_ROWS)))


class FrameColumns:
    """The columns of a pandas DataFrame, as :func:`raw_bars_of` reads them."""

    def __init__(self, table: pd.DataFrame) -> None:
        self.table = table
        self.names = list(table.columns)

    def __len__(self) -> int:
        return len(self.table)

    def series(self, name: object) -> pd.Series:
        return self.table[name]

    def floats_into(self, name: object, out: np.ndarray) -> None:
        values = self.table[name]
        if values.dtype != np.float64:
            values = pd.to_numeric(values, errors="coerce")
        out[:] = values.to_numpy(dtype="float64", na_value=np.nan)


class ArrowColumns:
    """The columns of a pyarrow Table (the CSV fast path: no pandas copy of the floats)."""

    def __init__(self, table: pa.Table) -> None:
        self.table = table
        self.names = table.column_names

    def __len__(self) -> int:
        return self.table.num_rows

    def series(self, name: str) -> pd.Series:
        return self.table.select([name]).to_pandas()[name]

    def floats_into(self, name: str, out: np.ndarray) -> None:
        column = self.table.column(name)
        if column.type != pa.float64():
            FrameColumns(self.table.select([name]).to_pandas()).floats_into(name, out)
            return
        start = 0
        for chunk in column.chunks:  # straight into the block: one copy (nulls become NaN)
            out[start : start + len(chunk)] = chunk.to_numpy(zero_copy_only=False)
            start += len(chunk)


def end_of_data(rows: int, row_values: Callable[[int], Iterable[object]]) -> int:
    """The number of rows left once the trailing all-empty rows are dropped (the rows
    blank lines make: at the end of a file they are not bars; inside the data each is a bad
    bar named by its line)."""
    end = rows
    while end and all(pd.isna(v) or str(v).strip() == "" for v in row_values(end - 1)):
        end -= 1
    return end


def open_bytes(path: Path) -> BinaryIO:
    """The file's bytes, decompressed when it is named ``.gz``."""
    if path.name.lower().endswith(".gz"):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return path.open("rb")


def csv_header(path: Path) -> list[str]:
    """The header row's column names; what the file looks like when it is not a
    comma-separated UTF-8 text file."""
    try:
        with open_bytes(path) as fh:  # bytes: a text reader would decode past line 1
            raw = fh.readline()
    except (OSError, EOFError) as exc:  # gzip.BadGzipFile is an OSError
        raise DataError(at_line(path, None, f"not a readable .csv.gz file ({exc})")) from None
    for magic, what in _MAGIC.items():
        if raw.startswith(magic):
            raise DataError(at_line(path, None, what))
    raw = raw.split(b"\r")[0]  # a line ends at \n, \r\n or \r
    position = non_utf8_position(raw)
    if position is not None:
        raise DataError(non_utf8_message(path, position))
    line = raw.decode("utf-8-sig").rstrip("\r\n")
    if not line.strip():
        raise DataError(at_line(path, 1, "empty file or missing header row"))
    for separator, name in _SEPARATORS.items():
        if line.count(separator) > line.count(","):
            raise DataError(
                at_line(
                    path,
                    1,
                    f"looks like {name}: logos reads comma-separated CSV "
                    "(timestamp,open,high,low,close,volume)",
                )
            )
    return [name.strip() for name in line.split(",")]


def not_utf8(path: Path) -> DataError | None:
    """The error naming the first line that is not UTF-8 text, or None when all are (read a
    line at a time: the file may be larger than memory)."""
    with open_bytes(path) as fh:
        for number, line in enumerate(fh, start=1):
            position = non_utf8_position(line)
            if position is not None:
                _, column, byte = position
                return DataError(non_utf8_message(path, (number, column, byte)))
    return None


def numbers_of_text(
    text: pd.DataFrame, path: Path, first_line: int, non_numeric: str = "error"
) -> pd.DataFrame:
    """A chunk of a CSV read as text (the slow path, when pyarrow refused the file), its
    price and volume columns made float64; a cell that is not a number names its line
    (``first_line`` is the chunk's first row's line) under ``non_numeric = "error"``."""
    text.columns = [str(c).strip() for c in text.columns]
    for name in text.columns:
        if name.lower() not in OHLCV_COLUMNS:
            continue
        raw = text[name].str.strip()
        values = pd.to_numeric(raw.replace({"": "nan"}), errors="coerce")
        bad = values.isna() & ~raw.str.lower().isin(["", "nan", "na", "null"])
        if bad.any() and non_numeric == "error":
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataError(
                at_line(path, first_line + row, f"{name} {raw.iloc[row]!r} is not a number")
            )
        text[name] = values.astype("float64")
    return text


def raw_bars_of(
    table: ArrowColumns | FrameColumns,
    path: Path,
    first_line: int,
    epoch_unit: EpochUnit,
    choice: UnitChoice | None = None,
) -> RawBars:
    """Raw bars of one chunk of a file's columns; ``first_line`` is the line (text) or row
    (Parquet) of its first row. ``choice`` carries the epoch unit ``"auto"`` chose from the
    file's first chunk to its later chunks."""
    lowered = [str(name).strip().lower() for name in table.names]
    known = {*TIMESTAMP_NAMES, *OHLCV_COLUMNS, "symbol"}
    twice = [name for name in dict.fromkeys(lowered) if name in known and lowered.count(name) > 1]
    if twice:
        raise DataError(f"{path}: column {', '.join(twice)} appears more than once")
    by_lower = dict(zip(lowered, table.names, strict=True))
    ts_name = next((by_lower[n] for n in TIMESTAMP_NAMES if n in by_lower), None)
    missing = [col for col in OHLCV_COLUMNS if col not in by_lower]
    if ts_name is None:
        missing.insert(0, "timestamp")
    if missing:
        raise DataError(
            f"{path}: missing column(s) {', '.join(missing)}; expected "
            "timestamp,open,high,low,close,volume (and optionally symbol)"
        )
    try:
        stamps_given = table.series(ts_name)
        stamps = parse_timestamps(stamps_given, epoch_unit, choice)
        ts, outside = _ns_or_nat(stamps)
    except DataError as exc:  # the file is named here, where it is known
        raise DataError(f"{path}: {exc}") from None
    values = np.empty((len(OHLCV_COLUMNS), len(table)), dtype=np.float64)
    for row, col in zip(values, OHLCV_COLUMNS, strict=True):
        table.floats_into(by_lower[col], row)
    symbol = None
    if "symbol" in by_lower:
        symbol = table.series(by_lower["symbol"]).astype(str).to_numpy()
    outside |= _epoch_overflow(stamps_given, stamps)
    parts = [(str(path), first_line, len(table))]
    return RawBars(ts, values, symbol, parts, ts_outside=outside if outside.any() else None)


def _ns_or_nat(stamps: pd.DatetimeIndex) -> tuple[np.ndarray, np.ndarray]:
    """datetime64[ns] values of UTC ``stamps``, NaT where nanoseconds cannot hold one (before
    1677-09-21 or after 2262-04-11, pandas' range), and the mask of those rows (so the bad
    bar says "outside the range", not "unreadable")."""
    low, high = pd.Timestamp.min.tz_localize("UTC"), pd.Timestamp.max.tz_localize("UTC")
    outside = np.zeros(len(stamps), dtype=bool)
    if stamps.unit != "ns" and (stamps.min() < low or stamps.max() > high):
        outside = np.asarray((stamps < low) | (stamps > high), dtype=bool)
        stamps = stamps.where(~outside)
    return stamps.as_unit("ns").asi8.view("datetime64[ns]"), outside


def _epoch_overflow(given: pd.Series, stamps: pd.DatetimeIndex) -> np.ndarray:
    """Rows whose epoch number is a finite number too large for any datetime (pandas makes
    those NaT); all False when the column is not epoch numbers."""
    if not stamps.isna().any():
        return np.zeros(len(given), dtype=bool)  # every row a datetime: none overflowed
    if not pd.api.types.is_numeric_dtype(given.dtype):
        text = given.astype(str).str.strip()
        if not (len(text) and text.str.fullmatch(r"-?\d+(\.\d+)?").all()):
            return np.zeros(len(given), dtype=bool)
        given = pd.to_numeric(text)
    numbers = given.to_numpy(dtype="float64", na_value=np.nan)
    return np.isfinite(numbers) & np.asarray(stamps.isna())


def epoch_unit_of(largest: float) -> str:
    """The unit of epoch numbers whose largest absolute value is ``largest``.

    Below 1e11 seconds (1e11 s is the year 5138, so every seconds file, 1970-era values
    included, is read as seconds), below 1e14 milliseconds, below 1e17 microseconds, else
    nanoseconds. The one ambiguity: milliseconds before 1973-03-03T09:46:40Z are below 1e11
    and read as seconds; such files need ``epoch_unit = "ms"`` or ISO-8601 text.
    """
    return "s" if largest < 1e11 else "ms" if largest < 1e14 else "us" if largest < 1e17 else "ns"


@dataclass
class UnitChoice:
    """The unit ``epoch_unit = "auto"`` chose for one file, from its first chunk that has
    epoch numbers; a later chunk whose numbers read as another unit is refused (a file holds
    one unit: deciding again per chunk could read part of a file decades off)."""

    unit: str | None = None
    sample: float = 0.0
    """The value the unit was chosen by (named in the error)."""


def parse_timestamps(
    values: pd.Series, epoch_unit: EpochUnit = "auto", choice: UnitChoice | None = None
) -> pd.DatetimeIndex:
    """Datetimes (UTC) from ISO-8601 text (naive = UTC), datetimes, or epoch numbers.

    Epoch numbers are in ``epoch_unit``; ``"auto"`` picks one per file from the largest
    magnitude (:func:`epoch_unit_of`): of the whole ``values``, or, with ``choice``, of the
    file's first chunk, later chunks having to agree. Unreadable values become NaT.
    """
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        return pd.DatetimeIndex(values).tz_convert("UTC")
    if pd.api.types.is_datetime64_dtype(values.dtype):
        return pd.DatetimeIndex(values).tz_localize("UTC")
    if pd.api.types.is_numeric_dtype(values.dtype):
        exact_ints = pd.api.types.is_integer_dtype(values.dtype) and not values.isna().any()
        numbers = (
            values.to_numpy(dtype="int64")
            if exact_ints
            else values.to_numpy(dtype="float64", na_value=np.nan)
        )
        unit = epoch_unit
        if unit == "auto":
            unit = _auto_unit(numbers, choice)
        return pd.DatetimeIndex(pd.to_datetime(numbers, unit=unit, utc=True, errors="coerce"))
    text = values.astype(str).str.strip()
    if text.str.fullmatch(r"-?\d+(\.\d+)?").all() and len(text):
        return parse_timestamps(pd.to_numeric(text), epoch_unit, choice)
    return pd.DatetimeIndex(pd.to_datetime(text, utc=True, format="ISO8601", errors="coerce"))


def _auto_unit(numbers: np.ndarray, choice: UnitChoice | None) -> str:
    """The unit of epoch ``numbers`` by magnitude (see :func:`parse_timestamps`)."""
    finite = np.abs(numbers[np.isfinite(numbers)])
    # a value no unit can hold (past 2262 even in ns) is a bad bar, not a unit
    dated = finite[finite < 2**63]
    low, high = (float(dated.min()), float(dated.max())) if dated.size else (0.0, 0.0)
    if choice is not None and choice.unit is not None:
        for value in (low, high) if dated.size else ():
            if epoch_unit_of(value) != choice.unit:
                raise _mixed_units(choice.sample, choice.unit, value)
        return choice.unit
    largest = float(finite.max()) if finite.size else 0.0
    unit = epoch_unit_of(largest)
    if epoch_unit_of(low) != epoch_unit_of(high):  # e.g. seconds and milliseconds
        raise _mixed_units(low, epoch_unit_of(low), high)
    if choice is not None and finite.size:
        choice.unit, choice.sample = unit, largest
    return unit


def _mixed_units(first: float, unit: str, other: float) -> DataError:
    return DataError(
        f"numeric timestamps mix units: {first:.0f} reads as {unit} "
        f"but {other:.0f} as {epoch_unit_of(other)}; write every timestamp in one unit "
        '(or set the feed\'s epoch_unit, e.g. epoch_unit = "ms")'
    )


def symbol_files(folder: Path, symbol: str, explicit: str | None) -> list[Path]:
    """The files holding ``symbol`` in ``folder``, read in this order as one series:
    explicit (a file, or a glob pattern such as ``btc/2024-*.csv``, its matches in name
    order), ``STEM.csv|.parquet``, or ``STEM/*``.

    A ``STEM/`` folder holds one file per day or month (the layout ``logos feed record``
    writes); its files are read in name order.
    """
    if explicit is not None:
        return explicit_files(folder, explicit)
    stem = symbol_file_stem(symbol)
    for suffix in BAR_SUFFIXES:
        candidate = folder / f"{stem}{suffix}"
        if candidate.is_file():
            return [candidate]
    sub = folder / stem
    if sub.is_dir():
        files = sorted(p for p in sub.iterdir() if p.is_file() and bar_suffix(p))
        if files:
            return files
    tried = ", ".join([f"{stem}{s}" for s in BAR_SUFFIXES] + [f"{stem}/"])
    raise DataError(f"{folder}: no bar file for symbol {symbol!r} (looked for {tried})")


def explicit_files(folder: Path, name: str) -> list[Path]:
    """The file ``name`` names in ``folder``; a glob pattern (``*``, ``?``, ``[``) gives
    every matching bar file in name order (an error when none matches)."""
    if not any(char in name for char in "*?["):
        return [folder / name]
    matches = sorted(
        p for p in folder.glob(name) if p.is_file() and bar_suffix(p)
    )  # sorted by the whole path: by folder, then by name
    if not matches:
        raise DataError(f"{folder}: no bar file matches {name!r}")
    return matches


def folder_symbols(folder: Path) -> dict[str, list[Path]]:
    """Every symbol in ``folder`` (by file or sub-folder name) with its files."""
    found: dict[str, list[Path]] = {}
    for entry in sorted(folder.iterdir()):
        if entry.is_file() and bar_suffix(entry):
            found[_bar_stem(entry)] = [entry]
        elif entry.is_dir():
            files = sorted(p for p in entry.iterdir() if p.is_file() and bar_suffix(p))
            if files:
                found[entry.name] = files
    if not found:
        raise DataError(f"{folder}: no .csv, .csv.gz or .parquet bar files")
    return found
