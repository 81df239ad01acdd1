"""What `logos backtest` prints is made for people: money to the currency's smallest unit in
the quote currency of the symbols (the artifacts stay exact), whole lines when stdout is not
a terminal, and on a terminal the phase the run is in."""

from __future__ import annotations

import csv
import os
import pty
import subprocess
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

import logos
from logos.cli import main
from logos.cli.backtest_cmd import console_money

DATA = Path(logos.__file__).parent / "data"
BTC = ["--data", str(DATA / "btcusdt-perp-1m.csv"), "--symbol", "BTC/USDT:USDT"]
NVDA = ["--data", str(DATA / "nvda-1d.csv"), "--symbol", "NVDA"]
LOGOS = [sys.executable, "-m", "logos"]


def _backtest(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    try:
        main(["backtest", *argv])
    except SystemExit as exc:
        assert exc.code in (0, None), capsys.readouterr().err
    return capsys.readouterr().out


def _row(out: str, label: str) -> str:
    line = next(line for line in out.splitlines() if f" {label} " in line)
    return line.split("│")[2].strip()


def _last_account_row(folder: Path) -> dict[str, str]:
    with (folder / "account.csv").open(newline="") as fh:
        return list(csv.DictReader(fh))[-1]


@pytest.mark.parametrize(
    ("value", "currency", "text"),
    [
        ("-21643.45125", "USDT", "-21,643.45 USDT"),
        ("0.005", "USD", "0.01 USD"),  # half up, as people round
        ("-0.004", "USD", "0.00 USD"),  # never "-0.00"
        ("1500.5", "JPY", "1,501 JPY"),  # no minor unit
        ("0.000123456789", "BTC", "0.00012346 BTC"),
        ("100000", "EUR", "100,000.00 EUR"),
    ],
)
def test_console_money_is_rounded_to_the_currencys_smallest_unit(
    value: str, currency: str, text: str
) -> None:
    assert console_money(Decimal(value), currency) == text


def test_summary_money_is_rounded_and_the_artifacts_stay_exact(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = _backtest(
        capsys, *BTC, "--strategy", "sma_cross", "--fee-bps", "5", "--out", str(tmp_path)
    )
    exact_pnl = Decimal(_last_account_row(tmp_path)["equity"]) - Decimal("100000")
    exact_fees = Decimal(_last_account_row(tmp_path)["fees"])
    assert exact_pnl != exact_pnl.quantize(Decimal("0.01"))  # the run has sub-cent money
    cents = Decimal("0.01")
    assert _row(out, "PnL") == f"{exact_pnl.quantize(cents, ROUND_HALF_UP):,} USDT"
    assert _row(out, "fees") == f"{exact_fees.quantize(cents, ROUND_HALF_UP):,} USDT"
    session = (tmp_path / "session.md").read_text()
    assert f"| PnL | {exact_pnl} USDT |" in session  # exact in the artifact


@pytest.mark.parametrize(
    ("data", "extra", "currency"),
    [
        (BTC, [], "USDT"),  # a USDT perpetual: its metadata's quote currency
        (NVDA, [], "USD"),
        (BTC, ["--set", "broker.params.currency=EUR"], "EUR"),  # the broker's, when set
    ],
)
def test_the_currency_is_the_symbols_quote_currency(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    data: list[str],
    extra: list[str],
    currency: str,
) -> None:
    out = _backtest(capsys, *data, "--strategy", "buy_and_hold", *extra, "--out", str(tmp_path))
    assert _row(out, "PnL").endswith(f" {currency}")
    session = (tmp_path / "session.md").read_text()
    assert f"| starting cash | 100000 {currency} |" in session


def test_output_to_a_pipe_is_not_wrapped(tmp_path: Path) -> None:
    deep = tmp_path / ("a-rather-long-folder-name-" * 4) / "run"
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    done = subprocess.run(
        [*LOGOS, "backtest", *BTC, "--strategy", "buy_and_hold", "--out", str(deep)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert f"artifacts: {deep}/ (orders.csv" in done.stdout  # one line, longer than 80
    listed = subprocess.run(
        [*LOGOS, "plugins", "list"], capture_output=True, text=True, env=env, check=True
    ).stdout
    line = next(line for line in listed.splitlines() if "risk_guard:" in line)
    assert "max_order_notional" in line and "kill_switch" in line
    assert "loading bars" not in done.stdout + done.stderr  # no progress display in a pipe


def _on_a_terminal(argv: list[str]) -> tuple[int, str]:
    """Run ``argv`` with stdout on a pseudo-terminal; its exit code and everything shown."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        argv, stdin=terminal, stdout=terminal, stderr=terminal, env={**os.environ}
    )
    os.close(terminal)
    shown = b""
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the terminal closed: the process is done
            break
        if not chunk:
            break
        shown += chunk
    os.close(controller)
    return process.wait(), shown.decode(errors="replace")


def test_the_progress_display_names_each_phase_on_a_terminal(tmp_path: Path) -> None:
    code, shown = _on_a_terminal(
        [*LOGOS, "backtest", *BTC, "--strategy", "sma_cross", "--out", str(tmp_path / "r")]
    )
    assert code == 0, shown
    phases = [shown.find(f"backtest: {phase}") for phase in ("loading bars", "running")]
    phases.append(shown.find("backtest: writing artifacts"))
    assert -1 not in phases and phases == sorted(phases)
    assert shown.find("writing artifacts") < shown.find("return")  # gone before the summary


def test_no_progress_hides_the_phases(tmp_path: Path) -> None:
    argv = [*BTC, "--strategy", "sma_cross", "--no-progress", "--out", str(tmp_path / "r")]
    code, shown = _on_a_terminal([*LOGOS, "backtest", *argv])
    assert code == 0, shown
    assert "loading bars" not in shown and "return" in shown
