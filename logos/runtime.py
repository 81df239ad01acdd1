"""Process settings for long runs, in one place: the garbage collector and memory allocators.

A backtest of a million bars allocates millions of small, long-lived objects (bars, account
rows, orders) and many short-lived NumPy and Arrow buffers. Three settings make such a run
cheaper; each is a documented knob of the library it belongs to, each is applied only by
the ``logos`` command line (``import logos`` changes nothing), and docs/backtest.md says how
to override them:

- :func:`memory_defaults` — before NumPy and Arrow load: ``NUMPY_MADVISE_HUGEPAGE=0`` (no
  transparent-huge-page advice, so the kernel does not compact memory on the first touch of
  each large array where ``transparent_hugepage/defrag = madvise``) and
  ``ARROW_DEFAULT_MEMORY_POOL=system`` (the C allocator keeps freed pages for reuse, where
  mimalloc hands them back and faults them in again). A value the user set is kept.
- :func:`collector_paused` — around one command: the cyclic garbage collector does not run
  (reference counting still frees everything acyclic); its repeated scans of millions of
  live, acyclic objects would otherwise be a large share of the loop.
- :func:`skip_final_collection` — at exit: the interpreter's last cyclic collection would
  scan every object the run made, for memory the exit frees anyway. Commands close their
  files themselves, so no finalizer is needed at exit.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from contextlib import contextmanager


def memory_defaults() -> None:
    """Set NumPy's and Arrow's memory settings unless the environment sets them."""
    os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")


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
