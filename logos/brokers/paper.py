"""The deterministic paper broker (rules in docs/paper_broker.md).

It is the :class:`~logos.brokers.simulated.SimulatedBroker` with the default fill and fee
models (:class:`~logos.brokers.fill_models.PaperFill` and ``PaperFees``); a broker that fills
differently subclasses the base the same way (docs/writing_a_broker.md).
"""

from __future__ import annotations

from logos.brokers.simulated import EPOCH, SimulatedBroker

__all__ = ["EPOCH", "PaperBroker"]


class PaperBroker(SimulatedBroker):
    """Deterministic simulated broker: FIFO inventory, fees, slippage, strict order lifecycle.

    Orders accepted at bar t fill from bar t+1 on: market at the open ± slippage (taker fee),
    limit when crossed at the better of open and limit (maker fee), optionally capped to a
    share of each bar's volume. Rejects unknown symbols, quantities/prices off the grid,
    shorts when not allowed, and orders the cash (or margin) cannot cover.
    """

    name = "paper"
