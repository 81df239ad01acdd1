"""Alpaca assets → logos :class:`~logos.domain.SymbolMeta`, and the asset rules an order meets.

An Alpaca ``Asset`` (alpaca-py's model, as ``TradingClient.get_asset`` returns it or as a
saved ``assets.json`` holds it) says whether a symbol can be traded at all (``tradable``,
``status``), in fractions (``fractionable``), short (``shortable``), and for crypto the
smallest order (``min_order_size``), the quantity step (``min_trade_increment``) and the
price step (``price_increment``). Equities have no fixed price step: Alpaca takes at most
2 decimals at or above $1 and 4 below (checked per order in :mod:`logos_alpaca.requests`).
Numbers arrive as JSON floats; each becomes the Decimal of its shortest repr (``0.0001``
stays ``0.0001``), never the binary expansion.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from logos.domain import SymbolMeta
from logos.errors import DataError

if TYPE_CHECKING:
    from alpaca.trading.models import Asset

FRACTION_STEP = Decimal("0.000000001")
"""Alpaca takes fractional equity quantities with at most 9 decimals."""


def exact(value: float | None) -> Decimal | None:
    """The Decimal a JSON float stands for (its shortest repr), ``None`` for ``None``."""
    return None if value is None else Decimal(repr(value))


def is_crypto(asset: Asset) -> bool:
    """True for Alpaca's crypto assets (``BTC/USD``): no DAY orders, fixed steps."""
    return str(asset.asset_class.value).startswith("crypto")


def symbol_meta(asset: Asset) -> SymbolMeta:
    """The :class:`SymbolMeta` of an Alpaca asset (see the module docstring)."""
    if is_crypto(asset):
        base, _, quote = asset.symbol.partition("/")
        return SymbolMeta(
            symbol=asset.symbol,
            base=base,
            quote=quote or "USD",
            tick_size=exact(asset.price_increment),
            lot_size=exact(asset.min_trade_increment),
            min_qty=exact(asset.min_order_size),
            fractionable=asset.fractionable,
            shortable=asset.shortable,
        )
    return SymbolMeta(
        symbol=asset.symbol,
        base=asset.symbol,
        quote="USD",
        lot_size=FRACTION_STEP if asset.fractionable else Decimal(1),
        fractionable=asset.fractionable,
        shortable=asset.shortable,
    )


def asset_problem(asset: Asset) -> str | None:
    """Why Alpaca would refuse every order of ``asset`` (``None``: it trades)."""
    if str(asset.status.value) != "active":
        return f"alpaca: asset {asset.symbol} is {asset.status.value}, not active"
    if not asset.tradable:
        return f"alpaca: asset {asset.symbol} is not tradable at Alpaca"
    return None


def load_assets(path: str | Path) -> dict[str, Asset]:
    """Assets saved from Alpaca's ``GET /v2/assets`` (a JSON list of asset objects, or one
    object keyed by symbol), validated by alpaca-py's own ``Asset`` model; keyed by symbol.
    A file that is not that is one DataError naming it."""
    from alpaca.trading.models import Asset
    from pydantic import ValidationError

    path = Path(path).expanduser()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DataError(f"{path}: cannot read the Alpaca assets file ({exc.strerror})") from None
    except ValueError as exc:
        raise DataError(f"{path}: not JSON ({exc})") from None
    items: Iterable[object] = raw.values() if isinstance(raw, dict) else raw
    if not isinstance(items, Iterable) or isinstance(raw, str | int | float):
        raise DataError(f"{path}: expected a list of Alpaca asset objects")
    assets: dict[str, Asset] = {}
    for i, item in enumerate(items):
        try:
            asset = Asset.model_validate(item)
        except ValidationError as exc:
            first = exc.errors(include_url=False)[0]
            where = ".".join(str(p) for p in first["loc"])
            raise DataError(f"{path}: asset [{i}]: {where}: {first['msg']}") from None
        assets[asset.symbol] = asset
    return assets
