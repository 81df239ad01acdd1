"""Loading the repository's plugins must not import the venue libraries (startup time).

ccxt, alpaca-py and yfinance together took ~0.5 s to import on every ``logos`` command,
even a backtest that uses none of them; the plugins now import them where they are used.

The probe loads exactly the repository's plugins (``LOGOS_LOAD_PLUGINS``), so a third-party
plugin installed next to them neither changes the statuses checked nor imports a library
that would be blamed on them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

HEAVY = ("ccxt", "alpaca", "yfinance")
REPOSITORY_PLUGINS = ("logos_alpaca", "logos_ccxt", "logos_ib_stub", "logos_yf")

PROBE = """
import json, sys
from logos.plugins import load_plugins
registry = load_plugins()
statuses = {name: info.status for name, info in registry.plugins.items()}
{then}
print(json.dumps({"statuses": statuses, "loaded": sorted(m for m in sys.modules if m in sys.argv)}))
"""


def run_probe(then: str = "", site: Path | None = None) -> dict:
    code = PROBE.replace("{then}", then)
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOGOS_")}
    env["LOGOS_LOAD_PLUGINS"] = ",".join(REPOSITORY_PLUGINS)
    if site is not None:  # a folder of other installed plugins, searched first
        env["PYTHONPATH"] = os.pathsep.join([str(site), env.get("PYTHONPATH", "")])
    done = subprocess.run(
        [sys.executable, "-c", code, *HEAVY],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    return json.loads(done.stdout.splitlines()[-1])


def test_loading_plugins_imports_no_venue_library() -> None:
    result = run_probe()
    assert result["statuses"] == {
        "builtin": "ok",
        "logos_alpaca": "ok",
        "logos_ccxt": "ok",
        "logos_ib_stub": "ok",
        "logos_yf": "ok",
    }
    assert result["loaded"] == []


def test_ccxt_params_still_validate_against_ccxt() -> None:
    then = "from logos_ccxt.feed import CcxtFeed\nCcxtFeed.Params(exchange='kraken')"
    assert run_probe(then)["loaded"] == ["ccxt"]


def test_a_third_party_plugin_installed_beside_them_changes_nothing(test_plugin_site) -> None:
    # the test plugins include broken and conflicting ones: none of them is loaded
    result = run_probe(site=test_plugin_site)
    assert set(result["statuses"]) == {"builtin", *REPOSITORY_PLUGINS}
    assert set(result["statuses"].values()) == {"ok"}
    assert result["loaded"] == []
