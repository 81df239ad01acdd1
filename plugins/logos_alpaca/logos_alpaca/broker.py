"""Broker ``alpaca``: Alpaca paper and live trading through alpaca-py's ``TradingClient``.

The venue-independent rules (dry-run simulation, journal first, never resend, reconcile
by client order id, one ledger) are :class:`~logos.brokers.venue.VenueBroker`'s; this
module answers its hooks with alpaca-py (docs/brokers/alpaca.md):

- every order becomes the alpaca-py request model Alpaca would receive
  (:func:`logos_alpaca.requests.order_request`), validated by alpaca-py; its body
  (``to_request_fields()``) is the ``venue_request`` journal record;
- live, the same model goes to ``TradingClient.submit_order``; orders are looked up with
  ``get_order_by_client_id`` and ``get_orders``, canceled with ``cancel_order_by_id``;
  fills are the increments of an order's ``filled_qty`` (alpaca-py's trading client has no
  fills endpoint), priced from the change of ``filled_avg_price``;
- symbol metadata comes from Alpaca's assets: a saved assets file (``assets_file``,
  offline) or, live, ``get_asset`` per symbol.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import BaseModel, Field

from logos.brokers.simulated import SimulatedParams
from logos.brokers.venue import (
    ErrorKind,
    VenueAck,
    VenueBroker,
    VenueError,
    VenueFill,
    VenueOrder,
)
from logos.credentials import read_credentials
from logos.domain import Order, OrderIntent, OrderStatus, SymbolMeta
from logos.errors import LogosError
from logos.timeutil import ensure_utc
from logos_alpaca.assets import load_assets, symbol_meta
from logos_alpaca.client import RedactingClient, make_client
from logos_alpaca.errors import error_kind, error_message
from logos_alpaca.refusal import AlpacaRefusal
from logos_alpaca.requests import order_request, request_body

if TYPE_CHECKING:
    from alpaca.trading.models import Asset
    from alpaca.trading.models import Order as AlpacaOrder
    from alpaca.trading.requests import OrderRequest


class AlpacaParams(SimulatedParams):
    """Params of broker ``alpaca``: the paper broker's (what a dry run simulates with) and
    Alpaca's own."""

    paper: bool = Field(True, description="use Alpaca's paper-trading endpoint")
    asset_class: Literal["us_equity", "crypto"] = Field(
        "us_equity", description="what the symbols are: us_equity (AAPL) or crypto (BTC/USD)"
    )
    key_env: str = Field(
        "APCA_API_KEY_ID", min_length=1, description="env var holding the API key id"
    )
    secret_env: str = Field(
        "APCA_API_SECRET_KEY", min_length=1, description="env var holding the secret key"
    )
    assets_file: str | None = Field(
        None,
        description="Alpaca assets saved from GET /v2/assets (JSON): the symbols' metadata "
        "for a dry run, which has no credentials to ask Alpaca",
    )


class AlpacaBroker(VenueBroker):
    """Alpaca (stocks, crypto) through alpaca-py: dry-run builds and validates every order as
    Alpaca would receive it and simulates the fill; live sends it (docs/brokers/alpaca.md)."""

    name = "alpaca"
    venue_name: ClassVar[str] = "alpaca"
    Params: ClassVar[type[BaseModel]] = AlpacaParams
    params: AlpacaParams

    def __init__(
        self,
        params: BaseModel | None = None,
        *,
        symbols: Iterable[SymbolMeta] = (),
        mode: str = "dry_run",
        credentials: Mapping[str, str] | None = None,
        client: Any = None,
        assets: Iterable[Asset] | None = None,
        **kwargs: Any,
    ) -> None:
        """``client``: a ``TradingClient`` (or a stand-in with its methods) for live mode;
        made from ``credentials`` when not given. ``assets``: Alpaca assets to use instead of
        ``assets_file``. The assets' metadata replaces the session's for their symbols."""
        super().__init__(params, symbols=symbols, mode=mode, credentials=credentials, **kwargs)
        self._assets: dict[str, Asset] = {}
        if self.params.assets_file is not None:
            self._assets.update(load_assets(self.params.assets_file))
        self._assets.update({a.symbol: a for a in assets or ()})
        traded = set(self._metas)
        self.add_symbols(symbol_meta(a) for s, a in self._assets.items() if s in traded)
        self._requests: dict[str, OrderRequest] = {}
        self._client: Any = None
        if self.live:
            if client is None and not credentials:
                raise LogosError("broker 'alpaca': live mode needs credentials or a client")
            made = (
                client if client is not None else make_client(credentials or {}, self.params.paper)
            )
            self._client = RedactingClient(made)
        elif client is not None:
            raise LogosError("broker 'alpaca': a dry run is given no client: it sends nothing")

    # credentials --------------------------------------------------------------------------

    @classmethod
    def credential_env(cls, params: BaseModel) -> dict[str, str]:
        """``key`` and ``secret`` from ``key_env`` / ``secret_env`` (default
        ``APCA_API_KEY_ID`` / ``APCA_API_SECRET_KEY``)."""
        p = _params(params)
        return {"key": p.key_env, "secret": p.secret_env}

    @classmethod
    def check_credentials(
        cls, params: BaseModel, environ: Mapping[str, str], online: bool
    ) -> list[str]:
        """Problems with the keys (names only); ``online``: one ``get_account`` call."""
        problems, _ = cls.credential_report(params, environ, online)
        return problems

    @classmethod
    def credential_report(
        cls,
        params: BaseModel,
        environ: Mapping[str, str],
        online: bool,
        client: Any = None,
    ) -> tuple[list[str], list[str]]:
        """``(problems, facts)``: the keys are set; ``online``, that Alpaca takes them, and
        the account's status and buying power (never the keys)."""
        problems = super().check_credentials(params, environ, online)
        endpoint = "paper" if _params(params).paper else "live"
        facts = [
            f"endpoint: {endpoint} ({'paper-api' if endpoint == 'paper' else 'api'}.alpaca.markets)"
        ]
        if problems or not online:
            return problems, facts
        try:
            if client is None:
                # read_credentials: every value read is masked from any text printed after
                keys = read_credentials(cls.credential_env(params), environ)
                client = make_client(keys, endpoint == "paper")
            account = client.get_account()
        except Exception as exc:  # every failure is the answer to the check
            return [f"Alpaca refused the keys: {error_message(exc)}"], facts
        status = str(getattr(account.status, "value", account.status))
        facts += [
            f"account status: {status}",
            f"buying power: {account.buying_power} {account.currency or 'USD'}",
        ]
        if status != "ACTIVE":
            problems.append(f"the Alpaca account is {status}, not ACTIVE")
        if account.trading_blocked:
            problems.append("trading is blocked on the Alpaca account")
        return problems, facts

    @classmethod
    def known_symbols(cls, params: BaseModel) -> set[str] | None:
        """The symbols of ``assets_file`` (what is known about Alpaca without connecting)."""
        path = _params(params).assets_file
        return None if path is None else set(load_assets(path))

    # hooks --------------------------------------------------------------------------------

    def venue_request(self, intent: OrderIntent) -> dict[str, Any]:
        """alpaca-py's request body for ``intent``; AlpacaRefusal names the rule it breaks."""
        asset = self._asset(intent.symbol)
        if asset.asset_class.value != self.params.asset_class:
            raise AlpacaRefusal(
                f"alpaca: {asset.symbol} is {asset.asset_class.value}; this broker trades "
                f"{self.params.asset_class} (params.asset_class)"
            )
        request = order_request(intent, asset, price=self._ledger.mark_price(intent.symbol))
        if self.live:  # kept for send(); a dry run sends nothing
            self._requests[intent.client_order_id] = request
        return request_body(request)

    def send(self, order: Order, request: dict[str, Any]) -> VenueAck:
        """``submit_order`` with the model :meth:`venue_request` built for this order."""
        model = self._requests.pop(order.client_order_id)
        placed = self._client.submit_order(model)
        return VenueAck(str(placed.id))

    def cancel_at_venue(self, order: Order) -> None:
        """``cancel_order_by_id`` with Alpaca's id (looked up by client id when unknown)."""
        venue_id = self._venue.venue_ids.get(order.client_order_id)
        if venue_id is None:
            seen = self._client.get_order_by_client_id(order.client_order_id)
            venue_id = str(seen.id)
        self._client.cancel_order_by_id(venue_id)

    def fetch_order_by_client_id(self, client_order_id: str) -> VenueOrder | None:
        """``get_order_by_client_id``; Alpaca's 404 means it never received the order."""
        from alpaca.common.exceptions import APIError

        try:
            seen = self._client.get_order_by_client_id(client_order_id)
        except APIError as exc:
            if exc.status_code == 404:
                return None
            raise
        return venue_order(seen)

    def fetch_open_orders(self) -> list[VenueOrder]:
        """``get_orders(status=open)``, of this broker's symbols when it knows them."""
        from alpaca.trading.enums import QueryOrderStatus
        from alpaca.trading.requests import GetOrdersRequest

        symbols = sorted(self._metas) or None
        request = GetOrdersRequest(status=QueryOrderStatus.OPEN, symbols=symbols, limit=500)
        return [venue_order(o) for o in self._client.get_orders(filter=request)]

    def fetch_fills(self, since: datetime | None) -> list[VenueFill]:
        """The new fills of working orders: each increase of an order's ``filled_qty``
        since the broker last booked it, priced so the order's average matches Alpaca's."""
        fills = []
        for order in self.working_orders():
            try:
                seen = self._client.get_order_by_client_id(order.client_order_id)
            except Exception as exc:
                if error_kind(exc) is ErrorKind.REJECTED:
                    continue  # unknown at Alpaca (404): reconciliation reports it
                raise
            fill = fill_increment(order, seen)
            if fill is not None:
                fills.append(fill)
        return fills

    def fetch_balances(self) -> dict[str, Decimal]:
        """The account's cash (``get_account``), in its currency."""
        account = self._client.get_account()
        return {account.currency or "USD": Decimal(str(account.cash))}

    def venue_error_kind(self, exc: BaseException) -> ErrorKind:
        """alpaca-py's and requests' exceptions by status code (:mod:`logos_alpaca.errors`)."""
        return error_kind(exc)

    # internals ----------------------------------------------------------------------------

    def _asset(self, symbol: str) -> Asset:
        asset = self._assets.get(symbol)
        if asset is None and self.live:
            try:
                asset = self._read(lambda: self._client.get_asset(symbol))
            except VenueError as exc:
                if exc.kind is not ErrorKind.REJECTED:
                    raise
                raise AlpacaRefusal(f"alpaca: no Alpaca asset {symbol} ({exc})") from None
            self._assets[symbol] = asset
            self.add_symbols([symbol_meta(asset)])
        if asset is None:
            raise AlpacaRefusal(
                f"alpaca: no Alpaca asset for {symbol}; a dry run reads them from assets_file "
                "(saved from GET /v2/assets, docs/brokers/alpaca.md)"
            )
        return asset


def _params(params: BaseModel) -> AlpacaParams:
    return params if isinstance(params, AlpacaParams) else AlpacaParams.model_validate(params)


_STATUSES = {
    "filled": OrderStatus.FILLED,
    "partially_filled": OrderStatus.PARTIALLY_FILLED,
    "canceled": OrderStatus.CANCELED,
    "replaced": OrderStatus.CANCELED,
    "expired": OrderStatus.EXPIRED,
    "rejected": OrderStatus.REJECTED,
}
"""Alpaca's order statuses that are not "open" (new, accepted, pending_new, held ...)."""


def venue_order(order: AlpacaOrder) -> VenueOrder:
    """An alpaca-py ``Order`` in logos' terms (quantities and prices exact Decimals)."""
    filled = _decimal(order.filled_qty) or Decimal(0)
    status = _STATUSES.get(str(order.status.value))
    if status is None:
        status = OrderStatus.PARTIALLY_FILLED if filled > 0 else OrderStatus.ACCEPTED
    return VenueOrder(
        client_order_id=order.client_order_id,
        venue_order_id=str(order.id),
        symbol=order.symbol or "",
        side=str(order.side.value) if order.side is not None else "",
        qty=_decimal(order.qty) or Decimal(0),
        filled_qty=filled,
        status=status,
        avg_fill_price=_decimal(order.filled_avg_price),
    )


def fill_increment(order: Order, seen: AlpacaOrder) -> VenueFill | None:
    """The fill Alpaca's order shows beyond what ``order`` has booked, ``None`` when none.

    Its price makes the booked average equal Alpaca's ``filled_avg_price``:
    ``(avg_new × filled_new − avg_old × filled_old) / (filled_new − filled_old)``. Its id is
    Alpaca's order id and the filled quantity it brings the order to, so the same increment
    is never booked twice.
    """
    filled = _decimal(seen.filled_qty) or Decimal(0)
    qty = filled - order.filled_qty
    average = _decimal(seen.filled_avg_price)
    if qty <= 0 or average is None:
        return None
    before = order.filled_qty * (order.avg_fill_price or Decimal(0))
    price = (average * filled - before) / qty
    ts = ensure_utc(seen.filled_at or seen.updated_at)
    return VenueFill(
        trade_id=f"{seen.id}:{filled}",
        client_order_id=seen.client_order_id,
        venue_order_id=str(seen.id),
        ts=ts,
        symbol=order.symbol,
        side=order.side.value,
        qty=qty,
        price=price,
    )


def _decimal(value: object) -> Decimal | None:
    """Alpaca's numbers arrive as strings (or, in places, floats): exact Decimals."""
    if value is None or value == "":
        return None
    return Decimal(value if isinstance(value, str) else repr(value))
