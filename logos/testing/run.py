"""Run a whole session in a test, in memory: ``run_backtest(strategy="my_strategy")``.

The run goes through the same path as ``logos backtest``: the config is validated against
a registry (with every problem reported as ``logos validate`` would), the session is built
and run by the engine, and every reporter writes its artifacts, into a temporary folder that
is read back and removed. So an end-to-end test of a plugin needs neither the command line
nor ``SystemExit``, and leaves nothing behind (docs/plugins.md, "Testing").

The default config is a backtest of the shipped NVIDIA daily bars (:mod:`logos.testing.data`)
with the paper broker, ``buy_and_hold`` and a fixed quantity of 1; name your own components
to replace any part, or pass a whole config.
"""

from __future__ import annotations

import copy
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from logos.config import anchor_paths, apply_overrides, read_config_file, validate_config
from logos.plugins import Registry, registry_for
from logos.reports.result import SessionResult
from logos.testing.data import SAMPLES, sample_path

ComponentSpec = str | Mapping[str, Any]
"""A component for a config: its name, or ``{"name": ..., "params": {...}}``."""


def sample_config(sample: str = "nvda-1d") -> dict[str, Any]:
    """A backtest of a shipped sample series (:data:`logos.testing.data.SAMPLES`): replay
    feed, paper broker with 100 000 cash, ``buy_and_hold``, fixed quantity 1."""
    _, symbol, timeframe = SAMPLES[sample]
    return {
        "mode": "backtest",
        "session_id": "test",
        "symbols": [symbol],
        "timeframe": timeframe,
        "feed": {"name": "replay", "params": {"path": str(sample_path(sample))}},
        "broker": {"name": "paper", "params": {"cash": "100000"}},
        "strategy": {"name": "buy_and_hold", "params": {}},
        "sizing": {"name": "fixed_qty", "params": {"qty": "1"}},
    }


@dataclass
class RunArtifacts:
    """What a run left: the engine's :class:`SessionResult` and every artifact's text.

    ``files`` maps each artifact's file name (``orders.csv``, ``session.md`` ...) to its
    content, decoded as UTF-8 (``binary`` holds the files that are not text).
    """

    result: SessionResult
    files: dict[str, str] = field(default_factory=dict)
    binary: dict[str, bytes] = field(default_factory=dict)
    config: dict[str, Any] = field(default_factory=dict)

    def rows(self, name: str) -> list[dict[str, str]]:
        """The rows of a CSV artifact as dicts of column -> text."""
        import csv

        return list(csv.DictReader(self.files[name].splitlines()))


def _component(spec: ComponentSpec) -> dict[str, Any]:
    if isinstance(spec, str):
        return {"name": spec, "params": {}}
    return {"params": {}, **dict(spec)}


def build_config(
    config: Mapping[str, Any] | str | Path | None = None,
    *,
    feed: ComponentSpec | None = None,
    broker: ComponentSpec | None = None,
    strategy: ComponentSpec | None = None,
    sizing: ComponentSpec | None = None,
    risk: Iterable[ComponentSpec] | None = None,
    reporters: Iterable[ComponentSpec] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The config a run uses: ``config`` (a dict, or a TOML file whose relative paths are
    taken from its folder, as ``logos backtest`` does; default :func:`sample_config`), with
    the components given replacing its own, then the dotted ``overrides``
    (``{"strategy.params.fast": 5}``, as ``--set`` gives them)."""
    if config is None:
        data = sample_config()
    elif isinstance(config, str | Path):
        data = read_config_file(config)
        anchor_paths(data, Path(config).parent)
    else:
        data = copy.deepcopy(dict(config))
    for key, spec in (("feed", feed), ("broker", broker), ("strategy", strategy)):
        if spec is not None:
            data[key] = _component(spec)
    if sizing is not None:
        data["sizing"] = _component(sizing)
    if risk is not None:
        data["risk"] = [_component(s) for s in risk]
    if reporters is not None:
        data["reporters"] = [_component(s) for s in reporters]
    return apply_overrides(data, dict(overrides or {}))


def run_session(
    config: Mapping[str, Any] | str | Path | None = None,
    *,
    plugins: Iterable[ModuleType | str] = (),
    registry: Registry | None = None,
    stepwise: bool = True,
    **components: Any,
) -> RunArtifacts:
    """Run a session bar by bar, as a paper or live session computes signals
    (``Strategy.update`` for every bar), and return its artifacts in memory.

    ``plugins`` are loaded next to the built-ins with :func:`logos.plugins.registry_for`
    (module objects, installed entry-point names or dotted module names); ``registry``
    replaces that registry altogether. The keyword arguments of :func:`build_config`
    (``strategy=``, ``broker=``, ``overrides=`` ...) shape the config. A bad config raises
    the same :class:`~logos.errors.ConfigError` ``logos validate`` reports.
    """
    from logos.session import build_session, write_artifacts
    from logos.session import run_session as run_built

    data = build_config(config, **components)
    registry = registry if registry is not None else registry_for(*plugins)
    validated = validate_config(data, registry, source="test config")
    with tempfile.TemporaryDirectory(prefix="logos-test-run-") as tmp:
        out = Path(tmp)
        session = build_session(
            validated, registry, timeframe_given="timeframe" in data, run_dir=out / "run"
        )
        try:
            result = run_built(session, stepwise=stepwise)
        finally:
            session.feed.close()
        artifacts = RunArtifacts(result=result, config=data)
        for path in sorted(write_artifacts(session, result, out / "out")):
            content = path.read_bytes()
            try:
                artifacts.files[path.name] = content.decode("utf-8")
            except UnicodeDecodeError:
                artifacts.binary[path.name] = content
    return artifacts


def run_backtest(
    config: Mapping[str, Any] | str | Path | None = None,
    *,
    plugins: Iterable[ModuleType | str] = (),
    registry: Registry | None = None,
    **components: Any,
) -> RunArtifacts:
    """Run a backtest (signals computed once on the whole series, as ``logos backtest``
    does) and return its artifacts in memory; the arguments are :func:`run_session`'s.

    Three lines test a plugin end to end::

        run = run_backtest(plugins=["logos_myvenue"], broker="myvenue")
        assert run.result.fills
        assert "## Results" in run.files["session.md"]
    """
    return run_session(config, plugins=plugins, registry=registry, stepwise=False, **components)
