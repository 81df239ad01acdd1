"""Strategies named on the command line or in a config: a registered name, a file, or a module.

``logos check-strategy`` and ``logos backtest --strategy`` (and a config's ``[strategy] name``)
accept the same three forms, so a strategy a user checks is the strategy they can backtest:

- ``sma_cross``: a strategy registered by a plugin (``logos plugins list``);
- ``path/to/my_strategy.py:Momentum``: the class ``Momentum`` of that file;
- ``my_package.strategies:Momentum``: the class ``Momentum`` of an importable module.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from logos.components import Component, ComponentKind
from logos.errors import ConfigError, LogosError
from logos.plugins import ComponentEntry, Registry, get_registry

if TYPE_CHECKING:
    from logos.strategies.base import Strategy


def is_class_spec(name: str) -> bool:
    """``file.py:Class`` or ``module:Class`` rather than a registered name."""
    return ":" in name


def load_strategy_class(name: str, registry: Registry | None = None) -> type[Strategy]:
    """A registered strategy by name, or ``path/to/file.py:Class`` / ``package.module:Class``.

    Raises :class:`LogosError` naming the spec when the file, module or class is missing or
    the class is not a :class:`~logos.strategies.base.Strategy`.
    """
    from logos.strategies.base import Strategy

    if not is_class_spec(name):
        cls = (registry or get_registry()).get(ComponentKind.STRATEGY, name)
    else:
        where, _, attr = name.rpartition(":")
        try:
            if where.endswith(".py"):
                module = _import_file(where)
            else:
                module = importlib.import_module(where)
            cls = getattr(module, attr)
        except LogosError:
            raise
        except Exception as exc:  # the user's own module failed as it loaded: say how
            problem = f"{type(exc).__name__}: {exc}"
            raise LogosError(f"cannot load strategy {name!r}: {problem}") from None
    if not (isinstance(cls, type) and issubclass(cls, Strategy)):
        raise LogosError(f"{name!r} is not a subclass of logos.strategies.Strategy")
    return cls


def _import_file(where: str) -> object:
    path = Path(where)
    if not path.is_file():
        raise LogosError(f"strategy file not found: {where}")
    # under a name of its own, so a file called logging.py does not replace the real module
    spec = importlib.util.spec_from_file_location(f"logos_strategy_file_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise LogosError(f"strategy file cannot be imported: {where} (expected a .py file)")
    module = importlib.util.module_from_spec(spec)
    # registered as an import would: pydantic resolves the annotations of the strategy's
    # Params (``from __future__ import annotations``) through sys.modules
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def with_strategy_class(registry: Registry, config: Mapping[str, Any], source: str) -> Registry:
    """``registry``, plus the strategy class when the (merged, not yet validated) config's
    ``strategy.name`` is ``file.py:Class`` or ``module:Class``; a spec that cannot be loaded
    is a ConfigError on ``strategy.name``."""
    strategy = config.get("strategy")
    name = strategy.get("name") if isinstance(strategy, Mapping) else None
    if not isinstance(name, str) or not is_class_spec(name):
        return registry
    try:
        cls = load_strategy_class(name)
    except LogosError as exc:
        raise ConfigError([f"strategy.name: {exc}"], source) from None
    return RegistryWithStrategies(registry, {name: cls})


class RegistryWithStrategies(Registry):
    """A registry that also knows strategies loaded from files or modules, by their spec.

    A run config names components by registry name; a ``file.py:Class`` strategy is not
    registered by any plugin, so the run validates against this view of the registry,
    leaving the process-wide registry untouched.
    """

    def __init__(self, base: Registry, strategies: Mapping[str, type[Strategy]]) -> None:
        super().__init__()
        self.base = base
        self.plugins = base.plugins
        self.strategies = dict(strategies)

    def get(self, kind: ComponentKind | str, name: str) -> type[Component]:
        """The loaded strategy for its spec, else whatever the base registry holds."""
        if ComponentKind(kind) is ComponentKind.STRATEGY and name in self.strategies:
            return self.strategies[name]
        return self.base.get(kind, name)

    def names(self, kind: ComponentKind) -> list[str]:
        """The base registry's names (and the loaded strategies' specs)."""
        extra = list(self.strategies) if ComponentKind(kind) is ComponentKind.STRATEGY else []
        return sorted([*self.base.names(kind), *extra])

    def entries(self, kind: ComponentKind | None = None) -> list[ComponentEntry]:
        """The base registry's entries (loaded strategies come from no plugin)."""
        return self.base.entries(kind)
