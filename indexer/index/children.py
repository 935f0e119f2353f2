"""The processes a build forks (cleaning workers, sub-writers) live and die with it.

A build killed by SIGKILL or the OOM killer gets no chance to stop its
children: without this, sub-writers wait on their job queue forever and
cleaning workers go on reading, orphaned. And Ctrl-C reaches every process of
the terminal's foreground group: the build alone answers it (one line, the
previous index whole), its children must not print tracebacks of their own.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
from contextlib import contextmanager
from typing import Iterator

_PR_SET_PDEATHSIG = 1


def become_build_child() -> None:
    """Call first thing in a process the build forked: it is killed when the
    build dies (Linux's PR_SET_PDEATHSIG) and leaves SIGINT to the build."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the build's own cleanup still stops them
        return
    parent = multiprocessing.parent_process()
    if parent is not None and os.getppid() != parent.pid:
        os._exit(1)  # the build died before the request was made


def stop_children(processes) -> None:
    """Kill the build's child processes that are still running and reap them
    (a cancelled Whoosh sub-writer would otherwise wait on its queue forever,
    and Python waits for it at exit)."""
    for process in processes:
        if process.is_alive():
            process.kill()
    for process in processes:
        process.join(timeout=5)


@contextmanager
def sigint_held() -> Iterator[None]:
    """Hold Ctrl-C back while the build forks: a child born between its fork
    and `become_build_child` would print a KeyboardInterrupt of its own. It
    inherits the hold and ignores SIGINT; the build gets it on leaving."""
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
