"""alpaca-py's ``TradingClient`` as the broker uses it: built to never repeat a request
whose outcome is unknown, and wrapped so no exception it raises carries a credential.

An exception's text ends up in an order's ``reason`` (journal, orders.csv) and on the
terminal; a venue that echoed a key back would write it there. :class:`RedactingClient`
re-raises any exception whose text holds a credential this process has read as the same
exception with that text masked (:func:`logos.credentials.redact`), HTTP status kept.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from logos.credentials import redact

if TYPE_CHECKING:
    from alpaca.trading.client import TradingClient


def make_client(credentials: Mapping[str, str], paper: bool) -> TradingClient:
    """alpaca-py's ``TradingClient`` for the keys; it retries only a rate limit (429) by
    itself: a 504 could have created the order, and an order is never sent twice."""
    from alpaca.trading.client import TradingClient

    return TradingClient(
        api_key=credentials["key"],
        secret_key=credentials["secret"],
        paper=paper,
        retry_exception_codes=[429],
    )


class RedactingClient:
    """Every method of ``client``, with credentials masked out of what it raises."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self.client, name)
        if not callable(attribute):
            return attribute
        return _redacting(attribute)


def _redacting(method: Callable[..., Any]) -> Callable[..., Any]:
    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return method(*args, **kwargs)
        except Exception as exc:
            masked = redacted(exc)
            if masked is exc:
                raise
            raise masked from None

    return call


def redacted(exc: BaseException) -> BaseException:
    """``exc`` itself when its text holds no credential; else the same kind of exception
    with the text masked (an ``APIError`` keeps its HTTP response, hence its status)."""
    import requests
    from alpaca.common.exceptions import APIError

    text = str(exc)
    clean = redact(text)
    if clean == text:
        return exc
    if isinstance(exc, APIError):
        response = exc.response
        http_error = None if response is None else requests.HTTPError(response=response)
        return APIError(clean, http_error)
    try:
        return type(exc)(clean)
    except Exception:  # an exception that takes other arguments: a plain one
        return RuntimeError(f"{type(exc).__name__}: {clean}")
