"""A test plugin that registers a strategy name another test plugin already uses."""

import logos
from logos.strategies.buy_and_hold import BuyAndHold


class OtherEcho(BuyAndHold):
    """Collides with logos_tp_good's tp_echo."""

    name = "tp_echo"


@logos.hookimpl
def register_strategies(register):
    register(OtherEcho)
