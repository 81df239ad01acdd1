"""A well-behaved test plugin: one strategy, one reporter."""

import pandas as pd
from pydantic import Field

import logos
from logos.components import Params
from logos.reports import Reporter
from logos.strategies import Strategy


class EchoStrategy(Strategy):
    """Test strategy that echoes its params."""

    name = "tp_echo"

    class Params(Params):
        window: int = Field(5, ge=1)
        label: str = "echo"

    def warmup_bars(self) -> int:
        return 1

    def signals(self, bars: pd.DataFrame) -> pd.Series:
        return self._series(bars["close"].to_numpy() * 0.0, bars)


class NullReporter(Reporter):
    """Test reporter that reports nothing."""

    name = "tp_null"

    def write(self, result, out_dir):
        return []


@logos.hookimpl
def register_strategies(register):
    register(EchoStrategy)


@logos.hookimpl
def register_reporters(register):
    register(NullReporter)
