"""A test plugin that registers a strategy name another test plugin already uses."""

import logos
from logos.components import Component


class OtherEcho(Component):
    """Collides with logos_tp_good's tp_echo."""

    name = "tp_echo"


@logos.hookimpl
def register_strategies(register):
    register(OtherEcho)
