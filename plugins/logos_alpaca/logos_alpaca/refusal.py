"""The refusal of an order Alpaca would not take, raised before anything is sent."""

from __future__ import annotations

from logos.brokers.venue import VenueRefusal


class AlpacaRefusal(VenueRefusal):
    """An order Alpaca would refuse; ``reason`` names the rule (the order is REJECTED with
    it, nothing is sent or simulated)."""
