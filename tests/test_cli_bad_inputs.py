"""More than a hundred bad inputs — data files, flags, configs, output folders, plugin
variables — each through the real command line. For every one: a non-zero exit, one
readable message (no traceback, no "unexpected error") that names the file, flag or field
at fault, and not a byte of what was already on disk changed (an earlier run included)."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import logos
from logos.cli import main

LOGOS = str(Path(sys.executable).with_name("logos"))
SHIPPED = Path(logos.__file__).parent / "data"
BTC = SHIPPED / "btcusdt-perp-1m.csv"
HEADER = "timestamp,open,high,low,close,volume\n"
GOOD_ROWS = "".join(
    f"2024-01-02T00:{m:02d}:00Z,100,101,99,100.5,10\n" for m in range(40)
)  # fmt: skip
CONFIG = """\
symbols = ["AAA"]
[feed]
name = "replay"
params = {{ path = "bars.csv" }}
[strategy]
name = "sma_cross"
params = {{ fast = 5, slow = 20 }}
{extra}"""


@dataclass
class Case:
    """One bad input: the files it needs, the arguments, what the message must name."""

    argv: list[str]
    names: str
    files: dict[str, str | bytes] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)

    def __or__(self, changes: dict[str, object]) -> Case:
        """A variation, written inline in the table: ``argv_data`` (another data path),
        ``rename`` (the bars file's name), ``patch`` (old, new text in run.toml), ``file``
        (name, body of one more file), ``env`` (variables)."""
        new = Case(list(self.argv), self.names, dict(self.files), dict(self.env))
        for key, value in changes.items():
            if key == "argv_data":
                new.argv[new.argv.index("bars.csv")] = str(value)
                new.files.pop("bars.csv", None)
            elif key == "rename":
                new.files[str(value)] = new.files.pop("bars.csv")
                new.argv[new.argv.index("bars.csv")] = str(value)
            elif key == "patch":
                old, replacement = value  # type: ignore[misc]
                new.files["run.toml"] = str(new.files["run.toml"]).replace(old, replacement)
            elif key == "file":
                name, body = value  # type: ignore[misc]
                new.files[name] = body
            elif key == "env":
                new.env.update(value)  # type: ignore[call-overload]
        return new


def data(body: str | bytes, *, names: str = "bars.csv", extra: tuple[str, ...] = ()) -> Case:
    """A backtest of AAA over a bars file with ``body``."""
    return Case(
        ["backtest", "--data", "bars.csv", "--symbol", "AAA", "--strategy", "sma_cross",
         "--param", "fast=5", "--param", "slow=20", *extra],
        names,
        {"bars.csv": body},
    )  # fmt: skip


def flags(*extra: str, names: str) -> Case:
    """A backtest of the shipped BTC data with bad ``extra`` flags."""
    return Case(
        ["backtest", "--data", str(BTC), "--symbol", "BTC/USDT:USDT", "--strategy", "sma_cross",
         *extra],
        names,
    )  # fmt: skip


def config(extra: str, *, names: str, body: str | None = None, argv: tuple[str, ...] = ()) -> Case:
    """``logos backtest run.toml`` with a config that has ``extra`` appended (or is ``body``)."""
    text = body if body is not None else CONFIG.format(extra=extra)
    return Case(
        ["backtest", "run.toml", *argv], names, {"run.toml": text, "bars.csv": HEADER + GOOD_ROWS}
    )


def validate(extra: str, *, names: str) -> Case:
    """``logos validate run.toml``."""
    text = CONFIG.format(extra=extra)
    return Case(["validate", "run.toml"], names, {"run.toml": text, "bars.csv": HEADER + GOOD_ROWS})


ROW = "2024-01-02T00:{m:02d}:00Z,{o},{h},{l},{c},{v}\n"


def rows(*values: tuple[object, ...]) -> str:
    return HEADER + "".join(
        ROW.format(m=i, o=o, h=h, l=lo, c=c, v=v) for i, (o, h, lo, c, v) in enumerate(values)
    )


OK = (100, 101, 99, 100, 10)

CASES: dict[str, Case] = {
    # data files ---------------------------------------------------------------------------
    "data: missing file": data("", names="nope.csv") | {"argv_data": "nope.csv"},
    "data: empty file": data("", names="bars.csv"),
    "data: header only": data(HEADER, names="bars.csv"),
    "data: no close column": data(
        "timestamp,open,high,low,volume\n2024-01-02T00:00:00Z,1,1,1,1\n", names="close"
    ),
    "data: no timestamp column": data("open,high,low,close,volume\n1,1,1,1,1\n", names="bars.csv"),
    "data: text price": data(rows(OK, ("abc", 101, 99, 100, 10)), names="line 3"),
    "data: negative price": data(rows(OK, (-1, 101, -2, 100, 10)), names="line 3"),
    "data: zero close": data(rows(OK, (100, 101, 0, 0, 10)), names="line 3"),
    "data: high below low": data(rows(OK, (100, 98, 99, 100, 10)), names="line 3"),
    "data: close above high": data(rows(OK, (100, 101, 99, 105, 10)), names="line 3"),
    "data: negative volume": data(rows(OK, (100, 101, 99, 100, -5)), names="line 3"),
    "data: NaN price": data(rows(OK, ("nan", 101, 99, 100, 10)), names="line 3"),
    "data: infinite price": data(rows(OK, ("inf", 101, 99, 100, 10)), names="line 3"),
    "data: empty cell": data(rows(OK, ("", 101, 99, 100, 10)), names="line 3"),
    "data: duplicate timestamp": data(
        HEADER + "2024-01-02T00:00:00Z,1,1,1,1,1\n2024-01-02T00:00:00Z,1,1,1,1,1\n",
        names="bars.csv",
    ),
    "data: timestamps out of order": data(
        HEADER + "2024-01-02T00:05:00Z,1,1,1,1,1\n2024-01-02T00:00:00Z,1,1,1,1,1\n",
        names="bars.csv",
    ),
    "data: unreadable timestamp": data(HEADER + "yesterday,1,1,1,1,1\n", names="bars.csv"),
    "data: timestamp beyond pandas' range": data(
        HEADER + "3000-01-01T00:00:00Z,1,1,1,1,1\n", names="bars.csv"
    ),
    "data: semicolon separated": data(GOOD_ROWS.replace(",", ";"), names="bars.csv"),
    "data: tab separated": data((HEADER + GOOD_ROWS).replace(",", "\t"), names="bars.csv"),
    "data: gzip bytes named .csv": data(
        gzip.compress((HEADER + GOOD_ROWS).encode()), names="bars.csv"
    ),
    "data: a byte that is not UTF-8": data(
        (HEADER + GOOD_ROWS).encode().replace(b"100.5", b"10\xff.5", 1), names="bars.csv"
    ),
    "data: binary garbage": data(bytes(range(256)) * 4, names="bars.csv"),
    "data: symbol not in the data folder": Case(
        ["backtest", "--data", str(SHIPPED), "--symbol", "ZZZ", "--strategy", "sma_cross"],
        names="ZZZ",
    ),
    "data: an empty folder": Case(
        ["backtest", "--data", "empty", "--symbol", "AAA", "--strategy", "sma_cross"],
        names="empty",
        files={"empty/.keep": ""},
    ),
    "data: a parquet file that is not one": data("not parquet", names="bars.parquet")
    | {"rename": "bars.parquet"},
    "data: mixed epoch seconds and milliseconds": data(
        HEADER + "1704153600,1,1,1,1,1\n1704153660000,1,1,1,1,1\n", names="bars.csv"
    ),
    # flags --------------------------------------------------------------------------------
    "flag: --qty 0": flags("--qty", "0", names="qty"),
    "flag: --qty -1": flags("--qty", "-1", names="qty"),
    "flag: --qty abc": flags("--qty", "abc", names="qty"),
    "flag: --qty nan": flags("--qty", "nan", names="qty"),
    "flag: --qty inf": flags("--qty", "inf", names="qty"),
    "flag: --notional -5": flags("--notional", "-5", names="notional"),
    "flag: --fraction 2": flags("--fraction", "2", names="fraction"),
    "flag: --fraction 0": flags("--fraction", "0", names="fraction"),
    "flag: --fee-bps -1": flags("--fee-bps", "-1", names="fee_bps"),
    "flag: --fee-bps 10000 (100 %)": flags("--fee-bps", "10000", names="fee_bps"),
    "flag: --fee-bps nan": flags("--fee-bps", "nan", names="fee_bps"),
    "flag: --slippage-bps -3": flags("--slippage-bps", "-3", names="slippage_bps"),
    "flag: --slippage-bps 10000": flags("--slippage-bps", "10000", names="slippage_bps"),
    "flag: --cash 0": flags("--cash", "0", names="cash"),
    "flag: --cash -100": flags("--cash", "-100", names="cash"),
    "flag: --cash abc": flags("--cash", "abc", names="cash"),
    "flag: --cash inf": flags("--cash", "inf", names="cash"),
    "flag: --timeframe 0m": flags("--timeframe", "0m", names="timeframe"),
    "flag: --timeframe 1x": flags("--timeframe", "1x", names="timeframe"),
    "flag: --timeframe 1d on minute bars": flags("--timeframe", "1d", names="timeframe"),
    "flag: --strategy unknown": Case(
        ["backtest", "--data", str(BTC), "--symbol", "BTC/USDT:USDT", "--strategy", "moon"],
        names="moon",
    ),
    "flag: --param fast=0": flags("--param", "fast=0", names="fast"),
    "flag: --param fast=-3": flags("--param", "fast=-3", names="fast"),
    "flag: --param fast=true": flags("--param", "fast=true", names="fast"),
    "flag: --param fast=1.5": flags("--param", "fast=1.5", names="fast"),
    "flag: --param fast (no value)": flags("--param", "fast", names="fast"),
    "flag: --param unknown key": flags("--param", "speed=3", names="speed"),
    "flag: --sizing unknown": flags("--sizing", "yolo", names="yolo"),
    "flag: --qty and --fraction together": flags("--qty", "1", "--fraction", "0.5", names="--qty"),
    "flag: --out empty": flags("--qty", "0.01", "--out", "", names="--out"),
    "flag: --risk drawdown written as a percentage": flags(
        "--risk", "max_drawdown:limit=20", names="0.2"
    ),
    "flag: --param typo lists the known params": flags("--param", "fsat=5", names="fast, slow"),
    "flag: --session-id with a space": flags("--session-id", "my run", names="session_id"),
    "flag: --session-id empty": flags("--session-id", "", names="session_id"),
    "flag: --set without =": flags("--set", "broker.cash", names="broker.cash"),
    "flag: --set mode=live": flags("--set", "mode=live", names="mode"),
    "flag: --set broker.name=nope": flags("--set", "broker.name=nope", names="nope"),
    "flag: --set broker.params.cash=-1": flags("--set", "broker.params.cash=-1", names="cash"),
    "flag: --set an unknown top-level key": flags("--set", "speed=3", names="speed"),
    "flag: --symbol not in the metadata": flags("--symbol", "ETH/USDT:USDT", names="ETH/USDT"),
    "flag: --risk with no name": flags("--risk", ":limit=1", names="--risk"),
    "flag: --risk unknown guard": flags("--risk", "max_fun", names="max_fun"),
    "flag: --risk drawdown of 2": flags("--risk", "max_drawdown:limit=2", names="limit"),
    "flag: --risk param without value": flags("--risk", "max_drawdown:limit", names="limit"),
    "flag: --risk unknown param": flags("--risk", "max_drawdown:limit=0.1,speed=1", names="speed"),
    "flag: --risk rejects limit 0": flags("--risk", "max_rejects:limit=0", names="limit"),
    "flag: --risk window not a duration": flags(
        "--risk", "max_rejects:limit=3,window=soon", names="window"
    ),
    "flag: --risk poll_seconds -1": flags("--risk", "kill_switch:poll_seconds=-1", names="poll"),
    "flag: --risk gross exposure without a limit": flags(
        "--risk", "max_gross_exposure", names="max_gross_exposure"
    ),
    "flag: --strategy file without the class": Case(
        [
            "backtest",
            "--data",
            str(BTC),
            "--symbol",
            "BTC/USDT:USDT",
            "--strategy",
            "mine.py:Missing",
        ],
        names="Missing",
        files={"mine.py": "x = 1\n"},
    ),
    "flag: --strategy missing file": Case(
        [
            "backtest",
            "--data",
            str(BTC),
            "--symbol",
            "BTC/USDT:USDT",
            "--strategy",
            "gone.py:Thing",
        ],
        names="gone.py",
    ),
    "flag: nothing given": Case(["backtest"], names="--data"),
    # configs ------------------------------------------------------------------------------
    "config: missing file": Case(["backtest", "nope.toml"], names="nope.toml"),
    "config: a folder": Case(["backtest", "."], names="."),
    "config: TOML syntax error": config("", names="run.toml", body="symbols = [\n"),
    "config: not UTF-8": Case(
        ["backtest", "run.toml"], names="run.toml", files={"run.toml": b'symbols = ["\xff"]\n'}
    ),
    "config: unknown top-level key": config('speed = "fast"\n', names="speed"),
    "config: no symbols": config(
        "", names="symbols", body=CONFIG.format(extra="").replace('["AAA"]', "[]")
    ),
    "config: symbols not a list": config(
        "", names="symbols", body=CONFIG.format(extra="").replace('["AAA"]', '"AAA"')
    ),
    "config: no feed": config(
        "", names="feed", body='symbols = ["AAA"]\n[strategy]\nname = "sma_cross"\n'
    ),
    "config: no strategy": config(
        "", names="strategy", body='symbols = ["AAA"]\n[feed]\nname = "replay"\n'
    ),
    "config: unknown strategy param": config(
        "", names="strategy.params", body=CONFIG.format(extra="").replace("slow = 20", "slw = 20")
    ),
    "config: mode warp": config('mode = "warp"\n', names="mode", body=None),
    "config: metadata_file missing": config('metadata_file = "meta.toml"\n', names="meta.toml"),
    "config: bad inline metadata": config('[metadata.AAA]\nlot_size = "-1"\n', names="lot_size"),
    "config: an api_key": config(
        '[broker]\nname = "paper"\napi_key = "sk-live-123"\n', names="api_key"
    ),
    "config: a password in params": config(
        '[broker]\nname = "paper"\nparams = { password = "hunter2" }\n', names="password"
    ),
    "config: a secret in strategy params": config(
        "",
        names="secret",
        body=CONFIG.format(extra="").replace("slow = 20", 'slow = 20, secret = "s3"'),
    ),
    "config: risk not a list of tables": config('risk = "max_drawdown"\n', names="risk"),
    "config: the same guard twice": config(
        '[[risk]]\nname = "kill_switch"\n[[risk]]\nname = "kill_switch"\n', names="risk[1]"
    ),
    "config: unknown reporter": config('[[reporters]]\nname = "pdf"\n', names="pdf"),
    "config: timeframe abc": config('timeframe = "abc"\n', names="timeframe"),
    "config: unavailable broker": config('[broker]\nname = "ib"\n', names="ib"),
    "config: unknown broker": config('[broker]\nname = "nyse"\n', names="nyse"),
    "config: broker params not a table": config(
        '[broker]\nname = "paper"\nparams = 5\n', names="broker"
    ),
    "config: sizing qty text": config(
        '[sizing]\nname = "fixed_qty"\nparams = { qty = "lots" }\n', names="qty"
    ),
    "config: data file missing": config(
        "", names="gone.csv", body=CONFIG.format(extra="").replace("bars.csv", "gone.csv")
    ),
    "validate: missing file": Case(["validate", "nope.toml"], names="nope.toml"),
    "validate: a folder": Case(["validate", "."], names="."),
    "validate: bad strategy param": validate("", names="strategy.params")
    | {"patch": ("fast = 5", "fast = 0")},
    "validate: an api_key": validate(
        '[broker]\nname = "paper"\nparams = { api_key = "k" }\n', names="api_key"
    ),
    "validate: --set without =": Case(["validate", "run.toml", "--set", "x"], names="x"),
    # output folders -----------------------------------------------------------------------
    "out: a file": flags("--qty", "0.01", "--out", "taken", names="taken")
    | {"file": ("taken", "mine\n")},
    "out: under a file": flags("--qty", "0.01", "--out", "taken/run", names="taken")
    | {"file": ("taken", "mine\n")},
    "out: /dev/null": flags("--qty", "0.01", "--out", "/dev/null", names="/dev/null"),
    "out: not writable": flags("--qty", "0.01", "--out", "/proc/logos-out", names="/proc"),
    "out: an earlier run": flags("--qty", "0.01", "--out", "prev", names="prev"),
    "out: run_dir is a file": config('run_dir = "taken"\n', names="taken", argv=())
    | {"file": ("taken", "mine\n")},
    # other commands -----------------------------------------------------------------------
    "check-strategy: unknown strategy": Case(
        ["check-strategy", "moon", "--data", str(BTC)], names="moon"
    ),
    "check-strategy: missing data": Case(
        ["check-strategy", "sma_cross", "--data", "nope.csv"], names="nope.csv"
    ),
    "check-strategy: bad param": Case(
        ["check-strategy", "sma_cross", "--data", str(BTC), "--param", "fast=0"], names="fast"
    ),
    "plugins show: unknown component": Case(["plugins", "show", "strategy", "moon"], names="moon"),
    "plugins show: unknown kind": Case(["plugins", "show", "gadget", "x"], names="gadget"),
    "kill: no such folder": Case(["kill", "nowhere"], names="nowhere"),
    "kill: a file": Case(["kill", "notes.txt"], names="is a file", files={"notes.txt": "x"}),
    "kill: a folder where nothing runs": Case(["kill", "prev"], names="prev"),
    "feed record: unknown feed": Case(
        ["feed", "record", "--feed", "moon", "--symbol", "X", "--out", "rec"], names="moon"
    ),
    # plugin variables ---------------------------------------------------------------------
    "env: a strict plugin list naming a missing plugin": flags(
        "--qty", "0.01", names="no_such_plugin"
    )
    | {"env": {"LOGOS_LOAD_PLUGINS": "no_such_plugin", "LOGOS_STRICT_PLUGINS": "1"}},
    "env: plugins filtered out, then their broker used": config(
        '[broker]\nname = "ccxt"\n', names="LOGOS_LOAD_PLUGINS"
    )
    | {"env": {"LOGOS_LOAD_PLUGINS": "builtin"}},
}


def test_there_are_more_than_a_hundred_cases() -> None:
    assert len(CASES) >= 100


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder holding an earlier run (``prev/``) and nothing else; the cwd of the case."""
    prev = tmp_path / "prev"
    prev.mkdir()
    for name in ("orders.csv", "trades.csv", "positions.csv", "account.csv", "session.md"):
        (prev / name).write_text(f"the earlier run's {name}\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _run(case: Case, workdir: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    if case.env:  # plugin variables are read once per process: a real subprocess
        env = {**os.environ, **case.env}
        done = subprocess.run(
            [LOGOS, *case.argv], capture_output=True, text=True, env=env, cwd=workdir, timeout=120
        )
        return done.returncode, done.stdout + done.stderr
    try:
        main(case.argv)
        code: int = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    captured = capsys.readouterr()
    return code, captured.out + captured.err


@pytest.mark.parametrize("name", list(CASES))
def test_a_bad_input_is_refused_clearly_and_changes_nothing(
    name: str, workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = CASES[name]
    for path, body in case.files.items():
        target = workdir / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(body, bytes):
            target.write_bytes(body)
        else:
            target.write_text(body)
    before = _snapshot(workdir)
    code, output = _run(case, workdir, capsys)
    text = " ".join(output.split())
    assert code != 0, f"exit 0 for a bad input: {text}"
    assert "Traceback" not in output, text
    assert "unexpected error" not in text, text
    assert case.names in text, f"the message does not name {case.names!r}: {text}"
    assert _snapshot(workdir) == before, "something already on disk changed"
