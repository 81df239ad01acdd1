"""Broker ``ccxt``: orders on any ccxt exchange, as a dry run or live (docs/brokers/ccxt.md).

The venue half of :class:`~logos.brokers.venue.VenueBroker` for ccxt: the request of every
order is ccxt's unified ``create_order`` call (:mod:`logos_ccxt.requests`), metadata comes
from the exchange's markets (:mod:`logos_ccxt.markets`), ccxt's exceptions are classified by
:mod:`logos_ccxt.errors`, credentials come from ``LOGOS_CCXT_<EXCHANGE>_*`` variables
(:mod:`logos_ccxt.credentials`). A dry run needs no credentials and, with ``markets_file``,
no network at all.

Live reads: open orders per symbol (``fetch_open_orders``), an order by client id (its open,
then its closed orders: ``fetch_closed_orders`` or ``fetch_orders``, matching ``clientOrderId``;
gate reports it with its ``t-`` prefix), fills (``fetch_my_trades`` per symbol, since the
newest fill booked) and balances (``fetch_balance``'s ``total``). A fill's fee is booked when
it is paid in the quote currency, or in the base currency (valued at the fill price); a fee
in a third currency (e.g. BNB) or a rebate is booked as 0 (docs/brokers/ccxt.md).
"""

from __future__ import annotations

import decimal
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import BaseModel, Field

from logos.brokers.accounting import Ledger
from logos.brokers.simulated import SimulatedParams
from logos.brokers.venue import (
    ErrorKind,
    VenueAck,
    VenueBroker,
    VenueFill,
    VenueOrder,
)
from logos.domain import Liquidity, Order, OrderIntent, OrderStatus, SymbolMeta
from logos.errors import LogosError
from logos_ccxt import credentials as creds
from logos_ccxt.client_ids import maps_client_order_id
from logos_ccxt.errors import error_kind
from logos_ccxt.exchange import build_exchange, load_markets, read_markets_file
from logos_ccxt.markets import contract_size, market_to_meta, to_decimal
from logos_ccxt.params import ExchangeParams
from logos_ccxt.requests import build_request

if TYPE_CHECKING:
    import ccxt

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ZERO = Decimal(0)
_STATUSES = {
    "closed": OrderStatus.FILLED,
    "canceled": OrderStatus.CANCELED,
    "cancelled": OrderStatus.CANCELED,
    "expired": OrderStatus.EXPIRED,
    "rejected": OrderStatus.REJECTED,
}


def _ms(ts: datetime) -> int:
    return (ts - EPOCH) // timedelta(milliseconds=1)


class CcxtParams(ExchangeParams, SimulatedParams):
    """Params of broker ``ccxt``: the exchange, and the paper params its dry run simulates with."""

    sandbox: bool = Field(
        False, description="use the exchange's testnet (only where ccxt has urls['test'])"
    )
    market_type: Literal["spot", "margin", "swap", "future", "option"] | None = Field(
        None, description="ccxt options.defaultType: which of the exchange's markets to use"
    )
    options: dict[str, Any] = Field(
        default_factory=dict, description="ccxt exchange options, passed as they are"
    )
    markets_file: str | None = Field(
        None, description="a JSON file of ccxt markets to use instead of load_markets()"
    )
    precision_mode: Literal["tick_size", "decimal_places", "significant_digits"] | None = Field(
        None, description="override the exchange's precisionMode (for an old markets file)"
    )


class CcxtBroker(VenueBroker):
    """Places orders on a ccxt exchange; in dry_run mode builds, checks and records each
    order's ``create_order`` request, then simulates its fill as the paper broker does.

    ``client`` (optional) is a ready ``ccxt.Exchange`` to use instead of building one from
    the params (tests pass a fake subclass here).
    """

    name = "ccxt"
    Params: ClassVar[type[BaseModel]] = CcxtParams
    params: CcxtParams

    def __init__(
        self,
        params: BaseModel | None = None,
        *,
        symbols: Iterable[SymbolMeta] = (),
        mode: str = "dry_run",
        credentials: Mapping[str, str] | None = None,
        client: ccxt.Exchange | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(params, mode=mode, credentials=credentials, **kwargs)
        p = self.params
        if self.live and client is None and not credentials:
            variables = ", ".join(creds.credential_env(p.exchange).values())
            raise LogosError(f"broker 'ccxt': live trading on {p.exchange} needs {variables}")
        if self.live and not maps_client_order_id(p.exchange):
            raise LogosError(
                f"broker 'ccxt': {p.exchange} ignores clientOrderId in ccxt, so a live order "
                "could not be reconciled after a timeout or a restart; live trading there is "
                "refused (docs/brokers/ccxt.md)"
            )
        if client is None:
            client = build_exchange(p, credentials if self.live else None)
        self.exchange = client
        self.venue_name = client.id
        load_markets(client, p)
        # the venue's metadata replaces what the config gives; a symbol the exchange does
        # not list keeps none (its orders are refused: the venue has no market for them)
        listed = client.markets or {}
        self._configured = [meta.symbol for meta in symbols if meta.symbol in listed]
        self.add_symbols(self.metas_for(self._configured).values())
        self._ledger = Ledger(p.cash, self._currency())  # the venue's quote currency

    # metadata -------------------------------------------------------------------------------

    def metas_for(self, symbols: Iterable[str]) -> dict[str, SymbolMeta]:
        """SymbolMeta of ``symbols`` from the exchange's markets; an unlisted one is an error."""
        markets = self.exchange.markets or {}
        wanted = list(symbols)
        unknown = [s for s in wanted if s not in markets]
        if unknown:
            raise LogosError(
                f"broker 'ccxt': {self.exchange.id} does not list symbol(s): {', '.join(unknown)}"
            )
        return {s: market_to_meta(markets[s], self.exchange.precisionMode) for s in wanted}

    def symbol_meta(self, symbol: str) -> SymbolMeta | None:
        """The venue's metadata of ``symbol`` (from its market), ``None`` when not listed."""
        meta = super().symbol_meta(symbol)
        markets = getattr(self, "exchange", None) and self.exchange.markets
        if meta is None and markets and symbol in markets:
            meta = market_to_meta(markets[symbol], self.exchange.precisionMode)
            self.add_symbols([meta])
        return meta

    @classmethod
    def known_symbols(cls, params: BaseModel | Mapping[str, Any]) -> list[str] | None:
        """The symbols of ``markets_file`` (offline: what the live-safety check asks);
        ``None`` without a markets file (knowing them would take a request)."""
        p = cls._params(params)
        if p.markets_file is None:
            return None
        return sorted(str(m.get("symbol")) for m in read_markets_file(p.markets_file))

    # credentials -----------------------------------------------------------------------------

    @classmethod
    def _params(cls, params: BaseModel | Mapping[str, Any]) -> CcxtParams:
        if isinstance(params, CcxtParams):
            return params
        data = params.model_dump() if isinstance(params, BaseModel) else dict(params)
        return CcxtParams.model_validate(data)

    @classmethod
    def credential_env(cls, params: BaseModel | Mapping[str, Any]) -> dict[str, str]:
        """ccxt credential name -> ``LOGOS_CCXT_<EXCHANGE>_...`` (the exchange's required ones)."""
        return creds.credential_env(cls._params(params).exchange)

    @classmethod
    def check_credentials(
        cls, params: BaseModel | Mapping[str, Any], environ: Mapping[str, str], online: bool
    ) -> list[str]:
        """Problems with the exchange's credentials in ``environ`` (empty: fine); ``online``:
        one ``fetch_balance`` with them (on the testnet when ``sandbox``)."""
        p = cls._params(params)
        return creds.check_credentials(
            p.exchange, environ, online=online, make_exchange=lambda c: build_exchange(p, c)
        )

    # the venue hooks ---------------------------------------------------------------------------

    def venue_request(self, intent: OrderIntent) -> dict[str, Any]:
        """ccxt's ``create_order`` call for ``intent`` (:mod:`logos_ccxt.requests`)."""
        return build_request(self.exchange, intent, self._ledger.mark_price(intent.symbol))

    def send(self, order: Order, request: dict[str, Any]) -> VenueAck:
        """``exchange.create_order`` with the request's arguments (client id in its params)."""
        with decimal.localcontext():
            placed = self.exchange.create_order(
                request["symbol"],
                request["type"],
                request["side"],
                request["amount"],
                request["price"],
                dict(request["params"]),
            )
        venue_id = placed.get("id")
        return VenueAck(None if venue_id is None else str(venue_id))

    def cancel_at_venue(self, order: Order) -> None:
        """``exchange.cancel_order`` by venue id (by client id when the venue gave none)."""
        venue_id = self._venue.venue_ids.get(order.client_order_id)
        params = {} if venue_id is not None else {"clientOrderId": order.client_order_id}
        self.exchange.cancel_order(venue_id, order.symbol, params)

    def fetch_open_orders(self) -> list[VenueOrder]:
        """Open orders of every symbol this broker trades or was configured with."""
        found = []
        for symbol in self._symbols():
            found += [self._venue_order(o) for o in self.exchange.fetch_open_orders(symbol)]
        return found

    def fetch_order_by_client_id(self, client_order_id: str) -> VenueOrder | None:
        """The order with this client id among the open, then the closed orders."""
        order = self.order_by_client_id(client_order_id)
        symbols = [order.symbol] if order is not None else self._symbols()
        since = None if order is None else _ms(order.ts_created - timedelta(days=1))
        has = self.exchange.has
        for symbol in symbols:
            batches = [lambda s=symbol: self.exchange.fetch_open_orders(s)]
            if has.get("fetchClosedOrders"):
                batches.append(lambda s=symbol: self.exchange.fetch_closed_orders(s, since))
            elif has.get("fetchOrders"):
                batches.append(lambda s=symbol: self.exchange.fetch_orders(s, since))
            for fetch in batches:
                for raw in fetch():
                    if _client_id(raw.get("clientOrderId"), self.exchange.id) == client_order_id:
                        return self._venue_order(raw)
        return None

    def fetch_fills(self, since: datetime | None) -> list[VenueFill]:
        """``fetch_my_trades`` of every symbol with orders, since ``since``."""
        start = None if since is None else _ms(since)
        symbols = sorted({o.symbol for o in self.orders()})
        return [
            self._venue_fill(t)
            for symbol in symbols
            for t in self.exchange.fetch_my_trades(symbol, start)
        ]

    def fetch_balances(self) -> dict[str, Decimal]:
        """``fetch_balance()["total"]`` as Decimals."""
        totals = self.exchange.fetch_balance().get("total") or {}
        return {k: v for k, v in ((k, to_decimal(v)) for k, v in totals.items()) if v is not None}

    def venue_error_kind(self, exc: BaseException) -> ErrorKind:
        """ccxt's hierarchy, classified (:mod:`logos_ccxt.errors`)."""
        return error_kind(exc)

    # conversions -------------------------------------------------------------------------------

    def _symbols(self) -> list[str]:
        return sorted(set(self._configured) | {o.symbol for o in self.orders()})

    def _size(self, symbol: str) -> Decimal:
        market = (self.exchange.markets or {}).get(symbol)
        return Decimal(1) if market is None else contract_size(market)

    def _venue_order(self, raw: Mapping[str, Any]) -> VenueOrder:
        symbol = str(raw.get("symbol"))
        size = self._size(symbol)
        amount = (to_decimal(raw.get("amount")) or ZERO) * size
        filled = (to_decimal(raw.get("filled")) or ZERO) * size
        status = _STATUSES.get(str(raw.get("status")))
        if status is None:  # open
            status = OrderStatus.PARTIALLY_FILLED if filled > 0 else OrderStatus.ACCEPTED
        elif status is OrderStatus.FILLED and filled < amount:
            status = OrderStatus.PARTIALLY_FILLED
        venue_id = raw.get("id")
        return VenueOrder(
            client_order_id=_client_id(raw.get("clientOrderId"), self.exchange.id),
            venue_order_id=None if venue_id is None else str(venue_id),
            symbol=symbol,
            side=str(raw.get("side")),
            qty=amount,
            filled_qty=filled,
            status=status,
            avg_fill_price=to_decimal(raw.get("average")),
        )

    def _venue_fill(self, trade: Mapping[str, Any]) -> VenueFill:
        symbol = str(trade.get("symbol"))
        market = (self.exchange.markets or {}).get(symbol) or {}
        price = to_decimal(trade.get("price")) or ZERO
        fee = trade.get("fee") or {}
        cost = to_decimal(fee.get("cost")) or ZERO
        currency = fee.get("currency")
        if currency is None or currency == market.get("quote"):
            fee_quote = cost
        elif currency == market.get("base"):
            fee_quote = cost * price
        else:
            fee_quote = ZERO  # a third currency (BNB ...): not booked, see the module docstring
        venue_id = trade.get("order")
        return VenueFill(
            trade_id=str(trade.get("id")),
            client_order_id=_client_id(trade.get("clientOrderId"), self.exchange.id),
            venue_order_id=None if venue_id is None else str(venue_id),
            ts=EPOCH + timedelta(milliseconds=int(trade.get("timestamp") or 0)),
            symbol=symbol,
            side=str(trade.get("side")),
            qty=(to_decimal(trade.get("amount")) or ZERO) * self._size(symbol),
            price=price,
            fee=max(ZERO, fee_quote),
            liquidity=Liquidity.MAKER if trade.get("takerOrMaker") == "maker" else Liquidity.TAKER,
        )


def _client_id(value: Any, exchange_id: str) -> str | None:
    """The logos client id in a ccxt ``clientOrderId`` (gate's carries its ``t-`` prefix)."""
    if not value:
        return None
    text = str(value)
    return text[2:] if exchange_id == "gate" and text.startswith("t-") else text
