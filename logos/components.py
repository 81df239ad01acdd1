"""What a component is: a class with a ``name`` unique within its kind and a pydantic ``Params``.

Plugins register component *classes* through the hooks in ``logos.hookspecs``; a run
instantiates them with validated params. Kind-specific interfaces (``Strategy``, ``Broker``,
``Feed`` ...) subclass :class:`Component` in their own packages.
"""

from __future__ import annotations

import inspect
import types
from enum import StrEnum
from typing import Any, ClassVar, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from logos.errors import NotAvailableYetError


class ComponentKind(StrEnum):
    """The five kinds of component a plugin can provide."""

    FEED = "feed"
    BROKER = "broker"
    RISK_GUARD = "risk_guard"
    STRATEGY = "strategy"
    REPORTER = "reporter"


class Params(BaseModel):
    """Base for component params: unknown keys are errors, so a typo never passes silently.

    ``int``, ``float`` and ``bool`` fields (and their optional forms) take only values of
    their own type, as TOML writes them: ``fast = true`` or ``fast = "10"`` is an error, not
    ``fast = 1`` or ``10`` (pydantic's lax mode would convert them), and a ``float`` field
    takes an integer (``lower = 30``). Every other field keeps pydantic's conversions, so a
    ``Decimal`` takes ``"0.01"``, ``0.01`` and ``1`` alike. NaN and infinities are refused
    for floats as pydantic already refuses them for Decimals.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _scalar_types_strict(cls, value: Any, info: ValidationInfo) -> Any:
        field = cls.model_fields.get(info.field_name or "")
        if field is None or value is None:
            return value
        wanted = _strict_scalar(field.annotation)
        if wanted is None:
            return value
        if wanted is bool:
            ok = isinstance(value, bool)
        elif wanted is int:
            ok = isinstance(value, int) and not isinstance(value, bool)
        else:
            ok = isinstance(value, int | float) and not isinstance(value, bool)
        if not ok:
            kind, text = _STRICT_ERRORS[wanted]
            raise PydanticCustomError(kind, text)  # the input is shown with the field path
        return value


_STRICT_ERRORS = {
    bool: ("bool_type", "Input should be true or false"),
    int: ("int_type", "Input should be a valid integer"),
    float: ("float_type", "Input should be a valid number"),
}


def _strict_scalar(annotation: Any) -> type | None:
    """``int``, ``float`` or ``bool`` when ``annotation`` is one of them, alone or with
    ``None``; else None (the field keeps pydantic's own conversions)."""
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        annotation = args[0] if len(args) == 1 else None
    return annotation if annotation in (int, float, bool) else None


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
