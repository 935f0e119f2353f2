"""Build or update the index: plan, clean in worker processes, write, commit, swap, report.

Incremental (the default): only new and changed sources are read, and the
articles of changed and vanished sources are replaced or deleted, all in one
Whoosh commit on a new generation made of hard links to the live one's files.
Full (`--full`, or no index yet): every source is read into a new, empty
generation. Either way the new generation replaces the live one atomically and
the one before stays restorable (`indexer.index.store`). A build that would
remove more than `MAX_REMOVED_PERCENT` of the archive stops before its swap.
"""

from __future__ import annotations

import os
import shutil
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable, Iterator, NamedTuple

from indexer.errors import BuildFailed, RemovalsRefused, SourcesMissing
from indexer.index import store
from indexer.index.children import become_build_child, stop_children
from indexer.index.schema import SCHEMA_VERSION
from indexer.index.sources import Manifest, SourceFile, plan_build, walk_sources
from indexer.ingest import read_source
from indexer.ingest.article import Article, Failure, Skipped
from indexer.limits import MAX_REMOVED_PERCENT

# Whoosh, the schema's analyzers, the MinHash code and the worker pool are
# imported only when there is something to write: a no-op incremental build
# (walk, manifest, compare) must not pay for them (~0.3 s of imports).

Progress = Callable[[int, int], None]  # (sources done, sources to read)


class SourceRead(NamedTuple):
    """One source as a cleaning worker hands it back: its articles and
    failures, and the per-article work the worker did so the writing process
    does not have to (MinHash signature fields, aligned with `results`, None
    for a Failure; the source's words with article counts for "did you mean")."""

    source: SourceFile
    results: list[Article | Failure | Skipped]
    signatures: list[dict | None]
    words: Counter

WRITER_LIMIT_MB = 512  # Whoosh's pool in incremental builds
GZIP_TEXT_RATIO = 3               # a .gz source holds ~2.4-4x its size in text
# Below this much source text writer processes cost more than they save
# (forking, a segment each); ~4,000 Reuters articles.
MULTIPROCESS_MIN_TEXT_BYTES = 3_000_000
# A full build writes a segment per batch of about this much text (at least
# one batch per writer process): it bounds a writer's memory (~25 bytes per
# byte of text) and the number of segments a search visits.
SEGMENT_MAX_TEXT_BYTES = 64_000_000
# A JSON Lines file larger than this is read in parts of this size by all the
# cleaning workers at once, not by one (a one-file archive is not one core).
SOURCE_PART_BYTES = 4_000_000


@dataclass
class BuildReport:
    """What a build did; its JSON is `last-build.json` beside the index (`newsindex stats` shows it)."""

    mode: str
    started: datetime
    finished: datetime | None = None
    sources: dict[str, int] = field(default_factory=lambda: dict.fromkeys(
        ("scanned", "new", "changed", "removed", "unchanged", "failed", "skipped"), 0))
    articles: dict[str, int] = field(default_factory=lambda: dict.fromkeys(
        ("added", "updated", "removed", "total"), 0))
    failures: list[Failure] = field(default_factory=list)
    # records read and deliberately not indexed (a web archive's requests,
    # redirects, revisits, earlier captures ...), by reason
    skipped: Counter = field(default_factory=Counter)

    @property
    def seconds(self) -> float:
        end = self.finished or datetime.now(timezone.utc)
        return (end - self.started).total_seconds()

    @property
    def articles_per_second(self) -> float:
        written = self.articles["added"] + self.articles["updated"]
        return written / self.seconds if self.seconds > 0 else 0.0

    def to_json(self) -> dict:
        return {
            "started": self.started.isoformat(timespec="seconds"),
            "finished": self.finished.isoformat(timespec="seconds") if self.finished else None,
            "seconds": round(self.seconds, 3),
            "mode": self.mode,
            "sources": dict(self.sources),
            "articles": dict(self.articles),
            "failures": [f.to_json() for f in self.failures],
            "skipped": dict(self.skipped.most_common()),
        }


def build_index(paths: Iterable[str], index_dir: str | Path, *, full: bool = False,
                jobs: int | None = None, default_publication: str | None = None,
                progress: Progress | None = None, allow_removals: bool = False) -> BuildReport:
    """Index `paths` into `index_dir` and return the report.

    Raises `BuildLocked` when another build is running, `BuildRefused` when it
    would do harm (a given path does not exist, `index_dir` is not an index
    folder, more than `MAX_REMOVED_PERCENT` of the articles would go without
    `allow_removals`) and `BuildFailed` when a worker dies. Broken sources never
    raise: they are listed in the report and skipped.
    """
    index_dir = Path(index_dir)
    roots = [str(p) for p in paths]
    missing = [root for root in roots if not os.path.exists(root)]
    if missing:
        # A typo or an unmounted disk must not empty the archive.
        raise SourcesMissing(f"no such file or folder: {', '.join(missing)}; nothing was changed")
    jobs = max(1, jobs or os.cpu_count() or 1)
    store.check_index_dir(index_dir)
    with store.build_lock(index_dir):
        store.claim_index_dir(index_dir)
        live = store.live_generation(index_dir)
        manifest = Manifest.load(live) if live else Manifest()
        if live is None or manifest.schema != SCHEMA_VERSION:
            full = True
        report = BuildReport(mode="full" if full else "incremental",
                             started=datetime.now(timezone.utc))
        walk = walk_sources(roots, index_dir)
        report.sources["scanned"] = len(walk.files)
        report.sources["skipped"] = walk.skipped
        for path, reason in walk.problems:
            report.failures.append(Failure(path, reason))
        report.sources["failed"] += len(walk.problems)

        if full:
            _build_full(walk.files, index_dir, manifest, report, jobs, default_publication, progress,
                        allow_removals)
        else:
            plan = plan_build(walk, manifest, roots)
            report.sources["unchanged"] = plan.unchanged
            _build_incremental(plan, index_dir, live, manifest, report, jobs, default_publication, progress,
                               allow_removals)
        store.prune_generations(index_dir)
        report.finished = datetime.now(timezone.utc)
        store.write_report(index_dir, report.to_json())
    return report


def _check_removals(old_ids: set[str], kept: set[str], allow_removals: bool) -> int:
    """How many of the archive's articles this build removes; `RemovalsRefused`
    (before anything is live) when that is more than MAX_REMOVED_PERCENT of them
    and the user did not say --allow-removals."""
    removed = len(old_ids - kept)
    if removed and not allow_removals and removed * 100 > len(old_ids) * MAX_REMOVED_PERCENT:
        raise RemovalsRefused(
            f"this build would remove {removed:,} of the {len(old_ids):,} articles in the index "
            f"(more than {MAX_REMOVED_PERCENT}%: an empty or unmounted folder, or the wrong one?); "
            "nothing was changed. To remove them, run it again with --allow-removals")
    return removed


def _build_full(files: list[SourceFile], index_dir: Path, old: Manifest, report: BuildReport,
                jobs: int, default_publication: str | None, progress: Progress | None,
                allow_removals: bool) -> None:
    from whoosh import index as whoosh_index

    from indexer.index.schema import article_to_document, make_schema
    from indexer.index.vocabulary import VocabularyCounts

    generation = store.new_generation(index_dir)
    ix = whoosh_index.create_in(str(generation), make_schema())
    manifest = Manifest(schema=SCHEMA_VERSION)
    vocabulary = VocabularyCounts()
    owners: dict[str, str] = {}
    captures = Captures()
    old_ids = {i for _, ids in old.ids_by_source() for i in ids}
    writer = None
    docs_written = 0
    try:
        for read in _read_all(files, jobs, default_publication, progress):
            sf = read.source
            articles = _accept(read, owners, report, captures)
            if articles is None:
                continue
            if writer is None:
                # Open the writer lazily: the worker pool is forked before it exists.
                writer = full_writer(ix, estimated_text_bytes(files), jobs)
            for article, signature_fields in articles:
                writer.add_document(**article_to_document(article, signature_fields))
                docs_written += 1
                report.articles["updated" if article.id in old_ids else "added"] += 1
            vocabulary.add_counts(read.words, len(articles))
            manifest.record(sf, [a for a, _ in articles])
            report.sources["changed" if sf.source in old.sources else "new"] += 1
        report.articles["removed"] = _check_removals(old_ids, set(owners), allow_removals)
        if writer is None:
            writer = ix.writer(codec=_codec())
        _commit_full(writer)
    except BaseException:
        if writer is not None and not writer.is_closed:
            writer.cancel()
        raise
    docs_written -= captures.drop_earlier(ix, manifest)
    for article_id in captures.replaced:  # both captures were counted
        report.articles["updated" if article_id in old_ids else "added"] -= 1
    vocabulary.save(generation)
    manifest.save(generation)
    report.sources["removed"] = len(set(old.sources) - set(manifest.sources))
    report.articles["total"] = docs_written
    store.swap_in(index_dir, generation)


def _commit_full(writer) -> None:
    """Commit a full build's writer; a writer process that died makes the
    build fail (its generation is never swapped in) instead of losing articles."""
    from indexer.errors import WriterProcessLost

    try:
        writer.commit()
    except WriterProcessLost as exc:
        raise BuildFailed(f"{exc} (out of memory?); the previous index is unchanged") from None


def estimated_text_bytes(files: list[SourceFile]) -> int:
    """About how much text the sources hold (an overestimate for HTML, which is harmless)."""
    return sum(f.size * (GZIP_TEXT_RATIO if f.path.lower().endswith(".gz") else 1) for f in files)


def full_writer(ix, text_bytes: int, jobs: int):
    """The writer of a full build (`indexer.index.writers.SegmentBatchWriter`):
    one segment per batch, in `jobs` writer processes when there is enough
    text, each batch a share of the text so that every process gets one."""
    from indexer.index.writers import SegmentBatchWriter

    procs = jobs if jobs > 1 and text_bytes >= MULTIPROCESS_MIN_TEXT_BYTES else 1
    batch = min(SEGMENT_MAX_TEXT_BYTES, max(1, text_bytes // procs + 1))
    return SegmentBatchWriter(ix, procs, batch, on_fork=become_build_child)


def _codec():
    """The codec of every segment this project writes (`indexer.index.codec`):
    W3 with posting blocks as arrays."""
    from indexer.index.codec import NewsCodec

    return NewsCodec()


def _build_incremental(plan, index_dir: Path, live: Path, manifest: Manifest, report: BuildReport,
                       jobs: int, default_publication: str | None, progress: Progress | None,
                       allow_removals: bool) -> None:
    if not plan.to_read and not plan.removed:
        # Nothing changed: no index to open, no writer, no manifest to rewrite.
        # The manifest lists exactly the committed articles (it is saved before
        # every swap), so it gives the total.
        report.articles["total"] = (manifest.saved_articles if manifest.saved_articles is not None
                                    else manifest.article_count())
        return
    from whoosh import index as whoosh_index

    from indexer.index.schema import article_to_document
    from indexer.index.vocabulary import VocabularyCounts

    vocabulary = VocabularyCounts.load(live)
    re_read = {sf.source for sf in plan.to_read}
    removed = set(plan.removed)  # a set: a moved folder or an old manifest removes 21,578
    old_ids = {i for _, ids in manifest.ids_by_source() for i in ids}
    # ids held by sources this build does not touch: a new article may not take them
    owners = {i: s for s, ids in manifest.ids_by_source()
              if s not in re_read and s not in removed for i in ids}
    kept_ids = set(owners)
    captures = Captures(live)
    written: set[str] = set()
    new_documents: list[dict] = []  # one new segment (indexer.index.segment) at the commit
    generation: Path | None = None
    target = writer = None

    def open_writer():
        # The new generation starts as links to the live one's files (cheap):
        # the live generation is never written, so it stays whole and restorable.
        # Whoosh's writer deletes replaced articles and merges small segments.
        nonlocal generation, target
        generation = store.copy_generation(index_dir, live)
        target = whoosh_index.open_dir(str(generation))
        return target.writer(limitmb=WRITER_LIMIT_MB, codec=_codec())

    try:
        for read in _read_all(plan.to_read, jobs, default_publication, progress):
            sf = read.source
            articles = _accept(read, owners, report, captures)
            if articles is None:
                continue  # a changed source that is now broken keeps its old articles
            if writer is None:
                writer = open_writer()
            was_known = sf.source in manifest.sources
            new_ids = {a.id for a, _ in articles}
            for stale in set(manifest.sources.get(sf.source, {}).get("ids", [])) - new_ids:
                writer.delete_by_term("id", stale)
            for article, signature_fields in articles:
                if article.id in old_ids:
                    writer.delete_by_term("id", article.id)
                new_documents.append(article_to_document(article, signature_fields))
                written.add(article.id)
                report.articles["updated" if article.id in old_ids else "added"] += 1
            vocabulary.add_counts(read.words, len(articles))
            manifest.record(sf, [a for a, _ in articles])
            report.sources["changed" if was_known else "new"] += 1
        for source in plan.removed:
            if writer is None:
                writer = open_writer()
            for stale in manifest.sources.pop(source).get("ids", []):
                if stale not in written and stale not in kept_ids:
                    writer.delete_by_term("id", stale)
            report.sources["removed"] += 1
        if writer is not None:
            remaining = {i for _, ids in manifest.ids_by_source() for i in ids}
            report.articles["removed"] = _check_removals(old_ids, remaining, allow_removals)
            _commit_incremental(target, writer, new_documents)
            captures.drop_earlier(whoosh_index.open_dir(str(generation)), manifest)
            # The vocabulary and the manifest follow the commit, then the swap.
            vocabulary.save(generation)
            manifest.save(generation)
    except BaseException:
        if writer is not None and not writer.is_closed:
            writer.cancel()
        if generation is not None:
            shutil.rmtree(generation, ignore_errors=True)  # never live: ours to drop
        raise
    if writer is None:
        # Only broken sources were read: nothing was written and the manifest
        # did not change (they are read again next time).
        report.articles["total"] = manifest.saved_articles if manifest.saved_articles is not None \
            else manifest.article_count()
        return
    store.swap_in(index_dir, generation)
    # The manifest lists exactly the committed articles: no need to reopen the index.
    report.articles["total"] = manifest.saved_articles


class Captures:
    """Capture times (`Article.crawled`) of the ids written, so that of two
    sources holding the same id, the later capture of a web page wins, whichever
    file is read first. The build writes both and drops the earlier one after
    its commit (Whoosh cannot delete a document added by the same writer)."""

    def __init__(self, live: Path | None = None) -> None:
        self._times: dict[str, datetime] = {}
        self._live = live  # incremental: the generation holding the ids already indexed
        self._live_index = None
        self.replaced: dict[str, str] = {}  # id -> the source whose capture lost

    def time_of(self, article_id: str) -> datetime | None:
        if article_id not in self._times and self._live is not None:
            if self._live_index is None:
                from whoosh import index as whoosh_index

                self._live_index = whoosh_index.open_dir(str(self._live))
            with self._live_index.searcher() as searcher:
                stored = searcher.document(id=article_id) or {}
            if isinstance(stored.get("crawled"), datetime):
                self._times[article_id] = stored["crawled"]
        return self._times.get(article_id)

    def note(self, article: Article) -> None:
        if article.crawled is not None:
            self._times[article.id] = article.crawled

    def drop_earlier(self, ix, manifest: Manifest) -> int:
        """Delete the earlier captures of replaced ids (committed) and take them
        off their sources' manifest entries; the number of documents deleted."""
        if not self.replaced:
            return 0
        deleted = 0
        writer = ix.writer(codec=_codec())
        try:
            with writer.searcher() as searcher:
                for article_id in self.replaced:
                    docs = [(fields.get("crawled") or datetime.min, docnum) for docnum, fields in
                            ((d, searcher.stored_fields(d)) for d in searcher.document_numbers(id=article_id))]
                    for _, docnum in sorted(docs)[:-1]:
                        writer.delete_document(docnum)
                        deleted += 1
            writer.commit(merge=False)
        except BaseException:
            writer.cancel()
            raise
        for article_id, source in self.replaced.items():
            entry = manifest.sources.get(source)
            if entry and article_id in entry.get("ids", ()):
                entry["ids"] = [i for i in entry["ids"] if i != article_id]
        return deleted


def _commit_incremental(ix, writer, new_documents: list[dict]) -> None:
    """Write the new and changed articles as one segment with the full build's
    segment writer, and commit it with the writer's deletions (and Whoosh's
    merge of small segments) in one table of contents."""
    from whoosh.writing import MERGE_SMALL

    from indexer.index.segment import write_segment

    if not new_documents:
        writer.commit()
        return
    segment = write_segment(ix, new_documents, _codec())
    writer.commit(mergetype=lambda w, segments: MERGE_SMALL(w, segments) + [segment])


def _accept(read: SourceRead, owners: dict[str, str], report: BuildReport,
            captures: Captures) -> list[tuple[Article, dict]] | None:
    """The source's articles that may be written (duplicate ids refused unless
    a later capture of a web page replaces an earlier one), each with its
    signature fields, and its failures and skip counts added to the report;
    None when the source gave no article."""
    sf = read.source
    articles: list[tuple[Article, dict]] = []
    for item, signature_fields in zip(read.results, read.signatures):
        if isinstance(item, Skipped):
            report.skipped.update(item.counts)
            continue
        if isinstance(item, Failure):
            report.failures.append(item)
            continue
        owner = owners.get(item.id)
        if owner is not None and owner != sf.source:
            held = captures.time_of(item.id) if item.crawled else None
            if held is None:
                report.failures.append(Failure(sf.source, f"duplicate article id {item.id!r} (also in {owner})"))
                continue
            report.skipped["earlier capture of the same URL"] += 1
            if item.crawled <= held:
                continue
            captures.replaced[item.id] = owner
        owners[item.id] = sf.source
        captures.note(item)
        articles.append((item, signature_fields))
    if not articles and not any(isinstance(item, Skipped) for item in read.results):
        report.sources["failed"] += 1
        return None
    return articles  # may be empty: a web archive of only skipped records was read


def _read_one(task: tuple[SourceFile, str | None, tuple[int, int, int] | None]) -> SourceRead:
    """Read and clean one source, or one part of it (start, end, first line),
    and do the per-article work that needs no index (signatures, words) here,
    in the worker, in parallel."""
    from indexer.index.signatures import document_fields
    from indexer.index.vocabulary import article_words
    from indexer.ingest import read_source_part

    sf, default_publication, part = task
    if part is None:
        results = read_source(Path(sf.path), sf.source, default_publication=default_publication)
    else:
        results = read_source_part(Path(sf.path), sf.source, *part, default_publication=default_publication)
    signatures: list[dict | None] = []
    words: Counter = Counter()
    for item in results:
        if isinstance(item, Article):
            signatures.append(document_fields(item.headline, item.body))
            words.update(article_words(item.headline, *item.captions, item.body))
        else:
            signatures.append(None)
    return SourceRead(sf, results, signatures, words)


def source_parts(sf: SourceFile, part_bytes: int) -> list[tuple[int, int, int]] | None:
    """Byte ranges (start, end, number of the first line) that cut a large
    uncompressed JSON Lines source at line ends, so that several workers read
    it at once; None for a source read whole. One pass over the file counts
    the lines before each part (derived ids and failures carry line numbers)."""
    from indexer.ingest import kind_of
    from indexer.limits import MAX_SOURCE_BYTES

    if (sf.size <= part_bytes or sf.size > MAX_SOURCE_BYTES or sf.path.lower().endswith(".gz")
            or kind_of(sf.path) != "jsonl"):
        return None
    parts: list[tuple[int, int, int]] = []
    start, line = 0, 1
    try:
        with open(sf.path, "rb") as fh:
            while True:
                fh.seek(start)
                data = fh.read(part_bytes)
                if not data:
                    break
                data += fh.readline()  # to the end of the line the part cuts
                parts.append((start, start + len(data), line))
                start += len(data)
                line += data.count(b"\n")
    except OSError:
        return None  # read whole, which reports the error
    return parts


def _warm_up_workers() -> None:
    """Load what every worker needs before the pool forks, so each inherits it
    instead of importing it again: the signature code (numpy, its permutations)."""
    from indexer.index.signatures import document_fields

    document_fields("warm up", "the signature code before the cleaning workers fork")


def _read_all(files: list[SourceFile], jobs: int, default_publication: str | None,
              progress: Progress | None) -> Iterator[SourceRead]:
    """Read and clean sources, in worker processes when there is enough work;
    a large JSON Lines file is read in parts by all of them (`source_parts`),
    whose results come back joined, one `SourceRead` per source."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    total = len(files)
    if progress:
        progress(0, total)
    if jobs == 1 or (total < 4 and sum(f.size for f in files) <= SOURCE_PART_BYTES):
        for done, sf in enumerate(files, 1):
            yield _read_one((sf, default_publication, None))
            if progress:
                progress(done, total)
        return
    tasks = []
    for sf in files:
        parts = source_parts(sf, SOURCE_PART_BYTES)
        tasks += [(sf, default_publication, part) for part in parts] if parts else [(sf, default_publication, None)]
    _warm_up_workers()
    chunk = max(1, min(64, len(tasks) // (jobs * 8)))
    # concurrent.futures notices a worker that died (OOM killer, a crash in a C
    # parser) and raises BrokenProcessPool; multiprocessing.Pool would wait forever.
    pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"),
                               initializer=become_build_child)
    try:
        for done, read in enumerate(_joined(pool.map(_read_one, tasks, chunksize=chunk)), 1):
            yield read
            if progress:
                progress(done, total)
    except BaseException as exc:
        # Ctrl-C, a failed write, a dead worker: stop now, not after every
        # queued source is read (what leaving the `with` block would wait for).
        workers = list((pool._processes or {}).values())  # no public handle on them
        pool.shutdown(wait=False, cancel_futures=True)
        stop_children(workers)
        if isinstance(exc, BrokenProcessPool):
            raise BuildFailed("a cleaning worker process died (out of memory?); "
                              "the previous index is unchanged") from None
        raise
    pool.shutdown()


def _joined(reads: Iterator[SourceRead]) -> Iterator[SourceRead]:
    """Consecutive reads of one source's parts as one read."""
    held: SourceRead | None = None
    for read in reads:
        if held is not None and held.source == read.source:
            held.results.extend(read.results)
            held.signatures.extend(read.signatures)
            held.words.update(read.words)
            continue
        if held is not None:
            yield held
        held = read
    if held is not None:
        yield held
