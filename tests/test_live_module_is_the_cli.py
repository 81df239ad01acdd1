"""``python -m logos.live trade ...`` is ``logos trade ...``: run as real processes on the same
config, the two write the same artifacts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SESSION = Path(__file__).parent / "data" / "sessions" / "two_symbols.toml"
ARTIFACTS = ("orders.csv", "trades.csv", "positions.csv", "account.csv")
LOGOS = Path(sys.executable).parent / "logos"


def test_python_m_logos_live_trade_writes_what_logos_trade_writes(tmp_path: Path) -> None:
    runs = {
        "module": [sys.executable, "-m", "logos.live", "trade", str(SESSION)],
        "script": [str(LOGOS), "trade", str(SESSION)],
    }
    for name, command in runs.items():
        done = subprocess.run(
            [*command, "--run-dir", str(tmp_path / name)],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        assert "paper session" in done.stdout
    for artifact in ARTIFACTS:
        module = (tmp_path / "module" / artifact).read_bytes()
        assert module == (tmp_path / "script" / artifact).read_bytes(), artifact
    assert (tmp_path / "module" / "orders.csv").read_text().count("\n") > 100
