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

:func:`note_data_report` copies what the replay feed found in the data (gaps apart from
expected closures, skipped bad bars) into the result.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

from logos.domain import OrderStatus
from logos.reports.result import SessionResult

if TYPE_CHECKING:
    import pandas as pd

    from logos.feeds.replay import ReplayReport
    from logos.strategies.base import Strategy


def session_warnings(
    result: SessionResult,
    strategies: Mapping[str, Strategy],
    frames: Mapping[str, pd.DataFrame] | None = None,
    signals: Mapping[str, np.ndarray] | None = None,
) -> list[str]:
    """The warnings of a session, in symbol order.

    ``frames`` are the bars each symbol was run on (None: not known, e.g. a live feed) and
    ``signals`` the whole-series signals the run used (None: computed bar by bar; then they
    are computed here, only for a symbol that sent and dropped nothing).
    """
    warnings: list[str] = []
    sent = {o.symbol for o in result.orders if o.status is not OrderStatus.DENIED}
    dropped: dict[str, list[str]] = {}
    for drop in result.dropped_intents:
        dropped.setdefault(drop.symbol, []).append(drop.reason)
    for symbol in result.symbols:
        reasons = dropped.get(symbol, [])
        if reasons and symbol not in sent:
            warnings.append(
                f"{symbol}: every order intent was dropped by sizing ({len(reasons)} dropped, "
                f"none sent), so the results show no trading at all; the first: {reasons[0]}"
            )
        refused = [o for o in result.orders if o.symbol == symbol]
        if refused and all(o.status is OrderStatus.REJECTED for o in refused):
            reason, count = Counter(_code(o.reason) for o in refused).most_common(1)[0]
            warnings.append(
                f"{symbol}: every one of its {len(refused)} orders was rejected by the broker, "
                f"so the results show no trading at all; most often ({count}): {reason}"
            )
        frame = frames.get(symbol) if frames is not None else None
        strategy = strategies.get(symbol)
        if frame is None or strategy is None:
            continue
        warmup = strategy.warmup_bars()
        if len(frame) < warmup:
            warnings.append(
                f"{symbol}: {len(frame)} bars, fewer than the {warmup} the strategy needs "
                "before its first signal (its warm-up): it could not trade"
            )
            continue
        if symbol in sent or reasons or not len(frame):
            continue
        values = signals.get(symbol) if signals is not None else None
        if values is None:
            values = strategy.signals(frame).to_numpy(dtype=np.float64)
        if np.isnan(values).all():
            warnings.append(
                f"{symbol}: the strategy computed no signal on any of its {len(frame)} bars "
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


def _code(reason: str) -> str:
    """A rejection reason without its numbers' detail: the part before the first ':'."""
    return reason.split(":", 1)[0] or reason


def note_data_report(result: SessionResult, report: ReplayReport) -> None:
    """Copy what the replay feed found in the data into ``result``: real gaps and the bars
    they miss, expected closures (not gaps), skipped bad bars by kind and listed."""
    result.gaps = len(report.gaps)
    result.missing_bars = report.missing_bars
    result.expected_closures = len(report.closures)
    result.skipped_bars = dict(report.skipped)
    result.skipped_rows = list(report.skipped_rows)
