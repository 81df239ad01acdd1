"""A run that cannot trade says so, on the console and at the top of session.md; and
check-strategy does not say "ok" for a strategy that gave no signal at all."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cli_run import run_cli

import logos
from logos.reports.account_history import AccountHistory
from logos.reports.result import SessionResult
from logos.reports.warnings import session_warnings
from logos.strategies.base import Strategy

DATA = Path(logos.__file__).parent / "data"
BTC = DATA / "btcusdt-perp-1m.csv"
EXAMPLES = Path(logos.__file__).parent.parent / "examples"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    return run_cli(capsys, *argv, collapse_out=True)


def test_every_intent_dropped_is_a_warning_on_the_console_and_in_session_md(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # 0.5 USD of NVDA (lot size 1, not fractionable) quantizes to nothing at every price
    out = tmp_path / "o"
    code, _, err = run(
        capsys, "backtest", str(EXAMPLES / "nvda_rsi.toml"), "--sizing", "fixed_notional",
        "--notional", "0.5", "--out", str(out), "--no-progress",
    )  # fmt: skip
    assert code == 0, err
    assert "warning: NVDA: every order intent was dropped by sizing" in err
    assert "none sent" in err and "below one lot (1)" in err
    text = (out / "session.md").read_text()
    assert text.index("## Warnings") < text.index("## Configuration")
    assert "- NVDA: every order intent was dropped by sizing" in text
    assert "| orders | 0 (filled 0, rejected 0, denied 0) |" in text


def test_every_order_rejected_by_the_broker_is_a_warning(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # 100 USDT cannot pay for 0.01 BTC at about 46,000 USDT (about 463 USDT): every buy is
    # rejected
    out = tmp_path / "o"
    code, _, err = run(
        capsys, "backtest", "--data", str(BTC), "--symbol", "BTC/USDT:USDT", "--strategy",
        "buy_and_hold", "--qty", "0.01", "--cash", "100", "--out", str(out), "--no-progress",
    )  # fmt: skip
    assert code == 0, err
    assert "warning: BTC/USDT:USDT: every one of its" in err
    assert "orders was rejected by the broker" in err and "insufficient_cash" in err
    assert "orders was rejected by the broker" in (out / "session.md").read_text()


def test_data_shorter_than_the_warm_up_is_a_warning(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    short = tmp_path / "short.csv"
    short.write_text("".join(BTC.read_text().splitlines(keepends=True)[:21]))  # 20 bars
    out = tmp_path / "o"
    code, _, err = run(
        capsys, "backtest", "--data", str(short), "--symbol", "BTC/USDT:USDT",
        "--strategy", "sma_cross", "--param", "fast=10", "--param", "slow=30",
        "--qty", "0.01", "--out", str(out), "--no-progress",
    )  # fmt: skip
    assert code == 0, err
    message = "BTC/USDT:USDT: 20 bars, fewer than the 30 the strategy needs before its first signal"
    assert f"warning: {message}" in err
    assert message in (out / "session.md").read_text()


def test_a_run_that_trades_has_no_warnings(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "o"
    code, _, err = run(
        capsys, "backtest", str(EXAMPLES / "sma_cross.toml"), "--out", str(out), "--no-progress"
    )
    assert code == 0, err
    assert "warning" not in err
    assert "## Warnings" not in (out / "session.md").read_text()


class NeverSignals(Strategy):
    """Returns NaN for every bar, however long the data (a broken strategy)."""

    name = "never_signals"

    def warmup_bars(self) -> int:
        return 1

    def signals(self, bars: pd.DataFrame) -> pd.Series:
        return self._series(np.full(len(bars), np.nan), bars)


def _result(symbols: list[str]) -> SessionResult:
    return SessionResult(
        session_id="s", mode="backtest", config_summary={}, starting_cash=Decimal(100),
        currency="USD", orders=[], fills=[], positions=[], account=AccountHistory(),
        symbols=symbols,
    )  # fmt: skip


def test_no_signal_ever_computed_is_a_warning_and_a_flat_strategy_is_not() -> None:
    index = pd.date_range(datetime(2024, 1, 1, tzinfo=UTC), periods=5, freq="1min", name="ts")
    frame = pd.DataFrame({c: 1.0 for c in ("open", "high", "low", "close", "volume")}, index)
    warnings = session_warnings(_result(["X"]), {"X": NeverSignals()}, {"X": frame})
    assert warnings == [
        "X: the strategy computed no signal on any of its 5 bars (every value NaN), so it "
        "never traded"
    ]
    # a strategy that chose to stay flat (signal 0) computed signals: nothing to warn about
    flat = {"X": np.zeros(5)}
    assert session_warnings(_result(["X"]), {"X": NeverSignals()}, {"X": frame}, flat) == []


def test_check_strategy_does_not_say_ok_without_any_signal(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    short = tmp_path / "short.csv"
    short.write_text("".join(BTC.read_text().splitlines(keepends=True)[:21]))
    code, out, err = run(
        capsys, "check-strategy", "sma_cross", "--data", str(short),
        "--param", "fast=10", "--param", "slow=30",
    )  # fmt: skip
    assert code == 1
    assert "ok" not in out
    assert "no signal on any bar (every value NaN; warm-up 30 bars)" in err


NEVER_SIGNALS = """
import numpy as np
from logos.strategies.base import Strategy

class NeverSignals(Strategy):
    name = "never_signals"

    def warmup_bars(self):
        return 1

    def signals(self, bars):
        return self._series(np.full(len(bars), np.nan), bars)
"""


@pytest.mark.parametrize("stepwise", [False, True], ids=["series", "stepwise"])
def test_no_signal_is_a_warning_of_a_streamed_backtest_either_way(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, stepwise: bool
) -> None:
    strategy = tmp_path / "never.py"
    strategy.write_text(NEVER_SIGNALS)
    code, _, err = run(
        capsys, "backtest", "--data", str(BTC), "--symbol", "BTC/USDT:USDT",
        "--strategy", f"{strategy}:NeverSignals", "--qty", "0.01", "--no-progress",
        "--out", str(tmp_path / "o"), *(["--stepwise"] if stepwise else []),
    )  # fmt: skip
    assert code == 0, err
    assert "the strategy computed no signal on any of its 14400 bars" in err
