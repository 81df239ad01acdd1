"""CSV files written column-wise by pyarrow compute, byte for byte what ``csv.writer`` writes.

The dialect is the csv module's default (``excel``: ``,`` delimiter, ``"`` quote char,
QUOTE_MINIMAL, doubled quotes) with ``lineterminator="\\n"``. Every cell is a string; a
field is quoted when it contains the delimiter, the quote char, ``\\n`` or ``\\r``, and only
then. A lone ``\\r`` is quoted as CPython's writer does since 3.11.9 and 3.12.3 (gh-67044;
earlier releases left it bare, and CSV readers then end the row there). Building the lines
in C++ and writing them through pyarrow's own file keeps the GIL free for other threads.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

NEEDS_QUOTES = r'[,"\r\n]'
"""A field containing any of these is quoted (delimiter, quote char, line breaks)."""
_COMMA, _QUOTE, _NEWLINE, _RETURN = ord(","), ord('"'), ord("\n"), ord("\r")

BATCH_ROWS = 65_536
"""Rows joined into text at a time (bounds memory and the 2 GiB offsets of a string array)."""


def csv_field(column: pa.Array) -> pa.Array:
    """Each string as a csv field: quoted, its quotes doubled, when it needs quotes."""
    # Numbers, timestamps and ids never need quotes: one scan of the column's bytes is
    # much cheaper than a regex per value.
    chars = np.frombuffer(_text_bytes(column), dtype=np.uint8)
    special = (chars == _COMMA) | (chars == _QUOTE) | (chars == _NEWLINE) | (chars == _RETURN)
    if not np.any(special):
        return column
    needs = pc.match_substring_regex(column, NEEDS_QUOTES)
    if not pc.any(needs).as_py():
        return column
    quoted = pc.binary_join_element_wise('"', pc.replace_substring(column, '"', '""'), '"', "")
    return pc.if_else(needs, quoted, column)


def csv_lines(columns: Sequence[pa.Array]) -> pa.Array:
    """The csv lines (each ending in ``\\n``) of string columns of equal length; nulls are
    empty fields."""
    fields = [csv_field(pc.fill_null(column, "")) for column in columns]
    if len(fields) == 1:
        # csv.writer quotes an empty field when it is the only one ('""'), so the line
        # is not blank.
        fields = [pc.if_else(pc.equal(fields[0], ""), '""', fields[0])]
    lines = pc.binary_join_element_wise(*fields, ",")
    return pc.binary_join_element_wise(lines, "", "\n")


def write_csv(path: Path, header: Sequence[str], columns: Sequence[pa.Array]) -> Path:
    """Write the header row and the rows of ``columns`` (string arrays) to ``path``."""
    header_line = csv_lines([pa.array([name]) for name in header])
    rows = len(columns[0]) if columns else 0
    with pa.OSFile(str(path), "wb") as fh:
        _write_text(fh, header_line)
        for start in range(0, rows, BATCH_ROWS):
            _write_text(fh, csv_lines([c.slice(start, BATCH_ROWS) for c in columns]))
    return path


def _write_text(fh: pa.NativeFile, lines: pa.Array) -> None:
    """Write the characters of a string array, one value after the other."""
    fh.write(_text_bytes(lines))


def _text_bytes(strings: pa.Array) -> pa.Buffer:
    """The characters of a string array, one value after the other (no copy)."""
    _, offsets, data = strings.buffers()
    if data is None or len(strings) == 0:
        return pa.py_buffer(b"")
    at = np.frombuffer(offsets, dtype=np.int32)[[strings.offset, strings.offset + len(strings)]]
    return data[int(at[0]) : int(at[1])]
