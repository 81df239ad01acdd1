"""Feed ``replay``: bars from CSV or Parquet files, validated, merged into time slices.

Two views of the same data:

* :meth:`ReplayFeed.load_frames` / :meth:`ReplayFeed.frames` — ``{symbol: DataFrame}``:
  float64 ``open high low close volume``, a tz-aware UTC ``DatetimeIndex`` named ``ts``,
  only valid bars, strictly increasing; what a backtest computes whole-series signals on.
  Exact prices: ``decimal_from_float(x)``.
* the feed contract — ``start(symbols, timeframe, after=)`` then iterate slices
  (``list[Bar]`` per timestamp); Bar prices are ``decimal_from_float`` of the same floats,
  so signals and fills see identical values.

Every bar is validated (see ``logos.feeds.validation``). With ``on_bad_bar = "reject"``
(the default) the first bad bar raises a DataError naming file, line and problem; with
``"skip"`` bad bars are dropped, counted and listed in :attr:`ReplayFeed.report`. Missing
bars are reported as gaps, never invented; in daily bars of a market that closes at weekends
(no bar on any Saturday or Sunday), weekends and one-day holidays are *expected closures*,
reported apart from the gaps (:func:`logos.feeds.base.is_expected_closure`).

The timeframe is checked against the data: a run (or feed ``timeframe``) whose bar interval is
not the data's most common spacing is refused with both named, since logos does not resample
and such a run would be all gaps or overlapping bars (docs/feeds.md).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import Field

from logos.components import Params
from logos.domain import Bar
from logos.errors import DataError, FeedError
from logos.feeds.base import (
    Feed,
    FeedEvent,
    Gap,
    decimal_from_float,
    is_expected_closure,
    parse_timeframe,
    timeframe_label,
)
from logos.feeds.files import EpochUnit, folder_symbols, read_bars, symbol_files
from logos.feeds.raw_bars import RawBars
from logos.feeds.validation import (
    OHLCV_COLUMNS,
    PROBLEMS,
    all_valid,
    bar_problems,
    describe_problem,
    where,
)

SKIPPED_LISTED = 200
"""Skipped bad bars listed one by one (file, line, problem); the rest are only counted."""


@dataclass
class ReplayReport:
    """What loading found: the timeframe used, gaps, expected closures (weekends and
    holidays of daily bars, not gaps), and bad bars skipped (by kind, and the first
    :data:`SKIPPED_LISTED` as ``file, line N: problem``)."""

    timeframe: timedelta | None = None
    gaps: list[Gap] = field(default_factory=list)
    closures: list[Gap] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)
    skipped_rows: list[str] = field(default_factory=list)
    bars: dict[str, int] = field(default_factory=dict)

    @property
    def missing_bars(self) -> int:
        """Bars missing across all gaps (expected closures not included)."""
        return sum(gap.missing for gap in self.gaps)

    @property
    def skipped_total(self) -> int:
        """Bad bars skipped in total."""
        return sum(self.skipped.values())


class ReplayFeed(Feed):
    """Replays bars from CSV or Parquet files, validating every bar.

    ``path`` is one file (one symbol, or a ``symbol`` column for several) or a folder with
    one file per symbol named ``BTC_USDT.csv`` (``/`` and ``:`` become ``_``), or a
    sub-folder per symbol with one file per day (what ``logos feed record`` writes).
    """

    name = "replay"

    class Params(Params):
        path: str = Field(description="a file, or a folder with one file (or folder) per symbol")
        timeframe: str | None = Field(
            None,
            pattern=r"^[1-9][0-9]*[smhdw]$",
            description="bar interval of the files; default: the run's timeframe",
        )
        on_bad_bar: Literal["reject", "skip"] = Field(
            "reject", description="reject the file at the first bad bar, or skip and count them"
        )
        files: dict[str, str] = Field(
            default_factory=dict,
            description="explicit symbol -> file (relative to path when it is a folder)",
        )
        epoch_unit: EpochUnit = Field(
            "auto", description="unit of numeric timestamps; auto: by magnitude, per file"
        )

    params: ReplayFeed.Params

    def __init__(self, params: ReplayFeed.Params | None = None, **kwargs: object) -> None:
        super().__init__(params, **kwargs)
        self.report = ReplayReport()
        self._frames: dict[str, pd.DataFrame] | None = None
        self._skipped_ts: dict[str, np.ndarray] = {}
        """Timestamps of the bad bars skipped, per symbol (they are not gaps)."""

    # -- whole series ------------------------------------------------------------------

    def load_frames(
        self, symbols: Sequence[str] | None = None, timeframe: str | timedelta | None = None
    ) -> dict[str, pd.DataFrame]:
        """Validated bars per symbol (all symbols in ``path`` when ``symbols`` is None).

        The timeframe (for gap detection) is ``timeframe``, else the ``timeframe`` param,
        else the most common spacing in the data. A given timeframe must be the data's: a
        DataError names the file, the data's spacing and the timeframe asked for. Fills
        :attr:`report`.
        """
        raw = self._read(symbols)
        self.report = ReplayReport()
        self._skipped_ts = {}
        frames = {symbol: self._validated(symbol, frame) for symbol, frame in raw.items()}
        tf = self._timeframe(frames, timeframe)
        self.report.timeframe = tf
        for symbol, frame in frames.items():
            self.report.bars[symbol] = len(frame)
            if tf is not None:
                gaps = _without_skipped(find_gaps(symbol, frame.index, tf), self._skipped_ts)
                closes_weekends = tf == _DAY and not _has_weekend_bars(frame.index)
                for gap in gaps:
                    expected = closes_weekends and is_expected_closure(gap)
                    (self.report.closures if expected else self.report.gaps).append(gap)
        self._frames = frames
        return frames

    def frames(self) -> dict[str, pd.DataFrame]:
        """The validated bars this feed replays, per symbol, in the shape strategies take
        (after :meth:`start`, or after :meth:`load_frames`)."""
        frames = self._frames
        if frames is None:
            raise FeedError("replay feed: frames() before start() or load_frames()")
        return frames

    def _read(self, symbols: Sequence[str] | None) -> dict[str, RawBars]:
        path = Path(self.params.path).expanduser()
        if path.is_dir():
            if symbols is None:
                found = {s: [path / f] for s, f in self.params.files.items()} or folder_symbols(
                    path
                )
            else:
                found = {s: symbol_files(path, s, self.params.files.get(s)) for s in symbols}
            unit, cells = self.params.epoch_unit, self._non_numeric
            return {
                s: RawBars.concat([read_bars(f, unit, cells) for f in files])
                for s, files in found.items()
            }
        if not path.exists():
            raise DataError(f"{path}: no such file or folder")
        bars = read_bars(path, self.params.epoch_unit, self._non_numeric)
        if bars.symbol is None:
            if symbols is not None and len(symbols) != 1:
                raise DataError(
                    f"{path}: the file has no symbol column, so it holds one symbol, but "
                    f"{len(symbols)} were asked for ({', '.join(symbols)})"
                )
            return {symbols[0] if symbols else path.stem: bars}
        present = list(pd.unique(bars.symbol))
        wanted = list(symbols) if symbols is not None else present
        absent = [s for s in wanted if s not in present]
        if absent:
            raise DataError(
                f"{path}: no rows for symbol(s) {', '.join(absent)}; the file has "
                f"{', '.join(present)}"
            )
        return {s: bars.take(bars.symbol == s) for s in wanted}

    @property
    def _non_numeric(self) -> Literal["error", "nan"]:
        """A cell that is not a number is a bad bar to skip like any other under "skip"."""
        return "nan" if self.params.on_bad_bar == "skip" else "error"

    def _validated(self, symbol: str, bars: RawBars) -> pd.DataFrame:
        if not all_valid(bars.ts, bars.values):
            frame = bars.frame()
            codes = bar_problems(frame)
            bad = np.flatnonzero(codes)
            if bad.size and self.params.on_bad_bar == "reject":
                first = int(bad[0])
                raise DataError(
                    f"{where(frame.iloc[first])}: {describe_problem(frame, codes, first)} "
                    f'({bad.size} bad bar(s) for {symbol}; set on_bad_bar = "skip" to skip them)'
                )
            kinds, counts = np.unique(codes[bad], return_counts=True)
            for kind, count in zip(kinds, counts, strict=True):
                key = PROBLEMS[int(kind)]
                self.report.skipped[key] = self.report.skipped.get(key, 0) + int(count)
            room = SKIPPED_LISTED - len(self.report.skipped_rows)
            self.report.skipped_rows += [
                f"{where(frame.iloc[int(row)])}: {describe_problem(frame, codes, int(row))}"
                for row in bad[: max(room, 0)]
            ]
            skipped = bars.ts[bad].view("i8")
            self._skipped_ts[symbol] = np.unique(skipped[~np.isnat(bars.ts[bad])])
            bars = bars.take(codes == 0)
        index = pd.DatetimeIndex(bars.ts, name="ts").tz_localize("UTC")
        # the (5, n) block becomes the frame's one float block as it is: no copy
        return pd.DataFrame(bars.values.T, columns=list(OHLCV_COLUMNS), index=index, copy=False)

    def _timeframe(
        self, frames: dict[str, pd.DataFrame], timeframe: str | timedelta | None
    ) -> timedelta | None:
        """The run's timeframe, checked against the feed's ``timeframe`` param and the data."""
        path = Path(self.params.path)
        own = self.params.timeframe
        if (
            timeframe is not None
            and own is not None
            and parse_timeframe(timeframe) != parse_timeframe(own)
        ):
            raise DataError(
                f"{path}: the feed's timeframe {own} disagrees with the run's timeframe "
                f"{_label(parse_timeframe(timeframe))}; set one timeframe, the data's"
            )
        chosen = timeframe or own
        if chosen is None:
            found = {s: _most_common_spacing(f) for s, f in frames.items()}
            spacings = {s: v for s, v in found.items() if v is not None}
            if len(set(spacings.values())) > 1:
                listed = ", ".join(f"{s} {_label(v)}" for s, v in spacings.items())
                raise DataError(
                    f"{path}: the symbols' bars are spaced differently ({listed}); a run has "
                    "one timeframe: give bars of one interval"
                )
            return next(iter(spacings.values()), None)
        tf = parse_timeframe(chosen)
        whose = "the run's timeframe" if timeframe is not None else "the feed's timeframe"
        spacings = {s: _most_common_spacing(f) for s, f in frames.items()}
        finer = [s for s, v in spacings.items() if v is not None and v < tf]
        # sparse bars with some consecutive ones (an illiquid symbol) are bars of tf with
        # gaps; bars of which no two, in any symbol, are one tf apart are not bars of tf
        step = int(tf.total_seconds() * 1_000_000_000)
        counted = [s for s, f in frames.items() if len(f) >= 3]
        coarser = counted and not any(
            bool((np.diff(frames[s].index.asi8) == step).any()) for s in counted
        )
        for symbol in finer or (counted if coarser else []):
            spacing = spacings[symbol]
            assert spacing is not None
            raise DataError(
                f"{_source(path, symbol)}: the bars are {_label(spacing)} apart but "
                f"{whose} is {_label(tf)}; logos does not resample: run with timeframe "
                f"{_label(spacing)} (--timeframe {_label(spacing)}), or give bars "
                f"{_label(tf)} apart"
            )
        return tf

    # -- streaming path (the feed contract) ------------------------------------------

    def _on_start(self) -> None:
        if self.params.timeframe and parse_timeframe(self.params.timeframe) != self.timeframe:
            raise DataError(
                f"{self.params.path}: the feed's timeframe {self.params.timeframe} disagrees "
                f"with the run's timeframe {_label(self.timeframe)}; set one timeframe, the data's"
            )
        frames = self._frames
        if (
            frames is None
            or list(frames) != list(self.symbols)
            or (self.report.timeframe != self.timeframe)
        ):
            # not loaded yet for these symbols (a session loads first to learn the timeframe)
            self.load_frames(self.symbols, self.timeframe)
        self._health.bad_bars_skipped = self.report.skipped_total
        if self.report.skipped_total:
            starts = [f.index[0].to_pydatetime() for f in self.frames().values() if len(f)]
            first = min(starts, default=datetime(1970, 1, 1, tzinfo=UTC))
            self._emit(FeedEvent("bad_bars_skipped", first, dict(self.report.skipped)))

    def _iter_slices(self) -> Iterator[list[Bar]]:
        return merge_slices(self.frames(), self.symbols, self.after, self.until)


_DAY = timedelta(days=1)


def _most_common_spacing(frame: pd.DataFrame) -> timedelta | None:
    """The most common time between consecutive bars (None for fewer than two bars)."""
    if len(frame) < 2:
        return None
    spacing = np.diff(frame.index.asi8)
    if (spacing == spacing[0]).all():  # the usual evenly spaced file: no need to sort
        most_common = int(spacing[0])
    else:
        values, counts = np.unique(spacing, return_counts=True)
        most_common = int(values[np.argmax(counts)])
    return pd.Timedelta(most_common, unit="ns").to_pytimedelta()


def _has_weekend_bars(index: pd.DatetimeIndex) -> bool:
    """True when any bar falls on a Saturday or Sunday (a market open every day)."""
    return bool((index.day_of_week >= 5).any())


def _label(timeframe: timedelta) -> str:
    """``1m``, ``1d`` ... or, for a spacing that is not whole seconds, its plain form."""
    try:
        return timeframe_label(timeframe)
    except FeedError:
        return str(timeframe)


def _source(path: Path, symbol: str) -> str:
    """How a symbol's data is named in a message: the path, and the symbol when the path is
    a folder or a file of several symbols."""
    return str(path) if path.suffix and path.stem == symbol else f"{path} ({symbol})"


def _without_skipped(gaps: list[Gap], skipped_ts: dict[str, np.ndarray]) -> list[Gap]:
    """The gaps less the bars skipped as bad inside them: a skipped bar is reported as
    skipped, not as missing; a gap made only of skipped bars is no gap."""
    kept = []
    for gap in gaps:
        stamps = skipped_ts.get(gap.symbol)
        inside = 0
        if stamps is not None and stamps.size:
            low, high = pd.Timestamp(gap.after).value, pd.Timestamp(gap.before).value
            inside = int(np.count_nonzero((stamps > low) & (stamps < high)))
        if gap.missing > inside:
            kept.append(Gap(gap.symbol, gap.after, gap.before, gap.missing - inside))
    return kept


def find_gaps(symbol: str, index: pd.DatetimeIndex, timeframe: timedelta) -> list[Gap]:
    """Gaps between consecutive bars spaced more than one ``timeframe`` apart."""
    ns = index.asi8
    step = int(timeframe.total_seconds() * 1_000_000_000)
    spacing = np.diff(ns)
    at = np.flatnonzero(spacing > step)
    missing = (spacing[at] - 1) // step
    return [
        Gap(symbol, index[i].to_pydatetime(), index[i + 1].to_pydatetime(), int(m))
        for i, m in zip(at, missing, strict=True)
    ]


def merge_slices(
    frames: dict[str, pd.DataFrame],
    symbols: Sequence[str],
    after: datetime | None = None,
    until: datetime | None = None,
) -> Iterator[list[Bar]]:
    """Time slices (bars with one ts, in ``symbols`` order) with after < ts < until."""
    parts = []
    for rank, symbol in enumerate(symbols):
        frame = frames[symbol]
        if after is not None:
            frame = frame[frame.index > after]
        if until is not None:
            frame = frame[frame.index < until]
        parts.append((rank, frame))
    if not parts:
        return
    ts = np.concatenate([f.index.as_unit("ns").asi8 for _, f in parts])
    ranks = np.concatenate([np.full(len(f), r, dtype=np.int64) for r, f in parts])
    values = np.concatenate([f[list(OHLCV_COLUMNS)].to_numpy() for _, f in parts])
    if len(parts) > 1 or not (ts[1:] > ts[:-1]).all():
        # one symbol's bars in strictly increasing time are in order already: no sort
        order = np.lexsort((ranks, ts))
        ts, ranks, values = ts[order], ranks[order], values[order]
    # a slice ends where the next row has a later timestamp (and at the end)
    ends = np.append(np.flatnonzero(ts[1:] != ts[:-1]) + 1, len(ts))
    exact = _ExactPrices()
    names = np.array(list(symbols), dtype=object)
    start, total = 0, len(ts)
    while start < total:
        # whole slices only: the chunk ends at the last slice end within CHUNK_ROWS rows
        first_end = int(np.searchsorted(ends, start, side="right"))
        last_end = int(np.searchsorted(ends, min(start + CHUNK_ROWS, total), side="right"))
        last_end = max(last_end, first_end + 1)  # a slice longer than a chunk: all of it
        stop = int(ends[last_end - 1])
        rows = slice(start, stop)
        stamps = _datetimes(ts[rows])
        columns = exact.columns(values[rows])
        symbol_names = names[ranks[rows]].tolist()
        bars = list(map(_new_bar, zip(symbol_names, stamps, *columns, strict=True)))
        cuts = (ends[first_end:last_end] - start).tolist()
        if len(cuts) == len(bars):  # one bar per slice (one symbol, or no shared stamps)
            for bar in bars:
                yield [bar]
        else:
            begin = 0
            for cut in cuts:
                yield bars[begin:cut]
                begin = cut
        start = stop


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_new_bar = partial(tuple.__new__, Bar)
"""``Bar._make`` without its length check (``zip(strict=True)`` of the seven fields already
made sure) and without its Python call: one is made per bar."""


def _datetimes(ns: np.ndarray) -> list[datetime]:
    """UTC nanoseconds as tz-aware UTC datetimes, floored to the microsecond (as pandas'
    ``to_pydatetime`` gives them): the epoch plus each time as a ``timedelta``, which numpy
    makes in C and ``datetime + timedelta`` adds in C, about twice as fast as pandas."""
    offsets = ns.view("timedelta64[ns]").astype("timedelta64[us]").tolist()
    return list(map(_EPOCH.__add__, offsets))


CHUNK_ROWS = 65_536
"""Bars built at a time: large enough to vectorize the conversions, small enough that a
long series is never held as Bar objects all at once."""


class _ExactPrices:
    """``decimal_from_float`` of many floats, each distinct value converted once (prices
    repeat a lot), with a bounded cache."""

    CACHE_LIMIT = 200_000

    def __init__(self) -> None:
        self.cache: dict[float, Decimal] = {}

    def columns(self, values: np.ndarray) -> list[list[Decimal]]:
        """One list of Decimals per column of the float block ``values``."""
        cache = self.cache
        if len(cache) > self.CACHE_LIMIT:
            cache.clear()
        codes, uniques = pd.factorize(values.ravel(order="F"))
        decimals = np.empty(len(uniques), dtype=object)
        decimals[:] = [
            cache.get(x) or cache.setdefault(x, decimal_from_float(x)) for x in uniques.tolist()
        ]
        flat = decimals[codes]
        count = len(values)
        return [flat[k * count : (k + 1) * count].tolist() for k in range(values.shape[1])]
