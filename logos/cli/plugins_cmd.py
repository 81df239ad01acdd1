"""``logos plugins list`` and ``logos plugins show``."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from logos.cli.app import out, plugins_app
from logos.components import ComponentKind


@plugins_app.command("list")
def plugins_list(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """List plugins: distribution version, status and the components each provides by kind."""
    from rich.table import Table

    from logos.plugins import get_registry

    registry = get_registry()
    rows = [info.as_dict() for info in registry.plugins.values()]
    if as_json:
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return
    table = Table(title="logos plugins")
    for column in ("plugin", "distribution", "version", "status", "components"):
        table.add_column(column)
    colours = {"ok": "green", "broken": "red", "conflict": "yellow"}
    for row in rows:
        comps: dict[str, list[str]] = row["components"]  # type: ignore[assignment]
        status = str(row["status"])
        table.add_row(
            str(row["name"]),
            str(row["distribution"] or "-"),
            str(row["version"] or "-"),
            f"[{colours[status]}]{status}[/]",
            "\n".join(f"{kind}: {', '.join(names)}" for kind, names in comps.items()) or "-",
        )
    out.print(table)
    for row in rows:
        for problem in [row["error"], *row["conflicts"]]:  # type: ignore[misc]
            if problem:
                out.print(f"[red]{row['name']}[/red]: {problem}", highlight=False)


@plugins_app.command("show")
def plugins_show(
    kind: Annotated[ComponentKind, typer.Argument(help="Component kind.")],
    name: Annotated[str, typer.Argument(help="Component name.")],
) -> None:
    """Show a component's description and its params as a JSON schema."""
    from logos.plugins import get_registry

    registry = get_registry()
    cls = registry.get(kind, name)
    entry = next(e for e in registry.entries(kind) if e.name == name)
    out.print(f"[bold]{kind} {name}[/bold] (plugin {entry.plugin})")
    out.print(cls.description() or "(no description)")
    if not getattr(cls, "available", True):
        out.print(f"[yellow]not available yet: lands in {cls.planned_in}[/yellow]")  # type: ignore[attr-defined]
    out.print_json(json.dumps(cls.params_schema()))
