"""The hook points of the engine loop that later layers fill in (docs/backtest.md).

- :class:`RiskHooks`: post-trade guards (step 4) and pre-trade guards (step 6). The base class
  approves everything and trips nothing; the risk layer (:mod:`logos.risk`) subclasses it.
  A pre-trade denial becomes a DENIED order (never sent); the engine sizes the symbol again
  at its next bar, and records a repeat of the same denial only after something changed.
- :class:`Journal`: where journal records go, each written before the action it records
  reaches anything external, plus the snapshot points (after each slice, at the end).
  :class:`NullJournal` keeps nothing (backtests); ``logos trade`` runs with a
  :class:`logos.state.keeper.StateKeeper` (docs/state.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from logos.domain import Account, Bar, Event, OrderIntent


class Journal(Protocol):
    """Where journal records go (``state.jsonl``, docs/state.md)."""

    enabled: bool

    def record(self, event: Event) -> object:
        """Append one record; called before the action it records reaches anything external.
        ``event.seq`` is the engine's count (client order ids come from it); the journal
        numbers its lines itself."""

    def after_slice(self, engine: Any, ts: datetime) -> None:
        """Step 8: a slice is done (the state layer snapshots here every N slices)."""

    def finish(self, engine: Any) -> None:
        """The session ended (final snapshot)."""

    def sync(self) -> None:
        """Make every record written so far durable (fsync): a venue adapter's order must be
        on disk before it is sent (docs/state.md)."""


class NullJournal:
    """A journal that keeps nothing (backtests without ``--journal``)."""

    enabled = False

    def record(self, event: Event) -> None:
        """Discard ``event``."""

    def after_slice(self, engine: Any, ts: datetime) -> None:
        """Nothing to snapshot."""

    def finish(self, engine: Any) -> None:
        """Nothing to snapshot."""

    def sync(self) -> None:
        """Nothing to make durable."""


class Denial(str):
    """A pre-trade denial: the reason (the text itself) and ``code``, what denied it (a
    guard's name, ``trading_state``). The engine records one DENIED order per symbol, side
    and code until something changes (a fill, an order ending, a new trading state)."""

    code: str

    def __new__(cls, code: str, reason: str) -> Denial:
        denial = super().__new__(cls, reason)
        denial.code = code
        return denial


class RiskHooks:
    """Where risk guards plug into the loop. This base allows everything and trips nothing;
    :class:`logos.risk.RiskManager` subclasses it with the configured guards.

    ``halted``: the engine sizes nothing while it is true (signals are still computed, so
    strategies keep their state). ``stop_requested``: the engine ends the session once no
    order the guards sent is working (the kill switch).
    """

    halted: bool = False
    stop_requested: bool = False

    def start(self, engine: Any, session: Any) -> None:
        """The run starts (``session`` is a :class:`logos.risk.SessionInfo`)."""

    def finish(self) -> None:
        """The run ended, however it ended."""

    def post_trade(self, ts: datetime, account: Account, bars: Sequence[Bar]) -> None:
        """Step 4: evaluate after the marks (may change the trading state)."""

    def pre_trade(self, intent: OrderIntent, account: Account) -> OrderIntent | str | None:
        """Step 6: ``None`` approves ``intent``; an intent approves that one instead (a
        clipped copy); a string (a :class:`Denial`, or any text) denies it with that reason."""
        return None
