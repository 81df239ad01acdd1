"""What a finished session must say about itself so its numbers do not mislead.

A backtest that never traded reports "0 trades, 0.00 %" whether its strategy chose to stay
flat or could not trade at all. The second kind is a warning, shown on the console and at the
top of session.md:

- every order intent of a symbol was dropped by sizing (none was sent): e.g. quantities that
  quantize to nothing on a non-fractionable symbol;
- every order of a symbol that was sent was rejected by the broker (cash too short, shorts
  not allowed): the most common reason is quoted;
- a symbol has fewer bars than the strategy's warm-up (``Strategy.warmup_bars``): no signal
  can exist;
- the strategy computed no signal on any bar of a symbol (every value NaN);
- bad bars were skipped (``on_bad_bar = "skip"``): the results are of the data that is left.

The bars and signals are known from bounded tallies, never whole series: a
:class:`SignalTally` hears each chunk of bars with the signals the run used for it (the
session calls :meth:`SignalTally.add` per chunk) and keeps, per symbol, the number of bars
and whether any signal was computed. The orders are read once, kept as counts per symbol.

:func:`note_data_report` copies what the replay feed found in the data (gaps apart from
expected closures, skipped bad bars) into the result.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import numpy as np

from logos.reports.order_counts import SymbolOrders
from logos.reports.result import SessionResult

if TYPE_CHECKING:
    import pandas as pd

    from logos.feeds.replay import ReplayReport
    from logos.strategies.base import Strategy


class SignalTally:
    """Per symbol: how many bars the run had and whether the strategy computed any signal
    (a value other than NaN) on them, told one chunk of bars at a time."""

    def __init__(self, symbols: Iterable[str] = ()) -> None:
        """``symbols``: those whose bars will be told (any iterable of them, e.g. the
        strategies by symbol); one of them that gets no bar counts 0 bars, a symbol neither
        named nor told is not known."""
        self._bars: dict[str, int] = dict.fromkeys(symbols, 0)
        self._signalled: dict[str, bool | None] = dict.fromkeys(symbols, False)

    def add(self, symbol: str, frame: pd.DataFrame, signals: np.ndarray | None = None) -> None:
        """Count a chunk of ``symbol``'s bars and the signals the run used for them (None:
        not known here, e.g. computed bar by bar and not kept)."""
        self._bars[symbol] = self._bars.get(symbol, 0) + len(frame)
        before = self._signalled.get(symbol, False)
        if before:
            return
        if signals is None:
            self._signalled[symbol] = None
        elif len(signals) and not np.isnan(np.asarray(signals, dtype=np.float64)).all():
            self._signalled[symbol] = True
        else:
            self._signalled.setdefault(symbol, False)

    def bars(self, symbol: str) -> int | None:
        """The bars told for ``symbol`` (None: not known)."""
        return self._bars.get(symbol)

    def signalled(self, symbol: str) -> bool | None:
        """Whether any signal was computed for ``symbol`` (None: not known)."""
        return self._signalled.get(symbol)

    @classmethod
    def of_frames(
        cls,
        frames: Mapping[str, pd.DataFrame],
        signals: Mapping[str, np.ndarray] | None = None,
    ) -> SignalTally:
        """The tally of whole frames and their whole-series signals (None: not known)."""
        tally = cls(frames)
        for symbol, frame in frames.items():
            tally.add(symbol, frame, signals.get(symbol) if signals is not None else None)
        return tally


def session_warnings(
    result: SessionResult,
    strategies: Mapping[str, Strategy],
    bars: SignalTally | Mapping[str, pd.DataFrame] | None = None,
    signals: Mapping[str, np.ndarray] | None = None,
) -> list[str]:
    """The warnings of a session, in symbol order.

    ``bars`` are what the session knows of each symbol's bars: the :class:`SignalTally` it
    filled chunk by chunk, or whole frames (small data) with ``signals``, the whole-series
    signals the run used (None: computed bar by bar; then they are computed here from the
    frame, only for a symbol that sent and dropped nothing). None: not known (a live feed).
    A symbol whose signals the tally does not know gets no "no signal" warning.
    """
    if isinstance(bars, SignalTally):
        tally, frames = bars, None
    else:
        frames = bars
        tally = SignalTally.of_frames(frames, signals) if frames is not None else None
    warnings: list[str] = []
    orders = result.counted_orders().symbols
    dropped: dict[str, tuple[int, str]] = {}
    for drop in result.dropped_intents:
        count, first = dropped.get(drop.symbol, (0, drop.reason))
        dropped[drop.symbol] = (count + 1, first)
    for symbol in result.symbols:
        counts = orders.get(symbol) or SymbolOrders()
        drops, first_reason = dropped.get(symbol, (0, ""))
        if drops and not counts.sent:
            warnings.append(
                f"{symbol}: every order intent was dropped by sizing ({drops} dropped, "
                f"none sent), so the results show no trading at all; the first: {first_reason}"
            )
        if counts.orders and sum(counts.rejected.values()) == counts.orders:
            reason, count = counts.rejected.most_common(1)[0]
            warnings.append(
                f"{symbol}: every one of its {counts.orders} orders was rejected by the "
                f"broker, so the results show no trading at all; most often ({count}): {reason}"
            )
        bars = tally.bars(symbol) if tally is not None else None
        strategy = strategies.get(symbol)
        if tally is None or bars is None or strategy is None:
            continue
        warmup = strategy.warmup_bars()
        if bars < warmup:
            warnings.append(
                f"{symbol}: {bars} bars, fewer than the {warmup} the strategy needs "
                "before its first signal (its warm-up): it could not trade"
            )
            continue
        if counts.sent or drops or not bars:
            continue
        signalled = tally.signalled(symbol)
        frame = frames.get(symbol) if frames is not None else None
        if signalled is None and frame is not None:
            values = strategy.signals(frame).to_numpy(dtype=np.float64)
            signalled = not np.isnan(values).all()
        if signalled is False:
            warnings.append(
                f"{symbol}: the strategy computed no signal on any of its {bars} bars "
                "(every value NaN), so it never traded"
            )
    if result.skipped_bars:
        total = sum(result.skipped_bars.values())
        kinds = ", ".join(f"{n} {kind}" for kind, n in result.skipped_bars.items())
        warnings.append(
            f'{total} bad bar(s) skipped (on_bad_bar = "skip"): {kinds}; the results are of '
            "the bars left (session.md lists them)"
        )
    return warnings


def note_data_report(result: SessionResult, report: ReplayReport) -> None:
    """Copy what the replay feed found in the data into ``result``: real gaps and the bars
    they miss, expected closures (not gaps), skipped bad bars by kind and listed."""
    result.gaps = len(report.gaps)
    result.missing_bars = report.missing_bars
    result.expected_closures = len(report.closures)
    result.skipped_bars = dict(report.skipped)
    result.skipped_rows = list(report.skipped_rows)
