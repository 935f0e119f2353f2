"""The server under hostile clients, on a real waitress bound to 127.0.0.1 (started
in its own session, stopped by PID): slow connections, requests that trickle in,
exports whose reader stops reading, and Host headers of other names.

Every client loop here is bounded in count and time and closes its sockets.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Iterator

from tests.conftest import REPO

SEARCH = "/api/search?q=oil"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def _server(argv: list[str], port: int) -> Iterator[subprocess.Popen]:
    """A server process (its own session) answering on 127.0.0.1:`port`; killed afterwards."""
    proc = subprocess.Popen(argv, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, proc.stderr.read().decode()
            try:
                if _status(port, SEARCH, timeout=5)[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)
        yield proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        proc.stderr.close()


def _status(port: int, path: str, host: str | None = None, timeout: float = 10) -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.putrequest("GET", path, skip_host=host is not None)
        if host is not None:
            conn.putheader("Host", host)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def _cli_server(index: Path, port: int, *extra: str):
    return _server([sys.executable, "-m", "indexer", "serve", "--index", str(index), "--port", str(port),
                    *extra], port)


# A server built from the same parts as `serve` (webui.connections), with short
# timeouts and small socket buffers, so that stalls show within seconds.
QUICK_SERVER = """
import socket, sys
from waitress.server import create_server
from webui import create_app
from webui.connections import StalledConnectionSweep, waitress_options

index, port, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
app = create_app(index, config={"EXPORT_SLOTS": 2})
options = waitress_options(threads)
options["outbuf_high_watermark"] = 64 * 1024
server = create_server(app, host="127.0.0.1", port=port, **options)
server.socket.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 16 * 1024)   # accepted sockets inherit it
StalledConnectionSweep(server, request_seconds=2, send_seconds=3)
server.run()
"""


def _quick_server(index: Path, port: int, threads: int):
    return _server([sys.executable, "-c", QUICK_SERVER, str(index), str(port), str(threads)], port)


def _timed_search(port: int) -> float:
    started = time.monotonic()
    status, _, body = _status(port, SEARCH, timeout=15)
    assert status == 200 and json.loads(body)["total"] > 0
    return time.monotonic() - started


# --------------------------------------------------------------------------- connections

def test_a_hundred_and_one_slow_connections_leave_the_ui_answering(small_index):
    port = _free_port()
    with _cli_server(small_index, port), ExitStack() as stack:
        for _ in range(101):   # waitress's default connection_limit was 100
            slow = stack.enter_context(socket.create_connection(("127.0.0.1", port), timeout=10))
            slow.sendall(b"GET /search?q=oil HTTP/1.1\r\nHost: 127.0.0.1\r\n")   # and never the end
        assert _timed_search(port) < 10


def test_a_request_that_trickles_in_is_cut_off(small_index):
    port = _free_port()
    with _quick_server(small_index, port, threads=2), \
            socket.create_connection(("127.0.0.1", port), timeout=5) as slow:
        request = b"GET /search?q=oil HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: " + b"a" * 200
        started = time.monotonic()
        closed_after = None
        for byte in request:   # one byte every 0.1 s: 20 s in all, unless cut off
            try:
                slow.sendall(bytes([byte]))
            except OSError:
                closed_after = time.monotonic() - started
                break
            time.sleep(0.1)
        assert closed_after is not None and closed_after < 10   # 2 s allowed, swept every 2 s
        assert _timed_search(port) < 10


def test_exports_whose_readers_stop_leave_threads_for_searches(small_index):
    port = _free_port()
    with _quick_server(small_index, port, threads=4) as proc, ExitStack() as stack:
        stalled = []
        for _ in range(8):   # every one asks for the whole archive and never reads it
            client = socket.socket()
            client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            client.settimeout(10)
            client.connect(("127.0.0.1", port))
            stack.enter_context(client)
            client.sendall(b"GET /export?q=*&format=jsonl HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            stalled.append(client)
        time.sleep(1)
        # two exports stream (their threads wait on their readers), the rest were turned away ...
        statuses = sorted(int(client.recv(64).split()[1]) for client in stalled)
        assert statuses == [200] * 2 + [503] * 6
        # ... and searches still run at once
        assert _timed_search(port) < 10
        status, headers, _ = _status(port, "/export?q=oil&format=jsonl")
        assert status == 503 and headers["Retry-After"].isdigit()
        # the stalled two are cut after 3 s without progress, which frees their slots
        deadline = time.monotonic() + 20
        while _status(port, "/export?q=oil&format=csv")[0] != 200:
            assert time.monotonic() < deadline, "the stalled exports were never cut off"
            time.sleep(0.5)
        assert proc.poll() is None


# --------------------------------------------------------------------------- Host header

def test_other_host_names_get_400_and_are_never_echoed(small_index):
    port = _free_port()
    with _cli_server(small_index, port):
        # a rebound name (twice), the right name on another port, no port (= 80), no Host at all
        for host in (f"evil.example:{port}", f"127.0.0.1.nip.io:{port}", "localhost:1", "localhost", ""):
            for path in (SEARCH, "//search?q=oil", "/search/", "/article//2019/story"):
                status, headers, body = _status(port, path, host=host)
                assert status == 400, (host, path, status)
                assert "Location" not in headers
                if "example" in host or "nip.io" in host:
                    assert host.split(":")[0].encode() not in body
        # and the server's own names are answered
        for name in ("127.0.0.1", "localhost", "LOCALHOST", "[::1]"):
            assert _status(port, SEARCH, host=f"{name}:{port}")[0] == 200


def test_allowed_host_adds_a_name(small_index):
    port = _free_port()
    with _cli_server(small_index, port, "--allowed-host", "news.example.org"):
        assert _status(port, SEARCH, host="news.example.org")[0] == 200
        assert _status(port, SEARCH, host="news.example.org:443")[0] == 200
        assert _status(port, SEARCH, host="other.example.org")[0] == 400
