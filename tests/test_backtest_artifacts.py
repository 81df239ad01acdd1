"""`logos backtest` on the shipped sample data: the five artifacts, every column, and the numbers
checked against expectations computed here from the input bars alone (exact Decimal SMAs,
next-bar-open fills, fee = fee_bps × notional, final equity = cash + Σ qty × last close)."""

from __future__ import annotations

import csv
import re
from decimal import Decimal
from pathlib import Path

import pytest

import logos
from logos.cli import main

DATA = Path(logos.__file__).parent / "data" / "btcusdt-perp-1m.csv"
SYMBOL = "BTC/USDT:USDT"
FLAGS = (
    "--data", str(DATA), "--symbol", SYMBOL, "--strategy", "sma_cross",
    "--param", "fast=10", "--param", "slow=30", "--sizing", "fixed_qty", "--qty", "1",
    "--fee-bps", "10", "--slippage-bps", "0", "--cash", "100000",
)  # fmt: skip
ARTIFACTS = ("orders.csv", "trades.csv", "positions.csv", "account.csv", "session.md")
TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
NUMBER = re.compile(r"^-?\d+(\.\d*[1-9])?$")
HEADERS = {
    "orders.csv": "order_id,client_order_id,ts_created,symbol,side,type,qty,limit_price,"
    "stop_price,trail_amount,trail_percent,status,filled_qty,avg_fill_price,ts_updated,"
    "reduce_only,parent_id,oco_id,reason",
    "trades.csv": "trade_id,order_id,ts,symbol,side,qty,price,fee,realized_pnl",
    "positions.csv": "symbol,qty,avg_cost,last_price,market_value,unrealized_pnl,realized_pnl",
    "account.csv": "ts,cash,equity,gross_exposure,net_exposure,realized_pnl,unrealized_pnl,"
    "fees,drawdown",
}


def _backtest(out: Path, capsys: pytest.CaptureFixture[str]) -> str:
    try:
        main(["backtest", *FLAGS, "--out", str(out)])
    except SystemExit as exc:
        assert exc.code in (0, None), capsys.readouterr().err
    return capsys.readouterr().out


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def bars() -> list[dict[str, str]]:
    return _rows(DATA)


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bt") / "out"
    main_exit = None
    try:
        main(["backtest", *FLAGS, "--out", str(out)])
    except SystemExit as exc:
        main_exit = exc.code
    assert main_exit in (0, None)
    return out


def _expected_orders(bars: list[dict[str, str]]) -> list[tuple[int, str]]:
    """(row, side) of every order sma_cross(10, 30) long-only makes, from exact Decimal sums."""
    closes = [Decimal(b["close"]) for b in bars]
    orders, held = [], False
    for i in range(29, len(closes)):
        fast, slow = sum(closes[i - 9 : i + 1]), sum(closes[i - 29 : i + 1])
        want = fast * 30 > slow * 10  # SMA(10) > SMA(30), strictly
        if want != held:
            orders.append((i, "buy" if want else "sell"))
            held = want
    return orders


def test_all_five_artifacts_with_exact_headers(run: Path) -> None:
    for name in ARTIFACTS:
        assert (run / name).is_file(), name
    for name, header in HEADERS.items():
        assert (run / name).read_text().splitlines()[0] == header


def test_orders_are_the_sma_crossings_and_fill_at_the_next_bar(
    run: Path, bars: list[dict[str, str]]
) -> None:
    expected = _expected_orders(bars)
    assert len(expected) > 100
    orders = _rows(run / "orders.csv")
    assert [(o["ts_created"], o["side"]) for o in orders] == [
        (bars[i]["timestamp"], side) for i, side in expected
    ]
    by_id = {o["order_id"]: o for o in orders}
    trades = _rows(run / "trades.csv")
    assert len(trades) == len([i for i, _ in expected if i + 1 < len(bars)])
    for (row, side), trade in zip(expected, trades, strict=False):
        order = by_id[trade["order_id"]]
        assert order["ts_created"] == bars[row]["timestamp"]
        assert trade["ts"] == bars[row + 1]["timestamp"]  # first eligible bar: the next one
        assert Decimal(trade["price"]) == Decimal(bars[row + 1]["open"])  # no slippage
        assert (trade["symbol"], trade["side"], trade["qty"]) == (SYMBOL, side, "1")
        notional = Decimal(trade["qty"]) * Decimal(trade["price"])
        assert Decimal(trade["fee"]) == notional * 10 / 10000
        assert (order["status"], order["filled_qty"]) == ("FILLED", "1")
        assert Decimal(order["avg_fill_price"]) == Decimal(trade["price"])
        assert order["ts_updated"] == trade["ts"]


def test_realized_pnl_is_sell_minus_buy_per_round_trip(run: Path) -> None:
    trades = _rows(run / "trades.csv")
    for buy, sell in zip(trades[0::2], trades[1::2], strict=False):
        assert (buy["side"], sell["side"]) == ("buy", "sell")
        assert Decimal(buy["realized_pnl"]) == 0
        assert Decimal(sell["realized_pnl"]) == Decimal(sell["price"]) - Decimal(buy["price"])


def test_account_has_one_row_per_bar_and_ends_at_cash_plus_marked_position(
    run: Path, bars: list[dict[str, str]]
) -> None:
    account = _rows(run / "account.csv")
    assert [a["ts"] for a in account] == [b["timestamp"] for b in bars]
    trades = _rows(run / "trades.csv")
    cash, qty = Decimal(100000), Decimal(0)
    for t in trades:
        signed = Decimal(t["qty"]) * (1 if t["side"] == "buy" else -1)
        cash -= signed * Decimal(t["price"]) + Decimal(t["fee"])
        qty += signed
    last_close = Decimal(bars[-1]["close"])
    last = account[-1]
    assert Decimal(last["cash"]) == cash
    assert Decimal(last["equity"]) == cash + qty * last_close
    assert Decimal(last["fees"]) == sum(Decimal(t["fee"]) for t in trades)
    assert Decimal(last["realized_pnl"]) == sum(Decimal(t["realized_pnl"]) for t in trades)
    for row in account:
        assert Decimal(row["equity"]) == Decimal(row["cash"]) + Decimal(row["net_exposure"])
        assert Decimal(row["gross_exposure"]) == abs(Decimal(row["net_exposure"]))
        assert 0 <= Decimal(row["drawdown"]) < 1
    peak, worst = Decimal(100000), Decimal(0)
    for row in account:
        equity = Decimal(row["equity"])
        peak = max(peak, equity)
        assert Decimal(row["drawdown"]) == (peak - equity) / peak
        worst = max(worst, (peak - equity) / peak)
    assert worst > 0


def test_positions_are_the_final_holdings(run: Path, bars: list[dict[str, str]]) -> None:
    (position,) = _rows(run / "positions.csv")
    trades = _rows(run / "trades.csv")
    qty = sum(Decimal(t["qty"]) * (1 if t["side"] == "buy" else -1) for t in trades)
    assert position["symbol"] == SYMBOL
    assert Decimal(position["qty"]) == qty
    assert Decimal(position["last_price"]) == Decimal(bars[-1]["close"])
    assert Decimal(position["market_value"]) == qty * Decimal(bars[-1]["close"])
    assert Decimal(position["realized_pnl"]) == sum(Decimal(t["realized_pnl"]) for t in trades)


def test_every_timestamp_and_number_is_in_artifact_form(run: Path) -> None:
    ts_columns = {"ts", "ts_created", "ts_updated"}
    text_columns = {"order_id", "client_order_id", "symbol", "side", "type", "status", "reason"}
    text_columns |= {"trade_id", "parent_id", "oco_id"}
    flag_columns = {"reduce_only"}
    for name in ("orders.csv", "trades.csv", "positions.csv", "account.csv"):
        for row in _rows(run / name):
            for column, value in row.items():
                if column in ts_columns:
                    assert TS.match(value), (name, column, value)
                elif column in flag_columns:
                    assert value in ("true", "false"), (name, column, value)
                elif column not in text_columns and value != "":
                    assert NUMBER.match(value), (name, column, value)
    orders = _rows(run / "orders.csv")
    assert all(re.fullmatch(r"session-\d+", o["client_order_id"]) for o in orders)
    assert len({o["client_order_id"] for o in orders}) == len(orders)
    assert all(o["type"] == "market" and o["limit_price"] == "" for o in orders)


def test_session_md_reports_the_run(run: Path) -> None:
    text = (run / "session.md").read_text()
    for heading in ("## Configuration", "## Results", "## Guard trips", "## Restarts"):
        assert heading in text
    assert "sma_cross (fast=10, slow=30)" in text
    assert "None." in text  # no guard trips: no guards configured
    assert "(equity.png)" in text and (run / "equity.png").read_bytes().startswith(b"\x89PNG")
    trades = _rows(run / "trades.csv")
    assert f"| fills | {len(trades)} " in text


def test_two_runs_are_byte_identical(
    run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _backtest(tmp_path / "again", capsys)
    assert "Sharpe" in out and "win rate" in out
    for name in (*ARTIFACTS, "equity.png"):
        assert (tmp_path / "again" / name).read_bytes() == (run / name).read_bytes(), name


def test_example_config_runs_from_any_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    example = Path(__file__).parents[1] / "examples" / "sma_cross.toml"
    monkeypatch.chdir(tmp_path)  # the data path in the config is relative to the config
    try:
        main(["backtest", str(example), "--out", "out"])
    except SystemExit as exc:
        assert exc.code in (0, None), capsys.readouterr().err
    assert (tmp_path / "out" / "trades.csv").read_text().count("\n") > 10


def test_stepwise_flag_writes_the_same_artifacts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = Path(__file__).parent / "data" / "bars" / "freqtrade_XRP_ETH-5m.csv"
    argv = ["backtest", "--data", str(data), "--symbol", "XRP/ETH", "--strategy", "breakout"]
    argv += ["--qty", "500", "--fee-bps", "10", "--cash", "10", "--no-progress"]
    for mode in ("fast", "stepwise"):
        extra = ["--stepwise"] if mode == "stepwise" else []
        try:
            main([*argv, *extra, "--out", str(tmp_path / mode)])
        except SystemExit as exc:
            assert exc.code in (0, None), capsys.readouterr().err
    assert len(_rows(tmp_path / "fast" / "trades.csv")) > 5
    for name in ("orders.csv", "trades.csv", "positions.csv", "account.csv"):
        assert (tmp_path / "fast" / name).read_bytes() == (
            tmp_path / "stepwise" / name
        ).read_bytes()
