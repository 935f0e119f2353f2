"""The build's tasks (indexer.index.tasks): planned from the sources alone,
idempotent, bounded segments, duplicate ids settled by the coordinator, and
segments merged to a bounded count, on real Reuters articles."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from indexer import Archive, SearchRequest
from indexer.index import store, tasks
from indexer.index.build import build_index
from indexer.index.sources import walk_sources
from tests.conftest import CORPUS

REUTERS = CORPUS / "reuters21578"


def _records(n: int, start: int = 0) -> list[dict]:
    with gzip.open(REUTERS / "reut2-002.jsonl.gz", "rt", encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh]
    return [r for r in records if r.get("headline") and r.get("body")][start:start + n]


def _write(folder: Path, name: str, records: list[dict]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def _segments(index_dir: Path) -> list:
    return whoosh_index.open_dir(str(store.live_generation(index_dir)))._segments()


def _live_ids(index_dir: Path) -> list[str]:
    ix = whoosh_index.open_dir(str(store.live_generation(index_dir)))
    with ix.searcher() as searcher:
        return [fields["id"] for fields in searcher.all_stored_fields()]


def test_the_plan_depends_on_the_sources_only(tmp_path):
    src = tmp_path / "src"
    for n in range(12):
        _write(src, f"part{n:02d}.jsonl", _records(40, 40 * n))
    files = walk_sources([str(src)]).files
    planned = tasks.plan_tasks(files, tmp_path, "build-1", None)
    assert [u.source for task in planned for u in task.sources] == files    # every source once, in order
    assert planned == tasks.plan_tasks(files, tmp_path, "build-1", None)   # the same plan every time
    assert len({task.name for task in planned}) == len(planned)
    # another build names its segments differently: a live segment is never overwritten
    assert {t.name for t in planned}.isdisjoint(t.name for t in tasks.plan_tasks(files, tmp_path, "build-2", None))


def test_a_task_run_twice_leaves_the_same_files(tmp_path):
    """A retried task (or two copies of one on two workers) is harmless."""
    src = _write(tmp_path / "src", "a.jsonl", _records(60))
    gen = tmp_path / "gen"
    gen.mkdir()
    task = tasks.plan_tasks(walk_sources([str(src)]).files, gen, "b", None)[0]
    first = tasks.run_task(task)
    files = {p.name: p.read_bytes() for p in gen.iterdir()}
    second = tasks.run_task(task)
    assert {p.name: p.read_bytes() for p in gen.iterdir()} == files
    assert [s.segid for s in first.segments] == [s.segid for s in second.segments]
    assert first.sources == second.sources and len(first.sources[0].ids) == 60
    assert not list(gen.glob(tasks.UNFINISHED_PREFIX + "*")), "the temporary folders are gone"


def test_a_task_over_the_segment_cap_writes_more_than_one_segment(tmp_path, monkeypatch):
    src = _write(tmp_path / "src", "big.jsonl", _records(300))
    text = sum(len(r["headline"]) + len(r["body"]) for r in _records(300))
    monkeypatch.setattr(tasks, "SEGMENT_TEXT_BYTES", text // 4)
    gen = tmp_path / "gen"
    gen.mkdir()
    result = tasks.run_task(tasks.plan_tasks(walk_sources([str(src)]).files, gen, "b", None)[0])
    counts = [s.doc_count_all() for s in result.segments]
    assert 4 <= len(counts) <= 5 and sum(counts) == 300
    assert len(result.sources[0].ids) == 300


def test_duplicate_ids_across_tasks_are_settled_by_the_coordinator(tmp_path, monkeypatch):
    """The first source (in path order) keeps an id, as in a one-process build;
    the later copy is reported and left out of every count and search."""
    monkeypatch.setattr(tasks, "TASK_TEXT_BYTES", 1)   # a task per source
    records = _records(30)
    src = tmp_path / "src"
    _write(src, "a.jsonl", records[:20])
    _write(src, "b.jsonl", records[15:30])             # 5 ids again
    _write(src, "c.jsonl", records[:3])                # only ids a holds: a source with no article
    report = build_index([str(src)], tmp_path / "ix", jobs=2)
    assert report.tasks == 3
    assert report.articles["total"] == 30
    duplicates = [f for f in report.failures if "duplicate article id" in f.reason]
    assert len(duplicates) == 8 and {Path(f.source).name for f in duplicates} == {"b.jsonl", "c.jsonl"}
    assert report.sources["failed"] == 1
    ids = _live_ids(tmp_path / "ix")
    assert len(ids) == len(set(ids)) == 30     # the refused copies are deleted
    assert Archive(tmp_path / "ix").search(SearchRequest(query=records[16]["headline"])).total >= 1
    manifest = json.loads((store.live_generation(tmp_path / "ix") / "manifest.json").read_text())
    assert {Path(s).name: len(e["ids"]) for s, e in manifest["sources"].items()} == {"a.jsonl": 20, "b.jsonl": 10}


def test_many_segments_are_merged_at_commit_with_the_same_results(tmp_path, monkeypatch):
    most = 3
    src = tmp_path / "src"
    for n in range(8):
        _write(src, f"part{n}.jsonl", _records(50, 50 * n))
    monkeypatch.setattr(tasks, "TASK_TEXT_BYTES", 1)
    monkeypatch.setattr("indexer.limits.FULL_BUILD_SEGMENTS", 8)
    unmerged = build_index([str(src)], tmp_path / "unmerged", jobs=2, full=True)
    assert len(_segments(tmp_path / "unmerged")) == unmerged.segments == 8
    monkeypatch.setattr("indexer.limits.FULL_BUILD_SEGMENTS", most)
    # tasks are capped at a segment's text: still a task (and a segment) per file, 8 > 3
    monkeypatch.setattr(tasks, "SEGMENT_TEXT_BYTES", max(p.stat().st_size for p in src.iterdir()))
    merged = build_index([str(src)], tmp_path / "merged", jobs=2)
    assert len(_segments(tmp_path / "merged")) == merged.segments == most
    # the merge tasks report their own CPU and peak memory (none without merges)
    assert merged.merge_cpu_seconds > 0 and merged.merge_peak_mb > 0
    assert unmerged.merge_cpu_seconds == unmerged.merge_peak_mb == 0
    assert sorted(_live_ids(tmp_path / "merged")) == sorted(_live_ids(tmp_path / "unmerged"))
    for text in ("oil prices", '"interest rates"', "bank*", "cocoa OR coffee"):
        a = Archive(tmp_path / "unmerged").search(SearchRequest(query=text))
        b = Archive(tmp_path / "merged").search(SearchRequest(query=text))
        assert a.total == b.total > 0, text
        # a merge keeps the exact field-length totals: scores differ only in the
        # last bits (BM25F's statistics summed over 3 segments instead of 8)
        assert [h.id for h in a.hits] == [h.id for h in b.hits], text
        assert [h.score for h in a.hits] == pytest.approx([h.score for h in b.hits], rel=1e-12), text


def test_a_full_build_commits_few_segments_and_an_incremental_build_adds_its_own(tmp_path, monkeypatch):
    """A search reads every segment: a full build merges its tasks' segments down to
    FULL_BUILD_SEGMENTS; an incremental build adds its segment while the index holds
    no more than the tiered policy's budget (sizes scaled down here: a megabyte
    taken as a byte), and merges past it (an index under MERGE_FLOOR_MB: into one)."""
    src = tmp_path / "src"
    for n in range(6):
        _write(src, f"part{n}.jsonl", _records(30, 30 * n))
    monkeypatch.setattr(tasks, "TASK_TEXT_BYTES", 1)                  # a task and a segment per file
    monkeypatch.setattr("indexer.limits.FULL_BUILD_SEGMENTS", 2)
    report = build_index([str(src)], tmp_path / "ix", jobs=2)
    assert report.tasks == 6 and report.segments == len(_segments(tmp_path / "ix")) == 2
    with monkeypatch.context() as scaled:
        scaled.setattr("indexer.index.merge_policy.MB", 1)
        scaled.setattr("indexer.limits.MERGED_SEGMENT_MB", 10**9)
        _write(src, "part6.jsonl", _records(30, 180))
        report = build_index([str(src)], tmp_path / "ix", jobs=2)
        assert report.segments == len(_segments(tmp_path / "ix")) == 3
    _write(src, "part7.jsonl", _records(30, 210))
    report = build_index([str(src)], tmp_path / "ix", jobs=2)
    assert report.segments == len(_segments(tmp_path / "ix")) == 1
    ids = _live_ids(tmp_path / "ix")
    assert len(ids) == len(set(ids)) == 240


def test_incremental_build_adds_segments_and_replaces_changed_articles(tmp_path, monkeypatch):
    monkeypatch.setattr(tasks, "TASK_TEXT_BYTES", 1)
    src = tmp_path / "src"
    records = _records(40)
    _write(src, "a.jsonl", records[:20])
    index_dir = tmp_path / "ix"
    build_index([str(src)], index_dir, jobs=1)
    before = store.live_generation(index_dir)
    files_before = sorted(p.name for p in before.iterdir())
    _write(src, "b.jsonl", records[20:40])
    changed = dict(records[0], body=records[0]["body"] + " zanzibarite")
    _write(src, "a.jsonl", [changed, *records[1:15]])        # one article changed, five gone
    report = build_index([str(src)], index_dir, jobs=2)
    live = store.live_generation(index_dir)
    assert live != before and sorted(p.name for p in before.iterdir()) == files_before  # the old one untouched
    assert report.articles == {"added": 20, "updated": 15, "removed": 5, "total": 35}
    ids = _live_ids(index_dir)
    assert len(ids) == len(set(ids)) == 35
    assert Archive(index_dir).search(SearchRequest(query="zanzibarite")).total == 1
    assert not list(live.glob(tasks.UNFINISHED_PREFIX + "*"))
    # every segment file on disk is listed by the TOC: nothing left over
    listed = {s.segment_id() for s in _segments(index_dir)}
    assert {p.name.split(".")[0] for p in live.glob("MAIN_*.*") if "WRITELOCK" not in p.name} == listed
