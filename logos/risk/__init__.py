"""Built-in risk guards. They land with the risk issue; none is registered until then."""

from __future__ import annotations

from logos.components import Component

BUILTIN_GUARDS: list[type[Component]] = []
