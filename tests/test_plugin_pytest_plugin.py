"""logos' pytest plugin (the ``pytest11`` entry point): a failing contract shows its values,
and the fixtures a plugin author's tests use exist and work."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

NEVER_FILLS = '''
from decimal import Decimal

from logos.brokers.paper import PaperBroker
from logos.testing.brokers import BrokerContract


class NeverFills(PaperBroker):
    """Accepts orders and never fills them."""

    name = "never_fills"

    def on_bar(self, bar):
        return []


class TestNeverFillsContract(BrokerContract):
    def make_broker(self):
        return NeverFills(cash=Decimal(100000))
'''

FIXTURES = """
import pandas as pd

from logos.testing.data import ManualClock


def test_fixtures(logos_registry, logos_run_backtest, logos_run_session, logos_sample_bars,
                  logos_clock):
    registry = logos_registry()
    assert list(registry.plugins) == ["builtin"]
    assert isinstance(logos_sample_bars, pd.DataFrame) and len(logos_sample_bars) == 4012
    assert isinstance(logos_clock, ManualClock)
    logos_clock.sleep(30)
    assert logos_clock().isoformat() == "2024-01-02T14:30:30+00:00"
    run = logos_run_backtest(strategy="buy_and_hold")
    assert len(run.result.fills) == 1 and "orders.csv" in run.files
    assert len(logos_run_session(strategy="buy_and_hold").result.fills) == 1
"""


def _pytest(tmp_path: Path, source: str, *args: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_author.py").write_text(textwrap.dedent(source), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LOGOS_", "PYTEST_"))}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *args, "test_author.py"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_a_failing_contract_shows_the_values_it_compared(tmp_path: Path) -> None:
    done = _pytest(tmp_path, NEVER_FILLS, "-k", "fills_on_the_next_bar")
    assert done.returncode == 1, done.stdout
    # the rewritten assertion in logos/testing/brokers.py shows both sides
    assert "assert <OrderStatus.ACCEPTED: 'ACCEPTED'> is <OrderStatus.FILLED: 'FILLED'>" in (
        done.stdout
    ), done.stdout[-3000:]


def test_without_the_plugin_the_same_failure_is_a_bare_assertion_error(tmp_path: Path) -> None:
    # the control: what a plugin author saw before logos registered its pytest plugin
    done = _pytest(tmp_path, NEVER_FILLS, "-k", "fills_on_the_next_bar", "-p", "no:logos")
    assert done.returncode == 1, done.stdout
    assert "OrderStatus.ACCEPTED" not in done.stdout
    assert "AssertionError" in done.stdout


def test_the_fixtures_for_plugin_authors(tmp_path: Path) -> None:
    done = _pytest(tmp_path, FIXTURES)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "1 passed" in done.stdout


@pytest.mark.parametrize("fixture", ["logos_registry", "logos_run_backtest", "logos_clock"])
def test_the_core_suite_has_the_fixtures_too(fixture: str, request: pytest.FixtureRequest) -> None:
    assert request.getfixturevalue(fixture) is not None
