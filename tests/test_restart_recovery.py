"""What a restart does with what a crash leaves: a torn last line, a corrupt or missing
snapshot, a journal of a newer schema or damaged before its end, a breaker tripped before the
crash, an operator's ``--reset-breakers``, a run folder started with another config, a session
already complete, and data changed under a journal.

A crash is made here by cutting a complete session's journal after its k-th record (what a
kill leaves: every record before it, whole); ``test_restart_after_kill.py`` kills real
processes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from cli_run import run_cli
from kill_after_records import run_logos

from logos.cli import main

SESSION = Path(__file__).parent / "data" / "sessions" / "two_symbols.toml"
ARTIFACTS = ("orders.csv", "trades.csv", "positions.csv", "account.csv")


@pytest.fixture(scope="module")
def complete(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session run to its end, never interrupted (snapshots every 40 slices)."""
    run_dir = tmp_path_factory.mktemp("complete") / "run"
    with pytest.raises(SystemExit) as done:
        main(["trade", str(SESSION), "--run-dir", str(run_dir), "--snapshot-every", "40"])
    assert done.value.code in (0, None)
    return run_dir


def lines(run_dir: Path) -> list[str]:
    return (run_dir / "state.jsonl").read_text().splitlines(keepends=True)


def records(run_dir: Path) -> list[dict]:
    return [json.loads(line) for line in lines(run_dir)]


def crashed(complete: Path, tmp_path: Path, k: int, *, snapshot: bool = False) -> Path:
    """A run folder as a kill after the journal's k-th record leaves it (with the complete
    run's last snapshot when ``snapshot``: one covering more than the journal holds)."""
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / "state.jsonl").write_text("".join(lines(complete)[:k]))
    if snapshot:
        shutil.copy(complete / "state.json", run_dir / "state.json")
    return run_dir


def same_artifacts(run_dir: Path, complete: Path) -> bool:
    return all((run_dir / n).read_bytes() == (complete / n).read_bytes() for n in ARTIFACTS)


def resume(capsys: pytest.CaptureFixture[str], run_dir: Path, *more: str) -> tuple[int, str, str]:
    return run_cli(capsys, "trade", "--resume", str(run_dir), *more)


def test_a_torn_last_line_is_reported_kept_aside_and_ignored(
    complete: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_dir = crashed(complete, tmp_path, 1500)
    torn = lines(complete)[1500][:37]  # the next record, cut short mid-write
    with (run_dir / "state.jsonl").open("a") as fh:
        fh.write(torn)
    code, _, err = resume(capsys, run_dir)
    assert code == 0, err
    assert f"the last line was torn ({len(torn)} bytes, a write cut short); ignored" in err
    assert (run_dir / "state.jsonl.torn").read_text() == torn
    assert same_artifacts(run_dir, complete)
    restart = next(r for r in records(run_dir) if r["type"] == "restart")
    assert restart["data"]["torn_bytes"] == len(torn) and restart["seq"] == 1500


def test_a_corrupt_snapshot_falls_back_to_replaying_the_whole_journal(
    complete: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_dir = crashed(complete, tmp_path, 2000)
    (run_dir / "state.json").write_text('{"v": 1, "session_id": "two_symbols", "seq": 19')
    code, _, err = resume(capsys, run_dir)
    assert code == 0, err
    assert "state.json: not valid JSON" in err and "replaying the whole journal" in err
    assert same_artifacts(run_dir, complete)
    restart = next(r for r in records(run_dir) if r["type"] == "restart")
    assert restart["data"]["snapshot_seq"] is None
    assert restart["data"]["snapshot_problem"].startswith("state.json: not valid JSON")


def test_a_snapshot_ahead_of_the_journal_is_not_used(
    complete: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The journal is the truth: a snapshot covering records the journal lost (a torn
    tail cut) would skip them, so it is set aside for a full replay."""
    run_dir = crashed(complete, tmp_path, 1200, snapshot=True)
    code, _, err = resume(capsys, run_dir)
    assert code == 0, err
    assert "state.json: covers seq" in err and "the journal ends at 1199" in err
    assert same_artifacts(run_dir, complete)


def test_a_journal_of_a_newer_schema_is_refused_and_left_as_it_is(
    complete: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_dir = crashed(complete, tmp_path, 300)
    text = lines(run_dir)
    text[120] = text[120].replace('{"v":1,', '{"v":2,', 1)
    (run_dir / "state.jsonl").write_text("".join(text))
    before = (run_dir / "state.jsonl").read_bytes()
    code, _, err = resume(capsys, run_dir)
    assert code == 1
    assert "state.jsonl, line 121: journal schema version 2 is newer than this logos reads" in err
    assert (run_dir / "state.jsonl").read_bytes() == before
    assert not (run_dir / "orders.csv").exists()


def test_a_damaged_line_before_the_last_is_refused_with_its_line(
    complete: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_dir = crashed(complete, tmp_path, 300)
    text = lines(run_dir)
    text[40] = text[40][:20] + "\n"
    (run_dir / "state.jsonl").write_text("".join(text))
    code, _, err = resume(capsys, run_dir)
    assert code == 1
    assert "state.jsonl, line 41: not a JSON record" in err and "the journal is damaged" in err
    assert "Traceback" not in err


def _trip_seq(complete: Path) -> int:
    return next(r["seq"] for r in records(complete) if r["type"] == "guard_trip")


def test_a_tripped_breaker_stays_tripped_across_a_restart(
    complete: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Killed well after the drawdown breaker tripped (and after a snapshot that holds it):
    the resumed session stays HALTED, sends nothing new, and ends as the uninterrupted one."""
    trip = _trip_seq(complete)
    run_dir = crashed(complete, tmp_path, trip + 200)
    code, _, err = resume(capsys, run_dir, "--snapshot-every", "40")
    assert code == 0, err
    assert same_artifacts(run_dir, complete)
    after = [r for r in records(run_dir) if r["seq"] > trip + 200]
    assert not [r for r in after if r["type"] == "order" and r["data"]["old"] is None]
    assert not [r for r in after if r["type"] == "trading_state"]
    snapshot = json.loads((run_dir / "state.json").read_text())
    assert snapshot["risk"]["trading_state"] == "HALTED"
    assert snapshot["risk"]["tripped"] == ["max_drawdown"]


def test_reset_breakers_is_journaled_with_its_reason_and_trading_resumes(
    complete: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    trip = _trip_seq(complete)
    run_dir = crashed(complete, tmp_path, trip + 200)
    code, out, err = resume(
        capsys, run_dir, "--reset-breakers", "--reason", "drawdown reviewed by ops"
    )
    assert code == 0, err
    assert "breakers reset (drawdown reviewed by ops): max_drawdown" in out
    journal = records(run_dir)
    operator = next(r for r in journal if r["type"] == "operator")
    assert operator["data"] == {
        "action": "reset_breakers",
        "reason": "drawdown reviewed by ops",
        "breakers": ["max_drawdown"],
    }
    after = [r for r in journal if r["seq"] > operator["seq"]]
    assert after[0]["type"] == "trading_state"
    assert after[0]["data"] == {"from": "HALTED", "to": "ACTIVE", "guard": "operator"}
    sent = [r for r in after if r["type"] == "order" and r["data"]["old"] is None]
    assert sent, "trading resumed after the reset"


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--reset-breakers"], "--reset-breakers: give --reason TEXT (it is journaled)"),
        (["--reason", "x"], "--reason: goes with --reset-breakers"),
        (["--reset-breakers", "--reason", "  "], "--reset-breakers: give --reason TEXT"),
    ],
)
def test_reset_breakers_needs_a_reason(
    complete: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    flags: list[str],
    message: str,
) -> None:
    run_dir = crashed(complete, tmp_path, _trip_seq(complete) + 5)
    before = (run_dir / "state.jsonl").read_bytes()
    code, _, err = resume(capsys, run_dir, *flags)
    assert code == 1 and message in err
    assert (run_dir / "state.jsonl").read_bytes() == before


def test_a_new_session_has_no_breakers_to_reset(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(
        capsys,
        "trade",
        str(SESSION),
        "--run-dir",
        str(tmp_path / "new"),
        "--reset-breakers",
        "--reason",
        "x",
    )
    assert code == 1 and "only a resumed session has breakers to reset" in err
    assert not (tmp_path / "new").exists()


def test_the_same_command_again_carries_the_session_on(
    complete: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_dir = crashed(complete, tmp_path, 900)
    code, out, err = run_cli(capsys, "trade", str(SESSION), "--run-dir", str(run_dir))
    assert code == 0, err
    assert "restarts: 1" in " ".join(out.split())
    assert same_artifacts(run_dir, complete)


def test_a_run_folder_is_not_carried_on_with_another_config(
    complete: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_dir = crashed(complete, tmp_path, 900)
    before = (run_dir / "state.jsonl").read_bytes()
    code, _, err = run_cli(
        capsys, "trade", str(SESSION), "--run-dir", str(run_dir), "--param", "fast=4"
    )
    assert code == 1
    assert "holds a session started with another config (different: strategy)" in err
    assert f"logos trade --resume {run_dir}" in err
    assert (run_dir / "state.jsonl").read_bytes() == before


def test_resume_takes_no_config_or_run_flags(
    complete: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_dir = crashed(complete, tmp_path, 900)
    code, _, err = run_cli(capsys, "trade", "--resume", str(run_dir), "--cash", "5")
    assert code == 1 and "--resume: carries on the session as it was configured" in err


def test_a_complete_session_has_nothing_to_resume(
    complete: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_dir = tmp_path / "run"
    shutil.copytree(complete, run_dir)
    for name in ARTIFACTS:
        (run_dir / name).unlink()
    before = (run_dir / "state.jsonl").read_bytes()
    code, out, err = resume(capsys, run_dir)
    assert code == 0, err
    assert "the session completed; nothing to resume" in " ".join(out.split())
    assert (run_dir / "state.jsonl").read_bytes() == before
    assert same_artifacts(run_dir, complete)


STRATEGY = """
import numpy as np
import pandas as pd

from logos.strategies.base import Strategy


class LongFrom(Strategy):
    name = "long_from"

    def warmup_bars(self) -> int:
        return 1

    def window_size(self) -> int | None:
        return None

    def signals(self, bars: pd.DataFrame) -> pd.Series:
        rows = np.arange(len(bars))
        return self._series(np.where(rows >= START, 1.0, 0.0), bars)
"""


def test_a_strategy_changed_under_a_journal_stops_the_restart_at_the_first_difference(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The journal holds what the session did; a resumed session that would act otherwise on
    the same bars (here: its strategy file was edited) is stopped at the first record that
    differs, and nothing is written to the journal but the restart."""
    strategy = tmp_path / "long_from.py"
    strategy.write_text(STRATEGY.replace("START", "100"))
    data = str(SESSION.parent / "two_symbols")
    run_dir = tmp_path / "run"
    argv = ["--data", data, "--symbol", "XRP/ETH", "--strategy", f"{strategy}:LongFrom"]
    code, _, err = run_cli(capsys, "trade", *argv, "--run-dir", str(run_dir))
    assert code == 0, err
    text = lines(run_dir)
    (run_dir / "state.jsonl").write_text("".join(text[:60]))  # killed at the 30th slice
    (run_dir / "state.json").unlink()
    strategy.write_text(STRATEGY.replace("START", "10"))  # now buys at the 10th bar
    code, _, err = resume(capsys, run_dir)
    assert code == 1
    assert "state.jsonl, line " in err
    assert "the resumed session made a 'order' record" in err
    assert "the data, the config or the code changed since the journal was written" in err
    kept = lines(run_dir)
    assert kept[:60] == text[:60]
    assert [json.loads(line)["type"] for line in kept[60:]] == ["restart"]


def test_a_kill_switch_stop_is_carried_on_halted_once_its_file_is_removed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The KILL file appears at an exact point (after the journal's 1200th record): the
    session stops (exit 3) with its artifacts; a restart is refused while the file is there;
    removed, the session carries on to the end of its data HALTED — the kill switch's trip is
    latched like a breaker's — sending nothing new."""
    run_dir = tmp_path / "run"
    kill = str(run_dir / "KILL")
    argv = ("trade", str(SESSION), "--run-dir", str(run_dir), "--snapshot-every", "40")
    risk = ("--risk", "kill_switch:poll_seconds=0")
    assert run_logos(*argv, *risk, kill_after=1200, touch=kill) == 3
    assert (run_dir / "orders.csv").exists()
    before = (run_dir / "state.jsonl").read_bytes()
    code, _, err = resume(capsys, run_dir)
    assert code == 1
    assert f"{kill} exists: the session was stopped with the kill switch; remove the file" in err
    assert (run_dir / "state.jsonl").read_bytes() == before
    Path(kill).unlink()
    code, _, err = resume(capsys, run_dir)
    assert code == 0, err
    assert "still tripped: kill_switch; the session carries on HALTED" in err
    journal = records(run_dir)
    restart = next(r["seq"] for r in journal if r["type"] == "restart")
    after = [r for r in journal if r["seq"] > restart]
    assert not [r for r in after if r["type"] == "order" and r["data"]["old"] is None]
    assert after[-1]["type"] == "session_end" and after[-1]["data"]["reason"] == "completed"
    data = SESSION.parent / "two_symbols"
    last_bar = max(
        line.split(",", 1)[0]
        for name in ("XRP_ETH.csv", "UNITTEST_BTC.csv")
        for line in (data / name).read_text().splitlines()[1:]
    )
    assert (run_dir / "account.csv").read_text().splitlines()[-1].startswith(last_bar)


def test_an_error_mid_session_leaves_artifacts_and_the_fixed_session_carries_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A strategy that raises at its 200th bar (asked bar by bar, as over a live feed): the
    session ends with the error (exit 1), its artifacts written from the journal up to there
    and a ``session_end`` saying why. Fixed, the same session carries on (its signals now
    computed on the whole series: the same numbers) and ends exactly as one that never
    failed."""
    strategy = tmp_path / "long_from.py"
    failing = STRATEGY.replace("START", "100").replace(
        "        rows = np.arange(len(bars))",
        "        if len(bars) >= 200:\n            raise RuntimeError('feed me')\n"
        "        rows = np.arange(len(bars))",
    )
    strategy.write_text(failing)
    data = str(SESSION.parent / "two_symbols")
    argv = ["--data", data, "--symbol", "XRP/ETH", "--strategy", f"{strategy}:LongFrom"]
    run_dir = tmp_path / "run"
    code, _, err = run_cli(capsys, "trade", *argv, "--run-dir", str(run_dir), "--stepwise")
    assert code == 1 and "feed me" in err and "Traceback" not in err
    assert (run_dir / "orders.csv").read_text().count("\n") > 1  # bought at bar 100
    end = records(run_dir)[-1]
    assert end["type"] == "session_end" and end["data"]["reason"] == "error: feed me"
    strategy.write_text(STRATEGY.replace("START", "100"))
    code, _, err = resume(capsys, run_dir)
    assert code == 0, err
    clean = tmp_path / "clean"
    code, _, err = run_cli(capsys, "trade", *argv, "--run-dir", str(clean))
    assert code == 0, err
    assert same_artifacts(run_dir, clean)
