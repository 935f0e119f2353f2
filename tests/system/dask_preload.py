"""A Dask worker preload for tests/system/test_dask.py (`dask worker --preload`):
lets the test slow the build's reads down, see which worker is mid-task, and
make a source fail on every try, through files in $NEWSINDEX_TEST_CONTROL:

    slow      seconds each source's read waits
    marks/    a file `PID-N` appears when this worker starts reading a source
    poison    a read of a source whose path contains this text raises
"""

from __future__ import annotations

import itertools
import os
import time
from pathlib import Path


def dask_setup(worker) -> None:
    import indexer.index.tasks as tasks

    control = Path(os.environ["NEWSINDEX_TEST_CONTROL"])
    real_read = tasks.stream_source
    counter = itertools.count()

    def controlled_read(path, source, **kwargs):
        (control / "marks").mkdir(exist_ok=True)
        (control / "marks" / f"{os.getpid()}-{next(counter)}").touch()
        poison = control / "poison"
        if poison.exists() and poison.read_text().strip() in source:
            raise RuntimeError(f"poisoned source {source}")
        slow = control / "slow"
        if slow.exists():
            time.sleep(float(slow.read_text()))
        return real_read(path, source, **kwargs)

    tasks.stream_source = controlled_read
