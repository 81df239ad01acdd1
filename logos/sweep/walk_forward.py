"""Walk-forward folds: optimise on a training window, evaluate the winner on the next window.

``--walk-forward train=30d,test=7d[,step=7d]`` (units s, m, h, d, w; ``step`` defaults to
``test``). With the data's first bar at ``T0`` and its end ``T1`` (the last bar's open time
plus one bar), fold ``k`` trains on bars opening in ``[T0 + k·step, T0 + k·step + train)``
and tests on ``[that end, that end + test)``; folds continue while the test window ends at
or before ``T1`` (a partial last window is left out, not shortened).

Each window is its own backtest: it starts flat with the starting cash, and its indicators
warm up inside the window. The stitched out-of-sample curve chains the test windows: each
one's equity is scaled so that it starts where the previous one ended.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from logos.errors import ConfigError, FeedError
from logos.feeds.base import parse_timeframe


@dataclass(frozen=True)
class WalkForward:
    """The window lengths of ``--walk-forward``."""

    train: timedelta
    test: timedelta
    step: timedelta

    def spec(self) -> str:
        """Back to the flag's text (for sweep.md)."""
        return f"train={_label(self.train)},test={_label(self.test)},step={_label(self.step)}"


@dataclass(frozen=True)
class Fold:
    """One fold's windows, as open times in nanoseconds UTC, ends excluded."""

    number: int
    train_start: int
    train_end: int
    test_end: int


def parse_walk_forward(text: str) -> WalkForward:
    """``train=30d,test=7d[,step=7d]`` → :class:`WalkForward`; one ConfigError otherwise."""
    where = f"--walk-forward {text}"
    values: dict[str, timedelta] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or key not in ("train", "test", "step"):
            raise _bad(where, f"{item!r}: expected train=DURATION, test=DURATION, step=DURATION")
        if key in values:
            raise _bad(where, f"{key} is given twice")
        try:
            values[key] = parse_timeframe(value.strip())
        except FeedError:
            raise _bad(
                where, f"{key}={value.strip()}: a duration is like 30d, 12h, 90m or 2w"
            ) from None
    missing = [k for k in ("train", "test") if k not in values]
    if missing:
        raise _bad(where, f"give {' and '.join(missing)} (e.g. train=30d,test=7d)")
    return WalkForward(values["train"], values["test"], values.get("step", values["test"]))


def folds(walk: WalkForward, first_ns: int, end_ns: int) -> list[Fold]:
    """The folds of data whose bars open in ``[first_ns, end_ns)``; a ConfigError when the
    data is too short for one fold."""
    train, test, step = (
        int(d.total_seconds() * 1_000_000_000) for d in (walk.train, walk.test, walk.step)
    )
    result: list[Fold] = []
    start = first_ns
    while start + train + test <= end_ns:
        result.append(Fold(len(result), start, start + train, start + train + test))
        start += step
    if not result:
        span = timedelta(microseconds=(end_ns - first_ns) // 1000)
        raise ConfigError(
            [
                f"--walk-forward {walk.spec()}: the data covers {span}, shorter than one "
                "training plus one test window"
            ],
            source="command line",
        )
    return result


def stitch(curves: list[list[tuple[int, float]]], start_cash: float) -> list[tuple[int, float]]:
    """Chain the test windows' equity curves into one, each scaled to start where the last
    ended (the first at the starting cash)."""
    stitched: list[tuple[int, float]] = []
    level = start_cash
    for curve in curves:
        if not curve:
            continue
        stitched.extend((ts, equity * level / start_cash) for ts, equity in curve)
        level = stitched[-1][1]
    return stitched


def _label(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    for unit, size in (("w", 604_800), ("d", 86_400), ("h", 3_600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def _bad(where: str, problem: str) -> ConfigError:
    return ConfigError([f"{where}: {problem}"], source="command line")
