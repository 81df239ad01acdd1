"""The CSV artifacts of DESIGN.md §7: orders.csv, trades.csv, positions.csv, account.csv.

Header row, ISO-8601 UTC timestamps with ``Z``, numbers in the text form of
:mod:`logos.reports.numbers`, ``\\n`` line endings, UTF-8. Fields never need quoting except a
free-text ``reason``, which the csv module quotes when it must.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

from logos.domain import Fill, Order, Position
from logos.reports.numbers import format_decimal, format_optional, format_ts, format_ts_column
from logos.reports.result import ACCOUNT_COLUMNS, AccountTable

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


def _write_rows(path: Path, header: Iterable[str], rows: Iterable[Iterable[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_orders(path: Path, orders: Iterable[Order]) -> Path:
    """orders.csv: the latest version of every order, in creation order."""
    rows = (
        (
            o.order_id,
            o.client_order_id,
            format_ts(o.ts_created),
            o.symbol,
            o.side.value,
            o.type.value,
            format_decimal(o.qty),
            format_optional(o.limit_price),
            o.status.value,
            format_decimal(o.filled_qty),
            format_optional(o.avg_fill_price),
            format_ts(o.ts_updated),
            o.reason,
        )
        for o in orders
    )
    return _write_rows(path, ORDER_COLUMNS, rows)


def write_trades(path: Path, fills: Iterable[Fill]) -> Path:
    """trades.csv: one row per fill, in the order the fills happened."""
    rows = (
        (
            f.trade_id,
            f.order_id,
            format_ts(f.ts),
            f.symbol,
            f.side.value,
            format_decimal(f.qty),
            format_decimal(f.price),
            format_decimal(f.fee),
            format_decimal(f.realized_pnl),
        )
        for f in fills
    )
    return _write_rows(path, TRADE_COLUMNS, rows)


def write_positions(path: Path, positions: Iterable[Position]) -> Path:
    """positions.csv: the final position of every symbol traded or configured."""
    rows = (
        (
            p.symbol,
            format_decimal(p.qty),
            format_decimal(p.avg_cost),
            format_optional(p.last_price),
            format_decimal(p.market_value),
            format_decimal(p.unrealized_pnl),
            format_decimal(p.realized_pnl),
        )
        for p in positions
    )
    return _write_rows(path, POSITION_COLUMNS, rows)


def write_account(path: Path, account: AccountTable) -> Path:
    """account.csv: one row per time slice (written by pyarrow; millions of rows are common)."""
    return write_account_text(path, account_text(account))


def account_text(account: AccountTable) -> pa.Table:
    """The account.csv columns in artifact text form (the part of writing that needs the GIL)."""
    return pa.table(
        {
            "ts": format_ts_column(account.ts_ns),
            **{name: account.columns[name].to_text() for name in ACCOUNT_COLUMNS},
        }
    )


def write_account_text(path: Path, table: pa.Table) -> Path:
    """Write :func:`account_text`'s table as account.csv (pyarrow, outside the GIL: the file
    is pyarrow's own, not a Python file object whose every write would wait for the GIL)."""
    with pa.OSFile(str(path), "wb") as fh:
        fh.write((",".join(("ts", *ACCOUNT_COLUMNS)) + "\n").encode())
        if table.num_rows:
            pacsv.write_csv(
                table,
                fh,
                write_options=pacsv.WriteOptions(
                    include_header=False, quoting_style="none", batch_size=65_536
                ),
            )
    return path
