"""The ``[sweep]`` table of a run config: ``logos sweep`` reads its ranges and search, flags
win over it, ``logos validate`` checks it, ``logos backtest`` accepts and ignores it, and a
bad value in it is one error line naming the config file and the key."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from cli_run import run_cli
from sweep_config import BARS, sweep_config

from logos.sweep.table import merge

CONFIG = sweep_config(head='session_id = "table_test"\n')
TABLE = """\
[sweep]
params = { fast = "2:8:3", slow = [10, 20] }
where = "fast < slow"
objective = "total_return"
min_trades = 1
"""


def make_config(folder: Path, table: str = TABLE) -> Path:
    """A config over the first 300 shipped BTC minute bars, with ``table`` appended."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = BARS.read_text().splitlines(keepends=True)[:301]
    (folder / "bars.csv").write_text("".join(lines))
    path = folder / "sweep.toml"
    path.write_text(CONFIG + table)
    return path


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh))


def test_a_sweep_runs_the_tables_ranges_and_a_flag_replaces_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = make_config(tmp_path)
    out = tmp_path / "table"
    code, stdout, stderr = run_cli(capsys, "sweep", str(config), "--workers", "1",
                                   "--out", str(out), "--no-progress")  # fmt: skip
    assert code == 0, stderr
    assert "top 6 by total_return" in stdout
    assert [(r["fast"], r["slow"]) for r in rows(out / "table.csv")] == [
        ("2", "10"), ("2", "20"), ("5", "10"), ("5", "20"), ("8", "10"), ("8", "20"),
    ]  # fmt: skip
    spec = json.loads((out / "sweep.json").read_text())
    assert spec["params"] == ["fast=2:8:3", "slow=10,20"]
    assert (spec["where"], spec["objective"], spec["min_trades"]) == (
        "fast < slow", "total_return", 1,
    )  # fmt: skip
    assert "sweep" not in spec["config"]  # the trials run the config without the table

    flagged = tmp_path / "flagged"
    code, _, stderr = run_cli(capsys, "sweep", str(config), "--param", "slow=4,6",
                              "--objective", "sharpe", "--workers", "1", "--out", str(flagged),
                              "--no-progress")  # fmt: skip
    assert code == 0, stderr
    # the table's fast and where are kept: only fast=2 is below slow=4 and slow=6, 5 below 6
    assert [(r["fast"], r["slow"]) for r in rows(flagged / "table.csv")] == [
        ("2", "4"), ("2", "6"), ("5", "6"),
    ]  # fmt: skip
    spec = json.loads((flagged / "sweep.json").read_text())
    assert spec["params"] == ["fast=2:8:3", "slow=4,6"]
    assert spec["objective"] == "sharpe" and spec["min_trades"] == 1


def test_merge_takes_flags_over_the_table_over_the_defaults() -> None:
    table = {"params": {"fast": [5, 10], "slow": "20:40:10", "on": True, "x": 0.5},
             "search": "random", "trials": 3, "seed": 7}  # fmt: skip
    settings = merge(table, {"params": ["slow=30"], "seed": 1, "where": None})
    assert settings.params == ["fast=5,10", "on=true", "x=0.5", "slow=30"]
    assert (settings.search, settings.trials, settings.seed) == ("random", 3, 1)
    assert (settings.objective, settings.min_trades, settings.where) == ("sharpe", 0, None)
    assert merge(None, {}).params == []


def test_backtest_and_validate_accept_a_config_with_a_sweep_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = make_config(tmp_path)
    code, stdout, stderr = run_cli(capsys, "validate", str(config))
    assert code == 0, stderr
    assert stdout.startswith("ok:")
    code, _, stderr = run_cli(capsys, "backtest", str(config), "--out", str(tmp_path / "bt"),
                              "--no-progress")  # fmt: skip
    assert code == 0, stderr
    assert (tmp_path / "bt" / "account.csv").is_file()


@pytest.mark.parametrize(
    ("table", "says"),
    [
        ('params = { fast = "5:x" }', "sweep.params.fast: 'x' is not a number (got '5:x')"),
        ('params = { fast = "50:5" }', "sweep.params.fast: the range is empty: STOP 5 is below"),
        ("params = { fast = [5, 5] }", "sweep.params.fast: a value is listed twice"),
        ("params = { fast = [] }", "sweep.params.fast: an empty list"),
        ('where = "fast <"', "sweep.where: not an expression"),
        ('where = "fast.x < 1"', "sweep.where: 'fast.x' is not allowed"),
        ('search = "anneal"', "sweep.search: Input should be 'grid', 'random' or 'optuna'"),
        ('objective = "alpha"', "sweep.objective: unknown objective 'alpha'; known: total_return"),
        ("min_trades = -1", "sweep.min_trades: Input should be greater than or equal to 0"),
        ("trials = 0", "sweep.trials: Input should be greater than or equal to 1"),
        ("walk = 1", "sweep.walk: Extra inputs are not permitted"),
    ],
)
def test_a_bad_value_in_the_table_is_one_error_naming_the_file_and_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], table: str, says: str
) -> None:
    config = make_config(tmp_path, f"[sweep]\n{table}\n")
    out = tmp_path / "out"
    commands = (
        ["validate", str(config)],
        ["backtest", str(config), "--out", str(out), "--no-progress"],
        ["sweep", str(config), "--workers", "1", "--out", str(out)],
    )
    for argv in commands:
        code, _, stderr = run_cli(capsys, *argv)
        assert code == 1, argv
        assert stderr.startswith(f"error: {config}: {says}"), (argv, stderr)
        assert stderr.count("error:") == 1 and "Traceback" not in stderr
        assert not out.exists()


@pytest.mark.parametrize(
    ("table", "args", "says"),
    [
        (
            'params = { fats = "1,2" }',
            [],
            "sweep.params.fats: strategy 'sma_cross' has no parameter 'fats'; its parameters:",
        ),
        (
            'params = { fast = "1,2" }\nwhere = "fast < slwo"',
            [],
            "sweep.where: unknown name 'slwo'; the swept parameters are fast",
        ),
        (
            'params = { fast = "1,2" }\nsearch = "random"',
            [],
            "sweep.search: search 'random' needs trials = N (or --trials N)",
        ),
        (
            'params = { fast = "1,2" }',
            ["--param", "fats=1"],
            "--param fats: strategy 'sma_cross' has no parameter 'fats'",
        ),
        ("", [], "--param: give at least one range, e.g. --param fast=5:50:5 (or a [sweep] table"),
    ],
)
def test_a_table_the_sweep_cannot_run_names_the_key_before_any_cluster(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], table: str, args: list[str], says: str
) -> None:
    config = make_config(tmp_path, f"[sweep]\n{table}\n")
    out = tmp_path / "out"
    code, _, stderr = run_cli(capsys, "sweep", str(config), *args, "--out", str(out))
    assert code == 1
    assert stderr.startswith("error: ") and says in stderr, stderr
    if says.startswith("sweep."):
        assert stderr.startswith(f"error: {config}: {says}")
    assert stderr.count("error:") == 1 and "Traceback" not in stderr
    assert not out.exists()
