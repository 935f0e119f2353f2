"""The build as independent tasks: a batch of sources in, finished segments out.

The coordinator (`indexer.index.build`, holding the lock) walks the sources,
decides what changed and plans the work into `SegmentTask`s. A task reads and
cleans its sources and writes one finished Whoosh segment (postings, stored
fields, columns, duplicate signatures; `indexer.index.segment.write_segment`)
into the new generation's folder, and
hands back only what the coordinator needs to commit: the segment objects,
each source's article ids and failures, and the word counts for "did you mean".
The coordinator settles duplicate ids across tasks, applies deletions and
writes the Whoosh TOC that lists the segments (`build.py`).

A task is idempotent: its segments are named from its content (the build it
belongs to, its sources with their size and mtime), written in a temporary
folder and renamed into place, so a retried task, or two copies of one,
leave the same files. Its memory is bounded by `SEGMENT_TEXT_BYTES`: a task
whose text grows past it finishes that segment and starts another.

The same tasks run on local worker processes (`run_local`) or on a Dask
cluster (`indexer.index.cluster`): one pipeline.
"""

from __future__ import annotations

import ctypes
import gc
import hashlib
import os
import resource
import shutil
import time
import uuid
from collections import Counter
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Iterator, NamedTuple

from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3Segment
from whoosh.filedb.filestore import FileStorage
from whoosh.index import FileIndex

from indexer import whoosh_internals
from indexer.errors import BuildFailed
from indexer.index.children import become_build_child, sigint_held, stop_children
from indexer.index.codec import NewsCodec
from indexer.index.merge import merge_segments
from indexer.index.merge_policy import equal_runs
from indexer.index.schema import article_to_document, make_schema
from indexer.index.segment import write_segment
from indexer.index.signatures import document_fields
from indexer.index.sources import SourceFile
from indexer.index.store import fsync_files
from indexer.index.vocabulary import correctable_counts
from indexer.ingest import SourcePart, kind_of, stream_source, wide_text
from indexer.ingest.article import Article, Failure, Skipped
from indexer.limits import (
    MAX_FAILURES_PER_SOURCE,
    SEGMENT_DOCUMENTS,
    SEGMENT_TEXT_BYTES,
    TASK_TEXT_BYTES,
)

GZIP_TEXT_RATIO = 3               # a .gz source holds ~2.4-4x its size in text
SOURCE_MIN_BYTES = 2048           # a tiny file costs a task about this much text: 2,000 make a task
# A small archive's tasks (`plan_tasks`) hold at least this share of
# TASK_TEXT_BYTES: under ~1 MB of text (~0.4 s of CPU) a task's fixed costs
# (its segment's dozen files and their fsyncs, its result's word counts) weigh
# more than the balance it brings, and each is one more segment to search.
SMALLEST_TASK = 0.25
UNFINISHED_PREFIX = ".task-"      # a task's temporary folder inside the generation
# A JSON Lines file or WARC larger than this is read in parts of about this
# size (a small task's worth), by several tasks at once (a one-file archive is
# not one core); each part, not the file, bounds what its reader holds.
SOURCE_PART_BYTES = TASK_TEXT_BYTES
_SCAN_BYTES = 1 << 20  # read at a time looking for a line end


class SourceUnit(NamedTuple):
    """A source, or one part of a large source (`indexer.ingest.SourcePart`)."""

    source: SourceFile
    part: SourcePart | None = None


class SegmentTask(NamedTuple):
    """A batch of sources (or parts) to read, clean and write as segments into `folder`."""

    build: str                       # the build's id: segment names never repeat across builds
    folder: str                      # the generation the segments go into
    sources: tuple[SourceUnit, ...]
    default_publication: str | None
    text: int = 0                    # its estimated text: the runner starts the largest tasks first

    @property
    def name(self) -> str:
        """Named by its content: the same task always writes the same segment names."""
        key = repr((self.build, [(tuple(u.source), u.part) for u in self.sources], self.default_publication))
        return hashlib.sha1(key.encode("utf-8", "surrogateescape")).hexdigest()[:24]


class SourceOutcome(NamedTuple):
    """One source (or part) as a task read it: its article ids in the order
    written (the task's documents, source after source), its failures (the
    first `MAX_FAILURES_PER_SOURCE`) and how many there were, the records it
    skipped on purpose (by reason), and the capture times and payload digests of
    its web pages (by position in `ids`)."""

    source: SourceFile
    ids: list[str]
    failures: list[Failure]
    skipped: Counter
    crawled: dict[int, datetime]
    failed: int = 0
    digests: dict[int, int] | None = None


class TaskResult(NamedTuple):
    """What a task hands back: its segments (Whoosh segment objects, in order),
    its sources' outcomes and word counts, and the worker's peak memory."""

    name: str
    segments: list
    sources: list[SourceOutcome]
    words: Counter
    peak_rss_mb: float


class MergeResult(NamedTuple):
    """What a merge task hands back: the merged segment, and the CPU and peak
    memory of the merge itself (its worker's whole-life peak where the
    process cannot start its peak over: see `_own_peak_rss_mb`)."""

    segment: W3Segment
    cpu_seconds: float
    peak_rss_mb: float


class MergeTask(NamedTuple):
    """Segments of one generation to merge into one (deleted documents dropped)."""

    folder: str
    segments: tuple

    @property
    def name(self) -> str:
        """Named by the segments it merges: a retry writes the same segment."""
        return hashlib.sha1(" ".join(s.segid for s in self.segments).encode()).hexdigest()[:24]


def plan_tasks(files: list[SourceFile], folder: Path, build: str,
               default_publication: str | None, spread: int = 1) -> list[SegmentTask]:
    """Consecutive sources (large ones in parts, `source_parts`, so several
    workers read them) in batches of `TASK_TEXT_BYTES` of text, whatever the
    archive's size: a worker's memory follows its task, not the archive, and
    the commit merges the segments (`merge.py` copies posting arrays, so merging
    many small segments costs about what merging a few large ones does).

    An archive of less than `spread` tasks' worth is cut instead into up to
    `spread` tasks of about equal text, none under `SMALLEST_TASK` of
    `TASK_TEXT_BYTES`: a full build passes `FULL_BUILD_SEGMENTS`, the segments
    its commit keeps unmerged, so the workers share a small archive evenly (5
    tasks of 4 MB on 2 workers left one idle for a fifth of the build) and
    nothing is merged. The plan depends on the sources only (never on the
    number of workers), so a local build and a cluster build write the same
    segments."""
    estimate = sum(max(SOURCE_MIN_BYTES, _text_bytes(sf, sf.size)) for sf in files)
    small = estimate < spread * TASK_TEXT_BYTES
    count = max(1, min(spread, int(estimate / (TASK_TEXT_BYTES * SMALLEST_TASK)))) if small else 0
    part_bytes = min(SOURCE_PART_BYTES, -(-estimate // count)) if small else SOURCE_PART_BYTES
    units = []
    for sf in files:
        parts = source_parts(sf, part_bytes)
        units += ([(SourceUnit(sf, p), _text_bytes(sf, p.end - p.start)) for p in parts] if parts
                  else [(SourceUnit(sf), max(SOURCE_MIN_BYTES, _text_bytes(sf, sf.size)))])
    sizes = [size for _, size in units]
    runs = equal_runs(sizes, count) if small else _batches(sizes, TASK_TEXT_BYTES)
    return [SegmentTask(build, str(folder), tuple(units[k][0] for k in run), default_publication,
                        sum(sizes[k] for k in run)) for run in runs]


def _batches(sizes: list[int], least: int) -> list[list[int]]:
    """Positions in runs of consecutive positions, each (but the last) of at least `least`."""
    runs: list[list[int]] = [[]]
    text = 0
    for k, size in enumerate(sizes):
        if text >= least:
            runs.append([])
            text = 0
        runs[-1].append(k)
        text += size
    return runs if runs[0] else []


def _text_bytes(sf: SourceFile, size: int) -> int:
    """About how much text `size` bytes of a source hold (an overestimate for HTML, which is harmless)."""
    return size * (GZIP_TEXT_RATIO if sf.path.lower().endswith(".gz") else 1)


def source_parts(sf: SourceFile, part_bytes: int) -> list[SourcePart] | None:
    """Parts of about `part_bytes` of a large source, read by several tasks at
    once, whatever the size of the file: an uncompressed JSON Lines file cut at
    line ends, a WARC cut where records start (`warc.record_parts`); None for a
    source read whole (or streamed by one task: a .jsonl.gz cannot be entered
    mid-stream). CSV is not cut: a quoted field may hold line breaks, so a
    line end is not known to end a row without parsing from the start."""
    if sf.size <= part_bytes:
        return None
    kind = kind_of(sf.path)
    try:
        if kind == "warc":
            from indexer.ingest.warc import record_parts

            ranges = record_parts(Path(sf.path), part_bytes)
            return [SourcePart(start, end) for start, end in ranges] if ranges else None
        if kind == "jsonl" and not sf.path.lower().endswith(".gz"):
            return _line_parts(sf.path, part_bytes)
    except OSError:
        return None  # read whole, which reports the error
    return None


def _line_parts(path: str, part_bytes: int) -> list[SourcePart] | None:
    """A JSON Lines file cut at line ends: a part ends after the first line end
    at or after `part_bytes` from its start. One pass counts the lines before
    each part (derived ids and failures carry line numbers); it holds
    `part_bytes` at a time, however long a line is."""
    parts: list[SourcePart] = []
    start, line = 0, 1
    with open(path, "rb") as fh:
        if wide_text(fh.read(4)):
            return None  # UTF-16: a line end is not the byte 0x0A
        while True:
            fh.seek(start)
            data = fh.read(part_bytes)
            if not data:
                break
            end, lines = start + len(data), data.count(b"\n")
            while not data.endswith(b"\n"):  # on to the end of the line the part cuts
                data = fh.read(_SCAN_BYTES)
                if not data:
                    break
                at = data.find(b"\n")
                if at >= 0:
                    end, lines = end + at + 1, lines + 1
                    break
                end += len(data)
            parts.append(SourcePart(start, end, line))
            start, line = end, line + lines
    return parts


def run_task(task: SegmentTask) -> TaskResult:
    """Read and clean the task's sources and write their articles as segments
    (a new one each time `SEGMENT_TEXT_BYTES` of text or `SEGMENT_DOCUMENTS`
    documents are reached). Articles stream from the readers into the batch
    being gathered, which is all the text a task holds: a later capture of a
    web page already in the batch (same id, same source) takes its earlier
    capture's place there; one whose earlier capture is in a segment already
    written, or in another source, is settled by the coordinator
    (`build.Captures`)."""
    outcomes: list[SourceOutcome] = []
    words: Counter = Counter()
    segments: list[W3Segment] = []
    batch: list[Article] = []
    text = 0
    for sf, part in task.sources:
        ids: list[str] = []
        failures: list[Failure] = []
        skipped: Counter = Counter()
        crawled: dict[int, datetime] = {}
        digests: dict[int, int] = {}
        captures: dict[str, tuple[int, int]] = {}  # id -> (place in batch, place in ids) of this source's pages
        failed = 0
        for item in stream_source(Path(sf.path), sf.source, part=part, default_publication=task.default_publication):
            if isinstance(item, Skipped):
                skipped.update(item.counts)
                continue
            if not isinstance(item, Article):
                failed += 1
                if failed <= MAX_FAILURES_PER_SOURCE:
                    failures.append(item)
                continue
            held = captures.get(item.id) if item.crawled is not None else None
            if held is not None:
                skipped["earlier capture of the same URL"] += 1
                if item.crawled < crawled[held[1]]:
                    continue
                # the later capture wins; on a tie, the one read later (as in `build.Captures`)
                crawled[held[1]] = item.crawled
                digests.pop(held[1], None)
                if item.payload_digest is not None:
                    digests[held[1]] = item.payload_digest
                batch[held[0]] = item
            else:
                if batch and (text >= SEGMENT_TEXT_BYTES or len(batch) >= SEGMENT_DOCUMENTS):
                    segments.append(_write(task, len(segments), batch, words))
                    batch, text = [], 0
                    captures.clear()
                if item.crawled is not None:
                    crawled[len(ids)] = item.crawled
                    captures[item.id] = (len(batch), len(ids))
                if item.payload_digest is not None:
                    digests[len(ids)] = item.payload_digest
                batch.append(item)
                ids.append(item.id)
            text += len(item.headline) + len(item.body) + sum(map(len, item.captions))
        outcomes.append(SourceOutcome(sf, ids, failures, skipped, crawled, failed, digests))
    if batch:
        segments.append(_write(task, len(segments), batch, words))
    return TaskResult(task.name, segments, outcomes, correctable_counts(words), _peak_rss_mb())


def _write(task: SegmentTask, part: int, articles: list[Article], words: Counter) -> W3Segment:
    """One batch of articles as one segment (`segment.write_segment`) in the
    generation, their signatures and vocabulary words (counted into `words`)
    from the segment's own text analysis."""
    segid = hashlib.sha1(f"{task.name}/{part}".encode()).hexdigest()[:24]
    documents = [article_to_document(article, {}) for article in articles]  # signatures: from the analysis
    with _temporary_index(task.folder, segid) as ix:
        segment = write_segment(ix, documents, codec=_NamedSegmentCodec(segid), words=words, signatures=True)
        return _move_in(segment, ix, task.folder)


def run_merge(task: MergeTask) -> W3Segment:
    """Merge segments into one named from theirs, from their posting arrays
    (`merge.merge_segments`: nothing analysed again, memory bounded by
    `MERGE_CHUNK_MB` and one term's postings, not by the merged size)."""
    with _temporary_index(task.folder, task.name) as ix:
        merged = merge_segments(FileStorage(task.folder), task.segments, ix, _NamedSegmentCodec(task.name))
        return _move_in(merged, ix, task.folder)


def run_measured_merge(task: MergeTask) -> MergeResult:
    """`run_merge`, with the CPU and peak memory of the merge itself (the build reports them)."""
    own_peak = _in_worker and _restart_peak_rss()
    cpu = time.thread_time()  # this thread's: not a Dask worker's event loop
    segment = run_merge(task)
    return MergeResult(segment, time.thread_time() - cpu, _own_peak_rss_mb() if own_peak else _peak_rss_mb())


def clear_unfinished(folder: Path) -> None:
    """Remove the temporary folders of tasks that were killed (under the build lock)."""
    for path in Path(folder).glob(UNFINISHED_PREFIX + "*"):
        shutil.rmtree(path, ignore_errors=True)


@contextmanager
def _temporary_index(folder: str, segid: str) -> Iterator[FileIndex]:
    """An empty index in a temporary folder inside the generation, for one
    attempt at one segment (removed afterwards, or by `clear_unfinished`)."""
    temp = Path(folder) / f"{UNFINISHED_PREFIX}{segid}.{uuid.uuid4().hex[:8]}"
    temp.mkdir()
    try:
        yield whoosh_index.create_in(str(temp), make_schema())
    finally:
        shutil.rmtree(temp, ignore_errors=True)


def _move_in(segment: W3Segment, ix: FileIndex, folder: str) -> W3Segment:
    """Rename a finished segment's files into the generation (the same names
    on a retry: the same files) and return it as the TOC will list it."""
    temp = ix.storage.folder
    prefix = segment.segment_id() + "."
    names = [name for name in os.listdir(temp) if name.startswith(prefix)]
    fsync_files([os.path.join(temp, name) for name in names])
    for name in names:
        os.replace(os.path.join(temp, name), os.path.join(folder, name))
    return whoosh_internals.with_codec(segment, NewsCodec())  # as a plain W3 segment


class _LooseSegment(W3Segment):
    """A segment written as separate files: a compound file records its parts'
    modification times, so a retried task would leave different bytes."""

    def should_assemble(self) -> bool:
        return False


class _NamedSegmentCodec(NewsCodec):
    """The project's codec, whose new segment gets the name given (the TOC
    lists a plain `W3Segment` with a plain `NewsCodec`, see `_move_in`)."""

    def __init__(self, segid: str) -> None:
        super().__init__()
        self.segid = segid

    def new_segment(self, storage, indexname) -> W3Segment:
        return _LooseSegment(NewsCodec(), indexname, segid=self.segid)


def _peak_rss_mb() -> float:
    """This process's peak resident memory so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# Allocations between two collections of a worker's young objects (Python's
# default: 700). A task makes millions of objects that reference counting
# frees; collecting every 700 cost ~4% of the tasks' CPU (0.5 s of a corpus/
# build's 12 s), every 50,000 ~1% (0.16 s). The price is cyclic garbage held
# longer: a worker's peak on the 10x replica 255 -> ~300 MB (10,000: 286 MB).
WORKER_GC_THRESHOLD = 50_000
# glibc's malloc in a worker (`mallopt` parameter -> value): blocks under 32 MB
# come from the heap, and the heap's free top goes back to the system only past
# 128 MB. glibc's adaptive defaults (a threshold that follows the largest block
# freed, a trim at twice it) gave a segment's freed arrays back to the system
# and faulted them in again, page by page, for the next batch: a corpus/ build's
# tasks took ~100k minor page faults and ~0.4 s of system CPU; with these ~38k
# and ~0.2 s (benchmarks/README.md, session 8), the peak unchanged.
WORKER_MALLOC = {-3: 32 << 20,    # M_MMAP_THRESHOLD
                 -1: 128 << 20}   # M_TRIM_THRESHOLD
_in_worker = False  # a worker process (forked or Dask's), never the coordinator: see `become_worker`


def become_worker() -> None:
    """Mark this process as a build worker, whose peak memory a merge may
    start over to report its own (the coordinator's must stay whole: it is
    what the build reports for it, and it runs a lone task itself), and whose
    young objects are collected less often (`WORKER_GC_THRESHOLD`) and whose
    freed memory is kept for the next batch (`WORKER_MALLOC`)."""
    global _in_worker
    _in_worker = True
    gc.set_threshold(WORKER_GC_THRESHOLD, *gc.get_threshold()[1:])
    _keep_freed_memory()


def _keep_freed_memory() -> None:
    """Set `WORKER_MALLOC` where the C library is glibc (elsewhere: nothing to set)."""
    mallopt = getattr(ctypes.CDLL(None), "mallopt", None)
    if mallopt is not None:
        for parameter, value in WORKER_MALLOC.items():
            mallopt(parameter, value)


def _start_local_worker() -> None:
    become_build_child()
    become_worker()


def _restart_peak_rss() -> bool:
    """Start this process's peak resident memory over (Linux's clear_refs); False where it cannot."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def _own_peak_rss_mb() -> float:
    """The peak resident memory since `_restart_peak_rss` (VmHWM, in KiB)."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return _peak_rss_mb()


def describe(task: SegmentTask, most: int = 5) -> str:
    """The task's sources for a one-line message."""
    names = list(dict.fromkeys(unit.source.source for unit in task.sources))[:most]
    more = len({unit.source.source for unit in task.sources}) - len(names)
    return ", ".join(names) + (f" and {more} more" if more else "")


# -- running tasks on local worker processes ---------------------------------------
def run_local(tasks: list, jobs: int, function=run_task) -> Iterator[tuple[int, object]]:
    """Run tasks in this process (one worker or one task) or in `jobs` forked
    worker processes that die with the build; yields (position, result) as
    tasks finish. A task that raises fails the build with its sources named."""
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    if jobs == 1 or len(tasks) < 2:
        for position, task in enumerate(tasks):
            yield position, _call(function, task)
        return
    warm_up()
    # concurrent.futures notices a worker that died (OOM killer, a crash in a C
    # parser) and raises BrokenProcessPool; multiprocessing.Pool would wait forever.
    pool = ProcessPoolExecutor(min(jobs, len(tasks)), mp_context=multiprocessing.get_context("fork"),
                               initializer=_start_local_worker)
    pending = {}
    try:
        with sigint_held():  # a fork pool starts its workers at the first submit
            for position, task in enumerate(tasks):
                pending[pool.submit(function, task)] = position
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                position = pending.pop(future)
                try:
                    result = future.result()
                except BrokenProcessPool:
                    raise BuildFailed("a build worker process died (out of memory?); "
                                      "the previous index is unchanged") from None
                except Exception as exc:
                    raise task_failed(tasks[position], exc) from exc
                yield position, result
    except BaseException:
        # Ctrl-C, a failed task, a dead worker: stop now, not after every
        # queued task has run (what leaving a `with` block would wait for).
        # The workers go first, then the pool's thread is joined: left running
        # past shutdown(wait=False) it may write to closed pipes at exit.
        stop_children(list((pool._processes or {}).values()))  # no public handle on them
        # A worker killed while it wrote its result leaves half a message in the result pipe, and
        # the pool's thread would wait for the rest forever (this process holds the pipe's other
        # end): closing that end gives it EOF, and it stops as for a broken pool.
        pool._result_queue._writer.close()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown()  # waits: a pool's thread left running could hold a lock a later fork (the merge tasks') copies


def _call(function, task):
    try:
        return function(task)
    except Exception as exc:
        raise task_failed(task, exc) from exc


def task_failed(task, exc: BaseException) -> BuildFailed:
    """The one-line failure of a task, naming its sources."""
    what = f"sources {describe(task)}" if isinstance(task, SegmentTask) else "merging segments"
    return BuildFailed(f"a build task failed ({what}): {type(exc).__name__}: {exc}")


def warm_up() -> None:
    """Load what every task needs once per worker, not in its first task: the
    schema's analyzers, the signature code (numpy). Local workers inherit it
    from the build, which calls this before it forks them; a Dask worker calls
    it when it joins (`indexer.index.dask_worker`)."""
    make_schema()
    document_fields("warm up", "the signature code before the build workers fork")
