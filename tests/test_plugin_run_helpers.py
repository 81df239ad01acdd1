"""``logos.testing.run``: a whole run in a test, its artifacts in memory, no CLI."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from logos.errors import ConfigError
from logos.testing.run import build_config, run_backtest, run_session, sample_config

ROOT = Path(__file__).resolve().parents[1]


def test_backtest_of_the_sample_gives_result_and_artifacts() -> None:
    run = run_backtest()
    assert sorted(run.files) == [
        "account.csv",
        "orders.csv",
        "positions.csv",
        "session.md",
        "trades.csv",
    ]
    assert sorted(run.binary) == ["equity.png"]
    # buy_and_hold buys 1 NVDA on the first bar; it fills at the second bar's open
    [fill] = run.result.fills
    assert (str(fill.qty), str(fill.price), fill.ts.isoformat()) == (
        "1",
        "1.770833",
        "1999-01-25T00:00:00+00:00",
    )
    [trade] = run.rows("trades.csv")
    assert trade["price"] == "1.770833"
    assert run.result.bars == 4012


def test_a_config_file_is_read_as_logos_backtest_reads_it() -> None:
    run = run_backtest(ROOT / "examples" / "nvda_rsi.toml", overrides={"session_id": "x"})
    assert run.config["strategy"]["name"] == "rsi_reversion"
    assert run.config["feed"]["params"]["path"].endswith("logos/data/nvda-1d.csv")
    assert run.result.session_id == "x"
    assert len(run.result.fills) > 10


def test_stepwise_session_trades_as_the_backtest() -> None:
    strategy = {"name": "sma_cross", "params": {"fast": 5, "slow": 20}}
    overrides = {"feed.params.path": str(ROOT / "logos" / "data" / "nvda-1d.csv")}
    backtest = run_backtest(strategy=strategy, overrides=overrides)
    stepwise = run_session(strategy=strategy, overrides=overrides)
    assert backtest.files["trades.csv"] == stepwise.files["trades.csv"]
    assert len(backtest.rows("trades.csv")) > 50


def test_a_bad_config_is_the_error_logos_validate_reports() -> None:
    with pytest.raises(ConfigError) as excinfo:
        run_backtest(strategy={"name": "sma_cross", "params": {"fast": "ten"}})
    assert "strategy.params.fast" in str(excinfo.value)


def test_nothing_is_left_behind() -> None:
    before = set(os.listdir(tempfile.gettempdir()))
    run_backtest()
    left = {n for n in set(os.listdir(tempfile.gettempdir())) - before if "logos-test-run" in n}
    assert left == set()


def test_components_replace_the_samples() -> None:
    config = build_config(broker="closefill_example", risk=["max_drawdown"], reporters=["csv"])
    assert config["broker"] == {"name": "closefill_example", "params": {}}
    assert config["risk"] == [{"name": "max_drawdown", "params": {}}]
    assert config["strategy"] == sample_config()["strategy"]
