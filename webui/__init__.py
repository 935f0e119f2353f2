"""The researcher's web UI: a thin Flask shell over `indexer.search.archive`.

No search logic lives here. The app holds one shared `Archive` (thread-safe, it
refreshes itself after a rebuild) and turns requests into `SearchRequest`s and
results into pages, JSON or streamed exports.
"""

from __future__ import annotations

import os
import signal
import socket
import threading
import time
from pathlib import Path
from typing import Any, Mapping

from flask import Flask, Response

EXTENSION_KEY = "newsindex"

# Every response carries these. The CSP forbids inline scripts and styles, so the
# templates use only /static files and SVG presentation attributes.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}

DEFAULT_CONFIG = {
    "JSON_SORT_KEYS": False,
}


class ArchiveHolder:
    """Opens the `Archive` on first use and keeps it for the app's life.

    Opening lazily lets `serve` start before the first build finishes: until an
    index exists, pages say how to build one instead of the server refusing to run.
    """

    STATS_SECONDS = 60.0  # the start page's corpus figures may lag a rebuild by this much

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = index_dir
        self._archive: Any = None
        self._lock = threading.Lock()
        self._stats: tuple[float, dict] | None = None

    def get(self) -> Any:
        """The shared Archive; raises `IndexMissing` while there is no index."""
        if self._archive is None:
            from indexer import Archive

            with self._lock:
                if self._archive is None:
                    self._archive = Archive(self.index_dir)
        return self._archive

    def stats(self) -> dict:
        """`Archive.stats()`, reused for a minute: it counts the whole index
        (~200 ms on Reuters) and only the start page shows it."""
        cached = self._stats
        now = time.monotonic()
        if cached is not None and now - cached[0] < self.STATS_SECONDS:
            return cached[1]
        figures = self.get().stats()
        self._stats = (now, figures)
        return figures


def create_app(index_dir: str | Path, *, config: Mapping[str, Any] | None = None) -> Flask:
    """The web UI over the index in `index_dir` (one Archive shared by all threads)."""
    app = Flask(__name__)
    app.config.update(DEFAULT_CONFIG)
    if config:
        app.config.update(config)
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions[EXTENSION_KEY] = ArchiveHolder(Path(index_dir))

    from webui.views import bp, register_error_handlers

    app.register_blueprint(bp)
    register_error_handlers(app)

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    return app


def serve(index_dir: str | Path, host: str = "127.0.0.1", port: int = 8080, threads: int = 8,
          workers: int = 1) -> None:
    """Serve the UI under waitress until interrupted (what `newsindex serve` runs).

    With `workers` > 1 the listening socket is bound once and that many
    processes (forked after binding) accept from it: one Python process
    serialises searches on the GIL, so on N cores N processes answer N
    searches at once. Each worker has its own searchers and caches (its own
    memory). Ctrl-C or SIGTERM stops the workers and then the parent; a
    worker whose parent dies is stopped by the kernel."""
    import waitress

    if workers <= 1:
        app = create_app(index_dir)
        waitress.serve(app, host=host, port=port, threads=threads, ident="newsindex")
        return
    listener = _bind(host, port)
    children: list[int] = []
    try:
        for _ in range(workers):
            pid = os.fork()
            if pid == 0:  # the worker
                _run_worker(listener, index_dir, threads)
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
    listener.listen(1024)
    listener.setblocking(False)
    return listener


def _run_worker(listener: socket.socket, index_dir: str | Path, threads: int) -> None:
    """A forked worker: serve from the shared socket until stopped; never returns."""
    import waitress

    code = 0
    try:
        _die_with_parent()
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops us with SIGTERM
        signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
        app = create_app(index_dir)
        waitress.serve(app, sockets=[listener], threads=threads, ident="newsindex")
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
    for pid in children:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    for pid in children:
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass
    children.clear()


__all__ = ["create_app", "serve", "EXTENSION_KEY", "SECURITY_HEADERS"]
