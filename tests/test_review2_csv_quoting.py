"""Review of the column-wise CSV writer: a lone carriage return is quoted, as CPython's
csv.writer does since 3.11.9/3.12.3 (gh-67044); left bare, every CSV reader ends the row there."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pyarrow as pa

from logos.reports.csv_text import write_csv


def test_a_lone_carriage_return_is_quoted_so_the_row_reads_back_whole(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "cr.csv",
        ["reason", "n"],
        [pa.array(["cr\ronly", "plain", "\r"]), pa.array(["1", "2", "3"])],
    )
    assert path.read_bytes() == b'reason,n\n"cr\ronly",1\nplain,2\n"\r",3\n'
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows == [["reason", "n"], ["cr\ronly", "1"], ["plain", "2"], ["\r", "3"]]


def test_a_lone_carriage_return_in_the_fast_scan_is_not_missed(tmp_path: Path) -> None:
    # No comma, quote or newline anywhere: only the carriage return needs the quotes.
    path = write_csv(tmp_path / "cr1.csv", ["a"], [pa.array(["x\ry"])])
    assert path.read_bytes() == b'a\n"x\ry"\n'
    text = io.StringIO(path.read_bytes().decode("utf-8"), newline="")
    assert list(csv.reader(text)) == [["a"], ["x\ry"]]
