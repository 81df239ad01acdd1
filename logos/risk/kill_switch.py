"""``kill_switch``: stop the session on request — a ``KILL`` file, ``logos kill``, a signal.

The switch trips at the next slice after the request: the session moves to HALTED (every
working order canceled), flattens if ``flatten`` is set (the flatten orders fill at the
next bars; the session runs on only until they are done), writes its artifacts and exits
with :data:`KILLED_EXIT_CODE`. With ``signals`` on, the first SIGINT or SIGTERM requests
the stop; a second one exits at once. A ``KILL`` file left in the run folder from an
earlier stop keeps a new session from starting until it is removed on purpose.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import Any, Literal

from pydantic import Field

from logos.components import Params
from logos.errors import LogosError
from logos.risk.guard import RiskGuard, SessionInfo, SliceView, Trip

KILL_FILE = "KILL"
RUNNING_FILE = "RUNNING"
"""Written into the run folder while a session with a kill switch runs (its process id), so
``logos kill`` can tell a running session's folder from any other."""
KILLED_EXIT_CODE = 3
"""Exit status of a session stopped by the kill switch (130 stays Ctrl-C without one)."""

_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class KillSwitchParams(Params):
    """Params of ``kill_switch``."""

    action: Literal["halted"] = Field("halted", description="a kill always halts")
    flatten: bool = Field(False, description="close every position before stopping")
    poll_seconds: float = Field(
        1.0,
        ge=0,
        le=3600,
        allow_inf_nan=False,
        description="how often (wall clock) to look for the KILL file; 0 = every slice",
    )
    signals: bool = Field(True, description="SIGINT/SIGTERM request the stop")


def request_kill(run_dir: Path, reason: str = "", *, force: bool = False) -> Path:
    """Ask the session running in ``run_dir`` to stop: append to its ``KILL`` file.

    Refused when ``run_dir`` is not a folder, or holds no running session with a kill switch
    (no ``RUNNING`` file) unless ``force`` (a KILL file written ahead keeps a session from
    starting there)."""
    if run_dir.exists() and not run_dir.is_dir():
        raise LogosError(f"{run_dir}: is a file, not a run folder")
    if not run_dir.is_dir():
        raise LogosError(f"{run_dir}: no such run folder")
    if not force and not (run_dir / RUNNING_FILE).exists():
        raise LogosError(
            f"{run_dir}: no session with a kill switch is running there (no {RUNNING_FILE} "
            "file); check the folder, or use --force to write the KILL file anyway"
        )
    path = run_dir / KILL_FILE
    try:
        with path.open("a", encoding="utf-8") as fh:
            fh.write((reason or "logos kill") + "\n")
    except OSError as exc:
        raise LogosError(f"{path}: cannot write the KILL file: {exc.strerror or exc}") from None
    return path


class KillSwitch(RiskGuard):
    """Stops the session when a KILL file appears in the run folder, on ``logos kill``, or
    on SIGINT/SIGTERM: cancel everything, optionally flatten, write artifacts, exit 3."""

    name = "kill_switch"
    Params = KillSwitchParams
    stops_session = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kill_file: Path | None = None
        self.requested: str | None = None
        self._next_poll = 0.0
        self._signals = 0
        self._running: Path | None = None
        self._previous: dict[int, Any] = {}

    def start(self, session: SessionInfo) -> None:
        run_dir = session.run_dir
        if run_dir is not None:
            self.kill_file = run_dir / KILL_FILE
            if self.kill_file.exists():
                raise LogosError(
                    f"{self.kill_file} exists: an earlier session was stopped with it. "
                    "Remove the file to start a session in this folder"
                )
        # the handlers first: once RUNNING exists, a stop request must find them in place
        if self.params.signals and threading.current_thread() is threading.main_thread():
            for signum in _SIGNALS:
                self._previous[signum] = signal.signal(signum, self._on_signal)
        if run_dir is not None:
            try:  # the folder now, so that `logos kill RUN_DIR` finds the session
                run_dir.mkdir(parents=True, exist_ok=True)
                (run_dir / RUNNING_FILE).write_text(f"{os.getpid()}\n", encoding="utf-8")
            except OSError as exc:
                self.finish()
                raise LogosError(
                    f"{run_dir}: cannot use it as the run folder: {exc.strerror or exc}"
                ) from None
            self._running = run_dir / RUNNING_FILE

    def finish(self) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        self._previous.clear()
        if self._running is not None:
            self._running.unlink(missing_ok=True)
            self._running = None

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self._signals += 1
        if self._signals > 1:  # the second one: stop now
            self.finish()
            raise KeyboardInterrupt
        self.requested = self.requested or signal.Signals(signum).name

    def check_slice(self, view: SliceView) -> Sequence[Trip]:
        if self.requested is None and self.kill_file is not None:
            now = time.monotonic()
            if now >= self._next_poll:
                self._next_poll = now + self.params.poll_seconds
                if self.kill_file.exists():
                    self.requested = f"{self.kill_file} appeared"
        if self.requested is None:
            return ()
        return (Trip(self.requested, "kill switch"),)
