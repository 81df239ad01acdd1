"""A session's results rebuilt from its journal alone (``logos report``, and the artifacts of
every paper or live session; docs/state.md).

The journal holds every order version, fill, account row, dropped intent and guard record
as the engine made them, and the broker's positions at each checkpoint, so the rebuilt
:class:`~logos.reports.result.SessionResult` is the one the engine held — across restarts,
since a resumed session journals only what it had not journaled before.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from logos.domain import Account, Fill, Order, Position
from logos.reports.account_history import AccountHistory
from logos.reports.prices import JournalPrices
from logos.reports.result import DroppedIntent, GuardTrip, SessionResult, StateChange
from logos.reports.warnings import session_warnings
from logos.state.journal import JournalContents, JournalError
from logos.timeutil import ensure_utc, isoformat_utc

_MONEY = (
    "cash",
    "equity",
    "peak_equity",
    "gross_exposure",
    "net_exposure",
    "realized_pnl",
    "unrealized_pnl",
    "fees",
    "drawdown",
)
_NONE = (None,) * len(_MONEY)


def header(contents: JournalContents) -> dict[str, Any]:
    """The ``session`` record's data (the first record of every session's journal)."""
    if not contents.records or contents.records[0].type != "session":
        raise JournalError(
            f"{contents.path}: the journal does not start with a 'session' record; it was not "
            "written by logos trade (a backtest's --journal has no restart or report support)"
        )
    return contents.records[0].data


def result_from_journal(contents: JournalContents) -> SessionResult:
    """The session's result as its journal tells it (see the module docstring)."""
    header(contents)
    fold = JournalFold(contents.path.parent)
    for record in contents.records:
        fold.add(record.type, record.ts, record.data)
    return fold.result()


class JournalFold:
    """A session's result built one journal record at a time: from the file
    (:func:`result_from_journal`, ``logos report``), or as a running session journals them
    (:class:`~logos.state.keeper.StateKeeper`), so its artifacts need no second reading of
    the journal. Either way the same records give the same result."""

    def __init__(self, run_dir: Path) -> None:
        self.run_dir = run_dir
        self.head: dict[str, Any] | None = None
        self.orders: dict[str, dict[str, Any]] = {}
        """The latest version of each order, in creation order."""
        self.fills: list[dict[str, Any]] = []
        self.account = AccountHistory()
        self._last_money: tuple[tuple[Any, ...], tuple[Any, ...]] = (_NONE, _NONE)
        self.prices: JournalPrices | None = None
        """The closes of the slices' bars, sampled for the charts (from the header on)."""
        self.dropped: list[DroppedIntent] = []
        self.trips: list[GuardTrip] = []
        self.states: list[StateChange] = []
        self.positions: list[dict[str, Any]] = []
        self.positions_at = 0
        self.positions_ts: str | None = None
        self.repeated = self.bars = self.gaps = self.missing = self.restarts = 0
        self.stopped: str | None = None
        self.notes: list[str] = []
        self.actions: list[str] = []

    def add(self, kind: str, ts: datetime | str, data: dict[str, Any]) -> None:
        """Take one record (``ts`` as the journal writes it, or the datetime it was made
        from)."""
        if kind == "account":
            self.account.append(self._account(_ts(ts), data))
        elif kind == "slice":
            self.bars += len(data["bars"])
            if self.prices is not None:
                self.prices.add(_ts(ts), data["bars"])
            for event in data["feed_events"]:
                if event.get("type") == "gap":
                    self.gaps += 1
                    self.missing += int(event.get("missing", 0))
        elif kind == "order":
            self.orders[data["order_id"]] = data["order"]
        elif kind == "fill":
            self.fills.append(data)
        elif kind == "intent_dropped":
            self.dropped.append(DroppedIntent(_ts(ts), data["symbol"], data["reason"]))
        elif kind.startswith("guard_"):
            self.trips.append(
                GuardTrip(
                    _ts(ts),
                    data["guard"],
                    data["measured"],
                    data["limit"],
                    data["action"],
                    kind.removeprefix("guard_"),
                )
            )
        elif kind == "trading_state":
            self.states.append(StateChange(_ts(ts), data["from"], data["to"], data["guard"]))
        elif kind == "positions":
            self.positions = data["positions"]
            self.repeated = data["repeated_denials"]
            self.positions_at, self.positions_ts = len(self.account), _text(ts)
        elif kind == "restart":
            self.restarts += 1
            self.notes.append(_restart_note(_text(ts), data))
        elif kind == "operator":
            breakers = ", ".join(data["breakers"]) or "none tripped"
            self.actions.append(
                f"{_text(ts)}: {data['action']} ({breakers}), reason: {data['reason']}"
            )
        elif kind == "session_end":
            self.stopped = data.get("stopped")
        elif kind == "session":
            self.head = data
            self.prices = JournalPrices(data["symbols"])

    def _account(self, ts: datetime, data: dict[str, Any]) -> Account:
        """An ``account`` record's Account. A value written as the previous record wrote it
        is the previous Decimal itself, as the broker gives it for what did not change (the
        account history then keeps its text instead of writing it again)."""
        texts = tuple(data[name] for name in _MONEY)
        last_texts, last_money = self._last_money
        money = tuple(
            kept if text == last else Decimal(text)
            for text, last, kept in zip(texts, last_texts, last_money, strict=True)
        )
        self._last_money = (texts, money)
        cash, equity, peak, gross, net, realized, unrealized, fees, drawdown = money
        currency = self.head["currency"] if self.head is not None else "USD"
        return Account(
            ts, cash, equity, peak, currency, gross, net, realized, unrealized, fees, drawdown
        )

    def result(self) -> SessionResult:
        """The result of the records taken so far."""
        head = self.head
        if head is None:
            raise JournalError(f"{self.run_dir}: the journal has no 'session' record")
        account = self.account
        result = SessionResult(
            session_id=head["session_id"],
            mode=head["mode"],
            config_summary=dict(head["config_summary"]),
            starting_cash=Decimal(head["starting_cash"]),
            currency=head["currency"],
            orders=[Order.model_validate(o) for o in self.orders.values()],
            fills=[Fill.model_validate(f) for f in self.fills],
            positions=[Position.model_validate(p) for p in self.positions],
            account=account,
            symbols=list(head["symbols"]),
            dropped_intents=list(self.dropped),
            guard_trips=list(self.trips),
            state_changes=list(self.states),
            repeated_denials=self.repeated,
            stopped=self.stopped,
            restarts=self.restarts,
            restart_notes=list(self.notes),
            operator_actions=list(self.actions),
            bars=self.bars,
            gaps=self.gaps,
            missing_bars=self.missing,
        )
        if self.prices is not None:
            result.prices = self.prices.series()
        result.warnings = session_warnings(result, {})
        if self.positions_at < len(account) or self.positions_ts is None:
            resume = f"`logos trade --resume {self.run_dir}` finishes it"
            if self.positions_ts is None:
                said = "positions.csv is empty: no checkpoint was journaled before the stop"
            else:
                said = (
                    f"positions.csv is as of {self.positions_ts} (the last checkpoint), "
                    f"{len(account) - self.positions_at} slice(s) before the last"
                )
            result.warnings.insert(
                0, f"the session was stopped without ending (killed?): {said}; {resume}"
            )
        return result


def _restart_note(ts: str, data: dict[str, Any]) -> str:
    """One line of session.md's restarts: when, and what the restart found and did."""
    if data["snapshot_seq"] is not None:
        source = f"the snapshot at seq {data['snapshot_seq']}"
    else:
        source = f"the start of the journal ({data['snapshot_problem']})"
    torn = (
        f"; a torn last line ({data['torn_bytes']} bytes) set aside" if data["torn_bytes"] else ""
    )
    return (
        f"{ts}: after seq {data['after_seq']}, last slice {data['last_slice'] or 'none'}; "
        f"{data['replayed_slices']} slice(s) replayed after {source}{torn}"
    )


def _ts(ts: datetime | str) -> datetime:
    return ts if isinstance(ts, datetime) else ensure_utc(datetime.fromisoformat(ts))


def _text(ts: datetime | str) -> str:
    return ts if isinstance(ts, str) else isoformat_utc(ts)
