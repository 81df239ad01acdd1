"""Symbol metadata for replay: a JSON or TOML file keyed by symbol, or a mapping from the config.

File format (full description in docs/metadata.md). One table/object per symbol; every field
is optional and a missing field means "not constrained"::

    # metadata.toml
    ["BTC/USDT"]
    base = "BTC"
    quote = "USDT"
    tick_size = "0.01"       # price step
    lot_size = "0.00001"     # quantity step
    min_qty = "0.00001"
    max_qty = "9000"
    min_notional = "5"       # |qty| × price must be at least this
    fractionable = true
    shortable = false

or the same as JSON: ``{"BTC/USDT": {"tick_size": "0.01", "lot_size": "0.00001"}}``.
Numbers may be strings (recommended) or plain numbers; numbers are read exactly as written
(never through a binary float). An entry may repeat ``symbol`` but it must equal its key.

Where the file is looked for, beside a data file ``DIR/NAME.csv``: ``DIR/NAME.meta.toml``,
``DIR/NAME.meta.json``, ``DIR/metadata.toml``, ``DIR/metadata.json`` (first found wins).
With no file and no config mapping, symbols are unconstrained.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from logos.domain import SymbolMeta
from logos.errors import DataError, at_line
from logos.textfile import read_text, toml_error_message


def parse_symbol_metas(data: Mapping[str, Any], source: str = "config") -> dict[str, SymbolMeta]:
    """Validate a ``{symbol: {field: value}}`` mapping; one DataError lists every problem."""
    if not isinstance(data, Mapping):
        raise DataError(f"{source}: expected a table keyed by symbol, got {type(data).__name__}")
    metas: dict[str, SymbolMeta] = {}
    problems: list[str] = []
    for symbol, fields in data.items():
        if not isinstance(fields, Mapping):
            problems.append(f"symbol {symbol!r}: expected a table of fields")
            continue
        given = fields.get("symbol", symbol)
        if given != symbol:
            problems.append(f"symbol {symbol!r}: field symbol is {given!r}, must equal the key")
            continue
        values = {k: _exact(v) for k, v in fields.items()}
        try:
            metas[symbol] = SymbolMeta.model_validate({**values, "symbol": symbol})
        except ValidationError as exc:
            for err in exc.errors(include_url=False):
                where = ".".join(str(p) for p in err["loc"])
                problems.append(f"symbol {symbol!r}: {where}: {err['msg']}")
    if problems:
        raise DataError(
            f"{source}: invalid symbol metadata:\n" + "\n".join(f"  - {p}" for p in problems)
        )
    return metas


def _exact(value: Any) -> Any:
    """Plain numbers become Decimals of their written form, never a binary float."""
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    return value


def load_symbol_metas(path: str | Path) -> dict[str, SymbolMeta]:
    """Read a metadata file (``.json`` or ``.toml``) into ``{symbol: SymbolMeta}``."""
    path = Path(path)
    if path.suffix not in (".json", ".toml"):
        raise DataError(f"{path}: metadata file must end in .json or .toml")
    text = read_text(path, DataError, what="metadata file")
    try:
        if path.suffix == ".json":
            data = json.loads(text, parse_float=Decimal)
        else:
            data = tomllib.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise DataError(at_line(path, exc.lineno, f"not valid JSON: {exc.msg}")) from None
    except tomllib.TOMLDecodeError as exc:
        raise DataError(toml_error_message(path, exc, text)) from None
    return parse_symbol_metas(data, source=str(path))


def find_metadata_file(data_path: str | Path) -> Path | None:
    """The metadata file beside a data file (see the module docstring), or None."""
    data_path = Path(data_path)
    folder = data_path if data_path.is_dir() else data_path.parent
    names = (
        [] if data_path.is_dir() else [f"{data_path.stem}.meta.toml", f"{data_path.stem}.meta.json"]
    )
    names += ["metadata.toml", "metadata.json"]
    for name in names:
        candidate = folder / name
        if candidate.is_file():
            return candidate
    return None


def metas_for_data(data_path: str | Path) -> dict[str, SymbolMeta]:
    """Metadata found beside ``data_path``; empty (everything unconstrained) when none."""
    found = find_metadata_file(data_path)
    return load_symbol_metas(found) if found is not None else {}
