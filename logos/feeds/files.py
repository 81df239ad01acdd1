"""Reading bar files (CSV, Parquet) into raw frames, and mapping symbols to files.

A raw frame has ``ts`` (datetime64 UTC; NaT where unreadable), float64 ``open high low
close volume``, ``symbol`` when the file has that column, and ``_file``/``_line`` so every
problem can name its source position. CSV is parsed by pyarrow (fast path); when pyarrow
refuses the text, pandas re-reads it as strings to name the first bad line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from logos.errors import DataError
from logos.feeds.validation import OHLCV_COLUMNS

TIMESTAMP_NAMES = ("timestamp", "ts", "time", "date", "datetime")
CSV_SUFFIXES = (".csv",)
PARQUET_SUFFIXES = (".parquet", ".pq")
BAR_SUFFIXES = CSV_SUFFIXES + PARQUET_SUFFIXES

EpochUnit = Literal["auto", "s", "ms", "us", "ns"]


def symbol_file_stem(symbol: str) -> str:
    """File-name form of a symbol: ``BTC/USDT`` → ``BTC_USDT`` (``/ \\ :`` become ``_``)."""
    return symbol.replace("/", "_").replace("\\", "_").replace(":", "_")


def read_bar_file(path: Path, epoch_unit: EpochUnit = "auto") -> pd.DataFrame:
    """A raw frame (see module docstring) from one CSV or Parquet file.

    ``epoch_unit`` is the unit of numeric timestamps (see :func:`parse_timestamps`).
    """
    if not path.is_file():
        raise DataError(f"{path}: file not found")
    suffix = path.suffix.lower()
    if suffix in PARQUET_SUFFIXES:
        try:
            table = pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises many types for a bad file
            raise DataError(f"{path}: not a readable Parquet file ({exc})") from None
        if isinstance(table.index, pd.DatetimeIndex):
            name = table.index.name if table.index.name in TIMESTAMP_NAMES else "timestamp"
            table = table.rename_axis(name).reset_index()
        first_line = 1
    elif suffix in CSV_SUFFIXES:
        table = _without_trailing_blank_lines(_read_csv(path))
        first_line = 2
    else:
        raise DataError(f"{path}: unsupported bar file type (use .csv or .parquet)")
    return _raw_frame(table, path, first_line, epoch_unit)


def _without_trailing_blank_lines(table: pd.DataFrame) -> pd.DataFrame:
    """Drop the empty rows blank lines at the end of a file make (a blank line inside the
    data stays, so its line is named as a bad bar)."""
    end = len(table)
    while end and all(pd.isna(v) or str(v).strip() == "" for v in table.iloc[end - 1]):
        end -= 1
    return table.iloc[:end] if end < len(table) else table


def _header(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig") as fh:
        line = fh.readline()
    if not line.strip():
        raise DataError(f"{path}: line 1: empty file or missing header row")
    return [name.strip() for name in line.rstrip("\r\n").split(",")]


def _read_csv(path: Path) -> pd.DataFrame:
    header = _header(path)
    types = {name: pa.float64() for name in header if name.lower() in OHLCV_COLUMNS}
    try:
        table = pacsv.read_csv(
            path,
            parse_options=pacsv.ParseOptions(ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(column_types=types),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError):
        return _read_csv_slowly(path)
    return table.to_pandas()


def _read_csv_slowly(path: Path) -> pd.DataFrame:
    """Re-read as text with pandas to locate the first line pyarrow could not convert."""
    try:
        text = pd.read_csv(
            path, dtype=str, keep_default_na=False, skip_blank_lines=False, encoding="utf-8-sig"
        )
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        raise DataError(f"{path}: not a readable CSV file ({str(exc).strip()})") from None
    text.columns = [str(c).strip() for c in text.columns]
    for name in text.columns:
        if name.lower() not in OHLCV_COLUMNS:
            continue
        raw = text[name].str.strip()
        values = pd.to_numeric(raw.replace({"": "nan"}), errors="coerce")
        bad = values.isna() & ~raw.str.lower().isin(["", "nan", "na", "null"])
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataError(f"{path}: line {row + 2}: {name} {raw.iloc[row]!r} is not a number")
        text[name] = values.astype("float64")
    return text


def _raw_frame(
    table: pd.DataFrame, path: Path, first_line: int, epoch_unit: EpochUnit
) -> pd.DataFrame:
    by_lower = {str(name).strip().lower(): name for name in table.columns}
    ts_name = next((by_lower[n] for n in TIMESTAMP_NAMES if n in by_lower), None)
    missing = [col for col in OHLCV_COLUMNS if col not in by_lower]
    if ts_name is None:
        missing.insert(0, "timestamp")
    if missing:
        raise DataError(
            f"{path}: missing column(s) {', '.join(missing)}; expected "
            "timestamp,open,high,low,close,volume (and optionally symbol)"
        )
    stamps = parse_timestamps(table[ts_name], epoch_unit)
    columns: dict[str, object] = {"ts": stamps.as_unit("ns")}
    for col in OHLCV_COLUMNS:
        values = table[by_lower[col]]
        if values.dtype != np.float64:
            values = pd.to_numeric(values, errors="coerce")
        columns[col] = values.to_numpy(dtype="float64", na_value=np.nan)
    if "symbol" in by_lower:
        columns["symbol"] = table[by_lower["symbol"]].astype(str).to_numpy()
    columns["_file"] = pd.Categorical.from_codes(np.zeros(len(table), dtype=np.int8), [str(path)])
    columns["_line"] = np.arange(first_line, first_line + len(table), dtype=np.int64)
    frame = pd.DataFrame(columns, copy=False)
    return frame


def epoch_unit_of(largest: float) -> str:
    """The unit of epoch numbers whose largest absolute value is ``largest``.

    Below 1e11 seconds (1e11 s is the year 5138, so every seconds file, 1970-era values
    included, is read as seconds), below 1e14 milliseconds, below 1e17 microseconds, else
    nanoseconds. The one ambiguity: milliseconds before 1973-03-03T09:46:40Z are below 1e11
    and read as seconds; such files need ``epoch_unit = "ms"`` or ISO-8601 text.
    """
    return "s" if largest < 1e11 else "ms" if largest < 1e14 else "us" if largest < 1e17 else "ns"


def parse_timestamps(values: pd.Series, epoch_unit: EpochUnit = "auto") -> pd.DatetimeIndex:
    """Datetimes (UTC) from ISO-8601 text (naive = UTC), datetimes, or epoch numbers.

    Epoch numbers are in ``epoch_unit``; ``"auto"`` picks one per file from the largest
    magnitude (:func:`epoch_unit_of`). Unreadable values become NaT.
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
            finite = numbers[np.isfinite(numbers)]
            unit = epoch_unit_of(float(np.abs(finite).max()) if finite.size else 0.0)
        return pd.DatetimeIndex(pd.to_datetime(numbers, unit=unit, utc=True))
    text = values.astype(str).str.strip()
    if text.str.fullmatch(r"-?\d+(\.\d+)?").all() and len(text):
        return parse_timestamps(pd.to_numeric(text), epoch_unit)
    return pd.DatetimeIndex(pd.to_datetime(text, utc=True, format="ISO8601", errors="coerce"))


def symbol_files(folder: Path, symbol: str, explicit: str | None) -> list[Path]:
    """The files holding ``symbol`` in ``folder``: explicit, ``STEM.csv|.parquet``, or ``STEM/*``.

    A ``STEM/`` folder holds one file per day (the layout ``logos feed record`` writes); its
    files are read in name order.
    """
    if explicit is not None:
        return [folder / explicit]
    stem = symbol_file_stem(symbol)
    for suffix in BAR_SUFFIXES:
        candidate = folder / f"{stem}{suffix}"
        if candidate.is_file():
            return [candidate]
    sub = folder / stem
    if sub.is_dir():
        files = sorted(p for p in sub.iterdir() if p.suffix.lower() in BAR_SUFFIXES)
        if files:
            return files
    tried = ", ".join([f"{stem}{s}" for s in BAR_SUFFIXES] + [f"{stem}/"])
    raise DataError(f"{folder}: no bar file for symbol {symbol!r} (looked for {tried})")


def folder_symbols(folder: Path) -> dict[str, list[Path]]:
    """Every symbol in ``folder`` (by file or sub-folder name) with its files."""
    found: dict[str, list[Path]] = {}
    for entry in sorted(folder.iterdir()):
        if entry.is_file() and entry.suffix.lower() in BAR_SUFFIXES:
            found[entry.stem] = [entry]
        elif entry.is_dir():
            files = sorted(p for p in entry.iterdir() if p.suffix.lower() in BAR_SUFFIXES)
            if files:
                found[entry.name] = files
    if not found:
        raise DataError(f"{folder}: no .csv or .parquet bar files")
    return found
