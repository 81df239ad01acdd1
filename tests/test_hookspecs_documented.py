"""Meta-tests that keep the plugin contract honest (after datasette's test_docs.py)."""

from __future__ import annotations

import inspect
from pathlib import Path

from logos import hookspecs
from logos.plugins import HOOK_KINDS

DOCS = Path(__file__).parents[1] / "docs" / "plugins.md"


def hook_names() -> list[str]:
    return [
        name
        for name, fn in inspect.getmembers(hookspecs, inspect.isfunction)
        if hasattr(fn, "logos_spec")
    ]


def test_every_hook_has_a_docstring_saying_what_to_register():
    for name in hook_names():
        doc = inspect.getdoc(getattr(hookspecs, name)) or ""
        assert "register(" in doc, name
        assert ":param register:" in doc, name


def test_every_hook_maps_to_a_component_kind_and_back():
    assert sorted(hook_names()) == sorted(HOOK_KINDS)


def test_every_hook_is_documented_for_plugin_authors_with_its_signature():
    text = DOCS.read_text()
    for name in hook_names():
        signature = inspect.signature(getattr(hookspecs, name))
        params = ", ".join(signature.parameters)
        assert f"`{name}({params})`" in text, name
