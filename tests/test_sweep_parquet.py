"""``sweep.parquet``: the rows of table.csv, typed (integers, floats, exact decimals, nulls
for empty cells), byte-identical whatever the number of workers, written again on resume."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from cli_run import run_cli
from sweep_config import BARS, sweep_config

CONFIG = sweep_config("failing.py:FailsAtFour")
FAILING = '''
from logos.strategies.sma_cross import SmaCross

class FailsAtFour(SmaCross):
    """sma_cross that fails for fast == 4."""

    def signals(self, bars):
        if self.params.fast == 4:
            raise RuntimeError("fast=4 is not supported")
        return super().signals(bars)
'''
GRID = ["--param", "fast=2:6:2", "--param", "slow=10,20"]
FLOATS = ("total_return", "sharpe", "sortino", "calmar", "profit_factor", "max_drawdown",
          "win_rate")  # fmt: skip


def make_config(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    lines = BARS.read_text().splitlines(keepends=True)[:301]
    (folder / "bars.csv").write_text("".join(lines))
    (folder / "failing.py").write_text(FAILING)
    path = folder / "sweep.toml"
    path.write_text(CONFIG)
    return path


def table_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh))


def test_sweep_parquet_is_the_table_typed_and_the_same_bytes_on_one_and_two_workers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = make_config(tmp_path)
    written = []
    for workers in ("1", "2"):
        out = tmp_path / f"w{workers}"
        code, stdout, stderr = run_cli(capsys, "sweep", str(config), *GRID, "--workers",
                                       workers, "--out", str(out), "--no-progress")  # fmt: skip
        assert code == 0, stderr
        assert "sweep.parquet" in stdout
        written.append((out / "sweep.parquet").read_bytes())
    assert written[0] == written[1]

    out = tmp_path / "w2"
    expected = table_rows(out / "table.csv")
    frame = pd.read_parquet(out / "sweep.parquet")
    assert list(frame.columns) == list(expected[0])
    assert len(frame) == len(expected) == 6
    schema = pq.read_schema(out / "sweep.parquet")
    assert str(schema.field("trial").type) == "int64"
    assert str(schema.field("fast").type) == "int64"
    assert str(schema.field("trades").type) == "int64"
    assert str(schema.field("sharpe").type) == "double"
    assert str(schema.field("final_equity").type).startswith("decimal")
    for got, want in zip(frame.to_dict("records"), expected, strict=True):
        assert got["trial"] == int(want["trial"])
        assert (got["fast"], got["slow"]) == (int(want["fast"]), int(want["slow"]))
        assert got["status"] == want["status"]
        assert pd.isna(got["fold"])  # no fold: null
        if want["status"] == "error":
            assert want["fast"] == "4"
            assert "fast=4 is not supported" in got["error"]
            assert pd.isna(got["trades"]) and pd.isna(got["sharpe"])
            assert got["final_equity"] is None
        else:
            assert pd.isna(got["error"])
            assert got["trades"] == int(want["trades"])
            assert got["final_equity"] == Decimal(want["final_equity"])
            assert got["pnl"] == Decimal(want["pnl"])
            for name in FLOATS:
                assert (pd.isna(got[name]) and want[name] == "") or got[name] == float(
                    want[name]
                ), name
    assert sum(frame["status"] == "error") == 2


def test_resume_writes_sweep_parquet_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = make_config(tmp_path)
    out = tmp_path / "s"
    args = ("sweep", str(config), *GRID, "--workers", "1", "--out", str(out), "--no-progress")
    assert run_cli(capsys, *args)[0] == 0
    whole = (out / "sweep.parquet").read_bytes()
    lines = (out / "results.csv").read_text().splitlines(keepends=True)
    (out / "results.csv").write_text("".join(lines[:3]))  # killed after two trials
    (out / "sweep.parquet").unlink()
    code, stdout, stderr = run_cli(capsys, "sweep", "--resume", str(out), "--workers", "1",
                                   "--no-progress")  # fmt: skip
    assert code == 0, stderr
    assert "6 trial(s), 2 already recorded" in stdout
    assert (out / "sweep.parquet").read_bytes() == whole


def test_sweep_show_writes_a_missing_sweep_parquet_from_the_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = make_config(tmp_path)
    out = tmp_path / "s"
    args = ("sweep", str(config), *GRID, "--workers", "1", "--out", str(out), "--no-progress")
    assert run_cli(capsys, *args)[0] == 0
    whole = (out / "sweep.parquet").read_bytes()
    (out / "sweep.parquet").unlink()  # a sweep that finished before sweep.parquet existed
    code, shown, stderr = run_cli(capsys, "sweep", "show", str(out))
    assert code == 0, stderr
    assert shown == (out / "sweep.md").read_text()
    assert (out / "sweep.parquet").read_bytes() == whole
