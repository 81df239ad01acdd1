"""The session's broker, built for its mode: a simulation, or a venue adapter in dry-run or
live mode (docs/safety.md).

A venue adapter (a broker with ``supports_live``) is built with ``mode=`` and, in live mode
only, ``credentials=`` read from the environment variables its params name. In dry-run it
gets no credentials at all, so it cannot send anything even by mistake. In a backtest or a
paper session it runs as in dry-run: every order is built and checked as the venue would
take it, and nothing is ever sent. A simulation (the paper broker) cannot run dry-run or
live: there is no venue to build requests for.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from logos.brokers.base import Broker
from logos.config import ValidatedConfig, not_available_message
from logos.credentials import read_credentials
from logos.domain import SymbolMeta
from logos.errors import ConfigError, LogosError, NotAvailableYetError

VENUE_MODES = ("dry_run", "live")


def is_venue_broker(cls: type | None) -> bool:
    """True for a broker that talks to a venue (it supports live trading)."""
    return cls is not None and bool(getattr(cls, "supports_live", False))


def build_broker(
    config: ValidatedConfig, metas: Iterable[SymbolMeta], environ: Mapping[str, str]
) -> Broker:
    """The configured broker for the config's mode (see the module docstring)."""
    cls = config.broker.cls
    if cls is not None and not getattr(cls, "available", True):
        raise NotAvailableYetError(not_available_message(cls))
    if cls is None or not issubclass(cls, Broker):
        raise LogosError(f"broker '{config.broker.name}' is not a Broker")
    mode = config.run.mode.value
    if not is_venue_broker(cls):
        if mode in VENUE_MODES:
            raise ConfigError(
                [
                    f"broker.name: mode {mode} needs a venue broker (ccxt, alpaca); "
                    f"'{config.broker.name}' is a simulation (docs/safety.md)"
                ]
            )
        return cls(config.broker.params, symbols=metas)
    if mode == "live":
        from logos.live_safety import credential_env

        credentials = read_credentials(credential_env(config), environ)
        return cls(  # type: ignore[call-arg]
            config.broker.params, symbols=metas, mode="live", credentials=credentials
        )
    return cls(config.broker.params, symbols=metas, mode="dry_run")  # type: ignore[call-arg]
