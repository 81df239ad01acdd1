"""One run of a session can be bounded (``--max-bars``, ``--until``) and paced (``--speed``):
a bounded run is paused, not completed, and the session carries on to the same end; every
run logs its start, the notable journal records and its end to ``RUN_DIR/logos.log``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from cli_run import run_cli

from logos.domain import Bar
from logos.feeds.limited import LimitedFeed, RunLimits

SESSION = Path(__file__).parent / "data" / "sessions" / "two_symbols.toml"
ARTIFACTS = ("orders.csv", "trades.csv", "positions.csv", "account.csv")
T0 = datetime(2024, 1, 2, tzinfo=UTC)


def test_a_bounded_run_pauses_and_the_session_carries_on_to_the_same_end(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    whole, paused = tmp_path / "whole", tmp_path / "paused"
    assert run_cli(capsys, "trade", str(SESSION), "--run-dir", str(whole))[0] == 0
    code, _, err = run_cli(
        capsys, "trade", str(SESSION), "--run-dir", str(paused), "--max-bars", "100"
    )
    assert code == 0, err
    assert (paused / "account.csv").read_text().count("\n") == 101  # header + 100 slices
    log = (paused / "logos.log").read_text()
    assert "start session=two_symbols mode=paper" in log
    assert '"reason": "paused at --max-bars 100"' in log and "end paused at --max-bars 100" in log
    code, _, err = run_cli(
        capsys, "trade", "--resume", str(paused), "--until", "2017-11-05T06:00:00Z"
    )
    assert code == 0, err
    last = (paused / "account.csv").read_text().splitlines()[-1]
    assert last.startswith("2017-11-05T06:00:00Z")
    code, _, err = run_cli(capsys, "trade", "--resume", str(paused))
    assert code == 0, err
    for name in ARTIFACTS:
        assert (paused / name).read_bytes() == (whole / name).read_bytes(), name
    log = (paused / "logos.log").read_text()
    assert log.count(" resume session=two_symbols") == 2
    assert 'trading_state ts=2017-11-05T08:01:00+00:00 {"from": "ACTIVE", "to": "HALTED"' in log
    assert "end completed slices=658/658" in log


def _feed(n: int) -> object:
    class Feed:
        def start(self, symbols: object, timeframe: object) -> None:
            pass

        def slices(self) -> object:
            for i in range(n):
                yield [Bar("X", T0 + timedelta(minutes=i), *(Decimal(1),) * 5)]

    return Feed()


def test_speed_paces_new_slices_only_and_limits_count_new_slices_only() -> None:
    waits: list[float] = []
    feed = LimitedFeed(
        _feed(10),
        RunLimits(max_slices=3, speed=60.0),
        after=T0 + timedelta(minutes=4),  # slices up to 04:00 were journaled: replayed
        sleep=waits.append,
    )
    feed.start(["X"], "1m")
    times = [bars[0].ts.minute for bars in feed.slices()]
    assert times == [0, 1, 2, 3, 4, 5, 6, 7]
    assert waits == [1.0, 1.0, 1.0]  # a one-minute bar a second, at 60x
    assert feed.reached == "--max-bars 3"


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--speed", "fast"], "--speed: 'fast' is not a pace; give a factor like 60x"),
        (["--speed", "0x"], "--speed: '0x' is not a pace"),
        (["--speed", "infx"], "--speed: 'infx' is not a pace"),
        (["--until", "tomorrow"], "--until: 'tomorrow' is not a time; give ISO-8601"),
        (["--max-bars", "0"], "Invalid value for '--max-bars'"),
        (["--dry-run"], "mode dry_run needs a venue broker (alpaca, ccxt); 'paper' is a"),
        (["--live"], '[live-mode] mode: the config says mode = "paper"'),
        (["--live", "--dry-run"], "--dry-run, --live: give one of them"),
    ],
)
def test_bad_limits_and_modes_are_refused_before_anything_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], flags: list[str], message: str
) -> None:
    run_dir = tmp_path / "run"
    code, _, err = run_cli(capsys, "trade", str(SESSION), "--run-dir", str(run_dir), *flags)
    assert code != 0 and message in err and "Traceback" not in err
    assert not run_dir.exists()
