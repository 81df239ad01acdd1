"""Say what is real: a component registered but not available yet is shown and refused as
such; LOGOS_LOAD_PLUGINS naming a plugin that is not installed is a warning (an error when
strict), and an unknown component says which plugins that variable left out."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cli_run import run_cli

from logos.config import ResolvedComponent, load_config
from logos.errors import NotAvailableYetError
from logos.plugins import get_registry
from logos.session import build_session

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "sma_cross.toml"


run = run_cli


def logos(*argv: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("LOGOS_")}
    return subprocess.run(
        [sys.executable, "-m", "logos", *argv],
        capture_output=True,
        text=True,
        env={**environ, "COLUMNS": "200", **env},
        timeout=120,
    )


def test_plugins_list_marks_unavailable_components(capsys):
    code, out, _ = run(capsys, "plugins", "list", "--json")
    assert code == 0
    rows = {row["name"]: row for row in json.loads(out)}
    assert rows["logos_alpaca"]["not_available_yet"] == {}
    assert rows["logos_ccxt"]["not_available_yet"] == {}
    assert rows["logos_yf"]["not_available_yet"] == {}
    assert rows["logos_ib_stub"]["status"] == "not available yet"


def test_plugins_list_table_says_not_available_yet():
    result = logos("plugins", "list")
    assert result.returncode == 0, result.stderr
    lines = {line.split("│")[1].strip(): line for line in result.stdout.splitlines() if "│" in line}
    assert "not available yet" in lines["logos_ib_stub"] and " ok " not in lines["logos_ib_stub"]
    assert " ok " in lines["logos_alpaca"]
    assert " ok " in lines["logos_ccxt"]


@pytest.mark.parametrize("broker", ["ib"])
def test_backtest_with_an_unavailable_broker_says_not_available_yet(capsys, tmp_path, broker):
    code, _, err = run(
        capsys,
        "backtest",
        str(EXAMPLE),
        "--set",
        f"broker.name={broker}",
        "--out",
        str(tmp_path / "run"),
    )
    assert code == 1
    assert "broker.name: " in err and f"('{broker}') is registered but not available yet" in err
    assert "docs/status.md" in err and "is not a Broker" not in err
    # the ib stub's params are checked (an IB config can be written ahead): the paper
    # broker's params given to it are reported, with the ones it knows
    assert "broker.params.cash: Extra inputs are not permitted" in err
    assert "known: host, port, client_id, account" in err
    assert not (tmp_path / "run").exists()


def test_validate_a_config_naming_an_unavailable_broker(capsys, tmp_path):
    config = tmp_path / "run.toml"
    config.write_text(EXAMPLE.read_text().replace('name = "paper"', 'name = "ib"'))
    data = ROOT / "logos" / "data" / "btcusdt-perp-1m.csv"
    config.write_text(config.read_text().replace("../logos/data/btcusdt-perp-1m.csv", str(data)))
    code, _, err = run(capsys, "validate", str(config))
    assert code == 1
    assert "IbBroker ('ib') is registered but not available yet" in err


def test_build_session_refuses_an_unavailable_broker_with_its_own_error():
    from logos_ib_stub.broker import IbBroker

    validated = load_config(EXAMPLE, get_registry())
    ib = ResolvedComponent("ib", IbBroker, IbBroker.Params())
    with pytest.raises(NotAvailableYetError, match=r"IbBroker \('ib'\) is registered but not"):
        build_session(dataclasses.replace(validated, broker=ib), get_registry())


def test_load_plugins_naming_a_missing_plugin_warns():
    result = logos("plugins", "list", "--json", LOGOS_LOAD_PLUGINS="logos_ccx,logos_yf")
    assert result.returncode == 0
    assert "warning: LOGOS_LOAD_PLUGINS names plugin(s) that are not installed: logos_ccx" in (
        result.stderr
    )
    names = {row["name"] for row in json.loads(result.stdout)}
    assert names == {"builtin", "logos_yf"}


def test_load_plugins_naming_a_missing_plugin_is_an_error_when_strict():
    result = logos("plugins", "list", LOGOS_LOAD_PLUGINS="logos_ccx", LOGOS_STRICT_PLUGINS="1")
    assert result.returncode == 1
    assert result.stderr.startswith(
        "error: LOGOS_LOAD_PLUGINS names plugin(s) that are not installed: logos_ccx"
    )
    assert "Traceback" not in result.stderr


def test_unknown_broker_says_load_plugins_left_plugins_out():
    result = logos(
        "validate", str(EXAMPLE), "--set", "broker.name=ib", LOGOS_LOAD_PLUGINS="logos_yf"
    )
    assert result.returncode == 1
    err = " ".join(result.stderr.split())
    assert "unknown broker 'ib' (LOGOS_LOAD_PLUGINS='logos_yf' left out the installed" in err
    assert "logos_ib_stub" in err and "installed: paper" in err


def test_unknown_broker_without_the_variable_does_not_mention_it(capsys, monkeypatch):
    monkeypatch.delenv("LOGOS_LOAD_PLUGINS", raising=False)  # the suite sets it (conftest)
    get_registry.cache_clear()  # loaded as a user without the variable loads it
    try:
        code, _, err = run(capsys, "validate", str(EXAMPLE), "--set", "broker.name=nope")
    finally:
        get_registry.cache_clear()  # the next test loads the suite's own again
    assert code == 1
    assert "unknown broker 'nope'; installed: " in err and "LOGOS_LOAD_PLUGINS" not in err
