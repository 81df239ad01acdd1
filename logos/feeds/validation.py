"""Vectorized validation of OHLCV bar frames (no per-row Python on the happy path).

A frame to validate has a ``ts`` column (datetime64, UTC), float64 ``open high low close
volume``, optionally ``symbol``, and the source position of each row: ``_file`` and
``_line`` (1-based line of a text file, header = line 1; data row of a Parquet file).
Each row gets one problem code (the first that applies, in the order of :data:`PROBLEMS`);
:func:`describe_problem` turns one row's code into the sentence a DataError shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pandas as pd

from logos.domain import Bar
from logos.timeutil import isoformat_utc

PRICE_COLUMNS = ("open", "high", "low", "close")
OHLCV_COLUMNS = (*PRICE_COLUMNS, "volume")

OK = 0
PROBLEMS: dict[int, str] = {
    1: "missing timestamp",
    2: "missing, non-numeric or infinite value",
    3: "non-positive price",
    4: "high below low",
    5: "open outside [low, high]",
    6: "close outside [low, high]",
    7: "negative volume",
    8: "duplicate timestamp",
    9: "timestamp out of order",
}
"""Problem code → kind, in the order they are checked (the first that applies wins)."""
DUPLICATE = 8
OUT_OF_ORDER = 9


def bar_problems(frame: pd.DataFrame) -> np.ndarray:
    """One int8 code per row: 0 when the bar is valid, else a key of :data:`PROBLEMS`.

    Ordering is checked per symbol (when there is a ``symbol`` column) among the rows whose
    values are valid: a row whose timestamp equals an earlier one is a duplicate; one below
    the running maximum is out of order.
    """
    o, h, lo, c, v = (frame[col].to_numpy(dtype="float64") for col in OHLCV_COLUMNS)
    ts_missing = frame["ts"].isna().to_numpy()
    has_nan = ~(np.isfinite(o) & np.isfinite(h) & np.isfinite(lo) & np.isfinite(c) & np.isfinite(v))
    with np.errstate(invalid="ignore"):
        conditions = [
            ts_missing,
            has_nan,
            (o <= 0) | (h <= 0) | (lo <= 0) | (c <= 0),
            h < lo,
            (o < lo) | (o > h),
            (c < lo) | (c > h),
            v < 0,
        ]
    codes = np.select(conditions, list(range(1, 8)), default=OK).astype(np.int8)
    _mark_ordering(frame, codes)
    return codes


@dataclass(frozen=True)
class LastBar:
    """The last valid bar of a symbol before a chunk (nanoseconds UTC, and where it is):
    what the ordering checks compare a chunk's bars with, so a duplicate or out-of-order
    timestamp is caught across chunk boundaries and named as a whole-file check names it."""

    ts: int
    file: str
    line: int


def with_last_bar(frame: pd.DataFrame, last: LastBar | None) -> pd.DataFrame:
    """``frame`` (a raw frame) with ``last`` as a valid row before its first row, so
    :func:`bar_problems` and :func:`describe_problem` see it as the earlier bar it is (its
    prices are placeholders, only its timestamp and position are compared or named)."""
    if last is None:
        return frame
    row: dict[str, object] = {"ts": pd.DatetimeIndex([last.ts]).tz_localize("UTC")}
    row.update({name: [1.0] for name in OHLCV_COLUMNS})
    for name in frame.columns:
        if name == "symbol":
            row[name] = frame[name].iloc[:1].to_numpy() if len(frame) else [None]
        elif name == "_ts_outside":
            row[name] = [False]
    row["_file"] = [last.file]
    row["_line"] = [last.line]
    head = pd.DataFrame(row)[list(frame.columns)]
    return pd.concat([head, frame.astype({"_file": str})], ignore_index=True)


def all_valid(ts: np.ndarray, values: np.ndarray) -> bool:
    """True when every bar is valid: no timestamp missing, strictly increasing timestamps,
    and OHLCV ``values`` (shape (5, n)) that pass every value check of :func:`bar_problems`.

    One quick pass for the usual clean file; when it says False, :func:`bar_problems` finds
    which bars are bad and why.
    """
    o, h, lo, c, v = values
    if np.isnat(ts).any() or not np.isfinite(values).all():
        return False
    stamps = ts.view("i8")
    if not bool(np.all(stamps[1:] > stamps[:-1])):
        return False
    # lo <= o <= h and lo <= c <= h (so h >= lo), all prices > 0 since lo > 0
    ok = lo > 0
    ok &= lo <= o
    ok &= o <= h
    ok &= lo <= c
    ok &= c <= h
    ok &= v >= 0
    return bool(ok.all())


def _mark_ordering(frame: pd.DataFrame, codes: np.ndarray) -> None:
    valid = codes == OK
    ts = frame["ts"].to_numpy(dtype="datetime64[ns]", na_value=np.datetime64("NaT")).view("i8")
    if "symbol" not in frame.columns:
        kept = ts[valid]
        if kept.size < 2 or bool(np.all(kept[1:] > kept[:-1])):
            return
        keys = pd.DataFrame({"ts": kept})
        dup = keys.duplicated().to_numpy()
        running = np.maximum.accumulate(kept)
        previous = np.concatenate(([np.iinfo(np.int64).min], running[:-1]))
    else:
        keys = pd.DataFrame({"symbol": frame["symbol"].to_numpy()[valid], "ts": ts[valid]})
        dup = keys.duplicated().to_numpy()
        running = keys.groupby("symbol", sort=False)["ts"].cummax()
        previous = (
            running.groupby(keys["symbol"], sort=False)
            .shift(1)
            .fillna(np.iinfo(np.int64).min)
            .to_numpy(dtype="int64")
        )
    out_of_order = ~dup & (keys["ts"].to_numpy() < previous)
    positions = np.flatnonzero(valid)
    codes[positions[dup]] = DUPLICATE
    codes[positions[out_of_order]] = OUT_OF_ORDER


def _num(value: float) -> str:
    return repr(float(value))


def describe_problem(frame: pd.DataFrame, codes: np.ndarray, row: int) -> str:
    """The sentence for row ``row`` (positional) with the values that make it bad."""
    code = int(codes[row])
    bar = frame.iloc[row]
    o, h, lo, c, v = (bar[col] for col in OHLCV_COLUMNS)
    if code == 1:
        if "_ts_outside" in frame.columns and bool(bar["_ts_outside"]):
            return (
                "timestamp outside the range pandas can hold (1677-09-21 to 2262-04-11): a "
                "mistyped year, or epoch numbers in another unit (the feed's epoch_unit)"
            )
        return "missing or unreadable timestamp"
    if code == 2:
        missing = [col for col in OHLCV_COLUMNS if pd.isna(bar[col])]
        infinite = [col for col in OHLCV_COLUMNS if not pd.isna(bar[col]) and np.isinf(bar[col])]
        parts = [f"missing value (NaN) in {', '.join(missing)}"] if missing else []
        # (a non-numeric cell is read as missing only under on_bad_bar = "skip")
        parts += [f"infinite value in {', '.join(infinite)}"] if infinite else []
        return "; ".join(parts)
    if code == 3:
        cols = [f"{col}={_num(bar[col])}" for col in PRICE_COLUMNS if bar[col] <= 0]
        return f"non-positive price: {', '.join(cols)}"
    if code == 4:
        return f"high {_num(h)} is below low {_num(lo)}"
    if code == 5:
        return f"open {_num(o)} is outside [low, high] = [{_num(lo)}, {_num(h)}]"
    if code == 6:
        return f"close {_num(c)} is outside [low, high] = [{_num(lo)}, {_num(h)}]"
    if code == 7:
        return f"negative volume {_num(v)}"
    return _describe_ordering(frame, codes, row, code)


def _describe_ordering(frame: pd.DataFrame, codes: np.ndarray, row: int, code: int) -> str:
    ts = frame["ts"].iloc[row]
    earlier = frame.iloc[:row]
    earlier = earlier[codes[:row] == OK]
    if "symbol" in frame.columns:
        earlier = earlier[earlier["symbol"] == frame["symbol"].iloc[row]]
    symbol = f" for {frame['symbol'].iloc[row]}" if "symbol" in frame.columns else ""
    if code == 8:
        first = earlier[earlier["ts"] == ts].iloc[0]
        return f"duplicate timestamp {isoformat_utc(ts)}{symbol} (first at {where(first)})"
    latest = earlier.loc[earlier["ts"].idxmax()]
    return (
        f"timestamp {isoformat_utc(ts)}{symbol} is out of order: it comes after "
        f"{isoformat_utc(latest['ts'])} ({where(latest)})"
    )


def where(row: pd.Series) -> str:
    """``file, line N`` of one row of a validated frame."""
    return f"{row['_file']}, {line_unit(str(row['_file']))} {int(row['_line'])}"


def line_unit(file: str) -> str:
    """How a position in ``file`` is named: ``line`` (text, header = line 1) or ``row``."""
    return "row" if file.lower().endswith((".parquet", ".pq")) else "line"


def bar_problem(bar: Bar) -> str | None:
    """Why one live bar is invalid (same rules as the files), or None when it is fine."""
    values = (bar.open, bar.high, bar.low, bar.close, bar.volume)
    if any(not isinstance(v, Decimal) or not v.is_finite() for v in values):
        return "missing or infinite value"
    if min(bar.open, bar.high, bar.low, bar.close) <= 0:
        return "non-positive price"
    if bar.high < bar.low:
        return "high below low"
    if not bar.low <= bar.open <= bar.high:
        return "open outside [low, high]"
    if not bar.low <= bar.close <= bar.high:
        return "close outside [low, high]"
    if bar.volume < 0:
        return "negative volume"
    return None
