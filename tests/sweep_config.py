"""The small sweep config the sweep tests share: sma_cross-like params on the shipped BTC
minutes (copied beside the config as ``bars.csv``)."""

from __future__ import annotations

from pathlib import Path

BARS = Path(__file__).resolve().parent.parent / "logos" / "data" / "btcusdt-perp-1m.csv"


def sweep_config(strategy: str = "sma_cross", head: str = "") -> str:
    """The config's text: ``head`` (top-level keys) first, ``strategy`` given fast 10, slow 30."""
    return f"""\
symbols = ["BTC/USDT:USDT"]
{head}[feed]
name = "replay"
params = {{ path = "bars.csv" }}
[broker]
name = "paper"
params = {{ cash = "100000", fee_bps = "10" }}
[strategy]
name = "{strategy}"
params = {{ fast = 10, slow = 30 }}
[sizing]
name = "fixed_qty"
params = {{ qty = "0.01" }}
"""
