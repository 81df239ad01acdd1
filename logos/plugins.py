"""The plugin manager: loads the built-ins and every ``logos`` entry point into a registry.

Loading is owned here rather than by pluggy's ``load_setuptools_entrypoints`` because that
stops at the first plugin that fails to import (one broken plugin and every command would
die). Instead each plugin is imported, registered and asked
for its components on its own; a failure marks that plugin broken with its error and the rest
keep working. ``LOGOS_STRICT_PLUGINS=1`` re-raises instead, for plugin authors.
``LOGOS_LOAD_PLUGINS=a,b`` loads only the named entry points (empty: none but the built-ins);
a name no installed plugin has is a warning (an error under ``LOGOS_STRICT_PLUGINS=1``), and
an unknown component says which installed plugins the variable left out.

Tests use :func:`registry_for`: a registry of the built-ins and exactly the plugins named,
whatever else is installed and whatever the environment says (docs/plugins.md, "Testing").
Registration and the contract suites of :mod:`logos.testing` apply the same rules
(:func:`check_component`), so a component that passes its contract suite also registers.
"""

from __future__ import annotations

import importlib
import inspect
import logging
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import EntryPoint, entry_points
from types import ModuleType

import pluggy
from pydantic import BaseModel

from logos import hookspecs
from logos.components import Component, ComponentKind
from logos.errors import PluginError, UnknownComponentError

__all__ = [
    "ENTRY_POINT_GROUP",
    "HOOK_KINDS",
    "ComponentEntry",
    "ComponentRuleError",
    "PluginInfo",
    "Registry",
    "check_component",
    "get_registry",
    "interface_of",
    "load_plugins",
    "registry_for",
]

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "logos"
BUILTIN_PLUGIN = "builtin"
DEFAULT_PLUGINS: tuple[str, ...] = ("logos.builtin",)
LOAD_PLUGINS_ENV = "LOGOS_LOAD_PLUGINS"
STRICT_ENV = "LOGOS_STRICT_PLUGINS"

HOOK_KINDS: dict[str, ComponentKind] = {
    "register_feeds": ComponentKind.FEED,
    "register_brokers": ComponentKind.BROKER,
    "register_risk_guards": ComponentKind.RISK_GUARD,
    "register_strategies": ComponentKind.STRATEGY,
    "register_reporters": ComponentKind.REPORTER,
}

_NAME_RE = re.compile(r"^[a-z][a-z0-9_.-]*$")

INTERFACES: dict[ComponentKind, tuple[str, str]] = {
    ComponentKind.FEED: ("logos.feeds.base", "Feed"),
    ComponentKind.BROKER: ("logos.brokers.base", "Broker"),
    ComponentKind.RISK_GUARD: ("logos.risk.guard", "RiskGuard"),
    ComponentKind.STRATEGY: ("logos.strategies.base", "Strategy"),
    ComponentKind.REPORTER: ("logos.reports", "Reporter"),
}
"""The base class a component of each kind subclasses (module, class): imported when a
component is checked, so loading this module imports none of them."""


@dataclass
class PluginInfo:
    """One loaded (or failed) plugin, as ``logos plugins list`` shows it."""

    name: str
    distribution: str | None
    version: str | None
    module: str | None = None
    error: BaseException | None = None
    components: dict[ComponentKind, list[str]] = field(default_factory=dict)
    conflicts: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        """``broken`` (failed to import or its hook raised), ``conflict`` (one of its names is
        also registered by another plugin; only those names are unusable) or ``ok``."""
        if self.error is not None:
            return "broken"
        return "conflict" if self.conflicts else "ok"

    @property
    def error_text(self) -> str | None:
        """The plugin's error as one line, or None."""
        if self.error is None:
            return None
        return f"{type(self.error).__name__}: {self.error}"

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form for ``logos plugins list --json``."""
        return {
            "name": self.name,
            "distribution": self.distribution,
            "version": self.version,
            "status": self.status,
            "error": self.error_text,
            "conflicts": list(self.conflicts),
            "components": {str(k): v for k, v in self.components.items()},
        }


@dataclass(frozen=True)
class ComponentEntry:
    """A registered component class and the plugin that provided it."""

    kind: ComponentKind
    name: str
    cls: type[Component]
    plugin: str


class Registry:
    """Components by (kind, name), and what happened to every plugin while loading."""

    def __init__(self) -> None:
        self.plugins: dict[str, PluginInfo] = {}
        self.left_out: list[str] = []
        """Installed plugins that ``LOGOS_LOAD_PLUGINS`` did not name (not loaded)."""
        self._entries: dict[tuple[ComponentKind, str], ComponentEntry] = {}
        self._conflicts: dict[tuple[ComponentKind, str], PluginError] = {}

    def add(self, entry: ComponentEntry) -> None:
        """Record a component. A second provider of the same (kind, name) makes that name a
        conflict: asking for it raises an error naming both distributions, because which one
        a run would get must never depend on install order. The plugins' other names work."""
        key = (entry.kind, entry.name)
        self.plugins[entry.plugin].components.setdefault(entry.kind, []).append(entry.name)
        first = self._entries.get(key)
        if first is None:
            self._entries[key] = entry
            return
        a, b = self.plugins[first.plugin], self.plugins[entry.plugin]
        error = PluginError(
            f"{entry.kind} '{entry.name}' is registered twice: by plugin '{a.name}' "
            f"(distribution {a.distribution}) and by plugin '{b.name}' "
            f"(distribution {b.distribution}); uninstall one of them"
        )
        self._conflicts[key] = error
        for info in (a, b):
            info.conflicts.append(str(error))
        log.warning("%s", error)

    def names(self, kind: ComponentKind) -> list[str]:
        """Names of the usable components of one kind, sorted."""
        return sorted(
            name
            for (k, name), entry in self._entries.items()
            if k == kind and (k, name) not in self._conflicts and self._usable(entry)
        )

    def entries(self, kind: ComponentKind | None = None) -> list[ComponentEntry]:
        """Every registered entry (of one kind, if given), in registration order."""
        return [e for e in self._entries.values() if kind is None or e.kind == kind]

    def get(self, kind: ComponentKind | str, name: str) -> type[Component]:
        """The component class registered as (kind, name).

        Raises :class:`PluginError` (carrying the plugin's original error as ``__cause__``)
        when the component belongs to a broken plugin or is registered twice, and
        :class:`UnknownComponentError` listing what is installed when nobody provides it.
        """
        kind = ComponentKind(kind)
        key = (kind, name)
        if key in self._conflicts:
            raise self._conflicts[key]
        entry = self._entries.get(key)
        if entry is not None:
            plugin = self.plugins[entry.plugin]
            if plugin.error is not None:
                raise PluginError(
                    f"{kind} '{name}' comes from plugin '{plugin.name}', which is broken: "
                    f"{plugin.error_text}"
                ) from plugin.error
            return entry.cls
        installed = ", ".join(self.names(kind)) or "none"
        left_out = ""
        if self.left_out:
            left_out = (
                f" ({LOAD_PLUGINS_ENV}={os.environ.get(LOAD_PLUGINS_ENV, '')!r} left out the "
                f"installed plugin(s) {' and '.join(self.left_out)}: one may provide it)"
            )
        message = f"unknown {kind} '{name}'{left_out}; installed: {installed}"
        broken = [p for p in self.plugins.values() if p.error is not None]
        if broken:
            listed = "; ".join(f"{p.name}: {p.error_text}" for p in broken)
            message += f" (broken plugins that may provide it: {listed})"
        if broken:
            raise UnknownComponentError(message) from broken[0].error
        raise UnknownComponentError(message)

    def _usable(self, entry: ComponentEntry) -> bool:
        return self.plugins[entry.plugin].error is None


def _strict() -> bool:
    return os.environ.get(STRICT_ENV, "") not in ("", "0", "false")


def _selected_entry_points(registry: Registry | None = None) -> list[EntryPoint]:
    """Entry points of the ``logos`` group, deduplicated, filtered by LOGOS_LOAD_PLUGINS.

    The installed plugins the variable leaves out go into ``registry.left_out``; a name in it
    that no installed plugin has is a warning (a :class:`PluginError` when strict): a typo
    there would otherwise just make every component of that plugin "unknown".
    """
    wanted_env = os.environ.get(LOAD_PLUGINS_ENV)
    wanted = None if wanted_env is None else {w.strip() for w in wanted_env.split(",") if w.strip()}
    installed = {ep.name for ep in entry_points(group=ENTRY_POINT_GROUP)} - {BUILTIN_PLUGIN}
    if wanted is not None:
        unknown = sorted(wanted - installed - {BUILTIN_PLUGIN})
        if unknown:
            message = (
                f"{LOAD_PLUGINS_ENV} names plugin(s) that are not installed: "
                f"{', '.join(unknown)}; installed: {', '.join(sorted(installed)) or 'none'}"
            )
            if _strict():
                raise PluginError(message)
            log.warning("%s", message)
        if registry is not None:
            registry.left_out = sorted(installed - wanted)
    seen: set[tuple[str | None, str]] = set()
    selected = []
    # A source checkout with an editable install can expose one distribution twice
    # (site-packages metadata and a stray *.egg-info); load each (distribution, name) once.
    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        dist = ep.dist.name if ep.dist is not None else None
        if (dist, ep.name) in seen or ep.name == BUILTIN_PLUGIN:
            continue
        if wanted is not None and ep.name not in wanted:
            continue
        seen.add((dist, ep.name))
        selected.append(ep)
    return selected


class PluginLoader:
    """Builds a :class:`Registry` from modules and entry points, one plugin at a time."""

    def __init__(self, *, strict: bool | None = None) -> None:
        self.pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
        self.pm.add_hookspecs(hookspecs)
        self.registry = Registry()
        self.strict = _strict() if strict is None else strict

    def load_module(
        self, plugin: str, module: ModuleType, distribution: str | None, version: str | None
    ) -> None:
        """Register ``module`` as plugin ``plugin`` and collect its components."""
        info = PluginInfo(plugin, distribution, version, module=module.__name__)
        self.registry.plugins[plugin] = info
        try:
            self.pm.register(module, name=plugin)
            self._check_hook_names(plugin, module)
            self._collect(plugin, module)
        except Exception as exc:
            self._mark_broken(info, exc)

    def load_entry_point(self, ep: EntryPoint) -> None:
        """Import one entry point and load it; an import error marks the plugin broken."""
        dist = ep.dist.name if ep.dist is not None else None
        version = ep.dist.version if ep.dist is not None else None
        try:
            module = ep.load()
        except Exception as exc:
            info = PluginInfo(ep.name, dist, version, module=ep.value)
            self.registry.plugins[ep.name] = info
            self._mark_broken(info, exc)
            return
        if ep.name in self.registry.plugins:
            info = PluginInfo(ep.name, dist, version, module=ep.value)
            self._mark_broken(info, PluginError(f"a plugin named '{ep.name}' is already loaded"))
            self.registry.plugins[f"{ep.name} ({dist})"] = info
            return
        self.load_module(ep.name, module, dist, version)

    def _check_hook_names(self, plugin: str, module: ModuleType) -> None:
        # pluggy only reports misspelled hook names in check_pending(), for the whole
        # manager at once; check this plugin alone so the blame lands on it.
        for caller in self.pm.get_hookcallers(module) or []:
            if caller.spec is None:
                raise PluginError(
                    f"plugin '{plugin}' implements unknown hook '{caller.name}'; "
                    f"known hooks: {', '.join(HOOK_KINDS)}"
                )

    def _collect(self, plugin: str, module: ModuleType) -> None:
        for hook_name, kind in HOOK_KINDS.items():
            caller = getattr(self.pm.hook, hook_name)
            for impl in caller.get_hookimpls():
                if impl.plugin is not module:
                    continue

                def register(cls: type[Component], _kind: ComponentKind = kind) -> None:
                    _check_component(plugin, _kind, cls)
                    self.registry.add(ComponentEntry(_kind, cls.name, cls, plugin))

                args = {"register": register}
                impl.function(*(args[a] for a in impl.argnames))

    def _mark_broken(self, info: PluginInfo, exc: Exception) -> None:
        if self.strict:
            raise exc
        info.error = exc
        log.warning("plugin %s is broken: %s", info.name, info.error_text)
        log.debug("plugin %s error detail", info.name, exc_info=exc)


class ComponentRuleError(PluginError):
    """A component class breaks one of the registration rules (:func:`check_component`).

    ``rule`` names the rule (``"class"``, ``"kind"``, ``"abstract"``, ``"name"``,
    ``"params"``); the message shows the offending value and what is expected.
    """

    def __init__(self, rule: str, message: str, plugin: str | None = None) -> None:
        where = f"plugin '{plugin}' registered a component breaking " if plugin else ""
        super().__init__(f"{where}rule '{rule}': {message}")
        self.rule = rule
        self.detail = message


def interface_of(kind: ComponentKind | str) -> type[Component]:
    """The base class every component of ``kind`` subclasses (``Broker`` for brokers ...)."""
    module, name = INTERFACES[ComponentKind(kind)]
    cls: type[Component] = getattr(importlib.import_module(module), name)
    return cls


def check_component(kind: ComponentKind | str, cls: object) -> None:
    """Raise :class:`ComponentRuleError` unless ``cls`` may be registered as a ``kind``.

    The rules, checked in this order:

    - ``class``: a subclass of :class:`logos.components.Component`;
    - ``kind``: a subclass of the kind's interface (:func:`interface_of`), or a
      :class:`~logos.components.NotAvailableYet` placeholder that is no other kind's
      interface (a broker registered through ``register_strategies`` is refused);
    - ``abstract``: no abstract method left unimplemented (it could never be built);
    - ``name``: a ``name`` of lowercase letters, digits, ``_``, ``-``, ``.``, starting
      with a letter (what a config and a command line can spell unquoted);
    - ``params``: ``Params`` is a pydantic model that forbids unknown keys, so a misspelled
      key in a config is an error, never silently ignored.

    Registration applies it to every class a hook registers; the contract suites of
    :mod:`logos.testing` run it too, so they never pass what registration refuses.
    """
    from logos.components import NotAvailableYet

    kind = ComponentKind(kind)
    if not (isinstance(cls, type) and issubclass(cls, Component)):
        raise ComponentRuleError(
            "class", f"{cls!r} is not a class derived from logos.components.Component"
        )
    expected = interface_of(kind)
    for other in ComponentKind:
        interface = interface_of(other)
        if other is not kind and issubclass(cls, interface) and not issubclass(cls, expected):
            raise ComponentRuleError(
                "kind",
                f"{cls.__name__} is a {interface.__name__} ({other}), registered as a {kind}; "
                f"register it through {_hook_of(other)} instead",
            )
    if not issubclass(cls, expected | NotAvailableYet):
        raise ComponentRuleError(
            "kind",
            f"{cls.__name__} does not subclass {expected.__module__}.{expected.__name__}, the "
            f"interface of a {kind} (its bases: "
            f"{', '.join(b.__name__ for b in cls.__bases__)})",
        )
    if inspect.isabstract(cls):
        missing = ", ".join(sorted(getattr(cls, "__abstractmethods__", ())))
        raise ComponentRuleError(
            "abstract", f"{cls.__name__} leaves abstract method(s) unimplemented: {missing}"
        )
    name = getattr(cls, "name", None)
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise ComponentRuleError(
            "name",
            f"{cls.__name__} has invalid name {name!r}; names are lowercase letters, digits, "
            "'_', '-', '.' and start with a letter (e.g. 'roc_momentum')",
        )
    params = getattr(cls, "Params", None)
    if not (isinstance(params, type) and issubclass(params, BaseModel)):
        raise ComponentRuleError(
            "params", f"{kind} '{name}': Params is {params!r}, not a pydantic model"
        )
    extra = params.model_config.get("extra")
    if extra != "forbid":
        raise ComponentRuleError(
            "params",
            f"{kind} '{name}': Params {params.__name__} allows unknown keys (extra={extra!r}); "
            "subclass logos.components.Params, which forbids them",
        )


def _hook_of(kind: ComponentKind) -> str:
    return next(hook for hook, k in HOOK_KINDS.items() if k is kind)


def _check_component(plugin: str, kind: ComponentKind, cls: object) -> None:
    try:
        check_component(kind, cls)
    except ComponentRuleError as exc:
        raise ComponentRuleError(exc.rule, exc.detail, plugin) from None


def load_plugins(
    *, entry_points_enabled: bool = True, extra_modules: Iterable[tuple[str, ModuleType]] = ()
) -> Registry:
    """Load the built-ins, then (optionally) every selected entry point, then ``extra_modules``.

    What the CLI uses; it honours ``LOGOS_LOAD_PLUGINS`` and ``LOGOS_STRICT_PLUGINS``. Tests
    should use :func:`registry_for`, which depends on neither.
    """
    from logos import __version__

    loader = PluginLoader()
    for dotted in DEFAULT_PLUGINS:
        loader.load_module(BUILTIN_PLUGIN, importlib.import_module(dotted), "logos", __version__)
    if entry_points_enabled:
        for ep in _selected_entry_points(loader.registry):
            loader.load_entry_point(ep)
    for name, module in extra_modules:
        loader.load_module(name, module, None, None)
    return loader.registry


def registry_for(*plugins: ModuleType | str, strict: bool = False) -> Registry:
    """A registry of the built-ins and exactly ``plugins``: nothing else that is installed,
    whatever ``LOGOS_LOAD_PLUGINS`` says.

    Each plugin is a module object (registered under its module name), the name of an
    installed ``logos`` entry point (loaded as ``logos`` would load it, with its distribution
    and version), or a dotted module name. ``strict=True`` raises a plugin's error with its
    traceback instead of recording it (``registry.plugins[name].error``).

    This is how a plugin's own tests check that it registers, and how the core's tests stay
    independent of the third-party plugins installed next to them::

        registry = registry_for("logos_myvenue")
        assert registry.plugins["logos_myvenue"].status == "ok"
        assert registry.get("broker", "myvenue").__name__ == "MyVenueBroker"
    """
    from logos import __version__

    loader = PluginLoader(strict=strict)
    for dotted in DEFAULT_PLUGINS:
        loader.load_module(BUILTIN_PLUGIN, importlib.import_module(dotted), "logos", __version__)
    installed = {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}
    for plugin in plugins:
        if isinstance(plugin, ModuleType):
            loader.load_module(plugin.__name__, plugin, None, None)
        elif plugin in installed:
            loader.load_entry_point(installed[plugin])
        else:
            loader.load_module(plugin, importlib.import_module(plugin), None, None)
    return loader.registry


@cache
def get_registry() -> Registry:
    """The process-wide registry (built-ins and installed plugins), loaded once."""
    return load_plugins()
