"""Symbol metadata from JSON/TOML files beside the data, or from a config mapping."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest

from logos.errors import DataError
from logos.metadata import find_metadata_file, load_symbol_metas, metas_for_data, parse_symbol_metas

TOML = """
["BTC/USDT"]
base = "BTC"
quote = "USDT"
tick_size = "0.01"
lot_size = 0.00001
min_notional = 5
shortable = false

["ETH/USDT"]
tick_size = 0.1
"""


def test_toml_file(tmp_path: Path) -> None:
    path = tmp_path / "metadata.toml"
    path.write_text(TOML)
    metas = load_symbol_metas(path)
    btc = metas["BTC/USDT"]
    assert (btc.symbol, btc.base, btc.quote) == ("BTC/USDT", "BTC", "USDT")
    assert (btc.tick_size, btc.lot_size, btc.min_notional) == (D("0.01"), D("0.00001"), D(5))
    assert btc.shortable is False and btc.fractionable is True
    assert btc.min_qty is None and btc.max_qty is None  # missing means unconstrained
    # a TOML float is read as written, not through binary: 0.1 stays exactly 0.1
    assert str(metas["ETH/USDT"].tick_size) == "0.1"


def test_json_file_numbers_are_exact(tmp_path: Path) -> None:
    path = tmp_path / "metadata.json"
    path.write_text('{"XRP/ETH": {"tick_size": 0.00000001, "lot_size": "1", "max_qty": 90000}}')
    meta = load_symbol_metas(path)["XRP/ETH"]
    assert (meta.tick_size, meta.lot_size, meta.max_qty) == (D("1E-8"), D(1), D(90000))


def test_found_beside_the_data_file(tmp_path: Path) -> None:
    data = tmp_path / "btc.csv"
    data.write_text("timestamp,open,high,low,close,volume\n")
    assert find_metadata_file(data) is None
    assert metas_for_data(data) == {}  # none given: unconstrained
    (tmp_path / "metadata.json").write_text('{"A": {"lot_size": "1"}}')
    assert find_metadata_file(data) == tmp_path / "metadata.json"
    (tmp_path / "btc.meta.toml").write_text('["B"]\nlot_size = "2"\n')
    assert find_metadata_file(data) == tmp_path / "btc.meta.toml"  # the per-file one wins
    assert metas_for_data(data)["B"].lot_size == D(2)
    assert find_metadata_file(tmp_path) == tmp_path / "metadata.json"  # a data directory


def test_from_a_config_mapping() -> None:
    metas = parse_symbol_metas({"AAPL": {"lot_size": "1", "fractionable": False}})
    assert metas["AAPL"].fractionable is False


def test_every_problem_named_with_file_and_symbol(tmp_path: Path) -> None:
    path = tmp_path / "metadata.toml"
    path.write_text('["A"]\ntick_size = "-1"\n["B"]\nlot = "1"\n["C"]\nsymbol = "D"\n')
    with pytest.raises(DataError) as info:
        load_symbol_metas(path)
    text = str(info.value)
    assert text.startswith(f"{path}: invalid symbol metadata")
    assert "symbol 'A': tick_size: Input should be greater than 0" in text
    assert "symbol 'B': lot: Extra inputs are not permitted" in text
    assert "symbol 'C': field symbol is 'D', must equal the key" in text


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("m.json", "{not json", "not valid JSON"),
        ("m.toml", "[broken", "not valid TOML"),
        ("m.yaml", "a: 1", "must end in .json or .toml"),
        ("m.json", "[1, 2]", "expected a table keyed by symbol"),
    ],
)
def test_malformed_files(tmp_path: Path, name: str, content: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(DataError, match=message):
        load_symbol_metas(path)


def test_missing_file() -> None:
    with pytest.raises(DataError, match="metadata file not found"):
        load_symbol_metas("no/such/metadata.json")
