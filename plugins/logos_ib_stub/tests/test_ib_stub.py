"""The IB stub registers its name and params, validates an IB config (host, a TWS or IB
Gateway port, client id, account), and refuses to trade, pointing to docs/brokers/ib.md."""

from __future__ import annotations

from importlib.metadata import entry_points

import pytest
from pydantic import ValidationError

from logos.config import validate_config
from logos.errors import ConfigError, NotAvailableYetError
from logos.plugins import get_registry, load_plugins


def test_entry_point_is_installed():
    (ep,) = entry_points(group="logos", name="logos_ib_stub")
    assert ep.dist is not None and ep.dist.name == "logos-ib-stub"


def test_registers_broker_ib(monkeypatch):
    monkeypatch.setenv("LOGOS_LOAD_PLUGINS", "logos_ib_stub")
    registry = load_plugins()
    cls = registry.get("broker", "ib")
    params = cls.Params()
    assert (params.host, params.port, params.client_id, params.account) == (
        "127.0.0.1",
        7497,
        1,
        None,
    )
    assert params.paper is True


@pytest.mark.parametrize(
    ("port", "paper"), [(7497, True), (7496, False), (4002, True), (4001, False)]
)
def test_the_four_ib_ports(port, paper):
    from logos_ib_stub.broker import IbParams

    assert IbParams(port=port).paper is paper


def test_another_port_is_refused_naming_the_four():
    from logos_ib_stub.broker import IbParams

    with pytest.raises(ValidationError, match=r"not an IB API port; TWS and IB Gateway listen"):
        IbParams(port=8080)
    with pytest.raises(ValidationError):
        IbParams(port=70000)


def test_account_must_match_the_ports_paper_or_live():
    from logos_ib_stub.broker import IbParams

    assert IbParams(port=7497, account="DU1234567").account == "DU1234567"
    assert IbParams(port=4001, account="U1234567").paper is False
    with pytest.raises(ValidationError, match="port 7496 is TWS, live but account DU1234567"):
        IbParams(port=7496, account="DU1234567")
    with pytest.raises(ValidationError, match="port 4002 is IB Gateway, paper but account U7"):
        IbParams(port=4002, account="U7")
    with pytest.raises(ValidationError, match="should match pattern"):
        IbParams(account="not an account")


def test_config_validation_reports_the_stub_and_its_params():
    config = {
        "symbols": ["AAPL"],
        "feed": {"name": "replay", "params": {"path": "bars.csv"}},
        "broker": {"name": "ib", "params": {"port": 7496, "account": "DU1"}},
        "strategy": {"name": "sma_cross"},
    }
    with pytest.raises(ConfigError) as refused:
        validate_config(config, get_registry())
    problems = refused.value.problems
    assert problems[0].startswith("broker.name: IbBroker ('ib') is registered but not available")
    assert "docs/brokers/ib.md" in problems[0]
    assert problems[1].startswith("broker.params: Value error, port 7496 is TWS, live but ")


def test_using_the_stub_refuses_to_trade_pointing_to_its_docs():
    from logos_ib_stub.broker import IbBroker

    with pytest.raises(NotAvailableYetError, match=r"documented stub and does not trade.*ib\.md"):
        IbBroker()
