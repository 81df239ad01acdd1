"""``logos check-strategy``: every built-in passes on real bars, a leaky strategy fails with
its first differing bar, and bad input is one readable error with a non-zero exit."""

from __future__ import annotations

from pathlib import Path

import pytest

from logos.cli import main

BARS = Path(__file__).parent / "data" / "bars"
LEAKY = Path(__file__).parent / "test_strategy_lookahead.py"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(["check-strategy", *args])
    captured = capsys.readouterr()
    return exit_info.value.code, captured.out, captured.err


@pytest.mark.parametrize(
    ("name", "data", "params"),
    [
        ("sma_cross", "freqtrade_UNITTEST_BTC-1m.csv", ["fast=10", "slow=30"]),
        ("rsi_reversion", "nautilus_fxcm-gbpusd-bid-1m.csv", ["period=14"]),
        ("buy_and_hold", "backtrader_orcl-1995-2014-1d.csv", []),
        ("breakout", "freqtrade_XRP_ETH-5m.csv", ["lookback=20"]),
    ],
)
def test_every_builtin_passes_on_real_bars(
    capsys: pytest.CaptureFixture[str], name: str, data: str, params: list[str]
) -> None:
    args = [name, "--data", str(BARS / data)]
    for item in params:
        args += ["--param", item]
    code, out, err = run(capsys, *args)
    assert code == 0, err
    assert "ok: causal" in out and "ok: window" in out and "ok: update" in out


def test_leaky_strategy_fails_with_the_first_differing_bar(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = run(
        capsys, f"{LEAKY}:LeakyStrategy", "--data", str(BARS / "edge_XRP_ETH-5m-first20.csv")
    )
    assert code == 1
    # bar 0 of the file: its next close is lower (0.00141161 < 0.00141192) -> full data -1.0
    assert "looks ahead" in err
    assert "bar 0 (2019-10-11T00:00:00+00:00)" in err
    assert "is nan but with all data it is -1.0" in err
    assert "Traceback" not in err


DRIFTING = """
import math

from logos.strategies.sma_cross import SmaCross


class DriftingUpdate(SmaCross):
    name = "drifting_update"

    def update(self, bar):
        value = super().update(bar)
        return value if math.isnan(value) else -value
"""


def test_an_update_that_differs_from_signals_fails_with_the_bar(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    module = tmp_path / "drifting.py"
    module.write_text(DRIFTING)
    data = BARS / "edge_XRP_ETH-5m-first44.csv"
    code, out, err = run(capsys, f"{module}:DriftingUpdate", "--data", str(data))
    assert code == 1
    assert "ok: causal" in out  # signals() itself is fine
    # signals start at bar 29 (30 rows for the slow average) at 0, where -0 equals 0; the
    # first long signal is at bar 31 (the 32-row edge file's only order is sent there)
    assert "update(), bar by bar" in err and "bar 31 (2019-10-11T02:35:00+00:00)" in err
    assert "update() gives -1.0 but signals() on the whole series gives 1.0" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["sma_cross", "--data", "no/such/file.csv"], "no/such/file.csv: no such file or folder"),
        (["nope", "--data", str(BARS / "edge_XRP_ETH-5m-first20.csv")], "unknown strategy 'nope'"),
        (
            ["sma_cross", "--data", str(BARS / "edge_XRP_ETH-5m-first20.csv"), "--param", "fast=x"],
            "--param fast: Input should be a valid integer",
        ),
        (
            [
                "sma_cross",
                "--data",
                str(BARS / "edge_XRP_ETH-5m-first20.csv"),
                "--param",
                "speed=3",
            ],
            "--param speed: Extra inputs are not permitted",
        ),
        (
            ["sma_cross", "--data", str(BARS / "edge_XRP_ETH-5m-first20.csv"), "--param", "fast"],
            "--param 'fast': expected key=value",
        ),
        (
            ["no_file.py:Thing", "--data", str(BARS / "edge_XRP_ETH-5m-first20.csv")],
            "strategy file not found: no_file.py",
        ),
        (
            [f"{LEAKY}:CrashesOnShortData", "--data", str(BARS / "edge_XRP_ETH-5m-first20.csv")],
            "crashy: signals() raised IndexError: single positional indexer is out-of-bounds "
            "on 1 row(s)",
        ),
    ],
)
def test_bad_input_is_one_readable_error(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, _, err = run(capsys, *args)
    assert code == 1
    assert message in " ".join(err.split())
    assert err.count("error:") == 1 and "Traceback" not in err


def test_malformed_csv_is_a_readable_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("timestamp,open,high,low,close,volume\n2024-01-01T00:00:00Z,1,2,0.5,oops,3\n")
    code, _, err = run(capsys, "buy_and_hold", "--data", str(bad))
    assert code == 1
    assert "bad.csv, line 2: close 'oops' is not a number" in " ".join(err.split())
    assert err.count("error:") == 1 and "Traceback" not in err


HEADER = "timestamp,open,high,low,close,volume\n"
ROWS = [
    "2024-01-01T00:00:00Z,1,2,0.5,1.5,3\n",
    "2024-01-01T00:01:00Z,1.5,1,2,1.5,3\n",  # high 1 below low 2
    "2024-01-01T00:02:00Z,1.5,2,1,1.8,3\n",
]


def test_bad_bar_is_rejected_like_the_replay_feed_does(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "bars.csv"
    bad.write_text(HEADER + "".join(ROWS))
    code, _, err = run(capsys, "buy_and_hold", "--data", str(bad))
    assert code == 1
    assert "bars.csv, line 3: high 1.0 is below low 2.0" in " ".join(err.split())
    code, out, _ = run(capsys, "buy_and_hold", "--data", str(bad), "--on-bad-bar", "skip")
    assert code == 0
    assert "(bars: 2 bars)" in " ".join(out.split())


def test_a_file_with_several_symbols_needs_symbol(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    data = tmp_path / "two.csv"
    data.write_text(
        "timestamp,symbol,open,high,low,close,volume\n"
        "2024-01-01T00:00:00Z,AAA,1,2,0.5,1.5,3\n"
        "2024-01-01T00:00:00Z,BBB,1,2,0.5,1.5,3\n"
        "2024-01-01T00:01:00Z,BBB,1,2,0.5,1.5,3\n"
    )
    code, _, err = run(capsys, "buy_and_hold", "--data", str(data))
    assert code == 1
    assert "two.csv: holds 2 symbols (AAA, BBB); choose one with --symbol" in " ".join(err.split())
    code, out, _ = run(capsys, "buy_and_hold", "--data", str(data), "--symbol", "BBB")
    assert code == 0
    assert "(BBB: 2 bars)" in " ".join(out.split())
