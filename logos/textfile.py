"""Reading a user's text file (a config, a metadata file, a CSV) with one readable error for
every way it can fail: missing, a folder, unreadable, or a byte that is not UTF-8 (named by
its line, ``FILE, line N: ...``, see :func:`logos.errors.at_line`)."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from pathlib import Path

from logos.errors import LogosError, at_line

GZIP_MAGIC = b"\x1f\x8b"


def non_utf8_position(data: bytes) -> tuple[int, int, int] | None:
    """``(line, column, byte)`` of the first byte of ``data`` that is not UTF-8 text (1-based
    line and column; a UTF-8 BOM at the start is fine), or None when all of it is."""
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        start = 3 if data.startswith(b"\xef\xbb\xbf") else 0
        offset = exc.start + start
        line_start = data.rfind(b"\n", 0, offset) + 1
        return data.count(b"\n", 0, offset) + 1, offset - line_start + 1, data[offset]
    return None


def non_utf8_message(path: str | Path, position: tuple[int, int, int]) -> str:
    """``FILE, line N: byte 0xNN (column C) is not UTF-8 text; save the file as UTF-8``."""
    line, column, byte = position
    return at_line(
        path, line, f"byte 0x{byte:02x} (column {column}) is not UTF-8 text; save the file as UTF-8"
    )


def read_text(path: Path, error: Callable[[str], LogosError], *, what: str = "file") -> str:
    """The UTF-8 text of ``path``; every failure raises ``error(message)`` naming the file."""
    if path.is_dir():
        raise error(at_line(path, None, f"is a folder, not a {what}"))
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise error(at_line(path, None, f"{what} not found")) from None
    except PermissionError:
        raise error(at_line(path, None, f"{what} is not readable (permission denied)")) from None
    except OSError as exc:
        raise error(at_line(path, None, f"cannot read the {what}: {exc.strerror or exc}")) from None
    if data.startswith(GZIP_MAGIC):
        raise error(at_line(path, None, f"is gzip-compressed, not a {what}; decompress it"))
    position = non_utf8_position(data)
    if position is not None:
        raise error(non_utf8_message(path, position))
    return data.decode("utf-8-sig")


_TOML_POSITION = re.compile(r"^(?P<what>.*?) \(at line (?P<line>\d+), column (?P<col>\d+)\)$")


def toml_error_message(path: str | Path, exc: tomllib.TOMLDecodeError, text: str) -> str:
    """``FILE, line N: not valid TOML: what (column C)`` from tomllib's error."""
    message = str(exc)
    match = _TOML_POSITION.match(message)
    if match is not None:
        what = f"not valid TOML: {match['what']} (column {match['col']})"
        return at_line(path, int(match["line"]), what)
    if message.endswith(" (at end of document)"):
        line = text.count("\n") + (0 if text.endswith("\n") else 1)
        what = message.removesuffix(" (at end of document)")
        return at_line(path, line, f"not valid TOML: {what} (end of file)")
    return at_line(path, None, f"not valid TOML: {message}")
