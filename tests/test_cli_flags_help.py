"""`--help` of the commands a user starts with shows human metavars (not Python types such as
``<list[str]>``) and the defaults a flag left out stands for, and those defaults are the
ones the config models really use."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
import typer

from logos.brokers.paper_state import PaperParams
from logos.cli.app import app
from logos.config import RunConfig


def _help(*command: str) -> str:
    """The help as a user's terminal shows it (wide, so no line of it is wrapped)."""
    env = {**os.environ, "TERMINAL_WIDTH": "250"}
    done = subprocess.run(
        [sys.executable, "-m", "logos", *command, "--help"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return done.stdout


@pytest.mark.parametrize("command", [("backtest",), ("check-strategy",)])
def test_help_shows_no_python_types_for_values(command: tuple[str, ...]) -> None:
    text = _help(*command)
    assert "<list[" not in text and "<str>" not in text.split("Options")[1]
    assert "KEY=VALUE" in text


def test_backtest_help_names_every_value_in_words() -> None:
    text = _help("backtest")
    for flag, metavar in [
        ("--data", "PATH"),
        ("--symbol", "SYMBOL"),
        ("--feed", "NAME"),
        ("--broker", "NAME"),
        ("--strategy", "NAME"),
        ("--param", "KEY=VALUE"),
        ("--set", "KEY=VALUE"),
        ("--risk", "NAME[:K=V,...]"),
        ("--out", "DIR"),
    ]:
        assert re.search(rf"{re.escape(flag)}\s+{re.escape(metavar)}\s", text), flag
    assert "[default: (100000)]" in text and "[default: (session)]" in text


def _shown_defaults() -> dict[str, str]:
    backtest = typer.main.get_command(app).commands["backtest"]  # type: ignore[attr-defined]
    return {
        param.name: param.show_default
        for param in backtest.params
        if param.param_type_name == "option" and isinstance(param.show_default, str)
    }


def test_shown_defaults_are_the_models_defaults() -> None:
    shown = _shown_defaults()
    paper = PaperParams.model_fields
    assert shown["cash"] == str(paper["cash"].default)
    assert shown["fee_bps"] == str(paper["fee_bps"].default)
    assert shown["slippage_bps"] == str(paper["slippage_bps"].default)
    assert shown["session_id"] == RunConfig.model_fields["session_id"].default
    assert shown["broker"] == RunConfig.model_fields["broker"].default.name
    sizing = RunConfig.model_fields["sizing"].default
    assert shown["sizing"] == f"{sizing.name}, qty {sizing.params['qty']}"
