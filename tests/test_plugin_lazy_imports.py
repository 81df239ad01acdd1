"""Loading the installed plugins must not import the venue libraries (startup time).

ccxt, alpaca-py and yfinance together took ~0.5 s to import on every ``logos`` command,
even a backtest that uses none of them; the plugins now import them where they are used.
"""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("ccxt", "alpaca", "yfinance")

PROBE = """
import json, sys
from logos.plugins import load_plugins
registry = load_plugins()
statuses = {name: info.status for name, info in registry.plugins.items()}
{then}
print(json.dumps({"statuses": statuses, "loaded": sorted(m for m in sys.modules if m in sys.argv)}))
"""


def run_probe(then: str = "") -> dict:
    code = PROBE.replace("{then}", then)
    done = subprocess.run(
        [sys.executable, "-c", code, *HEAVY],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
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
