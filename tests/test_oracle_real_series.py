"""Oracle test: `logos backtest` on every shipped real series against an independent reference.

For each file in ``tests/data/bars`` and each fee (0 and 10 bps) this runs the real CLI
(``logos backtest --strategy sma_cross --param fast=10 --param slow=30 --sizing fixed_qty
--qty 1 --slippage-bps 0 ...``) and compares the artifacts it writes, value by value with exact
``Decimal`` equality, with a reference simulation written below in plain Python:

* ``trades.csv``: every fill's ts, side, qty, price, fee and realized PnL;
* ``account.csv``: one row per bar with its ts, cash, equity, realized PnL, unrealized PnL and
  cumulative fees;
* ``positions.csv``: the final quantity;
* ``orders.csv``: every order's creation bar, side, qty and status (all ``FILLED``, except an
  order sent on the last bar, which is still ``ACCEPTED``); nothing rejected.

Why the oracle is independent: the expected values are computed from the CSV text alone (the
``csv`` module and ``Decimal`` of each field as written, in a decimal context wide enough that
no operation rounds), by the rules of docs/strategies.md, docs/paper_broker.md and
docs/backtest.md. Nothing from ``logos`` is imported to compute them; the package is only run,
through its command line, the way a user runs it.

Reference rules:

* signal after bar t's close: 1 if SMA(10) > SMA(30) of the closes of rows ≤ t (strictly, exact),
  else 0; none until 30 rows exist;
* order = signal × qty − position − working, sent at bar t's close as a market order; it fills at
  bar t+1's open (no slippage) with fee = qty × price × fee_bps / 10⁴; an order sent on the
  last bar stays working;
* cash −= signed qty × price + fee; long-only FIFO lots; at each bar's close
  equity = cash + position × close and unrealized = Σ (close − entry) × lot qty.

The folder has no symbol metadata file (checked below), so no lot size, minimum or tick applies;
the starting cash (10,000,000) covers every buy, so no order is cut or rejected for cash.
"""

from __future__ import annotations

import csv
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal, Inexact, Rounded, localcontext
from functools import cache
from pathlib import Path

import pytest

from logos.cli import main

BARS_DIR = Path(__file__).parent / "data" / "bars"
FILES = sorted(BARS_DIR.glob("*.csv"))
FEES_BPS = (0, 10)
FAST, SLOW = 10, 30
QTY = Decimal(1)
CASH = Decimal(10_000_000)
SYMBOL = "ORACLE/USD"  # the files have no symbol column, so any one name is the file's symbol
ZERO = Decimal(0)


@contextmanager
def _exact() -> Iterator[None]:
    """A decimal context in which any rounding raises: every result below is exact."""
    with localcontext() as ctx:
        ctx.prec = 200
        ctx.traps[Inexact] = True
        ctx.traps[Rounded] = True
        yield


# --- the reference ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RefBar:
    ts: str
    open: Decimal
    close: Decimal


@dataclass(frozen=True)
class RefOrder:
    ts_created: str
    side: str
    qty: Decimal
    status: str


@dataclass(frozen=True)
class Reference:
    orders: list[RefOrder]
    trades: list[dict[str, str | Decimal]]
    account: list[dict[str, str | Decimal]]
    final_qty: Decimal


@cache
def _bars(path: Path) -> tuple[RefBar, ...]:
    with path.open(newline="", encoding="utf-8") as fh:
        return tuple(
            RefBar(row["timestamp"], Decimal(row["open"]), Decimal(row["close"]))
            for row in csv.DictReader(fh)
        )


@cache
def _signals(path: Path) -> tuple[int | None, ...]:
    """sma_cross(FAST, SLOW) after each bar's close: 1, 0, or None (not enough rows yet)."""
    bars = _bars(path)
    signals: list[int | None] = []
    with _exact():
        prefix = [ZERO]  # prefix[i] = sum of the first i closes
        for bar in bars:
            prefix.append(prefix[-1] + bar.close)
        for t in range(len(bars)):
            rows = t + 1
            if rows < max(FAST, SLOW):
                signals.append(None)
                continue
            fast_sum = prefix[rows] - prefix[rows - FAST]
            slow_sum = prefix[rows] - prefix[rows - SLOW]
            # SMA(fast) > SMA(slow)  <=>  fast_sum / FAST > slow_sum / SLOW  <=>  (no division)
            signals.append(1 if fast_sum * SLOW > slow_sum * FAST else 0)
    return tuple(signals)


def _reference(path: Path, fee_bps: int) -> Reference:
    bars, signals = _bars(path), _signals(path)
    fee_rate = Decimal(fee_bps) / 10_000
    orders: list[RefOrder] = []
    trades: list[dict[str, str | Decimal]] = []
    account: list[dict[str, str | Decimal]] = []
    cash, realized, fees = CASH, ZERO, ZERO
    lots: deque[list[Decimal]] = deque()  # FIFO [qty, entry price], long only
    working: RefOrder | None = None
    with _exact():
        for bar, signal in zip(bars, signals, strict=True):
            # 1. an order sent at the previous close fills at this bar's open
            if working is not None:
                price, qty = bar.open, working.qty
                fee = qty * price * fee_rate
                pnl = ZERO
                if working.side == "buy":
                    cash -= qty * price + fee
                    assert cash >= 0, f"{path.name}: CASH too small, the buy at {bar.ts} is cut"
                    lots.append([qty, price])
                else:
                    cash += qty * price - fee
                    left = qty
                    while left:
                        lot = lots[0]
                        take = min(left, lot[0])
                        pnl += (price - lot[1]) * take
                        lot[0] -= take
                        left -= take
                        if not lot[0]:
                            lots.popleft()
                realized += pnl
                fees += fee
                trades.append(
                    {
                        "ts": bar.ts,
                        "side": working.side,
                        "qty": qty,
                        "price": price,
                        "fee": fee,
                        "realized_pnl": pnl,
                    }
                )
                orders[-1] = RefOrder(working.ts_created, working.side, qty, "FILLED")
                working = None
            # 2. marked at this bar's close
            position = sum((lot[0] for lot in lots), ZERO)
            unrealized = sum(((bar.close - lot[1]) * lot[0] for lot in lots), ZERO)
            account.append(
                {
                    "ts": bar.ts,
                    "cash": cash,
                    "equity": cash + position * bar.close,
                    "realized_pnl": realized,
                    "unrealized_pnl": unrealized,
                    "fees": fees,
                }
            )
            # 3. the signal after this close; the order works from the next bar on
            if signal is None:
                continue
            pending = ZERO  # signed qty still working; always 0 here (market orders fill)
            if working is not None:
                pending = working.qty if working.side == "buy" else -working.qty
            delta = signal * QTY - position - pending
            if delta > 0:  # the broker reserves the buy at this close plus its fee
                room = delta * bar.close * (1 + fee_rate)
                assert cash >= room, f"{path.name}: CASH too small, the buy at {bar.ts} is refused"
            if delta:
                working = RefOrder(bar.ts, "buy" if delta > 0 else "sell", abs(delta), "ACCEPTED")
                orders.append(working)
        final_qty = sum((lot[0] for lot in lots), ZERO)
    return Reference(orders, trades, account, final_qty)


# --- running logos ----------------------------------------------------------------------------


def _backtest(data: Path, fee_bps: int, out: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = [
        "backtest", "--data", str(data), "--symbol", SYMBOL, "--strategy", "sma_cross",
        "--param", f"fast={FAST}", "--param", f"slow={SLOW}", "--sizing", "fixed_qty",
        "--qty", str(QTY), "--fee-bps", str(fee_bps), "--slippage-bps", "0",
        "--cash", str(CASH), "--out", str(out), "--no-progress",
    ]  # fmt: skip
    code: int | str | None = 0
    try:
        main(argv)
    except SystemExit as exc:
        code = exc.code
    captured = capsys.readouterr()
    assert code in (0, None), (
        f"{data.name} fee {fee_bps}: logos backtest exited {code}: {captured.err.strip()}\n"
        f"command: logos {' '.join(argv)}"
    )


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _same(expected: str | Decimal, actual: str) -> bool:
    if isinstance(expected, Decimal):
        try:
            return Decimal(actual) == expected
        except ArithmeticError:
            return False
    return actual == expected


def _first_difference(
    where: str,
    expected: Sequence[dict[str, str | Decimal]],
    actual: Sequence[dict[str, str]],
    key: Callable[[int], str] = str,
) -> str | None:
    """A message naming the artifact, row, column and both values of the first difference."""
    for i, (want, got) in enumerate(zip(expected, actual, strict=False)):
        for column, value in want.items():
            if column not in got:
                return f"{where}: no column {column!r}"
            if not _same(value, got[column]):
                return (
                    f"{where} row {i + 1} ({key(i)}), column {column}: "
                    f"expected {value}, got {got[column]}"
                )
    if len(expected) != len(actual):
        n = min(len(expected), len(actual))
        if len(expected) > n:
            first = f"first missing row {n + 1}, expected {dict(expected[n])}"
        else:
            first = f"first extra row {n + 1}, got {actual[n]}"
        return f"{where}: expected {len(expected)} rows, got {len(actual)}; {first}"
    return None


# --- the test ---------------------------------------------------------------------------------


def test_every_shipped_series_is_covered() -> None:
    assert len(FILES) == 15, [f.name for f in FILES]
    # no metadata file beside the bars (logos.metadata looks for these names), so no lot
    # size, minimum quantity or notional, or tick applies to SYMBOL
    for pattern in ("metadata.toml", "metadata.json", "*.meta.toml", "*.meta.json"):
        assert not list(BARS_DIR.glob(pattern)), pattern


@pytest.mark.parametrize("fee_bps", FEES_BPS, ids=[f"fee{fee}" for fee in FEES_BPS])
@pytest.mark.parametrize("data", FILES, ids=[f.stem for f in FILES])
def test_backtest_matches_reference(
    data: Path, fee_bps: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ref = _reference(data, fee_bps)
    bars = _bars(data)
    name = data.name
    case = f"{name} fee {fee_bps}"

    # the oracle must not pass by trading nothing
    if len(bars) >= max(FAST, SLOW):
        assert ref.orders, f"{name}: the reference makes no order; the case would test nothing"
    else:
        assert not ref.orders and len(ref.account) == len(bars) == 20, name
    if len(bars) >= 100:  # only the short edge_* cuts may have no fill (first32: one working)
        assert ref.trades, f"{name}: the reference has no fill"

    out = tmp_path / "out"
    _backtest(data, fee_bps, out, capsys)

    trades = _rows(out / "trades.csv")
    diff = _first_difference(
        f"{case}: trades.csv", ref.trades, trades, lambda i: trades[i]["trade_id"]
    )
    assert diff is None, diff

    account = _rows(out / "account.csv")
    assert len(account) == len(bars), (
        f"{case}: account.csv has {len(account)} rows for {len(bars)} bars"
    )
    diff = _first_difference(
        f"{case}: account.csv", ref.account, account, lambda i: account[i]["ts"]
    )
    assert diff is None, diff

    positions = _rows(out / "positions.csv")
    held = {row["symbol"]: Decimal(row["qty"]) for row in positions}
    assert set(held) <= {SYMBOL}, f"{case}: positions.csv symbols {sorted(held)}"
    got_qty = held.get(SYMBOL, ZERO)
    assert got_qty == ref.final_qty, (
        f"{case}: positions.csv {SYMBOL} qty: expected {ref.final_qty}, got {got_qty}"
    )

    orders = _rows(out / "orders.csv")
    expected_orders: list[dict[str, str | Decimal]] = [
        {"ts_created": o.ts_created, "symbol": SYMBOL, "side": o.side, "qty": o.qty}
        | {"type": "market", "status": o.status}
        for o in ref.orders
    ]
    diff = _first_difference(
        f"{case}: orders.csv", expected_orders, orders, lambda i: orders[i]["order_id"]
    )
    assert diff is None, diff
    statuses = [row["status"] for row in orders]
    assert set(statuses[:-1]) <= {"FILLED"}, f"{case}: statuses {set(statuses)}"
    assert len(trades) == statuses.count("FILLED"), f"{case}: one fill per order"
