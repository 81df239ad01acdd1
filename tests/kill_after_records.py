"""Run the logos command line in a child process, and SIGKILL that process right after its
journal has written k new records (the crash test's kill points): a real process killed for
real, at an exact point of its journal.

The child is forked from the test process, which has imported logos already, so each run
costs the session's work and not the interpreter's start. ``python kill_after_records.py K
ARGS...`` does the same from a shell."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys

from logos.state import journal


def _run(args: list[str], kill_after: int | None, log: str, touch: str | None) -> None:
    """In the child: the command, killed after ``kill_after`` journal records (or, with
    ``touch``, that file created then: a ``KILL`` file appearing at an exact point)."""
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
    os._exit(code)  # nothing of the parent's (threads, finalizers) runs in the child


def run_logos(
    *args: str, kill_after: int | None = None, log: str = os.devnull, touch: str | None = None
) -> int:
    """``logos ARGS`` in a forked child, its output appended to ``log``; its exit code (-9
    when it was killed)."""
    import logos.cli  # noqa: F401 - imported once, before the fork

    child = multiprocessing.get_context("fork").Process(
        target=_run, args=(list(args), kill_after, log, touch)
    )
    child.start()
    child.join(300)
    if child.exitcode is None:
        child.kill()
        raise TimeoutError(f"logos {' '.join(args)} did not finish in 300 s")
    return child.exitcode


if __name__ == "__main__":
    sys.exit(run_logos(*sys.argv[2:], kill_after=int(sys.argv[1])))
