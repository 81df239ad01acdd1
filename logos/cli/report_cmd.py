"""``logos report RUN_DIR [--format md|html|all]``: a session's reports written again from its
journal alone, so a crashed session still gets them (docs/reports.md, docs/state.md)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from logos.cli.app import app, err, out

FORMATS = {"md": ("markdown",), "html": ("html",), "all": ("csv", "markdown", "html")}
"""``--format`` -> the reporters it runs."""


@app.command("report")
def report(
    run_dir: Annotated[
        str,
        typer.Argument(metavar="RUN_DIR", help="The run folder of a `logos trade` session."),
    ],
    format_: Annotated[
        str | None,
        typer.Option(
            "--format",
            metavar="md|html|all",
            help="Which reports: md (session.md, equity.png), html (report.html), all (those "
            "and the CSV artifacts); only they are replaced.",
            show_default="the session's configured reporters",
        ),
    ] = None,
) -> None:
    """Write a session's artifacts and reports again from its journal (state.jsonl) alone;
    the journal is only read."""
    from logos.errors import LogosError
    from logos.plugins import get_registry
    from logos.reports.dispatch import guard_reporters
    from logos.session import build_reporters, default_reporters
    from logos.state.journal import JOURNAL_FILE, read_journal
    from logos.state.rebuild import header
    from logos.trade_session import publish_from_journal

    if format_ is not None and format_ not in FORMATS:
        raise LogosError(f"--format {format_}: give md, html or all")
    path = Path(run_dir)
    journal = path / JOURNAL_FILE
    if not path.is_dir():
        raise LogosError(f"{run_dir}: not a folder (give the run folder of a session)")
    contents = read_journal(journal)
    if not contents.records:
        from logos.cli.trade_cmd import no_whole_record

        raise LogosError(no_whole_record(journal, len(contents.torn)))
    head = header(contents)
    try:
        from logos.config import validate_config
        from logos.strategies.loading import with_strategy_class

        registry = with_strategy_class(get_registry(), head["config"], str(journal))
        validated = validate_config(head["config"], registry, source=str(journal))
        reporters = build_reporters(validated, registry)
    except LogosError as exc:  # the artifacts need no component: default reporters then
        err.print(
            "[yellow]warning:[/yellow] the session's config no longer validates "
            f"({escape(str(exc))}); writing the default artifacts",
            soft_wrap=True,
        )
        reporters = default_reporters(get_registry())
    if contents.torn:
        err.print(
            f"{escape(str(journal))}: a torn last line ({len(contents.torn)} bytes) was ignored",
            highlight=False,
        )
    if format_ is not None:
        reporters = guard_reporters([get_registry().get("reporter", n)() for n in FORMATS[format_]])
    result = publish_from_journal(path, reporters, only_theirs=format_ in ("md", "html"))
    for warning in result.warnings:
        err.print(f"[yellow]warning:[/yellow] {escape(warning)}", soft_wrap=True)
    out.print(
        f"{escape(os.path.normpath(path))}/: artifacts written from {len(contents.records)} "
        f"journal records ({len(result.orders)} orders, {len(result.fills)} fills, "
        f"{len(result.account)} slices, {result.restarts} restart(s))",
        soft_wrap=True,
    )
    for name in ("session.md", "report.html"):
        if (path / name).exists():
            out.print(f"report: {escape(os.path.normpath(path / name))}", soft_wrap=True)
