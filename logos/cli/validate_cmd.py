"""``logos validate CONFIG``: everything ``logos backtest CONFIG`` would refuse, without running.

Beyond the config's shape and every component's params (:func:`logos.config.validate_config`:
credentials, duplicate symbols, components not available yet), it checks what a run would
hit next: the replay feed's data files exist for every symbol; a dry_run config names a
venue broker; and a live config meets every live-safety rule (:mod:`logos.live_safety`,
docs/safety.md; all failures are listed, each with its rule id). ``--live`` on the command
line is the one rule a config cannot meet: ``logos trade --live`` checks it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from logos.cli.app import RiskFlags, SetFlags, app, out

if TYPE_CHECKING:
    from logos.config import ValidatedConfig

RUNNABLE_MODES = {
    "backtest": "logos backtest",
    "paper": "logos trade",
    "dry_run": "logos trade",
    "live": "logos trade --live",
}
"""The command that runs each mode."""


@app.command("validate")
def validate(
    config: Annotated[str, typer.Argument(help="Path to a TOML run config.", metavar="CONFIG")],
    set_: SetFlags = None,
    risk: RiskFlags = None,
) -> None:
    """Validate a run config without trading; reports every problem with its field path."""
    from logos.config import load_config, parse_override
    from logos.errors import ConfigError
    from logos.plugins import get_registry

    overrides = dict(parse_override(item) for item in set_ or [])
    validated = load_config(config, get_registry(), overrides, risk_flags=risk)
    problems = data_problems(validated)
    if problems:
        raise ConfigError(problems, source=config)
    _check_mode(validated, config)
    run = validated.run
    out.print(
        f"[green]ok[/green]: {config} — mode {run.mode}, session {run.session_id}, "
        f"symbols {', '.join(run.symbols)}, feed {run.feed.name}, broker {run.broker.name}, "
        f"strategy {run.strategy.name}",
        highlight=False,
    )
    if run.mode.value == "live":
        out.print(
            f"live-safety rules hold; `{RUNNABLE_MODES['live']} {config}` starts it",
            highlight=False,
            soft_wrap=True,
        )


def _check_mode(validated: ValidatedConfig, config: str) -> None:
    """A dry_run config needs a venue broker; a live one every live-safety rule but the
    command line's ``--live``."""
    from logos.broker_modes import is_venue_broker
    from logos.errors import ConfigError
    from logos.live_safety import LiveSafetyError, live_failures

    mode = validated.run.mode.value
    if mode == "dry_run" and not is_venue_broker(validated.broker.cls):
        raise ConfigError(
            [
                f"broker.name: mode dry_run needs a venue broker (alpaca, ccxt); "
                f"'{validated.broker.name}' is a simulation (docs/safety.md)"
            ],
            source=config,
        )
    if mode == "live":
        failures = live_failures(validated, live_flag=True, environ=os.environ)
        if failures:
            raise LiveSafetyError(failures, source=config)


def data_problems(validated: ValidatedConfig) -> list[str]:
    """What the replay feed would fail on when the run loads its data: a ``path`` that does
    not exist, or no file for a symbol (``load_config`` made a config's relative paths
    relative to the config, as ``logos backtest`` reads them)."""
    from logos.errors import DataError
    from logos.feeds.files import symbol_files
    from logos.feeds.replay import ReplayFeed

    if validated.feed.cls is None or not issubclass(validated.feed.cls, ReplayFeed):
        return []
    params = validated.feed.params
    path = Path(params.path).expanduser()  # type: ignore[attr-defined]
    if not path.exists():
        return [f"feed.params.path: {path}: no such file or folder"]
    if not path.is_dir():
        return []
    problems = []
    explicit: dict[str, str] = params.files  # type: ignore[attr-defined]
    for symbol in validated.run.symbols:
        try:
            files = symbol_files(path, symbol, explicit.get(symbol))
        except DataError as exc:
            problems.append(f"feed.params.path: {exc}")
            continue
        problems.extend(f"feed.params.files: {f}: file not found" for f in files if not f.exists())
    return problems
