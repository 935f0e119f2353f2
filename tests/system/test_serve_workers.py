"""`newsindex serve --workers N`: several processes answer on one port bound to
127.0.0.1, and Ctrl-C / SIGTERM stop all of them."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import REPO, listening_addresses, sigint_as_in_a_terminal


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(p) for p in (task / "children").read_text().split()]
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def _get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.status, response.read()


@pytest.fixture()
def workers_server(small_index):
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "indexer", "serve", "--index", str(small_index),
                             "--port", str(port), "--workers", "2", "--threads", "2"],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True, preexec_fn=sigint_as_in_a_terminal)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read().decode()
        try:
            _get(f"http://127.0.0.1:{port}/api/search?q=oil")
            break
        except OSError:
            time.sleep(0.2)
    yield proc, port
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def test_workers_answer_on_loopback_only(workers_server):
    proc, port = workers_server
    workers = _children(proc.pid)
    assert len(workers) == 2
    # every listening socket on the port is 127.0.0.1 (0100007F in /proc/net/tcp)
    assert listening_addresses(port) == {"0100007F"}
    urls = [f"http://127.0.0.1:{port}/api/search?q={word}"
            for word in ("oil", "coffee", "bank", "gold", "sugar", "dollar") * 4]
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(_get, urls))
    assert all(status == 200 for status, _ in answers)
    first = json.loads(answers[0][1])
    again = json.loads(_get(urls[0])[1])
    assert first["total"] == again["total"] > 0
    assert [h["id"] for h in first["hits"]] == [h["id"] for h in again["hits"]]
    status, page = _get(f"http://127.0.0.1:{port}/search?q=oil")
    assert status == 200 and b"<mark>" in page


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_every_worker(workers_server, stop):
    proc, port = workers_server
    workers = _children(proc.pid)
    assert workers
    proc.send_signal(stop)
    assert proc.wait(30) == 0
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in workers)
    with pytest.raises(OSError):
        _get(f"http://127.0.0.1:{port}/search?q=oil")


def test_a_killed_parent_takes_its_workers_along(workers_server):
    proc, _port = workers_server
    workers = _children(proc.pid)
    proc.kill()
    proc.wait()
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in workers)


def test_a_worker_stuck_past_sigterm_is_killed_so_the_server_stops(monkeypatch):
    """A worker whose SIGTERM handler cannot run (here: SIGTERM ignored) does
    not keep `serve` from stopping: it is killed SERVER_STOP_SECONDS later."""
    from webui import server

    monkeypatch.setattr(server, "SERVER_STOP_SECONDS", 0.5)
    ready_r, ready_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the stuck worker
        try:
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            os.write(ready_w, b"1")
            time.sleep(30)
        finally:
            os._exit(0)
    os.close(ready_w)
    assert os.read(ready_r, 1) == b"1"
    os.close(ready_r)
    started = time.monotonic()
    server._stop_workers([pid])
    assert 0.5 <= time.monotonic() - started < 5
    assert not _alive(pid)


def test_workers_and_threads_must_be_positive(small_index):
    result = subprocess.run([sys.executable, "-m", "indexer", "serve", "--index", str(small_index),
                             "--workers", "0"], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "--workers" in result.stderr


def test_two_worker_processes_write_one_collections_file(small_index, tmp_path):
    """Writes spread over `serve --workers 2` (each process its own connection, both
    accepting the one session cookie) lose nothing, and land in --collections FILE only."""
    import http.cookiejar
    from collections import Counter

    def index_folder() -> dict[str, tuple[int, int]]:  # other tests' servers may have left a file there
        return {p.name: (p.stat().st_size, p.stat().st_mtime_ns) for p in small_index.iterdir() if p.is_file()}

    before = index_folder()
    port = _free_port()
    store = tmp_path / "mine.sqlite"
    proc = subprocess.Popen([sys.executable, "-m", "indexer", "serve", "--index", str(small_index),
                             "--port", str(port), "--workers", "2", "--threads", "4", "--collections", str(store)],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, proc.stderr.read().decode()
            try:
                token = json.loads(opener.open(base + "/api/collections", timeout=30).read())["csrf_token"]
                break
            except OSError:
                assert time.monotonic() < deadline
                time.sleep(0.2)
        hits = json.loads(opener.open(base + "/api/search?q=oil&per_page=100", timeout=30).read())["hits"]
        ids = [h["id"] for h in hits]

        def add(article_id: str) -> int:
            request = urllib.request.Request(
                base + "/api/collections/add", method="POST", headers={"X-CSRF-Token": token,
                                                                       "Content-Type": "application/json"},
                data=json.dumps({"collection": "oil", "id": article_id}).encode())
            with opener.open(request, timeout=60) as response:
                return response.status

        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(add, ids))
        assert set(answers) == {200}
        body = json.loads(opener.open(base + "/api/collections/oil", timeout=30).read())
        assert sorted(i["id"] for i in body["items"]) == sorted(ids)
        assert Counter(i["id"] for i in body["items"]).most_common(1)[0][1] == 1
        assert index_folder() == before and store.exists()   # only the file named was written
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()

