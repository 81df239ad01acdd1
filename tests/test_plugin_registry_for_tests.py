"""``logos.plugins.registry_for``: the public way for tests to load chosen plugins, whatever
else is installed and whatever ``LOGOS_LOAD_PLUGINS`` says."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType

import pytest

import logos
from logos.errors import PluginError
from logos.plugins import registry_for
from logos.strategies.buy_and_hold import BuyAndHold


@pytest.fixture
def on_path(test_plugin_site: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.syspath_prepend(str(test_plugin_site))
    importlib.invalidate_caches()
    return test_plugin_site


def test_only_the_builtins_when_no_plugin_is_named(on_path, monkeypatch) -> None:
    monkeypatch.delenv("LOGOS_LOAD_PLUGINS", raising=False)  # would load every one
    assert list(registry_for().plugins) == ["builtin"]


def test_an_installed_plugin_by_entry_point_name(on_path, monkeypatch) -> None:
    monkeypatch.setenv("LOGOS_LOAD_PLUGINS", "")  # would load none
    registry = registry_for("logos_tp_good")
    assert list(registry.plugins) == ["builtin", "logos_tp_good"]
    info = registry.plugins["logos_tp_good"]
    assert (info.distribution, info.version, info.status) == ("logos-tp-good", "1.2.3", "ok")
    assert registry.get("strategy", "tp_echo").__module__ == "logos_tp_good.plugin"


def test_a_module_object_and_a_dotted_name(monkeypatch) -> None:
    class Echo(BuyAndHold):
        name = "echo_for_registry"

    module = ModuleType("registry_for_module")
    module.register_strategies = logos.hookimpl(lambda register: register(Echo))
    module.register_strategies.__name__ = "register_strategies"
    registry = registry_for(module)
    assert registry.get("strategy", "echo_for_registry") is Echo
    monkeypatch.setitem(sys.modules, "registry_for_module", module)
    assert registry_for("registry_for_module").get("strategy", "echo_for_registry") is Echo


def test_a_broken_plugin_is_recorded_or_raised_when_strict(on_path, monkeypatch) -> None:
    monkeypatch.delenv("LOGOS_STRICT_PLUGINS", raising=False)
    registry = registry_for("logos_tp_raising_hook")
    assert registry.plugins["logos_tp_raising_hook"].status == "broken"
    with pytest.raises(RuntimeError, match="boom in register_feeds"):
        registry_for("logos_tp_raising_hook", strict=True)


def test_strict_reports_a_refused_component_as_a_plugin_error() -> None:
    class Bad(BuyAndHold):
        name = "Bad"

    module = ModuleType("registry_for_bad")
    module.register_strategies = logos.hookimpl(lambda register: register(Bad))
    module.register_strategies.__name__ = "register_strategies"
    with pytest.raises(PluginError, match="rule 'name'"):
        registry_for(module, strict=True)
