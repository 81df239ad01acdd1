"""``state.json``: the session's snapshot, written atomically (docs/state.md).

A snapshot holds everything a restart needs without reading the whole journal: the journal
``seq`` it covers, the engine's counters and per-symbol sizing state, the broker's state
(positions and lots, cash, working orders, its id counters), the risk layer's (trading state,
latched breakers, each guard's own state such as the equity high-water mark) and the last
bar per symbol. It is written to a temporary file in the run folder, ``fsync``'d, renamed
over ``state.json`` and the folder ``fsync``'d: a crash leaves the old snapshot or the new
one, never a mix.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from logos.state.journal import SCHEMA_VERSION

SNAPSHOT_FILE = "state.json"


def header_digest(header: dict[str, Any]) -> str:
    """A fingerprint of a session's ``session`` record: a snapshot names the run it belongs
    to by it (another run of the same session id has another header)."""
    text = json.dumps(header, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def write_snapshot(path: Path, snapshot: dict[str, Any]) -> None:
    """Write ``snapshot`` (JSON-serialisable) to ``path`` atomically."""
    body = json.dumps({"v": SCHEMA_VERSION, **snapshot}, separators=(",", ":"), default=str)
    fd, tmp = tempfile.mkstemp(prefix=".state-", suffix=".json.tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(body)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_folder(path.parent)


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX: fsync the directory)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # a platform without directory handles (Windows)
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def read_snapshot(
    path: Path, *, session_id: str, last_seq: int
) -> tuple[dict[str, Any] | None, str]:
    """The snapshot at ``path`` and ``""``, or ``None`` and why it cannot be used: missing,
    unreadable, not JSON, another session's, a newer schema, or covering more of the
    journal (``seq``) than the journal holds (``last_seq``)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, f"{path.name}: none written yet"
    except (OSError, UnicodeDecodeError) as exc:
        return None, f"{path.name}: cannot be read ({exc})"
    try:
        snapshot = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, f"{path.name}: not valid JSON ({exc})"
    if not isinstance(snapshot, dict):
        return None, f"{path.name}: not a JSON object"
    version = snapshot.get("v")
    if not isinstance(version, int) or version > SCHEMA_VERSION:
        return None, f"{path.name}: schema version {version!r} is not one this logos reads"
    if snapshot.get("session_id") != session_id:
        return None, f"{path.name}: belongs to session {snapshot.get('session_id')!r}"
    seq = snapshot.get("seq")
    if not isinstance(seq, int) or not 0 <= seq <= last_seq:
        return None, f"{path.name}: covers seq {seq!r}, the journal ends at {last_seq}"
    for key in ("engine", "broker", "risk"):
        if not isinstance(snapshot.get(key), dict):
            return None, f"{path.name}: no '{key}' state"
    return snapshot, ""
