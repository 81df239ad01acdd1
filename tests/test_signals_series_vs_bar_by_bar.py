"""A backtest's two ways of getting signals give the same session: signals computed once on
the whole series (the default) and signals computed bar by bar with ``Strategy.update`` (what a
paper or live session does; ``logos backtest --stepwise``) run through the one engine loop and
write byte-identical orders, trades, positions and account files.

Each case also asserts that the path it is meant to exercise really happened (orders,
rejections, dropped intents, partial fills, working orders across bars), so no case can pass
by trading nothing. A third-party broker's own accounting is honoured in both.
"""

from __future__ import annotations

import csv
import dataclasses
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from logos.brokers.paper import PaperBroker
from logos.config import validate_config
from logos.domain import Account, OrderIntent, OrderStatus, Side
from logos.engine import Engine, RiskHooks
from logos.plugins import get_registry
from logos.reports.result import SessionResult
from logos.session import build_session, run_session, write_artifacts

DATA = Path(__file__).parent / "data"
ENGINE = DATA / "engine"
BARS = DATA / "bars"
COMPARED = ("orders.csv", "trades.csv", "positions.csv", "account.csv")


def _config(
    path: Path,
    symbols: list[str],
    strategy: str,
    sizing: dict[str, Any],
    broker: dict[str, Any],
    timeframe: str = "1m",
    strategy_params: dict[str, Any] | None = None,
    metadata: dict[str, Any] | None = None,
) -> dict[str, Any]:
    config: dict[str, Any] = {
        "session_id": "parity",
        "symbols": symbols,
        "timeframe": timeframe,
        "feed": {"name": "replay", "params": {"path": str(path)}},
        "broker": {"name": "paper", "params": broker},
        "strategy": {"name": strategy, "params": strategy_params or {}},
        "sizing": sizing,
    }
    if metadata:
        config["metadata"] = metadata
    return config


def _fills_partial(result: SessionResult) -> bool:
    return any(o.status is OrderStatus.PARTIALLY_FILLED for o in result.orders) or any(
        sum(1 for f in result.fills if f.order_id == o.order_id) > 1 for o in result.orders
    )


Check = Callable[[SessionResult], bool]

CASES: dict[str, tuple[dict[str, Any], Check]] = {
    "sma_cross, gappy tiny-price minutes, fees and slippage": (
        _config(
            ENGINE / "btc_gappy_1m.csv",
            ["UNITTEST/BTC"],
            "sma_cross",
            {"name": "fixed_qty", "params": {"qty": "10"}},
            {"cash": "1000", "fee_bps": "10", "slippage_bps": "5"},
            strategy_params={"fast": 5, "slow": 20},
        ),
        lambda r: len(r.fills) > 50,
    ),
    "rsi_reversion long/short, percent_equity (sized every bar), daily equity": (
        _config(
            BARS / "backtrader_nvda-1999-2014-1d.csv",
            ["NVDA"],
            "rsi_reversion",
            {"name": "percent_equity", "params": {"fraction": "0.2"}},
            {"cash": "100000", "fee_bps": "5", "allow_short": True},
            timeframe="1d",
        ),
        lambda r: len(r.fills) > 100 and _went_short(r),
    ),
    "breakout, lot-size truncation and min_notional drops, tiny prices": (
        _config(
            BARS / "freqtrade_XRP_ETH-5m.csv",
            ["XRP/ETH"],
            "breakout",
            {"name": "fixed_notional", "params": {"notional": "1"}},
            {"cash": "100", "fee_bps": "10", "allow_short": True},
            timeframe="5m",
            strategy_params={"lookback": 10},
            metadata={"XRP/ETH": {"lot_size": "7", "min_notional": "0.5"}},
        ),
        lambda r: len(r.fills) > 5 and len(r.dropped_intents) > 0,
    ),
    "sma_cross, volume participation: partial fills over several bars": (
        _config(
            ENGINE / "volume_1m.csv",
            ["FUT"],
            "sma_cross",
            {"name": "fixed_qty", "params": {"qty": "400"}},
            {"cash": "100000000", "fee_bps": "2", "volume_participation": "0.05"},
        ),
        _fills_partial,
    ),
    "rsi_reversion, cash too small: rejected every bar until the signal changes": (
        _config(
            ENGINE / "btc_gappy_1m.csv",
            ["UNITTEST/BTC"],
            "rsi_reversion",
            {"name": "fixed_qty", "params": {"qty": "2000"}},
            {"cash": "1", "fee_bps": "10"},
        ),
        lambda r: sum(o.status is OrderStatus.REJECTED for o in r.orders) > 10,
    ),
    "buy_and_hold, zero volume FX": (
        _config(
            ENGINE / "gbpusd_zero_volume_1m.csv",
            ["GBP/USD"],
            "buy_and_hold",
            {"name": "fixed_qty", "params": {"qty": "1000"}},
            {"cash": "10000", "fee_bps": "1"},
        ),
        lambda r: len(r.fills) == 1,
    ),
    "two symbols, misaligned slices, one strategy per symbol": (
        _config(
            ENGINE / "multi",
            ["AAA", "BBB"],
            "sma_cross",
            {"name": "fixed_qty", "params": {"qty": "100"}},
            {"cash": "0.2", "fee_bps": "10"},
            strategy_params={"fast": 5, "slow": 15},
        ),
        lambda r: (
            {f.symbol for f in r.fills} == {"AAA", "BBB"}
            and sum(o.status is OrderStatus.REJECTED for o in r.orders) > 0
        ),
    ),
    "two symbols, percent_equity long/short: the broker is marked at every slice": (
        _config(
            ENGINE / "multi",
            ["AAA", "BBB"],
            "rsi_reversion",
            {"name": "percent_equity", "params": {"fraction": "0.3"}},
            {"cash": "10", "fee_bps": "10", "allow_short": True},
        ),
        lambda r: {f.symbol for f in r.fills} == {"AAA", "BBB"} and _went_short(r),
    ),
    "sma_cross through long flat stretches (equal averages are not a cross)": (
        _config(
            BARS / "freqtrade_XRP_ETH-1m.csv",
            ["XRP/ETH"],
            "sma_cross",
            {"name": "fixed_qty", "params": {"qty": "1000"}},
            {"cash": "100", "fee_bps": "10"},
        ),
        lambda r: len(r.fills) > 20,
    ),
    "short files around the warm-up: 32 bars, first signal at bar 30": (
        _config(
            BARS / "edge_XRP_ETH-5m-first32.csv",
            ["XRP/ETH"],
            "sma_cross",
            {"name": "fixed_qty", "params": {"qty": "1000"}},
            {"cash": "100"},
            timeframe="5m",
        ),
        lambda r: len(r.account) == 32,
    ),
    "shorter than the warm-up: 20 bars, no signal, no order": (
        _config(
            BARS / "edge_XRP_ETH-5m-first20.csv",
            ["XRP/ETH"],
            "sma_cross",
            {"name": "fixed_qty", "params": {"qty": "1000"}},
            {"cash": "100"},
            timeframe="5m",
        ),
        lambda r: len(r.account) == 20 and r.orders == [],
    ),
}


def _went_short(result: SessionResult) -> bool:
    """Whether some symbol's running position (from the fills) was ever below zero."""
    running: dict[str, Decimal] = {}
    for fill in result.fills:
        running[fill.symbol] = running.get(fill.symbol, Decimal(0)) + fill.qty * fill.side.sign
        if running[fill.symbol] < 0:
            return True
    return False


def _run(config: dict[str, Any], stepwise: bool, out: Path) -> SessionResult:
    registry = get_registry()
    session = build_session(validate_config(config, registry), registry)
    result = run_session(session, stepwise=stepwise)
    write_artifacts(session, result, out)
    return result


@pytest.mark.parametrize("case", list(CASES))
def test_series_signals_write_the_same_bytes_as_bar_by_bar_signals(
    case: str, tmp_path: Path
) -> None:
    config, exercised = CASES[case]
    fast = _run(config, stepwise=False, out=tmp_path / "fast")
    slow = _run(config, stepwise=True, out=tmp_path / "slow")
    assert exercised(slow), f"case {case!r} did not exercise what it is for"
    assert len(slow.account) == len(fast.account)
    for name in COMPARED:
        fast_bytes = (tmp_path / "fast" / name).read_bytes()
        slow_bytes = (tmp_path / "slow" / name).read_bytes()
        assert fast_bytes == slow_bytes, f"{name} differs between the two ways of signalling"


class _DenySells(RiskHooks):
    """A pre-trade guard that denies every sell: the engine sizes the exit again every bar."""

    def pre_trade(self, intent: OrderIntent, account: Account) -> str | None:
        return "no sells today" if intent.side is Side.SELL else None


def test_pre_trade_denials_are_identical_either_way(tmp_path: Path) -> None:
    config, _ = CASES["sma_cross, gappy tiny-price minutes, fees and slippage"]
    registry = get_registry()
    outputs = {}
    for stepwise in (False, True):
        session = build_session(validate_config(config, registry), registry)
        session.engine.parts.risk = _DenySells()
        result = run_session(session, stepwise=stepwise)
        out = tmp_path / str(stepwise)
        write_artifacts(session, result, out)
        outputs[stepwise] = {name: (out / name).read_bytes() for name in COMPARED}
        denied = [o for o in result.orders if o.status is OrderStatus.DENIED]
        assert denied and all(o.side is Side.SELL for o in denied)
        assert result.repeated_denials > 100
    assert outputs[False] == outputs[True]


class _MarkFeeBroker(PaperBroker):
    """A third-party broker with its own accounting: it charges a fee of 0.01 on every mark,
    reported in the account it returns (cash and equity both lower by the fees so far)."""

    name = "mark_fee"
    FEE = Decimal("0.01")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.charged = Decimal(0)

    def mark_prices(self, prices: Any, *, ts: Any) -> Account:
        self.charged += self.FEE
        account = super().mark_prices(prices, ts=ts)
        return account._replace(
            cash=account.cash - self.charged, equity=account.equity - self.charged
        )


def _account_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("stepwise", [False, True], ids=["series", "bar_by_bar"])
def test_a_third_party_brokers_accounting_is_what_account_csv_shows(
    stepwise: bool, tmp_path: Path
) -> None:
    config, _ = CASES["sma_cross, gappy tiny-price minutes, fees and slippage"]
    registry = get_registry()
    outputs = {}
    for broker_cls in (PaperBroker, _MarkFeeBroker):
        session = build_session(validate_config(config, registry), registry)
        parts = dataclasses.replace(
            session.engine.parts,
            broker=broker_cls(session.engine.broker.params, symbols=()),
        )
        session.engine = Engine(parts)
        result = run_session(session, stepwise=stepwise)
        assert len(result.fills) > 50
        out = tmp_path / broker_cls.__name__
        write_artifacts(session, result, out)
        outputs[broker_cls] = _account_rows(out / "account.csv")
    plain, charged = outputs[PaperBroker], outputs[_MarkFeeBroker]
    assert len(plain) == len(charged) > 1000
    for row, (p, c) in enumerate(zip(plain, charged, strict=True), start=1):
        fees_so_far = Decimal("0.01") * row  # one mark per slice, one row per slice
        assert Decimal(p["cash"]) - Decimal(c["cash"]) == fees_so_far, f"row {row}"
        assert Decimal(p["equity"]) - Decimal(c["equity"]) == fees_so_far, f"row {row}"
