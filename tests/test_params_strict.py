"""Absurd values are refused with the limit; component params take their own types only."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import ValidationError

import logos
from logos.brokers.paper_state import PaperParams
from logos.cli import main
from logos.config import read_config_file, validate_config
from logos.plugins import get_registry
from logos.sizing import FixedQtyParams
from logos.strategies.rsi_reversion import RsiReversion
from logos.strategies.sma_cross import SmaCross

DATA = Path(logos.__file__).parent / "data"
EXAMPLES = Path(logos.__file__).parent.parent / "examples"


def fail(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    with pytest.raises(SystemExit) as exc:
        main(list(argv))
    err = capsys.readouterr().err
    assert exc.value.code == 1, err
    assert err.startswith("error:") and "Traceback" not in err
    return " ".join(err.split())


def nvda(tmp_path: Path, *extra: str) -> list[str]:
    return [
        "backtest", "--data", str(DATA / "nvda-1d.csv"), "--symbol", "NVDA",
        "--strategy", "rsi_reversion", "--out", str(tmp_path / "o"), "--no-progress", *extra,
    ]  # fmt: skip


@pytest.mark.parametrize("value", ["true", '"10"', "10.0"])
def test_an_integer_param_takes_only_an_integer(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, value: str
) -> None:
    err = fail(capsys, *nvda(tmp_path, "--qty", "1", "--param", f"period={value}"))
    assert "strategy.params.period: Input should be a valid integer" in err
    assert not (tmp_path / "o").exists()


def test_bool_float_and_int_fields_refuse_other_types_and_floats_take_integers() -> None:
    with pytest.raises(ValidationError, match="Input should be a valid integer"):
        SmaCross.Params.model_validate({"fast": True})
    with pytest.raises(ValidationError, match="Input should be true or false"):
        PaperParams.model_validate({"allow_short": 1})
    with pytest.raises(ValidationError, match="Input should be a valid number"):
        RsiReversion.Params.model_validate({"lower": "30"})
    assert RsiReversion.Params.model_validate({"lower": 30}).lower == 30.0
    with pytest.raises(ValidationError, match="finite"):
        RsiReversion.Params.model_validate({"exit_long": float("inf")})


@pytest.mark.parametrize("value", ["0.01", 0.01, 1])
def test_decimal_params_still_take_text_floats_and_integers(value: object) -> None:
    assert FixedQtyParams.model_validate({"qty": value}).qty == Decimal(str(value))
    assert PaperParams.model_validate({"fee_bps": value}).fee_bps == Decimal(str(value))


@pytest.mark.parametrize(
    ("flag", "value", "message"),
    [
        ("--fee-bps", "10000", "broker.params.fee_bps: Input should be less than 10000"),
        ("--slippage-bps", "10000", "broker.params.slippage_bps: Input should be less than 10000"),
        ("--cash", "inf", "broker.params.cash: Input should be a finite number"),
        ("--fee-bps", "NaN", "broker.params.fee_bps: Input should be a finite number"),
    ],
)
def test_absurd_broker_values_are_refused_with_the_limit(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, flag: str, value: str, message: str
) -> None:
    err = fail(capsys, *nvda(tmp_path, "--qty", "1", flag, value))
    assert message in err


def test_a_maker_fee_of_100_percent_is_refused() -> None:
    with pytest.raises(ValidationError, match="less than 10000"):
        PaperParams.model_validate({"maker_fee_bps": "10000"})
    assert PaperParams.model_validate({"fee_bps": "9999.99"}).fee_bps == Decimal("9999.99")


def test_a_quantity_below_the_smallest_lot_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    err = fail(capsys, *nvda(tmp_path, "--qty", "0.5"))
    assert (
        "sizing.params.qty: 0.5 is below the smallest order of NVDA, 1 (lot_size 1, min_qty 1, "
        "not fractionable): every order would be dropped" in err
    )
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("config", sorted(EXAMPLES.glob("*.toml")), ids=lambda p: p.name)
def test_every_example_config_still_validates(config: Path) -> None:
    validate_config(read_config_file(config), get_registry(), source=str(config))
