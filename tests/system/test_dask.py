"""The build on a real Dask cluster: a `dask scheduler` and `dask worker`
processes started here on 127.0.0.1 (each in its own session, stopped by PID).

The same index as a local build; a worker killed mid-task (Dask reruns the
task, every article once); the scheduler or the coordinator killed (the
previous index whole, the next build clean); a task failing on every try
(one line naming the sources, nothing committed). The workers load
`dask_preload.py`, which lets a test slow reads down, see which worker is
mid-task, and poison a source.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from indexer import Archive, SearchRequest
from indexer.index import store, tasks
from indexer.index.build import build_index
from tests.conftest import CORPUS, REPO

pytest.importorskip("distributed", reason="the Dask tests need newsindex[dask]")

DASK = str(Path(sys.executable).with_name("dask"))
PRELOAD = str(Path(__file__).with_name("dask_preload.py"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """A scheduler and worker processes on 127.0.0.1, each in its own session."""

    def __init__(self, folder: Path, workers: int) -> None:
        self.folder = folder
        self.control = folder / "control"
        self.control.mkdir(parents=True)
        self.address = f"tcp://127.0.0.1:{_free_port()}"
        self.scheduler = self._start("scheduler", [DASK, "scheduler", "--host", "127.0.0.1", "--port",
                                                   self.address.rsplit(":", 1)[1], "--no-dashboard"])
        self.workers = [self.start_worker() for _ in range(workers)]
        self.wait_for_workers(workers)

    def _start(self, name: str, argv: list[str]) -> subprocess.Popen:
        log = open(self.folder / f"{name}-{time.monotonic_ns()}.log", "wb")
        env = dict(os.environ, NEWSINDEX_TEST_CONTROL=str(self.control))
        proc = subprocess.Popen(argv, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
        log.close()
        return proc

    def start_worker(self) -> subprocess.Popen:
        # --no-nanny: one process per worker, so killing it kills the worker
        return self._start("worker", [DASK, "worker", self.address, "--no-nanny", "--nthreads", "1",
                                      "--host", "127.0.0.1", "--no-dashboard", "--memory-limit", "0",
                                      "--death-timeout", "30", "--preload", PRELOAD])

    def wait_for_workers(self, n: int) -> None:
        from distributed import Client

        with Client(self.address, timeout=60) as client:
            client.wait_for_workers(n, timeout=60)

    def marks(self) -> list[str]:
        folder = self.control / "marks"
        return sorted(os.listdir(folder)) if folder.exists() else []

    def set(self, name: str, value: str | None) -> None:
        path = self.control / name
        if value is None:
            path.unlink(missing_ok=True)
        else:
            path.write_text(value)

    def stop(self) -> None:
        for proc in [*self.workers, self.scheduler]:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in [*self.workers, self.scheduler]:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    running = Cluster(tmp_path_factory.mktemp("dask"), workers=2)
    yield running
    running.stop()


def _wait_for_a_read(cluster: Cluster, before: set[str], timeout: float = 60) -> str:
    """The mark of a read started after `before` was taken: that worker is mid-task
    (marks are PID-N names, so the newest is found by difference, not by sorting)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        started = set(cluster.marks()) - before
        if started:
            return min(started)
        time.sleep(0.05)
    raise AssertionError("no worker started reading")


def _small_corpus(folder: Path, files: int, per_file: int = 20) -> set[str]:
    """`files` record files of Reuters articles; returns their ids."""
    with gzip.open(CORPUS / "reuters21578" / "reut2-003.jsonl.gz", "rt", encoding="utf-8") as fh:
        records = [r for r in map(json.loads, fh) if r.get("headline") and r.get("body")]
    folder.mkdir(parents=True, exist_ok=True)
    ids = set()
    for n in range(files):
        chunk = records[n * per_file:(n + 1) * per_file]
        (folder / f"part{n:02d}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in chunk))
        ids.update(r["id"] for r in chunk)
    return ids


def _index_ids(index_dir: Path) -> list[str]:
    from whoosh import index as whoosh_index

    ix = whoosh_index.open_dir(str(store.live_generation(index_dir)))
    with ix.searcher() as searcher:
        return [searcher.stored_fields(n)["id"] for n in searcher.reader().all_doc_ids()]


def _cli(*args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "indexer", *args], cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True, **kwargs)


def _no_leftovers(index_dir: Path) -> None:
    """Only restorable generations (each went live once), and no task's temporary folder."""
    restorable = set(store.read_marker(index_dir).generations)
    assert {p.name for p in index_dir.glob("gen-*")} <= restorable
    assert not list(index_dir.glob(f"gen-*/{tasks.UNFINISHED_PREFIX}*"))


QUERY_WORDS = ("oil cocoa coffee bank rates dollar yen trade tariff opec wheat grain gold shares profit loss "
               "dividend merger acquisition stake bond debt brazil japan china soviet france canada inflation "
               "interest exports imports crude sugar copper steel strike earnings quarter budget").split()
STRUCTURED = ['"interest rates"', '"crude oil"', "petro*", "bank -japan", "cocoa OR coffee", "headline:oil",
              "title:dollar", "opec~", "sojourn", "hong kong", "dollar yen", "shares stake"]


def _same_index(a: Path, b: Path) -> int:
    """Compare two indexes as a researcher sees them; returns the queries compared."""
    stats_a, stats_b = Archive(a).stats(), Archive(b).stats()
    for key in ("articles", "publications", "date_min", "date_max"):
        assert stats_a[key] == stats_b[key], key
    requests = [SearchRequest(query=q) for q in (*QUERY_WORDS, *STRUCTURED)]
    requests += [SearchRequest(query=q, sort="newest") for q in QUERY_WORDS[:5]]
    from datetime import datetime
    requests += [SearchRequest(query=q, date_from=datetime(1987, 3, 1), date_to=datetime(1987, 3, 31))
                 for q in QUERY_WORDS[5:10]]
    compared = 0
    for request in requests:
        ra, rb = Archive(a).search(request), Archive(b).search(request)
        assert ra.total == rb.total, request.query
        assert [(h.id, h.score) for h in ra.hits] == [(h.id, h.score) for h in rb.hits], request.query
        assert ra.facets == rb.facets, request.query
        compared += ra.total > 0
    return compared


def test_a_dask_build_is_the_same_index_as_a_local_build(cluster, tmp_path, monkeypatch):
    """The bundled corpus's subset (3 Reuters files, the web pages, the Daily NK
    text) built by local worker processes and by the Dask cluster, in tasks of
    1 MB of text (the planner would make one task of so little)."""
    corpus = tmp_path / "corpus"
    for part in ("pages", "dailynk"):
        shutil.copytree(CORPUS / part, corpus / part)
    (corpus / "reuters21578").mkdir()
    for name in ("reut2-000.jsonl.gz", "reut2-001.jsonl.gz", "reut2-002.jsonl.gz"):
        shutil.copy(CORPUS / "reuters21578" / name, corpus / "reuters21578" / name)
    monkeypatch.setattr(tasks, "TASK_TEXT_BYTES", 1_000_000)
    local = build_index([str(corpus)], tmp_path / "local", jobs=2)
    remote = build_index([str(corpus)], tmp_path / "dask", dask=cluster.address)
    assert remote.articles == local.articles and remote.sources == local.sources
    assert remote.tasks == local.tasks >= 2
    assert _same_index(tmp_path / "local", tmp_path / "dask") >= 50


def _worker_state() -> dict:
    import gc

    import dask

    return {"malloc_trim": os.environ.get("MALLOC_TRIM_THRESHOLD_"), "frozen": gc.get_freeze_count(),
            "profiler": dask.config.get("distributed.worker.profile.enabled"),
            "schema_loaded": "indexer.index.schema" in sys.modules}


def test_the_workers_of_a_local_cluster_run_tasks_as_local_workers_do(monkeypatch):
    """`--dask local:N`'s workers get glibc's own malloc thresholds (not the
    nanny's MALLOC_TRIM_THRESHOLD_), no stack profiler, the task code loaded
    and Dask's objects frozen out of the garbage collector's way."""
    from indexer.index.cluster import DaskTasks

    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_", raising=False)
    cluster = DaskTasks("local:1")
    try:
        (state,) = cluster.client.run(_worker_state).values()
    finally:
        cluster.close()
    assert state["malloc_trim"] is None and state["profiler"] is False
    assert state["schema_loaded"] and state["frozen"] > 10_000


def test_the_readme_gives_a_cluster_operator_the_worker_settings_a_local_cluster_gets():
    """README's YAML for `dask worker`'s configuration is `WORKER_CONFIG`, key for key."""
    import yaml

    from indexer.index.cluster import WORKER_CONFIG

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("**Worker settings.**", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]

    def flat(tree: dict, prefix: str = "") -> dict:
        out = {}
        for key, value in tree.items():
            out.update(flat(value, f"{prefix}{key}.") if isinstance(value, dict) else {prefix + key: value})
        return out

    assert flat(yaml.safe_load(block)) == WORKER_CONFIG


def test_a_task_failing_on_every_try_fails_the_build_in_one_line(cluster, tmp_path, monkeypatch):
    src = tmp_path / "src"
    ids = _small_corpus(src, 4)
    index_dir = tmp_path / "ix"
    build_index([str(src)], index_dir, jobs=1)
    live = store.live_generation(index_dir)
    (src / "part02.jsonl").write_text((src / "part02.jsonl").read_text())   # changed: read again
    cluster.set("poison", "part02.jsonl")
    try:
        proc = _cli("build", str(src), "--index", str(index_dir), "--dask", cluster.address, "--full")
        _out, err = proc.communicate(timeout=90)
    finally:
        cluster.set("poison", None)
    assert proc.returncode == 1
    lines = [line for line in err.splitlines() if line.startswith("newsindex:")]
    assert len(lines) == 1 and "part02.jsonl" in lines[0] and "poisoned source" in lines[0], err
    assert store.live_generation(index_dir) == live                 # nothing committed
    assert sorted(_index_ids(index_dir)) == sorted(ids)
    assert build_index([str(src)], index_dir, full=True, jobs=1).articles["total"] == len(ids)
    _no_leftovers(index_dir)


def test_a_killed_coordinator_leaves_the_previous_index_and_no_trace(cluster, tmp_path):
    src = tmp_path / "src"
    ids = _small_corpus(src, 4)
    index_dir = tmp_path / "ix"
    build_index([str(src)], index_dir, jobs=1)
    live = store.live_generation(index_dir)
    cluster.set("slow", "0.5")
    try:
        before = set(cluster.marks())
        proc = _cli("build", str(src), "--index", str(index_dir), "--dask", cluster.address, "--full")
        _wait_for_a_read(cluster, before)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=30)
    finally:
        cluster.set("slow", None)
    assert store.live_generation(index_dir) == live
    assert Archive(index_dir).search(SearchRequest(query="*")).total == len(ids)
    # the lock died with the coordinator; the next build clears its half generation
    again = build_index([str(src)], index_dir, full=True, jobs=1)
    assert again.articles["total"] == len(ids) == len(_index_ids(index_dir))
    _no_leftovers(index_dir)


def test_a_worker_killed_mid_task_is_rerun_and_every_article_is_indexed_once(cluster, tmp_path, monkeypatch):
    monkeypatch.setattr(tasks, "TASK_TEXT_BYTES", 1)   # the coordinator plans a task per source
    src = tmp_path / "src"
    ids = _small_corpus(src, 6)
    index_dir = tmp_path / "ix"
    outcome: dict = {}

    def build() -> None:
        try:
            outcome["report"] = build_index([str(src)], index_dir, dask=cluster.address)
        except BaseException as exc:  # handed to the test thread
            outcome["error"] = exc

    cluster.set("slow", "1.0")
    try:
        before = set(cluster.marks())
        thread = threading.Thread(target=build)
        thread.start()
        mark = _wait_for_a_read(cluster, before)
        victim = next(w for w in cluster.workers if mark.startswith(f"{w.pid}-"))
        os.killpg(victim.pid, signal.SIGKILL)   # mid-task: its read sleeps for a second
        victim.wait()
        thread.join(timeout=90)
    finally:
        cluster.set("slow", None)
    assert not thread.is_alive() and "error" not in outcome, outcome.get("error")
    report = outcome["report"]
    assert report.tasks == 6 and report.articles["total"] == len(ids)
    indexed = _index_ids(index_dir)
    assert len(indexed) == len(set(indexed)) and set(indexed) == ids     # every article exactly once
    assert len(set(cluster.marks()) - before) > 6, "the killed worker's source was read again elsewhere"
    _no_leftovers(index_dir)
    cluster.workers = [w for w in cluster.workers if w is not victim] + [cluster.start_worker()]


def test_a_killed_scheduler_fails_the_build_and_the_next_one_starts_cleanly(tmp_path):
    own = Cluster(tmp_path / "cluster", workers=1)
    try:
        src = tmp_path / "src"
        ids = _small_corpus(src, 4)
        index_dir = tmp_path / "ix"
        build_index([str(src)], index_dir, jobs=1)
        live = store.live_generation(index_dir)
        own.set("slow", "1.0")
        proc = _cli("build", str(src), "--index", str(index_dir), "--dask", own.address, "--full")
        _wait_for_a_read(own, set())
        os.killpg(own.scheduler.pid, signal.SIGKILL)
        _out, err = proc.communicate(timeout=60)
        assert proc.returncode == 1, err
        assert "build failed" in err and "Dask scheduler" in err, err
        assert store.live_generation(index_dir) == live
        assert Archive(index_dir).search(SearchRequest(query="*")).total == len(ids)
        again = build_index([str(src)], index_dir, full=True, jobs=1)
        assert again.articles["total"] == len(ids) == len(_index_ids(index_dir))
        _no_leftovers(index_dir)
    finally:
        own.stop()
