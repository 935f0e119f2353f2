"""`newsindex serve`: the web UI under waitress, in one process or several
pre-forked ones sharing one socket (`serve` says why), and the supervisor that
starts, watches and stops those processes. The app itself is `webui.create_app`.
"""

from __future__ import annotations

import os
import signal
import socket
import time
from pathlib import Path
from typing import Any, Mapping, Sequence

from indexer.limits import MAX_EXPORTS, SERVER_BACKLOG, SERVER_STOP_SECONDS
from webui import create_app
from webui.connections import run_waitress
from webui.hosts import allowed_hosts


def serve(index_dir: str | Path, host: str = "127.0.0.1", port: int = 8080, threads: int = 8,
          workers: int = 1, config: Mapping[str, Any] | None = None, allowed: Sequence[str] = ()) -> None:
    """Serve the UI under waitress until interrupted (what `newsindex serve` runs).

    With `workers` > 1 the listening socket is bound once and that many
    processes (forked after binding) accept from it: one Python process
    serialises searches on the GIL, so on N cores N processes answer N
    searches at once. Each worker has its own searchers and caches (its own
    memory). Ctrl-C or SIGTERM stops the workers and then the parent; a
    worker whose parent dies is stopped by the kernel. `config` goes to
    every worker's `create_app` (e.g. COLLECTIONS_PATH).

    The app answers only to the Host names of `host`:`port` and `allowed`
    (webui/hosts.py); waitress runs with the limits of webui/connections.py."""
    config = {**(config or {}), "ALLOWED_HOSTS": allowed_hosts(host, port, allowed),
              "EXPORT_SLOTS": max(1, min(MAX_EXPORTS, threads - 1))}
    if workers <= 1:
        run_waitress(create_app(index_dir, config=config), threads=threads, host=host, port=port)
        return
    listener = _bind(host, port)
    children: list[int] = []
    try:
        for _ in range(workers):
            pid = os.fork()
            if pid == 0:  # the worker
                _run_worker(listener, index_dir, threads, config)
            children.append(pid)
        _wait_for_workers(children)
    finally:
        listener.close()
        _stop_workers(children)


def _bind(host: str, port: int) -> socket.socket:
    """The listening socket the workers share (IPv4 or IPv6 by the address given)."""
    info = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    listener = socket.socket(info[0], socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(info[4])
    listener.listen(SERVER_BACKLOG)
    listener.setblocking(False)
    return listener


def _run_worker(listener: socket.socket, index_dir: str | Path, threads: int,
                config: Mapping[str, Any] | None = None) -> None:
    """A forked worker: serve from the shared socket until stopped; never returns."""
    code = 0
    try:
        _die_with_parent()
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops us with SIGTERM
        signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
        run_waitress(create_app(index_dir, config=config), threads=threads, sockets=[listener])
    except BaseException:  # noqa: BLE001 - a worker must never return into the parent's code
        import traceback

        traceback.print_exc()
        code = 1
    finally:
        os._exit(code)


def _die_with_parent() -> None:
    """Ask Linux to send SIGTERM to this worker when the parent dies (no orphans)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        PR_SET_PDEATHSIG = 1
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):  # not Linux: workers then outlive a killed parent
        pass


def _wait_for_workers(children: list[int]) -> None:
    """Block until SIGTERM/Ctrl-C, or until a worker exits (then stop the rest)."""
    stop = {"signal": None}

    def on_signal(signum, _frame):
        stop["signal"] = signum
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, on_signal)
    try:
        pid, status = os.wait()
        if pid in children:
            children.remove(pid)
        raise OSError(f"a server worker exited (status {status}); stopped the others")
    except KeyboardInterrupt:
        return
    finally:
        signal.signal(signal.SIGTERM, previous)


def _stop_workers(children: list[int]) -> None:
    """SIGTERM each worker and reap it; one still running `SERVER_STOP_SECONDS`
    later (stuck where its handler cannot run) is killed: the server stops."""
    for pid in children:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + SERVER_STOP_SECONDS
    for pid in children:
        try:
            while os.waitpid(pid, os.WNOHANG) == (0, 0):
                if time.monotonic() > deadline:
                    os.kill(pid, signal.SIGKILL)
                    os.waitpid(pid, 0)
                    break
                time.sleep(0.05)
        except ChildProcessError:
            pass
    children.clear()
