"""The live-safety validator: each rule refuses on its own, with its id; a config breaking
them all is refused with every rule listed; a config meeting them all may go live."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from logos.config import validate_config
from logos.live_safety import RULES, LiveSafetyError, check_live, live_failures
from logos.plugins import get_registry

ROOT = Path(__file__).resolve().parent.parent
ASSETS = ROOT / "examples" / "alpaca_assets.json"
KEYS = {"APCA_API_KEY_ID": "PKTESTKEY0001", "APCA_API_SECRET_KEY": "s3cr3t-test-value"}

LIVE: dict[str, Any] = {
    "mode": "live",
    "symbols": ["NVDA"],
    "timeframe": "1d",
    "feed": {"name": "replay", "params": {"path": str(ROOT / "logos/data/nvda-1d.csv")}},
    "broker": {"name": "alpaca", "params": {"assets_file": str(ASSETS), "paper": True}},
    "strategy": {"name": "rsi_reversion", "params": {"period": 14}},
    "risk": [
        {"name": "max_order_notional", "params": {"limit": "5000"}},
        {"name": "max_position_notional", "params": {"limit": "20000"}},
        {"name": "max_drawdown", "params": {"limit": "0.1"}},
        {"name": "kill_switch"},
    ],
}


def failures(config: dict[str, Any], *, live_flag: bool = True, environ=KEYS) -> list[str]:
    validated = validate_config(config, get_registry())
    return [str(f) for f in live_failures(validated, live_flag=live_flag, environ=environ)]


def changed(**fields: Any) -> dict[str, Any]:
    config = copy.deepcopy(LIVE)
    config.update(fields)
    return config


def without_guard(name: str) -> dict[str, Any]:
    return changed(risk=[g for g in LIVE["risk"] if g["name"] != name])


def test_a_config_meeting_every_rule_may_go_live():
    assert failures(LIVE) == []
    check_live(validate_config(LIVE, get_registry()), live_flag=True, environ=KEYS)


def test_live_mode_rule():
    assert failures(changed(mode="paper")) == [
        '[live-mode] mode: the config says mode = "paper"; a live run needs mode = "live" in it'
    ]


def test_live_flag_rule():
    assert failures(LIVE, live_flag=False) == ["[live-flag] give --live on the command line"]


def test_live_broker_rule():
    assert failures(changed(broker={"name": "paper"})) == [
        "[live-broker] broker.name: broker 'paper' does not trade live (a venue broker does: "
        "ccxt, alpaca)",
        # the paper broker knows no venue: the symbol has no venue metadata either
        "[known-symbols] symbols: no venue metadata for NVDA; give it with metadata_file "
        "(docs/metadata.md) or the broker's saved venue metadata",
    ]


@pytest.mark.parametrize("guard", ["max_order_notional", "max_position_notional", "max_drawdown"])
def test_risk_limits_rule(guard):
    (failure,) = failures(without_guard(guard))
    assert failure.startswith(f"[risk-limits] risk: no {guard} guard (it limits ")
    assert failure.endswith(f'add [[risk]] name = "{guard}"')


def test_kill_switch_rule():
    assert failures(without_guard("kill_switch")) == [
        '[kill-switch] risk: no kill_switch guard; add [[risk]] name = "kill_switch" (docs/risk.md)'
    ]


def test_credentials_rule_names_the_variables_never_the_values():
    found = failures(LIVE, environ={"APCA_API_KEY_ID": "PKTESTKEY0001"})
    assert found == [
        "[credentials] broker 'alpaca': not set: secret (environment variable "
        "APCA_API_SECRET_KEY); export them in the shell that runs logos (never in the config)"
    ]
    assert "PKTESTKEY0001" not in found[0]


def test_credentials_rule_reads_the_variables_the_params_name():
    config = copy.deepcopy(LIVE)
    config["broker"]["params"].update(key_env="MY_KEY", secret_env="MY_SECRET")
    (failure,) = failures(config)
    assert "key (environment variable MY_KEY), secret (environment variable MY_SECRET)" in failure
    assert failures(config, environ={"MY_KEY": "k-value", "MY_SECRET": "s-value"}) == []


def test_known_symbols_rule():
    assert failures(changed(symbols=["NVDA", "TSLA"])) == [
        "[known-symbols] symbols: no venue metadata for TSLA; give it with metadata_file "
        "(docs/metadata.md) or the broker's saved venue metadata"
    ]


def test_known_symbols_rule_takes_the_configs_metadata():
    config = changed(symbols=["NVDA", "TSLA"], metadata={"TSLA": {"lot_size": "1"}})
    assert failures(config) == []


def test_every_failed_rule_is_listed_at_once():
    # every rule but live-broker (alpaca trades live; a broker that does not has no
    # credentials to check: test_live_broker_rule)
    config = changed(mode="paper", symbols=["TSLA"], risk=[])
    validated = validate_config(config, get_registry())
    with pytest.raises(LiveSafetyError) as refused:
        check_live(validated, live_flag=False, environ={}, source="live.toml")
    rules = [f.rule for f in refused.value.failures]
    assert rules == [
        "live-mode",
        "live-flag",
        "risk-limits",
        "risk-limits",
        "risk-limits",
        "kill-switch",
        "credentials",
        "known-symbols",
    ]
    message = str(refused.value)
    assert message.startswith("9 problem(s) in live.toml:")
    assert message.endswith("a live run needs every rule to hold (docs/safety.md)")


def test_every_rule_has_an_id_and_a_requirement():
    assert [r.id for r in RULES] == [
        "live-mode",
        "live-flag",
        "live-broker",
        "risk-limits",
        "kill-switch",
        "credentials",
        "known-symbols",
    ]
    assert all(r.requires for r in RULES)
