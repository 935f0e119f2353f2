"""Build or update the index: the coordinator. It holds the lock, walks the
sources, decides what changed, plans the work into tasks, settles duplicate
ids across tasks, applies deletions, and commits or swaps.

The tasks (`indexer.index.tasks`) each read and clean a batch of sources and
write finished segments into the generation, on local worker processes or on
a Dask cluster (`indexer.index.cluster`): one pipeline, the same index.

Incremental (the default): only new and changed sources are read; their
segments join a new generation made of hard links to the live one's files,
where the articles of changed and vanished sources are replaced or deleted, all
in one Whoosh commit. Full (`--full`, or no index yet): every source is read
into a new, empty generation. Either way the new generation replaces the live
one atomically and the one before stays restorable (`indexer.index.store`). A
build that would remove more than `MAX_REMOVED_PERCENT` of the archive stops
before its swap.
"""

from __future__ import annotations

import os
import shutil
import time
from collections import Counter
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

from indexer.errors import RemovalsRefused, SourcesMissing
from indexer.index import store
from indexer.index.schema import SCHEMA_VERSION
from indexer.index.sources import Manifest, SourceFile, plan_build, walk_sources
from indexer.ingest import more_problems
from indexer.ingest.article import Failure
from indexer.ingest.warc import IDENTICAL_PAYLOAD
from indexer.limits import MAX_FAILURES_PER_SOURCE, MAX_REMOVED_PERCENT

if TYPE_CHECKING:
    import numpy as np

# Whoosh, the schema's analyzers, the MinHash code, the tasks and the worker
# pool are imported only when there is something to write: a no-op incremental
# build (walk, manifest, compare) must not pay for them (~0.3 s of imports).

Progress = Callable[[int, int], None]  # (sources done, sources to read)
PAYLOADS_NAME = "payloads.npz"  # in a generation: the payload digests of its web pages, with their ids


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
    # how the work went (not in the JSON): tasks run, segments committed, the
    # largest worker's peak memory, the time merging segments took, the merge
    # tasks' CPU and the largest merge's peak memory
    tasks: int = 0
    segments: int = 0
    worker_peak_mb: float = 0.0
    merge_seconds: float = 0.0
    merge_cpu_seconds: float = 0.0
    merge_peak_mb: float = 0.0

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
                progress: Progress | None = None, allow_removals: bool = False,
                dask: str | None = None) -> BuildReport:
    """Index `paths` into `index_dir` and return the report.

    The build's tasks run on `jobs` local worker processes, or on the Dask
    cluster at `dask` (`tcp://host:8786`, or `local[:N]` for N local worker
    processes); the index is the same either way.

    Raises `BuildLocked` when another build is running, `BuildRefused` when it
    would do harm (a given path does not exist, `index_dir` is not an index
    folder, more than `MAX_REMOVED_PERCENT` of the articles would go without
    `allow_removals`) and `BuildFailed` when a worker dies or a task fails on
    every try. Broken sources never raise: they are listed in the report and skipped.
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

        with _TaskRunner(jobs, dask) as run:
            if full:
                _build_full(walk.files, index_dir, manifest, report, run, default_publication, progress,
                            allow_removals)
            else:
                plan = plan_build(walk, manifest, roots)
                report.sources["unchanged"] = plan.unchanged
                _build_incremental(plan, index_dir, live, manifest, report, run, default_publication,
                                   progress, allow_removals)
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
                run: "_TaskRunner", default_publication: str | None, progress: Progress | None,
                allow_removals: bool) -> None:
    from whoosh import index as whoosh_index

    from indexer.index import tasks
    from indexer.index.schema import make_schema
    from indexer.index.vocabulary import VocabularyCounts
    from indexer.limits import FULL_BUILD_SEGMENTS

    generation = store.new_generation(index_dir)
    ix = whoosh_index.create_in(str(generation), make_schema())
    manifest = Manifest(schema=SCHEMA_VERSION)
    vocabulary = VocabularyCounts()
    old_ids = {i for _, ids in old.ids_by_source() for i in ids}
    settle = _Settlement({}, manifest, vocabulary, report, old_ids, old.sources, Captures())
    segments = []
    planned = tasks.plan_tasks(files, generation, generation.name, default_publication, spread=FULL_BUILD_SEGMENTS)
    for result in _run_in_order(run, planned, progress):
        for _source in settle.take(result):
            pass
        segments += result.segments
    for _source in settle.finish():
        pass
    report.articles["removed"] = _check_removals(old_ids, set(settle.owners), allow_removals)
    _commit(ix, _merged(segments, generation, run, report, full=True))
    tasks.clear_unfinished(generation)  # the temporary folders of attempts whose worker died
    settle.captures.drop_earlier(ix, manifest, settle.owners)
    vocabulary.save(generation)
    manifest.save(generation)
    settle.captures.save_payloads(generation, manifest)
    report.sources["removed"] = len(set(old.sources) - set(manifest.sources))
    report.articles["total"] = manifest.saved_articles
    store.swap_in(index_dir, generation)


def _build_incremental(plan, index_dir: Path, live: Path, manifest: Manifest, report: BuildReport,
                       run: "_TaskRunner", default_publication: str | None, progress: Progress | None,
                       allow_removals: bool) -> None:
    if not plan.to_read and not plan.removed:
        # Nothing changed: no index to open, no writer, no manifest to rewrite.
        # The manifest lists exactly the committed articles (it is saved before
        # every swap), so it gives the total.
        report.articles["total"] = (manifest.saved_articles if manifest.saved_articles is not None
                                    else manifest.article_count())
        return
    from whoosh import index as whoosh_index

    from indexer.index import tasks
    from indexer.index.vocabulary import VocabularyCounts

    vocabulary = VocabularyCounts.load(live)
    re_read = {sf.source for sf in plan.to_read}
    removed = set(plan.removed)  # a set: a moved folder or an old manifest removes 21,578
    old_ids = {i for _, ids in manifest.ids_by_source() for i in ids}
    # ids held by sources this build does not touch: a new article may not take them
    owners = {i: s for s, ids in manifest.ids_by_source()
              if s not in re_read and s not in removed for i in ids}
    kept_ids = set(owners)
    settle = _Settlement(owners, manifest, vocabulary, report, old_ids, dict(manifest.sources),
                         Captures(live, kept_ids))
    stale_ids: list[str] = []
    written: set[str] = set()
    segments = []
    recorded = False
    # The new generation starts as links to the live one's files (cheap); the
    # tasks write their segments there, so the live generation is never
    # changed and stays restorable.
    generation = store.copy_generation(index_dir, live)
    writer = None
    try:
        planned = tasks.plan_tasks(plan.to_read, generation, generation.name, default_publication)
        for result in _run_in_order(run, planned, progress):
            for sf, accepted in settle.take(result):
                # (a changed source that is now broken keeps its old articles: not recorded)
                stale_ids += set(manifest.sources.get(sf.source, {}).get("ids", [])) - set(accepted)
                written.update(accepted)
                recorded = True
            segments += result.segments
        for sf, accepted in settle.finish():
            stale_ids += set(manifest.sources.get(sf.source, {}).get("ids", [])) - set(accepted)
            written.update(accepted)
            recorded = True
        removed_ids = []
        for source in plan.removed:
            for stale in manifest.sources.pop(source).get("ids", []):
                if stale not in written and stale not in kept_ids:
                    removed_ids.append(stale)
            report.sources["removed"] += 1
        if not recorded and not plan.removed:
            # Only broken sources were read: nothing is written and the manifest
            # does not change (they are read again next time).
            shutil.rmtree(generation, ignore_errors=True)
            report.articles["total"] = (manifest.saved_articles if manifest.saved_articles is not None
                                        else manifest.article_count())
            return
        remaining = {i for _, ids in manifest.ids_by_source() for i in ids}
        report.articles["removed"] = _check_removals(old_ids, remaining, allow_removals)
        ix = whoosh_index.open_dir(str(generation))
        writer = ix.writer(codec=_codec())
        # an article read again replaces its old copy (by id, as Whoosh's update_document)
        for article_id in (*stale_ids, *(i for i in written if i in old_ids), *removed_ids):
            writer.delete_by_term("id", article_id)
        final = _merged(writer.segments + segments, generation, run, report)
        writer.commit(mergetype=lambda _writer, _segments: final)
        tasks.clear_unfinished(generation)
        settle.captures.drop_earlier(whoosh_index.open_dir(str(generation)), manifest, settle.owners)
        # The vocabulary, the manifest and the payload digests follow the commit, then the swap.
        vocabulary.save(generation)
        manifest.save(generation)
        settle.captures.save_payloads(generation, manifest)
    except BaseException:
        if writer is not None and not writer.is_closed:
            writer.cancel()
        shutil.rmtree(generation, ignore_errors=True)  # never live: ours to drop
        raise
    store.swap_in(index_dir, generation)
    # The manifest lists exactly the committed articles: no need to reopen the index.
    report.articles["total"] = manifest.saved_articles


class _Settlement:
    """Takes the tasks' results into the build, in the order of the sources
    (so the first source to claim an id keeps it, as in a one-process build):
    an article whose id is already held (by an earlier source, or earlier in
    its own) is refused (deleted from its task's segment and reported), unless
    both are captures of a web page: then the later capture wins (`Captures`);
    a source's parts (read by several tasks) are joined (its ids, counts and
    first `MAX_FAILURES_PER_SOURCE` problems); a source left with no
    article and nothing deliberately skipped counts as failed and is not
    recorded. `take` and `finish` yield each recorded (source, ids). What it
    holds grows with the ids and sources, never with the articles' text."""

    def __init__(self, owners: dict[str, str], manifest: Manifest, vocabulary, report: BuildReport,
                 old_ids: set[str], old_sources: dict, captures: "Captures") -> None:
        self.owners = owners
        self.manifest = manifest
        self.vocabulary = vocabulary
        self.report = report
        self.old_ids = old_ids
        self.old_sources = old_sources
        self.captures = captures
        self._source: SourceFile | None = None   # the source being joined
        self._accepted: list[str] = []
        self._skipped = False
        self._counted: set[str] = set()          # sources whose articles this build has counted
        self._listed = self._failed = 0          # the joined source's problems listed in the report, and in all

    def take(self, result) -> Iterator[tuple[SourceFile, list[str]]]:
        report = self.report
        report.tasks += 1
        report.worker_peak_mb = max(report.worker_peak_mb, result.peak_rss_mb)
        slots = _document_slots(result.segments)
        for outcome in result.sources:
            if self._source is not None and outcome.source != self._source:
                yield from self.finish()
            self._source = outcome.source
            source = outcome.source.source
            listed = outcome.failures[:max(0, MAX_FAILURES_PER_SOURCE - self._listed)]
            report.failures.extend(listed)  # a source's first problems, whichever part they were in
            self._listed += len(listed)
            self._failed += outcome.failed
            report.skipped.update(outcome.skipped)
            self._skipped = self._skipped or bool(outcome.skipped)
            for n, article_id in enumerate(outcome.ids):
                segment, docnum = next(slots)
                crawled = outcome.crawled.get(n)
                owner = self.owners.get(article_id)
                digest = outcome.digests.get(n) if outcome.digests else None
                if digest is not None and not self.captures.claim_payload(digest, article_id):
                    report.skipped[IDENTICAL_PAYLOAD] += 1  # the same page under an earlier URL
                    segment.delete_document(docnum)
                    continue
                if owner is not None:
                    held = self.captures.time_of(article_id) if crawled else None
                    if held is None:
                        where = "again in this file" if owner == source else f"also in {owner}"
                        report.failures.append(Failure(source, f"duplicate article id {article_id!r} ({where})"))
                        segment.delete_document(docnum)
                        continue
                    report.skipped["earlier capture of the same URL"] += 1
                    if crawled < held:
                        segment.delete_document(docnum)
                        continue
                    # the later capture wins; on a tie the one read later (the order after the commit)
                    self.captures.lost(article_id, owner)
                    if owner in self._counted:  # its source was counted with this id: count it once
                        report.articles["updated" if article_id in self.old_ids else "added"] -= 1
                self.owners[article_id] = source
                self.captures.note(article_id, crawled, digest)
                if owner != source:
                    self._accepted.append(article_id)
        self.vocabulary.add_counts(result.words, 2)  # counts over many articles (no one-article shortcut)

    def finish(self) -> Iterator[tuple[SourceFile, list[str]]]:
        """Close the source being joined."""
        sf, accepted, skipped = self._source, self._accepted, self._skipped
        self._source, self._accepted, self._skipped = None, [], False
        if sf is None:
            return
        if self._failed > self._listed:
            self.report.failures.append(more_problems(sf.source, self._failed))
        self._listed = self._failed = 0
        if not accepted and not skipped:
            self.report.sources["failed"] += 1
            return
        for article_id in accepted:
            self.report.articles["updated" if article_id in self.old_ids else "added"] += 1
        self._counted.add(sf.source)
        self.report.sources["changed" if sf.source in self.old_sources else "new"] += 1
        yield sf, accepted
        self.manifest.record(sf, accepted)


class Captures:
    """Capture times (`Article.crawled`) of the ids written, so that of two
    copies of an id that are both captures of a web page, the later capture
    wins, whichever is read first: in another file, another task, or an earlier
    segment of the same file. On a tie (the same WARC-Date), the capture read
    later wins: later in its file, or in a file whose path sorts later (an
    incremental build reads only new and changed files, after what the index
    holds). When the winner is read second, both are written and the earlier
    is deleted right after the commit. Holds a time per id, not the articles.

    Also one article per payload: a web page whose payload digest (WARC-Payload-
    Digest) another URL's page already has, in this build or in the index, is
    the same page under another URL (a tracking parameter, a mirror, the next
    day's crawl): the copy of the URL read first keeps it (what the index holds,
    then in the order of the sources and of their records: the same whatever
    the number of workers), the other is dropped. A payload is held only while
    its id's kept capture has it: once a later capture of that URL with another
    payload wins, the old payload is free for the next URL that brings it (one
    WARC part's reader still skips a payload it has read, whatever came after).
    Holds the 64-bit digest per web page, with the id that holds it; the index's
    are kept with its generation (`PAYLOADS_NAME`: sorted digests and their ids,
    ~24 bytes a page)."""

    def __init__(self, live: Path | None = None, kept_ids: set[str] | frozenset = frozenset()) -> None:
        self._times: dict[str, datetime] = {}
        self._payloads: dict[int, str] = {}  # payload digest -> the id that holds it (this build)
        self._kept_digest: dict[str, int | None] = {}  # web page id -> the payload of its capture kept so far
        self._live = live  # incremental: the generation holding the ids already indexed
        self._live_index = None
        # the payloads the index holds under ids this build keeps (a source read again claims its own anew)
        self._indexed = _load_payloads(live, kept_ids) if live is not None else _no_payloads()
        self.losers: dict[str, set[str]] = {}  # id -> the sources whose capture of it lost

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

    def claim_payload(self, digest: int, article_id: str) -> bool:
        """Whether `article_id` may hold this payload: no other id holds it, in
        the index or in this build (the same id's captures are settled by
        capture time)."""
        holder = self._payloads.get(digest)
        if holder is None:
            import numpy as np

            digests, ids = self._indexed
            at = int(np.searchsorted(digests, np.uint64(digest)))
            indexed = at < len(digests) and int(digests[at]) == digest
            holder = self._payloads[digest] = ids[at].decode() if indexed else article_id
        if holder != article_id and self._kept_digest.get(holder, digest) != digest:
            # its holder's kept capture is another payload now: the copy holding this one is gone
            holder = self._payloads[digest] = article_id
        return holder == article_id

    def save_payloads(self, generation: Path, manifest: Manifest) -> None:
        """Keep the payload digests of the pages the generation holds beside its
        manifest, so a later incremental build settles its pages against them."""
        import numpy as np

        held = {i for _, ids in manifest.ids_by_source() for i in ids}
        digests, ids = self._indexed
        pairs = {int(d): i.decode() for d, i in zip(digests, ids)}
        pairs.update(self._payloads)
        pairs = sorted((d, i) for d, i in pairs.items() if i in held and self._kept_digest.get(i, d) == d)
        tmp = generation / (PAYLOADS_NAME + ".tmp")
        with open(tmp, "wb") as fh:  # (a file object: numpy would add ".npz" to a name)
            np.savez(fh, digests=np.array([d for d, _ in pairs], dtype=np.uint64),
                     ids=np.array([i.encode() for _, i in pairs], dtype=bytes))
        os.replace(tmp, generation / PAYLOADS_NAME)  # never written in place: the live one may share it

    def note(self, article_id: str, crawled: datetime | None, digest: int | None) -> None:
        """`article_id`'s copy with this capture time and payload is the one kept (so far)."""
        if crawled is not None:
            self._times[article_id] = crawled
        if digest is not None or article_id in self._kept_digest:
            self._kept_digest[article_id] = digest

    def lost(self, article_id: str, source: str) -> None:
        """The copy of `article_id` that `source` holds lost to a later capture."""
        self.losers.setdefault(article_id, set()).add(source)

    def drop_earlier(self, ix, manifest: Manifest, owners: dict[str, str]) -> int:
        """Delete the earlier captures of ids that were captured again (committed:
        every copy but the last of the latest capture time, in document order),
        and take them off the manifest entries of the sources that lost them
        (`owners`: id -> the source that won); the number of documents deleted."""
        if not self.losers:
            return 0
        deleted = 0
        writer = ix.writer(codec=_codec())
        try:
            with writer.searcher() as searcher:
                for article_id in self.losers:
                    docs = [(fields.get("crawled") or datetime.min, docnum) for docnum, fields in
                            ((d, searcher.stored_fields(d)) for d in searcher.document_numbers(id=article_id))]
                    for _, docnum in sorted(docs)[:-1]:
                        writer.delete_document(docnum)
                        deleted += 1
            writer.commit(merge=False)
        except BaseException:
            writer.cancel()
            raise
        for article_id, sources in self.losers.items():
            for source in sources - {owners.get(article_id)}:
                entry = manifest.sources.get(source)
                if entry and article_id in entry.get("ids", ()):
                    entry["ids"] = [i for i in entry["ids"] if i != article_id]
        return deleted


def _no_payloads() -> tuple[np.ndarray, np.ndarray]:
    import numpy as np

    return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=bytes)


def _load_payloads(generation: Path, kept_ids: set[str] | frozenset) -> tuple[np.ndarray, np.ndarray]:
    """The payload digests a generation keeps (sorted) and their ids, of the ids
    in `kept_ids`; none for a generation built before they were kept."""
    import numpy as np

    try:
        with np.load(generation / PAYLOADS_NAME, allow_pickle=False) as saved:
            digests, ids = saved["digests"], saved["ids"]
    except FileNotFoundError:
        return _no_payloads()
    keep = np.array([i.decode() in kept_ids for i in ids], dtype=bool)
    return digests[keep], ids[keep]


def _document_slots(segments: list) -> Iterator[tuple[object, int]]:
    """(segment, document number) of a task's documents, in the order written."""
    for segment in segments:
        for docnum in range(segment.doc_count_all()):
            yield segment, docnum


def _run_in_order(run: "_TaskRunner", planned: list, progress: Progress | None) -> Iterator:
    """The tasks' results in the order planned (so the first source to claim an
    id keeps it, as in a one-process build), whatever order they finish in.
    Results that arrive early wait here; they hold ids and counts, not text."""
    total = sum(len(task.sources) for task in planned)
    done = 0
    if progress:
        progress(0, total)
    early: dict[int, object] = {}
    following = 0
    for position, result in run(planned):
        early[position] = result
        done += len(planned[position].sources)
        if progress:
            progress(done, total)
        while following in early:
            yield early.pop(following)
            following += 1


def _merged(segments: list, folder: Path, run: "_TaskRunner", report: BuildReport, full: bool = False) -> list:
    """The segments to commit: runs of consecutive segments merged by merge
    tasks (document order kept, deleted documents dropped), as
    `merge_policy` chooses: a full build's down to `FULL_BUILD_SEGMENTS` of at
    most `MERGED_SEGMENT_MB`, an incremental build's by size tiers."""
    from indexer.index import tasks
    from indexer.index.merge_policy import MB, full_build_groups, incremental_groups
    from indexer.limits import FULL_BUILD_SEGMENTS, MERGE_FACTOR, MERGE_FLOOR_MB, MERGED_SEGMENT_MB

    started = time.perf_counter()
    sizes = _live_bytes(folder, segments)
    if full:
        runs = full_build_groups(sizes, FULL_BUILD_SEGMENTS, MERGED_SEGMENT_MB * MB)
    else:
        runs = incremental_groups(sizes, MERGE_FACTOR, MERGE_FLOOR_MB * MB, MERGED_SEGMENT_MB * MB)
    merges = [tasks.MergeTask(str(folder), tuple(segments[k] for k in run)) for run in runs if len(run) > 1]
    merged = {}
    for position, result in run(merges, tasks.run_measured_merge) if merges else ():
        merged[position] = result.segment
        report.merge_cpu_seconds += result.cpu_seconds
        report.merge_peak_mb = max(report.merge_peak_mb, result.peak_rss_mb)
    report.merge_seconds = time.perf_counter() - started
    first_of = {r[0]: position for position, r in enumerate(r for r in runs if len(r) > 1)}
    inside = {k for r in runs if len(r) > 1 for k in r[1:]}
    final = [merged[first_of[k]] if k in first_of else segment
             for k, segment in enumerate(segments) if k not in inside]
    report.segments = len(final)
    return final


def _live_bytes(folder: Path, segments: list) -> list[float]:
    """Each segment's files' bytes, less its deleted documents' share (the
    folder listed once: a large build has thousands of segments)."""
    files: dict[str, int] = {}
    for path in Path(folder).iterdir():
        name = path.name.split(".", 1)[0]
        files[name] = files.get(name, 0) + path.stat().st_size
    sizes = []
    for segment in segments:
        count = segment.doc_count_all()
        size = files.get(segment.segment_id(), 0)
        sizes.append(size * (count - segment.deleted_count()) / count if count else 0.0)
    return sizes


def _commit(ix, segments: list) -> None:
    """Write the TOC that lists exactly `segments` (the tasks' and merges' segments)."""
    writer = ix.writer(codec=_codec())
    try:
        writer.commit(mergetype=lambda _writer, _segments: segments)
    except BaseException:
        if not writer.is_closed:
            writer.cancel()
        raise


def _codec():
    """The codec of every segment this project writes (`indexer.index.codec`):
    W3 with posting blocks as arrays."""
    from indexer.index.codec import NewsCodec

    return NewsCodec()


class _TaskRunner:
    """Runs a list of tasks and yields (position, result) as they finish: on
    local worker processes, or on a Dask cluster, connected to on first use
    (a no-op build starts no cluster) and closed with the build."""

    def __init__(self, jobs: int, dask: str | None) -> None:
        self.jobs = jobs
        self.address = dask
        self.cluster = None

    def __enter__(self) -> "_TaskRunner":
        return self

    def __exit__(self, *exc) -> None:
        if self.cluster is not None:
            self.cluster.close()

    def __call__(self, planned: list, function=None) -> Iterator[tuple[int, object]]:
        from indexer.index import tasks
        from indexer.limits import FULL_BUILD_SEGMENTS

        function = function or tasks.run_task
        # The largest tasks of each run of FULL_BUILD_SEGMENTS (all of a small
        # archive's) first: the last to finish is then a small one, so the
        # workers end together; a result waits at most that run for its turn to
        # be settled (`_run_in_order`).
        order = sorted(range(len(planned)),
                       key=lambda k: (k // FULL_BUILD_SEGMENTS, -getattr(planned[k], "text", 0)))
        started = [planned[k] for k in order]
        if self.address is None:
            results = tasks.run_local(started, self.jobs, function)
        else:
            if self.cluster is None:
                from indexer.index.cluster import DaskTasks

                self.cluster = DaskTasks(self.address)
            results = self.cluster.run(started, function)
        return _renumbered(results, order)


def _renumbered(results: Iterator[tuple[int, object]], order: list[int]) -> Iterator[tuple[int, object]]:
    """(position in the plan, result) of results numbered in the order started;
    closing it closes the runner (which stops its workers) at once."""
    with closing(results):
        for position, result in results:
            yield order[position], result
