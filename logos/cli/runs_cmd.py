"""``logos runs list [FOLDER]``: the runs in a folder with their headline numbers
(docs/reports.md)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from logos.cli.app import app, out

runs_app = typer.Typer(help="Past runs and their headline numbers.", no_args_is_help=True)
app.add_typer(runs_app, name="runs")

DEFAULT_FOLDER = "runs"
"""Where ``logos backtest`` and ``logos trade`` put runs unless told otherwise."""
COLUMNS = ("run", "session", "mode", "period", "return", "PnL", "max drawdown", "Sharpe", "fills")


@runs_app.command("list")
def list_runs(
    folder: Annotated[
        str | None,
        typer.Argument(
            metavar="[FOLDER]", help="The folder holding run folders.", show_default="runs"
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """List the runs in FOLDER (each sub-folder with a session.md or a journal), newest
    first, with the numbers their session.md reports. Plain tab-separated lines when the
    output is not a terminal."""
    from rich.markup import escape
    from rich.table import Table

    from logos.errors import LogosError
    from logos.reports.run_index import find_runs

    base = Path(folder or DEFAULT_FOLDER)
    if folder is not None and not base.is_dir():
        raise LogosError(f"{folder}: not a folder (give the folder your runs are in, e.g. runs)")
    runs = find_runs(base) if base.is_dir() else []
    if as_json:
        sys.stdout.write(json.dumps([r.as_dict() for r in runs], indent=2) + "\n")
        return
    if not runs:
        out.print(f"no runs in {escape(str(base))}", soft_wrap=True)
        return
    if not out.is_terminal:  # plain tab-separated lines for a pipe (rich would expand tabs)
        lines = ["\t".join(COLUMNS), *("\t".join(run.cells()) for run in runs)]
        sys.stdout.write("\n".join(lines) + "\n")
        return
    table = Table(title=f"runs in {escape(str(base))}")
    for name in COLUMNS:
        table.add_column(name, justify="right" if name in COLUMNS[4:] else "left")
    for run in runs:
        table.add_row(*(escape(cell) for cell in run.cells()))
    out.print(table)
