"""``logos kill RUN_DIR``: ask the session running in a run folder to stop."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from logos.cli.app import app, out


@app.command("kill")
def kill(
    run_dir: Annotated[
        Path, typer.Argument(help="The run folder of the session to stop.", metavar="RUN_DIR")
    ],
    reason: Annotated[
        str, typer.Option("--reason", metavar="TEXT", help="Why (written into the KILL file).")
    ] = "",
    force: Annotated[
        bool, typer.Option("--force", help="Write the KILL file even if no session runs there.")
    ] = False,
) -> None:
    """Stop a running session: its kill switch cancels working orders, flattens if
    configured, writes the artifacts and exits with status 3 (docs/risk.md)."""
    from logos.risk import request_kill

    path = request_kill(run_dir, reason, force=force)
    out.print(
        f"wrote {path}: the session stops at its next slice; remove the file before "
        "starting another session in this folder",
        soft_wrap=True,
    )
