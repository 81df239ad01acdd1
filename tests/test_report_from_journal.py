"""A paper session's artifacts come from its journal alone: they are exactly those the
backtest of the same session writes from memory, ``logos report`` writes them again without
touching the journal, and session.md lists the restarts and operator actions."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from cli_run import run_cli

SESSION = Path(__file__).parent / "data" / "sessions" / "two_symbols.toml"
ARTIFACTS = ("orders.csv", "trades.csv", "positions.csv", "account.csv")


@pytest.fixture(scope="module")
def paper(tmp_path_factory: pytest.TempPathFactory) -> Path:
    run_dir = tmp_path_factory.mktemp("paper") / "run"
    from logos.cli import main

    with pytest.raises(SystemExit) as done:
        main(["trade", str(SESSION), "--run-dir", str(run_dir), "--snapshot-every", "40"])
    assert done.value.code in (0, None)
    return run_dir


@pytest.mark.parametrize("signals", ["--stepwise", "series"])
def test_a_paper_sessions_artifacts_are_its_backtests(
    paper: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], signals: str
) -> None:
    """One engine, one broker: the paper session (journal, rebuilt) and the backtest (from
    memory; signals bar by bar or once on the whole series) write the same bytes."""
    out = tmp_path / "backtest"
    argv = ["backtest", str(SESSION), "--set", "mode=backtest", "--out", str(out)]
    code, _, err = run_cli(capsys, *argv, *([signals] if signals == "--stepwise" else []))
    assert code == 0, err
    for name in ARTIFACTS:
        assert (out / name).read_bytes() == (paper / name).read_bytes(), name


def test_report_writes_the_artifacts_again_from_the_journal_alone(
    paper: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_dir = tmp_path / "run"
    shutil.copytree(paper, run_dir)
    for name in (*ARTIFACTS, "session.md", "state.json"):
        (run_dir / name).unlink()
    journal = (run_dir / "state.jsonl").read_bytes()
    code, out, err = run_cli(capsys, "report", str(run_dir), collapse_out=True)
    assert code == 0, err
    assert "artifacts written from" in out and "0 restart(s)" in out
    for name in (*ARTIFACTS, "session.md"):
        assert (run_dir / name).read_bytes() == (paper / name).read_bytes(), name
    assert (run_dir / "state.jsonl").read_bytes() == journal
    assert not (run_dir / "state.json").exists()


def test_report_of_a_killed_session_says_its_positions_are_from_the_last_checkpoint(
    paper: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    lines = (paper / "state.jsonl").read_text().splitlines(keepends=True)
    (run_dir / "state.jsonl").write_text("".join(lines[:1500]))
    code, _, err = run_cli(capsys, "report", str(run_dir))
    assert code == 0, err
    assert "the session was stopped without ending (killed?): positions.csv is as of" in err
    assert "(the last checkpoint), 12 slice(s) before the last" in err
    assert f"`logos trade --resume {run_dir}` finishes it" in err
    assert (run_dir / "positions.csv").read_text().splitlines()[0].startswith("symbol,qty")


def test_session_md_lists_each_restart_and_operator_action(
    paper: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    text = (paper / "state.jsonl").read_text()
    cut = text.index("\n", text.index('"type":"trading_state"')) + 1
    (run_dir / "state.jsonl").write_text(text[:cut])
    code, _, err = run_cli(
        capsys, "trade", "--resume", str(run_dir), "--reset-breakers", "--reason", "reviewed"
    )
    assert code == 0, err
    md = (run_dir / "session.md").read_text()
    restarts = md.split("## Restarts", 1)[1].split("\n## ", 1)[0]
    assert "\n1\n" in restarts
    assert "slice(s) replayed after the start of the journal (state.json: none written yet)" in (
        restarts
    )
    assert "reset_breakers (max_drawdown), reason: reviewed" in md


@pytest.mark.parametrize(
    ("make", "message"),
    [
        ("backtest_journal", "does not start with a 'session' record"),
        ("missing", "not a folder"),
        ("empty_folder", "no journal here"),
    ],
)
def test_report_refuses_what_is_not_a_sessions_run_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make: str, message: str
) -> None:
    run_dir = tmp_path / "run"
    if make == "backtest_journal":
        argv = ["backtest", str(SESSION), "--set", "mode=backtest", "--journal"]
        code, _, err = run_cli(capsys, *argv, "--out", str(run_dir))
        assert code == 0, err
    elif make == "empty_folder":
        run_dir.mkdir()
    code, _, err = run_cli(capsys, "report", str(run_dir))
    assert code == 1 and message in err and "Traceback" not in err
