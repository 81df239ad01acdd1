"""A test plugin whose hook registers one feed and then raises."""

import logos
from logos.feeds import Feed


class HalfFeed(Feed):
    """Registered just before the hook blows up."""

    name = "tp_half"

    def _iter_slices(self):
        return iter(())


@logos.hookimpl
def register_feeds(register):
    register(HalfFeed)
    raise RuntimeError("boom in register_feeds")
