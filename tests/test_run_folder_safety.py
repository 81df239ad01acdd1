"""A run folder never loses data: it is checked before any work, an earlier run is never
overwritten without --force (and a user's own files never), and the artifacts appear only
complete — a write error or a Ctrl-C while they are written leaves the folder as it was."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import logos
from logos.cli import main
from logos.errors import LogosError
from logos.reports import SessionMarkdownReporter
from logos.run_folder import ARTIFACTS, RunFolder

LOGOS = str(Path(sys.executable).with_name("logos"))
DATA = Path(logos.__file__).parent / "data" / "btcusdt-perp-1m.csv"
RUN = [
    "backtest", "--data", str(DATA), "--symbol", "BTC/USDT:USDT", "--strategy", "sma_cross",
    "--no-progress",
]  # fmt: skip


def _logos(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([LOGOS, *argv], capture_output=True, text=True, timeout=120)


def _snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (hidden ones too) with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _one_line(text: str) -> str:
    return " ".join(text.split())


def test_a_second_run_into_a_run_folder_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "x"
    first = _logos(*RUN, "--qty", "0.01", "--out", str(out))
    assert first.returncode == 0, first.stderr
    before = _snapshot(tmp_path)
    second = _logos(*RUN, "--qty", "0.02", "--out", str(out))
    assert second.returncode == 1
    message = _one_line(second.stderr)
    assert message.startswith(f"error: --out {out}: already holds a run (orders.csv,")
    assert "--force" in message and "Traceback" not in second.stderr
    assert _snapshot(tmp_path) == before  # not a byte changed, nothing left beside it


def test_force_replaces_the_run_and_keeps_the_users_own_files(tmp_path: Path) -> None:
    out = tmp_path / "x"
    assert _logos(*RUN, "--qty", "0.01", "--out", str(out)).returncode == 0
    (out / "notes.txt").write_text("mine\n")
    old_orders = (out / "orders.csv").read_text()
    again = _logos(*RUN, "--qty", "0.02", "--out", str(out), "--force")
    assert again.returncode == 0, again.stderr
    assert (out / "notes.txt").read_text() == "mine\n"
    new_orders = (out / "orders.csv").read_text()
    assert new_orders != old_orders and ",0.02," in new_orders
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x"]  # no staging or trash left
    written = [*ARTIFACTS[:6], "notes.txt"]  # the default reporters: CSV, session.md and its chart
    assert sorted(p.name for p in out.iterdir()) == sorted(written)


def test_a_folder_without_a_run_is_used_and_its_files_kept(tmp_path: Path) -> None:
    out = tmp_path / "x"
    out.mkdir()
    (out / "README").write_text("my folder\n")
    assert _logos(*RUN, "--qty", "0.01", "--out", str(out)).returncode == 0
    assert (out / "README").read_text() == "my folder\n"
    assert (out / "session.md").exists()


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda t: (t / "f").write_text("x") and t / "f", "{out}: is a file, not a folder"),
        (lambda t: (t / "f").write_text("x") and t / "f" / "sub", "{t}/f is a file, not a folder"),
        (lambda t: Path("/proc/logos-run"), "cannot write in /proc"),
    ],
    ids=["a file", "under a file", "unwritable"],
)
def test_an_unusable_out_folder_is_refused_before_any_work(
    tmp_path: Path, make: Any, expected: str
) -> None:
    out = make(tmp_path)
    before = _snapshot(tmp_path)
    done = _logos(*RUN, "--qty", "0.01", "--out", str(out))
    assert done.returncode == 1
    message = _one_line(done.stderr)
    assert expected.format(out=out, t=tmp_path) in message
    assert "Traceback" not in done.stderr and "unexpected" not in message
    assert _snapshot(tmp_path) == before


def _failing_write(monkeypatch: pytest.MonkeyPatch, error: BaseException) -> None:
    """session.md's writer fails after the CSV reporter wrote its four files."""

    def fail(self: Any, result: Any, out_dir: Path) -> list[Path]:
        (out_dir / "session.md").write_text("half")
        raise error

    monkeypatch.setattr(SessionMarkdownReporter, "write", fail)


@pytest.mark.parametrize(
    ("error", "code", "message"),
    [
        (
            OSError(28, "No space left on device"),
            1,
            "writing the artifacts failed (No space left on device); nothing was changed there",
        ),
        (
            KeyboardInterrupt(),
            130,
            "interrupted: no artifacts were written to {out}; the earlier run there is unchanged",
        ),
    ],
    ids=["write error", "Ctrl-C"],
)
def test_a_failed_or_interrupted_write_leaves_the_earlier_run_intact(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    error: BaseException,
    code: int,
    message: str,
) -> None:
    out = tmp_path / "x"
    with pytest.raises(SystemExit) as first:
        main([*RUN, "--qty", "0.01", "--out", str(out)])
    assert first.value.code in (0, None)
    before = _snapshot(tmp_path)
    capsys.readouterr()
    _failing_write(monkeypatch, error)
    with pytest.raises(SystemExit) as second:
        main([*RUN, "--qty", "0.02", "--out", str(out), "--force"])
    assert second.value.code == code
    assert message.format(out=out) in _one_line(capsys.readouterr().err)
    assert _snapshot(tmp_path) == before  # the first run, whole; no half-written files


def test_publish_moves_all_artifacts_or_none(tmp_path: Path) -> None:
    target = tmp_path / "run"

    def write_two_then_fail(staging: Path) -> list[Path]:
        (staging / "orders.csv").write_text("new")
        raise ValueError("a reporter bug")

    with pytest.raises(ValueError, match="a reporter bug"):
        RunFolder(target).publish(write_two_then_fail)
    assert list(tmp_path.iterdir()) == []  # neither the target nor a staging folder

    written = RunFolder(target).publish(lambda s: [(s / "orders.csv").write_text("1") and s])
    assert written == [target / "orders.csv"] and (target / "orders.csv").read_text() == "1"
    with pytest.raises(LogosError, match="already holds a run"):
        RunFolder(target).check()


PATCHED_RUN = """
import os, signal, sys
from logos.cli import main
from logos.reports import SessionMarkdownReporter

def write(self, result, out_dir):
    (out_dir / "session.md").write_text("half")
    if sys.argv[1] == "sigint":
        os.kill(os.getpid(), signal.SIGINT)  # a real Ctrl-C, mid-write
    raise OSError(28, "No space left on device")

SessionMarkdownReporter.write = write
main(sys.argv[2:])
"""


@pytest.mark.parametrize(
    ("how", "code", "message"),
    [
        ("sigint", 130, "interrupted: no artifacts were written to"),
        ("disk full", 1, "writing the artifacts failed (No space left on device)"),
    ],
)
def test_a_real_process_interrupted_or_failing_mid_write_keeps_the_earlier_run(
    tmp_path: Path, how: str, code: int, message: str
) -> None:
    out = tmp_path / "x"
    assert _logos(*RUN, "--qty", "0.01", "--out", str(out)).returncode == 0
    before = _snapshot(tmp_path)
    done = subprocess.run(
        [sys.executable, "-c", PATCHED_RUN, how, *RUN, "--qty", "0.02", "--out", str(out),
         "--force"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == code, done.stderr
    assert message in _one_line(done.stderr) and "Traceback" not in done.stderr
    assert _snapshot(tmp_path) == before


def test_a_folder_with_a_journal_is_refused_even_with_force(tmp_path: Path) -> None:
    out = tmp_path / "x"
    assert _logos(*RUN, "--qty", "0.01", "--out", str(out), "--journal").returncode == 0
    before = _snapshot(tmp_path)
    again = _logos(*RUN, "--qty", "0.02", "--out", str(out), "--force")
    assert again.returncode == 1
    assert "holds a journal (state.jsonl) of an earlier run" in _one_line(again.stderr)
    assert _snapshot(tmp_path) == before


def test_a_run_that_appears_while_another_runs_is_never_overwritten(tmp_path: Path) -> None:
    target = tmp_path / "run"
    slow = RunFolder(target)
    slow.check()  # the folder was empty when the slow run started ...
    quick = RunFolder(target)
    quick.check()
    quick.publish(lambda s: [(s / "orders.csv").write_text("quick")])  # ... a quick one ended
    with pytest.raises(LogosError, match=r"another run wrote orders\.csv there while") as caught:
        slow.publish(lambda s: [(s / "orders.csv").write_text("slow")])
    assert (target / "orders.csv").read_text() == "quick"
    kept = Path(str(caught.value).rsplit("kept in ", 1)[1])
    assert (kept / "orders.csv").read_text() == "slow"  # nothing of either run is lost
