"""report.html renders in a real browser, offline: headless Chromium (Debian's ``chromium``)
opens it from a file:// URL, plotly.js (inlined) draws every chart, and a screenshot is
saved as a test artifact (in the test's temporary folder; its path is printed).

Where Chromium is not installed the test says so and skips; ``.ci/run`` installs it before
``make test``.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from logos.testing.run import run_backtest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
    "--virtual-time-budget=15000",  # let plotly.js finish drawing before the DOM is taken
)

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="chromium is not installed (apt-get install chromium; .ci/run installs it)",
)


def _chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    profile = tmp_path / "profile"
    return subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("html")
    run = run_backtest(
        strategy={"name": "sma_cross", "params": {"fast": 10, "slow": 30}},
        reporters=["html"],
    )
    path = folder / "report.html"
    path.write_text(run.files["report.html"], encoding="utf-8")
    return path


def _element(dom: str, element_id: str) -> str:
    """The DOM text from the element with ``element_id`` to the next chart or section."""
    start = dom.index(f'id="{element_id}"')
    end = dom.find("<h2>", start)
    return dom[start : end if end >= 0 else len(dom)]


def test_the_charts_are_drawn_in_the_rendered_page(report: Path, tmp_path: Path) -> None:
    done = _chromium(tmp_path, "--dump-dom", report.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    equity = _element(dom, "equity-chart")
    assert "js-plotly-plot" in equity[:200]  # plotly.js ran on the div
    assert equity.count('class="main-svg"') >= 1
    # two line traces (equity, drawdown), each with a drawn path
    assert len(re.findall(r'class="trace scatter', equity)) == 2
    assert re.search(r'class="js-line"[^>]* d="M', equity)
    price = _element(dom, "price-chart-1")
    assert "js-plotly-plot" in price[:200]
    assert len(re.findall(r'class="trace scatter', price)) >= 2  # closes and buy fills
    assert 'class="point"' in price  # the fill markers
    assert "NVDA close" in price and "buy fills" in price
    table = _element(dom, "trades-table")
    assert table.count("<tr>") >= 2  # the header and at least one round trip
    assert "Equity and drawdown" in dom and "Results" in dom


def test_a_screenshot_is_saved(report: Path, tmp_path: Path) -> None:
    shot = tmp_path / "report.png"
    done = _chromium(tmp_path, "--window-size=1280,2000", f"--screenshot={shot}", report.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 20_000
    print(f"screenshot of report.html: {shot}")
