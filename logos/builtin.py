"""Core's built-in components, registered through the same hooks as any plugin (``builtin``)."""

from __future__ import annotations

from logos.brokers import BUILTIN_BROKERS
from logos.feeds import BUILTIN_FEEDS
from logos.hookspecs import Register, hookimpl
from logos.reports import BUILTIN_REPORTERS
from logos.risk import BUILTIN_GUARDS
from logos.strategies import BUILTIN_STRATEGIES


@hookimpl
def register_feeds(register: Register) -> None:
    """Register the built-in feeds."""
    for cls in BUILTIN_FEEDS:
        register(cls)


@hookimpl
def register_brokers(register: Register) -> None:
    """Register the built-in brokers."""
    for cls in BUILTIN_BROKERS:
        register(cls)


@hookimpl
def register_risk_guards(register: Register) -> None:
    """Register the built-in risk guards."""
    for cls in BUILTIN_GUARDS:
        register(cls)


@hookimpl
def register_strategies(register: Register) -> None:
    """Register the built-in strategies."""
    for cls in BUILTIN_STRATEGIES:
        register(cls)


@hookimpl
def register_reporters(register: Register) -> None:
    """Register the built-in reporters."""
    for cls in BUILTIN_REPORTERS:
        register(cls)
