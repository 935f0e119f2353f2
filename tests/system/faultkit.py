"""The fault-injection kit: run a build that kills itself at a named point, then check the index.

A build runs as `python -c <KILLER>` in a child process. The child patches one
named function (a *kill point*) so that its Nth call sends SIGKILL to the
build's own process, then runs the real CLI. `check_index` then reads the index
from outside. Shared by `tests/system/test_faults.py` and `benchmarks/faults.py`,
which sweeps many more kill points and random delays.
"""


from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import CORPUS, REPO

# Runs in the child: patch the kill point, then run the CLI with the given argv.
KILLER = r'''
import ctypes, json, os, signal, sys
# die with the test process: a hung build (a dead worker, before ce52614) must not outlive an interrupted run
try:
    ctypes.CDLL(None).prctl(1, signal.SIGKILL)   # PR_SET_PDEATHSIG
except (OSError, AttributeError):
    pass
spec = json.loads(os.environ["NEWSINDEX_KILL"])
MAIN = os.getpid()
state = {"calls": 0}

def die():
    sys.stderr.write("killing build at %s\n" % spec["point"]); sys.stderr.flush()
    os.kill(MAIN, signal.SIGKILL)

def counted(real, when="before", match=None):
    def wrapper(*args, **kwargs):
        if match is None or match(*args, **kwargs):
            state["calls"] += 1
            if when == "before" and state["calls"] >= spec["nth"]:
                die()
            result = real(*args, **kwargs)
            if when == "after" and state["calls"] >= spec["nth"]:
                die()
            return result
        return real(*args, **kwargs)
    return wrapper

def patch(owner, name, when="before", match=None):
    setattr(owner, name, counted(getattr(owner, name), when, match))

import shutil
import whoosh.index, whoosh.writing
from whoosh.filedb.filestore import FileStorage
import indexer.index.build, indexer.index.sources, indexer.index.store, indexer.index.tasks

point = spec["point"]
base = lambda p: os.path.basename(os.fspath(p))
if spec.get("task_text_bytes"):      # force the planner's hand: more, smaller tasks
    indexer.index.tasks.TASK_TEXT_BYTES = spec["task_text_bytes"]
if point == "read_source":            # while cleaning (in the worker that reads)
    patch(indexer.index.tasks, "stream_source")
elif point == "add_document":         # while a build task gathers its segment's documents
    patch(indexer.index.tasks, "article_to_document")
elif point == "commit":               # at the start of the Whoosh commit
    patch(whoosh.writing.SegmentWriter, "commit")
elif point == "segment_written":      # a task's segment files in the generation, no TOC yet
    patch(indexer.index.tasks, "_move_in", when="after")
elif point == "toc_rename":           # the new TOC written to a temp file, not renamed
    patch(FileStorage, "rename_file", match=lambda self, a, b, safe=False: b.endswith(".toc"))
elif point == "toc_written":          # TOC renamed, old segment files not yet cleaned
    patch(whoosh.index, "clean_files")
    patch(indexer.index.segment, "clean_files")
elif point == "manifest_save":        # Whoosh committed, manifest not yet written
    patch(indexer.index.sources.Manifest, "save")
elif point == "manifest_partial":     # half of the manifest's temp file written
    real_dump = json.dump
    def partial_dump(obj, fh, *args, **kwargs):
        if getattr(fh, "name", "").endswith("manifest.json.tmp"):
            fh.write(json.dumps(obj)[: spec.get("bytes", 200)]); fh.flush()
            die()
        return real_dump(obj, fh, *args, **kwargs)
    json.dump = partial_dump
elif point == "manifest_rename":      # manifest temp file complete, not renamed
    patch(os, "replace", match=lambda src, dst, **kw: base(dst) == "manifest.json")
elif point == "mp_commit":            # a multi-process build: the first task's result in, workers running
    patch(indexer.index.build._Settlement, "take")
elif point == "swap_in":              # new generation complete, not live
    patch(indexer.index.store, "swap_in")
elif point == "swap_rename":          # temp symlink made, not renamed over `current`
    patch(os, "replace", match=lambda src, dst, **kw: base(dst) == "current")
elif point == "swapped":              # swapped, nothing after it done
    patch(indexer.index.store, "swap_in", when="after")
elif point == "prune_partial":        # an old generation half deleted
    real_rmtree = shutil.rmtree
    def half_rmtree(path, *args, **kwargs):
        if base(path).startswith("gen-"):
            files = sorted(os.listdir(path))
            for name in files[: max(1, len(files) // 2)]:
                os.unlink(os.path.join(path, name))
            die()
        return real_rmtree(path, *args, **kwargs)
    indexer.index.store.shutil.rmtree = half_rmtree
elif point == "report":               # everything done but last-build.json
    patch(indexer.index.store, "write_report")
elif point == "worker_dies":          # a cleaning worker killed (OOM killer, a crash in lxml)
    real_read = indexer.index.tasks.stream_source
    def dying_read(*args, **kwargs):
        state["calls"] += 1
        if state["calls"] >= spec["nth"] and os.getpid() != MAIN:
            os.kill(os.getpid(), signal.SIGKILL)
        return real_read(*args, **kwargs)
    indexer.index.tasks.stream_source = dying_read
elif point == "disk_full":            # ENOSPC from the nth write of an index file
    import errno
    from whoosh.filedb.structfile import StructFile
    real_write = StructFile.write
    def full_write(self, *args, **kwargs):
        state["calls"] += 1
        if state["calls"] >= spec["nth"]:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(self, *args, **kwargs)
    StructFile.write = full_write
elif point == "manifest_disk_full":   # ENOSPC while the manifest is written
    import errno
    real_dump = json.dump
    def full_dump(obj, fh, *args, **kwargs):
        if getattr(fh, "name", "").endswith("manifest.json.tmp"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_dump(obj, fh, *args, **kwargs)
    json.dump = full_dump
elif point == "stall":                # a live build that holds the lock while it cleans
    import time
    real_read = indexer.index.tasks.stream_source
    def slow_read(*args, **kwargs):
        time.sleep(spec.get("seconds", 60))
        return real_read(*args, **kwargs)
    indexer.index.tasks.stream_source = slow_read
elif point != "none":
    sys.exit("unknown kill point %r" % point)

from indexer.cli import main
sys.exit(main(spec["argv"]))
'''

# Kill points before which the live index must be exactly the old one; past
# them (the swap: incremental builds too commit into a new generation) it must
# be exactly the new one.
BEFORE_SWAP = ("read_source", "add_document", "commit", "segment_written", "toc_rename", "toc_written",
               "manifest_save", "manifest_partial", "manifest_rename", "swap_in", "swap_rename")
AFTER_SWAP = ("swapped", "prune_partial", "report")


@dataclass
class KilledBuild:
    returncode: int
    stdout: str
    stderr: str
    killed: bool          # the child died of SIGKILL (rather than finishing)
    leftovers: list[int]  # processes of the build still alive after the kill (pool workers)


def _session_pids(sid: int) -> list[int]:
    """Live processes in session `sid` (the build and anything it forked)."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # fields[0] is the state, fields[3] the session id
        if int(fields[3]) == sid and fields[0] != "Z":
            pids.append(int(entry))
    return pids


def run_killed_build(argv: list[str], point: str = "none", nth: int = 1, *,
                     delay: float | None = None, timeout: float = 240,
                     linger: float = 2.0, extra: dict | None = None) -> KilledBuild:
    """Run `newsindex <argv>` in a child, killed at `point` (its `nth` call) or,
    with `delay`, by SIGKILL from outside after that many seconds. The child
    leads its own session and process group; whatever of it is still running
    `linger` seconds after it ended is reported, then killed (that group only).
    Output goes to files, so a leftover worker holding a pipe cannot block us."""
    env = {**os.environ, "NEWSINDEX_KILL": json.dumps({"point": point, "nth": nth, "argv": argv,
                                                        **(extra or {})}),
           "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen([sys.executable, "-c", KILLER], stdout=out, stderr=err,
                                env=env, cwd=REPO, start_new_session=True)
        hung = False
        try:
            proc.wait(timeout=delay if delay is not None else timeout)
        except subprocess.TimeoutExpired:
            if delay is None:
                hung = True
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        leftovers: list[int] = []
        deadline = time.monotonic() + linger
        while True:
            leftovers = _session_pids(proc.pid)
            if not leftovers or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        if leftovers:
            try:
                os.killpg(proc.pid, signal.SIGKILL)  # the build's own group, nothing else
            except ProcessLookupError:
                pass
        out.seek(0)
        err.seek(0)
        result = KilledBuild(proc.returncode, out.read(), err.read(),
                             proc.returncode == -signal.SIGKILL, leftovers)
    if hung:
        raise AssertionError(f"build ({point}) still running after {timeout} s; "
                             f"stderr: {result.stderr[-2000:]}")
    return result


# --------------------------------------------------------------------------- the corpus

def reuters_records(n: int, start: int = 0, file: str = "reut2-000.jsonl.gz") -> list[dict]:
    """Real Reuters-21578 records with a headline and a body."""
    with gzip.open(CORPUS / "reuters21578" / file, "rt", encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh]
    return [r for r in records if r.get("headline") and r.get("body")][start:start + n]


class FaultCorpus:
    """A source folder in two states: `write_old()` and `write_new()` (files
    added, one changed with a record dropped, one deleted). The article ids each
    state must give are computed from the records written, not hard-coded."""

    def __init__(self, root: Path, files: int = 6, per_file: int = 25) -> None:
        self.src = root / "src"
        self.index = root / "ix"
        self.files, self.per_file = files, per_file
        self.records = reuters_records(files * per_file + 2 * per_file + 1)

    def _chunk(self, i: int) -> list[dict]:
        return self.records[i * self.per_file:(i + 1) * self.per_file]

    def _write(self, name: str, records: list[dict]) -> None:
        path = self.src / name
        with open(path, "w", encoding="utf-8") as fh:
            for rec in records:
                fh.write(json.dumps(rec) + "\n")

    def write_old(self) -> set[str]:
        self.src.mkdir(parents=True, exist_ok=True)
        for i in range(self.files):
            self._write(f"wire-{i:02d}.jsonl", self._chunk(i))
        return self.old_ids()

    def old_ids(self) -> set[str]:
        return {r["id"] for i in range(self.files) for r in self._chunk(i)}

    def write_new(self) -> set[str]:
        """Add two files, change one (reworded bodies, one record dropped), delete one."""
        for i in (self.files, self.files + 1):
            self._write(f"wire-{i:02d}.jsonl", self._chunk(i))
        changed = [dict(r, body=r["body"] + "\nZanzibar clove growers revised the figures.")
                   for r in self._chunk(1)[1:]]
        self._write("wire-01.jsonl", changed)
        future = time.time_ns() + 5 * 10**9  # a changed mtime even on coarse clocks
        os.utime(self.src / "wire-01.jsonl", ns=(future, future))
        (self.src / "wire-02.jsonl").unlink()
        return self.new_ids()

    def new_ids(self) -> set[str]:
        keep = [0] + list(range(3, self.files)) + [self.files, self.files + 1]
        ids = {r["id"] for i in keep for r in self._chunk(i)}
        return ids | {r["id"] for r in self._chunk(1)[1:]}

    def argv(self, *extra: str) -> list[str]:
        return ["build", str(self.src), "--index", str(self.index), *extra]


# --------------------------------------------------------------------------- checks

@dataclass
class IndexState:
    generation: str
    ids: list[str]            # stored ids of live documents (duplicates kept, to be caught)
    search_total: int         # what a search for everything says
    zanzibar: int             # hits for a word only the changed file has


def index_state(index_dir: Path) -> IndexState:
    """Read the live index from scratch (a fresh Archive, as a new process would)."""
    from whoosh import index as whoosh_index

    from indexer import Archive, SearchRequest
    from indexer.index import store

    live = store.require_live_generation(index_dir)
    ix = whoosh_index.open_dir(str(live))
    with ix.searcher() as searcher:
        ids = [fields["id"] for fields in searcher.all_stored_fields()]
    archive = Archive(index_dir)
    return IndexState(
        generation=str(live.resolve()),
        ids=ids,
        search_total=archive.search(SearchRequest(query="*")).total,
        zanzibar=archive.search(SearchRequest(query="zanzibar clove")).total,
    )


def check_index(index_dir: Path, expected_ids: set[str]) -> IndexState:
    """The live index is whole and holds exactly `expected_ids`, once each."""
    state = index_state(index_dir)
    assert len(state.ids) == len(set(state.ids)), "duplicate articles in the index"
    missing, extra = expected_ids - set(state.ids), set(state.ids) - expected_ids
    assert not missing and not extra, f"{len(missing)} missing, {len(extra)} unexpected articles"
    assert state.search_total == len(expected_ids)
    return state


def manifest_ids(index_dir: Path) -> set[str]:
    from indexer.index import store

    data = json.loads((store.require_live_generation(index_dir) / "manifest.json").read_text())
    return {i for entry in data["sources"].values() for i in entry["ids"]}


def tree_digest(root: Path) -> dict[str, str]:
    """blake2b of every file under `root` (with its mode), to prove sources are untouched."""
    digests = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            st = path.stat()
            digests[str(path)] = hashlib.blake2b(path.read_bytes()).hexdigest() + f":{st.st_mode:o}"
    return digests


def recover_and_check(corpus: FaultCorpus, expected_ids: set[str]) -> None:
    """The next ordinary build succeeds (the lock of the killed one is gone) and
    the index, its manifest and the sources agree."""
    proc = run_killed_build(corpus.argv(), "none")
    assert proc.returncode == 0, proc.stderr
    state = check_index(corpus.index, expected_ids)
    assert manifest_ids(corpus.index) == expected_ids
    again = run_killed_build(corpus.argv("--json"), "none")
    assert again.returncode == 0, again.stderr
    report = json.loads(again.stdout)
    assert report["sources"]["new"] == report["sources"]["changed"] == 0, report["sources"]
    assert report["articles"]["total"] == len(expected_ids)
    assert index_state(corpus.index).generation == state.generation  # a no-op stays in place


# A build task per source file (the planner would make one task of a few small
# files), so that a build of a few files runs worker processes.
A_TASK_PER_FILE = {"task_text_bytes": 1}


def reuters_files(folder: Path, files: int) -> Path:
    """The first `files` real Reuters files (1,000 records each) copied into a new `folder`,
    for multi-process builds run with `A_TASK_PER_FILE`."""
    folder.mkdir(parents=True)
    for path in sorted((CORPUS / "reuters21578").glob("reut2-*.jsonl.gz"))[:files]:
        shutil.copy(path, folder / path.name)
    return folder
