"""The plugin author's docs work as written: every Python example of docs/plugins.md and
docs/writing_a_broker.md runs, every ``logos.`` name they mention imports, every hook and
every abstract method of the interfaces is documented (after datasette's test_docs.py), and
the tutorial's plugin, built from its files exactly, installs, passes its tests and runs in a
backtest."""

from __future__ import annotations

import inspect
import json
import os
import re
import subprocess
import sys
import textwrap
import types
from pathlib import Path

import pytest

from logos import hookspecs
from logos.components import Component, ComponentKind
from logos.plugins import check_component, interface_of, registry_for

ROOT = Path(__file__).resolve().parents[1]
PAGES = {name: ROOT / "docs" / name for name in ("plugins.md", "writing_a_broker.md")}
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)
FILE_HEADER = re.compile(r"^# ([\w./-]+\.(?:py|toml))\n")


def blocks(page: str, language: str) -> list[str]:
    text = PAGES[page].read_text(encoding="utf-8")
    return [body for lang, body in FENCE.findall(text) if lang == language]


def examples() -> list[tuple[str, int, str]]:
    """Python blocks meant to run on their own (not files of the tutorial's plugin)."""
    found = []
    for page in PAGES:
        for i, body in enumerate(blocks(page, "python")):
            header = FILE_HEADER.match(body)
            if header is None or "/" not in header.group(1):
                found.append((page, i, body))
    return found


@pytest.mark.parametrize(("page", "index", "code"), examples(), ids=lambda v: str(v)[:30])
def test_a_python_example_runs(page: str, index: int, code: str) -> None:
    module = types.ModuleType(f"docs_example_{page.split('.')[0]}_{index}")
    sys.modules[module.__name__] = module
    try:
        exec(compile(code, f"{page} (python block {index + 1})", "exec"), module.__dict__)
        for name, value in list(module.__dict__.items()):
            if name.startswith("test_") and callable(value):
                args = inspect.signature(value).parameters
                from logos.testing.run import run_backtest

                value(**{"logos_run_backtest": run_backtest} if args else {})
        components = [
            v
            for v in module.__dict__.values()
            if isinstance(v, type) and issubclass(v, Component) and v.__module__ == module.__name__
        ]
        for cls in components:
            kind = next(k for k in ComponentKind if issubclass(cls, interface_of(k)))
            check_component(kind, cls)
        if any(hasattr(v, "logos_impl") for v in module.__dict__.values()):
            registry = registry_for(module, strict=True)
            assert registry.plugins[module.__name__].status == "ok"
    finally:
        del sys.modules[module.__name__]


DOTTED = re.compile(r"`+(logos(?:\.\w+)+)")


SOURCES = {
    **PAGES,
    "hookspecs.py": ROOT / "logos" / "hookspecs.py",
    "testing/__init__.py": ROOT / "logos" / "testing" / "__init__.py",
}


def _resolves(dotted: str) -> bool:
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            target: object = __import__(".".join(parts[:cut]), fromlist=["_"])
        except ModuleNotFoundError:
            continue
        for attribute in parts[cut:]:
            if not hasattr(target, attribute):
                return False
            target = getattr(target, attribute)
        return True
    return False


@pytest.mark.parametrize("source", sorted(SOURCES))
def test_every_logos_name_the_docs_mention_imports(source: str) -> None:
    text = SOURCES[source].read_text(encoding="utf-8")
    names = sorted(set(DOTTED.findall(text)))
    assert len(names) >= 3
    missing = [dotted for dotted in names if not _resolves(dotted)]
    assert missing == [], f"{source} names what does not exist"


def test_every_hook_is_in_the_docs_and_every_documented_hook_exists() -> None:
    text = PAGES["plugins.md"].read_text(encoding="utf-8")
    specs = {
        name: inspect.signature(fn)
        for name, fn in inspect.getmembers(hookspecs, inspect.isfunction)
        if hasattr(fn, "logos_spec")
    }
    for name, signature in specs.items():
        assert f"`{name}({', '.join(signature.parameters)})`" in text, name
    documented = set(re.findall(r"`(register_\w+)\(", text))
    assert documented == set(specs), documented ^ set(specs)


@pytest.mark.parametrize("kind", list(ComponentKind))
def test_every_abstract_method_of_an_interface_is_documented(kind: ComponentKind) -> None:
    text = PAGES["plugins.md"].read_text(encoding="utf-8")
    interface = interface_of(kind)
    section = text[text.index(f"### {interface.__name__} (") :]
    section = section[: section.index("\n## ")]
    abstract = getattr(interface, "__abstractmethods__", frozenset())
    for method in abstract:
        assert f"`{method}(" in section, f"{interface.__name__}.{method} is not documented"


def tutorial_files() -> dict[str, str]:
    files = {}
    for language in ("python", "toml"):
        for body in blocks("writing_a_broker.md", language):
            header = FILE_HEADER.match(body)
            if header is not None and not body.startswith("# pyproject.toml"):
                files[header.group(1)] = body[header.end() :]
    return files


def test_the_tutorial_plugin_installs_passes_its_tests_and_backtests(tmp_path: Path) -> None:
    files = tutorial_files()
    assert set(files) == {
        "logos_impact/broker.py",
        "logos_impact/plugin.py",
        "tests/test_impact.py",
        "impact.toml",
    }
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOGOS_")}

    def run(*argv: str, cwd: Path = tmp_path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, *argv], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
        )

    # step 2, as the page says (the --dir of the page is a placeholder)
    made = run("-m", "logos", "plugins", "new", "impact", "--kind", "broker", "--dir", ".")
    assert made.returncode == 0, made.stderr
    project = tmp_path / "logos-impact"
    generated_plugin = (project / "logos_impact" / "plugin.py").read_text(encoding="utf-8")
    # "needs no change": the page shows the generated file, word for word
    assert files["logos_impact/plugin.py"] == generated_plugin
    for relative in ("logos_impact/broker.py", "tests/test_impact.py"):
        (project / relative).write_text(files[relative], encoding="utf-8")
    # step 5, installed offline into a folder of its own
    site = tmp_path / "site"
    installed = run(
        "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", "--no-build-isolation",
        "--disable-pip-version-check", "--target", str(site), str(project),
    )  # fmt: skip
    assert installed.returncode == 0, installed.stderr
    env["PYTHONPATH"] = str(site)
    tested = run("-m", "pytest", "-p", "no:cacheprovider", cwd=project)
    assert tested.returncode == 0, tested.stdout[-3000:]
    assert "failed" not in tested.stdout and " passed" in tested.stdout
    listed = run("-m", "logos", "plugins", "list", "--json")
    rows = {row["name"]: row for row in json.loads(listed.stdout)}
    assert rows["logos_impact"]["components"] == {"broker": ["impact"]}
    shown = run("-m", "logos", "plugins", "show", "broker", "impact")
    assert "impact_bps" in shown.stdout
    # step 6, the config with the checkout's path put in
    data = ROOT / "logos" / "data" / "nvda-1d.csv"
    config = files["impact.toml"].replace("/path/to/logos/logos/data/nvda-1d.csv", str(data))
    assert config != files["impact.toml"]
    (tmp_path / "impact.toml").write_text(config, encoding="utf-8")
    out = tmp_path / "runs" / "impact"
    done = run("-m", "logos", "backtest", "impact.toml", "--out", str(out), "--no-progress")
    assert done.returncode == 0, done.stderr
    session = (out / "session.md").read_text(encoding="utf-8")
    assert "impact (" in session and "impact_bps=200" in session
    trades = (out / "trades.csv").read_text(encoding="utf-8").splitlines()
    assert len(trades) > 10


def test_the_tutorial_page_and_the_generator_agree_on_names() -> None:
    text = textwrap.dedent(PAGES["writing_a_broker.md"].read_text(encoding="utf-8"))
    assert 'entry point `logos_impact = "logos_impact.plugin"`' in text
    assert "plugins new impact --kind broker" in text
