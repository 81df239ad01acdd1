"""The ``logos`` command line: one module per command group, registered on one Typer app."""

import logos.cli.backtest_cmd  # registers backtest
import logos.cli.feed_cmd  # registers feed record
import logos.cli.kill_cmd  # registers kill
import logos.cli.strategy_cmd  # noqa: F401 - registers check-strategy
from logos.cli import plugins_cmd, validate_cmd  # noqa: F401 - registers the commands
from logos.cli.app import app, main

__all__ = ["app", "main"]
