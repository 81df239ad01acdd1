"""Error types. Every error a user can meet is a LogosError with a message they can act on."""

from __future__ import annotations


class LogosError(Exception):
    """Base class of every error logos raises on purpose."""


class ConfigError(LogosError):
    """A run config (or CLI override) is invalid; the message lists every problem with its path."""

    def __init__(self, problems: list[str], source: str | None = None) -> None:
        self.problems = problems
        self.source = source
        where = f" in {source}" if source else ""
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{len(problems)} problem(s){where}:\n{lines}")


class PluginError(LogosError):
    """A plugin failed to import, its hook raised, or it registered something invalid."""


class UnknownComponentError(LogosError):
    """A config or command named a component that no loaded plugin provides."""


class NotAvailableYetError(LogosError):
    """A registered component whose behaviour has not landed yet was used."""


class DataError(LogosError):
    """Input data (bars, metadata files) is malformed; the message names file and problem."""


class FeedError(LogosError):
    """A feed could not deliver bars (after its retries, or at once for fatal errors)."""


class BrokerError(LogosError):
    """A broker could not perform a request."""


class OrderStateError(BrokerError):
    """An order was asked to make a transition its lifecycle does not allow."""
