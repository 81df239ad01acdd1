"""Run the ``logos`` command line in the test process, as a user would from a shell."""

from __future__ import annotations

import pytest

from logos.cli import main


def run_cli(
    capsys: pytest.CaptureFixture[str], *argv: str, collapse_out: bool = False
) -> tuple[int, str, str]:
    """``logos ARGV``: its exit code, stdout, and stderr with whitespace collapsed to single
    spaces (rich wraps long messages at the terminal width); stdout too with
    ``collapse_out``."""
    try:
        main(list(argv))
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    captured = capsys.readouterr()
    out = " ".join(captured.out.split()) if collapse_out else captured.out
    return code, out, " ".join(captured.err.split())
