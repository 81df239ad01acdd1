"""Symbol metadata given in the run config constrains the orders of a backtest."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

from logos.cli import main

BARS = Path(__file__).parent / "data" / "bars" / "backtrader_nvda-1999-2014-1d.csv"

CONFIG = """
session_id = "meta"
symbols = ["NVDA"]
timeframe = "1d"

[feed]
name = "replay"
params = {{ path = "{bars}" }}

[broker]
name = "paper"
params = {{ cash = "100000" }}

[strategy]
name = "sma_cross"
params = {{ fast = 10, slow = 30 }}

[sizing]
name = "fixed_notional"
params = {{ notional = "1000" }}
{metadata}
"""


def order_quantities(tmp_path: Path, name: str, metadata: str) -> list[Decimal]:
    config = tmp_path / f"{name}.toml"
    config.write_text(CONFIG.format(bars=BARS.as_posix(), metadata=metadata))
    out = tmp_path / name
    try:
        main(["backtest", str(config), "--out", str(out), "--no-progress"])
    except SystemExit as exc:
        assert exc.code in (0, None)
    with (out / "orders.csv").open() as fh:
        return [Decimal(row["qty"]) for row in csv.DictReader(fh)]


def test_inline_metadata_lot_size_quantizes_orders(tmp_path):
    free = order_quantities(tmp_path, "free", "")
    lots = order_quantities(
        tmp_path, "lots", '[metadata.NVDA]\nlot_size = "5"\nfractionable = false\n'
    )
    # Without metadata, 1000 / price is an unconstrained fraction of a share.
    assert any(q != q.to_integral_value() for q in free)
    # With a lot of 5 shares every order is a whole multiple of 5.
    assert lots and all(q % 5 == 0 and q > 0 for q in lots)
