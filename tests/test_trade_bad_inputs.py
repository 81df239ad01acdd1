"""Bad inputs to ``logos trade`` and ``logos report``, each through the real command line, and
the signals a paper session can meet (Ctrl-C, SIGTERM).

For every refusal: the exit code (1, or click's 2 for a flag's value), one readable message
naming the file, line or flag at fault and what to do, no traceback, and not a byte of what
was on disk changed (the journal above all), nor a file added. docs/state.md describes the
commands."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cli_run import run_cli
from kill_after_records import run_logos

from logos.cli import main

LOGOS = str(Path(sys.executable).with_name("logos"))
SESSIONS = Path(__file__).parent / "data" / "sessions"
SESSION = SESSIONS / "two_symbols.toml"
ARTIFACTS = ("orders.csv", "trades.csv", "positions.csv", "account.csv")


def config_text(mode: str = "paper") -> str:
    """two_symbols.toml in another folder and mode (its data path made absolute)."""
    text = SESSION.read_text().replace('mode = "paper"', f'mode = "{mode}"')
    return text.replace('path = "two_symbols"', f'path = "{SESSIONS / "two_symbols"}"')


@pytest.fixture(scope="module")
def complete(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session run to its end, never interrupted (snapshots every 40 slices)."""
    run_dir = tmp_path_factory.mktemp("complete") / "run"
    with pytest.raises(SystemExit) as done:
        main(["trade", str(SESSION), "--run-dir", str(run_dir), "--snapshot-every", "40"])
    assert done.value.code in (0, None)
    return run_dir


@pytest.fixture(scope="module")
def backtests(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``bt``: a backtest's artifacts; ``btj``: the same with its ``--journal``."""
    root = tmp_path_factory.mktemp("backtests")
    config = root / "backtest.toml"
    config.write_text(config_text("backtest"))
    for name, more in (("bt", []), ("btj", ["--journal"])):
        with pytest.raises(SystemExit) as done:
            main(["backtest", str(config), "--out", str(root / name), *more])
        assert done.value.code in (0, None)
    assert (root / "btj" / "state.jsonl").is_file()
    return root


def journal_lines(run_dir: Path) -> list[str]:
    return (run_dir / "state.jsonl").read_text().splitlines(keepends=True)


def tree(root: Path) -> dict[str, bytes | None]:
    """Every file and folder under ``root``, with the bytes of each file."""
    return {
        str(p.relative_to(root)): (p.read_bytes() if p.is_file() else None)
        for p in sorted(root.rglob("*"))
    }


@dataclass
class World:
    """What a case sees: the complete session, the backtests, and its own folder."""

    complete: Path
    backtests: Path
    work: Path

    def crashed(self, name: str, k: int, tail: str = "") -> Path:
        """A run folder as a kill after the journal's k-th record leaves it, ``tail`` after."""
        run_dir = self.work / name
        run_dir.mkdir()
        (run_dir / "state.jsonl").write_text("".join(journal_lines(self.complete)[:k]) + tail)
        return run_dir

    def copy(self, source: Path, name: str) -> Path:
        return Path(shutil.copytree(source, self.work / name))

    def write(self, name: str, body: str | bytes) -> Path:
        path = self.work / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(body, bytes):
            path.write_bytes(body)
        else:
            path.write_text(body)
        return path


def torn(world: World, name: str) -> Path:
    """Crashed after 1500 records, with the next one cut short mid-write."""
    return world.crashed(name, 1500, journal_lines(world.complete)[1500][:40])


@dataclass
class Case:
    """One bad input: how its files are made, the arguments (``{w}`` is the case's folder,
    ``{session}`` the sample config), what the one error line must say, the exit code."""

    argv: list[str]
    says: list[str]
    setup: Callable[[World], object] = lambda world: None
    code: int = 1
    never: list[str] = field(default_factory=lambda: ["Traceback", "--force"])


def _mode(mode: str) -> Callable[[World], object]:
    return lambda w: w.write("run.toml", config_text(mode))


def _stale_snapshot(w: World) -> None:
    (w.work / "stale").mkdir()
    shutil.copy(w.complete / "state.json", w.work / "stale" / "state.json")


def _snapshot_folder(w: World) -> None:
    run_dir = w.crashed("run", 1500)
    (run_dir / "state.json").mkdir()
    (run_dir / "state.json" / "keep").write_text("a user's file")


def _killed_with_torn_tail(w: World) -> None:
    (torn(w, "run") / "KILL").write_text("")


ONE_LINE_HEADER = "holds only 100 bytes of a line cut short, not one whole record"
NOT_TRADE = "the journal does not start with a 'session' record; it was not written by logos trade"
CASES: dict[str, Case] = {
    # the config
    "config missing": Case(["trade", "{w}/nope.toml"], ["nope.toml: TOML config file not found"]),
    "config garbage": Case(
        ["trade", "{w}/g.toml"],
        ["g.toml, line 1: not valid TOML"],
        lambda w: w.write("g.toml", "garbage [[[\n"),
    ),
    "config binary": Case(
        ["trade", "{w}/b.toml"], ["b.toml"], lambda w: w.write("b.toml", b"\xff\xfe\x00\x01")
    ),
    "config empty": Case(
        ["trade", "{w}/e.toml"],
        ["e.toml", "symbols: Field required"],
        lambda w: w.write("e.toml", ""),
    ),
    "no config, no flags": Case(["trade"], ["--data: give a bars file"]),
    **{
        f"mode {mode}": Case(
            ["trade", "{w}/run.toml", "--run-dir", "{w}/out"],
            [said],
            _mode(mode),
        )
        for mode, said in (
            (
                "backtest",
                "mode: logos trade runs mode 'paper', 'dry_run' or 'live', not 'backtest'",
            ),
            ("live", "[live-flag] give --live on the command line"),
            ("dry_run", "broker.name: mode dry_run needs a venue broker (alpaca, ccxt)"),
        )
    },
    # --run-dir
    "run dir is a file": Case(
        ["trade", "{session}", "--run-dir", "{w}/afile"],
        ["--run-dir {w}/afile: is a file, not a folder"],
        lambda w: w.write("afile", "mine"),
    ),
    "run dir under a file": Case(
        ["trade", "{session}", "--run-dir", "{w}/afile/run"],
        ["--run-dir {w}/afile/run: {w}/afile is a file, not a folder"],
        lambda w: w.write("afile", "mine"),
    ),
    "run dir unwritable": Case(
        ["trade", "{session}", "--run-dir", "/sys/logos-run"],
        ["--run-dir /sys/logos-run: cannot write in /sys"],
    ),
    "run dir holds a backtest's artifacts": Case(
        ["trade", "{session}", "--run-dir", "{w}/bt"],
        ["--run-dir {w}/bt: already holds a run (orders.csv", "give a new folder"],
        lambda w: w.copy(w.backtests / "bt", "bt"),
    ),
    "run dir holds a backtest's journal": Case(
        ["trade", "{session}", "--run-dir", "{w}/btj"],
        ["{w}/btj/state.jsonl: " + NOT_TRADE],
        lambda w: w.copy(w.backtests / "btj", "btj"),
    ),
    "run dir holds another session id's journal": Case(
        ["trade", "{session}", "--run-dir", "{w}/run", "--session-id", "another"],
        ["{w}/run: holds a session started with another config (different: session_id)"],
        lambda w: w.copy(w.complete, "run"),
    ),
    "run dir holds a torn journal of another config": Case(
        ["trade", "{session}", "--run-dir", "{w}/run", "--cash", "30"],
        ["(different: broker)", "logos trade --resume {w}/run"],
        lambda w: torn(w, "run"),
    ),
    "run dir holds a snapshot without its journal": Case(
        ["trade", "{session}", "--run-dir", "{w}/stale"],
        ["--run-dir {w}/stale: holds state.json but no journal", "give a new folder"],
        _stale_snapshot,
    ),
    # --resume
    "resume a folder without journal": Case(
        ["trade", "--resume", "{w}/empty"],
        ["{w}/empty/state.jsonl: no journal here"],
        lambda w: (w.work / "empty").mkdir(),
    ),
    "resume a folder that does not exist": Case(
        ["trade", "--resume", "{w}/nowhere"], ["{w}/nowhere: not a folder"]
    ),
    "resume a file": Case(
        ["trade", "--resume", "{w}/afile"],
        ["{w}/afile: not a folder"],
        lambda w: w.write("afile", "mine"),
    ),
    "resume an empty journal": Case(
        ["trade", "--resume", "{w}/run"],
        ["{w}/run/state.jsonl: holds nothing, not one whole record", "start the session again"],
        lambda w: w.write("run/state.jsonl", ""),
    ),
    "resume a journal whose header is torn": Case(
        ["trade", "--resume", "{w}/run"],
        ["{w}/run/state.jsonl: " + ONE_LINE_HEADER, "move the file aside"],
        lambda w: w.write("run/state.jsonl", journal_lines(w.complete)[0][:100]),
    ),
    "resume a journal damaged on line 2": Case(
        ["trade", "--resume", "{w}/run"],
        ["{w}/run/state.jsonl, line 2: not a JSON record", "the journal is damaged"],
        lambda w: w.crashed("run", 1, "garbage\n" + journal_lines(w.complete)[1]),
    ),
    "resume a backtest's journal": Case(
        ["trade", "--resume", "{w}/btj"],
        ["{w}/btj/state.jsonl: " + NOT_TRADE],
        lambda w: w.copy(w.backtests / "btj", "btj"),
    ),
    "resume with a snapshot that is a folder": Case(
        ["trade", "--resume", "{w}/run"],
        ["{w}/run/state.json: is not a file", "move it aside"],
        _snapshot_folder,
    ),
    "resume a killed session with a torn tail": Case(
        ["trade", "--resume", "{w}/run"],
        ["{w}/run/KILL exists", "remove the file to carry it on"],
        _killed_with_torn_tail,
    ),
    **{
        f"resume plus {' '.join(more)}": Case(
            ["trade", "--resume", "{w}/run", *more],
            ["--resume: carries on the session as it was configured", f"(given: {given})"],
            lambda w: w.crashed("run", 900),
        )
        for more, given in (
            (["{session}"], "CONFIG"),
            (["--cash", "5"], "--cash"),
            (["--fee-bps", "3"], "--fee-bps"),
            (["--set", "broker.params.cash=5"], "--set"),
            (["--risk", "max_drawdown:limit=0.1"], "--risk"),
            (["--run-dir", "{w}/other"], "--run-dir"),
        )
    },
    # --reset-breakers
    "reset breakers without a reason": Case(
        ["trade", "--resume", "{w}/run", "--reset-breakers"],
        ["--reset-breakers: give --reason TEXT"],
        lambda w: w.crashed("run", 900),
    ),
    "reset breakers with a blank reason": Case(
        ["trade", "--resume", "{w}/run", "--reset-breakers", "--reason", "  "],
        ["--reset-breakers: give --reason TEXT"],
        lambda w: w.crashed("run", 900),
    ),
    "a reason without reset breakers": Case(
        ["trade", "--resume", "{w}/run", "--reason", "why"],
        ["--reason: goes with --reset-breakers"],
        lambda w: w.crashed("run", 900),
    ),
    "reset breakers of a new session": Case(
        ["trade", "{session}", "--run-dir", "{w}/new", "--reset-breakers", "--reason", "why"],
        ["--reset-breakers: only a resumed session has breakers to reset"],
    ),
    "reset breakers of a completed session": Case(
        ["trade", "--resume", "{w}/run", "--reset-breakers", "--reason", "why"],
        ["--reset-breakers: the session in {w}/run completed", "no breakers to reset"],
        lambda w: w.copy(w.complete, "run"),
    ),
    # --snapshot-every, --sync-every: click refuses the value (exit 2)
    **{
        f"{flag} {value}": Case(
            ["trade", "{session}", "--run-dir", "{w}/new", flag, value],
            [f"Invalid value for '{flag}'"],
            code=2,
        )
        for flag, value in (
            ("--snapshot-every", "0"),
            ("--snapshot-every", "-1"),
            ("--snapshot-every", "abc"),
            ("--sync-every", "0"),
        )
    },
    # logos report
    "report a folder that does not exist": Case(
        ["report", "{w}/nowhere"], ["{w}/nowhere: not a folder"]
    ),
    "report a file": Case(
        ["report", "{w}/afile"], ["{w}/afile: not a folder"], lambda w: w.write("afile", "mine")
    ),
    "report a folder without journal": Case(
        ["report", "{w}/empty"],
        ["{w}/empty/state.jsonl: no journal here"],
        lambda w: (w.work / "empty").mkdir(),
    ),
    "report a garbage journal": Case(
        ["report", "{w}/run"],
        ["{w}/run/state.jsonl, line 1: not a JSON record"],
        lambda w: w.write("run/state.jsonl", "garbage\nmore garbage\n"),
    ),
    "report a binary journal": Case(
        ["report", "{w}/run"],
        ["{w}/run/state.jsonl: holds only 3 bytes", "not one whole record"],
        lambda w: w.write("run/state.jsonl", b"\xff\xfe\x00"),
    ),
    "report an empty journal": Case(
        ["report", "{w}/run"],
        ["{w}/run/state.jsonl: holds nothing, not one whole record"],
        lambda w: w.write("run/state.jsonl", ""),
    ),
    "report a journal whose header is torn": Case(
        ["report", "{w}/run"],
        ["{w}/run/state.jsonl: " + ONE_LINE_HEADER],
        lambda w: w.write("run/state.jsonl", journal_lines(w.complete)[0][:100]),
    ),
    "report a backtest's journal": Case(
        ["report", "{w}/btj"],
        ["{w}/btj/state.jsonl: " + NOT_TRADE],
        lambda w: w.copy(w.backtests / "btj", "btj"),
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_a_bad_input_is_refused_with_one_line_and_nothing_changed(
    name: str,
    complete: Path,
    backtests: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    case = CASES[name]
    case.setup(World(complete, backtests, tmp_path))
    before = tree(tmp_path)
    argv = [a.format(w=tmp_path, session=SESSION) for a in case.argv]
    code, out, err = run_cli(capsys, *argv)
    text = out + err
    assert code == case.code, text
    for said in case.says:
        assert said.format(w=tmp_path) in err, err
    for word in case.never:
        assert word not in text, text
    if code == 1:
        assert err.startswith("error: ") and err.count("error:") == 1, err
    assert tree(tmp_path) == before, "a refusal changed or added files"


def test_a_snapshot_of_another_session_is_set_aside_and_the_journal_replayed(
    complete: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_dir = World(complete, complete, tmp_path).crashed("run", 1500)
    snapshot = json.loads((complete / "state.json").read_text())
    snapshot.update(session_id="zzz", seq=100)
    (run_dir / "state.json").write_text(json.dumps(snapshot))
    journaled = (run_dir / "state.jsonl").read_bytes()
    code, _, err = run_cli(capsys, "trade", "--resume", str(run_dir))
    assert code == 0, err
    assert "state.json: belongs to session 'zzz'; replaying the whole journal" in err
    assert (run_dir / "state.jsonl").read_bytes().startswith(journaled)
    for name in ARTIFACTS:
        assert (run_dir / name).read_bytes() == (complete / name).read_bytes(), name


def _interrupted(run_dir: Path, signum: int, after_records: int) -> subprocess.CompletedProcess:
    """``logos trade`` in a real process, sent ``signum`` once its journal holds
    ``after_records`` lines."""
    argv = [LOGOS, "trade", str(SESSION), "--run-dir", str(run_dir), "--snapshot-every", "40"]
    child = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    journal = run_dir / "state.jsonl"
    deadline = time.monotonic() + 120
    while child.poll() is None and time.monotonic() < deadline:
        if journal.is_file() and journal.read_bytes().count(b"\n") >= after_records:
            break
        time.sleep(0.002)
    child.send_signal(signum)
    out, err = child.communicate(timeout=120)
    return subprocess.CompletedProcess(argv, child.returncode, out, err)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_writes_the_artifacts_exits_130_and_resume_finishes_the_session(
    signum: int, complete: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_dir = tmp_path / "run"
    done = _interrupted(run_dir, signum, 1500)
    assert done.returncode == 130, done.stderr
    assert "Traceback" not in done.stderr
    assert " ".join(done.stderr.split()) == (
        f"interrupted: {run_dir} holds the journal and the artifacts up to the stop; "
        f"`logos trade --resume {run_dir}` carries on"
    )
    for name in (*ARTIFACTS, "session.md"):
        assert (run_dir / name).is_file(), name
    last = json.loads(journal_lines(run_dir)[-1])
    assert last["type"] == "session_end" and last["data"]["reason"] == "interrupted"
    # the slice in progress was finished: the signal lands between two slices
    ends = [json.loads(line)["type"] for line in journal_lines(run_dir)[-3:]]
    assert ends == ["account", "positions", "session_end"]
    stopped = len(journal_lines(run_dir))
    assert stopped < len(journal_lines(complete)), "the signal came after the session ended"
    journaled = (run_dir / "state.jsonl").read_bytes()
    code, _, err = run_cli(capsys, "trade", "--resume", str(run_dir))
    assert code == 0, err
    assert (run_dir / "state.jsonl").read_bytes().startswith(journaled)
    for name in ARTIFACTS:
        assert (run_dir / name).read_bytes() == (complete / name).read_bytes(), name


def test_a_snapshot_of_another_run_of_the_same_session_is_not_trusted(
    complete: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "other"  # the same session id, another starting cash, killed mid-way
    killed = run_logos(
        "trade", str(SESSION), "--run-dir", str(other), "--cash", "30", "--snapshot-every", "40",
        kill_after=1200,
    )  # fmt: skip
    assert killed == -signal.SIGKILL
    covered = json.loads((other / "state.json").read_text())["seq"]
    run_dir = World(complete, complete, tmp_path).crashed("run", covered + 1)
    shutil.copy(other / "state.json", run_dir / "state.json")
    code, _, err = run_cli(capsys, "trade", "--resume", str(run_dir))
    if code == 0:  # the foreign snapshot set aside, the journal replayed: the same session
        for name in ARTIFACTS:
            assert (run_dir / name).read_bytes() == (complete / name).read_bytes(), name
    else:
        assert code == 1 and "state.json" in err, err


def test_a_snapshot_whose_broker_state_does_not_load_falls_back_to_replaying(
    complete: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_dir = World(complete, complete, tmp_path).crashed("run", 1500)
    checkpoints = [
        json.loads(line)["seq"] for line in journal_lines(run_dir) if '"type":"positions"' in line
    ]
    snapshot = json.loads((complete / "state.json").read_text())
    snapshot.update(seq=checkpoints[-1], broker={})
    (run_dir / "state.json").write_text(json.dumps(snapshot))
    code, _, err = run_cli(capsys, "trade", "--resume", str(run_dir))
    assert code == 0, err
    assert "state.json" in err and "replaying the whole journal" in err
    assert "unexpected error" not in err


def test_a_session_started_with_a_relative_config_path_resumes_from_another_folder(
    complete: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:
    run_dir = tmp_path / "run"
    monkeypatch.chdir(SESSIONS)
    code, _, err = run_cli(capsys, "trade", SESSION.name, "--run-dir", str(run_dir))
    assert code == 0, err
    (run_dir / "state.jsonl").write_text("".join(journal_lines(run_dir)[:900]))
    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli(capsys, "trade", "--resume", str(run_dir))
    assert code == 0, err
    for name in ARTIFACTS:
        assert (run_dir / name).read_bytes() == (complete / name).read_bytes(), name


def test_a_true_snapshot_whose_broker_state_is_damaged_is_set_aside(
    complete: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The snapshot is this journal's (same header, same record at its seq) but its broker
    part does not load: it is set aside before anything runs, and the whole journal replayed."""
    run_dir = tmp_path / "run"
    argv = ("trade", str(SESSION), "--run-dir", str(run_dir), "--snapshot-every", "40")
    code, _, err = run_cli(capsys, *argv, "--max-bars", "200")
    assert code == 0, err
    snapshot = json.loads((run_dir / "state.json").read_text())
    snapshot["broker"]["ledger"] = "not a ledger"
    (run_dir / "state.json").write_text(json.dumps(snapshot))
    code, _, err = run_cli(capsys, "trade", "--resume", str(run_dir))
    assert code == 0, err
    assert "state.json: its broker state does not load" in err
    assert "replaying the whole journal" in err and "unexpected error" not in err
    for name in ARTIFACTS:
        assert (run_dir / name).read_bytes() == (complete / name).read_bytes(), name
