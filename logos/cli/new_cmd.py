"""``logos plugins new NAME --kind KIND``: start a plugin distribution that passes its tests.

It writes ``logos-NAME/`` with a ``pyproject.toml`` declaring the ``logos`` entry point, the
package ``logos_NAME`` (the component, and ``plugin.py`` with the registration hook), a README
and ``tests/`` that run the kind's contract suite, check the registration through the entry
point and run a backtest using the component (docs/plugins.md, "Starting a plugin").

The templates are ``string.Template`` files under ``logos/templates/`` (five placeholders in
six files per kind): a generator library such as copier or cookiecutter would add a
dependency to logos for what the standard library does here. The generated project is
installed and tested for every kind by ``tests/test_plugin_generator.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from string import Template
from typing import Annotated

import typer

from logos import __version__
from logos.cli.app import out, plugins_app
from logos.errors import LogosError

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class PluginKind(StrEnum):
    """The kinds a generated plugin can provide."""

    BROKER = "broker"
    FEED = "feed"
    STRATEGY = "strategy"
    GUARD = "guard"
    REPORTER = "reporter"


@dataclass(frozen=True)
class KindInfo:
    """What differs between kinds in the generated files."""

    hook: str
    module: str
    suffix: str
    label: str
    contract: str
    config: str


KINDS: dict[PluginKind, KindInfo] = {
    PluginKind.BROKER: KindInfo(
        "register_brokers",
        "broker",
        "Broker",
        "broker",
        "logos.testing.brokers.BrokerContract",
        '[broker]\nname = "$name"\nparams = { cash = "100000", fee_bps = "5" }',
    ),
    PluginKind.FEED: KindInfo(
        "register_feeds",
        "feed",
        "Feed",
        "feed",
        "logos.testing.feeds.FeedContract",
        '[feed]\nname = "$name"\nparams = { bars = 1000, seed = 7 }',
    ),
    PluginKind.STRATEGY: KindInfo(
        "register_strategies",
        "strategy",
        "Strategy",
        "strategy",
        "logos.testing.strategies.StrategyContract",
        '[strategy]\nname = "$name"\nparams = { lookback = 20 }',
    ),
    PluginKind.GUARD: KindInfo(
        "register_risk_guards",
        "guard",
        "Guard",
        "risk guard",
        "logos.testing.guards.GuardContract",
        '[[risk]]\nname = "$name"\nparams = { max_qty = "10", on_breach = "clip" }',
    ),
    PluginKind.REPORTER: KindInfo(
        "register_reporters",
        "reporter",
        "Reporter",
        "reporter",
        "logos.testing.reporters.ReporterContract",
        '[[reporters]]\nname = "$name"',
    ),
}


def _class_prefix(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_") if part)


def plugin_files(name: str, kind: PluginKind) -> dict[str, str]:
    """The generated project's files (path relative to its folder -> text)."""
    if not _NAME.match(name):
        raise LogosError(
            f"plugin name {name!r}: use lowercase letters, digits and '_', starting with a "
            "letter (it names the component, the package logos_NAME and the distribution)"
        )
    info = KINDS[kind]
    package = f"logos_{name}"
    major, minor = (int(part) for part in __version__.split(".")[:2])
    values = {
        "name": name,
        "kind": "risk_guard" if kind is PluginKind.GUARD else kind.value,
        "kind_label": info.label,
        "package": package,
        "distribution": f"logos-{name.replace('_', '-')}",
        "module": info.module,
        "class_name": f"{_class_prefix(name)}{info.suffix}",
        "fill_class": f"{_class_prefix(name)}Fill",
        "hook": info.hook,
        "contract": info.contract,
        "config_example": Template(info.config).substitute(name=name),
        "logos_version": f"{major}.{minor}",
        "logos_next": f"{major}.{minor + 1}",
    }
    sources = {
        "pyproject.toml": TEMPLATES / "common" / "pyproject.toml.tmpl",
        "README.md": TEMPLATES / "common" / "README.md.tmpl",
        f"{package}/__init__.py": TEMPLATES / "common" / "__init__.py.tmpl",
        f"{package}/plugin.py": TEMPLATES / "common" / "plugin.py.tmpl",
        f"{package}/{info.module}.py": TEMPLATES / kind.value / "component.py.tmpl",
        f"tests/test_{name}.py": TEMPLATES / kind.value / "test.py.tmpl",
    }
    return {
        path: Template(source.read_text(encoding="utf-8")).substitute(values)
        for path, source in sources.items()
    }


def write_plugin(name: str, kind: PluginKind, parent: Path) -> Path:
    """Write the project into ``parent/logos-NAME``; refuse when that folder exists (nothing
    already there is ever overwritten). Returns the project folder."""
    files = plugin_files(name, kind)
    target = parent / f"logos-{name.replace('_', '-')}"
    if target.exists():
        raise LogosError(f"{target}: already exists; choose another name or --dir")
    for relative, text in files.items():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return target


@plugins_app.command("new")
def plugins_new(
    name: Annotated[str, typer.Argument(help="Component name, e.g. my_venue (lowercase, _).")],
    kind: Annotated[PluginKind, typer.Option("--kind", help="What the plugin provides.")],
    directory: Annotated[
        Path, typer.Option("--dir", metavar="DIR", help="Where to create logos-NAME/.")
    ] = Path("."),
) -> None:
    """Create a plugin distribution (logos-NAME/) that installs and passes its own tests."""
    target = write_plugin(name, kind, directory)
    out.print(f"created {target}/ ({KINDS[kind].label} '{name}'); next:", highlight=False)
    out.print(
        f'  cd {target} && python -m pip install -e ".[test]" && python -m pytest',
        markup=False,
        highlight=False,
    )
