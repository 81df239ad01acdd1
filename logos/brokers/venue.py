"""The base of every real-venue broker (ccxt, Alpaca ...): dry-run and live, one accountant.

A venue adapter subclasses :class:`VenueBroker` and answers a few questions about its venue
(the *hooks* below); the base keeps the order lifecycle, the ledger and the journal-first,
no-resend, reconcile-by-client-id rules (docs/brokers/ccxt.md, "Live").

Modes (keyword ``mode`` of the constructor):

- ``dry_run`` (default): every order is built exactly as it would be sent
  (:meth:`VenueBroker.venue_request`, through the venue library's own precision and
  validation), recorded as a ``venue_request`` journal record with ``sent = false``, and then
  simulated exactly as the paper broker does (the fill and fee models of
  :class:`~logos.brokers.simulated.SimulatedBroker`). The record comes just before the
  order's NEW event, in both modes. No credentials are given in this mode, so nothing can
  be sent even by mistake. An order the venue would refuse (:class:`VenueRefusal`) is
  REJECTED with the venue's reason and not simulated.
- ``live``: the ``venue_request`` record (``sent = true``), NEW and SUBMITTED are emitted,
  then :attr:`~logos.brokers.base.Broker.before_send` makes the journal durable, and only
  then is the order sent (:meth:`VenueBroker.send`). Accepted: ACCEPTED. Refused by
  the venue: REJECTED with its message. A timeout, a network error or any answer whose
  outcome is unknown leaves the order SUBMITTED: it is resolved by reconciliation by its
  client order id (:meth:`VenueBroker.fetch_order_by_client_id`) and is **never resent**.
  Every bar with working orders, :meth:`VenueBroker.on_bar` polls the venue: fills are
  booked into the same ledger the paper broker keeps (so the broker stays the only
  accountant), and orders the venue canceled or expired are moved accordingly.

Hooks a subclass implements (everything a venue library does lives there):

=================================  ============================================================
``venue_request(intent)``          the JSON-serialisable request that would be sent, or raise
                                   :class:`VenueRefusal` (min amount/cost, inactive market,
                                   an order type the venue has no native form for)
``send(order, request)``           live: send it; return a :class:`VenueAck`
``cancel_at_venue(order)``         live: cancel it at the venue
``fetch_order_by_client_id(cid)``  live: the venue's :class:`VenueOrder`, ``None`` if unknown
``fetch_open_orders()``            live: every open order at the venue
``fetch_fills(since)``             live: :class:`VenueFill` s since a time (``None``: recent)
``fetch_balances()``               live: free + used balance per currency
``venue_error_kind(exc)``          the :class:`ErrorKind` of an exception of the library
=================================  ============================================================

Credentials: a subclass names the environment variables it reads
(:meth:`VenueBroker.credential_env`); :meth:`VenueBroker.credentials_from_environ` reads
them for a live session and :meth:`VenueBroker.check_credentials` checks them (what
``logos check-credentials`` calls), so a session builder and the command stay generic.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, ClassVar, Literal

from pydantic import BaseModel
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from logos.brokers.acceptance import evaluate
from logos.brokers.base import FillEvent, InvalidOrderError, same_order_or_raise
from logos.brokers.paper_state import WorkingState
from logos.brokers.simulated import SimulatedBroker
from logos.domain import (
    Bar,
    Event,
    Fill,
    Liquidity,
    Order,
    OrderIntent,
    OrderStatus,
    SymbolMeta,
)
from logos.errors import BrokerError, LogosError
from logos.lifecycle import created, order_from_intent
from logos.money import add, multiply
from logos.timeutil import isoformat_utc

Mode = Literal["dry_run", "live"]
MODES: tuple[str, ...] = ("dry_run", "live")
VENUE_REFUSED = "venue_refused"
"""The reason code of an order the venue would refuse (``"venue_refused: ..."``)."""
VENUE_REJECTED = "venue_rejected"
"""The reason code of an order the venue did refuse (live)."""


class VenueRefusal(Exception):
    """The venue would refuse this order (raised by :meth:`VenueBroker.venue_request`);
    ``reason`` names the venue and what it would refuse, e.g. ``"binance: amount 0.00001 <
    min amount 0.0001 for BTC/USDT"``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ErrorKind(StrEnum):
    """What an exception of a venue library means for the request that raised it.

    RETRYABLE: nothing happened, asking again is fine (rate limits); for a submit it is
    treated as UNKNOWN_OUTCOME all the same, since a submit is never repeated.
    UNKNOWN_OUTCOME: the request may or may not have reached the venue (timeouts, network
    errors, an answer that could not be read). REJECTED: the venue refused it (invalid
    order, insufficient funds). FATAL: nothing will work until a human acts (bad or
    missing credentials, permissions, a suspended account).
    """

    RETRYABLE = "retryable"
    UNKNOWN_OUTCOME = "unknown_outcome"
    REJECTED = "rejected"
    FATAL = "fatal"


class VenueError(BrokerError):
    """A venue request failed; ``kind`` says how (:class:`ErrorKind`)."""

    def __init__(self, message: str, kind: ErrorKind) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True, slots=True)
class VenueAck:
    """The venue took an order: its id there (``None`` when the venue gave none)."""

    venue_order_id: str | None


@dataclass(frozen=True, slots=True)
class VenueOrder:
    """An order as the venue reports it, in logos' terms (quantities in logos units).

    ``status`` is ACCEPTED (open, nothing filled), PARTIALLY_FILLED, FILLED, CANCELED,
    EXPIRED or REJECTED.
    """

    client_order_id: str | None
    venue_order_id: str | None
    symbol: str
    side: str
    qty: Decimal
    filled_qty: Decimal
    status: OrderStatus
    avg_fill_price: Decimal | None = None


@dataclass(frozen=True, slots=True)
class VenueFill:
    """One execution the venue reports (quantities in logos units, ``fee`` in the account
    currency). ``client_order_id`` or ``venue_order_id`` ties it to its order."""

    trade_id: str
    client_order_id: str | None
    venue_order_id: str | None
    ts: datetime
    symbol: str
    side: str
    qty: Decimal
    price: Decimal
    fee: Decimal = Decimal(0)
    liquidity: Liquidity = Liquidity.TAKER


@dataclass(frozen=True, slots=True)
class VenueRequestEvent:
    """A ``venue_request`` journal record: what was (``sent``) or would be sent for an order."""

    type: ClassVar[str] = "venue_request"

    ts: datetime
    client_order_id: str
    venue: str
    request: dict[str, Any]
    sent: bool

    def data(self) -> dict[str, Any]:
        """JSON-serialisable payload: client order id, venue, the request, sent or not."""
        return {
            "client_order_id": self.client_order_id,
            "venue": self.venue,
            "request": self.request,
            "sent": self.sent,
        }

    def to_event(self, seq: int) -> Event:
        """Wrap as a journal :class:`~logos.domain.Event` with the caller's ``seq``."""
        return Event.made(seq, self.type, self.ts, self.data())


@dataclass(slots=True)
class ReconcileReport:
    """What differs between the broker's book and the venue's (empty: they agree).

    Iterating it gives one line per difference, so it can stand wherever a list of
    problems is expected (restart reconciliation extends its own list with it).
    """

    only_at_venue: list[str] = field(default_factory=list)
    """Orders open at the venue that the journal does not know."""
    only_in_journal: list[str] = field(default_factory=list)
    """Working orders of the journal that the venue does not know (in flight, lost)."""
    differing: list[str] = field(default_factory=list)
    """Orders both know whose status or filled quantity differ."""
    balances: dict[str, str] = field(default_factory=dict)
    """The venue's balances (information only: an account may hold more than one session's)."""

    @property
    def ok(self) -> bool:
        """True when nothing differs."""
        return not (self.only_at_venue or self.only_in_journal or self.differing)

    def problems(self) -> list[str]:
        """Every difference, one line each."""
        return [*self.only_at_venue, *self.only_in_journal, *self.differing]

    def __iter__(self) -> Iterator[str]:
        return iter(self.problems())

    def __len__(self) -> int:
        return len(self.problems())


@dataclass(slots=True)
class _VenueBook:
    """What the base remembers about the venue beyond the paper state: venue order ids,
    fills already booked, and the time of the newest fill seen."""

    venue_ids: dict[str, str] = field(default_factory=dict)
    booked: set[str] = field(default_factory=set)
    fills_since: datetime | None = None

    def dump(self) -> dict[str, Any]:
        return {
            "venue_ids": dict(sorted(self.venue_ids.items())),
            "booked": sorted(self.booked),
            "fills_since": None if self.fills_since is None else isoformat_utc(self.fills_since),
        }

    @classmethod
    def load(cls, data: Mapping[str, Any]) -> _VenueBook:
        since = data.get("fills_since")
        return cls(
            venue_ids=dict(data.get("venue_ids", {})),
            booked=set(data.get("booked", [])),
            fills_since=None if since is None else datetime.fromisoformat(since),
        )


class VenueBroker(SimulatedBroker):
    """Base of the venue adapters: dry-run simulates, live sends (see the module docstring).

    Construct like every broker, ``cls(params, symbols=metas)``, plus ``mode`` (``"dry_run"``
    default, or ``"live"``) and ``credentials`` (live only; a dry-run broker refuses them).
    """

    supports_live: ClassVar[bool] = True
    venue_name: ClassVar[str] = "venue"
    """How journal records and messages name the venue (a subclass may set it per instance)."""
    read_attempts: ClassVar[int] = 3
    """Attempts of a read (fetch open orders, fills ...) whose error is retryable."""

    def __init__(
        self,
        params: BaseModel | None = None,
        *,
        symbols: Iterable[SymbolMeta] = (),
        mode: str = "dry_run",
        credentials: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        if mode not in MODES:
            raise LogosError(
                f"broker '{self.name}': mode must be one of {', '.join(MODES)}, got {mode!r}"
            )
        if mode == "dry_run" and credentials:
            raise LogosError(
                f"broker '{self.name}': a dry run is given no credentials, so that nothing can "
                "be sent even by mistake"
            )
        super().__init__(params, symbols=symbols, **kwargs)
        self.mode: Mode = mode  # type: ignore[assignment]
        self._venue = _VenueBook()
        self._polled_at: datetime | None = None
        self.read_sleep: Callable[[float], None] | None = None
        """How reads wait between retries (``None``: time.sleep); tests pass a no-op."""

    @property
    def live(self) -> bool:
        """True in live mode."""
        return self.mode == "live"

    # credentials (classmethods: no broker is needed to check them) -------------------------

    @classmethod
    def credential_env(cls, params: BaseModel) -> dict[str, str]:
        """Credential name -> the environment variable it is read from (none by default)."""
        return {}

    @classmethod
    def credentials_from_environ(
        cls, params: BaseModel, environ: Mapping[str, str]
    ) -> dict[str, str]:
        """The credentials :meth:`credential_env` names that ``environ`` holds (non-empty)."""
        found = {}
        for name, variable in cls.credential_env(params).items():
            value = environ.get(variable, "")
            if value:
                found[name] = value
        return found

    @classmethod
    def check_credentials(
        cls, params: BaseModel, environ: Mapping[str, str], online: bool
    ) -> list[str]:
        """Problems with the credentials in ``environ`` (empty: fine); ``online`` also makes
        one read-only call. Messages name variables, never their values."""
        return [
            f"{variable} is not set (the {name} of broker '{cls.name}')"
            for name, variable in cls.credential_env(params).items()
            if not environ.get(variable)
        ]

    # hooks --------------------------------------------------------------------------------

    def venue_request(self, intent: OrderIntent) -> dict[str, Any]:
        """What would be sent for ``intent``; raise :class:`VenueRefusal` when the venue would
        refuse it. JSON-serialisable, built with the venue library's own validation."""
        raise NotImplementedError

    def send(self, order: Order, request: dict[str, Any]) -> VenueAck:
        """Live: send ``request`` (built for ``order``); the library's exceptions propagate."""
        raise NotImplementedError

    def cancel_at_venue(self, order: Order) -> None:
        """Live: cancel ``order`` at the venue."""
        raise NotImplementedError

    def fetch_order_by_client_id(self, client_order_id: str) -> VenueOrder | None:
        """Live: the venue's view of the order with this client id, ``None`` when unknown."""
        raise NotImplementedError

    def fetch_open_orders(self) -> list[VenueOrder]:
        """Live: every order open at the venue (of this broker's symbols)."""
        raise NotImplementedError

    def fetch_fills(self, since: datetime | None) -> list[VenueFill]:
        """Live: fills at the venue since ``since`` (``None``: the venue's recent ones)."""
        raise NotImplementedError

    def fetch_balances(self) -> dict[str, Decimal]:
        """Live: the balance per currency (free + used)."""
        raise NotImplementedError

    def venue_error_kind(self, exc: BaseException) -> ErrorKind:
        """The :class:`ErrorKind` of ``exc``; exceptions foreign to the library are FATAL."""
        return ErrorKind.FATAL

    # submit / cancel ----------------------------------------------------------------------

    def submit(self, intent: OrderIntent, *, ts: datetime) -> Order:
        """Dry run: build and record the request, then simulate; live: journal, then send.

        A client order id seen before returns that order (nothing is built or sent again).
        """
        existing = self.order_by_client_id(intent.client_order_id)
        if existing is not None:
            return same_order_or_raise(existing, intent)
        try:
            request = self.venue_request(intent)
        except VenueRefusal as refusal:
            return self._refuse(intent, ts, f"{VENUE_REFUSED}: {refusal.reason}")
        self._emit(
            VenueRequestEvent(
                ts=self._tick(ts),
                client_order_id=intent.client_order_id,
                venue=self.venue_name,
                request=request,
                sent=self.live,
            )
        )
        if not self.live:
            return super().submit(intent, ts=ts)
        return self._send(intent, request, ts)

    def cancel(self, order_id: str, *, ts: datetime, reason: str = "canceled") -> Order:
        """Dry run: as the paper broker. Live: cancel at the venue first; a cancel the venue
        refuses or whose outcome is unknown raises :class:`VenueError` and changes nothing
        (the next poll or reconciliation tells what became of the order)."""
        if not self.live:
            return super().cancel(order_id, ts=ts, reason=reason)
        order = self.order(order_id)
        if order.status.is_working and order.status is not OrderStatus.SUBMITTED:
            try:
                self.cancel_at_venue(order)
            except Exception as exc:
                raise self._venue_error(f"cancel of {order.client_order_id}", exc) from exc
        return super().cancel(order_id, ts=ts, reason=reason)

    def cancel_all(
        self, *, ts: datetime, reason: str = "canceled", symbol: str | None = None
    ) -> list[Order]:
        """Cancel every working order it can (see :class:`~logos.brokers.base.Broker`).

        Live: a cancel the venue refuses does not stop the others (a kill switch must cancel
        everything it can); once every order was tried, the refused ones raise one
        :class:`VenueError` naming each."""
        if not self.live:
            return super().cancel_all(ts=ts, reason=reason, symbol=symbol)
        canceled, failed = [], []
        for order in self.working_orders():
            if order.status is OrderStatus.SUBMITTED or symbol not in (None, order.symbol):
                continue
            try:
                canceled.append(self.cancel(order.order_id, ts=ts, reason=reason))
            except VenueError as exc:
                failed.append(exc)
        if failed:
            kind = failed[0].kind
            raise VenueError("; ".join(str(e) for e in failed), kind)
        return canceled

    # bars ---------------------------------------------------------------------------------

    def on_bar(self, bar: Bar) -> list[Fill]:
        """Dry run: the paper broker's matching. Live: no simulation; when orders are working
        the venue is polled (in-flight orders resolved, fills booked, statuses followed)."""
        if not self.live:
            return super().on_bar(bar)
        self._last_bar_ts[bar.symbol] = bar.ts
        self._tick(bar.ts)
        if bar.ts == self._polled_at or (not self._working and not self._in_flight()):
            return []  # once per bar time: the other bars of a slice ask the same venue
        self._polled_at = bar.ts
        return self.poll()

    def poll(self) -> list[Fill]:
        """Live: resolve in-flight orders, book new fills, then follow working orders that
        are no longer open at the venue (canceled or expired there)."""
        for order in self._in_flight():
            self._resolve(order)
        fills = self._book_venue_fills()
        working = [o for o in self.working_orders() if o.status is not OrderStatus.SUBMITTED]
        if not working:
            return fills
        still_open = {o.client_order_id for o in self._read(self.fetch_open_orders)}
        for order in working:
            if order.client_order_id in still_open:
                continue
            seen = self._read(lambda cid=order.client_order_id: self.fetch_order_by_client_id(cid))
            if seen is not None and seen.status in (OrderStatus.CANCELED, OrderStatus.EXPIRED):
                reason = f"{seen.status.value.lower()} at {self.venue_name}"
                self._move(order, seen.status, ts=self._now(), reason=reason)
                self._working.pop(order.order_id, None)
        return fills

    def release_orders(self, order_ids: Iterable[str]) -> None:
        """Keep every order (the default of :meth:`Broker.release_orders`): on restart the
        venue's open orders are reconciled against the orders this broker knows, and its
        snapshot maps each to its venue order id."""

    # reconciliation -----------------------------------------------------------------------

    def reconcile(
        self, journaled: Mapping[str, Mapping[str, Any]] | None = None
    ) -> ReconcileReport:
        """The broker's working orders against the venue's open orders, by client order id.

        Read-only: a restart first calls :meth:`poll` (fills made and orders canceled while
        the session was down are booked and journaled as any others), so what still differs
        is what the session cannot account for. Dry run: the book is the broker's own, so
        nothing can differ (an empty report). Live: an open order at the venue the broker
        does not know; a working order the venue does not know (an in-flight submit that
        never arrived, or one lost); and orders whose status or filled quantity differ.
        ``journaled`` (client id -> the journal's latest order, as restart passes it) adds
        the journal's working orders the broker lacks.
        """
        report = ReconcileReport()
        if not self.live:
            return report
        open_orders = self._read(self.fetch_open_orders)
        at_venue = {o.client_order_id: o for o in open_orders if o.client_order_id}
        for venue_order in open_orders:
            cid = venue_order.client_order_id
            if cid is None or self.order_by_client_id(cid) is None:
                label = cid or f"venue order {venue_order.venue_order_id}"
                report.only_at_venue.append(
                    f"{label}: open at {self.venue_name} ({venue_order.side} "
                    f"{_plain(venue_order.qty)} {venue_order.symbol}), not in the journal"
                )
        for order in self.working_orders():
            cid = order.client_order_id
            seen = at_venue.get(cid)
            if seen is None:
                seen = self._read(lambda c=cid: self.fetch_order_by_client_id(c))
            if seen is None:
                report.only_in_journal.append(
                    f"{cid}: {order.status.value} in the journal, unknown at {self.venue_name}"
                )
                continue
            problem = _difference(order, seen, self.venue_name)
            if problem:
                report.differing.append(problem)
        for cid, saved in (journaled or {}).items():
            status = str(saved.get("status", ""))
            working = status in {s.value for s in OrderStatus if s.is_working}
            if working and self.order_by_client_id(cid) is None and cid not in at_venue:
                report.only_in_journal.append(
                    f"{cid}: {status} in the journal, unknown to the broker and at "
                    f"{self.venue_name}"
                )
        try:
            balances = self._read(self.fetch_balances)
        except VenueError:
            balances = {}
        report.balances = {k: _plain(v) for k, v in sorted(balances.items())}
        return report

    # snapshot -----------------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """The paper snapshot plus ``venue``: venue order ids, booked fills, the fill cursor."""
        return {**super().snapshot(), "venue": self._venue.dump()}

    def restore(self, snapshot: Mapping[str, Any]) -> None:
        """Restore a :meth:`snapshot` (a paper snapshot without ``venue`` is fine too)."""
        data = dict(snapshot)
        venue = data.pop("venue", None)
        super().restore(data)
        self._venue = _VenueBook.load(venue or {})

    # internals ----------------------------------------------------------------------------

    def _now(self) -> datetime:
        return self.account().ts

    def _open(self, intent: OrderIntent, ts: datetime) -> Order:
        """A new order for ``intent``: created (NEW), then SUBMITTED; events emitted."""
        if intent.qty <= 0 or (intent.limit_price is not None and intent.limit_price <= 0):
            raise InvalidOrderError(
                f"order {intent.client_order_id}: qty and limit_price must be positive "
                f"(got qty={intent.qty}, limit_price={intent.limit_price})"
            )
        ts = self._tick(ts)
        self._order_counter += 1
        order_id = f"{self.params.id_prefix}-{self._order_counter:06d}"
        order = order_from_intent(intent, order_id, ts=ts)
        self._by_client_id[order.client_order_id] = order.order_id
        self._record(order, created(order, ts=ts, reason=intent.reason))
        return self._move(order, OrderStatus.SUBMITTED, ts=ts)

    def _refuse(self, intent: OrderIntent, ts: datetime, reason: str) -> Order:
        """REJECTED at once: the venue would refuse it, so nothing is sent or simulated."""
        order = self._open(intent, ts)
        return self._move(order, OrderStatus.REJECTED, ts=order.ts_updated, reason=reason)

    def _send(self, intent: OrderIntent, request: dict[str, Any], ts: datetime) -> Order:
        order = self._open(intent, ts)
        ts = order.ts_updated
        verdict = evaluate(
            intent,
            self._view(intent.symbol),
            self.params,
            slippage_bps=self.fill_model.reserve_slippage_bps(self.params),
            fee_bps=self._fee_bps,
        )
        if verdict.problem is not None:  # the book says no: nothing leaves the process
            return self._move(order, OrderStatus.REJECTED, ts=ts, reason=verdict.problem)
        self._working[order.order_id] = WorkingState(
            order.order_id, self._order_counter, ts, verdict.reserve_qty, verdict.reserve_price
        )
        if self.before_send is not None:
            self.before_send()  # the journal is on disk before the venue hears of the order
        try:
            ack = self.send(order, request)
        except Exception as exc:
            kind = self.venue_error_kind(exc)
            if kind is ErrorKind.REJECTED:
                self._working.pop(order.order_id, None)
                reason = f"{VENUE_REJECTED}: {self.venue_name}: {type(exc).__name__}: {exc}"
                return self._move(order, OrderStatus.REJECTED, ts=ts, reason=reason)
            if kind is ErrorKind.FATAL:
                raise self._venue_error(f"submit of {order.client_order_id}", exc) from exc
            return order  # outcome unknown: stays SUBMITTED, reconciliation resolves it
        if ack.venue_order_id is not None:
            self._venue.venue_ids[order.client_order_id] = ack.venue_order_id
        return self._move(order, OrderStatus.ACCEPTED, ts=ts)

    def _in_flight(self) -> list[Order]:
        return [o for o in self._orders.values() if o.status is OrderStatus.SUBMITTED]

    def _resolve(self, order: Order) -> None:
        """An in-flight order: ACCEPTED once the venue knows it (then followed as any other),
        REJECTED when the venue says it rejected it; unknown: stays SUBMITTED."""
        seen = self._read(lambda: self.fetch_order_by_client_id(order.client_order_id))
        if seen is None:
            return
        if seen.venue_order_id is not None:
            self._venue.venue_ids[order.client_order_id] = seen.venue_order_id
        ts = self._now()
        if seen.status is OrderStatus.REJECTED:
            self._working.pop(order.order_id, None)
            self._move(
                order, OrderStatus.REJECTED, ts=ts, reason=f"{VENUE_REJECTED}: {self.venue_name}"
            )
            return
        self._move(
            order, OrderStatus.ACCEPTED, ts=ts, reason="found at the venue by client order id"
        )

    def _book_venue_fills(self) -> list[Fill]:
        fills = self._read(lambda: self.fetch_fills(self._venue.fills_since))
        by_venue_id = {v: c for c, v in self._venue.venue_ids.items()}
        booked = []
        for venue_fill in sorted(fills, key=lambda f: (f.ts, f.trade_id)):
            if venue_fill.trade_id in self._venue.booked:
                continue
            cid = venue_fill.client_order_id or by_venue_id.get(venue_fill.venue_order_id or "")
            order = None if cid is None else self.order_by_client_id(cid)
            if order is None or not order.status.is_working:
                continue  # not this session's order: reconciliation reports foreign orders
            if order.status is OrderStatus.SUBMITTED:
                order = self._move(order, OrderStatus.ACCEPTED, ts=self._tick(venue_fill.ts))
            booked.append(self._book(order, venue_fill))
            self._venue.booked.add(venue_fill.trade_id)
            since = self._venue.fills_since
            if since is None or venue_fill.ts > since:
                self._venue.fills_since = venue_fill.ts
        return booked

    def _book(self, order: Order, venue_fill: VenueFill) -> Fill:
        """Book a venue fill in the ledger (as :mod:`logos.brokers.execution` books a paper
        fill, with the venue's fee instead of a fee model's)."""
        ts = self._tick(venue_fill.ts)
        qty = min(venue_fill.qty, order.remaining_qty)
        outcome = self._ledger.book_fill(
            order.symbol,
            order.side,
            qty,
            venue_fill.price,
            venue_fill.fee,
            ts,
            venue_fill.trade_id,
        )
        fill = Fill(
            trade_id=venue_fill.trade_id,
            order_id=order.order_id,
            client_order_id=order.client_order_id,
            ts=ts,
            symbol=order.symbol,
            side=order.side,
            qty=qty,
            price=venue_fill.price,
            fee=venue_fill.fee,
            liquidity=venue_fill.liquidity,
            realized_pnl=outcome.realized_pnl,
        )
        state = self._working.get(order.order_id)
        notional = multiply(qty, venue_fill.price)
        if state is not None:
            state.filled_notional = add(state.filled_notional, notional)
            total = state.filled_notional
        else:
            total = add(multiply(order.filled_qty, order.avg_fill_price or Decimal(0)), notional)
        filled = add(order.filled_qty, qty)
        status = OrderStatus.FILLED if filled == order.qty else OrderStatus.PARTIALLY_FILLED
        self._traded = add(self._traded, notional)
        self._emit(FillEvent(fill))
        self._move(order, status, ts=ts, filled_qty=filled, avg_fill_price=total / filled)
        if status is OrderStatus.FILLED:
            self._working.pop(order.order_id, None)
        return fill

    def _read(self, call: Callable[[], Any]) -> Any:
        """A read from the venue, retried while its error is retryable or of unknown outcome
        (a read changes nothing); other errors raise :class:`VenueError`."""

        def retryable(exc: BaseException) -> bool:
            return self.venue_error_kind(exc) in (ErrorKind.RETRYABLE, ErrorKind.UNKNOWN_OUTCOME)

        retrying = Retrying(
            stop=stop_after_attempt(self.read_attempts),
            wait=wait_exponential(multiplier=0.5, max=5),
            retry=retry_if_exception(retryable),
            reraise=True,
        )
        if self.read_sleep is not None:
            retrying.sleep = self.read_sleep  # type: ignore[method-assign]
        try:
            return retrying(call)
        except VenueError:
            raise
        except Exception as exc:
            raise self._venue_error("read", exc) from exc

    def _venue_error(self, what: str, exc: BaseException) -> VenueError:
        kind = self.venue_error_kind(exc)
        return VenueError(
            f"{self.venue_name}: {what} failed ({kind.value}): {type(exc).__name__}: {exc}", kind
        )


def _plain(value: Decimal) -> str:
    """``value`` without trailing zeros or an exponent (``0.010`` -> ``0.01``)."""
    return format(value.normalize(), "f")


def _difference(order: Order, seen: VenueOrder, venue: str) -> str | None:
    """How ``order`` (the broker's) and ``seen`` (the venue's) differ, ``None`` if they agree."""
    cid = order.client_order_id
    if seen.filled_qty != order.filled_qty:
        return (
            f"{cid}: filled {_plain(order.filled_qty)} in the journal, "
            f"{_plain(seen.filled_qty)} at {venue}"
        )
    expected = order.status
    if expected is OrderStatus.SUBMITTED and seen.status is OrderStatus.ACCEPTED:
        return None  # in flight, and it arrived: the next poll moves it
    if seen.status is not expected:
        return f"{cid}: {expected.value} in the journal, {seen.status.value} at {venue}"
    return None
