"""alpaca-py's exceptions → what they mean for an order: retryable, rejected, fatal or unknown.

alpaca-py raises ``APIError`` for every HTTP error answer (``status_code`` is the HTTP
status, the body's ``message`` says why) and lets ``requests``' own exceptions through for
a timeout or a broken connection. What each means for an order that was being sent:

- RETRYABLE: the request was not processed (429 rate limit); nothing exists at Alpaca (a
  submit is still never repeated: the base treats it as an unknown outcome);
- REJECTED: Alpaca answered and refused (400/422 an invalid order, 403 forbidden, e.g.
  insufficient buying power, 404 unknown); the order is REJECTED with Alpaca's message;
- FATAL: the keys are wrong (401), or an exception that is not alpaca-py's or requests';
- UNKNOWN_OUTCOME: no answer, or a server error (5xx, timeout, connection reset): the
  order may or may not exist at Alpaca. It stays SUBMITTED until reconciliation finds it
  by its client order id; it is never resent automatically.
"""

from __future__ import annotations

from logos.brokers.venue import ErrorKind

RETRYABLE_STATUS = frozenset({429})
"""Statuses alpaca-py may retry itself: only a rate limit, which Alpaca did not process (a
504 could have created the order, so the client is built without retrying it)."""
AUTH_STATUS = frozenset({401})


def error_kind(exc: BaseException) -> ErrorKind:
    """What ``exc`` (raised by a TradingClient call) means; see the module docstring."""
    import requests
    from alpaca.common.exceptions import APIError

    if isinstance(exc, APIError):
        status = exc.status_code
        if status is None or status >= 500:
            return ErrorKind.UNKNOWN_OUTCOME
        if status in RETRYABLE_STATUS:
            return ErrorKind.RETRYABLE
        return ErrorKind.FATAL if status in AUTH_STATUS else ErrorKind.REJECTED
    if isinstance(exc, requests.exceptions.RequestException | TimeoutError | ConnectionError):
        return ErrorKind.UNKNOWN_OUTCOME
    return ErrorKind.FATAL


def error_message(exc: BaseException) -> str:
    """Alpaca's own words for ``exc`` (its JSON ``message`` and HTTP status), one line."""
    from alpaca.common.exceptions import APIError

    if isinstance(exc, APIError):
        try:
            text = str(exc.message)
        except (ValueError, KeyError, TypeError):
            text = str(exc)
        status = exc.status_code
        return f"alpaca: {text}" + (f" (HTTP {status})" if status is not None else "")
    return f"alpaca: {type(exc).__name__}: {exc}".rstrip(": ")
