"""A Ctrl-C in the middle of a streamed backtest never replaces the previous complete run.

A long backtest keeps its outputs on disk while it runs (a spool folder beside the run
folder, logos/run_folder.py ``RunFolder.scratch``) and writes its artifacts into a staging
folder only at the end. Interrupted mid-run, the earlier run in ``--out`` stays byte for byte,
and neither the spool nor a staging folder is left behind.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

LOGOS = Path(sys.executable).with_name("logos")
SHIPPED = Path(__file__).resolve().parents[1] / "logos" / "data" / "btcusdt-perp-1m.csv"
COMMON = ["--strategy", "sma_cross", "--sizing", "fixed_qty", "--qty", "0.01", "--no-progress"]


def _bars(path: Path, count: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    close = np.round(100 * np.exp(np.cumsum(rng.normal(0, 0.001, count))), 2)
    stamps = pd.date_range("2024-01-01", periods=count, freq="1min", tz="UTC")
    frame = pd.DataFrame(
        {"timestamp": stamps.strftime("%Y-%m-%dT%H:%M:%SZ"), "open": close, "high": close + 0.01}
    )
    frame["low"], frame["close"], frame["volume"] = close - 0.01, close, 1
    frame.to_csv(path, index=False)


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_ctrl_c_mid_run_keeps_the_earlier_run_and_leaves_no_spool(tmp_path: Path) -> None:
    out = tmp_path / "run"
    shipped = ["--data", str(SHIPPED), "--symbol", "BTC/USDT:USDT"]
    first = subprocess.run(
        [LOGOS, "backtest", *shipped, *COMMON, "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert first.returncode == 0, first.stderr
    before = _files(out)
    data = tmp_path / "bars"
    data.mkdir()
    for i in range(2):
        _bars(data / f"S{i}.csv", 200_000, i)
    symbols = ["--symbol", "S0", "--symbol", "S1"]
    argv = [LOGOS, "backtest", "--data", str(data), *symbols, *COMMON, "--out", str(out)]
    child = subprocess.Popen(
        [*argv, "--force"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".run.spool-*")) and time.monotonic() < deadline:
        assert child.poll() is None, child.communicate()
        time.sleep(0.05)
    assert list(tmp_path.glob(".run.spool-*")), "the run never started"
    time.sleep(1.0)  # into the loop: reading, signals, slices
    child.send_signal(signal.SIGINT)
    _, stderr = child.communicate(timeout=60)
    assert child.returncode == 130, stderr
    assert "interrupted: no artifacts were written" in stderr
    assert "the earlier run there is unchanged" in stderr
    assert _files(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bars", "run"]  # no spool, no staging
