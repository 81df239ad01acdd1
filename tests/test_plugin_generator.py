"""``logos plugins new NAME --kind K`` writes a plugin that installs, registers, passes its own
generated tests unchanged and runs in a backtest, for every kind.

Each generated project is really built and installed (``pip install --target``, offline, as
the discovery tests install theirs), so the entry point, the package data and the pytest
plugin of logos are exercised as a plugin author's fresh install would be.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cli_run import run_cli

from logos.cli.new_cmd import PluginKind

ROOT = Path(__file__).resolve().parents[1]
KINDS = [kind.value for kind in PluginKind]
COMPONENT_KIND = {"guard": "risk_guard"}


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(folder of the generated projects, site folder they are installed into)."""
    parent = tmp_path_factory.mktemp("generated")
    for kind in KINDS:
        done = subprocess.run(
            [sys.executable, "-m", "logos", "plugins", "new", f"demo_{kind}", "--kind", kind,
             "--dir", str(parent)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
    site = tmp_path_factory.mktemp("site")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
         "--no-build-isolation", "--disable-pip-version-check", "--target", str(site),
         *sorted(str(p) for p in parent.iterdir())],
        check=True, capture_output=True,
    )  # fmt: skip
    return parent, site


def _env(site: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOGOS_")}
    return {**env, "PYTHONPATH": str(site), "COLUMNS": "200"}


@pytest.mark.parametrize("kind", KINDS)
def test_generated_plugin_passes_its_own_tests(generated: tuple[Path, Path], kind: str) -> None:
    parent, site = generated
    project = parent / f"logos-demo-{kind.replace('_', '-')}"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider"],
        cwd=project, env=_env(site), capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert " passed" in done.stdout and "failed" not in done.stdout, done.stdout[-500:]


@pytest.mark.parametrize("kind", KINDS)
def test_generated_plugin_is_listed(generated: tuple[Path, Path], kind: str) -> None:
    _, site = generated
    done = subprocess.run(
        [sys.executable, "-m", "logos", "plugins", "list", "--json"],
        env=_env(site), capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    rows = {row["name"]: row for row in json.loads(done.stdout)}
    row = rows[f"logos_demo_{kind}"]
    assert (row["status"], row["distribution"], row["version"]) == (
        "ok",
        f"logos-demo-{kind}",
        "0.1.0",
    )
    assert row["components"] == {COMPONENT_KIND.get(kind, kind): [f"demo_{kind}"]}


CONFIG = """
session_id = "generated"
symbols = ["NVDA"]
timeframe = "1d"

[feed]
name = "{feed}"
params = {feed_params}

[broker]
name = "{broker}"

[strategy]
name = "{strategy}"

[sizing]
name = "fixed_qty"
params = {{ qty = "{qty}" }}
{extra}
"""


@pytest.mark.parametrize("kind", KINDS)
def test_logos_backtest_uses_the_generated_component(
    generated: tuple[Path, Path], kind: str, tmp_path: Path
) -> None:
    _, site = generated
    data = ROOT / "logos" / "data" / "nvda-1d.csv"
    fields = {
        "feed": "replay",
        "feed_params": f'{{ path = "{data}" }}',
        "broker": "paper",
        "strategy": "buy_and_hold",
        "qty": "1",
        "extra": "",
    }
    if kind in ("feed", "broker", "strategy"):
        fields[kind] = f"demo_{kind}"
    if kind == "feed":
        fields["feed_params"] = "{ bars = 300 }"
    if kind == "guard":
        fields["qty"] = "7"
        fields["extra"] = '[[risk]]\nname = "demo_guard"\nparams = { max_qty = "2" }'
    if kind == "reporter":
        fields["extra"] = '[[reporters]]\nname = "demo_reporter"'
    config = tmp_path / "run.toml"
    config.write_text(CONFIG.format(**fields), encoding="utf-8")
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "-m", "logos", "backtest", str(config), "--out", str(out),
         "--no-progress"],
        env=_env(site), capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    if kind == "reporter":
        summary = json.loads((out / "demo_reporter.json").read_text(encoding="utf-8"))
        assert summary["fills"] >= 1
        return
    trades = (out / "trades.csv").read_text(encoding="utf-8").splitlines()
    assert len(trades) >= 2, trades  # a header and at least one fill
    session = (out / "session.md").read_text(encoding="utf-8")
    assert f"demo_{kind}" in session
    if kind == "guard":
        header = trades[0].split(",")
        quantities = [row.split(",")[header.index("qty")] for row in trades[1:]]
        assert max(float(q) for q in quantities) <= 2, quantities


def test_new_refuses_an_existing_folder_and_keeps_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "logos-mine"
    target.mkdir()
    (target / "keep.txt").write_text("mine", encoding="utf-8")
    code, _, err = run_cli(
        capsys, "plugins", "new", "mine", "--kind", "broker", "--dir", str(tmp_path)
    )
    assert code == 1
    assert f"error: {target}: already exists" in err
    assert [p.name for p in target.iterdir()] == ["keep.txt"]


@pytest.mark.parametrize("name", ["Mine", "my-venue", "1st", "my venue"])
def test_new_refuses_a_name_a_config_cannot_use(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    code, _, err = run_cli(
        capsys, "plugins", "new", name, "--kind", "strategy", "--dir", str(tmp_path)
    )
    assert code == 1
    assert f"error: plugin name {name!r}: use lowercase letters" in err
    assert list(tmp_path.iterdir()) == []
