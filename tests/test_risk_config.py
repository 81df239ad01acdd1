"""Guards are chosen in a config's ``[[risk]]`` tables or with ``--risk NAME:k=v`` on the
command line, validated like every component (unset, non-finite and contradictory params are
reported by ``logos validate``), listed by ``logos plugins list``, and run in a backtest."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

import logos
from logos.cli import main
from logos.config import apply_risk_flags, parse_risk_flag

DATA = Path(logos.__file__).parent / "data" / "btcusdt-perp-1m.csv"
CONFIG = """
symbols = ["BTC/USDT:USDT"]
[feed]
name = "replay"
params = {{ path = "{data}" }}
[strategy]
name = "sma_cross"
params = {{ fast = 10, slow = 30 }}
{risk}
"""


def _config(tmp_path: Path, risk: str) -> Path:
    path = tmp_path / "run.toml"
    path.write_text(CONFIG.format(data=DATA, risk=risk), encoding="utf-8")
    return path


def _validate(capsys: pytest.CaptureFixture[str], path: Path) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exc:
        main(["validate", str(path)])
    captured = capsys.readouterr()
    return int(exc.value.code or 0), " ".join((captured.out + captured.err).split())


def test_parse_risk_flag() -> None:
    assert parse_risk_flag("kill_switch") == {"name": "kill_switch", "params": {}}
    assert parse_risk_flag("max_drawdown:limit=0.2,confirm_slices=3,flatten=false") == {
        "name": "max_drawdown",
        "params": {"limit": 0.2, "confirm_slices": 3, "flatten": False},
    }
    assert parse_risk_flag("max_rejects:limit=5,window=30m")["params"]["window"] == "30m"


def test_risk_flags_add_guards_and_override_the_configs_own() -> None:
    data = {"risk": [{"name": "max_drawdown", "params": {"limit": 0.3, "flatten": False}}]}
    apply_risk_flags(data, ["max_drawdown:limit=0.1", "kill_switch"])
    assert data["risk"] == [
        {"name": "max_drawdown", "params": {"limit": 0.1, "flatten": False}},
        {"name": "kill_switch", "params": {}},
    ]


def test_validate_accepts_a_config_with_guards(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    risk = """
[[risk]]
name = "max_drawdown"
params = { limit = 0.2, confirm_slices = 2 }
[[risk]]
name = "kill_switch"
"""
    code, text = _validate(capsys, _config(tmp_path, risk))
    assert code == 0 and "ok" in text


@pytest.mark.parametrize(
    ("risk", "expected"),
    [
        ('[[risk]]\nname = "max_drawdown"', "risk[0].params.limit: Field required"),
        (
            '[[risk]]\nname = "max_drawdown"\nparams = { limit = nan }',
            "risk[0].params.limit: Input should be a finite number",
        ),
        (
            '[[risk]]\nname = "max_drawdown"\nparams = { limit = 1.5 }',
            "risk[0].params.limit: Value error, 1.5 is not a fraction: a 20 % drawdown is "
            "written 0.2",
        ),
        (
            '[[risk]]\nname = "max_order_notional"\nparams = { limit = inf }',
            "risk[0].params.limit: Input should be a finite number",
        ),
        (
            '[[risk]]\nname = "max_gross_exposure"',
            "risk[0].params: Value error, max_gross_exposure needs limit (money), "
            "equity_multiple, or both",
        ),
        (
            '[[risk]]\nname = "max_rejects"\nparams = { limit = 3, window = "soon" }',
            "risk[0].params.window: Value error, 'soon' is not a duration",
        ),
        (
            '[[risk]]\nname = "max_rejects"\nparams = { limit = 3, window = 1e999 }',
            "risk[0].params.window: Value error, inf is not a duration",
        ),
        (
            '[[risk]]\nname = "max_rejects"\nparams = { limit = 3, window = "99999999999w" }',
            "risk[0].params.window: Value error, '99999999999w' is longer than ten years",
        ),
        (
            '[[risk]]\nname = "max_rejects"\nparams = { limit = 3, window = true }',
            "risk[0].params.window: Value error, True is not a duration",
        ),
        (
            '[[risk]]\nname = "kill_switch"\nparams = { poll_seconds = 1e308 }',
            "risk[0].params.poll_seconds: Input should be less than or equal to 3600",
        ),
        (
            '[[risk]]\nname = "max_drawdown"\nparams = "limit=0.2"',
            "risk[0].params: Input should be a valid dictionary",
        ),
        (
            '[[risk]]\nname = "max_order_rate"\nparams = { limit = 3, per = "0s" }',
            "risk[0].params.per: Value error, '0s' must be more than 0 (got '0s')",
        ),
        (
            '[[risk]]\nname = "kill_switch"\nparams = { action = "reducing" }',
            "risk[0].params.action: Input should be 'halted'",
        ),
        (
            '[[risk]]\nname = "max_drawdown"\nparams = { limit = 0.1 }\n'
            '[[risk]]\nname = "max_drawdown"\nparams = { limit = 0.3 }',
            "risk[1].name: guard 'max_drawdown' is already listed at risk[0]",
        ),
        ('[[risk]]\nname = "max_drawdwn"', "risk[0].name: unknown risk_guard 'max_drawdwn'"),
    ],
)
def test_validate_reports_unset_non_finite_and_contradictory_guard_params(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, risk: str, expected: str
) -> None:
    code, text = _validate(capsys, _config(tmp_path, risk))
    assert code == 1
    assert expected in text


def test_plugins_list_shows_the_builtin_guards(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["plugins", "list"])
    text = capsys.readouterr().out
    for name in (
        "max_order_notional",
        "max_position_notional",
        "max_gross_exposure",
        "max_drawdown",
        "max_rejects",
        "max_order_rate",
        "stale_data",
        "kill_switch",
    ):
        assert name in text


def test_backtest_with_risk_flags_applies_and_reports_the_guards(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    argv = [
        "backtest", "--data", str(DATA), "--symbol", "BTC/USDT:USDT", "--strategy",
        "sma_cross", "--qty", "0.01", "--out", str(out), "--no-progress",
        "--risk", "max_order_notional:limit=100,on_breach=reject",
    ]  # fmt: skip
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code in (0, None), capsys.readouterr().err
    with (out / "orders.csv").open() as fh:
        orders = list(csv.DictReader(fh))
    assert orders and all(o["status"] == "DENIED" for o in orders)
    assert orders[0]["reason"].startswith("max_order_notional: order notional 464.3 > limit 100")
    md = (out / "session.md").read_text()
    assert "| risk guards | max_order_notional (on_breach=reject, limit=100) |" in md
    assert "## Orders denied by guards" in md
