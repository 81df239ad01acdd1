"""docs/runbook.md's recovery steps work as written: a real ``logos trade`` paper session of
the shipped example, killed with SIGKILL (or stopped by its kill switch), is carried on by the
commands of the runbook's section 6 (and 7, the breaker reset) with ``RUN_DIR`` replaced by
its run folder; each command succeeds, the messages the runbook quotes are the ones printed,
and the session ends with the artifacts of the same session never interrupted.

Each kill is real: the session runs in its own process, which kills itself right after its
journal's k-th record (``kill_after_records.py``); every command after it is a new process."""

from __future__ import annotations

import json
import re
import shlex
from collections import Counter
from pathlib import Path

import pytest
from kill_after_records import run_logos

ROOT = Path(__file__).resolve().parent.parent
RUNBOOK = (ROOT / "docs" / "runbook.md").read_text(encoding="utf-8")
EXAMPLE = str(ROOT / "examples" / "sma_cross_paper.toml")
ARTIFACTS = ("orders.csv", "trades.csv", "positions.csv", "account.csv")
BEFORE_A_SNAPSHOT = 9000
"""Journal records before the kill: mid-session, before the first snapshot (every 10,000
slices by default), so the whole journal is replayed."""
AFTER_A_SNAPSHOT = 25000
"""Mid-session, after the first snapshot: the resume starts from it, or replays all."""
TORN = b'{"v":1,"seq":999999,"type":"fill","ts":"2022-01-'


def _section(number: int) -> str:
    start = RUNBOOK.index(f"\n## {number}. ")
    end = RUNBOOK.find("\n## ", start + 1)
    return RUNBOOK[start : end if end != -1 else None]


def _commands(number: int) -> list[list[str]]:
    """The ``logos`` commands of the runbook's section ``number``, as argv after ``logos``."""
    commands = []
    for block in re.findall(r"^```[a-z]*\n(.*?)^```", _section(number), re.S | re.M):
        for line in block.splitlines():
            if line.startswith(".venv/bin/logos "):
                commands.append(shlex.split(line)[1:])
    return commands


def _run(argv: list[str], run_dir: Path, log: Path) -> int:
    """A runbook command, RUN_DIR replaced by ``run_dir``, in its own process."""
    return run_logos(*(word.replace("RUN_DIR", str(run_dir)) for word in argv), log=str(log))


def _quoted(start: str, run_dir: Path) -> re.Pattern[str]:
    """The message the runbook's section 6 quotes, beginning with ``start``, as a pattern
    over the real output: RUN_DIR is the run folder, N a number, (...) any detail."""
    cell = next(c for c in re.findall(r"^\| `([^`]+)`", _section(6), re.M) if c.startswith(start))
    pattern = re.escape(cell).replace("RUN_DIR", re.escape(str(run_dir)))
    pattern = pattern.replace(r"\ N\ ", r"\ \d+\ ").replace(r"\(N\ ", r"\(\d+\ ")
    pattern = pattern.replace(r"\(\.\.\.\)", r"\(.*?\)")
    return re.compile(pattern)


def _records(run_dir: Path) -> list[dict]:
    return [json.loads(line) for line in (run_dir / "state.jsonl").read_text().splitlines()]


def _orders_created(run_dir: Path) -> Counter[str]:
    return Counter(
        r["data"]["client_order_id"]
        for r in _records(run_dir)
        if r["type"] == "order" and r["data"]["old"] is None
    )


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    run_dir = tmp_path_factory.mktemp("uninterrupted") / "run"
    assert run_logos("trade", EXAMPLE, "--run-dir", str(run_dir)) == 0
    return run_dir


def _recover(run_dir: Path, log: Path) -> None:
    """Section 6's commands, each succeeding."""
    commands = _commands(6)
    assert [c[:2] for c in commands] == [["trade", "--resume"], ["report", "RUN_DIR"]]
    for argv in commands:
        code = _run(argv, run_dir, log)
        assert code == 0, f"logos {shlex.join(argv)} exited {code}: see {log}"


def _assert_as_uninterrupted(run_dir: Path, uninterrupted: Path) -> None:
    for name in ARTIFACTS:
        assert (run_dir / name).read_bytes() == (uninterrupted / name).read_bytes(), name
    assert _orders_created(run_dir) == _orders_created(uninterrupted), "an order sent twice"
    assert _records(run_dir)[-1]["data"]["reason"] == "completed"


def test_a_killed_session_recovers_with_the_runbooks_commands(
    uninterrupted: Path, tmp_path: Path
) -> None:
    run_dir, log = tmp_path / "run", tmp_path / "output.txt"
    killed = run_logos("trade", EXAMPLE, "--run-dir", str(run_dir), kill_after=BEFORE_A_SNAPSHOT)
    assert killed == -9
    assert not (run_dir / "orders.csv").exists()  # killed: nothing but the journal yet
    _recover(run_dir, log)
    _assert_as_uninterrupted(run_dir, uninterrupted)
    assert [r["type"] for r in _records(run_dir)].count("restart") == 1


def test_a_torn_journal_and_a_corrupt_snapshot_are_said_and_recovered(
    uninterrupted: Path, tmp_path: Path
) -> None:
    run_dir, log = tmp_path / "run", tmp_path / "output.txt"
    killed = run_logos("trade", EXAMPLE, "--run-dir", str(run_dir), kill_after=AFTER_A_SNAPSHOT)
    assert killed == -9
    assert (run_dir / "state.json").is_file(), "the kill point must follow a snapshot"
    with (run_dir / "state.jsonl").open("ab") as journal:
        journal.write(TORN)  # a write cut short by the crash
    (run_dir / "state.json").write_text("{ not json", encoding="utf-8")
    _recover(run_dir, log)
    said = " ".join(log.read_text(encoding="utf-8").split())
    assert _quoted("RUN_DIR/state.jsonl: the last line was torn", run_dir).search(said), said
    assert _quoted("state.json: not valid JSON", run_dir).search(said), said
    assert (run_dir / "state.jsonl.torn").read_bytes() == TORN
    _assert_as_uninterrupted(run_dir, uninterrupted)
    restart = next(r for r in _records(run_dir) if r["type"] == "restart")
    assert restart["data"]["snapshot_seq"] is None  # the whole journal replayed
    assert restart["data"]["torn_bytes"] == len(TORN)


def test_a_kill_switch_stop_is_carried_on_by_removing_kill_and_resetting(
    uninterrupted: Path, tmp_path: Path
) -> None:
    run_dir, log = tmp_path / "run", tmp_path / "output.txt"
    run_dir.mkdir()
    stopped = run_logos(
        "trade",
        EXAMPLE,
        "--run-dir",
        str(run_dir),
        "--risk",
        "kill_switch:poll_seconds=0",  # it looks at every slice: the stop does not race the clock
        kill_after=BEFORE_A_SNAPSHOT,
        touch=str(run_dir / "KILL"),  # the KILL file appears mid-session, as `logos kill` writes it
        log=str(log),
    )
    assert stopped == 3
    resume = _commands(6)[0]
    assert _run(resume, run_dir, log) == 1  # refused while the KILL file is there
    said = " ".join(log.read_text(encoding="utf-8").split())
    assert _quoted("RUN_DIR/KILL exists", run_dir).search(said), said

    (run_dir / "KILL").unlink()  # the runbook's step 2
    [reset] = _commands(7)
    assert "--reset-breakers" in reset
    assert _run(reset, run_dir, log) == 0, f"see {log}"
    said = " ".join(log.read_text(encoding="utf-8").split())
    assert "breakers reset (" in said and ": kill_switch" in said, said

    records = _records(run_dir)
    operator = next(r for r in records if r["type"] == "operator")
    assert operator["data"]["reason"] == reset[reset.index("--reason") + 1]
    assert operator["data"]["breakers"] == ["kill_switch"]
    states = [r["data"]["to"] for r in records if r["type"] == "trading_state"]
    assert states == ["HALTED", "ACTIVE"]
    # the example's kill switch does not flatten, and no order was working at this stop:
    # the session carries on to the very end the uninterrupted one reached
    for name in ("trades.csv", "positions.csv", "account.csv"):
        assert (run_dir / name).read_bytes() == (uninterrupted / name).read_bytes(), name
