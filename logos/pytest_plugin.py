"""The pytest plugin for plugin authors, loaded by pytest through logos' ``pytest11`` entry
point whenever logos is installed (docs/plugins.md, "Testing").

It registers the contract suites of :mod:`logos.testing` for pytest's assertion rewriting,
so a failing contract shows the values it compared rather than a bare ``AssertionError``,
and provides fixtures:

- ``logos_registry``: ``logos_registry("logos_myvenue")`` is a registry of the built-ins and
  exactly the plugins named (:func:`logos.plugins.registry_for`, strict: a plugin's error is
  raised with its traceback);
- ``logos_run_backtest`` / ``logos_run_session``: :func:`logos.testing.run.run_backtest` and
  :func:`logos.testing.run.run_session`, a whole run with its artifacts in memory;
- ``logos_sample_bars``: the shipped NVIDIA daily bars as a strategy's input frame;
- ``logos_clock``: a :class:`~logos.testing.data.ManualClock` at 2024-01-02T14:30Z.

This module lives outside :mod:`logos.testing` on purpose: pytest can only rewrite a module
that is not imported yet, and importing this one must not import that package first.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import TYPE_CHECKING

import pytest

pytest.register_assert_rewrite("logos.testing")

if TYPE_CHECKING:
    import pandas as pd

    from logos.plugins import Registry
    from logos.testing.data import ManualClock


@pytest.fixture
def logos_registry() -> Callable[..., Registry]:
    """``logos_registry(*plugins)``: the built-ins and exactly ``plugins`` (module objects,
    installed entry-point names or dotted module names); a broken plugin raises."""
    from logos.plugins import registry_for

    def make(*plugins: ModuleType | str, strict: bool = True) -> Registry:
        return registry_for(*plugins, strict=strict)

    return make


@pytest.fixture
def logos_run_backtest() -> Callable[..., object]:
    """:func:`logos.testing.run.run_backtest`."""
    from logos.testing.run import run_backtest

    return run_backtest


@pytest.fixture
def logos_run_session() -> Callable[..., object]:
    """:func:`logos.testing.run.run_session` (signals bar by bar, as a live session)."""
    from logos.testing.run import run_session

    return run_session


@pytest.fixture
def logos_sample_bars() -> pd.DataFrame:
    """The shipped NVIDIA daily bars (1999-2014) as ``Strategy.signals`` receives them."""
    from logos.testing.data import sample_bars

    return sample_bars()


@pytest.fixture
def logos_clock() -> ManualClock:
    """A deterministic clock at 2024-01-02T14:30Z (``clock()``, ``clock.sleep(s)``)."""
    from logos.testing.data import ManualClock

    return ManualClock()
