"""What a component is: a class with a ``name`` unique within its kind and a pydantic ``Params``.

Plugins register component *classes* through the hooks in ``logos.hookspecs``; a run
instantiates them with validated params. Kind-specific interfaces (``Strategy``, ``Broker``,
``Feed`` ...) subclass :class:`Component` in their own packages.
"""

from __future__ import annotations

import inspect
from enum import StrEnum
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from logos.errors import NotAvailableYetError


class ComponentKind(StrEnum):
    """The five kinds of component a plugin can provide."""

    FEED = "feed"
    BROKER = "broker"
    RISK_GUARD = "risk_guard"
    STRATEGY = "strategy"
    REPORTER = "reporter"


class Params(BaseModel):
    """Base for component params: unknown keys are errors, so a typo never passes silently."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Component:
    """Base of every component class.

    Subclasses set ``name`` (unique within their kind) and ``Params`` (a pydantic model,
    usually a subclass of :class:`Params`). The first paragraph of the class docstring is the
    description shown by ``logos plugins show``.
    """

    name: ClassVar[str]
    Params: ClassVar[type[BaseModel]] = Params

    def __init__(self, params: BaseModel | None = None, **kwargs: Any) -> None:
        if params is None:
            params = self.Params(**kwargs)
        elif kwargs:
            raise TypeError("pass either a Params instance or keyword params, not both")
        self.params = params

    @classmethod
    def description(cls) -> str:
        """First paragraph of the class docstring (empty when there is none)."""
        doc = inspect.getdoc(cls) or ""
        return doc.split("\n\n", 1)[0].replace("\n", " ").strip()

    @classmethod
    def params_schema(cls) -> dict[str, Any]:
        """JSON schema of the component's params."""
        return cls.Params.model_json_schema()


class NotAvailableYet(Component):
    """Mixin for registered components whose behaviour has not landed yet.

    Registering them keeps names, params and docs stable for users; constructing one raises
    :class:`NotAvailableYetError` so nothing is mistaken for working.
    """

    available: ClassVar[bool] = False
    planned_in: ClassVar[str] = "a later release"

    def __init__(self, params: BaseModel | None = None, **kwargs: Any) -> None:
        raise NotAvailableYetError(
            f"{type(self).__name__} ('{self.name}') is registered but not available yet: "
            f"it lands in {self.planned_in}"
        )
