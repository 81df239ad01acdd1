"""Built-in risk guards. None is registered yet (see docs/status.md)."""

from __future__ import annotations

from logos.components import Component

BUILTIN_GUARDS: list[type[Component]] = []
