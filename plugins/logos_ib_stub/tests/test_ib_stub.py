"""The IB stub registers its name and params and refuses to run, clearly."""

from __future__ import annotations

from importlib.metadata import entry_points

import pytest
from pydantic import ValidationError

from logos.errors import NotAvailableYetError
from logos.plugins import load_plugins


def test_entry_point_is_installed():
    (ep,) = entry_points(group="logos", name="logos_ib_stub")
    assert ep.dist is not None and ep.dist.name == "logos-ib-stub"


def test_registers_broker_ib(monkeypatch):
    monkeypatch.setenv("LOGOS_LOAD_PLUGINS", "logos_ib_stub")
    registry = load_plugins()
    cls = registry.get("broker", "ib")
    assert cls.Params().port == 7497
    with pytest.raises(ValidationError):
        cls.Params(port=70000)


def test_using_the_stub_raises_not_available():
    from logos_ib_stub.broker import IbBroker

    with pytest.raises(NotAvailableYetError, match="documented stub"):
        IbBroker()
