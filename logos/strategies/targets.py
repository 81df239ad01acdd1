"""What a strategy may ask for besides a target exposure: how to enter, and how to protect.

A strategy's signal is a float (the target exposure in [-1, 1]). It may instead return a
:class:`Target` from ``update`` — the exposure plus an :class:`Entry` (market, or limit at a
price or an offset from the close) and a :class:`Protection` (stop-loss, take-profit,
trailing) — or, from ``signals``, a DataFrame with an ``exposure`` column and optional
``limit_price``, ``stop_loss`` and ``take_profit`` columns of absolute prices (NaN: none).
A strategy class may also set ``protection`` for every entry it makes, and the config's
``[exits]`` table gives defaults to any strategy (docs/orders.md). Per exit, the most
specific wins: the bar's target, then the strategy's, then the config's.

Protection is worked out when an entry is sized: a percent or offset stays relative to the
price the entry fills at; an ATR multiple becomes an offset (multiple × the ATR of the
symbol's bars up to this one).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from logos.domain import Bracket, ExitLevel, require_exactly_one


class ExitSpec(BaseModel):
    """One exit's distance: exactly one of ``percent`` (0.05 = 5 % from the entry price),
    ``price`` (absolute), ``offset`` (price units) or ``atr`` (a multiple of the ATR over
    ``atr_period`` bars). In the config a bare number is a percent: ``stop_loss = 0.05``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    percent: Decimal | None = Field(None, gt=0, lt=1)
    price: Decimal | None = Field(None, gt=0)
    offset: Decimal | None = Field(None, gt=0)
    atr: Decimal | None = Field(None, gt=0)
    atr_period: int = Field(14, ge=1)

    @model_validator(mode="before")
    @classmethod
    def _number_is_percent(cls, value: Any) -> Any:
        if isinstance(value, int | float | Decimal | str) and not isinstance(value, bool):
            return {"percent": value}
        return value

    @model_validator(mode="after")
    def _exactly_one(self) -> ExitSpec:
        require_exactly_one(self, ("percent", "price", "offset", "atr"), "give")
        return self


class Protection(BaseModel):
    """The exits an entry arms when it fills (any of the three); the config's ``[exits]``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    stop_loss: ExitSpec | None = None
    take_profit: ExitSpec | None = None
    trailing: ExitSpec | None = None

    @model_validator(mode="after")
    def _trailing_is_a_distance(self) -> Protection:
        if self.trailing is not None and self.trailing.price is not None:
            raise ValueError("trailing is a distance (percent, offset or atr), not a price")
        return self

    def over(self, defaults: Protection | None) -> Protection:
        """This protection, each missing exit taken from ``defaults``."""
        if defaults is None:
            return self
        return Protection(
            stop_loss=self.stop_loss or defaults.stop_loss,
            take_profit=self.take_profit or defaults.take_profit,
            trailing=self.trailing or defaults.trailing,
        )

    @property
    def atr_periods(self) -> set[int]:
        """The ATR periods its exits need (empty: none is an ATR multiple)."""
        exits = (self.stop_loss, self.take_profit, self.trailing)
        return {e.atr_period for e in exits if e is not None and e.atr is not None}

    def bracket(self, atr: Mapping[int, float]) -> tuple[Bracket | None, list[str]]:
        """The broker's bracket for an entry now, with ``atr`` (period -> current ATR); an
        ATR exit whose ATR is not known yet is left out, and named in the notes."""
        notes: list[str] = []
        levels: dict[str, ExitLevel] = {}
        for name in ("stop_loss", "take_profit", "trailing"):
            spec: ExitSpec | None = getattr(self, name)
            if spec is None:
                continue
            if spec.atr is not None:
                value = atr.get(spec.atr_period, math.nan)
                if not math.isfinite(value) or value <= 0:
                    notes.append(f"{name}: no ATR({spec.atr_period}) yet, not armed")
                    continue
                offset = spec.atr * Decimal(repr(value))
                levels[name] = ExitLevel(offset=offset)
            else:
                levels[name] = ExitLevel(percent=spec.percent, price=spec.price, offset=spec.offset)
        return (Bracket(**levels) if levels else None), notes


class Entry(BaseModel):
    """How an entry is placed: at market (the next open), or as a limit order at ``price`` or
    ``offset`` (a fraction: a buy 0.01 below the close, a sell 0.01 above it)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: Literal["market", "limit"] = "market"
    price: Decimal | None = Field(None, gt=0)
    offset: Decimal | None = Field(None, ge=0, lt=1)

    @model_validator(mode="after")
    def _limit_needs_a_price(self) -> Entry:
        if self.type == "limit" and (self.price is None) == (self.offset is None):
            raise ValueError("a limit entry needs exactly one of price or offset")
        if self.type == "market" and (self.price is not None or self.offset is not None):
            raise ValueError("a market entry takes no price or offset")
        return self


@dataclass(frozen=True)
class Target:
    """A strategy's signal with its orders: the target ``exposure`` in [-1, 1] (NaN: no
    signal), how to enter, and how to protect what it enters."""

    exposure: float
    entry: Entry | None = None
    protection: Protection | None = None

    def to_json(self) -> dict[str, Any]:
        """A JSON-serialisable form (a restart's snapshot keeps the last signal)."""
        return {
            "exposure": None if math.isnan(self.exposure) else self.exposure,
            "entry": None if self.entry is None else self.entry.model_dump(mode="json"),
            "protection": (
                None
                if self.protection is None
                else self.protection.model_dump(mode="json", exclude_none=True)
            ),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Target:
        """The inverse of :meth:`to_json`."""
        exposure = data.get("exposure")
        return cls(
            exposure=math.nan if exposure is None else float(exposure),
            entry=None if data.get("entry") is None else Entry.model_validate(data["entry"]),
            protection=(
                None
                if data.get("protection") is None
                else Protection.model_validate(data["protection"])
            ),
        )


Signal = float | Target
"""What a strategy gives for a bar: an exposure, or a :class:`Target`."""


def exposure_of(signal: object) -> object:
    """The exposure of a signal (a :class:`Target`'s, or the value itself)."""
    return signal.exposure if isinstance(signal, Target) else signal


def signal_to_json(signal: object) -> object:
    """A signal as JSON: a float (None for NaN) or a :class:`Target`'s dict."""
    if isinstance(signal, Target):
        return {"target": signal.to_json()}
    value = float(signal)  # type: ignore[arg-type]
    return None if math.isnan(value) else value


def signal_from_json(data: object) -> Signal:
    """The inverse of :func:`signal_to_json`."""
    if isinstance(data, dict):
        return Target.from_json(data["target"])
    return math.nan if data is None else float(data)  # type: ignore[arg-type]
