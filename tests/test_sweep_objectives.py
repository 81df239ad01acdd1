"""The objectives a sweep ranks by, on numbers worked out by hand."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from decimal import Decimal

import numpy as np
import pytest

from logos.domain import Fill, Side
from logos.errors import ConfigError
from logos.sweep.objectives import (
    calmar_ratio,
    check_objective,
    profit_factor,
    score,
    sortino_ratio,
)


def test_sortino_divides_the_mean_return_by_the_downside_deviation() -> None:
    # returns +10 %, -10 %, +10 %: mean 1/30; downside sqrt((0 + 0.01 + 0) / 3)
    equity = np.array([100.0, 110.0, 99.0, 108.9])
    expected = (1 / 30) / math.sqrt(0.01 / 3) * math.sqrt(4.0)
    assert sortino_ratio(equity, per_year=4.0) == pytest.approx(expected, rel=1e-12)


def test_sortino_without_a_losing_row_is_undefined() -> None:
    assert sortino_ratio(np.array([100.0, 101.0, 102.0]), per_year=1.0) is None


def test_calmar_is_the_annualised_return_over_the_max_drawdown() -> None:
    # +21 % over two years is +10 % a year; a 5 % drawdown: 2.0
    assert calmar_ratio(1.21, 0.05, 2.0) == pytest.approx(2.0, rel=1e-12)
    assert calmar_ratio(1.21, 0.0, 2.0) is None
    assert calmar_ratio(1.21, 0.05, None) is None


def fill(side: Side, qty: str, pnl: str) -> Fill:
    ts = datetime(2024, 1, 1, tzinfo=UTC)
    return Fill(
        trade_id="t", order_id="o", client_order_id="c", ts=ts, symbol="X", side=side,
        qty=Decimal(qty), price=Decimal(100), realized_pnl=Decimal(pnl),
    )  # fmt: skip


def test_profit_factor_counts_closing_fills_only() -> None:
    fills = [
        fill(Side.BUY, "2", "0"),  # opens
        fill(Side.SELL, "1", "30"),  # closes, wins 30
        fill(Side.SELL, "1", "-10"),  # closes, loses 10
        fill(Side.SELL, "1", "-5"),  # opens a short: not counted
        fill(Side.BUY, "1", "-5"),  # closes, loses 5
    ]
    assert profit_factor(fills) == pytest.approx(30 / 15)
    assert profit_factor(fills[:2]) is None  # no losing fill


def test_score_orients_the_objective_and_applies_the_minimum_trades() -> None:
    metrics = {"sharpe": 1.5, "max_drawdown": 0.2, "trades": 10}
    assert score(metrics, "sharpe", 0) == 1.5
    assert score(metrics, "max_drawdown", 0) == -0.2  # lower drawdown ranks higher
    assert score(metrics, "sharpe", 11) is None
    assert score({"sharpe": None, "trades": 10}, "sharpe", 0) is None


def test_an_unknown_objective_lists_the_known_ones() -> None:
    with pytest.raises(ConfigError, match="unknown objective 'alpha'; known: total_return, sharpe"):
        check_objective("alpha")
