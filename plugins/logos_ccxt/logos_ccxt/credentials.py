"""ccxt credentials: which environment variables hold them, and whether they work.

Variables are named ``LOGOS_CCXT_<EXCHANGE>_<CREDENTIAL>`` — ``LOGOS_CCXT_BINANCE_API_KEY``,
``LOGOS_CCXT_BINANCE_SECRET``, ``LOGOS_CCXT_OKX_PASSWORD`` — one per credential the exchange's
ccxt class lists as required (``exchange.requiredCredentials``: ``apiKey``, ``secret``, and
for some exchanges ``password``, ``uid``, ``privateKey``, ``walletAddress`` ...). The exchange id is
upper-cased with anything but letters and digits turned into ``_``.

:func:`check_credentials` is what ``logos check-credentials --broker ccxt`` runs (through the
broker's ``check_credentials`` classmethod): locally, every required variable must be set and
non-empty; ``online`` then makes one read-only call, ``fetch_balance``, and reports what ccxt
says if it fails. Messages name variables, never their values; a ccxt message that happened
to contain a value is masked before it is returned.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from logos.credentials import MASK, redact

if TYPE_CHECKING:
    import ccxt

SUFFIXES: dict[str, str] = {
    "apiKey": "API_KEY",
    "secret": "SECRET",
    "password": "PASSWORD",
    "uid": "UID",
    "login": "LOGIN",
    "twofa": "TWOFA",
    "privateKey": "PRIVATE_KEY",
    "walletAddress": "WALLET_ADDRESS",
    "token": "TOKEN",
}
"""ccxt credential name -> the end of its environment variable's name."""


def env_prefix(exchange_id: str) -> str:
    """``LOGOS_CCXT_<EXCHANGE>_`` of an exchange id (``okx``: ``LOGOS_CCXT_OKX_``)."""
    return f"LOGOS_CCXT_{re.sub(r'[^A-Za-z0-9]', '_', exchange_id).upper()}_"


def required_credentials(exchange_id: str) -> list[str]:
    """The credentials ccxt's class for ``exchange_id`` requires, in ccxt's order."""
    import ccxt

    exchange = getattr(ccxt, exchange_id)({"enableRateLimit": False})
    return [name for name, needed in exchange.requiredCredentials.items() if needed]


def credential_env(exchange_id: str) -> dict[str, str]:
    """Required credential -> the environment variable it is read from."""
    prefix = env_prefix(exchange_id)
    return {
        name: prefix + SUFFIXES.get(name, re.sub(r"(?<!^)([A-Z])", r"_\1", name).upper())
        for name in required_credentials(exchange_id)
    }


def read_credentials(exchange_id: str, environ: Mapping[str, str]) -> dict[str, str]:
    """The required credentials ``environ`` holds (non-empty), keyed by ccxt's names."""
    return {
        name: environ[variable]
        for name, variable in credential_env(exchange_id).items()
        if environ.get(variable)
    }


def _masked(text: str, secrets: Mapping[str, str]) -> str:
    for value in secrets.values():
        if value:
            text = text.replace(value, MASK)
    return redact(text)


def check_credentials(
    exchange_id: str,
    environ: Mapping[str, str],
    *,
    online: bool = False,
    make_exchange: Callable[[dict[str, str]], ccxt.Exchange] | None = None,
) -> list[str]:
    """Problems with ``exchange_id``'s credentials in ``environ`` (empty: fine).

    Local: each variable of :func:`credential_env` set and non-empty. ``online`` (only when
    the local check passed): ``make_exchange(credentials)`` (default: the ccxt class with
    them) answers one ``fetch_balance``; a ccxt error becomes one problem naming its class.
    """
    problems = [
        f"{variable} is not set ({exchange_id} needs its {name}; docs/brokers/ccxt.md)"
        for name, variable in credential_env(exchange_id).items()
        if not environ.get(variable)
    ]
    if problems or not online:
        return problems
    import ccxt

    credentials = read_credentials(exchange_id, environ)
    if make_exchange is None:
        config: dict[str, Any] = {"enableRateLimit": True, **credentials}
        exchange = getattr(ccxt, exchange_id)(config)
    else:
        exchange = make_exchange(credentials)
    try:
        exchange.fetch_balance()
    except ccxt.BaseError as exc:
        text = _masked(f"{type(exc).__name__}: {exc}", credentials)
        return [f"{exchange_id}: fetch_balance with the credentials failed: {text}"]
    return []
