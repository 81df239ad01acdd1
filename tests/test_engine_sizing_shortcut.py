"""The engine skips sizing only where sizing would do nothing: an order that ends without
filling completely (here cut at fill time by a price gap) makes the symbol sized again, as
sizing every bar would."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from logos.config import validate_config
from logos.domain import OrderStatus
from logos.engine import Engine
from logos.plugins import get_registry
from logos.session import build_session, run_session

GAP_CUT = Path(__file__).parent / "data" / "engine" / "gap_cut_1m.csv"
CONFIG = {
    "session_id": "cut",
    "symbols": ["X"],
    "timeframe": "1m",
    "feed": {"name": "replay", "params": {"path": str(GAP_CUT)}},
    "broker": {"name": "paper", "params": {"cash": "1000", "volume_participation": "0.5"}},
    "strategy": {"name": "buy_and_hold", "params": {}},
    "sizing": {"name": "fixed_qty", "params": {"qty": "10"}},
}


@pytest.mark.parametrize("shortcut", [True, False], ids=["shortcut", "sizing_every_bar"])
def test_an_order_cut_to_nothing_is_ordered_again(
    shortcut: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not shortcut:  # the plain rule: size every bar
        original = Engine.__init__

        def plain(self: Engine, parts: object) -> None:
            original(self, parts)  # type: ignore[arg-type]
            self._signal_only_sizing = False

        monkeypatch.setattr(Engine, "__init__", plain)
    registry = get_registry()
    session = build_session(validate_config(CONFIG, registry), registry)
    result = run_session(session)
    # Bar 0 (close 100): buy 10. Bar 1 (volume 10, cap 0.5): 5 fill at 100. Bar 2 opens at
    # 1000: the other 5 need 5000 of the 500 left, so the rest is canceled; the buy for the
    # missing 5 is rejected at that close (1000). Bar 3 (50): bought again, filled at bar 4.
    statuses = [(o.status, o.qty, o.filled_qty) for o in result.orders]
    assert statuses == [
        (OrderStatus.CANCELED, Decimal(10), Decimal(5)),
        (OrderStatus.REJECTED, Decimal(5), Decimal(0)),
        (OrderStatus.FILLED, Decimal(5), Decimal(5)),
    ]
    assert session.engine.broker.position_qty("X") == 10


def test_a_signal_that_is_not_a_number_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from logos.errors import LogosError
    from logos.strategies.buy_and_hold import BuyAndHold

    monkeypatch.setattr(BuyAndHold, "update", lambda self, bar: None)
    registry = get_registry()
    session = build_session(validate_config(CONFIG, registry), registry)
    with pytest.raises(LogosError, match=r"the strategy for X gave None as its signal at 2024"):
        run_session(session, stepwise=True)
