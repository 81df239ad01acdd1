"""The CSV artifacts: orders.csv, trades.csv, positions.csv and account.csv.

A header row, then one row per record, written by :func:`csv.writer` (``,`` delimiter,
minimal quoting, ``\\n`` line ends, UTF-8). Timestamps and numbers are written as
:mod:`logos.reports.text` writes them; a missing value (a market order's limit price) is an
empty field. account.csv holds no text that needs quotes and is written from the lines
:class:`~logos.reports.account_history.AccountHistory` keeps.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from operator import attrgetter
from pathlib import Path
from typing import Any, TextIO

from logos.domain import Fill, Order, Position
from logos.reports.account_history import AccountHistory
from logos.reports.text import format_optional, format_ts

ORDER_COLUMNS = (
    "order_id",
    "client_order_id",
    "ts_created",
    "symbol",
    "side",
    "type",
    "qty",
    "limit_price",
    "stop_price",
    "trail_amount",
    "trail_percent",
    "status",
    "filled_qty",
    "avg_fill_price",
    "ts_updated",
    "reduce_only",
    "parent_id",
    "oco_id",
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


def write_orders(path: Path, orders: Iterable[Order]) -> Path:
    """orders.csv: the latest version of every order, in creation order."""
    return _write(path, ORDER_COLUMNS, orders)


def write_trades(path: Path, fills: Iterable[Fill]) -> Path:
    """trades.csv: one row per fill, in the order the fills happened."""
    return _write(path, TRADE_COLUMNS, fills)


def write_positions(path: Path, positions: Iterable[Position]) -> Path:
    """positions.csv: the final position of every symbol traded or configured."""
    return _write(path, POSITION_COLUMNS, positions)


def write_account(path: Path, account: AccountHistory) -> Path:
    """account.csv: the header, then the account after every slice."""
    with path.open("wb") as fh:
        account.write_csv(fh)
    return path


_TIMESTAMPS = frozenset({"ts", "ts_created", "ts_updated"})
_TEXT = frozenset({"order_id", "client_order_id", "trade_id", "symbol", "side", "type"})
_TEXT |= {"status", "reason", "parent_id", "oco_id"}
_FLAGS = frozenset({"reduce_only"})
# every other column is a number (Decimal, or None for an empty field)


def _write(path: Path, columns: Sequence[str], records: Iterable[Any]) -> Path:
    """Write ``columns`` (attribute names) of each record, one row per record. Values are
    turned into text a column at a time: text columns are written as they are (string enums
    are strings), timestamps by :func:`~logos.reports.text.format_ts` and numbers by
    :func:`~logos.reports.text.format_optional`."""
    rows = list(map(attrgetter(*columns), records))
    values = list(zip(*rows, strict=True)) if rows else [()] * len(columns)
    texts = [_column_text(name, column) for name, column in zip(columns, values, strict=True)]
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(columns)
        if _QUOTES_CARRIAGE_RETURN or not any("\r" in "".join(t) for t in texts):
            writer.writerows(zip(*texts, strict=True))
        else:
            for row in zip(*texts, strict=True):
                _write_row(fh, writer, row)
    return path


def _column_text(name: str, values: Sequence[Any]) -> Sequence[str]:
    if name in _TEXT:
        return ["" if v is None else v for v in values]
    if name in _FLAGS:
        return ["true" if v else "false" for v in values]
    if name in _TIMESTAMPS:
        return list(map(format_ts, values))
    return list(map(format_optional, values))


def _write_row(fh: TextIO, writer: Any, row: Sequence[str]) -> None:
    """``writer.writerow(row)``, quoting a field with a lone ``\\r`` on every Python.

    CPython's writer quotes ``\\r`` only since 3.11.9 and 3.12.3; earlier it left it bare,
    and every CSV reader then ends the row there. On those versions a row with a ``\\r`` is
    written by a writer whose line terminator is ``\\r\\n`` (so that it quotes ``\\r``), and
    its terminator is then cut to ``\\n``.
    """
    if "\r" not in "".join(row):
        writer.writerow(row)
        return
    line = io.StringIO()
    csv.writer(line, lineterminator="\r\n").writerow(row)
    fh.write(line.getvalue().removesuffix("\r\n") + "\n")


def _quotes_carriage_return() -> bool:
    line = io.StringIO()
    csv.writer(line, lineterminator="\n").writerow(["\r"])
    return line.getvalue() == '"\r"\n'


_QUOTES_CARRIAGE_RETURN = _quotes_carriage_return()
