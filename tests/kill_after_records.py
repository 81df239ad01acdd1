"""Run the logos command line in a child process, and SIGKILL that process right after its
journal has written k new records (the crash test's kill points): a real process killed for
real, at an exact point of its journal.

The children come from a fork server: one process, started on first use, that imports logos
once and forks each child from its single thread. Forking the test process itself would be
cheaper still, but a fork copies only the forking thread: a lock held at that instant by any
other thread (the crash test's own pool, or a thread an earlier test left running) is held
forever in the child, which then hangs. A child runs with the environment the test process
had when the server started. ``python kill_after_records.py K ARGS...`` does the same from a
shell."""

from __future__ import annotations

import faulthandler
import multiprocessing
import os
import signal
import sys
import tempfile
import threading
from importlib.metadata import entry_points
from multiprocessing.connection import wait
from pathlib import Path

CHILD_SECONDS = 300
"""How long one ``logos`` run may take; a child still running then dumps its threads' stacks
(the reason it hangs) and is stopped."""

SESSION_MODULES = [
    "logos.cli",
    "logos.cli.backtest_cmd",
    "logos.reports",
    "logos.reports.chart",
    "logos.run_folder",
    "logos.session",
    "logos.state.journal",
    "logos.state.resume",
    "logos.trade_session",
    "matplotlib.backends.backend_agg",
    "matplotlib.figure",
]
"""What the fork server imports once, before it forks any child: the command line and the
modules a ``logos trade`` session imports as it runs (with every plugin's module, found by
its entry point), as a test process that has run a session has them. Without them each
child imports them anew. Only installed modules: the server does not see the tests folder."""

_exit_codes = threading.Lock()
"""Held while a child is started and while its exit code is read. ``Process.start`` reads the
exit code of every child the process started that has ended (multiprocessing's clean-up); a
thread reading it at the same time as another gets nothing (a fork server's 255, a fork's
``None``) instead of the child's code."""

_server = multiprocessing.get_context("forkserver")
_server.set_forkserver_preload(
    [*SESSION_MODULES, *(plugin.module for plugin in entry_points(group="logos"))]
)


def _run(args: list[str], kill_after: int | None, log: str, touch: str | None, stacks: str) -> None:
    """In the child: the command, killed after ``kill_after`` journal records (or, with
    ``touch``, that file created then: a ``KILL`` file appearing at an exact point)."""
    from logos.state import journal

    hang = open(stacks, "w")  # noqa: SIM115 - held until the child ends
    faulthandler.dump_traceback_later(CHILD_SECONDS, exit=True, file=hang)
    if kill_after is not None:
        write = journal.JsonlJournal.write
        left = [kill_after]

        def write_then_maybe_die(self: journal.JsonlJournal, *a: object, **kw: object) -> int:
            seq = write(self, *a, **kw)  # type: ignore[arg-type]
            left[0] -= 1
            if left[0] == 0:
                if touch is None:
                    os.kill(os.getpid(), signal.SIGKILL)
                with open(touch, "a"):
                    pass
            return seq

        journal.JsonlJournal.write = write_then_maybe_die  # type: ignore[method-assign]
    sys.stdout = sys.stderr = open(log, "a")  # noqa: SIM115 - the child's whole life
    from logos.cli import main

    code = 0
    try:
        main(args)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    sys.stdout.flush()
    os._exit(code)  # nothing of the fork server's (finalizers) runs in the child


def run_logos(
    *args: str, kill_after: int | None = None, log: str = os.devnull, touch: str | None = None
) -> int:
    """``logos ARGS`` in a child process, its output appended to ``log``; its exit code (-9
    when it was killed). A child that does not end in :data:`CHILD_SECONDS` is a
    ``TimeoutError`` carrying the stacks of its threads. Safe to call from several threads."""
    with tempfile.TemporaryDirectory() as folder:
        stacks = Path(folder) / "stacks.txt"
        child = _server.Process(target=_run, args=(list(args), kill_after, log, touch, str(stacks)))
        with _exit_codes:
            child.start()
        ended = wait([child.sentinel], CHILD_SECONDS + 30)
        with _exit_codes:
            if not ended:
                child.kill()
            child.join()
            code = child.exitcode
        dumped = stacks.read_text() if stacks.exists() else ""
    if not ended or dumped:
        raise TimeoutError(
            f"logos {' '.join(args)} did not finish in {CHILD_SECONDS} s; its threads:\n{dumped}"
        )
    assert code is not None
    return code


if __name__ == "__main__":
    sys.exit(run_logos(*sys.argv[2:], kill_after=int(sys.argv[1])))
