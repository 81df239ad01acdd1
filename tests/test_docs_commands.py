"""Every command in README.md and docs/*.md works as pasted from the repository root: it is
written as ``.venv/bin/logos ...``, its subcommand and every option exist, every repository
file it names exists, and those that need no network or placeholder run with exit code 0."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import typer

from logos.cli import main
from logos.cli.app import app

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
PROGRAM = ".venv/bin/logos"
PLACEHOLDERS = ("...", "path/to/", "my_package.", "bars.csv", "data/rec", "RUN_DIR")
"""Tokens of commands that show a form to adapt, not a command to paste (docs/runbook.md's
``RUN_DIR`` commands are run by tests/test_runbook_recovery.py)."""
NEEDS_NETWORK = (("feed", "record"), ("check-credentials",))  # and credentials
FENCE = re.compile(r"^```[a-z]*\n(.*?)^```", re.S | re.M)


@dataclass(frozen=True)
class DocCommand:
    page: str
    argv: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.page}: {shlex.join(self.argv)}"


def _doc_commands() -> list[DocCommand]:
    commands = []
    for page in PAGES:
        for block in FENCE.findall(page.read_text(encoding="utf-8")):
            for line in block.replace("\\\n", " ").splitlines():
                if re.match(r"^\s*(\S*/)?logos\s", line):
                    words = tuple(shlex.split(line, comments=True))
                    commands.append(DocCommand(page.relative_to(ROOT).as_posix(), words))
    return commands


COMMANDS = _doc_commands()


def _command(argv: tuple[str, ...]) -> tuple[Any, list[str]]:
    """The click command ``argv`` runs, and the words after its name."""
    node: Any = typer.main.get_command(app)
    rest = list(argv[1:])
    while hasattr(node, "commands") and rest and rest[0] in node.commands:
        node = node.commands[rest.pop(0)]
    return node, rest


def _is_placeholder(command: DocCommand) -> bool:
    return any(marker in word for word in command.argv for marker in PLACEHOLDERS)


def test_the_docs_hold_commands() -> None:
    pages = {command.page for command in COMMANDS}
    assert {"README.md", "docs/backtest.md", "docs/strategies.md"} <= pages
    assert len(COMMANDS) >= 10


@pytest.mark.parametrize("command", COMMANDS, ids=str)
def test_a_doc_command_runs_from_the_repository_root(command: DocCommand) -> None:
    assert command.argv[0] == PROGRAM, f"{command}: write {PROGRAM} (works without activating)"


@pytest.mark.parametrize("command", COMMANDS, ids=str)
def test_a_doc_commands_subcommand_and_options_exist(command: DocCommand) -> None:
    node, rest = _command(command.argv)
    assert not hasattr(node, "commands"), f"{command}: no such subcommand"
    known = {"--help"}
    for param in node.params:
        known.update(param.opts, param.secondary_opts)
    for word in rest:
        if word.startswith("--"):
            assert word.split("=")[0] in known, f"{command}: {word} is not an option"


@pytest.mark.parametrize("command", [c for c in COMMANDS if not _is_placeholder(c)], ids=str)
def test_the_repository_files_a_doc_command_names_exist(command: DocCommand) -> None:
    for word in command.argv[1:]:
        word = word.split("=")[-1].split(":")[0]
        if re.match(r"^(examples|logos|tests|docs|plugins)/", word):
            assert (ROOT / word).exists(), f"{command}: {word} does not exist"


RUNNABLE = [
    c
    for c in COMMANDS
    if not _is_placeholder(c) and not any(c.argv[1 : 1 + len(n)] == n for n in NEEDS_NETWORK)
]


@pytest.mark.parametrize("command", RUNNABLE, ids=str)
def test_a_doc_command_works_as_pasted(
    command: DocCommand,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(ROOT)
    argv = list(command.argv[1:])
    if argv[0] in ("backtest", "sweep"):
        argv += ["--out", str(tmp_path / "run")]  # the last --out wins: the repo stays clean
    if argv[0] in ("trade", "report"):  # a run folder in tmp_path, not the repository
        run_dir = str(tmp_path / "run")
        argv = _run_dir_in(argv, run_dir)
        if "--resume" in argv or argv[0] == "report":  # first, the session to carry on
            with pytest.raises(SystemExit) as started:
                main(["trade", "examples/sma_cross_paper.toml", "--run-dir", run_dir])
            assert started.value.code in (0, None)
    try:
        main(argv)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    assert code == 0, f"{command}: {captured.err}"


def _run_dir_in(argv: list[str], run_dir: str) -> list[str]:
    """``argv`` with the run folder it names (after --run-dir or --resume, or ``report``'s
    argument) replaced by ``run_dir``."""
    named = {i + 1 for i, word in enumerate(argv) if word in ("--run-dir", "--resume")}
    if argv[0] == "report":
        named.add(1)
    return [run_dir if i in named else word for i, word in enumerate(argv)]


@pytest.mark.parametrize(
    "target", sorted(set(re.findall(r"`make (\w+)`", (ROOT / "README.md").read_text())))
)
def test_the_make_targets_the_readme_names_exist(target: str) -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(rf"^{target}:", makefile, re.M), f"make {target}"
