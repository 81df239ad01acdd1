"""The price charts keep a bounded sample of each symbol's closes however many bars arrive:
at most about N points, every bucket's low and high (a spike and a crash survive), the
first and the last bar, the same sample however the bars were chunked; the sample knows
how many bars it stands for, which session.md's data table shows."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from itertools import pairwise

import numpy as np
import pandas as pd
import pytest

from logos.reports import AccountHistory
from logos.reports.chart import CurveSampler
from logos.reports.prices import JournalPrices, PriceSampler, bar_count
from logos.reports.result import SessionResult
from logos.reports.session_md import render_session_md

T0 = datetime(2024, 1, 1, tzinfo=UTC)
BARS = 300_000
SPIKE, CRASH = 123_457, 250_001


def _frame(bars: int = BARS) -> pd.DataFrame:
    close = 100 + np.sin(np.arange(bars) / 500.0)
    if bars > CRASH:
        close[SPIKE] = 1_000.0
        close[CRASH] = 1.0
    index = pd.date_range(T0, periods=bars, freq="1min", name="ts")
    return pd.DataFrame({"open": close, "high": close, "low": close, "close": close}, index)


def _sample(frame: pd.DataFrame, cuts: list[int], points: int) -> tuple[np.ndarray, np.ndarray]:
    sampler = PriceSampler(["X"], points=points)
    edges = [0, *cuts, len(frame)]
    for begin, end in pairwise(edges):
        sampler.add("X", frame.iloc[begin:end])
    series = sampler.series()["X"]
    assert bar_count(series) == len(frame)
    return series.ts_ns, series.close


def test_at_most_n_points_with_the_spike_the_crash_and_both_ends() -> None:
    frame = _frame()
    ts_ns, close = _sample(frame, [], points=500)
    assert len(ts_ns) <= 500 + 2
    assert close.max() == 1_000.0 and close.min() == 1.0
    times = frame.index.as_unit("ns").asi8
    assert {times[SPIKE], times[CRASH], times[0], times[-1]} <= set(ts_ns.tolist())
    assert (np.diff(ts_ns) > 0).all()  # in time order, each bar once


def test_the_same_sample_however_the_bars_were_chunked() -> None:
    frame = _frame()
    whole = _sample(frame, [], points=500)
    rng = np.random.default_rng(5)
    for _ in range(3):
        cuts = sorted(rng.choice(np.arange(1, BARS), size=40, replace=False).tolist())
        chunked = _sample(frame, cuts, points=500)
        assert np.array_equal(whole[0], chunked[0]) and np.array_equal(whole[1], chunked[1])
    one_bar_chunks = _sample(frame.iloc[:3000], list(range(1, 3000)), points=100)
    assert np.array_equal(one_bar_chunks[0], _sample(frame.iloc[:3000], [], points=100)[0])


def test_a_short_series_is_kept_whole() -> None:
    frame = _frame(40)
    ts_ns, close = _sample(frame, [7, 20], points=100)
    assert ts_ns.tolist() == frame.index.as_unit("ns").asi8.tolist()
    assert close.tolist() == frame["close"].tolist()


def test_each_column_keeps_its_own_extremes() -> None:
    # equity and drawdown of the equity chart are sampled on the same rows
    sampler = CurveSampler(2, points=10)
    up = np.zeros(1000)
    up[333] = 5.0  # column 0's high
    down = np.zeros(1000)
    down[777] = -5.0  # column 1's low
    sampler.add(np.arange(1000), up, down)
    rows, _, values = sampler.sample()
    assert len(rows) <= 2 * 10 + 2
    assert 333 in rows.tolist() and 777 in rows.tolist()
    assert values[:, 0].max() == 5.0 and values[:, 1].min() == -5.0


def test_a_sampler_refuses_columns_it_was_not_made_for() -> None:
    with pytest.raises(ValueError, match="1 columns for 2"):
        CurveSampler(2).add(np.arange(3), np.zeros(3))


def test_session_md_counts_every_bar_not_the_sample() -> None:
    frames = {"X": _frame(), "EMPTY": _frame().iloc[:0]}
    result = SessionResult(
        session_id="s", mode="backtest", config_summary={}, starting_cash=Decimal(100),
        currency="USD", orders=[], fills=[], positions=[], account=AccountHistory(),
        symbols=["X", "EMPTY"],
    )  # fmt: skip
    sampler = PriceSampler(frames)  # as the session feeds it, chunk by chunk
    for symbol, frame in frames.items():
        for start in range(0, len(frame), 70_000):
            sampler.add(symbol, frame.iloc[start : start + 70_000])
    result.prices = sampler.series()
    assert list(result.prices) == ["X", "EMPTY"]
    text = render_session_md(result)
    assert "| X | 2024-01-01T00:00:00Z | 2024-07-27T07:59:00Z | 300000 |" in text
    assert "| EMPTY | - | - | 0 |" in text


def test_a_journals_slices_give_the_sample_the_bars_give() -> None:
    # what a paper session's charts get from its journal's slice records, as they are folded:
    # the same sample as the replay feed's bars, for two symbols sharing their slices, one of
    # them missing some; times as datetimes or as the journal's text (a restart), with and
    # without microseconds
    bars = 20_000
    frame = _frame(bars)
    frame.index = frame.index + pd.to_timedelta(np.arange(bars) % 3, unit="us")
    sparse = frame.iloc[::7]
    journal = JournalPrices(["X", "Y", "NEVER"])
    for n, (ts, close) in enumerate(frame["close"].items()):
        when = ts.to_pydatetime()
        rows = [["X", "1", "1", "1", repr(close), "5"]]
        if n % 7 == 0:
            rows.append(["Y", "1", "1", "1", repr(close), "5"])
        journal.add(when if n % 2 else datetime.fromisoformat(when.isoformat()), rows)
    direct = PriceSampler(["X", "Y", "NEVER"])
    direct.add("X", frame)
    direct.add("Y", sparse)
    got, want = journal.series(), direct.series()
    assert list(got) == list(want) == ["X", "Y", "NEVER"]
    for symbol in want:
        assert bar_count(got[symbol]) == bar_count(want[symbol])
        assert np.array_equal(got[symbol].ts_ns, want[symbol].ts_ns)
        assert np.array_equal(got[symbol].close, want[symbol].close)
