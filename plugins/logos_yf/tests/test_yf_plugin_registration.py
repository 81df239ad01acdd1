"""logos_yf registers through its real entry point."""

from __future__ import annotations

from importlib.metadata import entry_points

from logos.plugins import load_plugins


def test_entry_point_is_installed():
    (ep,) = entry_points(group="logos", name="logos_yf")
    assert ep.value == "logos_yf.plugin"
    assert ep.dist is not None and ep.dist.name == "logos-yf"


def test_registers_feed(monkeypatch):
    monkeypatch.setenv("LOGOS_LOAD_PLUGINS", "logos_yf")
    registry = load_plugins()
    assert registry.plugins["logos_yf"].status == "ok"
    assert registry.get("feed", "yfinance").__module__.startswith("logos_yf")
