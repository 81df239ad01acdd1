"""Run-config validation: every problem reported at once, each with its field path."""

from __future__ import annotations

import sys
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import Field, model_validator

import logos
from logos.brokers.paper import PaperBroker
from logos.components import Params
from logos.config import apply_overrides, load_config, parse_override, validate_config
from logos.errors import ConfigError
from logos.feeds.replay import ReplayFeed
from logos.plugins import load_plugins
from logos.risk import RiskGuard
from logos.strategies.buy_and_hold import BuyAndHold


class TFeed(ReplayFeed):
    """Test feed."""

    name = "t_feed"

    class Params(Params):
        path: str
        poll_interval: float = Field(1.0, gt=0)


class TBroker(PaperBroker):
    """Test broker."""

    name = "t_broker"

    class Params(Params):
        cash: Decimal = Field(Decimal(1000), gt=0)


class TStrategy(BuyAndHold):
    """Test strategy."""

    name = "t_strat"

    class Params(Params):
        fast: int = Field(10, ge=1)
        slow: int = Field(30, ge=1)

        @model_validator(mode="after")
        def _ordered(self):
            if self.fast >= self.slow:
                raise ValueError("fast must be smaller than slow")
            return self


class TGuard(RiskGuard):
    """Test guard."""

    name = "t_guard"

    class Params(Params):
        limit: float = Field(gt=0, le=1)


@logos.hookimpl
def register_feeds(register):
    register(TFeed)


@logos.hookimpl
def register_brokers(register):
    register(TBroker)


@logos.hookimpl
def register_strategies(register):
    register(TStrategy)


@logos.hookimpl
def register_risk_guards(register):
    register(TGuard)


GOOD = """
mode = "paper"
session_id = "demo-1"
symbols = ["BTC/USDT", "ETH/USDT"]

[feed]
name = "t_feed"
params = { path = "data/x.csv" }

[broker]
name = "t_broker"
params = { cash = "5000.50" }

[strategy]
name = "t_strat"
params = { fast = 5, slow = 20 }

[sizing]
name = "fixed_notional"
params = { notional = "250" }

[[risk]]
name = "t_guard"
params = { limit = 0.2 }
"""


@pytest.fixture
def registry(monkeypatch):
    monkeypatch.setenv("LOGOS_LOAD_PLUGINS", "")
    return load_plugins(extra_modules=[("testkit", sys.modules[__name__])])


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "run.toml"
    path.write_text(textwrap.dedent(text))
    return path


def test_good_config_resolves_components_and_params(tmp_path, registry):
    path = write(tmp_path, GOOD)
    config = load_config(path, registry)
    assert config.run.mode == "paper"
    assert config.run.symbols == ["BTC/USDT", "ETH/USDT"]
    # a relative path in a config is relative to the config file, wherever logos runs
    assert config.feed.cls is TFeed and config.feed.params.path == str(path.parent / "data/x.csv")
    assert config.broker.params.cash == Decimal("5000.50")
    assert (config.strategy.params.fast, config.strategy.params.slow) == (5, 20)
    assert config.sizing.params.notional == Decimal(250)
    assert config.risk[0].params.limit == 0.2
    assert isinstance(config.strategy.build(), TStrategy)


def problems_of(tmp_path, registry, text, overrides=None) -> list[str]:
    with pytest.raises(ConfigError) as excinfo:
        load_config(write(tmp_path, text), registry, overrides)
    return excinfo.value.problems


def test_every_problem_is_reported_with_its_path(tmp_path, registry):
    bad = (
        GOOD.replace('mode = "paper"', 'mode = "yolo"')
        .replace("fast = 5", 'fast = "quick"')
        .replace('cash = "5000.50"', 'cash = "-1"')
        .replace("limit = 0.2", "limit = 3")
        .replace('notional = "250"', "qty = 1")
    )
    problems = problems_of(tmp_path, registry, bad)
    joined = "\n".join(problems)
    assert "mode: Input should be 'backtest', 'paper', 'dry_run' or 'live'" in joined
    assert "strategy.params.fast: Input should be a valid integer" in joined
    assert "broker.params.cash: Input should be greater than 0" in joined
    assert "risk[0].params.limit: Input should be less than or equal to 1" in joined
    assert "sizing.params.notional: Field required" in joined
    assert "sizing.params.qty: Extra inputs are not permitted" in joined
    assert len(problems) == 6, problems


def test_unknown_component_names_what_is_installed(tmp_path, registry):
    problems = problems_of(tmp_path, registry, GOOD.replace('"t_strat"', '"nope"'))
    assert len(problems) == 1
    # (LOGOS_LOAD_PLUGINS="" in this registry: the message also says it left plugins out)
    assert problems[0].startswith("strategy.name: unknown strategy 'nope'")
    installed = problems[0].split("; installed: ")[1].split(", ")
    assert "t_strat" in installed and "sma_cross" in installed
    assert installed == sorted(installed)


def test_model_level_params_error_has_params_path(tmp_path, registry):
    problems = problems_of(tmp_path, registry, GOOD.replace("fast = 5", "fast = 50"))
    assert problems == [
        "strategy.params: Value error, fast must be smaller than slow "
        "(got {'fast': 50, 'slow': 20})"
    ]


def test_missing_sections_and_unknown_keys(tmp_path, registry):
    text = 'session_id = "x"\ncolour = "blue"\n[strategy]\nname = "t_strat"\n'
    problems = problems_of(tmp_path, registry, text)
    assert "symbols: Field required" in problems
    assert "feed: Field required" in problems
    assert "colour: Extra inputs are not permitted (got 'blue')" in problems


def test_unknown_param_is_an_error_not_ignored(tmp_path, registry):
    problems = problems_of(tmp_path, registry, GOOD.replace("slow = 20", "slow = 20, slwo = 3"))
    assert problems == [
        "strategy.params.slwo: Extra inputs are not permitted (got 3); known: fast, slow"
    ]


def test_toml_syntax_error_names_file_and_line(tmp_path, registry):
    with pytest.raises(ConfigError) as excinfo:
        load_config(write(tmp_path, "mode = \n"), registry)
    assert "run.toml" in str(excinfo.value)
    assert "line 1" in excinfo.value.problems[0]


def test_overrides_win_over_file_and_are_validated(tmp_path, registry):
    path = write(tmp_path, GOOD)
    config = load_config(path, registry, {"strategy.params.fast": 7, "risk.0.params.limit": 0.5})
    assert config.strategy.params.fast == 7
    assert config.risk[0].params.limit == 0.5
    problems = problems_of(tmp_path, registry, GOOD, {"strategy.params.fast": 0})
    assert problems == ["strategy.params.fast: Input should be greater than or equal to 1 (got 0)"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("strategy.params.fast=12", ("strategy.params.fast", 12)),
        ("broker.params.cash=1000.5", ("broker.params.cash", 1000.5)),
        ("symbols=['A', 'B']", ("symbols", ["A", "B"])),
        ("session_id=abc-1", ("session_id", "abc-1")),
        ("mode=paper", ("mode", "paper")),
    ],
)
def test_parse_override(text, expected):
    assert parse_override(text) == expected


def test_override_errors():
    with pytest.raises(ConfigError, match="not of the form key=value"):
        parse_override("fast")
    with pytest.raises(ConfigError, match="no list item '3'"):
        apply_overrides({"risk": []}, {"risk.3.name": "x"})
    with pytest.raises(ConfigError, match="mode is not a table"):
        apply_overrides({"mode": "paper"}, {"mode.x": 1})


def test_validate_config_does_not_mutate_input(registry):
    data = {
        "symbols": ["A"],
        "feed": {"name": "t_feed", "params": {"path": "p"}},
        "strategy": {"name": "t_strat"},
        "broker": {"name": "t_broker"},
    }
    snapshot = repr(data)
    config = validate_config(data, registry)
    assert repr(data) == snapshot
    assert config.sizing.name == "fixed_qty"


def test_inline_metadata_and_metadata_file(tmp_path, registry):
    (tmp_path / "meta.toml").write_text(
        '["BTC/USDT"]\ntick_size = "0.01"\nlot_size = "0.001"\n["ETH/USDT"]\ntick_size = "0.1"\n'
    )
    text = 'metadata_file = "meta.toml"\n' + GOOD + '[metadata."ETH/USDT"]\nlot_size = 0.0001\n'
    config = load_config(write(tmp_path, text), registry)
    assert config.metas["BTC/USDT"].lot_size == Decimal("0.001")
    # the inline table replaces the file's entry for that symbol
    assert config.metas["ETH/USDT"].lot_size == Decimal("0.0001")
    assert config.metas["ETH/USDT"].tick_size is None


def test_metadata_problems_are_reported_with_the_rest(tmp_path, registry):
    text = (
        'metadata_file = "absent.toml"\n'
        + GOOD.replace("fast = 5", "fast = 0")
        + '[metadata."ETH/USDT"]\ntick_size = "-1"\n'
    )
    problems = problems_of(tmp_path, registry, text)
    joined = "\n".join(problems)
    assert "strategy.params.fast: Input should be greater than or equal to 1" in joined
    assert "metadata_file: " in joined and "absent.toml: metadata file not found" in joined
    assert "symbol 'ETH/USDT': tick_size: Input should be greater than 0" in joined
