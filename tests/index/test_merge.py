"""The array-level segment merge (indexer.index.merge) against a single build.

Real articles (the seed story, 1,000 Reuters records, the bundled HTML pages
and a Korean page whose Hangul words are several terms each) are written as
several segments, some of their documents deleted, and merged. The merged
segment must be, file for file and byte for byte, the segment one task writes
from the surviving documents; a merge run twice leaves the same names and
bytes; and a build that merges its segments answers the query set of
tests/index/test_segment.py with the totals, hits, scores, snippets, facets
and stored fields of a build written as one segment.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from indexer.index import codec, merge, store, tasks
from indexer.index.build import build_index
from indexer.index.schema import article_to_document, make_schema
from indexer.index.segment import commit_segments, write_segment
from indexer.ingest import read_source
from indexer.ingest.article import Article
from indexer.search.archive import Archive
from tests.index import test_segment
from tests.index.test_segment import QUERIES, _request

corpus = test_segment.corpus  # the same real articles: the small corpus and a Korean page


@pytest.fixture(scope="module")
def documents(corpus) -> list[dict]:
    articles = [item for path in sorted(p for p in corpus.rglob("*") if p.is_file())
                for item in read_source(path, str(path)) if isinstance(item, Article)]
    assert len(articles) > 1000
    return [article_to_document(a) for a in articles]


def _segment(folder: Path, name: str, documents: list[dict]):
    """`documents` as one loose segment named `name` in `folder`, as a build task writes it."""
    ix = whoosh_index.create_in(str(folder), make_schema()) if not whoosh_index.exists_in(str(folder)) \
        else whoosh_index.open_dir(str(folder))
    return write_segment(ix, documents, codec=tasks._NamedSegmentCodec(name))


def _files(folder: Path, segment) -> dict[str, bytes]:
    """A segment's files by extension (the part after its name)."""
    prefix = segment.segment_id()
    return {p.name[len(prefix):]: p.read_bytes() for p in folder.iterdir() if p.name.startswith(prefix + ".")}


def _cuts(documents: list[dict]) -> list[list[dict]]:
    """Five consecutive runs of uneven length."""
    n = len(documents)
    bounds = [0, 3, n // 3, n // 3 + 40, n - 200, n]
    return [documents[a:b] for a, b in zip(bounds, bounds[1:])]


@pytest.mark.parametrize("block_limit, chunk_bytes", [(None, None), (16, 3000)], ids=["as-built", "streamed"])
def test_a_merge_is_the_single_segment_of_the_surviving_documents(documents, tmp_path, monkeypatch,
                                                                  block_limit, chunk_bytes):
    """"streamed": blocks of 16 postings and 3,000-byte chunks, so the common
    words' postings (many blocks, larger than a chunk) are merged a piece at a
    time, and a piece ends inside a run of deleted documents."""
    streamed = []
    if chunk_bytes:
        monkeypatch.setattr(codec, "BLOCK_LIMIT", block_limit)
        monkeypatch.setattr(merge, "CHUNK_BYTES", chunk_bytes)
        write_pieces = codec.ArrayFieldWriter.add_term_pieces

        def spy(writer, fieldname, fieldobj, term, pieces):
            pieces = list(pieces)
            streamed.append(len(pieces))
            return write_pieces(writer, fieldname, fieldobj, term, iter(pieces))

        monkeypatch.setattr(codec.ArrayFieldWriter, "add_term_pieces", spy)
    gen = tmp_path / "gen"
    gen.mkdir()
    runs = _cuts(documents)
    segments = [_segment(gen, f"part{k}", run) for k, run in enumerate(runs)]
    # deletions: every 7th document of the second run, the whole third run,
    # and the Korean page (the only document with Hangul terms: they must go too)
    korean = {(k, i) for k, run in enumerate(runs) for i, d in enumerate(run) if "엘제이" in d["body"]}
    assert len(korean) == 1
    deleted = {(1, i) for i in range(0, len(runs[1]), 7)} | {(2, i) for i in range(len(runs[2]))} | korean
    for k, i in deleted:
        segments[k].delete_document(i)
    merged = tasks.run_merge(tasks.MergeTask(str(gen), tuple(segments)))

    surviving = [d for k, run in enumerate(runs) for i, d in enumerate(run) if (k, i) not in deleted]
    single_folder = tmp_path / "single"
    single_folder.mkdir()
    single = _segment(single_folder, "single", surviving)

    assert merged.doc_count_all() == single.doc_count_all() == len(surviving) == len(documents) - len(deleted)
    assert merged.deleted_count() == 0
    # exact field-length totals (BM25F's average lengths), not re-totalled from one-byte lengths
    assert dict(merged._fieldlengths) == dict(single._fieldlengths)
    assert set(merged._fieldlengths) >= {"headline", "body", "captions", "publication"}
    expected = _files(single_folder, single)
    assert {".trm", ".pst", "._stored.col", "._body_len.col", ".date.col", ".dup_signature.col"} <= set(expected)
    got = _files(gen, merged)
    assert got.keys() == expected.keys()
    for ext in expected:
        assert got[ext] == expected[ext], ext
    assert not list(gen.glob(tasks.UNFINISHED_PREFIX + "*")), "the temporary folder is gone"
    if chunk_bytes:
        assert len(streamed) > 10 and max(streamed) > 5, streamed


def test_the_merged_segment_keeps_what_the_inputs_hold(documents, tmp_path):
    """Read back through Whoosh: stored fields in order, deleted ones gone, postings renumbered."""
    gen = tmp_path / "gen"
    gen.mkdir()
    runs = _cuts(documents)
    segments = [_segment(gen, f"part{k}", run) for k, run in enumerate(runs)]
    segments[3].delete_document(5)
    merged = tasks.run_merge(tasks.MergeTask(str(gen), tuple(segments)))
    commit_segments(whoosh_index.open_dir(str(gen)), [merged])  # the TOC lists the merged segment alone
    ix = whoosh_index.open_dir(str(gen))
    assert [s.segid for s in ix._segments()] == [merged.segid]
    with ix.searcher() as searcher:
        ids = [fields["id"] for fields in searcher.all_stored_fields()]
        gone = runs[3][5]["id"]
        assert ids == [d["id"] for run in runs for d in run if d["id"] != gone]
        assert not list(searcher.document_numbers(id=gone))
        last = runs[4][-1]
        assert searcher.document_number(id=last["id"]) == len(ids) - 1
        assert searcher.stored_fields(len(ids) - 1)["headline"] == last["headline"]


def test_a_merge_run_twice_leaves_the_same_names_and_bytes(documents, tmp_path):
    gen = tmp_path / "gen"
    gen.mkdir()
    segments = [_segment(gen, f"part{k}", run) for k, run in enumerate(_cuts(documents)[:3])]
    segments[1].delete_document(0)
    task = tasks.MergeTask(str(gen), tuple(segments))
    first = tasks.run_merge(task)
    files = {p.name: p.read_bytes() for p in gen.iterdir() if p.is_file()}
    second = tasks.run_merge(task)
    assert first.segid == second.segid == task.name
    assert {p.name: p.read_bytes() for p in gen.iterdir() if p.is_file()} == files
    assert not list(gen.glob(tasks.UNFINISHED_PREFIX + "*"))


@pytest.fixture(scope="module")
def builds(corpus, tmp_path_factory) -> dict[str, Path]:
    """"one": the corpus written as one segment; "merged": as many small
    segments, merged at commit into one (FULL_BUILD_SEGMENTS forced to 1)."""
    folder = tmp_path_factory.mktemp("builds")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(tasks, "TASK_TEXT_BYTES", 10**12)
        report = build_index([str(corpus)], folder / "one", full=True, jobs=1)
        assert not report.failures and report.segments == 1
        mp.setattr(tasks, "TASK_TEXT_BYTES", 300_000)
        mp.setattr(tasks, "SEGMENT_TEXT_BYTES", 200_000)
        mp.setattr("indexer.limits.FULL_BUILD_SEGMENTS", 1)
        report = build_index([str(corpus)], folder / "merged", full=True, jobs=2)
        assert not report.failures and report.segments == 1 and report.tasks >= 3
    return {name: folder / name for name in ("one", "merged")}


def test_a_merged_build_answers_as_a_single_segment_build(builds):
    one, merged = Archive(builds["one"]), Archive(builds["merged"])
    found = 0
    for spec in QUERIES:
        a, b = one.search(_request(spec)), merged.search(_request(spec))
        ja, jb = a.to_json(), b.to_json()  # totals, page-1 ids, snippets, facets
        ja.pop("took_ms")
        jb.pop("took_ms")
        assert ja == jb, spec
        assert a.publication_choices == b.publication_choices, spec
        assert [h.score for h in a.hits] == [h.score for h in b.hits], spec   # exactly: same lengths and totals
        found += bool(a.total)
    assert found >= len(QUERIES) - 3
    assert any(h.snippet for h in one.search(_request({"query": "oil prices"})).hits)


def test_a_merged_build_stores_the_same_fields(builds):
    def stored(index_dir: Path) -> list[dict]:
        ix = whoosh_index.open_dir(str(store.live_generation(index_dir)))
        assert len(ix._segments()) == 1
        with ix.searcher() as searcher:
            return list(searcher.all_stored_fields())

    a, b = stored(builds["one"]), stored(builds["merged"])
    assert len(a) > 1000 and a == b
