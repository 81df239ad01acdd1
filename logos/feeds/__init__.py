"""Built-in feeds. The replay feed lands with the engine issue."""

from __future__ import annotations

from pydantic import Field

from logos.components import Component, NotAvailableYet, Params


class ReplayFeed(NotAvailableYet):
    """Replays bars from CSV or Parquet files, validating every bar."""

    name = "replay"
    planned_in = "the 'One engine for backtest and paper' issue"

    class Params(Params):
        path: str = Field(description="a file, or a folder with one file per symbol")


BUILTIN_FEEDS: list[type[Component]] = [ReplayFeed]
