"""Built-in brokers: the deterministic paper broker (``paper``).

The interface every broker implements is :class:`logos.brokers.base.Broker`.
"""

from __future__ import annotations

from logos.brokers.paper import PaperBroker
from logos.components import Component

BUILTIN_BROKERS: list[type[Component]] = [PaperBroker]
