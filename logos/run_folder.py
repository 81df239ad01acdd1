"""A run folder that never loses data (docs/backtest.md, "Run folders").

- :meth:`RunFolder.check`, before any work: the folder is a folder (or can be made), its
  parent is writable, and it does not already hold a run — unless ``force``.
- :meth:`RunFolder.publish`: the artifacts are written into a staging folder beside the
  target and moved into place only once every one of them is complete. A write error or a
  Ctrl-C while they are written leaves the target exactly as it was; the moves themselves
  run with SIGINT and SIGTERM held back, so the folder never mixes two runs. Replacing a
  run (``force``) moves only the earlier run's own files out of the way; a user's other
  files in the folder are never touched.
- :meth:`RunFolder.scratch`: a folder beside the target for what a session keeps on disk
  while it runs (its spooled orders, fills and account rows), removed when the session is
  done, however it ends.
"""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from logos.errors import LogosError

ARTIFACTS = (
    *("orders.csv", "trades.csv", "positions.csv", "account.csv", "session.md", "equity.png"),
    *("report.html", "equity.svg"),
)
"""The files a run writes at its end (``equity.svg``: the chart of runs before equity.png)."""
RUN_FILES = (*ARTIFACTS, "state.jsonl", "KILL")
"""Files that say a folder holds a run (the journal and a kill switch's file included)."""


class RunFolderError(LogosError):
    """The run folder cannot be used as asked."""


class RunFolder:
    """Where one session's artifacts go (``path``), written safely."""

    def __init__(self, path: Path, *, force: bool = False, flag: str = "--out") -> None:
        self.path = path
        self.force = force
        self.journal = False
        self.earlier: list[str] = []
        """The run files the folder held when it was checked."""
        self.flag = flag
        """How the user chose the folder, for messages (``--out``, ``run_dir``)."""

    def earlier_run(self) -> list[str]:
        """The run files already in the folder (empty when it holds no run)."""
        if not self.path.is_dir():
            return []
        return [name for name in RUN_FILES if (self.path / name).exists()]

    def check(self, *, journal: bool = False) -> None:
        """Refuse, before any work, a folder the run could not write or would overwrite.

        A folder holding a journal (``state.jsonl``) is refused even with ``force``: a
        journal is the record of what was sent, never replaced, and never left beside
        another run's artifacts. ``journal``: this run writes one there itself.
        """
        self.journal = journal
        path = self.path
        if path.exists() and not path.is_dir():
            raise RunFolderError(f"{self.flag} {path}: is a file, not a folder")
        base = path if path.exists() else _existing_ancestor(path)
        if not base.is_dir():
            raise RunFolderError(f"{self.flag} {path}: {base} is a file, not a folder")
        try:  # a real write, not os.access: that says yes to root even where no one can write
            Path(tempfile.mkdtemp(prefix=".logos-probe-", dir=base)).rmdir()
        except OSError as exc:
            raise RunFolderError(
                f"{self.flag} {path}: cannot write in {base}: {exc.strerror or exc}"
            ) from None
        earlier = self.earlier = self.earlier_run()
        if "state.jsonl" in earlier:
            raise RunFolderError(
                f"{self.flag} {path}: holds a journal (state.jsonl) of an earlier run; a "
                "journal is never replaced: give a new folder"
            )
        if earlier and not self.force:
            raise RunFolderError(
                f"{self.flag} {path}: already holds a run ({', '.join(earlier)}); give a new "
                "folder, or --force to replace that run (other files there are kept)"
            )

    @contextmanager
    def scratch(self) -> Iterator[Path]:
        """A new folder beside the target for the session's spooled outputs, removed when
        the block ends (normally, on an error or a Ctrl-C).

        Beside the target, not in the system's temporary folder: that is often held in
        memory (tmpfs), which would defeat spooling, while the run folder's disk is the one
        the artifacts are written to anyway."""
        folder = self._folder_beside("spool")
        try:
            yield folder
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def publish(self, write: Callable[[Path], list[Path]]) -> list[Path]:
        """Call ``write(staging)`` to write every artifact into a new staging folder beside
        the target, then move them into the target; return their final paths.

        If ``write`` raises (or is interrupted), the staging folder is removed and the target
        is as it was."""
        staging = self._folder_beside("writing")
        try:
            write(staging)
        except OSError as exc:
            shutil.rmtree(staging, ignore_errors=True)
            raise RunFolderError(
                f"{self.flag} {self.path}: writing the artifacts failed ({exc.strerror or exc}); "
                "nothing was changed there"
            ) from None
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        with _signals_held():
            self._refuse_a_run_that_appeared(staging)
            return self._move_in(staging)

    def _folder_beside(self, kind: str) -> Path:
        """A new hidden folder ``.<target>.<kind>-XXXX`` beside the target (made with the
        target's parents if needed), or a RunFolderError saying the place is not writable."""
        target = self.path
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            return Path(tempfile.mkdtemp(prefix=f".{target.name}.{kind}-", dir=_beside(target)))
        except OSError as exc:
            raise RunFolderError(
                f"{self.flag} {target}: cannot write there: {exc.strerror}"
            ) from None

    def _refuse_a_run_that_appeared(self, staging: Path) -> None:
        """Another run wrote into the folder while this one ran (two runs started on one
        folder): keep both, leaving this run's artifacts in their staging folder."""
        own = {"state.jsonl", "KILL"} if self.journal else {"KILL"}
        appeared = [n for n in self.earlier_run() if n not in own and n not in self.earlier]
        if appeared and not self.force:
            raise RunFolderError(
                f"{self.flag} {self.path}: another run wrote {', '.join(appeared)} there while "
                f"this one ran; this run's artifacts are kept in {staging}"
            )

    def _move_in(self, staging: Path) -> list[Path]:
        target = self.path
        if not target.exists():
            staging.rename(target)
            return sorted(target.iterdir())
        new = sorted(p.name for p in staging.iterdir())
        old_files = [n for n in ARTIFACTS if (target / n).exists()]
        old_files += [n for n in new if n not in old_files and (target / n).exists()]
        trash = Path(tempfile.mkdtemp(prefix=f".{target.name}.replaced-", dir=staging.parent))
        for name in old_files:  # the earlier run's files, out of the way (never deleted first)
            os.replace(target / name, trash / name)
        for name in new:
            os.replace(staging / name, target / name)
        staging.rmdir()
        shutil.rmtree(trash, ignore_errors=True)
        return [target / name for name in new]


def _existing_ancestor(path: Path) -> Path:
    """The nearest ancestor of ``path`` that exists."""
    for candidate in path.absolute().parents:
        if candidate.exists():
            return candidate
    return Path("/")


def _beside(target: Path) -> Path:
    """Where to stage: beside the target (so the final move is a rename on one file system),
    or inside it when only the target itself is writable."""
    parent = target.parent
    if os.access(parent, os.W_OK | os.X_OK) or not target.is_dir():
        return parent
    return target


@contextmanager
def _signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM wait until the block is done (the moves take microseconds)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held = {signal.SIGINT, signal.SIGTERM}
    signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, held)
