"""waitress for `newsindex serve`: its limits set on purpose, and a sweep for the
connections waitress itself would keep for ever.

waitress closes a connection only when it has been idle with no request in
progress. Two kinds of client hold one much longer: one that trickles its
request a byte at a time (each byte counts as activity; a slowloris), and one
that asks for a large response and stops reading it (the app thread that writes
it waits, without a time limit, for the buffer to drain). The sweep runs on the
server's own loop thread, every `SERVER_SWEEP_SECONDS`, after waitress's idle
check, and closes both kinds; closing wakes a waiting app thread, which ends its
response (`ClientDisconnected`), so the thread serves again.
"""

from __future__ import annotations

import resource
import socket
import sys
from typing import Any, Callable

from indexer.limits import (
    MAX_REQUEST_BODY,
    SERVER_BACKLOG,
    SERVER_CONNECTIONS,
    SERVER_IDLE_SECONDS,
    SERVER_REQUEST_SECONDS,
    SERVER_RESPONSE_BUFFER,
    SERVER_SEND_SECONDS,
    SERVER_SWEEP_SECONDS,
)

# Descriptors kept for the index's files, temporary response files and logs.
RESERVED_DESCRIPTORS = 256
# Seconds a thread computes before another may take the interpreter lock
# (Python's default is 0.005): short searches then pass long ones sooner.
SWITCH_INTERVAL = 0.001


def waitress_options(threads: int) -> dict[str, Any]:
    """waitress's adjustments for a `serve` process (the why of each value is in
    indexer/limits.py)."""
    return {
        "threads": threads,
        "ident": "newsindex",
        "connection_limit": _connections_that_fit(SERVER_CONNECTIONS),
        "backlog": SERVER_BACKLOG,
        "channel_timeout": SERVER_IDLE_SECONDS,
        "cleanup_interval": SERVER_SWEEP_SECONDS,
        "outbuf_high_watermark": SERVER_RESPONSE_BUFFER,
        "max_request_body_size": MAX_REQUEST_BODY,
        # select() fails past descriptor 1024; poll() has no such bound
        "asyncore_use_poll": True,
    }


def run_waitress(app: Callable, *, threads: int, host: str | None = None, port: int | None = None,
                 sockets: list[socket.socket] | None = None, request_seconds: float = SERVER_REQUEST_SECONDS,
                 send_seconds: float = SERVER_SEND_SECONDS) -> None:
    """Serve `app` on `host`:`port` (or on already bound `sockets`) until interrupted."""
    from waitress.server import create_server

    # A search that waits on a file hands the interpreter lock over and queues
    # for it again: behind a long search, every wait is a switch interval.
    sys.setswitchinterval(SWITCH_INTERVAL)
    listen = {"sockets": sockets} if sockets is not None else {"host": host, "port": port}
    server = create_server(app, **listen, **waitress_options(threads))
    StalledConnectionSweep(server, request_seconds=request_seconds, send_seconds=send_seconds)
    server.print_listen("Serving on http://{}:{}")
    server.run()


class StalledConnectionSweep:
    """Closes a connection whose request has been arriving for longer than
    `request_seconds`, and one whose pending response has sent nothing for
    `send_seconds`. Installed as the server's `maintenance`, which waitress calls
    from its loop thread every `cleanup_interval` seconds."""

    def __init__(self, server: Any, *, request_seconds: float, send_seconds: float) -> None:
        self.server = server
        self.request_seconds = request_seconds
        self.send_seconds = send_seconds
        self._idle_check = server.maintenance        # waitress's own: idle keep-alive connections
        self._arriving: dict[int, tuple[Any, float]] = {}   # channel -> (its partial request, first seen)
        server.maintenance = self

    def __call__(self, now: float) -> None:
        self._idle_check(now)
        arriving: dict[int, tuple[Any, float]] = {}
        for fd, channel in list(self.server.active_channels.items()):
            partial = getattr(channel, "request", None)
            if partial is not None and not getattr(channel, "requests", None):
                seen = self._arriving.get(fd)
                since = seen[1] if seen is not None and seen[0] is partial else now
                if now - since > self.request_seconds:
                    self._close(channel, "its request took longer than %s s to arrive", self.request_seconds)
                    continue
                arriving[fd] = (partial, since)
            if channel.total_outbufs_len and now - channel.last_activity > self.send_seconds:
                self._close(channel, "its reader took no byte for %s s", self.send_seconds)
        self._arriving = arriving

    def _close(self, channel: Any, why: str, seconds: float) -> None:
        self.server.logger.warning("closed the connection from %s: " + why, channel.addr, seconds)
        channel.handle_close()


def _connections_that_fit(wanted: int) -> int:
    """`wanted`, or fewer if this process may not open that many descriptors
    (the soft limit is raised to the hard one first)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    needed = wanted + RESERVED_DESCRIPTORS
    if soft != resource.RLIM_INFINITY and soft < needed:
        target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    if soft == resource.RLIM_INFINITY:
        return wanted
    return max(1, min(wanted, soft - RESERVED_DESCRIPTORS))
