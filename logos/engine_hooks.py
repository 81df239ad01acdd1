"""The hook points of the engine loop that later layers fill in (docs/backtest.md).

- :class:`RiskHooks`: post-trade guards (step 4) and pre-trade guards (step 6). The base class
  approves everything and trips nothing; the risk layer subclasses it. A pre-trade denial
  becomes a DENIED order (never sent); the engine retries the target at the symbol's next bar.
- :class:`Journal`: where journal records go, each written before the action it records
  reaches anything external, plus the snapshot points (after each slice, at the end).
  :class:`NullJournal` keeps nothing (backtests, and until the state layer lands).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from logos.domain import Account, Bar, Event, OrderIntent


class Journal(Protocol):
    """Where journal records go (a state.jsonl writer is not built yet; see docs/status.md)."""

    enabled: bool

    def record(self, event: Event) -> None:
        """Append one record; called before the action it records reaches anything external."""

    def after_slice(self, engine: Any, ts: datetime) -> None:
        """Step 8: a slice is done (the state layer snapshots here every N slices)."""

    def finish(self, engine: Any) -> None:
        """The session ended (final snapshot)."""


class NullJournal:
    """A journal that keeps nothing (backtests, and until the state layer lands)."""

    enabled = False

    def record(self, event: Event) -> None:
        """Discard ``event``."""

    def after_slice(self, engine: Any, ts: datetime) -> None:
        """Nothing to snapshot."""

    def finish(self, engine: Any) -> None:
        """Nothing to snapshot."""


class RiskHooks:
    """Where risk guards plug into the loop. This base allows everything and trips nothing;
    the risk layer subclasses it."""

    def post_trade(self, ts: datetime, account: Account, bars: Sequence[Bar]) -> None:
        """Step 4: evaluate after the marks (may change the trading state)."""

    def pre_trade(self, intent: OrderIntent, account: Account) -> str | None:
        """Step 6: ``None`` approves ``intent``; a string denies it with that reason."""
        return None
