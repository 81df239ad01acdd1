"""Test helpers for code that uses broker ``alpaca``: a stand-in for alpaca-py's
``TradingClient`` that answers with alpaca-py's real models, and alpaca-py's real
``APIError`` for an HTTP status. No network: nothing here opens a connection."""

from __future__ import annotations

from typing import Any


def api_error(status: int, message: str) -> Exception:
    """alpaca-py's real ``APIError`` for an HTTP answer with ``status`` (as its RESTClient
    raises it: the JSON body and the ``requests`` HTTPError carrying the response)."""
    import json

    import requests
    from alpaca.common.exceptions import APIError

    response = requests.Response()
    response.status_code = status
    body = json.dumps({"code": status * 100000, "message": message})
    return APIError(body, requests.HTTPError(response=response))


class FakeTradingClient:
    """A stand-in for alpaca-py's ``TradingClient`` at its method boundary: it keeps orders
    as Alpaca would and answers with alpaca-py's real models; ``fail`` queues an exception
    for the next call of a method (a timeout, an APIError)."""

    def __init__(self, assets: dict[str, Any]) -> None:
        self.assets = assets
        self.orders: dict[str, dict[str, Any]] = {}  # client id -> Alpaca's JSON order
        self.calls: list[tuple[str, Any]] = []
        self.fail: dict[str, list[BaseException]] = {}
        self.keep_on_failure = False
        """A submit that fails still creates the order (the answer was lost on the way)."""

    def _call(self, name: str, arg: Any) -> None:
        self.calls.append((name, arg))
        queued = self.fail.get(name)
        if queued:
            raise queued.pop(0)

    def submit_order(self, order_data: Any) -> Any:
        from alpaca.trading.models import Order

        body = order_data.to_request_fields()
        try:
            self._call("submit_order", body)
        except BaseException:
            if self.keep_on_failure:
                self.add_order(body)
            raise
        return Order(**self.add_order(body))

    def add_order(self, body: dict[str, Any]) -> dict[str, Any]:
        n = len(self.orders) + 1
        order = {
            "id": f"00000000-0000-4000-8000-{n:012d}",
            "client_order_id": body["client_order_id"],
            "created_at": "2024-01-02T14:30:01Z",
            "updated_at": "2024-01-02T14:30:01Z",
            "submitted_at": "2024-01-02T14:30:01Z",
            "symbol": body["symbol"],
            "asset_class": "us_equity",
            "qty": str(body["qty"]),
            "filled_qty": "0",
            "order_class": "simple",
            "type": body["type"],
            "side": body["side"],
            "time_in_force": body["time_in_force"],
            "status": "accepted",
            "extended_hours": False,
        }
        self.orders[body["client_order_id"]] = order
        return order

    def fill(self, client_id: str, filled_qty: str, avg_price: str, status: str) -> None:
        """Alpaca reports (part of) the order filled."""
        self.orders[client_id].update(
            filled_qty=filled_qty,
            filled_avg_price=avg_price,
            status=status,
            updated_at="2024-01-02T14:31:05Z",
        )

    def get_order_by_client_id(self, client_id: str) -> Any:
        from alpaca.trading.models import Order

        self._call("get_order_by_client_id", client_id)
        if client_id not in self.orders:
            raise api_error(404, "order not found")
        return Order(**self.orders[client_id])

    def get_orders(self, filter: Any = None) -> list[Any]:
        from alpaca.trading.models import Order

        self._call("get_orders", filter)
        done = {"filled", "canceled", "expired", "rejected", "replaced"}
        return [Order(**o) for o in self.orders.values() if o["status"] not in done]

    def cancel_order_by_id(self, order_id: str) -> None:
        self._call("cancel_order_by_id", order_id)
        for order in self.orders.values():
            if order["id"] == order_id:
                order["status"] = "canceled"

    def get_asset(self, symbol: str) -> Any:
        self._call("get_asset", symbol)
        if symbol not in self.assets:
            raise api_error(404, "asset not found")
        return self.assets[symbol]

    def get_account(self) -> Any:
        from alpaca.trading.models import TradeAccount

        self._call("get_account", None)
        return TradeAccount(
            id="11111111-2222-4333-8444-555555555555",
            account_number="PA3EXAMPLE",
            status="ACTIVE",
            currency="USD",
            cash="100000",
            buying_power="200000",
            portfolio_value="100000",
            trading_blocked=False,
        )
