"""Every error a user can cause names the file (and line) and what is wrong, in the one
format ``FILE, line N: what``; never a bare exception name, never "unexpected error"."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from cli_run import run_cli

import logos.config

HEADER = "timestamp,open,high,low,close,volume\n"
ROWS = "".join(f"2024-01-01T00:{m:02d}:00Z,10,12,9,11,100\n" for m in range(40))


run = run_cli


def backtest(capsys: pytest.CaptureFixture[str], data: Path, out: Path) -> tuple[int, str, str]:
    return run(
        capsys,
        "backtest",
        "--data",
        str(data),
        "--symbol",
        "X",
        "--strategy",
        "sma_cross",
        "--out",
        str(out),
    )


def assert_named(code: int, err: str, expected: str) -> None:
    assert code == 1
    assert expected in err
    assert "Traceback" not in err and "unexpected error" not in err


def test_a_non_utf8_byte_in_a_data_cell_names_file_and_line(capsys, tmp_path):
    data = tmp_path / "bars.csv"
    good = "".join(ROWS.splitlines(keepends=True)[:2])
    data.write_bytes((HEADER + good).encode() + b"2024-01-01T01:00:00Z,10,1\xff2,9,11,1\n")
    code, _, err = backtest(capsys, data, tmp_path / "run")
    assert_named(code, err, f"{data}, line 4: byte 0xff (column 26) is not UTF-8 text")
    assert not (tmp_path / "run").exists()


def test_a_non_utf8_byte_in_a_toml_config_names_file_and_line(capsys, tmp_path):
    config = tmp_path / "run.toml"
    config.write_bytes(b'mode = "backtest"\n# caf\xe9\nsymbols = ["X"]\n')
    code, _, err = run(capsys, "validate", str(config))
    assert_named(code, err, f"{config}, line 2: byte 0xe9 (column 6) is not UTF-8 text")


def test_a_toml_syntax_error_names_file_and_line(capsys, tmp_path):
    config = tmp_path / "run.toml"
    config.write_text('mode = "backtest"\nsymbols = = ["X"]\n')
    code, _, err = run(capsys, "validate", str(config))
    assert_named(code, err, f"{config}, line 2: not valid TOML: Invalid value (column 11)")


def test_validate_a_folder(capsys, tmp_path):
    code, _, err = run(capsys, "validate", str(tmp_path))
    assert_named(code, err, f"{tmp_path}: is a folder, not a TOML config file")


def test_validate_a_missing_file(capsys, tmp_path):
    code, _, err = run(capsys, "validate", str(tmp_path / "missing.toml"))
    assert_named(code, err, f"{tmp_path / 'missing.toml'}: TOML config file not found")


@pytest.mark.parametrize(
    ("separator", "looks_like"), [(";", "';'-separated"), ("\t", "tab-separated")]
)
def test_a_csv_with_another_separator_says_what_it_looks_like(
    capsys, tmp_path, separator, looks_like
):
    data = tmp_path / "bars.csv"
    data.write_text((HEADER + ROWS).replace(",", separator))
    code, _, err = backtest(capsys, data, tmp_path / "run")
    assert_named(code, err, f"{data}, line 1: looks like {looks_like}: logos reads comma-separated")


def test_a_gzip_file_named_csv_says_it_is_compressed(capsys, tmp_path):
    data = tmp_path / "bars.csv"
    data.write_bytes(gzip.compress((HEADER + ROWS).encode()))
    code, _, err = backtest(capsys, data, tmp_path / "run")
    assert_named(code, err, f"{data}: is gzip-compressed: decompress it or name it .csv.gz")


def test_a_parquet_file_named_csv_says_what_it_is(capsys, tmp_path):
    import pandas as pd

    data = tmp_path / "bars.csv"
    pd.DataFrame({"close": [1.0]}).to_parquet(data)
    code, _, err = backtest(capsys, data, tmp_path / "run")
    assert_named(code, err, f"{data}: is a Parquet file: name it .parquet")


def test_a_csv_gz_file_is_read(capsys, tmp_path):
    plain, packed = tmp_path / "plain.csv", tmp_path / "packed.csv.gz"
    plain.write_text(HEADER + ROWS)
    packed.write_bytes(gzip.compress((HEADER + ROWS).encode()))
    assert backtest(capsys, plain, tmp_path / "a")[0] == 0
    assert backtest(capsys, packed, tmp_path / "b")[0] == 0
    assert (tmp_path / "a" / "orders.csv").read_text() == (
        tmp_path / "b" / "orders.csv"
    ).read_text()


def test_a_timestamp_outside_pandas_range_says_so(capsys, tmp_path):
    data = tmp_path / "bars.csv"
    data.write_text(HEADER + ROWS + "2300-01-01T00:00:00Z,10,12,9,11,100\n")
    code, _, err = backtest(capsys, data, tmp_path / "run")
    assert_named(
        code, err, f"{data}, line 42: timestamp outside the range pandas can hold (1677-09-21"
    )
    assert "missing or unreadable" not in err


def test_a_metadata_file_that_is_not_utf8_names_its_line(capsys, tmp_path):
    meta = tmp_path / "meta.toml"
    meta.write_bytes(b'["X"]\nlot_size = "1"\n# \xff\n')
    data = tmp_path / "bars.csv"
    data.write_text(HEADER + ROWS)
    config = tmp_path / "run.toml"
    config.write_text(
        'symbols = ["X"]\nmetadata_file = "meta.toml"\n[feed]\nname = "replay"\n'
        'params = { path = "bars.csv" }\n[strategy]\nname = "sma_cross"\n'
    )
    code, _, err = run(capsys, "validate", str(config))
    assert_named(code, err, f"{meta}, line 3: byte 0xff (column 3) is not UTF-8 text")


@pytest.mark.parametrize("kind", ["file", "under_a_file", "dev_null"])
def test_feed_record_out_is_checked_before_recording(capsys, tmp_path, kind):
    a_file = tmp_path / "a_file"
    a_file.write_text("mine\n")
    out = {"file": a_file, "under_a_file": a_file / "sub", "dev_null": Path("/dev/null")}[kind]
    code, _, err = run(capsys, "feed", "record", "--symbol", "X", "--out", str(out))
    assert_named(code, err, f"--out {out}:")
    assert "recording" not in err and a_file.read_text() == "mine\n"


def _unexpected(*args: object, **kwargs: object) -> None:
    raise RuntimeError("boom")


def test_an_unexpected_error_points_to_debug(capsys, monkeypatch, tmp_path):
    monkeypatch.setattr(logos.config, "load_config", _unexpected)
    code, _, err = run(capsys, "validate", str(tmp_path / "x.toml"))
    assert code == 1
    assert "RuntimeError: boom" in err and "run with --debug" in err


def test_debug_does_not_tell_you_to_run_with_debug(capsys, monkeypatch, tmp_path):
    monkeypatch.setattr(logos.config, "load_config", _unexpected)
    code, _, err = run(capsys, "--debug", "validate", str(tmp_path / "x.toml"))
    assert code == 1
    assert "Traceback" in err and "RuntimeError: boom" in err
    assert "--debug" not in err
