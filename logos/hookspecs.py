"""Hook specifications: how a plugin tells logos what it provides.

Each hook is a *registration* hook (as in ``llm`` and ``tox``): logos calls it once, at plugin
load, with a ``register`` callback; the plugin calls ``register(ComponentClass)`` once per
component it provides. logos owns the name → component registry, so choosing ``--broker paper``
is a lookup that never depends on hook order.

A component class has a ``name`` (unique within its kind across all plugins) and a pydantic
``Params`` model (see ``logos.components.Component``), and subclasses its kind's interface.
``register`` checks the registration rules (:func:`logos.plugins.check_component`: class,
kind, abstract methods, name, params) and a class breaking one makes its plugin broken; the
contract suites of ``logos.testing`` run the same check. Each interface's methods, the events
a broker emits and the units of every field are in docs/plugins.md.

Hooks must be synchronous and cheap: do not open connections here, and import heavy
libraries where they are used (logos imports every installed plugin on every command); open
connections when the component is constructed for a run.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from logos.components import Component

PROJECT_NAME = "logos"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)

Register = Callable[[type["Component"]], None]


@hookspec
def register_feeds(register: Register) -> None:
    """Register market-data feed classes (subclasses of ``logos.feeds.Feed``).

    Called once when plugins load. Call ``register(FeedClass)`` for each feed; its ``name`` is
    what a config's ``[feed] name = ...`` and ``--feed`` select. Contract suite:
    ``logos.testing.feeds.FeedContract``.

    :param register: callback taking a component class.
    """


@hookspec
def register_brokers(register: Register) -> None:
    """Register broker classes (subclasses of ``logos.brokers.Broker``; a simulated broker
    subclasses ``logos.brokers.SimulatedBroker`` with its own fill model, docs/writing_a_broker.md).

    Called once when plugins load. Call ``register(BrokerClass)`` for each broker; its ``name``
    is what ``[broker] name = ...`` and ``--broker`` select. Contract suite:
    ``logos.testing.brokers.BrokerContract``.

    :param register: callback taking a component class.
    """


@hookspec
def register_risk_guards(register: Register) -> None:
    """Register risk guard classes (subclasses of ``logos.risk.RiskGuard``).

    Called once when plugins load. Call ``register(GuardClass)`` for each guard; a config's
    ``[[risk]]`` entries select guards by ``name``, and several may run at once. Contract
    suite: ``logos.testing.guards.GuardContract``.

    :param register: callback taking a component class.
    """


@hookspec
def register_strategies(register: Register) -> None:
    """Register strategy classes (subclasses of ``logos.strategies.Strategy``).

    Called once when plugins load. Call ``register(StrategyClass)`` for each strategy; its
    ``name`` is what ``[strategy] name = ...`` and ``--strategy`` select. Contract suite:
    ``logos.testing.strategies.StrategyContract``.

    :param register: callback taking a component class.
    """


@hookspec
def register_reporters(register: Register) -> None:
    """Register reporter classes (subclasses of ``logos.reports.Reporter``).

    Called once when plugins load. Call ``register(ReporterClass)`` for each reporter; a
    config's ``[[reporters]]`` entries select them by ``name``. Contract suite:
    ``logos.testing.reporters.ReporterContract``.

    :param register: callback taking a component class.
    """
