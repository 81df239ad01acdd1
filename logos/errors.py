"""Error types. Every error a user can meet is a LogosError with a message they can act on.

One message format everywhere: ``FILE, line N: what is wrong`` when a position in a file is
known (:func:`at_line`), ``FILE: what is wrong`` when only the file is, and ``field.path: what
is wrong`` for config fields.
"""

from __future__ import annotations

from pathlib import Path


def at_line(path: str | Path, line: int | None, what: str) -> str:
    """``FILE, line N: what`` (``FILE: what`` when the line is unknown)."""
    return f"{path}, line {line}: {what}" if line is not None else f"{path}: {what}"


class LogosError(Exception):
    """Base class of every error logos raises on purpose."""


class ConfigError(LogosError):
    """A run config (or CLI override) is invalid; the message lists every problem with its path.

    One problem reads as one line (``SOURCE: problem``, or the problem alone when it already
    names its file); several are listed under ``N problem(s) in SOURCE:``.
    """

    def __init__(self, problems: list[str], source: str | None = None) -> None:
        self.problems = problems
        self.source = source
        if len(problems) == 1:
            problem = problems[0]
            named = source is None or problem.startswith(str(source))
            super().__init__(problem if named else f"{source}: {problem}")
            return
        where = f" in {source}" if source else ""
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{len(problems)} problem(s){where}:\n{lines}")


class PluginError(LogosError):
    """A plugin failed to import, its hook raised, or it registered something invalid."""


class UnknownComponentError(LogosError):
    """A config or command named a component that no loaded plugin provides."""


class NotAvailableYetError(LogosError):
    """A registered component whose behaviour has not landed yet was used (docs/status.md)."""


class DataError(LogosError):
    """Input data (bars, metadata files) is malformed; the message names file and problem."""


class FeedError(LogosError):
    """A feed could not deliver bars (after its retries, or at once for fatal errors)."""


class BrokerError(LogosError):
    """A broker could not perform a request."""


class OrderStateError(BrokerError):
    """An order was asked to make a transition its lifecycle does not allow."""
