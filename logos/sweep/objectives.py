"""What a sweep measures per trial, and what it ranks trials by.

Every trial's metrics come from its :class:`~logos.reports.result.SessionResult`: total
return, PnL, final equity, max drawdown, Sharpe, trades and win rate are session.md's own
(:func:`logos.reports.summarize`). Three more are defined here on the same inputs and
conventions (float64 equity, per-row returns, the observed slices per year):

- Sortino: mean per-row return ÷ downside deviation (root mean square of the returns below
  zero, over all rows), annualised by √(slices per year) as Sharpe is;
- Calmar: annualised return ((final ÷ start)^(1/years) − 1, years from the first to the last
  account row) ÷ max drawdown (undefined without a drawdown);
- profit factor: realized PnL of winning closing fills ÷ |realized PnL of losing ones|
  (gross, as win rate is; undefined without a losing fill).

"trades" is the number of fills (the backtest table's "trades (fills)"). A metric that is
undefined (no returns, no drawdown) is None; such a trial never ranks first.
"""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np

from logos.domain import Fill
from logos.errors import ConfigError
from logos.reports import SessionResult, summarize
from logos.reports.metrics import SECONDS_PER_YEAR, closing_flags

OBJECTIVES: dict[str, str] = {
    "total_return": "max",
    "sharpe": "max",
    "sortino": "max",
    "calmar": "max",
    "profit_factor": "max",
    "max_drawdown": "min",
}
"""The objectives ``--objective`` takes and their direction."""

METRICS = (
    "total_return",
    "sharpe",
    "sortino",
    "calmar",
    "profit_factor",
    "max_drawdown",
    "trades",
    "win_rate",
    "pnl",
    "final_equity",
)
"""The metric columns of every trial row, in order."""


def check_objective(name: str) -> str:
    """``name`` when it is an objective; else a ConfigError listing them."""
    if name not in OBJECTIVES:
        raise ConfigError(
            [f"--objective: unknown objective {name!r}; known: {', '.join(OBJECTIVES)}"],
            source="command line",
        )
    return name


def trial_metrics(result: SessionResult) -> dict[str, float | int | str | None]:
    """The metrics of one finished backtest (see the module docstring)."""
    summary = summarize(result)
    equity = result.account.equity_floats()
    ts_ns = result.account.ts_ns
    sortino = sortino_ratio(equity, summary.periods_per_year)
    calmar = None
    if summary.starting_cash > 0:
        growth = float(summary.final_equity / summary.starting_cash)
        calmar = calmar_ratio(growth, summary.max_drawdown, _years(ts_ns))
    return {
        "total_return": summary.total_return,
        "sharpe": summary.sharpe,
        "sortino": sortino,
        "calmar": calmar,
        "profit_factor": profit_factor(result.fills),
        "max_drawdown": summary.max_drawdown,
        "trades": summary.fills,
        "win_rate": summary.win_rate,
        "pnl": str(summary.pnl),
        "final_equity": str(summary.final_equity),
    }


def _years(ts_ns: np.ndarray) -> float | None:
    if len(ts_ns) < 2:
        return None
    elapsed = (int(ts_ns[-1]) - int(ts_ns[0])) / 1e9
    return elapsed / SECONDS_PER_YEAR if elapsed > 0 else None


def calmar_ratio(growth: float, max_drawdown: float, years: float | None) -> float | None:
    """Annualised return (``growth`` = final ÷ starting equity over ``years``) ÷ max drawdown;
    None without a drawdown, a duration or a positive final equity."""
    if not years or max_drawdown <= 0 or growth <= 0:
        return None
    return (growth ** (1 / years) - 1) / max_drawdown


def sortino_ratio(equity: np.ndarray, per_year: float | None) -> float | None:
    """Mean per-row return ÷ downside deviation (root mean square of the negative returns,
    over all rows), × √per_year; None when undefined."""
    if len(equity) < 3 or per_year is None:
        return None
    with np.errstate(divide="ignore", invalid="ignore"):
        returns = np.diff(equity) / equity[:-1]
    if not np.all(np.isfinite(returns)):
        return None
    downside = math.sqrt(float(np.mean(np.minimum(returns, 0.0) ** 2)))
    if downside == 0.0:
        return None
    return float(np.mean(returns)) / downside * math.sqrt(per_year)


def profit_factor(fills: list[Fill]) -> float | None:
    """Realized PnL of winning closing fills ÷ |that of losing ones|; None without a loss."""
    gains = losses = Decimal(0)
    for fill, closes in zip(fills, closing_flags(fills), strict=True):
        if closes:
            if fill.realized_pnl > 0:
                gains += fill.realized_pnl
            else:
                losses -= fill.realized_pnl
    return float(gains / losses) if losses > 0 else None


def score(metrics: dict[str, object], objective: str, min_trades: int) -> float | None:
    """The objective's value, oriented so that larger is better, or None when the trial is
    not eligible (failed, fewer trades than ``min_trades``, metric undefined)."""
    value = metrics.get(objective)
    trades = metrics.get("trades")
    if not isinstance(value, int | float) or not isinstance(trades, int) or trades < min_trades:
        return None
    if not math.isfinite(value):
        return None
    return -float(value) if OBJECTIVES[objective] == "min" else float(value)
