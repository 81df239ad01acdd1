"""Feed ``replay``: bars from CSV or Parquet files, validated, merged into time slices.

The files are read a chunk of rows at a time (``chunk_rows``, :mod:`logos.feeds.chunks`), so
beyond a fixed budget memory holds about one chunk per symbol whatever the length of the
series:

* :meth:`ReplayFeed.scan` reads every chunk once, validates it and fills :attr:`report`
  (timeframe, gaps, expected closures, skipped bars, bars per symbol, the number of time
  slices). While the validated chunks fit in :data:`KEEP_BYTES` it keeps them for the
  iteration that follows, so small and medium data (a million bars) is read and validated
  once; once they no longer fit it lets go of all of them (the scan holds up to the budget
  until then) and keeps none;
* iterating the feed (``start(symbols, timeframe, after=)`` then slices, ``list[Bar]`` per
  timestamp) takes the chunks the scan kept (each let go once merged), else reads them
  again, and merges the symbols' chunks into slices (:mod:`logos.feeds.merge`). Chunk
  listeners (:meth:`ReplayFeed.add_chunk_listener`) get
  each validated chunk of a symbol before any of its bars is in a slice: what a backtest
  computes its signals on, chunk by chunk;
* :meth:`ReplayFeed.load_frames` / :meth:`ReplayFeed.frames` — ``{symbol: DataFrame}``,
  the scan's chunks concatenated: float64 ``open high low close volume``, a tz-aware UTC
  ``DatetimeIndex`` named ``ts``, only valid bars, strictly increasing. When frames are
  loaded, the slices come from them through the same merge (sweeps and ``logos
  check-strategy`` hold the data in memory).

Bar prices are ``decimal_from_float`` of the frames' floats, so signals and fills see
identical values.

Every bar is validated (see ``logos.feeds.validation``), across chunk boundaries too (each
chunk is checked after the symbol's last valid bar). With ``on_bad_bar = "reject"`` (the
default) the first bad bar raises a DataError naming file, line and problem, with the number
of bad bars of that symbol; with ``"skip"`` bad bars are dropped, counted and listed in
:attr:`ReplayFeed.report`. Missing bars are reported as gaps, never invented; in daily bars of
a market that closes at weekends (no bar on any Saturday or Sunday), weekends and one-day
holidays are *expected closures*, reported apart from the gaps
(:func:`logos.feeds.base.is_expected_closure`).

The timeframe is checked against the data: a run (or feed ``timeframe``) whose bar interval is
not the data's most common spacing is refused with both named, since logos does not resample
and such a run would be all gaps or overlapping bars (docs/feeds.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import islice
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
    is_expected_closure,
    parse_timeframe,
    timeframe_label,
)
from logos.feeds.chunks import (
    DEFAULT_CHUNK_ROWS,
    SymbolSource,
    frame_chunks,
    symbols_in_file,
)
from logos.feeds.files import EpochUnit, explicit_files, folder_symbols, symbol_files
from logos.feeds.merge import (
    Block,
    bar_slices,
    count_slices,
    merge_blocks,
    window,
)
from logos.feeds.merge import merge_slices as merge_slices
from logos.feeds.raw_bars import RawBars
from logos.feeds.validation import (
    DUPLICATE,
    OHLCV_COLUMNS,
    OUT_OF_ORDER,
    PROBLEMS,
    LastBar,
    all_valid,
    bar_problems,
    describe_problem,
    line_unit,
    where,
    with_last_bar,
)
from logos.timeutil import isoformat_utc

SKIPPED_LISTED = 200
"""Skipped bad bars listed one by one (file, line, problem); the rest are only counted."""

CHUNK_ROWS_BUDGET = 1 << 20
"""Rows held at once by default, over all symbols (with more than 8 symbols, each reads
this share of it at a time)."""
MIN_CHUNK_ROWS = 8192
"""The smallest default chunk, however many symbols: below it per-chunk work would show."""
KEEP_BYTES = 100 * 2**20
"""Memory up to which a scan keeps its validated chunks for the iteration after it, instead
of reading and validating the files a second time: about two million bars in chunks of
thousands of rows (see :data:`BAR_BYTES` and :data:`CHUNK_BYTES`)."""
BAR_BYTES = 48
"""What a kept bar takes: a float64 per price and the volume, and an int64 time."""
CHUNK_BYTES = 3_500
"""What a kept chunk takes besides its bars (the frame, its index and blocks): small chunks,
such as the 24 hourly bars of a day's file, cost more per bar than their bars."""

ChunkListener = Callable[[str, pd.DataFrame], None]
"""Called with a symbol and one validated chunk of its bars (the shape of a frame of
:meth:`ReplayFeed.load_frames`)."""


@dataclass
class ReplayReport:
    """What loading found: the timeframe used, gaps, expected closures (weekends and
    holidays of daily bars, not gaps), bad bars skipped (by kind, and the first
    :data:`SKIPPED_LISTED` as ``file, line N: problem``), valid bars per symbol and the
    number of time slices (distinct timestamps over all symbols: what a progress bar counts)."""

    timeframe: timedelta | None = None
    gaps: list[Gap] = field(default_factory=list)
    closures: list[Gap] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)
    skipped_rows: list[str] = field(default_factory=list)
    bars: dict[str, int] = field(default_factory=dict)
    slices: int = 0

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
    sub-folder per symbol with one file per day or month (what ``logos feed record``
    writes). ``files`` maps symbols to files of the folder, or to glob patterns matching
    several files of one symbol, read in name order as one series.
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
            description="explicit symbol -> file or glob pattern (relative to a folder path)",
        )
        epoch_unit: EpochUnit = Field(
            "auto", description="unit of numeric timestamps; auto: by magnitude, per file"
        )
        chunk_rows: int | None = Field(
            None,
            ge=2,
            description="rows read at a time from each file (memory: about one chunk a symbol, "
            "past the 100 MiB a scan may keep for the run); "
            "default: 131072, less with many symbols",
        )

    params: ReplayFeed.Params

    def __init__(self, params: ReplayFeed.Params | None = None, **kwargs: object) -> None:
        super().__init__(params, **kwargs)
        self.report = ReplayReport()
        self._frames: dict[str, pd.DataFrame] | None = None
        self._skipped_ts: dict[str, np.ndarray] = {}
        """Timestamps of the bad bars skipped, per symbol (they are not gaps)."""
        self._sources: dict[str, SymbolSource] = {}
        self._scanned: tuple[tuple[str, ...], timedelta | None] | None = None
        """The symbols and timeframe :attr:`report` was made for."""
        self._first_ts: dict[str, int] = {}
        self._listeners: list[ChunkListener] = []
        self._held: dict[str, pd.DataFrame] | None = None
        """The frames the slices come from (loaded), or None: the scan's kept chunks or
        the files."""
        self._kept: dict[str, list[pd.DataFrame]] | None = None
        """The last scan's validated chunks per symbol (within :data:`KEEP_BYTES`), for the
        next iteration of the same symbols; None when it kept none or they were taken."""

    # -- the two passes --------------------------------------------------------------

    def add_chunk_listener(self, listener: ChunkListener) -> None:
        """Call ``listener(symbol, chunk)`` for each validated chunk of each symbol while the
        feed is iterated: per symbol in time order, every valid bar exactly once (those
        before ``after`` and from ``until`` on included: a restarted run derives its state
        from the start), each chunk before any of its bars is in a slice."""
        self._listeners.append(listener)

    def scan(
        self, symbols: Sequence[str] | None = None, timeframe: str | timedelta | None = None
    ) -> ReplayReport:
        """Read and validate every bar of ``symbols`` (all symbols in ``path`` when None)
        once, a chunk at a time, and return :attr:`report`; the validated chunks are kept for
        the next iteration when they fit in :data:`KEEP_BYTES` (the module docstring).

        The timeframe (for gap detection) is ``timeframe``, else the ``timeframe`` param,
        else the most common spacing in the data. A given timeframe must be the data's: a
        DataError names the file, the data's spacing and the timeframe asked for.
        """
        self._scan(symbols, timeframe, keep=False)
        return self.report

    def load_frames(
        self, symbols: Sequence[str] | None = None, timeframe: str | timedelta | None = None
    ) -> dict[str, pd.DataFrame]:
        """Validated bars per symbol (all symbols in ``path`` when ``symbols`` is None): the
        chunks of :meth:`scan` concatenated, held in memory. Fills :attr:`report`."""
        frames = self._scan(symbols, timeframe, keep=True)
        assert frames is not None
        self._frames = frames
        return frames

    def frames(self) -> dict[str, pd.DataFrame]:
        """The validated bars this feed replays, per symbol, in the shape strategies take
        (after :meth:`load_frames`; a feed that streams its files holds no frames)."""
        frames = self._frames
        if frames is None:
            raise FeedError("replay feed: frames() before load_frames()")
        return frames

    def _scan(
        self, symbols: Sequence[str] | None, timeframe: str | timedelta | None, *, keep: bool
    ) -> dict[str, pd.DataFrame] | None:
        chosen = self._chosen_timeframe(timeframe)
        sources = self._resolve(symbols)
        self.report, self._skipped_ts, self._frames, self._scanned = ReplayReport(), {}, None, None
        self._sources, self._kept = sources, None
        skipped = _Skipped()
        series = {symbol: _Series() for symbol in sources}
        kept = _Kept(sources, None if keep else KEEP_BYTES)
        streams = [
            self._scan_blocks(symbol, source, series[symbol], skipped, kept)
            for symbol, source in sources.items()
        ]
        slices = count_slices(merge_blocks(streams))
        tf = self._timeframe(series, chosen, given=timeframe is not None)
        report = self.report
        report.timeframe, report.slices = tf, slices
        skipped.into(report, self._skipped_ts, list(sources))
        for symbol, found in series.items():
            report.bars[symbol] = found.bars
            if tf is None:
                continue
            gaps = _without_skipped(found.gaps(symbol, tf), self._skipped_ts)
            closes_weekends = tf == _DAY and not found.weekend
            for gap in gaps:
                expected = closes_weekends and is_expected_closure(gap)
                (report.closures if expected else report.gaps).append(gap)
        self._scanned = (tuple(sources), tf)
        self._first_ts = {s: found.first for s, found in series.items() if found.first is not None}
        if not keep:
            self._kept = kept.chunks
            return None
        assert kept.chunks is not None
        return {symbol: _concat(chunks) for symbol, chunks in kept.chunks.items()}

    def _scan_blocks(
        self,
        symbol: str,
        source: SymbolSource,
        series: _Series,
        skipped: _Skipped,
        kept: _Kept,
    ) -> Iterator[Block]:
        for frame in self._validated(symbol, source, skipped):
            stamps = frame.index.asi8
            series.add(stamps)
            kept.add(symbol, frame)
            yield stamps, None

    def _chosen_timeframe(self, timeframe: str | timedelta | None) -> str | timedelta | None:
        """The run's timeframe or the feed's own, refused when they disagree."""
        own = self.params.timeframe
        if (
            timeframe is not None
            and own is not None
            and parse_timeframe(timeframe) != parse_timeframe(own)
        ):
            raise DataError(
                f"{Path(self.params.path)}: the feed's timeframe {own} disagrees with the run's "
                f"timeframe {_label(parse_timeframe(timeframe))}; set one timeframe, the data's"
            )
        return timeframe or own

    def _resolve(self, symbols: Sequence[str] | None) -> dict[str, SymbolSource]:
        """Where each symbol's bars are. Nothing is read but a file with a ``symbol``
        column: once, a chunk at a time, to list its symbols."""
        path = Path(self.params.path).expanduser()
        if path.is_dir():
            if symbols is None:
                explicit = self.params.files
                found = (
                    {s: explicit_files(path, f) for s, f in explicit.items()}
                    if explicit
                    else folder_symbols(path)
                )
            else:
                found = {s: symbol_files(path, s, self.params.files.get(s)) for s in symbols}
            return {s: SymbolSource(s, tuple(files)) for s, files in found.items()}
        if not path.exists():
            raise DataError(f"{path}: no such file or folder")
        present = symbols_in_file(
            path, self.params.epoch_unit, self._non_numeric, self._chunk_rows(1)
        )
        if present is None:
            if symbols is not None and len(symbols) != 1:
                raise DataError(
                    f"{path}: the file has no symbol column, so it holds one symbol, but "
                    f"{len(symbols)} were asked for ({', '.join(symbols)})"
                )
            symbol = symbols[0] if symbols else path.stem
            return {symbol: SymbolSource(symbol, (path,))}
        wanted = list(symbols) if symbols is not None else present
        absent = [s for s in wanted if s not in present]
        if absent:
            raise DataError(
                f"{path}: no rows for symbol(s) {', '.join(absent)}; the file has "
                f"{', '.join(present)}"
            )
        return {s: SymbolSource(s, (path,), only=s) for s in wanted}

    def _chunk_rows(self, symbols: int) -> int:
        """The ``chunk_rows`` param, or the default for this many symbols: a chunk of every
        symbol is held at once, so past a few symbols they share a budget of rows."""
        if self.params.chunk_rows is not None:
            return self.params.chunk_rows
        return max(MIN_CHUNK_ROWS, min(DEFAULT_CHUNK_ROWS, CHUNK_ROWS_BUDGET // max(symbols, 1)))

    @property
    def _non_numeric(self) -> Literal["error", "nan"]:
        """A cell that is not a number is a bad bar to skip like any other under "skip"."""
        return "nan" if self.params.on_bad_bar == "skip" else "error"

    def _validated(
        self, symbol: str, source: SymbolSource, skipped: _Skipped | None
    ) -> Iterator[pd.DataFrame]:
        """The symbol's valid bars, a validated chunk at a time, in file order.

        Each chunk is checked after the last valid bar before it, so ordering holds across
        chunks and files. Under "reject" the first bad bar's error is raised once the rest
        of the symbol's bars are counted (the message gives the total); under "skip" bad
        bars go to ``skipped`` (None: already counted by the scan).
        """
        reject = self.params.on_bad_bar == "reject"
        last: LastBar | None = None
        file, check_start = "", False
        first_bad, bad_total = "", 0
        rows = self._chunk_rows(len(self._sources))
        chunks = source.chunks(self.params.epoch_unit, self._non_numeric, rows)
        for done, bars in enumerate(chunks):
            if not len(bars):
                continue
            if bars.parts[0][0] != file:
                file, check_start = bars.parts[0][0], last is not None
            if check_start:
                assert last is not None
                check_start = _check_file_start(symbol, bars, last)
            stamps = bars.ts.view("i8")
            if not all_valid(bars.ts, bars.values) or (last is not None and stamps[0] <= last.ts):
                frame = with_last_bar(bars.frame(), last)
                codes = bar_problems(frame)
                offset = 0 if last is None else 1
                bad = np.flatnonzero(codes[offset:])
                if reject and not first_bad:
                    row = int(bad[0]) + offset
                    problem = describe_problem(frame, codes, row)
                    if codes[row] == OUT_OF_ORDER and offset:
                        problem = self._repeated(source, done, frame, row) or problem
                    first_bad = f"{where(frame.iloc[row])}: {problem}"
                bad_total += bad.size
                if skipped is not None and not reject:
                    skipped.add(symbol, frame, codes, bad + offset, bars.ts[bad])
                bars = bars.take(codes[offset:] == 0)
                if not len(bars):
                    continue
            last = LastBar(int(bars.ts[-1:].view("i8")[0]), *bars.position(len(bars) - 1))
            if not first_bad:
                yield _frame(bars)
        if first_bad:
            raise DataError(
                f"{first_bad} ({bad_total} bad bar(s) for {symbol}; "
                'set on_bad_bar = "skip" to skip them)'
            )

    def _repeated(
        self, source: SymbolSource, chunks: int, frame: pd.DataFrame, row: int
    ) -> str | None:
        """The problem of row ``row`` of ``frame`` (a later chunk's, marked out of order)
        when its timestamp repeats one of the first ``chunks`` chunks: a duplicate, named
        by its first occurrence, as a whole-file check names it (read again: an error path)."""
        stamp = pd.Timestamp(frame["ts"].iloc[row]).value
        rows = self._chunk_rows(len(self._sources))
        earlier = source.chunks(self.params.epoch_unit, self._non_numeric, rows)
        for bars in islice(earlier, chunks):
            same = np.flatnonzero(bars.ts.view("i8") == stamp)
            if not same.size:
                continue
            candidates = bars.frame().iloc[same]
            codes = bar_problems(candidates)
            # an earlier bar with good values counts, whatever its own order
            ordered = np.isin(codes, (0, DUPLICATE, OUT_OF_ORDER))
            if ordered.any():
                first = candidates.iloc[int(np.argmax(ordered))]
                whose = f" for {frame['symbol'].iloc[row]}" if "symbol" in frame.columns else ""
                return f"duplicate timestamp {_iso(stamp)}{whose} (first at {where(first)})"
        return None

    def _timeframe(
        self, series: dict[str, _Series], chosen: str | timedelta | None, *, given: bool
    ) -> timedelta | None:
        """The run's timeframe, checked against the data (``given``: the run's, else the
        feed's param); the data's most common spacing when none is chosen."""
        path = Path(self.params.path)
        spacings = {s: found.most_common_spacing() for s, found in series.items()}
        if chosen is None:
            known = {s: v for s, v in spacings.items() if v is not None}
            if len(set(known.values())) > 1:
                listed = ", ".join(f"{s} {_label(v)}" for s, v in known.items())
                raise DataError(
                    f"{path}: the symbols' bars are spaced differently ({listed}); a run has "
                    "one timeframe: give bars of one interval"
                )
            return next(iter(known.values()), None)
        tf = parse_timeframe(chosen)
        whose = "the run's timeframe" if given else "the feed's timeframe"
        finer = [s for s, v in spacings.items() if v is not None and v < tf]
        # sparse bars with some consecutive ones (an illiquid symbol) are bars of tf with
        # gaps; bars of which no two, in any symbol, are one tf apart are not bars of tf
        step = _ns(tf)
        counted = [s for s, found in series.items() if found.bars >= 3]
        coarser = counted and not any(series[s].has_spacing(step) for s in counted)
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

    # -- the feed contract -------------------------------------------------------------

    def _on_start(self) -> None:
        if self.params.timeframe and parse_timeframe(self.params.timeframe) != self.timeframe:
            raise DataError(
                f"{self.params.path}: the feed's timeframe {self.params.timeframe} disagrees "
                f"with the run's timeframe {_label(self.timeframe)}; set one timeframe, the data's"
            )
        self._held = self._loaded_frames()
        if self._held is None and self._scanned != (self.symbols, self.timeframe):
            # not scanned yet for these symbols (a session scans first to learn the timeframe)
            self.scan(self.symbols, self.timeframe)
        self._health.bad_bars_skipped = self.report.skipped_total
        if self.report.skipped_total:
            if self._held is not None:
                starts = [int(f.index.asi8[0]) for f in self._held.values() if len(f)]
            else:
                starts = list(self._first_ts.values())
            first = pd.Timestamp(min(starts), tz="UTC").to_pydatetime() if starts else _EPOCH
            self._emit(FeedEvent("bad_bars_skipped", first, dict(self.report.skipped)))

    def _loaded_frames(self) -> dict[str, pd.DataFrame] | None:
        """The loaded frames when they are these symbols' at this timeframe, else None."""
        try:
            frames = self.frames()
        except FeedError:
            return None
        if list(frames) != list(self.symbols) or self.report.timeframe != self.timeframe:
            return None
        return frames

    def _iter_slices(self) -> Iterator[list[Bar]]:
        rows = self._chunk_rows(len(self.symbols))
        held, kept = self._held, self._kept
        if self._scanned is None or self._scanned[0] != self.symbols:
            kept = None  # kept for other symbols
        self._kept = None  # taken: another iteration reads the files again
        streams = []
        for symbol in self.symbols:
            if held is not None:
                chunks = frame_chunks(held[symbol], rows)
            elif kept is not None:
                chunks = _taken(kept[symbol])
            else:
                chunks = self._validated(symbol, self._sources[symbol], None)
            streams.append(self._window_blocks(symbol, chunks))
        return bar_slices(merge_blocks(streams), self.symbols)

    def close(self) -> None:
        """Let go of the chunks a scan kept that no iteration took (a run that failed
        before its first slice)."""
        self._kept = None
        super().close()

    def _window_blocks(self, symbol: str, chunks: Iterator[pd.DataFrame]) -> Iterator[Block]:
        """Each chunk to the listeners, then its rows with after < ts < until as a block."""
        listeners, after, until = self._listeners, self.after, self.until
        for chunk in chunks:
            for listener in listeners:
                listener(symbol, chunk)
            stamps = chunk.index.as_unit("ns").asi8
            lo, hi = window(stamps, after, until)
            if hi > lo:
                values = chunk.to_numpy() if _is_ohlcv(chunk) else chunk[_OHLCV].to_numpy()
                yield stamps[lo:hi], values[lo:hi]


_DAY = timedelta(days=1)
_DAY_NS = 86_400 * 10**9
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_OHLCV = list(OHLCV_COLUMNS)


class _Kept:
    """The validated chunks a scan keeps per symbol: all of them for :meth:`load_frames`
    (``limit`` None), else while they take at most ``limit`` bytes in all; past it, none."""

    def __init__(self, symbols: Iterable[str], limit: int | None) -> None:
        self.chunks: dict[str, list[pd.DataFrame]] | None = {symbol: [] for symbol in symbols}
        self.limit = limit
        self.size = 0

    def add(self, symbol: str, chunk: pd.DataFrame) -> None:
        if self.chunks is None:
            return
        self.size += CHUNK_BYTES + BAR_BYTES * len(chunk)
        if self.limit is not None and self.size > self.limit:
            self.chunks = None  # too much to hold: the iteration reads the files again
            return
        self.chunks[symbol].append(chunk)


def _taken(chunks: list[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    """``chunks`` in order, each let go of as it is given (memory falls as a run goes)."""
    chunks.reverse()
    while chunks:
        yield chunks.pop()


def _is_ohlcv(frame: pd.DataFrame) -> bool:
    return list(frame.columns) == _OHLCV and all(d == np.float64 for d in frame.dtypes)


def _ns(timeframe: timedelta) -> int:
    return int(timeframe.total_seconds() * 1_000_000_000)


def _frame(bars: RawBars) -> pd.DataFrame:
    """Valid raw bars as a strategy frame (the (5, n) block becomes its one float block as
    it is: no copy)."""
    index = pd.DatetimeIndex(bars.ts, name="ts").tz_localize("UTC")
    return pd.DataFrame(bars.values.T, columns=_OHLCV, index=index, copy=False)


def _concat(chunks: list[pd.DataFrame]) -> pd.DataFrame:
    """A symbol's validated chunks as one frame."""
    if len(chunks) == 1:
        return chunks[0]
    if not chunks:
        return _frame(RawBars(np.array([], "datetime64[ns]"), np.empty((5, 0)), None, []))
    return pd.concat(chunks)


def _check_file_start(symbol: str, bars: RawBars, last: LastBar) -> bool:
    """Refuse a file of ``symbol`` whose first bar (with a timestamp and numbers) is not
    after the last bar of the file before it: files of one series overlap or are out of
    name order. True while no such bar was seen yet (look at the next chunk too)."""
    readable = ~np.isnat(bars.ts) & np.isfinite(bars.values).all(axis=0)
    if not readable.any():
        return True
    row = int(np.argmax(readable))
    stamp = int(bars.ts[row : row + 1].view("i8")[0])
    if stamp > last.ts:
        return False
    file, line = bars.position(row)
    raise DataError(
        f"{file}, {line_unit(file)} {line}: {symbol}'s bars at {_iso(stamp)} overlap "
        f"{last.file} (its bars run to {_iso(last.ts)}, {line_unit(last.file)} {last.line}); "
        "a symbol's files are read in name order as one series: each must start after the "
        "one before it ends"
    )


def _iso(ns: int) -> str:
    return isoformat_utc(pd.Timestamp(ns, tz="UTC"))


class _Series:
    """What a scan keeps of one symbol's valid bars: their count, first and last time,
    whether any falls on a weekend, and the spacings between consecutive bars as runs of
    equal spacing (start, spacing, length). Evenly spaced bars are one run, and each gap
    starts a run, so the runs take memory in the order of the gaps the report lists."""

    def __init__(self) -> None:
        self.bars = 0
        self.first: int | None = None
        self.last: int | None = None
        self.weekend = False
        self._starts: list[np.ndarray] = []
        self._spacings: list[np.ndarray] = []
        self._lengths: list[np.ndarray] = []

    def add(self, stamps: np.ndarray) -> None:
        """Count the next bars of the series (nanoseconds, strictly increasing)."""
        if not len(stamps):
            return
        if self.last is None:
            self.first = int(stamps[0])
            starts = stamps[:-1]
        else:
            starts = np.concatenate(([self.last], stamps[:-1]))
        spacing = stamps[len(stamps) - len(starts) :] - starts
        self.last = int(stamps[-1])
        self.bars += len(stamps)
        if not self.weekend:  # 1970-01-01 was a Thursday: weekday (Monday 0) = (day + 3) % 7
            self.weekend = bool(((stamps // _DAY_NS + 3) % 7 >= 5).any())
        if spacing.size:
            heads = np.concatenate(([0], np.flatnonzero(spacing[1:] != spacing[:-1]) + 1))
            self._starts.append(starts[heads])
            self._spacings.append(spacing[heads])
            self._lengths.append(np.diff(np.append(heads, spacing.size)))

    def _runs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if not self._starts:
            empty = np.array([], dtype=np.int64)
            return empty, empty, empty
        return (
            np.concatenate(self._starts),
            np.concatenate(self._spacings),
            np.concatenate(self._lengths),
        )

    def most_common_spacing(self) -> timedelta | None:
        """The most common time between consecutive bars (the shortest of equally common
        ones; None for fewer than two bars)."""
        _, spacings, lengths = self._runs()
        if not spacings.size:
            return None
        values, inverse = np.unique(spacings, return_inverse=True)
        counts = np.bincount(inverse, weights=lengths)
        return pd.Timedelta(int(values[np.argmax(counts)]), unit="ns").to_pytimedelta()

    def has_spacing(self, step: int) -> bool:
        """Whether any two consecutive bars are ``step`` nanoseconds apart."""
        return bool((self._runs()[1] == step).any())

    def gaps(self, symbol: str, timeframe: timedelta) -> list[Gap]:
        """Gaps between consecutive bars spaced more than one ``timeframe`` apart."""
        starts, spacings, lengths = self._runs()
        step = _ns(timeframe)
        wide = spacings > step
        starts, spacings, lengths = starts[wide], spacings[wide], lengths[wide]
        # a run of n equal wide spacings is n gaps, one after the other
        spacing = np.repeat(spacings, lengths)
        offsets = np.arange(len(spacing)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        after = np.repeat(starts, lengths) + offsets * spacing
        before = after + spacing
        missing = (spacing - 1) // step
        afters = pd.DatetimeIndex(after).tz_localize("UTC")
        befores = pd.DatetimeIndex(before).tz_localize("UTC")
        return [
            Gap(symbol, afters[i].to_pydatetime(), befores[i].to_pydatetime(), int(m))
            for i, m in enumerate(missing.tolist())
        ]


class _Skipped:
    """Bad bars skipped by a scan, per symbol: counts by kind, the first
    :data:`SKIPPED_LISTED` described, and their timestamps (not gaps)."""

    def __init__(self) -> None:
        self.counts: dict[str, np.ndarray] = {}
        self.rows: dict[str, list[str]] = {}
        self.stamps: dict[str, list[np.ndarray]] = {}

    def add(
        self,
        symbol: str,
        frame: pd.DataFrame,
        codes: np.ndarray,
        bad: np.ndarray,
        stamps: np.ndarray,
    ) -> None:
        """Bad rows ``bad`` (positions in ``frame``, a raw frame) of ``symbol``."""
        counts = np.bincount(codes[bad], minlength=len(PROBLEMS) + 1)
        self.counts[symbol] = self.counts.get(symbol, 0) + counts
        listed = self.rows.setdefault(symbol, [])
        room = max(SKIPPED_LISTED - len(listed), 0)
        listed += [
            f"{where(frame.iloc[int(row)])}: {describe_problem(frame, codes, int(row))}"
            for row in bad[:room]
        ]
        self.stamps.setdefault(symbol, []).append(stamps[~np.isnat(stamps)].view("i8"))

    def into(self, report: ReplayReport, stamps: dict[str, np.ndarray], order: list[str]) -> None:
        """Fill ``report`` (kinds in symbol order, then problem order) and ``stamps``."""
        for symbol in order:
            if symbol not in self.counts:
                continue
            for code, count in enumerate(self.counts[symbol].tolist()):
                if count:
                    key = PROBLEMS[code]
                    report.skipped[key] = report.skipped.get(key, 0) + int(count)
            room = SKIPPED_LISTED - len(report.skipped_rows)
            report.skipped_rows += self.rows[symbol][: max(room, 0)]
            stamps[symbol] = np.unique(np.concatenate(self.stamps[symbol]))


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
