"""A cap on exports streaming at once, so downloads never take every thread.

An export runs as long as its reader reads (a whole archive, or for ever if the
reader stops and the connection stays open until `SERVER_SEND_SECONDS`), and it
holds a server thread all that time. Views under `limited_export` share the
app's `EXPORT_SLOTS` (`MAX_EXPORTS` by default); with all of them taken, the
next export gets a 503 with Retry-After and the other threads stay free for
searches.
"""

from __future__ import annotations

import functools
import threading
from typing import Any, Callable, Iterable, Iterator

from flask import Flask, Response, current_app
from werkzeug.exceptions import ServiceUnavailable

from indexer.limits import EXPORT_RETRY_SECONDS, MAX_EXPORTS

EXTENSION_KEY = "newsindex.export_slots"


class ExportSlots:
    """A counted set of slots: one is taken when an export starts."""

    def __init__(self, slots: int) -> None:
        self.slots = slots
        self._free = threading.BoundedSemaphore(slots)

    def take(self) -> Lease | None:
        """A slot, if one is free (never waits)."""
        return Lease(self._free) if self._free.acquire(blocking=False) else None


class Lease:
    """One taken slot, given back once: when the export's last chunk has been
    produced, or when its response is closed (the server closes every response,
    finished, failed or cut off), whichever comes first."""

    def __init__(self, free: threading.BoundedSemaphore) -> None:
        self._free = free
        self._held = True
        self._lock = threading.Lock()

    def give_back(self) -> None:
        with self._lock:
            if not self._held:
                return
            self._held = False
        self._free.release()

    def until_done(self, chunks: Iterable[bytes]) -> Iterator[bytes]:
        try:
            yield from chunks
        finally:
            self.give_back()


def export_slots(app: Flask) -> ExportSlots:
    """The app's slots (made on first use; `EXPORT_SLOTS` in its config, else `MAX_EXPORTS`)."""
    slots = app.extensions.get(EXTENSION_KEY)
    if slots is None:
        slots = app.extensions.setdefault(EXTENSION_KEY, ExportSlots(app.config.get("EXPORT_SLOTS", MAX_EXPORTS)))
    return slots


def limited_export(view: Callable[..., Any]) -> Callable[..., Response]:
    """A view whose streamed answer holds one of the app's export slots while it
    streams; with none free, a 503 with Retry-After (`ServiceUnavailable`)."""

    @functools.wraps(view)
    def one_of_few(*args: Any, **kwargs: Any) -> Response:
        slots = export_slots(current_app)
        lease = slots.take()
        if lease is None:
            raise ServiceUnavailable(f"{slots.slots} exports are being downloaded from this server already. "
                                     "Try again when one of them has finished.", retry_after=EXPORT_RETRY_SECONDS)
        response = None
        try:
            response = current_app.make_response(view(*args, **kwargs))
        finally:
            if response is None or not response.is_streamed:   # an error page, or an exception
                lease.give_back()
        if response.is_streamed:
            response.response = lease.until_done(response.response)
            response.call_on_close(lease.give_back)
        return response

    return one_of_few
