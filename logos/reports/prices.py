"""Each symbol's bar closes for the price charts and the data table of session.md: from the
bars a replay feed gives, chunk by chunk, or from the bars a session
journaled in its ``slice`` records as they are folded (docs/state.md).

A chart draws a few thousand points, so only a bounded sample of the closes is kept
(:class:`PriceSampler`, built on :class:`~logos.reports.chart.CurveSampler`: each bucket's
lowest and highest close, the first and the last bar, buckets doubling in width as bars
arrive), whatever the number of bars; a spike survives. The series also says how many bars
it stands for (:func:`bar_count`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from logos.reports.chart import CHART_POINTS, CurveSampler
from logos.reports.result import PriceSeries

JOURNAL_CHUNK = 8192
"""Journaled bars gathered per symbol before they are sampled together."""


@dataclass(frozen=True)
class SampledPrices(PriceSeries):
    """A bounded sample of a symbol's closes, with the number of bars it was taken from."""

    bars: int = 0


def bar_count(series: PriceSeries) -> int:
    """The bars ``series`` stands for (a sample's whole count, else its length)."""
    return series.bars if isinstance(series, SampledPrices) else len(series.ts_ns)


class PriceSampler:
    """Keeps at most about ``points`` closes per symbol while the bars arrive in chunks
    (deterministic: the same bars give the same sample however they were chunked)."""

    def __init__(self, symbols: Iterable[str] = (), points: int = CHART_POINTS) -> None:
        self._points = points
        self._samplers: dict[str, CurveSampler] = {}
        for symbol in symbols:  # their order is the series' order; none may have bars
            self._sampler(symbol)

    def add(self, symbol: str, frame: pd.DataFrame) -> None:
        """Add a chunk of ``symbol``'s bars (a frame with a UTC DatetimeIndex and a
        ``close`` column), later than those added before."""
        if not len(frame):
            self._sampler(symbol)
            return
        index = pd.DatetimeIndex(frame.index)
        self._sampler(symbol).add(
            index.as_unit("ns").asi8, frame["close"].to_numpy(dtype=np.float64)
        )

    def add_closes(self, symbol: str, ts_ns: np.ndarray, close: np.ndarray) -> None:
        """Add a chunk of ``symbol``'s bar times (int64 UTC ns) and closes."""
        self._sampler(symbol).add(ts_ns, np.asarray(close, dtype=np.float64))

    def series(self) -> dict[str, PriceSeries]:
        """Each symbol's sample, in the order the symbols were first named."""
        out: dict[str, PriceSeries] = {}
        for symbol, sampler in self._samplers.items():
            _, ts_ns, values = sampler.sample()
            out[symbol] = SampledPrices(ts_ns=ts_ns, close=values[:, 0], bars=sampler.count)
        return out

    def _sampler(self, symbol: str) -> CurveSampler:
        sampler = self._samplers.get(symbol)
        if sampler is None:
            sampler = self._samplers[symbol] = CurveSampler(1, self._points)
        return sampler


class JournalPrices:
    """Each symbol's sampled closes from the bars of a journal's ``slice`` records (bars as
    ``[symbol, open, high, low, close, volume]``), taken one record at a time as the journal
    is folded (:class:`~logos.state.rebuild.JournalFold`): gathered per symbol, then sampled
    :data:`JOURNAL_CHUNK` bars at a time, so the journal is never read a second time for
    its prices."""

    def __init__(self, symbols: Iterable[str]) -> None:
        self._sampler = PriceSampler(symbols)
        self._times: dict[str, list[int]] = {}
        self._closes: dict[str, list[float]] = {}

    def add(self, ts: datetime, bars: Iterable[list[Any]]) -> None:
        """Take one slice's bars, at bar time ``ts`` (tz-aware)."""
        ns = (ts - _EPOCH) // _MICROSECOND * 1000
        times, closes = self._times, self._closes
        for symbol, _open, _high, _low, close, _volume in bars:
            stamps = times.get(symbol)
            if stamps is None:
                stamps = times[symbol] = []
                closes[symbol] = []
            stamps.append(ns)
            closes[symbol].append(float(close))
            if len(stamps) >= JOURNAL_CHUNK:
                self._flush(symbol)

    def series(self) -> dict[str, PriceSeries]:
        """Each symbol's sample of the closes taken so far, in the symbols' order."""
        for symbol in list(self._times):
            self._flush(symbol)
        return self._sampler.series()

    def _flush(self, symbol: str) -> None:
        stamps = np.asarray(self._times.pop(symbol), dtype=np.int64)
        closes = np.asarray(self._closes.pop(symbol), dtype=np.float64)
        self._sampler.add_closes(symbol, stamps, closes)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
