"""The shape of the bar DataFrame strategies receive, checked (files are read by the replay
feed: ``ReplayFeed(path=...).load_frames()`` gives frames of exactly this shape), and the same
bars as the ``Bar`` records ``Strategy.update`` receives."""

from __future__ import annotations

import pandas as pd

from logos.domain import Bar
from logos.errors import DataError
from logos.feeds.replay import merge_slices
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


def bars_from_frame(bars: pd.DataFrame, symbol: str) -> list[Bar]:
    """The rows of a strategy input frame as the ``Bar`` records the replay feed delivers for
    them (its own conversion: each float becomes ``decimal_from_float(x)``, each timestamp a
    tz-aware UTC ``datetime``)."""
    return [bar for (bar,) in merge_slices({symbol: bars}, [symbol])]
