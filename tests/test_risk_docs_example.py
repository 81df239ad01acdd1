"""The guard written in docs/risk.md ("Writing a guard") runs as the page says."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

DOC = Path(__file__).parents[1] / "docs" / "risk.md"


def test_the_documented_guard_halts_a_losing_session(guarded: Any) -> None:
    code = re.search(r"## 6\. Writing a guard.*?```python\n(.*?)```", DOC.read_text(), re.S)
    assert code is not None
    namespace: dict[str, Any] = {}
    exec(compile(code.group(1), str(DOC), "exec", dont_inherit=True), namespace)
    guard = namespace["MaxLoss"](limit=Decimal(15))
    run = guarded({"AAA": [100, 100, 95, 90, 80, 80]}, {"AAA": [1] * 6}, [guard], qty="1")
    (trip,) = run.result.guard_trips
    assert (trip.guard, trip.measured, trip.limit, trip.action) == (
        "max_loss",
        "PnL -20",
        "-15",
        "HALTED",
    )
