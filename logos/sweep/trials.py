"""One trial of a sweep: a real backtest of the sweep's config with one point's params.

A trial goes the way ``logos backtest CONFIG --param ...`` goes: the point's values are set
as ``strategy.params.NAME`` overrides on the merged config (flags, ``--set`` and ``--risk``
already applied), the config is validated against the registry, the session is built by
:func:`logos.session.build_session` (same feed, broker, sizing, strategies and risk guards)
and run by :func:`logos.session.run_session`, the one engine loop. Only the artifacts are
skipped (``keep_dir`` writes them, one folder per trial).

The bars are read and validated once per worker process, not once per trial: the session's
replay feed is swapped for a :class:`CachedReplayFeed` with the same params, which keeps the
validated frames of each (file, symbols, timeframe) in the process and hands a trial the
rows of its time window (walk-forward folds; the whole data otherwise).

A trial that raises is an outcome too: its row says ``error`` and why, and the sweep goes on.
"""

from __future__ import annotations

import copy
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from logos.feeds.merge import CHUNK_ROWS, count_slices, frame_blocks, merge_blocks
from logos.feeds.replay import ReplayFeed, ReplayReport

CACHED_DATA_SETS = 4
"""Data sets a worker keeps (the oldest goes first)."""
_CACHE: dict[tuple[str, tuple[str, ...] | None, str], tuple[dict[str, pd.DataFrame], Any]] = {}
"""Validated frames and their report, per (feed params, symbols, timeframe asked), per
process: a worker reads each bars file once, whatever the number of trials it runs."""


@dataclass(frozen=True)
class SweepBase:
    """What every trial of a sweep shares: the merged config (paths absolute) and where it
    came from. Small and picklable: it travels to every worker with each batch."""

    config: dict[str, Any]
    source: str
    timeframe_given: bool
    keep_dir: str | None = None


@dataclass(frozen=True)
class Trial:
    """One backtest to run: its id, its fold and window, its params and its time window
    (open times in [start, end), nanoseconds UTC; None: unbounded)."""

    trial: int
    params: dict[str, Any]
    fold: str = ""
    window: str = "all"
    start_ns: int | None = None
    end_ns: int | None = None
    want_equity: bool = False

    @property
    def key(self) -> tuple[str, str, int]:
        """Identifies the trial in the results file (what a resumed sweep skips)."""
        return (self.fold, self.window, self.trial)


@dataclass
class Outcome:
    """A finished trial: its row (params, status, metrics, wall time, worker) and, when
    asked for (walk-forward test windows), its equity curve as (ts_ns, equity) pairs."""

    trial: Trial
    status: str
    error: str
    metrics: dict[str, Any]
    wall_s: float
    worker: str
    equity: list[tuple[int, float]] = field(default_factory=list)


class CachedReplayFeed(ReplayFeed):
    """A replay feed whose validated frames come from the process cache, cut to a window."""

    def __init__(
        self, params: ReplayFeed.Params, start_ns: int | None = None, end_ns: int | None = None
    ) -> None:
        super().__init__(params)
        self.start_ns = start_ns
        self.end_ns = end_ns
        self.window_frames: dict[str, pd.DataFrame] | None = None

    def load_frames(
        self, symbols: Sequence[str] | None = None, timeframe: str | timedelta | None = None
    ) -> dict[str, pd.DataFrame]:
        """The frames :meth:`ReplayFeed.load_frames` gives, read once per process, cut to
        the window; :attr:`report` counts the window's bars and gaps."""
        key = (
            self.params.model_dump_json() + _stamp(self.params.path),
            tuple(symbols) if symbols is not None else None,
            str(timeframe),
        )
        if key not in _CACHE:
            frames = super().load_frames(symbols, timeframe)
            while len(_CACHE) >= CACHED_DATA_SETS:  # a long-lived cluster runs many sweeps
                del _CACHE[next(iter(_CACHE))]
            _CACHE[key] = (frames, self.report)
        frames, report = _CACHE[key]
        self.window_frames = {s: self._cut(f) for s, f in frames.items()}
        self.report = self._window_report(report)
        return self.window_frames

    def scan(
        self, symbols: Sequence[str] | None = None, timeframe: str | timedelta | None = None
    ) -> ReplayReport:
        """What a session asks before it runs: the cached frames, cut to the window, are
        the data (the slices then come from them)."""
        self.load_frames(symbols, timeframe)
        return self.report

    def frames(self) -> dict[str, pd.DataFrame]:
        if self.window_frames is None:
            return super().frames()
        return self.window_frames

    def _cut(self, frame: pd.DataFrame) -> pd.DataFrame:
        if self.start_ns is None and self.end_ns is None:
            return frame
        stamps = frame.index.asi8
        lo = 0 if self.start_ns is None else int(stamps.searchsorted(self.start_ns, "left"))
        hi = len(stamps) if self.end_ns is None else int(stamps.searchsorted(self.end_ns, "left"))
        return frame.iloc[lo:hi]

    def _window_report(self, report: ReplayReport) -> ReplayReport:
        if self.start_ns is None and self.end_ns is None:
            return copy.copy(report)
        lo = pd.Timestamp(self.start_ns, tz="UTC") if self.start_ns is not None else None
        hi = pd.Timestamp(self.end_ns, tz="UTC") if self.end_ns is not None else None

        def inside(gap: Any) -> bool:
            return (lo is None or gap.after >= lo) and (hi is None or gap.before < hi)

        assert self.window_frames is not None
        return replace(
            report,
            gaps=[g for g in report.gaps if inside(g)],
            closures=[g for g in report.closures if inside(g)],
            bars={s: len(f) for s, f in self.window_frames.items()},
            slices=count_slices(
                merge_blocks([frame_blocks(f, CHUNK_ROWS) for f in self.window_frames.values()])
            ),
        )


def _stamp(path: str) -> str:
    """The file's (or folder's) modification time and size: a file rewritten between two
    sweeps on the same cluster is read again."""
    try:
        stat = Path(path).expanduser().stat()
    except OSError:
        return ""  # the feed reports the missing file itself
    return f"@{stat.st_mtime_ns}:{stat.st_size}"


def run_batch(base: SweepBase, trials: list[Trial]) -> list[Outcome]:
    """Run ``trials`` one after the other in this process (a Dask task runs a batch, so the
    per-task overhead is paid once per batch)."""
    return [run_trial(base, trial) for trial in trials]


def run_trial(base: SweepBase, trial: Trial) -> Outcome:
    """One real backtest; any exception becomes an ``error`` outcome with its message."""
    from logos.runtime import collector_paused

    started = time.perf_counter()
    worker = _worker_name()
    try:
        with collector_paused():  # as around ``logos backtest`` (logos.runtime says why)
            metrics, equity = _backtest(base, trial)
    except Exception as exc:
        message = str(exc) or type(exc).__name__
        if not _is_logos_error(exc):
            message = f"{type(exc).__name__}: {message}"
        return Outcome(trial, "error", message, {}, time.perf_counter() - started, worker)
    return Outcome(trial, "ok", "", metrics, time.perf_counter() - started, worker, equity)


def _backtest(base: SweepBase, trial: Trial) -> tuple[dict[str, Any], list[tuple[int, float]]]:
    from logos.config import apply_overrides, validate_config
    from logos.plugins import get_registry
    from logos.session import build_session, run_session, write_artifacts
    from logos.strategies.loading import with_strategy_class
    from logos.sweep.objectives import trial_metrics

    overrides = {f"strategy.params.{name}": value for name, value in trial.params.items()}
    merged = apply_overrides(base.config, overrides)
    registry = with_strategy_class(get_registry(), merged, base.source)
    validated = validate_config(merged, registry, source=base.source)
    session = build_session(validated, registry, timeframe_given=base.timeframe_given)
    if isinstance(session.feed, ReplayFeed):
        session.feed = CachedReplayFeed(session.feed.params, trial.start_ns, trial.end_ns)
    elif trial.start_ns is not None or trial.end_ns is not None:
        from logos.errors import ConfigError

        raise ConfigError(["feed.name: walk-forward windows need the replay feed"])
    result = run_session(session)
    try:
        if base.keep_dir is not None:
            name = f"{trial.fold}-{trial.window}-{trial.trial}" if trial.fold else str(trial.trial)
            write_artifacts(session, result, Path(base.keep_dir) / f"trial-{name}")
        equity: list[tuple[int, float]] = []
        if trial.want_equity:
            account = result.account
            equity = list(
                zip(account.ts_ns.tolist(), account.equity_floats().tolist(), strict=True)
            )
        return trial_metrics(result), equity
    finally:
        result.close()  # a worker runs many trials: their spools' files go at once


def _is_logos_error(exc: BaseException) -> bool:
    from logos.errors import LogosError

    return isinstance(exc, LogosError)


def _worker_name() -> str:
    """The Dask worker's name (its address when unnamed), or ``local:PID`` outside Dask."""
    try:
        from distributed import get_worker

        worker = get_worker()
    except (ImportError, ValueError):
        return f"local:{os.getpid()}"
    return str(worker.name if worker.name is not None else worker.address)
