"""Bar DataFrames as strategies receive them: reading a bars CSV and checking a frame's shape."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from logos.errors import DataError
from logos.strategies.base import BAR_COLUMNS


def check_bars_frame(bars: pd.DataFrame, source: str = "bars") -> pd.DataFrame:
    """Raise DataError unless ``bars`` has the strategy input shape (see ``Strategy``)."""
    index = bars.index
    if not isinstance(index, pd.DatetimeIndex) or index.tz is None:
        raise DataError(f"{source}: index must be a tz-aware UTC DatetimeIndex")
    if str(index.tz) != "UTC":
        raise DataError(f"{source}: index timezone is {index.tz}, expected UTC")
    missing = [c for c in BAR_COLUMNS if c not in bars.columns]
    if missing:
        raise DataError(f"{source}: missing column(s) {', '.join(missing)}")
    if not index.is_monotonic_increasing or not index.is_unique:
        raise DataError(f"{source}: timestamps must be strictly increasing")
    for column in BAR_COLUMNS:
        if bars[column].dtype != "float64":
            raise DataError(f"{source}: column {column} must be float64, is {bars[column].dtype}")
        if bars[column].isna().any():
            row = int(bars[column].isna().to_numpy().argmax())
            raise DataError(f"{source}: column {column} is empty at row {row + 2}")
    return bars


def read_bars_csv(path: str | Path) -> pd.DataFrame:
    """Read ``timestamp,open,high,low,close,volume`` (ISO-8601 UTC open times) into a bar frame."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: data file not found")
    try:
        raw = pd.read_csv(path, dtype={c: "float64" for c in BAR_COLUMNS})
    except (ValueError, pd.errors.ParserError) as exc:
        raise DataError(f"{path}: cannot read as bars CSV: {exc}") from None
    if "timestamp" not in raw.columns:
        raise DataError(f"{path}: missing column timestamp")
    try:
        index = pd.DatetimeIndex(pd.to_datetime(raw["timestamp"], utc=True, format="ISO8601"))
    except (ValueError, TypeError) as exc:
        raise DataError(f"{path}: bad timestamp: {exc}") from None
    bars = raw.drop(columns="timestamp").set_axis(index.rename("ts"))
    return check_bars_frame(bars, source=str(path))
