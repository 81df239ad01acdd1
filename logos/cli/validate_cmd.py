"""``logos validate CONFIG``: everything ``logos backtest CONFIG`` would refuse, without running.

Beyond the config's shape and every component's params (:func:`logos.config.validate_config`:
credentials, duplicate symbols, components not available yet), it checks what a run would
hit next: the replay feed's data files exist for every symbol. A config whose mode no
command runs yet (dry_run, live: docs/status.md) is valid, and says so with a warning on
stderr.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from logos.cli.app import RiskFlags, SetFlags, app, err, out

if TYPE_CHECKING:
    from logos.config import ValidatedConfig

RUNNABLE_MODES = {"backtest": "logos backtest", "paper": "logos trade"}
"""Modes a command can run today, and the command."""


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
    run = validated.run
    out.print(
        f"[green]ok[/green]: {config} — mode {run.mode}, session {run.session_id}, "
        f"symbols {', '.join(run.symbols)}, feed {run.feed.name}, broker {run.broker.name}, "
        f"strategy {run.strategy.name}",
        highlight=False,
    )
    command = RUNNABLE_MODES.get(run.mode.value)
    if command is None:
        runnable = ", ".join(f"{m!r} ({c})" for m, c in RUNNABLE_MODES.items())
        err.print(
            f"[yellow]warning:[/yellow] validated, but no command runs mode '{run.mode.value}' "
            f"yet (runnable today: {runnable}; see docs/status.md)",
            highlight=False,
        )


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
