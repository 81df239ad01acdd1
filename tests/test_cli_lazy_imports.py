"""The CLI starts without the heavy libraries (commands import them when they run), and the
backtest command's paused garbage collector costs nothing when it resumes."""

from __future__ import annotations

import gc
import subprocess
import sys

from logos.cli import strategy_cmd
from logos.runtime import collector_paused
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


def test_the_paused_collector_leaves_no_young_backlog_behind() -> None:
    # Without the hand-over, the 50,000 lists made while paused would all still count as
    # young, and the first allocations afterwards would start a collection scanning them.
    started: list[int] = []

    def spy(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started.append(info["generation"])

    kept = []
    was_enabled = gc.isenabled()
    try:
        with collector_paused():
            assert not gc.isenabled()
            kept.extend([i] for i in range(50_000))
            gc.callbacks.append(spy)
        kept.extend([i] for i in range(10))  # far below the youngest generation's threshold
    finally:
        gc.callbacks.remove(spy)
    assert gc.isenabled() == was_enabled
    assert started == []
    assert len(kept) == 50_010
