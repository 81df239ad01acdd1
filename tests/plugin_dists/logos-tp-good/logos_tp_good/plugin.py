"""A well-behaved test plugin: one strategy, one reporter."""

from pydantic import Field

import logos
from logos.components import Component, Params


class EchoStrategy(Component):
    """Test strategy that echoes its params."""

    name = "tp_echo"

    class Params(Params):
        window: int = Field(5, ge=1)
        label: str = "echo"


class NullReporter(Component):
    """Test reporter that reports nothing."""

    name = "tp_null"


@logos.hookimpl
def register_strategies(register):
    register(EchoStrategy)


@logos.hookimpl
def register_reporters(register):
    register(NullReporter)
