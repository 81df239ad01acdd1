"""A test plugin whose hook registers one feed and then raises."""

import logos
from logos.components import Component


class HalfFeed(Component):
    """Registered just before the hook blows up."""

    name = "tp_half"


@logos.hookimpl
def register_feeds(register):
    register(HalfFeed)
    raise RuntimeError("boom in register_feeds")
