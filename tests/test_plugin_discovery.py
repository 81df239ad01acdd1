"""Plugin discovery through real entry points of installed test distributions."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from logos.components import ComponentKind
from logos.errors import PluginError, UnknownComponentError
from logos.plugins import load_plugins

TEST_PLUGINS = (
    "logos_tp_good",
    "logos_tp_broken_import",
    "logos_tp_raising_hook",
    "logos_tp_duplicate",
    "logos_tp_bad_hook",
)


@pytest.fixture
def on_path(test_plugin_site: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.syspath_prepend(str(test_plugin_site))
    importlib.invalidate_caches()
    return test_plugin_site


def load_only(monkeypatch: pytest.MonkeyPatch, *names: str):
    monkeypatch.setenv("LOGOS_LOAD_PLUGINS", ",".join(names))
    monkeypatch.delenv("LOGOS_STRICT_PLUGINS", raising=False)
    return load_plugins()


def test_good_plugin_discovered_with_distribution_and_version(on_path, monkeypatch):
    registry = load_only(monkeypatch, "logos_tp_good")
    info = registry.plugins["logos_tp_good"]
    assert (info.distribution, info.version, info.status) == ("logos-tp-good", "1.2.3", "ok")
    assert info.components == {
        ComponentKind.STRATEGY: ["tp_echo"],
        ComponentKind.REPORTER: ["tp_null"],
    }
    cls = registry.get("strategy", "tp_echo")
    assert cls.__module__ == "logos_tp_good.plugin"
    assert cls(window=7).params.window == 7


def test_builtin_is_loaded_first(on_path, monkeypatch):
    registry = load_only(monkeypatch, "logos_tp_good")
    assert next(iter(registry.plugins)) == "builtin"
    assert registry.plugins["builtin"].distribution == "logos"


def test_plugin_that_fails_to_import_is_broken_and_others_work(on_path, monkeypatch):
    registry = load_only(monkeypatch, "logos_tp_broken_import", "logos_tp_good")
    broken = registry.plugins["logos_tp_broken_import"]
    assert broken.status == "broken"
    assert isinstance(broken.error, ModuleNotFoundError)
    assert "logos_tp_this_module_does_not_exist" in broken.error_text
    assert registry.get("strategy", "tp_echo").name == "tp_echo"
    with pytest.raises(UnknownComponentError) as excinfo:
        registry.get("strategy", "from_the_broken_one")
    assert "logos_tp_broken_import" in str(excinfo.value)
    assert excinfo.value.__cause__ is broken.error


def test_hook_that_raises_marks_plugin_broken_and_carries_original_error(on_path, monkeypatch):
    registry = load_only(monkeypatch, "logos_tp_raising_hook")
    info = registry.plugins["logos_tp_raising_hook"]
    assert info.status == "broken"
    assert info.components == {ComponentKind.FEED: ["tp_half"]}
    with pytest.raises(PluginError, match="boom in register_feeds") as excinfo:
        registry.get("feed", "tp_half")
    assert isinstance(excinfo.value.__cause__, RuntimeError)
    assert str(excinfo.value.__cause__) == "boom in register_feeds"
    assert "tp_half" not in registry.names(ComponentKind.FEED)


def test_duplicate_name_names_both_distributions(on_path, monkeypatch):
    registry = load_only(monkeypatch, "logos_tp_good", "logos_tp_duplicate")
    with pytest.raises(PluginError) as excinfo:
        registry.get("strategy", "tp_echo")
    message = str(excinfo.value)
    assert "logos-tp-good" in message and "logos-tp-duplicate" in message
    assert registry.plugins["logos_tp_good"].status == "conflict"
    assert registry.plugins["logos_tp_duplicate"].status == "conflict"
    # The good plugin's other component is unaffected by the collision.
    assert registry.get("reporter", "tp_null").name == "tp_null"


def test_misspelled_hook_is_reported(on_path, monkeypatch):
    registry = load_only(monkeypatch, "logos_tp_bad_hook")
    info = registry.plugins["logos_tp_bad_hook"]
    assert info.status == "broken"
    assert "register_strategys" in info.error_text


def test_strict_mode_reraises(on_path, monkeypatch):
    monkeypatch.setenv("LOGOS_LOAD_PLUGINS", "logos_tp_raising_hook")
    monkeypatch.setenv("LOGOS_STRICT_PLUGINS", "1")
    with pytest.raises(RuntimeError, match="boom"):
        load_plugins()


def test_load_plugins_env_empty_loads_builtins_only(on_path, monkeypatch):
    registry = load_only(monkeypatch)
    assert list(registry.plugins) == ["builtin"]


def test_unknown_component_lists_installed(monkeypatch):
    registry = load_only(monkeypatch)
    with pytest.raises(UnknownComponentError, match=r"unknown broker 'nope'.*; installed: .*paper"):
        registry.get("broker", "nope")


def _cli(site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(site)}
    env.pop("LOGOS_LOAD_PLUGINS", None)
    return subprocess.run(
        [sys.executable, "-m", "logos", *args], capture_output=True, text=True, env=env
    )


def test_cli_plugins_list_json_with_broken_plugins(test_plugin_site):
    result = _cli(test_plugin_site, "plugins", "list", "--json")
    assert result.returncode == 0, result.stderr
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    # loaded fine; the ib broker is registered but not available (a documented stub)
    for name in ("builtin", "logos_yf"):
        assert rows[name]["status"] == "ok", rows[name]
    assert rows["logos_ccxt"]["status"] == rows["logos_alpaca"]["status"] == "ok"
    assert rows["logos_ib_stub"]["status"] == "not available yet"
    assert rows["logos_tp_broken_import"]["status"] == "broken"
    assert rows["logos_tp_raising_hook"]["status"] == "broken"
    assert rows["logos_tp_good"]["status"] == "conflict"
    assert rows["logos_tp_good"]["version"] == "1.2.3"


def test_cli_table_lists_every_plugin_and_error(test_plugin_site):
    result = _cli(test_plugin_site, "plugins", "list")
    assert result.returncode == 0, result.stderr
    for name in TEST_PLUGINS:
        assert name in result.stdout
    assert "boom in register_feeds" in result.stdout


def test_cli_using_a_broken_component_is_one_readable_error(test_plugin_site):
    result = _cli(test_plugin_site, "plugins", "show", "feed", "tp_half")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "error: feed 'tp_half' comes from plugin 'logos_tp_raising_hook'" in result.stderr
    assert "boom in register_feeds" in result.stderr
