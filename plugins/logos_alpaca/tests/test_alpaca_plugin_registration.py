"""logos_alpaca registers through its real entry point."""

from __future__ import annotations

from importlib.metadata import entry_points

from logos.plugins import load_plugins


def test_entry_point_is_installed():
    (ep,) = entry_points(group="logos", name="logos_alpaca")
    assert ep.value == "logos_alpaca.plugin"
    assert ep.dist is not None and ep.dist.name == "logos-alpaca"


def test_registers_broker(monkeypatch):
    monkeypatch.setenv("LOGOS_LOAD_PLUGINS", "logos_alpaca")
    registry = load_plugins()
    assert registry.plugins["logos_alpaca"].status == "ok"
    cls = registry.get("broker", "alpaca")
    assert cls.Params().paper is True  # paper endpoint unless asked otherwise


def test_broker_is_available_and_supports_live():
    from logos_alpaca.broker import AlpacaBroker

    assert getattr(AlpacaBroker, "available", True) is True
    assert AlpacaBroker.supports_live is True
    assert AlpacaBroker.credential_env(AlpacaBroker.Params()) == {
        "key": "APCA_API_KEY_ID",
        "secret": "APCA_API_SECRET_KEY",
    }
