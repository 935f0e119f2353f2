"""The array posting codec (indexer.index.codec) against Whoosh's own W3 codec.

The same 1,000 real Reuters articles are written once with each codec, one
writer each (so document numbers agree); every term of every field must then
give the same postings (ids, weights, values) through Whoosh's matcher
interface, through skip_to, and through the array reads indexer.search.collect uses.
"""

from __future__ import annotations

import gzip
import random
from array import array

import numpy as np
import pytest
from whoosh.codec.whoosh3 import W3Codec, W3TermInfo
from whoosh.filedb.filestore import RamStorage
from whoosh.formats import Characters, Existence, Positions
from whoosh.reading import CorruptIndexError

from indexer.index.codec import BlockArrayMatcher, NewsCodec, encode_gaps, encode_weights
from indexer.index.schema import article_to_document, make_schema
from indexer.ingest.records import read_records
from indexer.ingest.text import read_text
from indexer.search.collect import _blocks
from tests.conftest import CORPUS

ARTICLES = 1000
BLOCK = 200  # smaller than the codec's default, so that common words span several blocks


@pytest.fixture(scope="module")
def documents() -> list[dict]:
    path = CORPUS / "reuters21578" / "reut2-000.jsonl.gz"
    articles = list(read_records(gzip.decompress(path.read_bytes()), str(path), "jsonl"))[:ARTICLES]
    assert len(articles) == ARTICLES
    seed = CORPUS / "dailynk" / "sojourn.txt"  # the seed article: captions too
    articles.insert(500, read_text(seed.read_bytes(), str(seed)))
    return [article_to_document(a) for a in articles]


def _index(documents: list[dict], codec):
    storage = RamStorage()
    ix = storage.create_index(make_schema())
    with ix.writer(codec=codec) as writer:
        for doc in documents:
            writer.add_document(**doc)
    return ix


@pytest.fixture(scope="module")
def readers(documents):
    plain = _index(documents, W3Codec()).reader()
    arrays = _index(documents, NewsCodec(blocklimit=BLOCK)).reader()
    yield plain, arrays
    plain.close()
    arrays.close()


def _postings(m) -> list[tuple]:
    out = []
    while m.is_active():
        out.append((m.id(), m.weight(), m.value()))
        m.next()
    return out


def test_every_term_has_the_same_postings_as_with_whoosh_w3(readers):
    plain, arrays = readers
    terms = list(plain.all_terms())
    assert terms == list(arrays.all_terms())
    fields = {f for f, _ in terms}
    assert {"headline", "body", "captions", "publication", "id"} <= fields
    long_lists = 0
    for fieldname, text in terms:
        expected = _postings(plain.postings(fieldname, text))
        m = arrays.postings(fieldname, text)
        assert type(m) is BlockArrayMatcher
        assert _postings(m) == expected, (fieldname, text)
        long_lists += len(expected) > BLOCK  # spans more than one array block
    assert long_lists > 0


def test_array_reads_match_the_per_posting_reads(readers):
    _plain, arrays = readers
    for fieldname, text in [("body", b"said"), ("body", b"oil"), ("headline", b"coffe"),
                            ("captions", b"photo"), ("publication", b"reuter")]:
        if (fieldname, text) not in arrays:
            continue
        expected = _postings(arrays.postings(fieldname, text))
        ids, weights, values = _blocks(arrays.postings(fieldname, text), True, True)
        assert ids.tolist() == [p[0] for p in expected]
        assert weights.tolist() == [p[1] for p in expected]
        assert [values[k] for k in range(len(ids))] == [p[2] for p in expected]
        assert values.pick(np.arange(0, len(ids), 7)) == [p[2] for p in expected][::7]


def test_skip_to_lands_where_whoosh_w3_lands(readers):
    plain, arrays = readers
    rng = random.Random(7)
    for text in (b"said", b"the", b"oil", b"compani"):
        a, b = plain.postings("body", text), arrays.postings("body", text)
        while a.is_active():
            target = a.id() + rng.choice((1, 2, 5, 40, 300, 2000))
            a.skip_to(target)
            b.skip_to(target)
            assert a.is_active() == b.is_active()
            if a.is_active():
                assert (a.id(), a.weight(), a.value()) == (b.id(), b.weight(), b.value())


def test_the_body_says_the_same_through_phrases_and_characters(readers):
    plain, arrays = readers
    for reader in (plain, arrays):
        m = reader.postings("body", b"said")
        m.skip_to(500)
        assert m.value_as("characters")  # offsets decode from the array block
    a, b = plain.postings("body", b"oil"), arrays.postings("body", b"oil")
    assert [a.value_as("positions") for _ in [a.next() for _ in range(3)]] == \
        [b.value_as("positions") for _ in [b.next() for _ in range(3)]]


def _write(fmt, postings: list[tuple[int, float, bytes]], codec=None):
    """One posting list written with the codec's writer, and a matcher over it."""
    codec = codec or NewsCodec(blocklimit=8)
    storage = RamStorage()
    f = storage.create_file("p")
    writer = codec.postings_writer(f)
    writer.start_postings(fmt, W3TermInfo())
    for docnum, weight, value in postings:
        writer.add_posting(docnum, weight, value)
    info = writer.finish_postings()
    data = f.file.getvalue()
    f.close()
    read = storage.create_file("r")
    read.write(data)
    read.close()
    return codec.postings_reader(storage.open_file("r"), info, fmt)


@pytest.mark.parametrize("weights", [
    [1.0] * 20,                                  # all ones: nothing stored
    [2.5] * 20,                                  # one value for all
    [float(i % 7 + 1) for i in range(20)],       # small whole numbers: one byte each
    [float(300 + i) for i in range(20)],         # larger whole numbers: two bytes
    [0.5 + i / 3 for i in range(20)],            # fractions: float32
    [float(i % 7 + 1) for i in range(100)],      # the numpy path (>= 32 postings)
    [0.25 * i + 0.1 for i in range(100)],
])
def test_weights_come_back_exactly(weights):
    fmt = Positions()
    ids = list(range(3, 3 + 3 * len(weights), 3))
    values = [fmt.encode([i, i + 4]) for i in range(len(weights))]
    m = _write(fmt, list(zip(ids, weights, values)))
    expected = [float(np.float32(w)) for w in weights]  # Whoosh's writer keeps float32
    assert _postings(m) == list(zip(ids, expected, values))


@pytest.mark.parametrize("gap", [1, 255, 256, 70_000])
def test_gaps_of_every_width(gap):
    ids = [5 + gap * k for k in range(50)]
    m = _write(Existence(), [(i, 1.0, b"") for i in ids])
    assert [p[0] for p in _postings(m)] == ids
    encoded, width = encode_gaps(array("I", ids))
    assert width == (1 if gap < 256 else 2 if gap < 65536 else 4)
    assert len(encoded) == width * len(ids)


def test_characters_values_of_varied_sizes():
    fmt = Characters()
    rng = random.Random(3)
    postings = []
    for docnum in range(0, 400, 3):
        poses = sorted(rng.sample(range(2000), rng.randint(1, 120)))
        postings.append((docnum, float(len(poses)), fmt.encode([(p, p * 6, p * 6 + 5) for p in poses])))
    m = _write(fmt, postings, NewsCodec(blocklimit=16))
    assert _postings(m) == postings
    m = _write(fmt, postings, NewsCodec(blocklimit=16))
    m.skip_to(200)
    assert m.value_as("characters") == fmt.decode_characters(postings[67][2])


def test_weight_kinds_are_compact():
    assert encode_weights(array("f", [1.0] * 9)) == (b"", 0)
    assert len(encode_weights(array("f", [1.0, 2.0, 3.0]))[0]) == 3
    assert len(encode_weights(array("f", [1.0, 2.0, 70000.0]))[0]) == 12


def test_a_damaged_block_is_reported_as_a_damaged_index():
    fmt = Positions()
    codec = NewsCodec()
    storage = RamStorage()
    f = storage.create_file("p")
    writer = codec.postings_writer(f)
    writer.start_postings(fmt, W3TermInfo())
    writer.add_posting(1, 1.0, fmt.encode([0]))
    info = writer.finish_postings()
    data = bytearray(f.file.getvalue())
    f.close()
    data[:4] = b"W3Bl"  # a W3 block where an array block should be
    read = storage.create_file("r")
    read.write(bytes(data))
    read.close()
    with pytest.raises(CorruptIndexError, match="rebuild"):
        codec.postings_reader(storage.open_file("r"), info, fmt)


@pytest.mark.parametrize("formats", ["arrays", "arrays-in-w3-blocks", "whoosh"])
def test_phrases_read_positions_of_every_value_format(documents, formats):
    """Exact phrases are matched from positions read as arrays: int32 values
    in array blocks (schema 6) block by block, int32 values in W3 blocks
    value by value, Whoosh's pickled values (indexes built before) one by
    one. Each must find exactly the documents Whoosh's own phrase matcher finds."""
    from whoosh.qparser import QueryParser

    from indexer.index.analysis import CharactersFormat, PositionsFormat
    from indexer.search.collect import scan

    schema = make_schema()
    codec = NewsCodec(blocklimit=BLOCK)
    if formats == "whoosh":
        for name in ("headline", "captions", "body"):
            boost = schema[name].format.field_boost
            schema[name].format = (CharactersFormat if name == "body" else PositionsFormat)(field_boost=boost)
        codec = W3Codec()
    if formats == "arrays-in-w3-blocks":
        codec = W3Codec()
    ix = RamStorage().create_index(schema)
    with ix.writer(codec=codec) as writer:
        for doc in documents:
            writer.add_document(**doc)
    with ix.searcher() as searcher:
        checked = 0
        for text in ['"the company said"', '"inc said it"', '"crude oil"', '"said it"',
                     '"of the"', '"u.s. agriculture department"', '"no such phrase here"']:
            q = QueryParser("body", schema).parse(text)
            expected = sorted(hit.docnum for hit in searcher.search(q, limit=None))
            assert scan(searcher, q, None, scored=False).docnums.tolist() == expected, text
            checked += len(expected)
        assert checked > 500


def _postings_by_article(ix) -> dict:
    """term -> sorted (article id, weight, value): comparable across segment layouts."""
    out = {}
    with ix.searcher() as searcher:
        for leaf, _base in searcher.reader().leaf_readers():
            ids = [leaf.stored_fields(n)["id"] for n in range(leaf.doc_count_all())]
            for term in leaf.all_terms():
                m = leaf.postings(*term)
                while m.is_active():
                    out.setdefault(term, []).append((ids[m.id()], m.weight(), m.value()))
                    m.next()
    return {term: sorted(found) for term, found in out.items()}
