"""Alpaca's assets (alpaca-py's ``Asset`` models) become logos' symbol metadata."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from alpaca.trading.models import Asset
from logos_alpaca.assets import asset_problem, load_assets, symbol_meta

from logos.errors import DataError


def test_crypto_asset_steps_and_minimum_are_exact(assets):
    meta = symbol_meta(assets["LTC/USD"])
    assert (meta.base, meta.quote) == ("LTC", "USD")
    assert meta.tick_size == Decimal("0.005")
    assert meta.lot_size == Decimal("0.000000001")
    assert meta.min_qty == Decimal("0.013623978")
    assert (meta.fractionable, meta.shortable) == (True, False)


def test_fractionable_equity_trades_in_billionths(assets):
    meta = symbol_meta(assets["AAPL"])
    assert (meta.base, meta.quote, meta.tick_size) == ("AAPL", "USD", None)
    assert meta.lot_size == Decimal("0.000000001")
    assert (meta.fractionable, meta.shortable) == (True, True)


def test_non_fractionable_equity_trades_whole_shares(assets):
    meta = symbol_meta(assets["BRK.A"])
    assert (meta.lot_size, meta.fractionable) == (Decimal(1), False)


def test_inactive_or_untradable_asset_is_a_problem(assets):
    assert asset_problem(assets["AAPL"]) is None
    assert asset_problem(assets["DELIST"]) == "alpaca: asset DELIST is inactive, not active"
    untradable = assets["AAPL"].model_copy(update={"tradable": False})
    assert asset_problem(untradable) == "alpaca: asset AAPL is not tradable at Alpaca"


def test_assets_file_keyed_by_symbol_is_read_too(tmp_path, assets):
    path = tmp_path / "assets.json"
    path.write_text(json.dumps({"AAPL": assets["AAPL"].model_dump(mode="json", by_alias=True)}))
    loaded = load_assets(path)
    assert isinstance(loaded["AAPL"], Asset)
    assert loaded["AAPL"].fractionable is True


def test_a_broken_assets_file_is_one_line_naming_it(tmp_path):
    path = tmp_path / "assets.json"
    path.write_text('[{"symbol": "AAPL"}]')
    with pytest.raises(DataError, match=r"assets\.json: asset \[0\]: "):
        load_assets(path)
    path.write_text("not json")
    with pytest.raises(DataError, match=r"assets\.json: not JSON"):
        load_assets(path)
