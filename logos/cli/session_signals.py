"""Ctrl-C and SIGTERM during a session (``logos trade``): stop between two slices.

A signal raised as an exception can land anywhere — inside a journal write, inside pydantic's
validation of a fill (which may turn it into a validation error) — so a running session takes
the first SIGINT or SIGTERM as a request: the slice in progress is finished and journaled,
then the session ends as interrupted (exit 130, artifacts written). While the session only
waits for its feed's next bars (a live feed sleeping between polls), nothing is half done, so
the signal interrupts at once. A second signal always interrupts at once. A kill switch
(docs/risk.md) takes both signals over while its session runs.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextmanager
def stop_between_slices(engine: Any) -> Iterator[None]:
    """Install the handlers for the block (the main thread only; elsewhere nothing)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        if engine.waiting or engine.interrupted is not None:
            raise KeyboardInterrupt
        engine.interrupted = signal.Signals(signum).name

    engine.track_waiting = True
    previous = {signum: signal.signal(signum, handler) for signum in _SIGNALS}
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)
