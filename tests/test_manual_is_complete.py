"""docs/manual.md says what the code does, and only that: every command and option of the
``logos`` app has a row in its command's table (with its default), and every row names one
that exists; every key of the run config and every param of every shipped component is
documented (with its default), and nothing documented there is missing from the code. The
README's tour keeps its steps (tests/test_docs_commands.py runs each as written).

The expected sets come from the code itself — the Typer app, the pydantic models of the run
config and the component registry — so a new option, key or param fails here until the
manual documents it."""

from __future__ import annotations

import enum
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import typer
from pydantic import BaseModel

from logos.cli import app
from logos.config import ComponentRef, Mode, RunConfig
from logos.plugins import get_registry
from logos.sizing import SIZING_PARAMS
from logos.state.journal import RECORD_TYPES
from logos.strategies.targets import ExitSpec, Protection
from logos.sweep.table import SweepTable

ROOT = Path(__file__).resolve().parent.parent
MANUAL = ROOT / "docs" / "manual.md"
HEADING = re.compile(r"^(#{2,4}) (.+)$", re.M)
COMMAND_HEADING = re.compile(r"^`logos((?: [a-z-]+)*)`(?: \(global options\))?$")
COMPONENT_HEADING = re.compile(r"^(feed|broker|strategy|risk_guard|reporter|sizing) `(\w+)`$")


@dataclass(frozen=True)
class Row:
    """A table row of the manual: the backticked names of its first cell, the whole first
    cell and its last cell (the default), backticks removed."""

    names: tuple[str, ...]
    first: str
    default: str


def _sections(text: str) -> dict[str, str]:
    """Heading text -> the text under it, up to the next heading of any level."""
    marks = list(HEADING.finditer(text))
    return {
        m.group(2).strip(): text[m.end() : marks[i + 1].start() if i + 1 < len(marks) else None]
        for i, m in enumerate(marks)
    }


def _rows(body: str) -> Iterator[Row]:
    for line in body.splitlines():
        if not line.startswith("| `"):
            continue
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
        yield Row(
            tuple(re.findall(r"`([^`]+)`", cells[0])),
            cells[0].replace("`", ""),
            cells[-1].replace("`", "").replace("\\|", "|"),
        )


TEXT = MANUAL.read_text(encoding="utf-8")
SECTIONS = _sections(TEXT)


# -- commands and options ------------------------------------------------------------------


def _commands() -> dict[str, Any]:
    """Every command of the app by its words (``""``: the app itself, for its global
    options), groups left out (they have no options of their own)."""
    found: dict[str, Any] = {}

    def walk(node: Any, words: tuple[str, ...]) -> None:
        if not hasattr(node, "commands"):
            found[" ".join(words)] = node
            return
        if not words:
            found[""] = node
        for name, sub in node.commands.items():
            walk(sub, (*words, name))

    walk(typer.main.get_command(app), ())
    return found


COMMANDS = _commands()


def _documented_commands() -> dict[str, str]:
    """Command words -> its section of the manual."""
    found = {}
    for heading, body in SECTIONS.items():
        match = COMMAND_HEADING.match(heading)
        if match:
            found[match.group(1).strip()] = body
    return found


DOCUMENTED = _documented_commands()


def _label(param: Any) -> set[str]:
    """What the manual's first cell names for a click parameter."""
    if param.param_type_name == "argument":
        return {(param.metavar or param.name.upper()).strip("[]")}
    return {*param.opts, *param.secondary_opts}


def _row_names(row: Row) -> set[str]:
    """The options (``--data``) and arguments (``CONFIG``) a row's first cell names."""
    names = set(re.findall(r"--[a-z][a-z-]*", row.first))
    names.update(n for n in row.names if re.fullmatch(r"\[?[A-Z][A-Z_]*\]?", n))
    return {n.strip("[]") for n in names}


def _expected_default(param: Any) -> str | None:
    """The text the default cell must hold (None: nothing to check)."""
    if param.required:
        return "required"
    if getattr(param, "is_flag", False):
        return "on" if param.default else "off"
    shown = getattr(param, "show_default", None)
    if isinstance(shown, str):
        return shown
    if param.default in (None, "", [], ()):
        return None
    return str(param.default)


def test_the_manual_has_a_section_for_every_command() -> None:
    missing = sorted(set(COMMANDS) - set(DOCUMENTED))
    assert missing == [], f"docs/manual.md: no section for logos {missing}"


def test_every_command_the_manual_names_exists() -> None:
    unknown = sorted(set(DOCUMENTED) - set(COMMANDS))
    assert unknown == [], f"docs/manual.md documents logos {unknown}, which do not exist"


@pytest.mark.parametrize("words", sorted(COMMANDS), ids=lambda w: f"logos {w}".strip())
def test_every_option_of_a_command_is_in_its_table_with_its_default(words: str) -> None:
    body = DOCUMENTED.get(words)
    if body is None:
        pytest.fail(f"docs/manual.md: no section for logos {words}")
    rows = list(_rows(body))
    for param in COMMANDS[words].params:
        label = _label(param)
        row = next((r for r in rows if label <= _row_names(r)), None)
        assert row is not None, f"logos {words}: {sorted(label)} is not in its table"
        default = _expected_default(param)
        if default is not None:
            assert default in row.default, (
                f"logos {words} {sorted(label)}: the manual's default {row.default!r} does "
                f"not say {default!r}"
            )


@pytest.mark.parametrize("words", sorted(DOCUMENTED), ids=lambda w: f"logos {w}".strip())
def test_every_option_the_manual_lists_exists(words: str) -> None:
    command = COMMANDS.get(words)
    if command is None:
        pytest.fail(f"docs/manual.md: logos {words} does not exist")
    known = set().union(*(_label(p) for p in command.params)) if command.params else set()
    for row in _rows(DOCUMENTED[words]):
        unknown = _row_names(row) - known
        assert not unknown, f"docs/manual.md, logos {words}: {sorted(unknown)} do not exist"


# -- the run config ------------------------------------------------------------------------


def _config_rows() -> dict[str, Row]:
    """Every key row of section 2 (the run config), by key."""
    start = TEXT.index("## 2. The run config")
    end = TEXT.index("\n## 3.", start)
    return {row.names[0]: row for row in _rows(TEXT[start:end]) if row.names}


def _config_keys() -> dict[str, Any]:
    """Every key of a run config -> its pydantic field (the shape tests document)."""
    keys: dict[str, Any] = dict(RunConfig.model_fields)
    for table in ("feed", "broker", "strategy", "sizing"):
        keys.update({f"{table}.{k}": f for k, f in ComponentRef.model_fields.items()})
    for table in ("risk", "reporters"):
        keys.update({f"{table}[].{k}": f for k, f in ComponentRef.model_fields.items()})
    keys.update({f"exits.{k}": f for k, f in Protection.model_fields.items()})
    keys.update({f"exits.*.{k}": f for k, f in ExitSpec.model_fields.items()})
    keys.update({f"sweep.{k}": f for k, f in SweepTable.model_fields.items()})
    return keys


def _default_text(value: Any) -> str | None:
    """How the manual writes a simple default (None: not one to check word for word)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, int | float | Decimal | str) and value != "":
        return str(value)
    return None


def _check_default(where: str, field: Any, row: Row) -> None:
    if field.is_required():
        assert "required" in row.default, f"{where}: required, the manual says {row.default!r}"
        return
    text = None if field.default_factory is not None else _default_text(field.default)
    if text is not None:
        assert text in row.default, f"{where}: default {text!r}, the manual says {row.default!r}"


def test_every_config_key_is_documented_with_its_default() -> None:
    rows = _config_rows()
    for key, field in _config_keys().items():
        assert key in rows, f"docs/manual.md, section 2: no row for config key {key}"
        _check_default(f"config key {key}", field, rows[key])


def test_every_config_key_the_manual_documents_exists() -> None:
    unknown = sorted(set(_config_rows()) - set(_config_keys()))
    assert unknown == [], f"docs/manual.md, section 2: {unknown} are not config keys"


# -- components ----------------------------------------------------------------------------


def _components() -> dict[tuple[str, str], type[BaseModel]]:
    """(kind, name) -> params model, for every component shipped (and every sizing rule)."""
    found: dict[tuple[str, str], type[BaseModel]] = {
        ("sizing", name): model for name, model in SIZING_PARAMS.items()
    }
    for entry in get_registry().entries():
        found[(str(entry.kind), entry.name)] = entry.cls.Params
    return found


def _documented_components() -> dict[tuple[str, str], str]:
    found = {}
    for heading, body in SECTIONS.items():
        match = COMPONENT_HEADING.match(heading)
        if match:
            found[(match.group(1), match.group(2))] = body
    return found


COMPONENTS = _components()
COMPONENT_DOCS = _documented_components()


def test_the_registry_lists_what_the_repository_ships() -> None:
    """The loop below must see the plugins' components too, not only the built-ins."""
    assert {("broker", "paper"), ("broker", "ccxt"), ("feed", "yfinance")} <= set(COMPONENTS)


@pytest.mark.parametrize("key", sorted(COMPONENTS), ids=lambda k: f"{k[0]}-{k[1]}")
def test_every_component_param_is_documented_with_its_default(key: tuple[str, str]) -> None:
    body = COMPONENT_DOCS.get(key)
    assert body is not None, f"docs/manual.md: no section '#### {key[0]} `{key[1]}`'"
    rows = {row.names[0]: row for row in _rows(body) if row.names}
    fields = COMPONENTS[key].model_fields
    for name, field in fields.items():
        assert name in rows, f"docs/manual.md, {key[0]} {key[1]}: param {name} is missing"
        _check_default(f"{key[0]} {key[1]} param {name}", field, rows[name])
    unknown = sorted(set(rows) - set(fields))
    assert unknown == [], f"docs/manual.md, {key[0]} {key[1]}: {unknown} are not its params"


def test_every_component_the_manual_documents_exists() -> None:
    unknown = sorted(set(COMPONENT_DOCS) - set(COMPONENTS))
    assert unknown == [], f"docs/manual.md documents {unknown}, which are not shipped"


# -- modes and journal records --------------------------------------------------------------


def _first_cells(number: int) -> set[str]:
    """The backticked first cells of the table rows of section ``number``."""
    start = TEXT.index(f"\n## {number}. ")
    end = TEXT.find("\n## ", start + 1)
    return {row.names[0] for row in _rows(TEXT[start : end if end != -1 else None]) if row.names}


def test_the_manual_lists_every_mode_and_no_other() -> None:
    assert _first_cells(4) == {mode.value for mode in Mode}


def test_the_manual_lists_every_journal_record_type_and_no_other() -> None:
    assert _first_cells(9) == set(RECORD_TYPES)


# -- the README's tour -----------------------------------------------------------------------


def test_the_readme_tour_keeps_its_steps() -> None:
    """A backtest on the shipped data, a paper session, the report, the runs, a sweep and
    the plugins: each a command of the README (tests/test_docs_commands.py runs them)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"^\.venv/bin/logos ([a-z-]+(?: [a-z]+)?)", readme, re.M)
    steps = {"backtest", "trade", "report", "runs list", "sweep", "plugins list"}
    found = {c if c.split()[0] in ("runs", "plugins") else c.split()[0] for c in commands}
    assert steps <= found, f"README.md: the tour misses {sorted(steps - found)}"
    assert "logos/data/" in readme or "examples/" in readme, "the tour runs on shipped data"
