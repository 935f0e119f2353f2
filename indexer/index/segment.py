"""Write one finished index segment from a batch of documents, a field at a time.

Whoosh's writer takes a document at a time: every field of every document
goes through the analyzer's generator, a posting tuple per term, the pool and
the per-posting block writer. Here a whole batch is analysed per field
(`analysis.BatchAnalyzer`: one regular-expression split, each distinct word
stemmed once), the postings of all its terms are built with numpy (grouped by
a stable sort of term ranks) and written as blocks straight from the arrays
(`codec.ArrayFieldWriter.add_term_arrays`). Stored fields, lengths and columns
are written a column at a time. The segment reads as one written by Whoosh's
writer with `codec.NewsCodec` does (its stored fields compressed faster:
`codec.compress_stored_fields`; tests/index/test_segment.py compares both).

`write_segment` is what a build task calls: it writes one complete segment
into an index folder and returns it; the coordinator commits all tasks'
segments at once with `commit_segments`. Tasks may run in parallel on the
same folder (segment files have random names).
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Sequence

import numpy as np
from whoosh.analysis import IDTokenizer
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3Segment
from whoosh.columns import VarBytesColumn
from whoosh.fields import DATETIME
from whoosh.formats import Existence
from whoosh.index import TOC, FileIndex, clean_files
from whoosh.util.numeric import length_to_byte, to_sortable
from whoosh.util.times import datetime_to_long

from indexer import whoosh_internals
from indexer.index import signatures as minhash
from indexer.index.analysis import BatchAnalyzer, FieldTokens, NewsTextTokenizer
from indexer.index.codec import NewsCodec, TermArrays, compress_stored_fields
from indexer.index.merge import STORED
from indexer.index.vocabulary import article_words


def write_segment(ix: FileIndex, documents: Sequence[dict], codec: NewsCodec | None = None,
                  words: Counter | None = None, signatures: bool = False) -> W3Segment:
    """Write `documents` (`schema.article_to_document` dicts, in order: they get
    document numbers 0..n-1 in the segment) into one new segment of `ix`'s
    folder and return it, uncommitted: the index does not list it until
    `commit_segments`. The schema is `ix`'s. With `words`, each vocabulary
    word (`vocabulary.article_words`) is counted there once per document
    that has it, from the same text analysis. With `signatures`, each document
    gets its MinHash signature field (`signatures.fields_of` of its headline
    and body), also from that analysis."""
    codec = codec or NewsCodec()
    schema = ix.schema
    storage = ix.storage
    segment = codec.new_segment(storage, ix.indexname)
    fields = codec.field_writer(storage, segment)
    try:
        lengths = _write_postings(fields, schema, documents, words, signatures)
    finally:
        if not fields.is_closed:
            fields.close()
    _write_documents(storage, segment, schema, documents, lengths)
    segment.set_doc_count(len(documents))
    if segment.should_assemble():
        segment.create_compound_file(storage)
        segment.compound = True
    return segment


def commit_segments(ix: FileIndex, segments: Sequence[W3Segment]) -> None:
    """Make `segments` (from `write_segment` on `ix`'s folder) part of the index:
    one new table of contents listing the index's segments and these, under
    the index's write lock. Until then a reader sees none of them."""
    lock = ix.lock("WRITELOCK")
    if not lock.acquire(blocking=True):
        raise RuntimeError("could not take the index's write lock")
    try:
        toc = whoosh_internals.read_toc(ix)
        kept = list(toc.segments) + list(segments)
        TOC(toc.schema, kept, toc.generation + 1).write(ix.storage, ix.indexname)
        clean_files(ix.storage, ix.indexname, toc.generation + 1, kept)
    finally:
        lock.release()
    _remove_temp_folder(ix)


def _remove_temp_folder(ix: FileIndex) -> None:
    """The per-document writers' scratch folder (its files are already gone)."""
    import os

    folder = getattr(ix.storage, "folder", None)
    if folder:
        try:
            os.rmdir(os.path.join(folder, f"{ix.indexname}.tmp"))
        except OSError:
            pass  # absent, or another writer still uses it


def _is_batch_text(field) -> bool:
    """A field the batch analyzer can index: our text analyzer, positions as arrays."""
    return isinstance(field.analyzer, NewsTextTokenizer) and getattr(field.format, "array_stride", 0) > 0


def _write_postings(fields, schema, documents: Sequence[dict], words: Counter | None = None,
                    signatures: bool = False) -> dict[str, list[int]]:
    """Every indexed field's postings; returns each field's length per document.
    With `words`, the documents' vocabulary words are counted into it; with
    `signatures`, each document gets its signature field."""
    names = sorted({name for doc in documents for name in doc if not name.startswith("_")})
    analyzer: BatchAnalyzer | None = None
    lengths: dict[str, list[int]] = {}
    analysed: dict[str, FieldTokens] = {}
    for name in names:
        field = schema[name]
        if not field.indexed:
            continue
        if _is_batch_text(field):
            if analyzer is None:
                analyzer = BatchAnalyzer(field.analyzer)
            postings, field_lengths, analysed[name] = _text_postings(analyzer, field, name, documents)
        else:
            postings, field_lengths = _value_postings(field, name, documents)
        if field.scorable:
            lengths[name] = field_lengths
        if postings is not None:
            fields.add_term_arrays(name, field, postings)
    if words is not None and analyzer is not None:
        _count_words(documents, analyzer, analysed, words)
    if signatures:
        _add_signatures(documents, analyzer, analysed)
    return lengths


def _add_signatures(documents: Sequence[dict], analyzer: BatchAnalyzer | None,
                    analysed: dict[str, tuple[np.ndarray, FieldTokens]]) -> None:
    """Add each document's signature field (`signatures.fields_of`), from the
    words the analysis found in headlines and bodies (`signatures.signatures_of_words`)."""
    texts = [(doc.get("headline") or "", doc.get("body") or "") for doc in documents]
    if analyzer is None or "headline" not in analysed or "body" not in analysed:
        sigs = minhash.signatures(texts)
    else:
        parts = [(doc_numbers[tokens.word_text_of], tokens.word_numbers)
                 for doc_numbers, tokens in (analysed["headline"], analysed["body"])]
        sigs = minhash.signatures_of_words(texts, analyzer.words, *parts)
    for doc, sig in zip(documents, sigs):
        if sig is not None:
            doc["dup_signature"] = minhash.encode(sig)


def _text_postings(analyzer: BatchAnalyzer, field, name: str, documents: Sequence[dict],
                   ) -> tuple[TermArrays | None, list[int], tuple[np.ndarray, FieldTokens]]:
    """A text field's postings, its length per document, and its analysis
    (with the document number of each text analysed)."""
    has = [i for i, doc in enumerate(documents) if doc.get(name) is not None]
    texts = [documents[i][name] for i in has]
    tokens = analyzer.analyse(texts)
    doc_numbers = np.asarray(has, dtype=np.int64)
    field_lengths = [0] * len(documents)
    for i, count in zip(has, tokens.counts.tolist()):
        field_lengths[i] = count
    if not len(tokens.term_ids):
        return None, field_lengths, (doc_numbers, tokens)
    return (_group(analyzer.terms, tokens, doc_numbers, field.format.array_stride, field.format.field_boost),
            field_lengths, (doc_numbers, tokens))


def _count_words(documents: Sequence[dict], analyzer: BatchAnalyzer,
                 analysed: dict[str, tuple[np.ndarray, FieldTokens]], words: Counter) -> None:
    """Count each vocabulary word once per document that has it, in any text
    field (headline, captions, body: what `article_words` reads). A document
    whose texts are all ASCII is counted from the analysis (`vocabulary.word_form`);
    any other by `article_words` over its texts."""
    names = sorted(analysed)
    from_analysis = np.fromiter((all(doc.get(name) is None or doc[name].isascii() for name in names)
                                 for doc in documents), dtype=bool, count=len(documents))
    n_forms = max(1, len(analyzer.forms))
    doc_parts, form_parts = [], []
    for doc_numbers, tokens in analysed.values():
        docs = doc_numbers[tokens.word_text_of]
        formed = tokens.word_forms >= 0
        from_analysis[docs[~formed]] = False  # (no ASCII word lacks a form: a safeguard)
        doc_parts.append(docs[formed])
        form_parts.append(tokens.word_forms[formed])
    if doc_parts:
        docs, forms_of = np.concatenate(doc_parts), np.concatenate(form_parts)
        kept = from_analysis[docs]
        docs, forms_of = docs[kept], forms_of[kept]
        # (form, document) pairs in order, by two stable radix sorts; each pair counted once
        order = _stable_order(docs, len(documents))
        order = order[_stable_order(forms_of[order], n_forms)]
        docs, forms_of = docs[order], forms_of[order]
        first = np.ones(len(docs), dtype=bool)
        first[1:] = (forms_of[1:] != forms_of[:-1]) | (docs[1:] != docs[:-1])
        counts = np.bincount(forms_of[first], minlength=n_forms)
        present = np.flatnonzero(counts)
        forms = analyzer.forms
        words.update(dict(zip([forms[i] for i in present.tolist()], counts[present].tolist())))
    for docnum in np.flatnonzero(~from_analysis).tolist():
        doc = documents[docnum]
        words.update(article_words(*(doc.get(name) or "" for name in names)))


def _group(terms: list[str], tokens: FieldTokens, doc_numbers: np.ndarray, stride: int,
           boost: float) -> TermArrays:
    """Tokens -> postings: one per (term, document), terms in byte order,
    documents ascending; a posting's value is `ArrayPositionsFormat`'s /
    `ArrayCharactersFormat`'s bytes (a big-endian count, then int32 numbers)."""
    present = np.flatnonzero(np.bincount(tokens.term_ids, minlength=len(terms)))
    names = [terms[i] for i in present.tolist()]
    order = sorted(range(len(names)), key=names.__getitem__)  # str order = UTF-8 byte order
    rank = np.empty(len(terms), dtype=np.int64)
    rank[present[order]] = np.arange(len(order))
    keys = rank[tokens.term_ids]
    by_term = _stable_order(keys, len(order))  # within a term: documents, positions in order
    keys = keys[by_term]
    docs = tokens.text_of[by_term]
    n = len(keys)
    new_posting = np.empty(n, dtype=bool)
    new_posting[0] = True
    np.not_equal(keys[1:], keys[:-1], out=new_posting[1:])
    new_posting[1:] |= docs[1:] != docs[:-1]
    posting_first = np.flatnonzero(new_posting)
    counts = np.diff(np.append(posting_first, n))
    posting_of = np.cumsum(new_posting) - 1
    # values: per posting, its count then `stride` numbers per occurrence
    value_starts = posting_first * stride + np.arange(len(posting_first))
    numbers = np.empty(len(posting_first) + n * stride, dtype="<i4")
    numbers[value_starts] = counts.astype(">u4").view("<i4")
    slots = posting_of + 1 + stride * np.arange(n)
    numbers[slots] = tokens.positions[by_term]
    if stride == 3:
        numbers[slots + 1] = tokens.starts[by_term]
        numbers[slots + 2] = tokens.ends[by_term]
    posting_keys = keys[posting_first]
    term_first = np.flatnonzero(np.diff(posting_keys, prepend=-1))
    return TermArrays(
        terms=[names[i].encode("utf-8") for i in order],
        term_starts=np.append(term_first, len(posting_first)),
        ids=doc_numbers[docs[posting_first]],
        weights=counts.astype(np.float32) * np.float32(boost),
        values=numbers.tobytes(),
        value_offsets=value_starts * 4,
        value_lengths=(counts * stride + 1) * 4,
    )


def _stable_order(keys: np.ndarray, n_keys: int) -> np.ndarray:
    """`np.argsort(keys, kind="stable")` of keys in [0, n_keys), n_keys <= 2**32:
    numpy's radix sort of 16-bit keys, once or twice (low half, then high half)."""
    if n_keys <= 1 << 16:
        return np.argsort(keys.astype(np.uint16), kind="stable")
    low = np.argsort((keys & 0xFFFF).astype(np.uint16), kind="stable")
    return low[np.argsort((keys[low] >> 16).astype(np.uint16), kind="stable")]


def _value_postings(field, name: str, documents: Sequence[dict]) -> tuple[TermArrays | None, list[int]]:
    """Postings of a field indexed by Whoosh's own `field.index` (ids, names,
    dates: few terms per document)."""
    if getattr(field, "shift_step", 0):
        numeric = _numeric_postings(field, name, documents)
        if numeric is not None:
            return numeric
    by_term: dict[bytes, list[tuple[int, float, bytes]]] = {}
    field_lengths = [0] * len(documents)
    seen_values: dict = {}  # publications, years, sources repeat: index each value once
    for docnum, doc in enumerate(documents):
        value = doc.get(name)
        if value is None:
            continue
        length = 0
        try:
            items = seen_values[value]
        except KeyError:
            items = seen_values[value] = _index_value(field, value)
        except TypeError:  # an unhashable value (a list)
            items = list(field.index(value))
        for tbytes, freq, weight, vbytes in items:
            length += freq
            seen = by_term.get(tbytes)
            if seen is None:
                by_term[tbytes] = [(docnum, weight, vbytes)]
            else:
                seen.append((docnum, weight, vbytes))
        field_lengths[docnum] = length
    if not by_term:
        return None, field_lengths
    terms = sorted(by_term)
    postings = [p for t in terms for p in by_term[t]]
    sizes = [len(by_term[t]) for t in terms]
    value_lengths = np.fromiter((len(p[2]) for p in postings), dtype=np.int64, count=len(postings))
    return TermArrays(
        terms=terms,
        term_starts=np.append(0, np.cumsum(sizes)),
        ids=np.fromiter((p[0] for p in postings), dtype=np.int64, count=len(postings)),
        weights=np.fromiter((p[1] for p in postings), dtype=np.float32, count=len(postings)),
        values=b"".join(p[2] for p in postings),
        value_offsets=np.cumsum(value_lengths) - value_lengths,
        value_lengths=value_lengths,
    ), field_lengths


def _numeric_postings(field, name: str, documents: Sequence[dict]) -> tuple[TermArrays | None, list[int]] | None:
    """`_value_postings` of a number or date field (one value per document) with
    array operations: a value's terms are its sortable number shifted right by
    every multiple of `shift_step` (`_index_value`), each a shift byte and the
    big-endian number; per shift, the distinct numbers in order are the terms
    and their documents the postings. None (the general path) for other values."""
    values, docs = [], []
    for docnum, doc in enumerate(documents):
        value = doc.get(name)
        if value is None:
            continue
        if isinstance(value, (list, tuple, bytes)):
            return None
        values.append(value)
        docs.append(docnum)
    field_lengths = [0] * len(documents)
    if not docs:
        return None, field_lengths
    longs = _datetime_longs(field, values)
    if longs is not None:  # a date's sortable number, as DATETIME.to_bytes makes it
        numbers = [to_sortable(field.numtype, field.bits, field.signed, long) for long in longs]
    else:
        exact: dict = {}
        numbers = []
        for value in values:
            data = exact.get(value)
            if data is None:
                data = exact[value] = field.to_bytes(value)
            numbers.append(int.from_bytes(data[1:], "big"))
    data = field.to_bytes(values[0])
    width = len(data) - 1
    if int.from_bytes(data[1:], "big") != numbers[0]:
        return None
    shifts = [0, *range(field.shift_step, field.bits, field.shift_step)]
    if width not in (1, 2, 4, 8) or [field.sortable_to_bytes(numbers[0], shift) for shift in shifts] != [
            bytes([shift]) + (numbers[0] >> shift).to_bytes(width, "big") for shift in shifts]:
        return None
    sortable = np.array(numbers, dtype=np.uint64)
    doc_numbers = np.asarray(docs, dtype=np.int64)
    terms: list[bytes] = []
    sizes, ids = [], []
    for shift in shifts:
        distinct, which = np.unique(sortable >> np.uint64(shift), return_inverse=True)
        packed = distinct.astype(f">u{width}").tobytes()
        prefix = bytes([shift])
        terms += [prefix + packed[k:k + width] for k in range(0, len(packed), width)]
        sizes.append(np.bincount(which, minlength=len(distinct)))
        ids.append(doc_numbers[np.argsort(which, kind="stable")])
    for docnum in docs:
        field_lengths[docnum] = len(shifts)
    n = len(docs) * len(shifts)
    return TermArrays(
        terms=terms,
        term_starts=np.append(0, np.cumsum(np.concatenate(sizes))),
        ids=np.concatenate(ids),
        weights=np.ones(n, dtype=np.float32),
        values=b"",
        value_offsets=np.zeros(n, dtype=np.int64),
        value_lengths=np.zeros(n, dtype=np.int64),
    ), field_lengths


def _index_value(field, value) -> list[tuple[bytes, int, float, bytes]]:
    """`field.index(value)`, without its generators for an ID field's one term;
    a number or date is converted once, not once per precision step (Whoosh's
    numeric fields index a term per `shift_step` bits)."""
    if isinstance(value, str) and type(field.analyzer) is IDTokenizer and type(field.format) is Existence:
        # an ID field: the whole value is the one term (Existence.word_values of IDTokenizer's one token)
        return [(value.encode("utf-8"), 1, field.format.field_boost, b"")]
    step = getattr(field, "shift_step", 0)
    if not step or isinstance(value, (list, tuple, bytes)):
        return list(field.index(value))
    exact = field.to_bytes(value)  # shift 0: a shift byte, then the big-endian sortable number
    sortable = int.from_bytes(exact[1:], "big")
    return [(exact, 1, 1.0, b"")] + [(field.sortable_to_bytes(sortable, shift), 1, 1.0, b"")
                                     for shift in range(step, field.bits, step)]


def _write_documents(storage, segment, schema, documents: Sequence[dict], lengths: dict[str, list[int]]) -> None:
    """Stored fields, field lengths and column values, a column at a time: the
    files W3's per-document writer makes from one `add_field` and
    `add_column_value` per field and document (`W3PerDocWriter`: a document's
    stored fields in its sorted field order, pickled and compressed (faster
    than W3: `codec.compress_stored_fields`); a length
    byte where a field's length is not 0; a column where some document has a
    value), from each column's values at once (`whoosh_internals.ColumnValuesWriter`)."""
    n = len(documents)
    encode = whoosh_internals.stored_fields_encoder(compress_stored_fields)
    stored_order: dict[tuple, list[str]] = {}  # a document's keys -> its stored fields, sorted
    stored = []
    for doc in documents:
        keys = tuple(doc)
        order = stored_order.get(keys)
        if order is None:
            order = stored_order[keys] = [name for name in sorted(keys)
                                          if not name.startswith("_") and schema[name].stored]
        fields = {name: doc[name] for name in order if doc[name] is not None}
        stored.append(encode(fields) if fields else b"")
    _write_column(storage, segment, STORED, VarBytesColumn(), stored)
    totals, firsts = {}, {}
    for name, field_lengths in lengths.items():
        counts = np.asarray(field_lengths, dtype=np.int64)
        present = np.flatnonzero(counts)
        if not len(present):
            continue
        distinct = np.unique(counts[present])
        as_bytes = np.array([length_to_byte(int(length)) for length in distinct.tolist()], dtype=np.int64)
        length_bytes = np.zeros(n, dtype=np.int64)
        length_bytes[present] = as_bytes[np.searchsorted(distinct, counts[present])]
        _write_column(storage, segment, whoosh_internals.length_column_name(name), LENGTHS_COLUMN, length_bytes)
        totals[name], firsts[name] = int(counts.sum()), int(present[0])
    # W3 adds a field's total when a document first has a length for it (documents in order, fields sorted)
    whoosh_internals.set_field_length_totals(segment, {name: totals[name] for name in
                                                       sorted(totals, key=lambda name: (firsts[name], name))})
    for name in sorted({name for keys in stored_order for name in keys if not name.startswith("_")}):
        field = schema[name]
        values = _column_values(field, name, documents) if field.column_type else None
        if values:  # W3 makes a column at its first value
            _write_column(storage, segment, name, field.column_type, values, n)


def _datetime_longs(field, values: list) -> list[int] | None:
    """`field.prepare_datetime` of many naive datetimes at once: Whoosh's
    `datetime_to_long`, the microseconds since `datetime.min`, counted by
    numpy's datetime64[us] from 1970. None for another field or any other value."""
    if not isinstance(field, DATETIME) or not all(type(v) is datetime and v.tzinfo is None for v in values):
        return None
    microseconds = np.array(values, dtype="datetime64[us]").astype(np.int64)
    return (microseconds + _MICROSECONDS_BEFORE_1970).tolist()


_MICROSECONDS_BEFORE_1970 = datetime_to_long(datetime(1970, 1, 1))


def _column_values(field, name: str, documents: Sequence[dict]) -> dict[int, object]:
    """Document number -> column value, for the documents that have one (a
    date's is `_datetime_longs`, DATETIME.to_column_value)."""
    present = {docnum: value for docnum, doc in enumerate(documents) if (value := doc.get(name)) is not None}
    longs = _datetime_longs(field, list(present.values()))
    if longs is not None:
        return dict(zip(present, longs))
    values: dict[int, object] = {}
    seen: dict = {}  # years, months, publications repeat: convert each value once
    for docnum, value in present.items():
        try:
            converted = seen.get(value)
            if converted is None:
                converted = seen[value] = field.to_column_value(value)
        except TypeError:  # an unhashable value
            converted = field.to_column_value(value)
        values[docnum] = converted
    return values


def _write_column(storage, segment, name: str, column, values, count: int | None = None) -> None:
    """One column file of the segment: the values of every document (a
    sequence), or of some (document number -> value; the other of the `count`
    documents get the column's default)."""
    count = len(values) if count is None else count
    out = storage.create_file(NewsCodec.column_filename(segment, name))
    try:
        writer = whoosh_internals.ColumnValuesWriter.for_column(column, out)
        if writer is None:  # a column type written a value at a time
            writer = column.writer(out)
            for docnum, value in (values.items() if isinstance(values, dict) else enumerate(values)):
                writer.add(docnum, value)
        else:
            if isinstance(values, dict):
                filled = [writer.default] * count
                for docnum, value in values.items():
                    filled[docnum] = value
                values = filled
            writer.add_run(0, values)
        writer.finish(count)
    finally:
        out.close()
