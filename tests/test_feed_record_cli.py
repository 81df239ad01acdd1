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


def test_record_prints_events_verbatim_and_keeps_bad_bars_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "src.csv"
    source.write_text(
        "timestamp,open,high,low,close,volume\n"
        "2024-01-01T00:00:00Z,10,12,9,11,1\n"
        "2024-01-01T00:01:00Z,13,12,9,11,1\n"
        "2024-01-01T00:02:00Z,10,12,9,11,1\n"
    )
    args = ["feed", "record", "--feed", "replay", "--param", f"path={source}"]
    args += ["--param", "on_bad_bar=skip", "--symbol", "X", "--minutes", "0"]
    assert run_cli([*args, "--out", str(tmp_path / "rec")]) == 0
    printed = capsys.readouterr().out
    # rich markup must not eat "[low, high]"
    assert "bad_bars_skipped {'open outside [low, high]': 1}" in printed
    assert "gap {'symbol': 'X', 'after': '2024-01-01T00:00:00Z'" in printed
    assert (tmp_path / "rec" / "X" / "2024-01-01.csv").read_text().splitlines()[1:] == [
        "2024-01-01T00:00:00Z,10.0,12.0,9.0,11.0,1.0",
        "2024-01-01T00:02:00Z,10.0,12.0,9.0,11.0,1.0",
    ]


def test_recording_again_into_the_same_folder_resumes_after_the_cache(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "src.csv"
    rows = [f"2024-01-01T00:0{m}:00Z,10,12,9,11,{m}\n" for m in range(6)]
    source.write_text("timestamp,open,high,low,close,volume\n" + "".join(rows[:4]))
    args = ["feed", "record", "--feed", "replay", "--param", f"path={source}", "--symbol", "X"]
    args += ["--minutes", "0", "--out", str(tmp_path / "rec")]
    assert run_cli(args) == 0
    source.write_text("timestamp,open,high,low,close,volume\n" + "".join(rows))  # 2 new bars
    assert run_cli(args) == 0
    printed = " ".join(capsys.readouterr().out.split())  # rich wraps long lines
    assert "resuming after 2024-01-01T00:03:00Z" in printed
    assert "recorded 2 bar(s) (X 2)" in printed
    recorded = (tmp_path / "rec" / "X" / "2024-01-01.csv").read_text().splitlines()
    assert [line.rsplit(",", 1)[1] for line in recorded[1:]] == [f"{m}.0" for m in range(6)]
    assert run_cli(args) == 0  # nothing new: no bar written twice, no error
    assert "recorded 0 bar(s) (X 0)" in " ".join(capsys.readouterr().out.split())
