"""Record polled bars to disk so a live session can be replayed exactly by ``replay``.

Layout: ``ROOT/<SYMBOL_STEM>/<YYYY-MM-DD>.csv`` (or ``.parquet``), one file per symbol and
UTC day of the bar's open time, ``SYMBOL_STEM`` being the symbol with ``/ \\ :`` replaced
by ``_`` — exactly what ``ReplayFeed(path=ROOT)`` looks for. CSV rows are
``timestamp,open,high,low,close,volume`` with ISO-8601 ``Z`` timestamps and Decimals written
in plain notation, so replaying gives back equal Decimals. CSV files are appended bar by
bar (flushed per write); Parquet day files are rewritten on :meth:`BarCache.flush`.
A bar at or before the last one cached for its symbol is refused (never written twice).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Literal

import pandas as pd

from logos.domain import Bar
from logos.errors import DataError
from logos.feeds.files import read_bar_file, symbol_file_stem
from logos.feeds.validation import OHLCV_COLUMNS
from logos.timeutil import isoformat_utc

CacheFormat = Literal["csv", "parquet"]
HEADER = "timestamp,open,high,low,close,volume\n"


def _plain(value: object) -> str:
    return format(value, "f")


class BarCache:
    """Writes bars per symbol and day under ``root`` (see the module docstring)."""

    def __init__(self, root: str | Path, fmt: CacheFormat = "csv") -> None:
        if fmt not in ("csv", "parquet"):
            raise DataError(f"cache format must be csv or parquet, not {fmt!r}")
        self.root = Path(root)
        self.fmt = fmt
        self.written: dict[str, int] = defaultdict(int)
        self._last: dict[str, datetime | None] = {}
        self._pending: dict[Path, list[Bar]] = defaultdict(list)

    def path_for(self, symbol: str, ts: datetime) -> Path:
        """The day file of ``symbol`` holding a bar that opens at ``ts``."""
        return self.root / symbol_file_stem(symbol) / f"{ts.date().isoformat()}.{self.fmt}"

    def write(self, bars: Iterable[Bar]) -> None:
        """Append bars (e.g. one slice); each must be newer than the last cached for its symbol."""
        for bar in bars:
            last = self.last_ts(bar.symbol)
            if last is not None and bar.ts <= last:
                raise DataError(
                    f"cache {self.root}: {bar.symbol} bar {isoformat_utc(bar.ts)} is not after "
                    f"the last cached one ({isoformat_utc(last)})"
                )
            path = self.path_for(bar.symbol, bar.ts)
            if self.fmt == "csv":
                self._append_csv(path, bar)
            else:
                self._pending[path].append(bar)
            self._last[bar.symbol] = bar.ts
            self.written[bar.symbol] += 1

    def last_ts(self, symbol: str) -> datetime | None:
        """Open time of the newest bar cached for ``symbol`` (on disk or pending), or None."""
        if symbol not in self._last:
            folder = self.root / symbol_file_stem(symbol)
            files = sorted(folder.glob(f"*.{self.fmt}")) if folder.is_dir() else []
            last = None
            if files:
                frame = read_bar_file(files[-1])
                if len(frame):
                    last = frame["ts"].max().to_pydatetime()
            self._last[symbol] = last
        return self._last[symbol]

    def _append_csv(self, path: Path, bar: Bar) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        new = not path.exists()
        values = ",".join(_plain(v) for v in (bar.open, bar.high, bar.low, bar.close, bar.volume))
        with path.open("a", encoding="utf-8") as fh:
            if new:
                fh.write(HEADER)
            fh.write(f"{isoformat_utc(bar.ts)},{values}\n")

    def flush(self) -> None:
        """Write pending Parquet rows (CSV rows are already on disk)."""
        for path, bars in self._pending.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            rows = pd.DataFrame(
                {
                    "timestamp": pd.DatetimeIndex([b.ts for b in bars]).tz_convert("UTC"),
                    **{col: [float(getattr(b, col)) for b in bars] for col in OHLCV_COLUMNS},
                }
            )
            if path.exists():
                rows = pd.concat([pd.read_parquet(path), rows], ignore_index=True)
            rows.to_parquet(path, index=False)
        self._pending.clear()

    def files(self) -> list[Path]:
        """Every day file under the cache root, sorted."""
        return sorted(self.root.glob(f"*/*.{self.fmt}")) if self.root.is_dir() else []

    def close(self) -> None:
        """Flush what is pending."""
        self.flush()
