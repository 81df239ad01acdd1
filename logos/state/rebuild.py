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
from typing import Any

from logos.domain import Account, Fill, Order, Position
from logos.reports.account_history import AccountHistory
from logos.reports.result import DroppedIntent, GuardTrip, SessionResult
from logos.reports.warnings import session_warnings
from logos.state.journal import JournalContents, JournalError
from logos.timeutil import ensure_utc

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
    head = header(contents)
    currency = head["currency"]
    orders: dict[str, dict[str, Any]] = {}
    fills: list[dict[str, Any]] = []
    account = AccountHistory()
    dropped: list[DroppedIntent] = []
    trips: list[GuardTrip] = []
    positions: list[dict[str, Any]] = []
    repeated = bars = gaps = missing = restarts = positions_at = 0
    stopped: str | None = None
    notes: list[str] = []
    actions: list[str] = []
    positions_ts: str | None = None
    for record in contents.records:
        kind, data = record.type, record.data
        if kind == "account":
            money = {name: Decimal(data[name]) for name in _MONEY}
            account.append(Account(ts=_ts(record.ts), currency=currency, **money))
        elif kind == "slice":
            bars += len(data["bars"])
            for event in data["feed_events"]:
                if event.get("type") == "gap":
                    gaps += 1
                    missing += int(event.get("missing", 0))
        elif kind == "order":
            orders[data["order_id"]] = data["order"]  # the latest version, in creation order
        elif kind == "fill":
            fills.append(data)
        elif kind == "intent_dropped":
            dropped.append(DroppedIntent(_ts(record.ts), data["symbol"], data["reason"]))
        elif kind.startswith("guard_"):
            trips.append(
                GuardTrip(
                    _ts(record.ts),
                    data["guard"],
                    data["measured"],
                    data["limit"],
                    data["action"],
                    kind.removeprefix("guard_"),
                )
            )
        elif kind == "positions":
            positions = data["positions"]
            repeated = data["repeated_denials"]
            positions_at, positions_ts = len(account), record.ts
        elif kind == "restart":
            restarts += 1
            notes.append(_restart_note(record.ts, data))
        elif kind == "operator":
            actions.append(
                f"{record.ts}: {data['action']} ({', '.join(data['breakers']) or 'none tripped'})"
                f", reason: {data['reason']}"
            )
        elif kind == "session_end":
            stopped = data.get("stopped")
    result = SessionResult(
        session_id=head["session_id"],
        mode=head["mode"],
        config_summary=dict(head["config_summary"]),
        starting_cash=Decimal(head["starting_cash"]),
        currency=currency,
        orders=[Order.model_validate(o) for o in orders.values()],
        fills=[Fill.model_validate(f) for f in fills],
        positions=[Position.model_validate(p) for p in positions],
        account=account,
        symbols=list(head["symbols"]),
        dropped_intents=dropped,
        guard_trips=trips,
        repeated_denials=repeated,
        stopped=stopped,
        restarts=restarts,
        restart_notes=notes,
        operator_actions=actions,
        bars=bars,
        gaps=gaps,
        missing_bars=missing,
    )
    result.warnings = session_warnings(result, {})
    if positions_at < len(account) or positions_ts is None:
        resume = f"`logos trade --resume {contents.path.parent}` finishes it"
        if positions_ts is None:
            said = "positions.csv is empty: no checkpoint was journaled before the stop"
        else:
            said = (
                f"positions.csv is as of {positions_ts} (the last checkpoint), "
                f"{len(account) - positions_at} slice(s) before the last"
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


def _ts(text: str) -> datetime:
    return ensure_utc(datetime.fromisoformat(text))
