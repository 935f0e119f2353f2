"""The researcher's web UI: a thin Flask shell over `indexer.search.archive`.

No search logic lives here. The app holds one shared `Archive` (thread-safe, it
refreshes itself after a rebuild) and turns requests into `SearchRequest`s and
results into pages, JSON or streamed exports. `webui.server` runs it under
waitress (`newsindex serve`, one process or several).
"""

from __future__ import annotations

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
                    self._archive = Archive(self.index_dir, relative_sources=True)  # visitors see no server paths
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
    from webui.kwic import bp as kwic_bp

    app.register_blueprint(kwic_bp)
    from webui.collections import bp as collections_bp
    from webui.csrf import COOKIE_SETTINGS, CollectionsKeySessions

    app.config.update({k: v for k, v in COOKIE_SETTINGS.items() if k not in (config or {})})
    app.session_interface = CollectionsKeySessions()
    app.register_blueprint(collections_bp)
    register_error_handlers(app)

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    return app


__all__ = ["create_app", "ArchiveHolder", "EXTENSION_KEY", "SECURITY_HEADERS"]
