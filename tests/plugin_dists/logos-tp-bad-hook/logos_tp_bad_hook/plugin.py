"""A test plugin with a misspelled hook name."""

import logos


@logos.hookimpl
def register_strategys(register):
    pass
