"""ccxt's exception hierarchy (``ccxt/base/errors.py``) as the venue broker's error kinds.

============================================  ===============================================
ccxt exception                                :class:`~logos.brokers.venue.ErrorKind`
============================================  ===============================================
``DDoSProtection``, ``RateLimitExceeded``     RETRYABLE (a submit: UNKNOWN_OUTCOME all the same)
other ``NetworkError`` (``RequestTimeout``,   UNKNOWN_OUTCOME: the request may have arrived
``ExchangeNotAvailable``, ``InvalidNonce``),
``OperationFailed`` (``BadResponse``,
``NullResponse``, ``CancelPending``)
``DuplicateOrderId``                          UNKNOWN_OUTCOME: the venue already has an order
                                              with this client id (a submit that did arrive)
``AuthenticationError`` (``PermissionDenied``, FATAL: nothing works until a human acts
``AccountSuspended``), ``AccountNotEnabled``,
``NotSupported``, ``ArgumentsRequired``
``InvalidOrder``, ``InsufficientFunds``,      REJECTED: the venue refused the request
``BadRequest`` (``BadSymbol``), any other
``ExchangeError``
anything that is not a ccxt error             FATAL (a defect, not a venue's answer)
============================================  ===============================================
"""

from __future__ import annotations

from logos.brokers.venue import ErrorKind


def error_kind(exc: BaseException) -> ErrorKind:
    """The :class:`~logos.brokers.venue.ErrorKind` of a ccxt exception (module table)."""
    import ccxt

    if not isinstance(exc, ccxt.BaseError):
        return ErrorKind.FATAL
    if isinstance(exc, ccxt.DDoSProtection | ccxt.RateLimitExceeded):
        return ErrorKind.RETRYABLE
    if isinstance(exc, ccxt.OperationFailed | ccxt.DuplicateOrderId):  # NetworkError is one
        return ErrorKind.UNKNOWN_OUTCOME
    fatal = (
        ccxt.AuthenticationError,
        ccxt.AccountNotEnabled,
        ccxt.NotSupported,
        ccxt.ArgumentsRequired,
    )
    if isinstance(exc, fatal):
        return ErrorKind.FATAL
    return ErrorKind.REJECTED
