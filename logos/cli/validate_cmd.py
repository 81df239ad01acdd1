"""``logos validate CONFIG``."""

from __future__ import annotations

from typing import Annotated

import typer

from logos.cli.app import app, out


@app.command("validate")
def validate(
    config: Annotated[str, typer.Argument(help="Path to a TOML run config.")],
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="Override a config value: key.path=value (repeatable)."),
    ] = None,
    risk: Annotated[
        list[str] | None,
        typer.Option("--risk", help="Add a risk guard NAME:key=value,... (repeatable)."),
    ] = None,
) -> None:
    """Validate a run config without trading; reports every problem with its field path."""
    from logos.config import load_config, parse_override
    from logos.plugins import get_registry

    overrides = dict(parse_override(item) for item in set_ or [])
    validated = load_config(config, get_registry(), overrides, risk_flags=risk)
    run = validated.run
    out.print(
        f"[green]ok[/green]: {config} — mode {run.mode}, session {run.session_id}, "
        f"symbols {', '.join(run.symbols)}, feed {run.feed.name}, broker {run.broker.name}, "
        f"strategy {run.strategy.name}"
    )
