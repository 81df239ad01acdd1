"""``logos plugins list`` and ``logos plugins show``."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from logos.cli.app import out, plugins_app
from logos.components import ComponentKind

if TYPE_CHECKING:
    from logos.plugins import Registry


@plugins_app.command("list")
def plugins_list(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """List plugins: distribution version, status and the components each provides by kind.

    A component registered but not available yet (docs/status.md) is marked so, and a plugin
    none of whose components is available has status "not available yet", not "ok".
    """
    from rich.table import Table

    from logos.plugins import get_registry

    registry = get_registry()
    rows = [_row(info.as_dict(), registry) for info in registry.plugins.values()]
    if as_json:
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return
    table = Table(title="logos plugins")
    for column in ("plugin", "distribution", "version", "status", "components"):
        table.add_column(column)
    colours = {
        "ok": "green",
        "broken": "red",
        "conflict": "yellow",
        UNAVAILABLE: "yellow",
        PARTLY: "yellow",
    }
    for row in rows:
        comps: dict[str, list[str]] = row["components"]  # type: ignore[assignment]
        unavailable: dict[str, list[str]] = row["not_available_yet"]  # type: ignore[assignment]
        status = str(row["status"])

        def label(kind: str, name: str, _unavailable: dict[str, list[str]] = unavailable) -> str:
            return f"{name} ({UNAVAILABLE})" if name in _unavailable.get(kind, []) else name

        table.add_row(
            str(row["name"]),
            str(row["distribution"] or "-"),
            str(row["version"] or "-"),
            f"[{colours.get(status, 'yellow')}]{status}[/]",
            "\n".join(
                f"{kind}: {', '.join(label(kind, n) for n in names)}"
                for kind, names in comps.items()
            )
            or "-",
        )
    out.print(table)
    for row in rows:
        for problem in [row["error"], *row["conflicts"]]:  # type: ignore[misc]
            if problem:
                out.print(f"[red]{row['name']}[/red]: {problem}", highlight=False)


UNAVAILABLE = "not available yet"
PARTLY = "partly available"


def _row(row: dict[str, object], registry: Registry) -> dict[str, object]:
    """A plugin's row with ``not_available_yet`` (its components that are registered but not
    available yet, by kind) and a status that says so when the plugin loaded fine."""
    unavailable: dict[str, list[str]] = {}
    for entry in registry.entries():
        if entry.plugin == row["name"] and not getattr(entry.cls, "available", True):
            unavailable.setdefault(str(entry.kind), []).append(entry.name)
    comps: dict[str, list[str]] = row["components"]  # type: ignore[assignment]
    total = sum(len(names) for names in comps.values())
    missing = sum(len(names) for names in unavailable.values())
    status = row["status"]
    if status == "ok" and missing:
        status = UNAVAILABLE if missing == total else PARTLY
    return {**row, "status": status, "not_available_yet": unavailable}


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
