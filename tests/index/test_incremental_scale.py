"""The build's fast paths keep its results: the tasks on worker processes,
the no-op rebuild that opens no index, and one changed file among many."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

from whoosh import index as whoosh_index

from indexer import Archive, SearchRequest
from indexer.index import store, tasks
from indexer.index.build import build_index
from tests.conftest import CORPUS


def _records(n: int) -> list[dict]:
    with gzip.open(CORPUS / "reuters21578" / "reut2-000.jsonl.gz", "rt", encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh]
    return [r for r in records if r.get("headline") and r.get("body")][:n]


def _tree(root: Path, records: list[dict], folders: int = 7) -> Path:
    """One record per `.json` file, spread over a few folders."""
    for n, record in enumerate(records):
        folder = root / f"d{n % folders}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"a{n:04d}.json").write_text(json.dumps(record), encoding="utf-8")
    return root


def _index_doc_count(index_dir: Path) -> int:
    ix = whoosh_index.open_dir(str(store.live_generation(index_dir)))
    with ix.searcher() as searcher:
        return searcher.doc_count()


def test_worker_processes_write_the_same_index_as_one_process(tmp_path, monkeypatch):
    """One task per source and several segments per task (small caps), run in
    one process and in two worker processes: the same segments, the same results."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("reut2-000.jsonl.gz", "reut2-001.jsonl.gz"):
        (corpus / name).write_bytes((CORPUS / "reuters21578" / name).read_bytes())
    monkeypatch.setattr(tasks, "TASK_TEXT_BYTES", 1)
    monkeypatch.setattr(tasks, "SEGMENT_TEXT_BYTES", 300_000)
    single = build_index([str(corpus)], tmp_path / "single", full=True, jobs=1)
    multi = build_index([str(corpus)], tmp_path / "multi", full=True, jobs=2)
    assert single.tasks == multi.tasks == 2
    sizes = [s.doc_count_all() for s in
             whoosh_index.open_dir(str(store.live_generation(tmp_path / "multi")))._segments()]
    assert len(sizes) > 2, "each task wrote more than one segment"
    assert sizes == [s.doc_count_all() for s in
                     whoosh_index.open_dir(str(store.live_generation(tmp_path / "single")))._segments()]
    assert multi.articles["total"] == single.articles["total"] == _index_doc_count(tmp_path / "multi") == sum(sizes)
    for text in ("cocoa", '"interest rates"', "petro*", "coffee brazil"):
        a = Archive(tmp_path / "single").search(SearchRequest(query=text))
        b = Archive(tmp_path / "multi").search(SearchRequest(query=text))
        assert a.total == b.total > 0, text
        assert [(h.id, h.score) for h in a.hits] == [(h.id, h.score) for h in b.hits], text


def test_noop_rebuild_reports_the_index_total_and_leaves_it_alone(tmp_path):
    tree = _tree(tmp_path / "tree", _records(120))
    index_dir = tmp_path / "index"
    first = build_index([str(tree)], index_dir)
    live = store.live_generation(index_dir)
    manifest_mtime = (live / "manifest.json").stat().st_mtime_ns
    toc = sorted(p.name for p in live.iterdir())

    again = build_index([str(tree)], index_dir)
    assert again.mode == "incremental"
    assert again.sources["unchanged"] == 120 and again.sources["new"] == 0
    assert again.articles == {"added": 0, "updated": 0, "removed": 0,
                              "total": first.articles["total"]}
    assert again.articles["total"] == _index_doc_count(index_dir) == 120
    assert (live / "manifest.json").stat().st_mtime_ns == manifest_mtime
    assert sorted(p.name for p in live.iterdir()) == toc


def test_one_changed_and_one_removed_file_among_many(tmp_path):
    records = _records(150)
    tree = _tree(tmp_path / "tree", records)
    index_dir = tmp_path / "index"
    build_index([str(tree)], index_dir)

    changed = tree / "d3" / "a0003.json"
    record = json.loads(changed.read_text(encoding="utf-8"))
    record["body"] += "\n\nA correction mentions zanzibarian cloves."
    changed.write_text(json.dumps(record), encoding="utf-8")
    stat = changed.stat()
    os.utime(changed, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    (tree / "d4" / "a0004.json").unlink()

    report = build_index([str(tree)], index_dir)
    assert report.sources["changed"] == 1 and report.sources["removed"] == 1
    assert report.sources["unchanged"] == 148
    assert report.articles["updated"] == 1 and report.articles["removed"] == 1
    assert report.articles["total"] == _index_doc_count(index_dir) == 149
    archive = Archive(index_dir)
    assert archive.search(SearchRequest(query="zanzibarian")).total == 1

    noop = build_index([str(tree)], index_dir)
    assert noop.articles["total"] == 149 and noop.sources["unchanged"] == 149


def test_kept_column_readers_follow_a_rebuild(tmp_path):
    """Facets and date sorting read kept column readers; a running Archive still
    sees a new segment's publications and dates after an incremental build."""
    tree = _tree(tmp_path / "tree", _records(40))
    index_dir = tmp_path / "index"
    build_index([str(tree)], index_dir)
    archive = Archive(index_dir)
    before = archive.search(SearchRequest(query="*"))
    assert before.facets["publication"] == {"Reuters": 40}

    extra = {"id": "gazette-1", "headline": "Harbour reopens", "body": "The harbour reopened today.",
             "publication": "Harbour Gazette", "date": "1999-05-04"}
    (tree / "d0" / "zz-extra.json").write_text(json.dumps(extra), encoding="utf-8")
    build_index([str(tree)], index_dir)

    after = archive.search(SearchRequest(query="*"))
    assert after.facets["publication"] == {"Reuters": 40, "Harbour Gazette": 1}
    assert "1999" in after.facets["year"]
    newest = archive.search(SearchRequest(query="*", sort="newest", group_versions=False))
    assert newest.hits[0].id == "gazette-1"


def test_newest_first_with_version_grouping_after_a_short_article(tmp_path):
    tree = _tree(tmp_path / "tree", _records(40))
    index_dir = tmp_path / "index"
    build_index([str(tree)], index_dir)
    short = {"id": "gazette-1", "headline": "Harbour reopens", "body": "The harbour reopened today.",
             "publication": "Harbour Gazette", "date": "1999-05-04"}
    (tree / "d0" / "zz-extra.json").write_text(json.dumps(short), encoding="utf-8")
    build_index([str(tree)], index_dir)
    newest = Archive(index_dir).search(SearchRequest(query="*", sort="newest"))
    assert newest.hits[0].id == "gazette-1"
