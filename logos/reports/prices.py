"""Each symbol's bar closes for the price charts and the data table of session.md: from the
bars a replay feed gives, chunk by chunk, or from the bars a session
journaled in its ``slice`` records (docs/state.md).

A chart draws a few thousand points, so only a bounded sample of the closes is kept
(:class:`PriceSampler`, built on :class:`~logos.reports.chart.CurveSampler`: each bucket's
lowest and highest close, the first and the last bar, buckets doubling in width as bars
arrive), whatever the number of bars; a spike survives. The series also says how many bars
it stands for (:func:`bar_count`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from logos.reports.chart import CHART_POINTS, CurveSampler
from logos.reports.result import PriceSeries

if TYPE_CHECKING:
    from logos.state.journal import JournalContents

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


def prices_from_journal(contents: JournalContents, symbols: list[str]) -> dict[str, PriceSeries]:
    """Each symbol's sampled closes from the journal's ``slice`` records (bars as
    ``[symbol, open, high, low, close, volume]``), in ``symbols`` order."""
    sampler = PriceSampler(symbols)
    times: dict[str, list[str]] = {}
    closes: dict[str, list[float]] = {}

    def flush(symbol: str) -> None:
        stamps = pd.DatetimeIndex(pd.to_datetime(times.pop(symbol), utc=True))
        sampler.add_closes(symbol, stamps.as_unit("ns").asi8, np.asarray(closes.pop(symbol)))

    for record in contents.records:
        if record.type != "slice":
            continue
        for symbol, _open, _high, _low, close, _volume in record.data["bars"]:
            times.setdefault(symbol, []).append(record.ts)
            closes.setdefault(symbol, []).append(float(close))
            if len(times[symbol]) >= JOURNAL_CHUNK:
                flush(symbol)
    for symbol in list(times):
        flush(symbol)
    return sampler.series()
