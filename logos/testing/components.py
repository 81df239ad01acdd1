"""The part of every contract suite that registration also checks.

:func:`logos.plugins.check_component` is what a plugin's hook runs on every class it
registers; a contract suite runs the very same function, so a component that passes its
contract suite is never refused at registration (and a plugin is never shown as broken for a
name or a params model its own tests accepted).
"""

from __future__ import annotations

from typing import ClassVar

import pytest

from logos.components import Component, ComponentKind
from logos.plugins import ComponentRuleError, check_component


class ComponentContract:
    """Mixed into each kind's contract suite: ``kind`` and :meth:`component_class`."""

    kind: ClassVar[ComponentKind]

    def component_class(self) -> type[Component]:
        """The class under test (each suite derives it from its ``make_*`` method)."""
        raise NotImplementedError("the contract suite defines component_class()")

    def test_passes_the_registration_rules(self) -> None:
        cls = self.component_class()
        try:
            check_component(self.kind, cls)
            refused = None
        except ComponentRuleError as exc:
            refused = str(exc)
        if refused is not None:
            pytest.fail(
                f"{cls.__module__}.{cls.__qualname__} would be refused when registered as a "
                f"{self.kind} (docs/plugins.md, 'Registration rules'): {refused}",
                pytrace=False,
            )
