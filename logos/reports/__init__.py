"""Built-in reporters. The artifact writers land with the engine issue."""

from __future__ import annotations

from logos.components import Component

BUILTIN_REPORTERS: list[type[Component]] = []
