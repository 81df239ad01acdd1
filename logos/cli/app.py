"""The ``logos`` Typer app, its consoles, and the error handling shared by every command.

User-facing output goes through rich in ``logos.cli`` and nowhere else.

Every error a user can cause ends as one readable line on stderr and a non-zero exit;
``--debug`` shows the traceback as well.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from logos import __version__, runtime
from logos.errors import LogosError

SetFlags = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        metavar="KEY=VALUE",
        help="Override any config value; KEY is a dotted path (repeatable).",
    ),
]
"""``--set key.path=value``, as every command that reads a run config takes it."""
RiskFlags = Annotated[
    list[str] | None,
    typer.Option(
        "--risk",
        metavar="NAME[:K=V,...]",
        help="Risk guard, with params after ':' (repeatable; docs/risk.md).",
    ),
]
"""``--risk NAME:k=v,...``, as every command that reads a run config takes it."""

app = typer.Typer(
    name="logos",
    help="logos: write a strategy once; backtest, paper trade, dry-run and go live.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
plugins_app = typer.Typer(
    help="Inspect installed plugins and their components.", no_args_is_help=True
)
app.add_typer(plugins_app, name="plugins")

UNWRAPPED_WIDTH = 10_000
"""Console width when stdout is not a terminal: a pipe, a file or a CI log gets every line
whole (nothing to grep or copy is split at column 80), and tables at their natural width."""
_stdout_is_terminal = sys.stdout is not None and sys.stdout.isatty()

out = Console(
    soft_wrap=not _stdout_is_terminal,
    width=None if _stdout_is_terminal else UNWRAPPED_WIDTH,
)
err = Console(stderr=True, soft_wrap=True)


class _State:
    debug = False


def _version(value: bool) -> None:
    if value:
        out.print(f"logos {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks and debug logs.")] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    _State.debug = debug
    # warnings read like errors ("warning: ..."); --debug adds the logger's name
    logging.addLevelName(logging.WARNING, "warning")
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s" if debug else "%(levelname)s: %(message)s",
    )


@contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM stops the command the way Ctrl-C does (one "interrupted" line, exit 130)
    instead of killing it mid-write; a kill switch takes over both signals while its
    session runs."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _report(exc: BaseException) -> None:
    """One readable error on stderr, credential-looking values masked (logos.credentials).

    A LogosError is already worded for the user. An OSError names its file and what the
    system said. Anything else is a bug in logos or a plugin: say so, and point to ``--debug``
    unless it is already on (then the traceback was just printed).
    """
    from logos.credentials import redact

    message = str(exc) or type(exc).__name__
    if isinstance(exc, OSError) and not isinstance(exc, LogosError):
        where = f"{exc.filename}: " if exc.filename else ""
        message = f"{where}{exc.strerror or message}"
    elif not isinstance(exc, LogosError):
        message = f"{type(exc).__name__}: {message}"
        if _State.debug:
            message += "\n(an unexpected error: a bug in logos or a plugin; the traceback is above)"
        else:
            message += "\n(an unexpected error; run with --debug for the traceback)"
    err.print(f"[red]error:[/red] {escape(redact(message))}", highlight=False)


def main(argv: list[str] | None = None) -> Any:
    """Console-script entry point: run the app, turning every error into one readable message."""
    try:
        return app(args=argv, standalone_mode=True)
    except SystemExit:
        if argv is None:  # the console script: the process exits now
            runtime.skip_final_collection()
        raise
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt):
            err.print("interrupted")
            sys.exit(130)
        if _State.debug:
            err.print_exception()
        _report(exc)
        sys.exit(1)
