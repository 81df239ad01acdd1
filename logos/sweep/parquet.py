"""``sweep.parquet``: the rows of ``table.csv`` as a typed Parquet table (pandas + pyarrow).

The same rows in the same order as ``table.csv`` (sorted by fold, window and trial; no wall
time or worker), with types a notebook can use directly: ``trial`` and ``trades`` integers,
the float metrics floats, ``pnl`` and ``final_equity`` exact decimals (the decimal text the
backtest computed, never a float), each swept parameter typed after its range (integers,
floats, booleans, else strings), and an empty cell (an error's missing metrics, no fold)
null. It is written from ``table.csv``'s rows whenever the table is written, atomically, and
only from those rows, so the same trials give the same bytes whatever the number of workers
(pyarrow writes no timestamp; its ``created_by`` names the pyarrow version only).
"""

from __future__ import annotations

import csv
import os
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

PARQUET_FILE = "sweep.parquet"
FLOAT_METRICS = (
    "total_return",
    "sharpe",
    "sortino",
    "calmar",
    "profit_factor",
    "max_drawdown",
    "win_rate",
)
INT_COLUMNS = ("trial", "trades")
DECIMAL_COLUMNS = ("pnl", "final_equity")


def param_dtype(values: Sequence[Any]) -> str:
    """The pandas dtype of a swept parameter's column, from its range's values."""
    if all(isinstance(v, bool) for v in values):
        return "boolean"
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return "Int64"
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return "Float64"
    return "string"


def write_parquet(
    path: Path,
    columns: list[str],
    rows: list[dict[str, str]],
    params: dict[str, Sequence[Any]],
) -> Path:
    """Write ``rows`` (``table.csv``'s text cells) to ``path`` atomically; ``params`` maps
    each swept parameter to its range's values (for its column's type)."""
    import pandas as pd

    data: dict[str, Any] = {}
    for column in columns:
        texts = [row[column] for row in rows]
        if column in params:
            dtype = param_dtype(params[column])
            cells: list[Any] = [_param(t, dtype) for t in texts]
        elif column in INT_COLUMNS:
            dtype, cells = "Int64", [int(t) if t else None for t in texts]
        elif column in FLOAT_METRICS:
            dtype, cells = "Float64", [float(t) if t else None for t in texts]
        elif column in DECIMAL_COLUMNS:
            dtype, cells = "object", [Decimal(t) if t else None for t in texts]
        else:
            dtype, cells = "string", [t or None for t in texts]
        data[column] = pd.array(cells, dtype=dtype) if dtype != "object" else cells
    frame = pd.DataFrame(data, columns=columns)
    temporary = path.with_name(path.name + ".tmp")
    frame.to_parquet(temporary, engine="pyarrow", index=False, compression="zstd")
    os.replace(temporary, path)
    return path


def parquet_from_table(folder: Path, param_specs: list[str]) -> Path | None:
    """Write ``sweep.parquet`` from the folder's ``table.csv`` (``logos sweep show`` on a
    sweep that finished before sweep.parquet existed); ``param_specs``: the sweep's
    ``NAME=SPEC`` ranges, for the params' types. None when there is no table.csv."""
    from logos.sweep.params import parse_params

    table = folder / "table.csv"
    if not table.is_file():
        return None
    with table.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        rows = list(reader)
        columns = list(reader.fieldnames or [])
    params = {r.name: r.values for r in parse_params(param_specs)}
    return write_parquet(folder / PARQUET_FILE, columns, rows, params)


def _param(text: str, dtype: str) -> Any:
    if not text:
        return None
    if dtype == "boolean":
        return text == "true"
    if dtype == "Int64":
        return int(text)
    if dtype == "Float64":
        return float(text)
    return text
