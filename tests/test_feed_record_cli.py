"""``logos feed record`` without network: record from the replay feed into the cache."""

from __future__ import annotations

from pathlib import Path

import pytest

from logos.cli import main
from logos.feeds import ReplayFeed

BARS = Path(__file__).parent / "data" / "bars"


def run_cli(args: list[str]) -> int:
    with pytest.raises(SystemExit) as info:
        main(args)
    return int(info.value.code or 0)


def test_record_writes_day_files_that_replay_identically(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = BARS / "edge_XRP_ETH-5m-first44.csv"
    code = run_cli(
        [
            "feed", "record", "--feed", "replay", "--param", f"path={source}",
            "--symbol", "XRP/ETH", "--timeframe", "5m", "--minutes", "0", "--out", str(tmp_path),
        ]
    )  # fmt: skip
    assert code == 0
    printed = capsys.readouterr().out
    assert "recorded 44 bar(s) (XRP/ETH 44); 0 gap(s), 0 missing bar(s)" in printed
    assert [p.name for p in (tmp_path / "XRP_ETH").iterdir()] == ["2019-10-11.csv"]
    original = ReplayFeed(path=str(source))
    original.start(["XRP/ETH"], "5m")
    recorded = ReplayFeed(path=str(tmp_path))
    recorded.start(["XRP/ETH"], "5m")
    assert list(recorded.slices()) == list(original.slices())


def test_unknown_feed_is_one_readable_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["feed", "record", "--feed", "nope", "--symbol", "X"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "nope" in err
    assert "Traceback" not in err


def test_bad_feed_param_names_the_field(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["feed", "record", "--feed", "replay", "--param", "on_bad_bar=maybe", "--symbol", "X"]
    assert run_cli(args) == 1
    err = capsys.readouterr().err
    assert "feed.params.path: Field required" in err
    assert "feed.params.on_bad_bar: Input should be 'reject' or 'skip'" in err
