"""Shared fixtures of the core test suite."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

PLUGIN_DISTS = Path(__file__).parent / "plugin_dists"


@pytest.fixture(scope="session")
def test_plugin_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A site dir holding the tiny test plugin distributions, really built and installed.

    Built offline (``--no-index --no-build-isolation``) with the setuptools from the test
    extras, so discovery goes through genuine ``*.dist-info/entry_points.txt`` metadata.
    """
    site = tmp_path_factory.mktemp("plugin_site")
    dists = sorted(str(p) for p in PLUGIN_DISTS.iterdir() if (p / "pyproject.toml").exists())
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            "--no-build-isolation",
            "--disable-pip-version-check",
            "--target",
            str(site),
            *dists,
        ],
        check=True,
        capture_output=True,
    )
    return site
