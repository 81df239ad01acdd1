"""Process settings for long runs, in one place: the cyclic garbage collector.

A backtest of a million bars allocates millions of small, long-lived, acyclic objects (bars,
account rows, orders, Decimals). Two settings make such a run cheaper; both are applied only
by the ``logos`` command line (``import logos`` changes nothing):

- :func:`collector_paused` — around one command: the cyclic garbage collector does not run
  (reference counting still frees everything acyclic); its repeated scans of millions of
  live, acyclic objects would otherwise be a large share of the loop.
- :func:`skip_final_collection` — at exit: the interpreter's last cyclic collection would
  scan every object the run made, for memory the exit frees anyway. Commands close their
  files themselves, so no finalizer is needed at exit.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the block (restored afterwards)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        # Hand the survivors to the oldest generation unscanned: re-enabled with them all in
        # the youngest, the next allocation would start a collection of millions of objects.
        gc.freeze()
        gc.unfreeze()
        if was_enabled:
            gc.enable()


def skip_final_collection() -> None:
    """Freeze every object so the collection at interpreter exit skips them."""
    gc.freeze()
