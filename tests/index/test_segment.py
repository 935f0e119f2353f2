"""The batch segment writer (indexer.index.segment) against Whoosh's own writer.

The same real articles (1,000 Reuters records, the HTML pages, the Daily NK
seed and a Korean page, whose Hangul words become several terms each) are
built twice by `build_index`: once with the full build's writer (batches
written as segments by writer processes) and once with Whoosh's plain
`SegmentWriter` adding one document at a time. Searches over both must give
the same totals, hits, scores, snippets, facets, suggestions and versions;
every posting of every term must be the same; and the batch analysis must
give the tokens the one-at-a-time tokenizer gives.
"""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
from whoosh import index as whoosh_index

from indexer import whoosh_internals
from indexer.index import store, tasks
from indexer.index.analysis import BatchAnalyzer, NewsTextTokenizer
from indexer.index.build import build_index
from indexer.index.vocabulary import article_words
from indexer.search.archive import Archive, SearchRequest
from tests.conftest import FIXTURES, copy_small_corpus

QUERIES = [
    {"query": q} for q in (
        "oil", "coffee", "cocoa", "dividend", "cooperated", "bundesbank", "sojourn", "pollution",
        "oil prices", "interest rates cut", "bank of japan intervention", "north korea workers",
        '"interest rates"', '"inc said it"', '"the company said"', '"letter of intent"', '"hong kong"',
        "petro*", "comp*", "tele*", "headline:coffee", "captions:bridge", "body:debt -oil",
        "cofee", "intrest rates", "서울", "류현진", "disney OR nasa", "moon landers",
    )
] + [
    {"query": "oil", "page": 2}, {"query": "said", "page": 3, "per_page": 20},
    {"query": "shares", "sort": "newest"}, {"query": "profit", "sort": "oldest"},
    {"query": "bank", "publications": ("Reuters",)},
    {"query": "grain", "date_from": "1987-02-26", "date_to": "1987-03-05"},
    {"query": "", "sort": "newest"},
]


def _request(spec: dict) -> SearchRequest:
    from indexer.ingest.dates import parse_day

    spec = dict(spec)
    for key, end in (("date_from", False), ("date_to", True)):
        if key in spec:
            spec[key] = parse_day(spec[key], end=end)
    return SearchRequest(**spec)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    dest = copy_small_corpus(tmp_path_factory.mktemp("segment") / "corpus")
    (dest / "korean").mkdir()
    shutil.copy(FIXTURES / "korean" / "entermedia-lj-ryu.html.gz", dest / "korean")
    return dest


@pytest.fixture(scope="module")
def indexes(corpus, tmp_path_factory) -> dict[str, Path]:
    """"one": the batch writer, one segment; "many": the batch writer with
    small batches in writer processes (several segments, as at archive
    scale); "plain": Whoosh's writer, a document at a time."""
    folder = tmp_path_factory.mktemp("indexes")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(tasks, "TASK_TEXT_BYTES", 10**12)         # one task, one segment
        report = build_index([str(corpus)], folder / "one", full=True, jobs=1)
        assert not report.failures, report.failures
        mp.setattr(tasks, "TASK_TEXT_BYTES", 400_000)        # tasks in worker processes
        mp.setattr(tasks, "SEGMENT_TEXT_BYTES", 250_000)
        report = build_index([str(corpus)], folder / "many", full=True, jobs=2)
        assert not report.failures, report.failures
        mp.setattr(tasks, "TASK_TEXT_BYTES", 10**12)
        mp.setattr(tasks, "SEGMENT_TEXT_BYTES", 10**12)
        mp.setattr(tasks, "write_segment", _whoosh_writer_segment)
        report = build_index([str(corpus)], folder / "plain", full=True, jobs=2)
        assert not report.failures, report.failures
    return {name: folder / name for name in ("one", "many", "plain")}


def _whoosh_writer_segment(ix, documents, codec, words, signatures):
    """A task's segment written by Whoosh's own writer, a document at a time,
    its vocabulary words found by `article_words` over each document's texts
    and its signatures by `signatures.fields_of` over each headline and body
    (the batch writer makes both from its own analysis)."""
    from whoosh.writing import SegmentWriter

    from indexer.index.signatures import fields_of

    assert signatures
    writer = SegmentWriter(ix, codec=codec)
    for document, signature in zip(documents, fields_of((doc["headline"], doc["body"]) for doc in documents)):
        document.update(signature)
        writer.add_document(**document)
        words.update(article_words(document["headline"], document["captions"], document["body"]))
    return whoosh_internals.finish_segment(writer)


def _open(index_dir: Path):
    return whoosh_index.open_dir(str(store.live_generation(index_dir)))


def test_the_batch_build_writes_one_or_several_segments(indexes):
    assert len(_open(indexes["one"])._segments()) == 1
    assert len(_open(indexes["many"])._segments()) >= 3
    assert len(_open(indexes["plain"])._segments()) == 1
    assert _open(indexes["many"]).doc_count() == _open(indexes["plain"]).doc_count() > 1000


def _compare(batch: Archive, plain: Archive, exact: bool) -> int:
    found = 0
    for spec in QUERIES:
        a, b = batch.search(_request(spec)), plain.search(_request(spec))
        ja, jb = a.to_json(), b.to_json()  # scores rounded to 4 places
        ja.pop("took_ms")
        jb.pop("took_ms")
        assert ja == jb, spec
        assert a.publication_choices == b.publication_choices, spec
        scores_a, scores_b = [h.score for h in a.hits], [h.score for h in b.hits]
        assert scores_a == scores_b if exact else scores_a == pytest.approx(scores_b, rel=1e-12), spec
        found += bool(a.total)
    return found


def test_searches_give_the_same_results(indexes):
    found = _compare(Archive(indexes["one"]), Archive(indexes["plain"]), exact=True)
    assert found >= len(QUERIES) - 3  # the set mostly finds something


def test_searches_over_several_segments_give_the_same_results(indexes):
    """Several segments sum BM25F's statistics in another order: scores may
    differ in the last bits (as with Whoosh's own multi-segment writer)."""
    _compare(Archive(indexes["many"]), Archive(indexes["plain"]), exact=False)


def test_suggestions_and_versions_are_compared_on_real_cases(indexes):
    """The comparison above is only worth something if it covers suggestions and versions."""
    archive = Archive(indexes["plain"])
    assert archive.search(_request({"query": "cofee"})).suggestion
    assert any(h.duplicates for spec in QUERIES for h in archive.search(_request(spec)).hits)


def _all_postings(ix) -> dict:
    out = {}
    with ix.searcher() as searcher:
        reader = searcher.reader()
        stored = {n: f["id"] for n, f in enumerate(reader.all_stored_fields())}
        for fieldname, text in reader.all_terms():
            m = reader.postings(fieldname, text)
            found = []
            while m.is_active():
                found.append((stored[m.id()], m.weight(), m.value()))
                m.next()
            out[fieldname, text] = sorted(found)
    return out


def test_every_term_has_the_same_postings(indexes):
    a, b = _all_postings(_open(indexes["many"])), _all_postings(_open(indexes["plain"]))
    assert a.keys() == b.keys()
    assert any(field == "body" and "\uac00" <= text.decode()[:1] <= "\ud7af" for field, text in a)  # Hangul
    for key in a:
        assert a[key] == b[key], key


@pytest.mark.parametrize("ascii_only", [False, True], ids=["any text", "ASCII texts (array spans)"])
def test_batch_analysis_gives_the_tokenizers_tokens(corpus, ascii_only):
    from indexer.ingest import read_source

    texts = []
    for path in sorted(corpus.rglob("*")):
        if path.is_file():
            texts += [a.body for a in read_source(path, str(path)) if hasattr(a, "body")]
    texts += ["", "Un\u2019s visit: O'Neil's, l'été, 서울에서 ŞEHİR İstanbul", "a", "'a' b'' ''c d'e'f_ 'g_'h'"]
    if ascii_only:  # a batch of ASCII texts finds its words' spans with array operations
        texts = [text for text in texts if text.isascii()]
    tokenizer = NewsTextTokenizer()
    analyzer = BatchAnalyzer(tokenizer)
    tokens = analyzer.analyse(texts)
    got = list(zip([analyzer.terms[i] for i in tokens.term_ids.tolist()], tokens.text_of.tolist(),
                   tokens.positions.tolist(), tokens.starts.tolist(), tokens.ends.tolist()))
    expected = [(term, i, pos, start, end) for i, text in enumerate(texts)
                for term, pos, start, end in tokenizer.spans(text)]
    assert len(expected) > 100_000
    assert got == expected
    assert tokens.counts.tolist() == [sum(1 for _ in tokenizer.spans(t)) for t in texts]


@pytest.mark.parametrize("n_keys", [1, 300, 1 << 16, (1 << 16) + 1, 5_000_000])
def test_postings_order_is_a_stable_sort(n_keys):
    """Tokens are grouped into postings by a stable sort of their terms' ranks
    (a radix sort of 16-bit halves: two passes past 65,536 terms)."""
    from indexer.index.segment import _stable_order

    keys = np.random.default_rng(n_keys).integers(0, n_keys, 100_000)
    assert _stable_order(keys, n_keys).tolist() == np.argsort(keys, kind="stable").tolist()


@pytest.mark.parametrize("name", ["id", "url", "source", "year", "month", "publication_key", "date", "publication"])
def test_a_values_terms_are_whooshs(name):
    """A value field's terms, made without Whoosh's generators (an ID field's
    one term, a date's precision steps), are what the field's `index` gives."""
    from datetime import datetime

    from indexer.index.schema import make_schema
    from indexer.index.segment import _index_value

    field = make_schema()[name]
    values = ([datetime(1987, 3, 26, 14, 5), datetime(2024, 2, 29)] if name == "date" else
              ["reuters-1", "A b/C", "é\u2019x ü", "", " x ", "서울"])
    for value in values:
        assert _index_value(field, value) == list(field.index(value))


def test_dates_as_numbers_are_whooshs():
    """Dates become numbers many at once (numpy's microseconds): the values
    DATETIME's column and sortable terms hold, from year 1 to 9999."""
    import random
    from datetime import datetime, timedelta

    from indexer.index.schema import make_schema
    from indexer.index.segment import _datetime_longs

    field = make_schema()["date"]
    rnd = random.Random(5)
    dates = [datetime(1, 1, 1), datetime(9999, 12, 31, 23, 59, 59, 999999), datetime(1970, 1, 1),
             datetime(1969, 12, 31, 23, 59, 59, 999999)]
    dates += [datetime(1, 1, 1) + timedelta(microseconds=rnd.randrange(315_537_897_600_000_000)) for _ in range(2000)]
    assert _datetime_longs(field, dates) == [field.to_column_value(date) for date in dates]
    assert _datetime_longs(field, [dates[0], "2020-01-01"]) is None
    assert _datetime_longs(make_schema()["id"], dates) is None


def _stored_by_id(ix) -> dict[str, dict]:
    with ix.searcher() as searcher:
        return {fields["id"]: fields for fields in searcher.reader().all_stored_fields()}


@pytest.mark.parametrize("name", ["one", "many"])
def test_every_document_stores_what_whooshs_writer_stores(indexes, name):
    """The batch writer compresses stored fields otherwise than W3's column
    (`codec.compress_stored_fields`); W3's reader gives back every field of
    every document as Whoosh's own writer stored it."""
    batch, plain = _stored_by_id(_open(indexes[name])), _stored_by_id(_open(indexes["plain"]))
    assert batch.keys() == plain.keys() and len(batch) > 1000
    assert all(batch[key] == plain[key] for key in plain)
    assert {type(value) for fields in batch.values() for value in fields.values()} >= {str, datetime}


def test_every_term_is_found_through_the_term_tables_hashes(indexes):
    """Each segment's term table (keys hashed with crc32) answers a lookup of
    every key it holds with that key's term info, and of a key it does not
    hold with nothing, through Whoosh's own reader."""
    from whoosh.filedb.filetables import OrderedHashReader

    ix = _open(indexes["many"])
    looked_up = 0
    for segment in ix._segments():
        name = segment.make_filename(segment.codec().TERMS_EXT)
        table = OrderedHashReader.open(ix.storage, name) if not segment.is_compound() else \
            OrderedHashReader.open(segment.open_compound_file(ix.storage), name)
        assert table.hashtype == whoosh_internals.TERM_HASH_TYPE
        items = list(table.items())
        assert all(table[key] == value for key, value in items)
        assert not any(key + b"\xff" in table for key, _ in items[::50])
        looked_up += len(items)
        table.close()
    assert looked_up > 10000
