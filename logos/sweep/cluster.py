"""Running a sweep's trials on Dask distributed (docs/sweeps.md).

By default a :class:`distributed.LocalCluster` of one single-threaded worker process per core
(``--workers N``): a backtest is CPU-bound Python, so processes, not threads, run trials side
by side. ``--scheduler tcp://HOST:PORT`` runs the same sweep on an existing cluster (started
with ``dask scheduler`` and ``dask worker``); every worker must see the config's files at the
same absolute paths.

Trials travel in batches (one Dask task runs several trials) so the per-task overhead is paid
once per batch, and at most a few batches per worker are in flight, so a resumed or
interrupted sweep loses little. A worker that dies has its tasks rerun by Dask; an outcome
is recorded when its task's result reaches the client, once.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from logos.errors import LogosError
from logos.sweep.search import TrialSource
from logos.sweep.trials import Outcome, SweepBase, run_batch

if TYPE_CHECKING:
    from distributed import Client, Future

CONNECT_TIMEOUT_S = 10.0
"""How long to try to reach a ``--scheduler`` before saying it cannot be reached."""
IN_FLIGHT_PER_WORKER = 2
"""Batches queued per worker: one running, one ready to start the moment it finishes."""


@dataclass(frozen=True)
class ClusterInfo:
    """What the sweep ran on, for the console."""

    workers: int
    address: str
    dashboard: str | None


@contextmanager
def dask_client(workers: int | None, scheduler: str | None) -> Iterator[tuple[Client, ClusterInfo]]:
    """A client of a fresh LocalCluster (``workers`` processes, default: one per core) or of
    the cluster at ``scheduler``; closed (and the local cluster shut down) on exit."""
    from distributed import Client, LocalCluster

    if workers is not None and workers < 1:
        raise LogosError(f"--workers: give 1 or more (got {workers})")
    quiet = logging.getLogger().getEffectiveLevel() > logging.DEBUG
    for name in ("distributed", "tornado", "bokeh"):
        logging.getLogger(name).setLevel(logging.ERROR if quiet else logging.DEBUG)
    if scheduler is not None:
        try:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            problem = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise LogosError(
                f"--scheduler {scheduler}: cannot reach the scheduler ({problem}); start one "
                "with `dask scheduler` (docs/sweeps.md)"
            ) from None
        try:
            count = len(client.scheduler_info().get("workers", {}))
            yield client, ClusterInfo(count, scheduler, _dashboard(client))
        finally:
            client.close()
        return
    count = workers or os.cpu_count() or 1
    cluster = LocalCluster(
        n_workers=count,
        threads_per_worker=1,
        processes=True,
        dashboard_address=":0",  # any free port: its HTTP server starts even without bokeh
        silence_logs=logging.ERROR if quiet else logging.DEBUG,
    )
    try:
        client = Client(cluster, set_as_default=False)
        try:
            yield client, ClusterInfo(count, cluster.scheduler_address, _dashboard(client))
        finally:
            client.close()
    finally:
        cluster.close()


def _has_dashboard() -> bool:
    """The dashboard needs bokeh, an optional dependency of distributed."""
    try:
        import bokeh  # noqa: F401
    except ImportError:
        return False
    return True


def _dashboard(client: Client) -> str | None:
    if not _has_dashboard():
        return None
    try:
        return str(client.dashboard_link)
    except Exception:  # no dashboard on that scheduler
        return None


def run_trials(
    client: Client,
    base: SweepBase,
    source: TrialSource,
    *,
    batch_size: int,
    workers: int,
    on_outcome: Callable[[Outcome], None],
) -> list[str]:
    """Run every trial ``source`` hands out on the cluster; ``on_outcome`` gets each outcome
    as its batch finishes. Returns why batches were lost (a task that failed as a whole
    after Dask's retries); their trials stay unrecorded for ``--resume`` to run again."""
    from distributed import as_completed

    lost: list[str] = []
    in_flight = 0
    limit = max(1, workers) * IN_FLIGHT_PER_WORKER

    def submit() -> list[Future]:
        nonlocal in_flight
        futures = []
        while in_flight < limit:
            batch = source.next_batch(batch_size)
            if not batch:
                break
            futures.append(client.submit(run_batch, base, batch, pure=False, retries=1))
            in_flight += 1
        return futures

    first = submit()
    if not first:
        return lost
    queue = as_completed(first, loop=client.loop)  # not the default client: there is none
    for future in queue:
        in_flight -= 1
        try:
            outcomes = future.result()
        except Exception as exc:
            lost.append(f"{type(exc).__name__}: {exc}")
            outcomes = []
        finally:
            future.release()
        for outcome in outcomes:
            on_outcome(outcome)
            source.tell(outcome)
        for future in submit():
            queue.add(future)
    return lost
