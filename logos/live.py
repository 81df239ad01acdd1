"""``python -m logos.live trade ...``: the ``logos`` command line, for deployments that start
sessions as a Python module (a process manager, a container's entry point). It is the same
program as ``logos``: ``python -m logos.live trade CONFIG`` is ``logos trade CONFIG``
(docs/state.md)."""

from __future__ import annotations

if __name__ == "__main__":
    from logos.cli import main

    main()
