"""Options every command that runs a session takes (``logos backtest``, ``logos trade``),
declared once, and the run config they make (a config file, then the flags; flags win)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from logos.errors import ConfigError

if TYPE_CHECKING:
    from logos.config import ValidatedConfig
    from logos.plugins import Registry

DataFlag = Annotated[
    str | None,
    typer.Option(
        "--data",
        metavar="PATH",
        help="Bars file or folder (relative to the working directory).",
    ),
]

SymbolFlag = Annotated[
    list[str] | None,
    typer.Option("--symbol", metavar="SYMBOL", help="Symbol to trade (repeatable)."),
]

FeedFlag = Annotated[
    str | None,
    typer.Option(
        "--feed",
        metavar="NAME",
        help="Feed name (logos plugins list).",
        show_default="replay with --data",
    ),
]

BrokerFlag = Annotated[
    str | None,
    typer.Option(
        "--broker",
        metavar="NAME",
        help="Broker name (logos plugins list).",
        show_default="paper",
    ),
]

StrategyFlag = Annotated[
    str | None,
    typer.Option(
        "--strategy",
        metavar="NAME",
        help="Strategy name, or a class: file.py:Class or module:Class.",
    ),
]

ParamFlag = Annotated[
    list[str] | None,
    typer.Option("--param", metavar="KEY=VALUE", help="Strategy param (repeatable; fast=10)."),
]

SizingFlag = Annotated[
    str | None,
    typer.Option(
        "--sizing",
        metavar="NAME",
        help="Sizing rule: fixed_qty, fixed_notional or percent_equity.",
        show_default="fixed_qty, qty 1",
    ),
]

QtyFlag = Annotated[
    str | None, typer.Option("--qty", metavar="QTY", help="fixed_qty: quantity per order.")
]

NotionalFlag = Annotated[
    str | None,
    typer.Option("--notional", metavar="AMOUNT", help="fixed_notional: notional per order."),
]

FractionFlag = Annotated[
    str | None,
    typer.Option(
        "--fraction", metavar="FRACTION", help="percent_equity: fraction of equity (0.1)."
    ),
]

FeeBpsFlag = Annotated[
    str | None,
    typer.Option("--fee-bps", metavar="BPS", help="Paper broker fee.", show_default="0"),
]

SlippageBpsFlag = Annotated[
    str | None,
    typer.Option("--slippage-bps", metavar="BPS", help="Paper broker slippage.", show_default="0"),
]

CashFlag = Annotated[
    str | None,
    typer.Option("--cash", metavar="AMOUNT", help="Starting cash.", show_default="100000"),
]

TimeframeFlag = Annotated[
    str | None,
    typer.Option(
        "--timeframe",
        metavar="INTERVAL",
        help="Bar interval, e.g. 1m, 1d.",
        show_default="the data's interval",
    ),
]

SessionIdFlag = Annotated[
    str | None,
    typer.Option(
        "--session-id",
        metavar="ID",
        help="Session id: letters, digits, '_', '.', '-'.",
        show_default="session",
    ),
]


RUN_FLAGS = {
    "data": "data_path",
    "symbol": "symbols",
    "strategy": "strategy",
    "param": "params",
    "sizing": "sizing",
    "qty": "qty",
    "notional": "notional",
    "fraction": "fraction",
    "fee_bps": "fee_bps",
    "slippage_bps": "slippage_bps",
    "cash": "cash",
    "timeframe": "timeframe",
    "session_id": "session_id",
    "set_": "sets",
    "feed": "feed",
    "broker": "broker",
}
"""A command's parameter name -> the :func:`flag_overrides` argument it is."""


def run_flags(values: dict[str, Any]) -> dict[str, Any]:
    """The run flags among a command's parameters (``locals()`` at its start), as
    :func:`flag_overrides` takes them."""
    return {argument: values[name] for name, argument in RUN_FLAGS.items()}


def load_run_config(
    config: str | None,
    flags: dict[str, Any],
    *,
    risk: list[str] | None,
    modes: tuple[str, ...],
    command: str,
    mode: str | None = None,
) -> tuple[dict[str, Any], Registry, ValidatedConfig]:
    """The run config of a command: ``config`` (paths in it relative to it), then the
    ``flags`` (:func:`flag_overrides`' arguments) and ``--risk`` over it, validated.

    Returns the merged raw config (what a session's journal keeps, to resume it), the
    plugin registry and the validated config. ``modes``: the modes the command runs; the
    first is the default. ``mode``: the mode a flag asks for (``--dry-run``), over the
    config's."""
    from logos.config import (
        anchor_paths,
        apply_overrides,
        apply_risk_flags,
        read_config_file,
        validate_config,
    )
    from logos.plugins import get_registry
    from logos.strategies.loading import with_strategy_class

    raw = read_config_file(config) if config is not None else {}
    if config is not None:
        anchor_paths(raw, Path(config).parent)
    merged = apply_overrides(raw, flag_overrides(raw, **flags))
    if risk:
        apply_risk_flags(merged, risk)
    if mode is not None:
        merged["mode"] = mode
    merged.setdefault("mode", modes[0])
    if config is None:
        _require_flags(merged)
    if merged.get("mode") not in modes:
        named = [repr(m) for m in modes]
        runs = " or ".join([", ".join(named[:-1]), named[-1]] if len(named) > 1 else named)
        raise ConfigError([f"mode: {command} runs mode {runs}, not {merged['mode']!r}"])
    registry = with_strategy_class(get_registry(), merged, config or "command line")
    validated = validate_config(merged, registry, source=config or "command line")
    return merged, registry, validated


def flag_overrides(
    data: dict[str, Any],
    *,
    data_path: str | None,
    symbols: list[str] | None,
    strategy: str | None,
    params: list[str] | None,
    sizing: str | None,
    qty: str | None,
    notional: str | None,
    fraction: str | None,
    fee_bps: str | None,
    slippage_bps: str | None,
    cash: str | None,
    timeframe: str | None,
    session_id: str | None,
    sets: list[str] | None,
    feed: str | None = None,
    broker: str | None = None,
) -> dict[str, Any]:
    """The dotted config overrides the flags stand for (applied with ``apply_overrides``).

    A flag naming a component (``--feed``, ``--broker``, ``--strategy``, ``--sizing``) resets
    that component's params when it changes the name. A param set without its component
    (``--cash`` or ``--set broker.params.fee_bps=5`` and no ``[broker]``) applies to the
    component a config without that table runs with (the paper broker, ``fixed_qty``).
    """
    from logos.config import parse_override

    overrides: dict[str, Any] = {}
    _component(overrides, data, "feed", feed)
    if data_path is not None:
        if feed is None and "feed" not in data:
            overrides["feed.name"] = "replay"
        overrides["feed.params.path"] = data_path
    if symbols:
        overrides["symbols"] = list(symbols)
    _component(overrides, data, "strategy", strategy)
    for item in params or []:
        key, value = parse_override(item)
        overrides[f"strategy.params.{key}"] = value
    _component(overrides, data, "sizing", sizing)
    rules = {"qty": "fixed_qty", "notional": "fixed_notional", "fraction": "percent_equity"}
    given = [
        f"--{k}" for k, v in (("qty", qty), ("notional", notional), ("fraction", fraction)) if v
    ]
    if len(given) > 1 and sizing is None:
        raise ConfigError(
            [f"{', '.join(given)}: give one of them (each picks its own sizing rule)"],
            source="command line",
        )
    for key, value in (("qty", qty), ("notional", notional), ("fraction", fraction)):
        if value is not None:
            if sizing is None:  # alone, the flag picks its rule (the config's, if the same)
                _component(overrides, data, "sizing", rules[key])
            overrides[f"sizing.params.{key}"] = value
    _component(overrides, data, "broker", broker)
    paper = {"fee_bps": fee_bps, "slippage_bps": slippage_bps, "cash": cash}
    for key, value in paper.items():
        if value is not None:
            overrides[f"broker.params.{key}"] = value
    if timeframe is not None:
        overrides["timeframe"] = timeframe
    if session_id is not None:
        overrides["session_id"] = session_id
    overrides.update(dict(parse_override(item) for item in sets or []))
    return {**_default_components(data, overrides), **overrides}


def _component(
    overrides: dict[str, Any], data: dict[str, Any], kind: str, name: str | None
) -> None:
    """``--KIND NAME``: the name, and empty params when it differs from the config's."""
    if name is None:
        return
    overrides[f"{kind}.name"] = name
    section = data.get(kind)
    if not isinstance(section, dict) or name != section.get("name"):
        overrides[f"{kind}.params"] = {}


def _default_components(data: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """The default broker and sizing (name and params), for a config without that table
    whose overrides set only some of its params: without them the table would have no
    name, and ``--set sizing.params.max_qty=...`` would drop the default ``qty``."""
    from logos.config import RunConfig

    defaults: dict[str, Any] = {}
    for kind in ("broker", "sizing"):
        touched = any(key.startswith(f"{kind}.") for key in overrides)
        named = f"{kind}.name" in overrides or kind in overrides
        if kind not in data and touched and not named:
            defaults[kind] = RunConfig.model_fields[kind].default.model_dump()
    return defaults


def _require_flags(merged: dict[str, Any]) -> None:
    problems = []
    if "feed" not in merged:
        problems.append("--data: give a bars file or folder (or a CONFIG file)")
    if "symbols" not in merged:
        problems.append("--symbol: give the symbol to trade (or a CONFIG file)")
    if "strategy" not in merged:
        problems.append("--strategy: give a strategy name (or a CONFIG file)")
    if problems:
        raise ConfigError(problems, source="command line")
