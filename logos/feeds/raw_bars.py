"""Bars as read from files, before validation: the arrays the replay feed validates and
turns into frames without copying them again.

The raw frame (:meth:`RawBars.frame`) has ``ts`` (datetime64 UTC; NaT where unreadable),
float64 ``open high low close volume``, ``symbol`` when the file has that column, and
``_file``/``_line`` so every problem can name its source position.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from logos.feeds.validation import OHLCV_COLUMNS


@dataclass
class RawBars:
    """Bars as read from one or more files, before validation.

    ``values`` is one float64 block of shape (5, n), rows ``open high low close volume``, so
    the validated DataFrame can use it without a copy. ``parts`` names each file read, its
    first line and its row count; ``rows`` (None: every row) selects rows of those files.
    """

    ts: np.ndarray
    """datetime64[ns], UTC, NaT where unreadable."""
    values: np.ndarray
    symbol: np.ndarray | None
    parts: list[tuple[str, int, int]]
    rows: np.ndarray | None = None
    ts_outside: np.ndarray | None = None
    """Bool mask: the timestamp was given but lies outside pandas' range (its ``ts`` is NaT);
    None when no row is."""

    def __len__(self) -> int:
        return len(self.ts)

    def take(self, rows: np.ndarray) -> RawBars:
        """The bars at positions ``rows`` (int array, or a boolean mask)."""
        rows = np.flatnonzero(rows) if rows.dtype == bool else rows
        symbol = None if self.symbol is None else self.symbol[rows]
        kept = rows if self.rows is None else self.rows[rows]
        outside = None if self.ts_outside is None else self.ts_outside[rows]
        return RawBars(self.ts[rows], self.values[:, rows], symbol, self.parts, kept, outside)

    @classmethod
    def concat(cls, pieces: Sequence[RawBars]) -> RawBars:
        """Several files' bars in order (each read whole)."""
        if len(pieces) == 1:
            return pieces[0]
        symbol = None
        if any(p.symbol is not None for p in pieces):
            symbol = np.concatenate(
                [p.symbol if p.symbol is not None else np.full(len(p), np.nan) for p in pieces]
            )
        return cls(
            np.concatenate([p.ts for p in pieces]),
            np.concatenate([p.values for p in pieces], axis=1),
            symbol,
            [part for p in pieces for part in p.parts],
            ts_outside=None
            if all(p.ts_outside is None for p in pieces)
            else np.concatenate(
                [
                    p.ts_outside if p.ts_outside is not None else np.zeros(len(p), bool)
                    for p in pieces
                ]
            ),
        )

    def position(self, row: int) -> tuple[str, int]:
        """``(file, line)`` of the bar at position ``row``."""
        index = int(row if self.rows is None else self.rows[row])
        for name, first, count in self.parts:
            if index < count:
                return name, first + index
            index -= count
        raise IndexError(row)

    def frame(self) -> pd.DataFrame:
        """The raw frame (see module docstring), rows numbered from 0."""
        columns: dict[str, object] = {"ts": pd.DatetimeIndex(self.ts).tz_localize("UTC")}
        columns.update(zip(OHLCV_COLUMNS, self.values, strict=True))
        if self.symbol is not None:
            columns["symbol"] = self.symbol
        names = list(dict.fromkeys(name for name, _, _ in self.parts))
        part_codes = np.array([names.index(name) for name, _, _ in self.parts], dtype=np.int32)
        codes = np.repeat(part_codes, [n for _, _, n in self.parts])
        lines = np.concatenate([np.arange(first, first + n) for _, first, n in self.parts])
        if self.rows is not None:
            codes, lines = codes[self.rows], lines[self.rows]
        if self.ts_outside is not None:
            columns["_ts_outside"] = self.ts_outside
        columns["_file"] = pd.Categorical.from_codes(codes, names)
        columns["_line"] = lines.astype(np.int64)
        return pd.DataFrame(columns)
