"""The CLI starts without the heavy libraries: commands import them when they run."""

from __future__ import annotations

import subprocess
import sys

from logos.cli import strategy_cmd
from logos.strategies import lookahead


def test_importing_the_cli_loads_neither_pandas_nor_pyarrow_nor_the_engine() -> None:
    code = (
        "import sys, logos.cli; "
        "print(sorted(m for m in ('pandas', 'pyarrow', 'numpy', 'logos.session', "
        "'logos.config', 'logos.plugins', 'rich.progress') if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert loaded.strip() == "[]"


def test_check_strategy_default_matches_the_library_default() -> None:
    assert strategy_cmd.DEFAULT_MAX_PREFIXES == lookahead.DEFAULT_MAX_PREFIXES
