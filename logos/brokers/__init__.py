"""Brokers: the interface every broker implements (:class:`Broker`), the simulated-broker base
(:class:`SimulatedBroker`, its fill and fee models in :mod:`logos.brokers.fill_models`) and the
built-in deterministic paper broker (``paper``), which is that base with the paper models.
"""

from __future__ import annotations

from logos.brokers.base import Broker
from logos.brokers.paper import PaperBroker
from logos.brokers.simulated import SimulatedBroker
from logos.components import Component

BUILTIN_BROKERS: list[type[Component]] = [PaperBroker]

__all__ = ["BUILTIN_BROKERS", "Broker", "PaperBroker", "SimulatedBroker"]
