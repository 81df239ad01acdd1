"""A backtest and a paper session on the shipped bars each write session.md, equity.png and
report.html when the config asks for them; the same run twice gives the same bytes; ``logos
report --format`` rewrites only the reports asked for, from the journal alone (a session
killed before it wrote anything still gets them); ``logos runs list`` lists the runs."""

from __future__ import annotations

import html
import json
from pathlib import Path

import pytest
from cli_run import run_cli

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "logos" / "data" / "btcusdt-perp-1m.csv"
CONFIG = """
mode = "{mode}"
session_id = "reports"
symbols = ["BTC/USDT:USDT"]

[strategy]
name = "sma_cross"
params = {{ fast = 10, slow = 30 }}

[sizing]
name = "fixed_qty"
params = {{ qty = "0.01" }}

[[reporters]]
name = "csv"

[[reporters]]
name = "markdown"

[[reporters]]
name = "html"
"""
REPORTS = ("session.md", "equity.png", "report.html")
FILES = ("orders.csv", "trades.csv", "positions.csv", "account.csv", *REPORTS)
FLAGS = ("--feed", "replay", "--broker", "paper", "--data", str(DATA))


def _config(tmp_path: Path, mode: str) -> Path:
    path = tmp_path / f"{mode}.toml"
    path.write_text(CONFIG.format(mode=mode), encoding="utf-8")
    return path


def _backtest(tmp_path: Path, capsys: pytest.CaptureFixture[str], out: Path) -> str:
    config = _config(tmp_path, "backtest")
    code, stdout, err = run_cli(capsys, "backtest", str(config), *FLAGS, "--out", str(out))
    assert code == 0, err
    return stdout


def _paper(tmp_path: Path, capsys: pytest.CaptureFixture[str], run_dir: Path) -> str:
    config = _config(tmp_path, "paper")
    argv = ("trade", str(config), *FLAGS, "--run-dir", str(run_dir), "--max-bars", "3000")
    code, stdout, err = run_cli(capsys, *argv)
    assert code == 0, err
    return stdout


def _check_reports(folder: Path) -> None:
    md = (folder / "session.md").read_text(encoding="utf-8")
    assert "![equity and drawdown](equity.png)" in md
    assert (folder / "equity.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    page = (folder / "report.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and 'id="equity-chart"' in page
    assert 'id="price-chart-1"' in page and 'id="trades-table"' in page
    assert "<script src=" not in page and "cdn.plot.ly" not in page.split("</script>", 1)[1]
    # every results row of session.md is in the page too (the same summary)
    for line in md.split("## Results", 1)[1].split("## Round trips", 1)[0].splitlines():
        if line.startswith("| ") and not line.startswith("| metric"):
            metric = line.split(" | ")[0].removeprefix("| ")
            assert f"<td>{html.escape(metric)}</td>" in page, metric


def test_a_backtest_writes_the_reports_and_twice_the_same_bytes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    stdout = _backtest(tmp_path, capsys, first)
    assert "report.html" in stdout and "equity.png" in stdout
    _check_reports(first)
    _backtest(tmp_path, capsys, second)
    for name in FILES:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_a_paper_session_writes_the_reports_and_twice_the_same_bytes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    _paper(tmp_path, capsys, first)
    _check_reports(first)
    md = (first / "session.md").read_text(encoding="utf-8")
    # the bars of the journal give the data table: 3000 one-minute bars from 23:01 on
    # 2021-12-31, the last 2999 minutes (49 h 59 min) later: 2022-01-03 01:00
    assert "| BTC/USDT:USDT | 2021-12-31T23:01:00Z | 2022-01-03T01:00:00Z | 3000 |" in md
    _paper(tmp_path, capsys, second)
    for name in FILES:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_logos_report_rewrites_only_the_format_asked_for(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_dir = tmp_path / "run"
    _paper(tmp_path, capsys, run_dir)
    before = {name: (run_dir / name).read_bytes() for name in FILES}
    (run_dir / "report.html").unlink()
    (run_dir / "orders.csv").write_text("mine\n")  # not the md or html reporter's file
    code, stdout, err = run_cli(capsys, "report", str(run_dir), "--format", "html")
    assert code == 0, err
    assert stdout.strip().splitlines()[-1] == f"report: {run_dir / 'report.html'}"
    assert (run_dir / "report.html").read_bytes() == before["report.html"]
    assert (run_dir / "orders.csv").read_text() == "mine\n"
    code, _, err = run_cli(capsys, "report", str(run_dir), "--format", "all")
    assert code == 0, err
    for name in FILES:
        assert (run_dir / name).read_bytes() == before[name], name
    code, _, err = run_cli(capsys, "report", str(run_dir), "--format", "pdf")
    assert code == 1 and "--format pdf: give md, html or all" in err


def test_a_session_killed_before_its_reports_gets_them_from_its_journal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_dir = tmp_path / "run"
    _paper(tmp_path, capsys, run_dir)
    complete = {name: (run_dir / name).read_bytes() for name in REPORTS}
    for name in FILES:  # as if killed before it wrote any artifact
        (run_dir / name).unlink()
    code, _, err = run_cli(capsys, "report", str(run_dir))
    assert code == 0, err
    for name in REPORTS:
        assert (run_dir / name).read_bytes() == complete[name], name


def test_runs_list_shows_each_runs_headline_numbers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    runs = tmp_path / "runs"
    _backtest(tmp_path, capsys, runs / "bt")
    crashed = runs / "crashed"
    crashed.mkdir()
    (crashed / "state.jsonl").write_text("")
    md = (runs / "bt" / "session.md").read_text(encoding="utf-8")
    code, stdout, err = run_cli(capsys, "runs", "list", str(runs), "--json")
    assert code == 0, err
    listed = {row["run"]: row for row in json.loads(stdout)}
    assert sorted(listed) == ["bt", "crashed"]
    bt = listed["bt"]
    assert (bt["session"], bt["mode"]) == ("reports", "backtest")
    assert f"| return | {bt['total_return']} |" in md
    assert f"| PnL | {bt['pnl']} |" in md and f"| max drawdown | {bt['max_drawdown']} (" in md
    assert f"| fills | {bt['fills']} (" in md and bt["sharpe"] not in ("", "n/a")
    assert listed["crashed"]["note"] == f"no session.md yet: logos report {crashed}"
    code, stdout, err = run_cli(capsys, "runs", "list", str(runs))  # not a terminal: plain
    assert code == 0, err
    lines = stdout.splitlines()
    assert lines[0].split("\t")[:3] == ["run", "session", "mode"]
    assert any(line.startswith("bt\treports\tbacktest\t") for line in lines[1:])
    code, _, err = run_cli(capsys, "runs", "list", str(tmp_path / "none"))
    assert code == 1 and "none: not a folder" in err
