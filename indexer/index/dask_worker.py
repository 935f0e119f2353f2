"""What a Dask worker does once, before the build's tasks (`indexer.index.cluster`).

A local build forks its workers from a process that has loaded the task code;
a Dask worker is a process of its own (spawned by its nanny, on this machine or
another), so the plugin readies it when it joins the build's cluster, a worker
that joins mid-build (a replacement for a dead one) included.
"""

from __future__ import annotations

import gc

from distributed.diagnostics.plugin import WorkerPlugin

PLUGIN_NAME = "newsindex-build"


class BuildWorker(WorkerPlugin):
    """Loads the task code, then freezes the objects the worker holds so far."""

    name = PLUGIN_NAME

    def setup(self, worker) -> None:
        from indexer.index.tasks import become_worker, warm_up

        warm_up()
        become_worker()
        # Dask's own objects (~70k, twice what a forked local worker holds) live
        # as long as the worker: without this every full collection in a task
        # walks them again.
        gc.freeze()
