"""The ``logos`` command line: one module per command group, registered on one Typer app."""

import logos.cli.backtest_cmd  # registers backtest
import logos.cli.credentials_cmd  # registers check-credentials
import logos.cli.feed_cmd  # registers feed record
import logos.cli.kill_cmd  # registers kill
import logos.cli.new_cmd  # registers plugins new
import logos.cli.report_cmd  # registers report
import logos.cli.runs_cmd  # registers runs list
import logos.cli.strategy_cmd  # registers check-strategy
import logos.cli.sweep_cmd  # registers sweep
import logos.cli.trade_cmd  # noqa: F401 - registers trade
from logos.cli import plugins_cmd, validate_cmd  # noqa: F401 - registers the commands
from logos.cli.app import app, main

__all__ = ["app", "main"]
