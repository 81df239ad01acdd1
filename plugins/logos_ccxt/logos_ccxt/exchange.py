"""Building the ccxt exchange the ``ccxt`` broker talks to, and loading its markets.

- ``options`` go to ccxt as the exchange's ``options``; ``market_type`` sets
  ``options["defaultType"]`` (``spot``, ``margin``, ``swap``, ``future``, ``option``).
- Credentials (live only) are passed as ccxt's own keys (``apiKey``, ``secret``, ...).
- ``sandbox``: ``set_sandbox_mode(True)``, which points the exchange at its test URLs — only
  where ccxt has some (``exchange.urls["test"]``); elsewhere it is an error naming the
  exchange, rather than a "sandbox" session that trades for real.
- Markets: from ``markets_file`` (a JSON file of ccxt unified markets, e.g. saved with
  ``json.dump(exchange.markets, f)``: no request at all, the way a dry run stays offline), or
  ``load_markets()`` (one public request). ``precision_mode`` overrides the exchange's
  ``precisionMode`` for a file saved by an older ccxt (docs/brokers/ccxt.md).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from logos.errors import BrokerError, DataError, LogosError

if TYPE_CHECKING:
    import ccxt

PRECISION_MODES = ("tick_size", "decimal_places", "significant_digits")


def build_exchange(params: Any, credentials: Mapping[str, str] | None = None) -> ccxt.Exchange:
    """A ccxt exchange for the broker's params (module docstring)."""
    import ccxt

    options: dict[str, Any] = dict(params.options)
    if params.market_type is not None:
        options["defaultType"] = params.market_type
    config: dict[str, Any] = {"enableRateLimit": True, "options": options}
    config.update(credentials or {})
    exchange = getattr(ccxt, params.exchange)(config)
    if params.sandbox:
        enable_sandbox(exchange)
    return exchange


def enable_sandbox(exchange: ccxt.Exchange) -> None:
    """Point ``exchange`` at its test URLs; an error when ccxt has none for it."""
    if not (exchange.urls or {}).get("test"):
        raise LogosError(
            f"broker 'ccxt': {exchange.id} has no sandbox/testnet in ccxt (no urls['test']); "
            "set sandbox = false, or pick an exchange with a testnet (docs/brokers/ccxt.md)"
        )
    exchange.set_sandbox_mode(True)


def read_markets_file(path: str | Path) -> list[dict[str, Any]]:
    """The markets of a JSON file: an object keyed by symbol, or a list of markets."""
    path = Path(path).expanduser()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DataError(f"{path}: cannot read the markets file: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise DataError(f"{path}, line {exc.lineno}: not JSON: {exc.msg}") from None
    markets = list(data.values()) if isinstance(data, dict) else data
    if not isinstance(markets, list) or not all(isinstance(m, dict) for m in markets):
        raise DataError(f"{path}: expected ccxt markets (an object keyed by symbol, or a list)")
    return markets


def load_markets(exchange: ccxt.Exchange, params: Any) -> None:
    """Give ``exchange`` its markets (from the file, else one request), unless it has some."""
    import ccxt

    if params.precision_mode is not None:
        exchange.precisionMode = getattr(ccxt, params.precision_mode.upper())
    if params.markets_file is not None:
        exchange.set_markets(read_markets_file(params.markets_file))
        return
    if exchange.markets:
        return
    try:
        exchange.load_markets()
    except ccxt.BaseError as exc:
        raise BrokerError(
            f"broker 'ccxt': {exchange.id}: could not load markets: {type(exc).__name__}: {exc} "
            "(offline? give markets_file, docs/brokers/ccxt.md)"
        ) from None
