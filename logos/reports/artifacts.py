"""The CSV artifacts of DESIGN.md §7: orders.csv, trades.csv, positions.csv, account.csv.

Header row, ISO-8601 UTC timestamps with ``Z``, numbers in the text form of
:mod:`logos.reports.numbers`, ``\\n`` line endings, UTF-8. Fields are quoted exactly where the
csv module would quote them (in practice only a free-text ``reason``; see
:mod:`logos.reports.csv_text`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from operator import attrgetter
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from logos.domain import Fill, Order, Position
from logos.reports.csv_text import write_csv
from logos.reports.numbers import (
    ScaledColumn,
    format_decimal_values,
    format_ts_column,
    format_ts_values,
)
from logos.reports.result import ACCOUNT_COLUMNS, AccountColumn, AccountTable

ORDER_COLUMNS = (
    "order_id",
    "client_order_id",
    "ts_created",
    "symbol",
    "side",
    "type",
    "qty",
    "limit_price",
    "status",
    "filled_qty",
    "avg_fill_price",
    "ts_updated",
    "reason",
)
TRADE_COLUMNS = (
    "trade_id",
    "order_id",
    "ts",
    "symbol",
    "side",
    "qty",
    "price",
    "fee",
    "realized_pnl",
)
POSITION_COLUMNS = (
    "symbol",
    "qty",
    "avg_cost",
    "last_price",
    "market_value",
    "unrealized_pnl",
    "realized_pnl",
)


# The column names are the attribute names of Order, Fill and Position. Columns are built
# with one attrgetter pass per file and formatted column-wise in C++ (numbers.format_*_values);
# csv_text writes them as csv.writer would, ~2x faster than formatting cell by cell.
_ORDER_FIELDS = attrgetter(*ORDER_COLUMNS)
_TRADE_FIELDS = attrgetter(*TRADE_COLUMNS)
_POSITION_FIELDS = attrgetter(*POSITION_COLUMNS)


def _text(values: Sequence[str]) -> pa.Array:
    """Strings (or StrEnum members, which are their values) as a string array."""
    return pa.array(values, pa.string())


def _transpose(rows: list[tuple[Any, ...]], width: int) -> list[Sequence[Any]]:
    return list(zip(*rows, strict=True)) if rows else [()] * width


def write_orders(path: Path, orders: Iterable[Order]) -> Path:
    """orders.csv: the latest version of every order, in creation order."""
    (oid, coid, created, symbol, side, kind, qty, limit, status, filled, avg, updated, reason) = (
        _transpose([_ORDER_FIELDS(o) for o in orders], len(ORDER_COLUMNS))
    )
    columns = [
        _text(oid),
        _text(coid),
        format_ts_values(created),
        _text(symbol),
        _text(side),
        _text(kind),
        format_decimal_values(qty),
        format_decimal_values(limit),
        _text(status),
        format_decimal_values(filled),
        format_decimal_values(avg),
        format_ts_values(updated),
        _text(reason),
    ]
    return write_csv(path, ORDER_COLUMNS, columns)


def write_trades(path: Path, fills: Iterable[Fill]) -> Path:
    """trades.csv: one row per fill, in the order the fills happened."""
    trade_id, order_id, ts, symbol, side, qty, price, fee, pnl = _transpose(
        [_TRADE_FIELDS(f) for f in fills], len(TRADE_COLUMNS)
    )
    columns = [
        _text(trade_id),
        _text(order_id),
        format_ts_values(ts),
        _text(symbol),
        _text(side),
        *(format_decimal_values(values) for values in (qty, price, fee, pnl)),
    ]
    return write_csv(path, TRADE_COLUMNS, columns)


def write_positions(path: Path, positions: Iterable[Position]) -> Path:
    """positions.csv: the final position of every symbol traded or configured."""
    symbol, *numbers = _transpose([_POSITION_FIELDS(p) for p in positions], len(POSITION_COLUMNS))
    columns = [_text(symbol), *(format_decimal_values(values) for values in numbers)]
    return write_csv(path, POSITION_COLUMNS, columns)


def write_account(path: Path, account: AccountTable) -> Path:
    """account.csv: one row per time slice (written by pyarrow; millions of rows are common)."""
    return write_account_text(path, account_text(account))


def account_text(account: AccountTable) -> pa.Table:
    """The account.csv columns in artifact text form (the part of writing that needs the GIL)."""
    texts = {"ts": format_ts_column(account.ts_ns)}
    for name in ACCOUNT_COLUMNS:
        if name == "net_exposure" and _same_values(
            account.columns["gross_exposure"], account.columns[name]
        ):
            # Without short positions net exposure is gross exposure: format it once.
            texts[name] = texts["gross_exposure"]
        else:
            texts[name] = account.columns[name].to_text()
    return pa.table(texts)


def _same_values(a: AccountColumn, b: AccountColumn) -> bool:
    return (
        isinstance(a, ScaledColumn)
        and isinstance(b, ScaledColumn)
        and a.scale == b.scale
        and np.array_equal(a.values, b.values)
    )


def write_account_text(path: Path, table: pa.Table) -> Path:
    """Write :func:`account_text`'s table as account.csv (pyarrow, outside the GIL: the file
    is pyarrow's own, not a Python file object whose every write would wait for the GIL)."""
    with pa.OSFile(str(path), "wb") as fh:
        fh.write((",".join(("ts", *ACCOUNT_COLUMNS)) + "\n").encode())
        if table.num_rows:
            # Batches of 8k rows stay in the CPU cache: ~15 % less CPU than 64k on 1M rows.
            pacsv.write_csv(
                table,
                fh,
                write_options=pacsv.WriteOptions(
                    include_header=False, quoting_style="none", batch_size=8_192
                ),
            )
    return path
