"""``logos sweep`` end to end on real Dask clusters: the same table on one and two workers
and as the backtests run one by one, resume after a kill, failing trials recorded, Optuna's
study resumed, and a cluster of ``dask scheduler`` / ``dask worker`` processes."""

from __future__ import annotations

import csv
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_run import run_cli
from sweep_config import sweep_config

ROOT = Path(__file__).resolve().parent.parent
BARS = ROOT / "logos" / "data" / "btcusdt-perp-1m.csv"
BIN = Path(sys.executable).parent
SLOW_OR_FAILING = '''
import time
from logos.strategies.sma_cross import SmaCross

class Picky(SmaCross):
    """sma_cross that fails for fast == 4 and takes SLEEP seconds per trial."""
    SLEEP = {sleep}

    def signals(self, bars):
        if self.params.fast == 4:
            raise RuntimeError("fast=4 is not supported")
        time.sleep(self.SLEEP)
        return super().signals(bars)
'''


def make_config(folder: Path, strategy: str = "sma_cross", sleep: float = 0.0) -> Path:
    """A config over the first 600 shipped BTC minute bars."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = BARS.read_text().splitlines(keepends=True)[:601]
    (folder / "bars.csv").write_text("".join(lines))
    if strategy != "sma_cross":
        (folder / "picky.py").write_text(SLOW_OR_FAILING.format(sleep=sleep))
        strategy = "picky.py:Picky"
    path = folder / "sweep.toml"
    path.write_text(sweep_config(strategy, head='session_id = "sweep_test"\n'))
    return path


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """One LocalCluster (two worker processes) shared by the tests that pass --scheduler."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=":0") as cluster:
        yield cluster.scheduler_address


GRID = ["--param", "fast=2:8:3", "--param", "slow=10,20", "--where", "fast < slow"]


def test_two_workers_one_worker_and_one_backtest_at_a_time_agree(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = make_config(tmp_path)
    tables = []
    for workers in ("2", "1"):
        out = tmp_path / f"w{workers}"
        code, stdout, stderr = run_cli(
            capsys, "sweep", str(config), *GRID, "--workers", workers, "--out", str(out)
        )
        assert code == 0, stderr
        assert f"{workers} worker(s)" in stdout
        tables.append((out / "table.csv").read_bytes())
    assert tables[0] == tables[1]
    table = rows(tmp_path / "w2" / "table.csv")
    assert [(r["trial"], r["fast"], r["slow"]) for r in table] == [
        ("0", "2", "10"), ("1", "2", "20"), ("2", "5", "10"), ("3", "5", "20"), ("4", "8", "10"),
        ("5", "8", "20"),
    ]  # fmt: skip
    for row in table:
        run = tmp_path / f"bt-{row['trial']}"
        code, _, stderr = run_cli(
            capsys, "backtest", str(config), "--param", f"fast={row['fast']}",
            "--param", f"slow={row['slow']}", "--out", str(run), "--no-progress",
        )  # fmt: skip
        assert code == 0, stderr
        final = rows(run / "account.csv")[-1]["equity"]
        assert row["final_equity"] == final
        assert row["trades"] == str(len(rows(run / "trades.csv")))
        assert float(row["total_return"]) == pytest.approx(float(final) / 100000 - 1, abs=1e-12)


def test_resume_runs_only_the_trials_without_a_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], scheduler: str
) -> None:
    config = make_config(tmp_path)
    out = tmp_path / "s"
    args = ("sweep", str(config), *GRID, "--scheduler", scheduler, "--out", str(out))
    assert run_cli(capsys, *args)[0] == 0
    whole = (out / "table.csv").read_bytes()
    results = (out / "results.csv").read_text().splitlines(keepends=True)
    # killed while writing the fourth row: three whole rows and a torn one
    (out / "results.csv").write_text("".join(results[:4]) + results[4][:20])
    code, stdout, stderr = run_cli(capsys, "sweep", "--resume", str(out), "--scheduler", scheduler)
    assert code == 0, stderr
    assert "6 trial(s), 3 already recorded" in stdout
    assert "the last row of results.csv was cut off" in stderr
    after = rows(out / "results.csv")
    assert sorted(int(r["trial"]) for r in after) == [0, 1, 2, 3, 4, 5]
    assert (out / "table.csv").read_bytes() == whole
    code, stdout, _ = run_cli(capsys, "sweep", "--resume", str(out))  # finished: no cluster
    assert code == 0 and "all 6 trial(s) already recorded" in stdout
    assert len(rows(out / "results.csv")) == 6


def test_sweep_show_prints_the_report_with_the_objective_over_two_params(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], scheduler: str
) -> None:
    config = make_config(tmp_path)
    out = tmp_path / "s"
    code, _, stderr = run_cli(
        capsys, "sweep", str(config), *GRID, "--scheduler", scheduler, "--out", str(out)
    )
    assert code == 0, stderr
    code, shown, _ = run_cli(capsys, "sweep", "show", str(out))
    assert code == 0
    assert shown == (out / "sweep.md").read_text()
    table = {(r["fast"], r["slow"]): r["sharpe"] for r in rows(out / "table.csv")}
    lines = shown.split("## sharpe by fast and slow")[1].split("##")[0].strip().splitlines()
    assert lines[:2] == ["![sharpe by fast and slow](heatmap.png)", ""]  # then the table
    lines = lines[2:]
    assert lines[0] == "| fast \\ slow | 10 | 20 |"
    by_fast = {
        line.split(" | ")[0].strip("| "): line.strip("| ").split(" | ")[1:] for line in lines[2:]
    }
    assert sorted(by_fast) == ["2", "5", "8"]
    for (fast, slow), sharpe in table.items():
        assert by_fast[fast][["10", "20"].index(slow)] == f"{float(sharpe):.4g}"
    best = max(table, key=lambda k: float(table[k]))
    assert f"fast={best[0]}, slow={best[1]}" in shown
    code, _, stderr = run_cli(capsys, "sweep", "show", str(tmp_path / "nothing"))
    assert code == 1 and "no sweep there (no sweep.json)" in stderr


def test_a_new_sweep_into_a_sweep_folder_is_refused_without_resume_or_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], scheduler: str
) -> None:
    config = make_config(tmp_path)
    out = tmp_path / "s"
    args = (
        "sweep",
        str(config),
        "--param",
        "fast=2,3",
        "--scheduler",
        scheduler,
        "--out",
        str(out),
    )
    assert run_cli(capsys, *args)[0] == 0
    before = (out / "results.csv").read_bytes()
    code, _, stderr = run_cli(capsys, *args)
    assert code == 1
    assert f"holds a sweep already; continue it with --resume {out}" in stderr
    assert (out / "results.csv").read_bytes() == before


def test_a_trial_that_raises_is_recorded_and_the_sweep_goes_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], scheduler: str
) -> None:
    config = make_config(tmp_path, strategy="picky")
    out = tmp_path / "s"
    code, _, stderr = run_cli(
        capsys, "sweep", str(config), "--param", "fast=3,4,5", "--param", "slow=0,20",
        "--scheduler", scheduler, "--out", str(out),
    )  # fmt: skip
    assert code == 0, stderr
    table = {(r["fast"], r["slow"]): r for r in rows(out / "table.csv")}
    assert len(table) == 6
    assert table[("4", "20")]["status"] == "error"
    assert table[("4", "20")]["error"] == "RuntimeError: fast=4 is not supported"
    # a value the strategy's params refuse fails that trial alone, with the field named
    assert table[("3", "0")]["status"] == "error"
    assert "strategy.params.slow" in table[("3", "0")]["error"]
    assert table[("5", "20")]["status"] == "ok" and table[("5", "20")]["trades"] != ""
    assert "warning: trial" in stderr


def test_a_killed_sweep_resumes_with_every_trial_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], scheduler: str
) -> None:
    config = make_config(tmp_path, strategy="picky", sleep=0.3)
    out = tmp_path / "s"
    command = [str(BIN / "logos"), "sweep", str(config), "--param", "fast=5:16",
               "--workers", "1", "--batch", "1", "--out", str(out)]  # fmt: skip
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    results = out / "results.csv"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if results.exists() and len(results.read_text().splitlines()) >= 4:
            break
        time.sleep(0.1)
    child.send_signal(signal.SIGTERM)
    _, stderr = child.communicate(timeout=60)
    assert child.returncode == 130, stderr.decode()
    assert "--resume" in stderr.decode()
    recorded = len(rows(results))
    assert 3 <= recorded < 12
    code, stdout, stderr_text = run_cli(
        capsys, "sweep", "--resume", str(out), "--scheduler", scheduler
    )
    assert code == 0, stderr_text
    assert f"12 trial(s), {recorded} already recorded" in stdout
    assert sorted(int(r["trial"]) for r in rows(results)) == list(range(12))


DYING = '''
import os
from pathlib import Path
from logos.strategies.sma_cross import SmaCross

class Dying(SmaCross):
    """sma_cross whose worker process dies the first time it runs fast == 3."""

    def signals(self, bars):
        marker = Path(__file__).with_name("died-once")
        if self.params.fast == 3 and not marker.exists():
            marker.write_text("x")
            os._exit(1)
        return super().signals(bars)
'''


def test_a_worker_that_dies_has_its_trials_rerun_and_recorded_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], scheduler: str
) -> None:
    config = make_config(tmp_path)
    (tmp_path / "dying.py").write_text(DYING)
    out = tmp_path / "s"
    code, _, stderr = run_cli(
        capsys, "sweep", str(config), "--set", f"strategy.name={tmp_path / 'dying.py'}:Dying",
        "--param", "fast=2,3,4", "--scheduler", scheduler, "--batch", "1", "--out", str(out),
    )  # fmt: skip
    assert code == 0, stderr
    assert (tmp_path / "died-once").exists()
    recorded = rows(out / "results.csv")
    assert sorted((r["trial"], r["fast"], r["status"]) for r in recorded) == [
        ("0", "2", "ok"), ("1", "3", "ok"), ("2", "4", "ok"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--param", "fast=5:x"], "--param 'fast=5:x': 'x' is not a number"),
        (["--param", "fats=5,6"], "strategy 'sma_cross' has no parameter 'fats'"),
        (["--param", "fast=30,40", "--where", "fast < slow"], "unknown name 'slow'"),
        (
            ["--param", "fast=30,40", "--param", "slow=10", "--where", "fast < slow"],
            "the grid is empty",
        ),
        (["--param", "fast=5", "--search", "random"], "--search random needs --trials N"),
        (["--param", "fast=5", "--objective", "alpha"], "unknown objective 'alpha'"),
        (["--param", "fast=5", "--walk-forward", "train=1w,test=1w"], "shorter than one"),
    ],
)
def test_bad_sweep_input_is_one_error_line_before_any_cluster(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], says: str
) -> None:
    config = make_config(tmp_path)
    out = tmp_path / "s"
    code, _, stderr = run_cli(capsys, "sweep", str(config), *args, "--out", str(out))
    assert code == 1
    assert stderr.startswith("error: ") and says in stderr, stderr
    assert stderr.count("error:") == 1 and "Traceback" not in stderr
    assert not out.exists()


def test_an_unreachable_scheduler_is_one_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from logos.sweep import cluster

    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT_S", 1.0)
    config = make_config(tmp_path)
    address = f"tcp://127.0.0.1:{free_port()}"
    code, _, stderr = run_cli(
        capsys, "sweep", str(config), "--param", "fast=5,6", "--scheduler", address,
        "--out", str(tmp_path / "s"),
    )  # fmt: skip
    assert code == 1
    assert stderr.startswith(f"error: --scheduler {address}: cannot reach the scheduler")


def test_optuna_keeps_its_study_and_resumes_a_trial_without_a_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], scheduler: str
) -> None:
    import optuna

    config = make_config(tmp_path)
    out = tmp_path / "s"
    code, _, stderr = run_cli(
        capsys, "sweep", str(config), "--param", "fast=2:12:2", "--param", "slow=15:30:5",
        "--search", "optuna", "--trials", "4", "--seed", "1", "--scheduler", scheduler,
        "--out", str(out),
    )  # fmt: skip
    assert code == 0, stderr
    study = optuna.load_study(study_name="sweep", storage=f"sqlite:///{out / 'optuna.db'}")
    done = {t.number: t.params for t in study.trials if t.state.is_finished()}
    recorded = {int(r["trial"]): r for r in rows(out / "results.csv")}
    assert sorted(done) == sorted(recorded) == [0, 1, 2, 3]
    for number, params in done.items():
        row = recorded[number]
        assert params == {"fast": int(row["fast"]), "slow": int(row["slow"])}
    lines = (out / "results.csv").read_text().splitlines(keepends=True)
    (out / "results.csv").write_text("".join(lines[:-1]))  # killed before the last row
    code, stdout, stderr = run_cli(capsys, "sweep", "--resume", str(out), "--scheduler", scheduler)
    assert code == 0, stderr
    assert "4 trial(s), 3 already recorded" in stdout
    assert sorted(int(r["trial"]) for r in rows(out / "results.csv")) == [0, 1, 2, 3]
    assert len(optuna.load_study(study_name="sweep", storage=study._storage).trials) == 4


def test_walk_forward_tests_each_folds_winner_on_the_next_window(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], scheduler: str
) -> None:
    config = make_config(tmp_path)
    out = tmp_path / "s"
    # 600 minute bars from 23:01: 4h training and 2h test windows, stepping 2h -> 3 folds
    code, stdout, stderr = run_cli(
        capsys, "sweep", str(config), "--param", "fast=2,6", "--param", "slow=20",
        "--walk-forward", "train=4h,test=2h", "--scheduler", scheduler, "--out", str(out),
    )  # fmt: skip
    assert code == 0, stderr
    folds = rows(out / "walk_forward.csv")
    assert [(f["train_start"], f["test_start"], f["test_end"]) for f in folds] == [
        ("2021-12-31T23:01:00Z", "2022-01-01T03:01:00Z", "2022-01-01T05:01:00Z"),
        ("2022-01-01T01:01:00Z", "2022-01-01T05:01:00Z", "2022-01-01T07:01:00Z"),
        ("2022-01-01T03:01:00Z", "2022-01-01T07:01:00Z", "2022-01-01T09:01:00Z"),
    ]
    table = rows(out / "table.csv")
    assert [(r["fold"], r["window"]) for r in table] == [
        (str(k), w) for k in range(3) for w in ("train", "train", "test")
    ]
    for fold in folds:  # the test row runs the fold's best training trial
        train = [r for r in table if r["fold"] == fold["fold"] and r["window"] == "train"]
        best = max(train, key=lambda r: float(r["sharpe"]))
        test = next(r for r in table if r["fold"] == fold["fold"] and r["window"] == "test")
        assert (test["trial"], test["fast"]) == (best["trial"], best["fast"])
        assert fold["out_of_sample"] == test["sharpe"]
    curve = rows(out / "oos_equity.csv")
    assert curve[0]["ts"] == "2022-01-01T03:01:00Z"
    assert len(curve) == 3 * 120  # three 2-hour test windows of minute bars
    assert "stitched out-of-sample return" in stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_sweep_runs_on_dask_scheduler_and_worker_processes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "DASK_DISTRIBUTED__LOGGING__DISTRIBUTED": "error"}
    scheduler_cmd = [str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", str(port),
                     "--no-dashboard"]  # fmt: skip
    worker_cmd = [str(BIN / "dask"), "worker", address, "--nworkers", "1", "--nthreads", "1",
                  "--no-dashboard"]  # fmt: skip
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "env": env}
    started = [subprocess.Popen(scheduler_cmd, **quiet)]  # type: ignore[call-overload]
    try:
        started.append(subprocess.Popen(worker_cmd, **quiet))  # type: ignore[call-overload]
        from distributed import Client

        with Client(address, timeout=30) as client:
            client.wait_for_workers(1, timeout=30)
        config = make_config(tmp_path)
        out = tmp_path / "s"
        code, stdout, stderr = run_cli(
            capsys, "sweep", str(config), "--param", "fast=3,5", "--scheduler", address,
            "--out", str(out),
        )  # fmt: skip
        assert code == 0, stderr
        assert f"cluster at {address}, 1 worker(s)" in stdout
        table = rows(out / "table.csv")
        assert [(r["fast"], r["status"]) for r in table] == [("3", "ok"), ("5", "ok")]
        assert {r["worker"] for r in rows(out / "results.csv")} != {""}
    finally:
        for process in reversed(started):
            process.terminate()
            process.wait(timeout=30)
