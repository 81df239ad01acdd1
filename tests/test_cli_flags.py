"""`logos backtest` flags do what they say: a broker or sizing param alone, `--feed` and
`--broker`, a strategy class from a file (as `check-strategy` takes it), paths in a config
relative to the config, and regular-expression field errors explained in words."""

from __future__ import annotations

import csv
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

import logos
from logos.cli import main

DATA = Path(logos.__file__).parent / "data" / "btcusdt-perp-1m.csv"
SYMBOL = "BTC/USDT:USDT"
BASE = ["--data", str(DATA), "--symbol", SYMBOL, "--strategy", "sma_cross"]

LONG_FROM = '''
from __future__ import annotations

import numpy as np
import pandas as pd
from pydantic import Field

from logos.components import Params
from logos.strategies.base import Strategy


class LongFrom(Strategy):
    """Flat until row ``start``, then fully long."""

    name = "long_from"

    class Params(Params):
        start: int = Field(0, ge=0)

    def warmup_bars(self) -> int:
        return 1

    def window_size(self) -> int | None:
        return None

    def signals(self, bars: pd.DataFrame) -> pd.Series:
        rows = np.arange(len(bars))
        return self._series(np.where(rows >= self.params.start, 1.0, 0.0), bars)
'''


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        main(["backtest", *argv])
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.out, " ".join(captured.err.split())


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh))


def _ts(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


# --set on a table the config does not have -------------------------------------------


def test_set_a_broker_param_without_any_broker_flag(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = _run(
        capsys, *BASE, "--set", "broker.params.fee_bps=5", "--out", str(tmp_path / "r")
    )
    assert code == 0, err
    trades = _rows(tmp_path / "r" / "trades.csv")
    assert trades
    for trade in trades[:20]:  # the default paper broker, charging the fee that was set
        notional = Decimal(trade["qty"]) * Decimal(trade["price"])
        assert Decimal(trade["fee"]) == notional * 5 / 10000


def test_set_a_sizing_param_keeps_the_default_rule_and_quantity(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # a cap far above one contract's notional: the default fixed_qty (qty 1) trades as before
    code, _, err = _run(
        capsys,
        *BASE,
        "--set",
        "sizing.params.max_order_notional=1000000",
        "--out",
        str(tmp_path / "r"),
    )
    assert code == 0, err
    orders = _rows(tmp_path / "r" / "orders.csv")
    assert orders and {o["qty"] for o in orders} == {"1"}  # long-only: in and out by 1


# --feed and --broker -------------------------------------------------------------------


def test_feed_and_broker_flags_choose_the_components(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    argv = [*BASE, "--feed", "replay", "--broker", "paper", "--fee-bps", "7"]
    code, _, err = _run(capsys, *argv, "--out", str(tmp_path / "r"))
    assert code == 0, err
    session = (tmp_path / "r" / "session.md").read_text()
    assert "| feed | replay (" in session and "| broker | paper (" in session
    assert "fee_bps=7" in session


@pytest.mark.parametrize(("flag", "field"), [("--feed", "feed.name"), ("--broker", "broker.name")])
def test_an_unknown_feed_or_broker_is_named(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, flag: str, field: str
) -> None:
    code, _, err = _run(capsys, *BASE, flag, "moon", "--out", str(tmp_path / "r"))
    assert code == 1
    assert f"{field}:" in err and "'moon'" in err
    assert not (tmp_path / "r").exists()


def test_broker_flag_naming_the_configs_broker_keeps_its_params(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = tmp_path / "run.toml"
    config.write_text(
        f'symbols = ["{SYMBOL}"]\n'
        f'[feed]\nname = "replay"\nparams = {{ path = "{DATA.as_posix()}" }}\n'
        '[broker]\nname = "paper"\nparams = { fee_bps = "3" }\n'
        '[strategy]\nname = "sma_cross"\n'
    )
    code, _, err = _run(capsys, str(config), "--broker", "paper", "--out", str(tmp_path / "r"))
    assert code == 0, err
    assert "fee_bps=3" in (tmp_path / "r" / "session.md").read_text()


# a strategy class from a file ----------------------------------------------------------


def _first_order_ts(out: Path) -> datetime:
    return _ts(_rows(out / "orders.csv")[0]["ts_created"])


def test_backtest_runs_a_strategy_class_from_a_file_with_its_params(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    module = tmp_path / "long_from.py"
    module.write_text(LONG_FROM)
    firsts = []
    for start in (100, 250):
        out = tmp_path / f"start{start}"
        argv = ["--data", str(DATA), "--symbol", SYMBOL, "--strategy", f"{module}:LongFrom"]
        code, _, err = _run(capsys, *argv, "--param", f"start={start}", "--out", str(out))
        assert code == 0, err
        firsts.append(_first_order_ts(out))
    # the param reached the strategy: its first order moves with `start`, minute bars
    assert firsts[1] - firsts[0] == timedelta(minutes=150)


def test_a_strategy_file_in_a_config_is_relative_to_the_config(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "project"
    (project / "strategies").mkdir(parents=True)
    (project / "strategies" / "long_from.py").write_text(LONG_FROM)
    (project / "run.toml").write_text(
        f'symbols = ["{SYMBOL}"]\nsession_id = "mine"\nrun_dir = "results"\n'
        f'[feed]\nname = "replay"\nparams = {{ path = "{DATA.as_posix()}" }}\n'
        '[strategy]\nname = "strategies/long_from.py:LongFrom"\nparams = { start = 5 }\n'
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    code, _, err = _run(capsys, str(project / "run.toml"))
    assert code == 0, err
    # run_dir too is relative to the config, not to the working directory
    assert (project / "results" / "mine" / "orders.csv").is_file()
    assert list(elsewhere.iterdir()) == []


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ("nope.py:LongFrom", ["strategy.name", "strategy file not found: nope.py"]),
        ("{module}:Missing", ["strategy.name", "Missing"]),
        ("{module}:np", ["strategy.name", "is not a subclass of logos.strategies.Strategy"]),
    ],
)
def test_a_bad_strategy_file_is_one_clear_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, spec: str, words: list[str]
) -> None:
    module = tmp_path / "long_from.py"
    module.write_text(LONG_FROM)
    argv = ["--data", str(DATA), "--symbol", SYMBOL, "--strategy", spec.format(module=module)]
    code, _, err = _run(capsys, *argv, "--out", str(tmp_path / "r"))
    assert code == 1
    assert err.startswith("error:")
    for word in words:
        assert word in err


def test_a_bad_param_of_a_file_strategy_names_the_field(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    module = tmp_path / "long_from.py"
    module.write_text(LONG_FROM)
    argv = ["--data", str(DATA), "--symbol", SYMBOL, "--strategy", f"{module}:LongFrom"]
    code, _, err = _run(capsys, *argv, "--param", "start=-1", "--out", str(tmp_path / "r"))
    assert code == 1
    assert "strategy.params.start" in err


# patterns in words ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("flags", "field", "words"),
    [
        (["--session-id", "my run"], "session_id", "letters, digits, '_', '.', '-'"),
        (["--timeframe", "1x"], "timeframe", "a whole number and a unit s, m, h, d or w"),
        (["--set", "broker.params.id_prefix=P-1"], "broker.params.id_prefix", "letters and"),
    ],
)
def test_a_pattern_error_says_what_to_write(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, flags: list[str], field: str, words: str
) -> None:
    code, _, err = _run(capsys, *BASE, *flags, "--out", str(tmp_path / "r"))
    assert code == 1
    assert f"{field}: expected" in err and words in err
    assert "pattern" not in err and "^" not in err


def test_every_field_pattern_has_words() -> None:
    from logos.brokers.paper_state import PaperParams
    from logos.config import PATTERN_WORDS, RunConfig
    from logos.feeds.replay import ReplayFeed

    patterns = {
        meta.pattern
        for model in (RunConfig, PaperParams, ReplayFeed.Params)
        for info in model.model_fields.values()
        for meta in info.metadata
        if getattr(meta, "pattern", None)
    }
    assert len(patterns) == 3
    assert patterns <= set(PATTERN_WORDS)


def test_qty_alone_picks_fixed_qty_over_the_configs_rule(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # examples/nvda_rsi.toml sizes with percent_equity; --qty 5 alone means "5 shares"
    config = Path(logos.__file__).parents[1] / "examples" / "nvda_rsi.toml"
    with pytest.raises(SystemExit) as done:
        main(["backtest", str(config), "--qty", "5", "--out", str(tmp_path / "o"), "--no-progress"])
    assert done.value.code in (0, None), capsys.readouterr().err
    with (tmp_path / "o" / "orders.csv").open() as fh:
        orders = list(csv.DictReader(fh))
    assert orders and {o["qty"] for o in orders} <= {"5", "10"}  # 5 in, 5 out, or 10 to flip
    assert "fixed_qty: " in orders[0]["reason"]


def test_validate_reads_a_file_strategy_relative_to_the_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "long_from.py").write_text(LONG_FROM)
    config = tmp_path / "conf" / "run.toml"
    config.write_text(
        f'symbols = ["{SYMBOL}"]\n[feed]\nname = "replay"\nparams = {{ path = "{DATA}" }}\n'
        '[strategy]\nname = "long_from.py:LongFrom"\nparams = { start = 3 }\n'
    )
    with pytest.raises(SystemExit) as done:
        main(["validate", str(config)])
    assert done.value.code in (0, None), capsys.readouterr().err
    assert "ok" in capsys.readouterr().out
    config.write_text(config.read_text().replace("start = 3", "start = -1"))
    with pytest.raises(SystemExit) as done:
        main(["validate", str(config)])
    assert done.value.code == 1
    assert "strategy.params.start" in capsys.readouterr().err
