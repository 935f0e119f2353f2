"""Merge finished segments into one from their posting arrays: nothing is
analysed again and nothing goes through Whoosh's posting pool.

Whoosh's merge (`SegmentWriter.add_reader`) reads every posting of every
term one at a time, sends it through its pool (which spills sorted runs to
disk and merge-sorts them) and re-totals field lengths from the one-byte
length of each document, so scores moved by about 1% after a merge. Here the
terms of a field are read from every input segment in sorted order (a k-way
merge of their term tables), each term's posting blocks are read as arrays
(`codec.BlockArrayMatcher`), documents are renumbered by the segment's offset
with deleted ones dropped, and the merged postings are written by the same
array writer a build task uses (`codec.ArrayFieldWriter.add_term_arrays`).
Stored fields, length bytes and columns are copied a column at a time, the
stored fields as their compressed bytes. The field-length totals are summed
from the term frequencies of the postings kept, which is exactly what a
single build of the same documents counts, so the merged segment is the
segment `segment.write_segment` writes from those documents, byte for byte
(tests/index/test_merge.py).

Memory: the postings of the terms waiting to be written (up to
`MERGE_CHUNK_MB`, or one term's whole list when a single term is larger: a
very common word of a large segment), one number per input document (where
each goes), the column writers' per-document lengths and offsets, and the
term table's per-term entries, as any segment writer holds. Not the text,
and not the merged postings.
"""

from __future__ import annotations

import heapq
from itertools import groupby
from operator import itemgetter
from typing import Iterator, Sequence

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3Segment
from whoosh.columns import VarBytesColumn
from whoosh.index import FileIndex

from indexer import whoosh_internals
from indexer.index.codec import BlockArrayMatcher, NewsCodec, TermArrays
from indexer.limits import MERGE_CHUNK_MB

_BLOCK_OVERHEAD = 600  # bytes of Python/numpy objects per block read (the arrays' headers, the tuple)
STORED = "_stored"  # Whoosh's stored-fields column, copied as its compressed bytes


class _Input:
    """One segment being merged: its readers, and where its kept documents go."""

    def __init__(self, storage, segment: W3Segment, first: int) -> None:
        self.segment = segment
        self.storage = segment.open_compound_file(storage) if segment.is_compound() else storage
        if self.storage.file_exists(segment.make_filename(NewsCodec.VPOSTS_EXT)):
            raise ValueError(f"segment {segment.segment_id()} has term vectors, which a merge does not copy")
        codec = NewsCodec()
        self.codec = codec
        self.terms = codec.terms_reader(self.storage, segment)
        self.fields = set(self.terms.indexed_field_names())
        self.postfile = segment.open_file(self.storage, NewsCodec.POSTS_EXT)
        self.perdoc = codec.per_document_reader(self.storage, segment)
        count = segment.doc_count_all()
        deleted = [d for d in segment.deleted_docs() if d < count]
        self.first = first
        self.kept = count - len(set(deleted))
        self.keep: np.ndarray | None = None       # None: every document is kept
        self.new_numbers: np.ndarray | None = None
        if deleted:
            self.keep = np.ones(count, dtype=bool)
            self.keep[deleted] = False
            self.new_numbers = first + np.cumsum(self.keep) - 1

    def field_terms(self, fieldname: str, position: int) -> Iterator[tuple[bytes, int, object]]:
        """(term, position of this input, term info) of a field, in term order."""
        for (name, term), info in self.terms.items_from(fieldname, b""):
            if name != fieldname:
                return
            yield term, position, info

    def postings(self, info, fieldobj) -> Iterator[tuple[np.ndarray, np.ndarray, bytes, np.ndarray]]:
        """A term's kept postings, block by block: merged document numbers,
        weights, values (as one byte string) and each value's byte length."""
        matcher = self.codec.postings_reader(self.postfile, info, fieldobj.format)
        if not isinstance(matcher, BlockArrayMatcher):
            raise ValueError(f"segment {self.segment.segment_id()} was not written by this project's codec; "
                             f"rebuild the index with `newsindex build --full`")
        while matcher.is_active():
            ids = matcher.block_ids()
            weights = matcher.block_weights()
            values = matcher.block_value_bytes()
            matcher.next_block()
            data, lengths = values if values is not None else (b"", np.zeros(len(ids), dtype=np.int64))
            if self.keep is None:
                yield ids + self.first, weights, data, lengths
                continue
            kept = self.keep[ids]
            if not kept.all():
                if data:
                    data = np.frombuffer(data, dtype=np.uint8)[np.repeat(kept, lengths)].tobytes()
                ids, weights, lengths = ids[kept], weights[kept], lengths[kept]
            if len(ids):
                yield self.new_numbers[ids], weights, data, lengths

    def close(self) -> None:
        self.terms.close()
        self.postfile.close()
        self.perdoc.close()


def merge_segments(storage, segments: Sequence[W3Segment], ix: FileIndex, codec: NewsCodec) -> W3Segment:
    """Write `segments` (in `storage`, consecutive: their documents keep their
    order) as one new segment of `ix`'s folder, made by `codec`, deleted
    documents dropped, and return it uncommitted (as `segment.write_segment`)."""
    inputs: list[_Input] = []
    try:
        first = 0
        for segment in segments:
            inputs.append(_Input(storage, segment, first))
            first += inputs[-1].kept
        merged = codec.new_segment(ix.storage, ix.indexname)
        fields = codec.field_writer(ix.storage, merged)
        try:
            totals = _write_postings(fields, ix.schema, inputs)
        finally:
            fields.close()
        _write_columns(ix.storage, merged, ix.schema, inputs, first)
    finally:
        for each in inputs:
            each.close()
    merged.set_doc_count(first)
    whoosh_internals.set_field_length_totals(merged, totals)
    if merged.should_assemble():
        merged.create_compound_file(ix.storage)
        merged.compound = True
    return merged


def _write_postings(fields, schema, inputs: list[_Input]) -> dict[str, int]:
    """Every field's merged postings; returns each scored field's length total
    (the sum of the term frequencies kept, as a build counts it)."""
    totals: dict[str, int] = {}
    chunk_bytes = MERGE_CHUNK_MB * 1024 * 1024
    for name in sorted(set().union(*(each.fields for each in inputs)) & set(schema.names())):
        fieldobj = schema[name]
        boost = fieldobj.format.field_boost
        streams = [each.field_terms(name, k) for k, each in enumerate(inputs) if name in each.fields]
        chunk = _Chunk()
        total = 0
        for term, found in groupby(heapq.merge(*streams), key=itemgetter(0)):
            parts = [part for _, k, info in found for part in inputs[k].postings(info, fieldobj)]
            if not parts:
                continue  # every posting was a deleted document's
            chunk.add(term, parts)
            if fieldobj.scorable:
                total += sum(int(np.rint(weights / boost).sum()) for _, weights, _, _ in parts)
            if chunk.size >= chunk_bytes:
                chunk.write(fields, name, fieldobj)
        chunk.write(fields, name, fieldobj)
        if total:
            totals[name] = total
    return totals


class _Chunk:
    """Merged terms of one field waiting to be written together."""

    def __init__(self) -> None:
        self._clear()

    def _clear(self) -> None:
        self.terms: list[bytes] = []
        self.counts: list[int] = []
        self.parts: list[tuple[np.ndarray, np.ndarray, bytes, np.ndarray]] = []
        self.size = 0

    def add(self, term: bytes, parts: list) -> None:
        self.terms.append(term)
        self.counts.append(sum(len(ids) for ids, _, _, _ in parts))
        self.parts += parts
        # the values, 16 bytes of numbers a posting (id, weight, length, offset), the objects
        self.size += sum(len(data) + 16 * len(ids) + _BLOCK_OVERHEAD for ids, _, data, _ in parts)

    def write(self, fields, name: str, fieldobj) -> None:
        if not self.terms:
            return
        lengths = np.concatenate([p[3] for p in self.parts])
        fields.add_term_arrays(name, fieldobj, TermArrays(
            terms=self.terms,
            term_starts=np.append(0, np.cumsum(self.counts)),
            ids=np.concatenate([p[0] for p in self.parts]),
            weights=np.concatenate([p[1] for p in self.parts]).astype(np.float32),
            values=b"".join(p[2] for p in self.parts),
            value_offsets=np.cumsum(lengths) - lengths,
            value_lengths=lengths,
        ))
        self._clear()


def _write_columns(storage, merged: W3Segment, schema, inputs: list[_Input], doc_count: int) -> None:
    """Stored fields, length bytes and column values of the kept documents, a
    column at a time; a column no input has is not written (as a build)."""
    columns = [(STORED, VarBytesColumn())]
    columns += [(whoosh_internals.length_column_name(n), LENGTHS_COLUMN) for n in schema.names() if schema[n].scorable]
    columns += [(n, schema[n].column_type) for n in schema.names() if schema[n].column_type]
    for name, column in columns:
        present = [each.perdoc.has_column(name) for each in inputs]
        if name != STORED and not any(present):
            continue
        out = storage.create_file(NewsCodec.column_filename(merged, name))
        writer = column.writer(out)
        for each, has in zip(inputs, present):
            if not has:
                continue  # its documents get the column's default (the writer fills the gap)
            reader = each.perdoc.column_reader(name, column)
            numbers = range(each.segment.doc_count_all())
            if each.keep is not None:
                numbers = np.flatnonzero(each.keep).tolist()
            docnum = each.first
            for old in numbers:
                writer.add(docnum, reader[old])
                docnum += 1
        writer.finish(doc_count)
        out.close()
