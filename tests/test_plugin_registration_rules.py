"""Registration and the contract suites apply the same rules: a component that passes its
contract suite registers, and one that registration refuses fails its contract suite saying
which rule it breaks, with the value."""

from __future__ import annotations

import sys
from decimal import Decimal
from types import ModuleType

import pytest
from pydantic import BaseModel

import logos
from logos.brokers.paper import PaperBroker
from logos.components import Component, ComponentKind, NotAvailableYet, Params
from logos.feeds.replay import ReplayFeed
from logos.plugins import ComponentRuleError, check_component, registry_for
from logos.strategies import Strategy
from logos.strategies.buy_and_hold import BuyAndHold
from logos.testing.brokers import BrokerContract
from logos.testing.strategies import StrategyContract


class RocMomentum(BuyAndHold):
    """A strategy with a name a config cannot spell as given."""

    name = "RocMomentum"


class LooseParams(BaseModel):
    lookback: int = 3


class LooseStrategy(BuyAndHold):
    """Params that silently accept misspelled keys."""

    name = "loose"
    Params = LooseParams


class HalfStrategy(Strategy):
    """Forgot ``signals``."""

    name = "half"

    def warmup_bars(self) -> int:
        return 1


class PlainFeed(Component):
    """Not a Feed at all."""

    name = "plain"


class VenueBroker(PaperBroker):
    name = "venue"


class FutureBroker(NotAvailableYet):
    """Registered before it works (docs/plugins.md)."""

    name = "future"

    class Params(Params):
        account: str = "x"


def _plugin(hook: str, *classes: type) -> ModuleType:
    module = ModuleType(f"rules_plugin_{hook}_{classes[0].__name__.lower()}")

    def register_all(register) -> None:
        for cls in classes:
            register(cls)

    register_all.__name__ = hook
    setattr(module, hook, logos.hookimpl(register_all))
    sys.modules[module.__name__] = module
    return module


@pytest.mark.parametrize(
    ("hook", "cls", "rule", "shown"),
    [
        ("register_strategies", RocMomentum, "name", "'RocMomentum'"),
        ("register_strategies", VenueBroker, "kind", "VenueBroker is a Broker (broker)"),
        ("register_strategies", LooseStrategy, "params", "extra=None"),
        ("register_strategies", HalfStrategy, "abstract", "signals"),
        ("register_feeds", PlainFeed, "kind", "does not subclass logos.feeds.base.Feed"),
        ("register_feeds", object, "class", "<class 'object'>"),
    ],
)
def test_registration_refuses_with_the_rule_and_the_value(hook, cls, rule, shown) -> None:
    module = _plugin(hook, cls)
    registry = registry_for(module)
    info = registry.plugins[module.__name__]
    assert info.status == "broken"
    assert isinstance(info.error, ComponentRuleError)
    assert info.error.rule == rule
    assert f"plugin '{module.__name__}' registered a component breaking rule '{rule}'" in str(
        info.error
    )
    assert shown in str(info.error)


def test_a_broker_registered_as_a_strategy_is_not_listed_as_one() -> None:
    registry = registry_for(_plugin("register_strategies", VenueBroker))
    assert "venue" not in registry.names(ComponentKind.STRATEGY)
    assert "register it through register_brokers" in str(
        registry.plugins[next(p for p in registry.plugins if p != "builtin")].error
    )


def test_a_not_available_yet_placeholder_registers() -> None:
    module = _plugin("register_brokers", FutureBroker)
    registry = registry_for(module)
    assert registry.plugins[module.__name__].status == "ok"
    check_component("broker", FutureBroker)


def test_the_built_ins_pass_every_rule() -> None:
    registry = registry_for()
    for entry in registry.entries():
        check_component(entry.kind, entry.cls)


class RocMomentumContract(StrategyContract):
    def make_strategy(self) -> Strategy:
        return RocMomentum()


class VenueBrokerContract(BrokerContract):
    def make_broker(self) -> PaperBroker:
        return VenueBroker(cash=Decimal(100000))


def test_the_strategy_contract_fails_a_name_registration_refuses() -> None:
    with pytest.raises(pytest.fail.Exception) as excinfo:
        RocMomentumContract().test_passes_the_registration_rules()
    message = str(excinfo.value)
    assert "would be refused when registered as a strategy" in message
    assert "rule 'name'" in message and "'RocMomentum'" in message


def test_the_contract_passes_what_registration_accepts() -> None:
    VenueBrokerContract().test_passes_the_registration_rules()
    registry = registry_for(_plugin("register_brokers", VenueBroker))
    assert registry.get("broker", "venue") is VenueBroker


def test_the_feed_contract_checks_the_kind() -> None:
    from logos.testing.feeds import FeedContract

    class WrongFeedContract(FeedContract):
        def make_feed(self):
            return PlainFeed()

    with pytest.raises(pytest.fail.Exception, match=r"rule 'kind'.*PlainFeed does not subclass"):
        WrongFeedContract().test_passes_the_registration_rules()


def test_replay_feed_and_paper_broker_pass_the_rules_directly() -> None:
    check_component("feed", ReplayFeed)
    check_component("broker", PaperBroker)
    with pytest.raises(ComponentRuleError, match="rule 'kind'"):
        check_component("strategy", PaperBroker)
