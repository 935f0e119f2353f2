"""The build's tasks on a Dask cluster (`newsindex build --dask ADDRESS`).

`tcp://host:8786` names a running scheduler; `local` or `local:N` starts a
`LocalCluster` of N worker processes (one thread each) on 127.0.0.1 for the
build. Workers must reach the sources and the index folder by the same paths
as the coordinator (a shared file system) and have newsindex installed.

Dask reruns a task whose worker died on another worker (up to the scheduler's
`distributed.scheduler.allowed-failures`), and retries a task that raised
`TASK_RETRIES` times; a task that fails every time, or a scheduler that goes
away, fails the build in one line and nothing is committed.

A worker is readied for the tasks when it joins (`indexer.index.dask_worker`),
and the workers of a LocalCluster get `WORKER_CONFIG`; a cluster's operator
sets it in the workers' Dask configuration (README, "Large archives").
"""

from __future__ import annotations

import os
from typing import Iterator

from indexer.errors import BuildFailed, UsageError

TASK_RETRIES = 2          # a task that raised is tried this many more times
CONNECT_TIMEOUT_S = 30    # to reach a scheduler given by address

# Dask settings a task runs faster with (`benchmarks/README.md`, "A million articles").
WORKER_CONFIG = {
    # The nanny starts a worker with MALLOC_TRIM_THRESHOLD_=65536; setting it
    # also stops glibc adapting its mmap threshold, so a task maps and unmaps
    # every buffer past 128 KiB (3x the page faults of a local worker). None:
    # glibc's own thresholds, which `tasks.become_worker` then sets as in a
    # local worker (`tasks.WORKER_MALLOC`).
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
    # A sample of every thread's stack every 10 ms, for a dashboard no one reads.
    "distributed.worker.profile.enabled": False,
    # Each wakes the worker's event loop, which takes the GIL from the task:
    # host metrics every 0.5 s (psutil), an event-loop check every 20 ms, the
    # memory check every 0.1 s (a task's memory is bounded by its batch).
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.admin.tick.interval": "1s",
    "distributed.worker.memory.monitor-interval": "1s",
}


def parse_address(address: str) -> tuple[str | None, int | None]:
    """(scheduler address, None) or (None, local worker count) from `--dask`."""
    if address == "local" or address.startswith("local:"):
        count = address.partition(":")[2]
        if count and not (count.isdigit() and int(count) > 0):
            raise UsageError(f"--dask local:N needs a worker count, not {count!r}")
        return None, int(count) if count else (os.cpu_count() or 1)
    if "://" not in address and ":" not in address:
        raise UsageError(f"--dask needs a scheduler address (tcp://host:8786) or local[:N], not {address!r}")
    return address, None


class DaskTasks:
    """A Dask client for one build (and the LocalCluster it started, if any)."""

    def __init__(self, address: str) -> None:
        try:
            import dask
            from distributed import Client, LocalCluster
        except ImportError:
            raise UsageError("--dask needs Dask: pip install 'newsindex[dask]'") from None
        from indexer.index.dask_worker import BuildWorker

        scheduler, workers = parse_address(address)
        self.local = None
        try:
            if scheduler is None:
                # The scheduler's HTTP server (health, metrics) on a free port: Dask's
                # 8787 may be another cluster's, and it would warn and move.
                with dask.config.set(WORKER_CONFIG):  # the nannies pass it on to their workers
                    self.local = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                              host="127.0.0.1", dashboard_address="127.0.0.1:0")
                self.client = Client(self.local)
            else:
                self.client = Client(scheduler, timeout=CONNECT_TIMEOUT_S)
            self.client.register_plugin(BuildWorker())
        except OSError as exc:
            self.close()
            raise BuildFailed(f"cannot reach the Dask scheduler at {address}: {exc}") from None

    def run(self, planned: list, function) -> Iterator[tuple[int, object]]:
        """Submit every task and yield (position, result) as they finish. A
        task's key is its content's name, so a resubmitted task is the same task."""
        from distributed import as_completed
        from distributed.client import FutureCancelledError

        from indexer.index.tasks import task_failed

        futures = {}
        for position, task in enumerate(planned):
            key = f"newsindex-{function.__name__}-{task.name}"
            futures[self.client.submit(function, task, key=key, retries=TASK_RETRIES, pure=False)] = position
        try:
            for future in as_completed(futures):
                position = futures[future]
                try:
                    result = future.result()
                except FutureCancelledError:
                    raise BuildFailed("the Dask scheduler went away (its tasks were cancelled); "
                                      "the previous index is unchanged") from None
                except Exception as exc:
                    raise task_failed(planned[position], exc) from None
                yield position, result
                future.release()
        finally:
            for future in futures:
                if not future.done():
                    future.cancel()

    def close(self) -> None:
        client = getattr(self, "client", None)
        if client is not None:
            client.close()
        if self.local is not None:
            self.local.close()

