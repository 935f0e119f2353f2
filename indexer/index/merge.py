"""Merge finished segments into one from their posting arrays: nothing is
analysed again and nothing goes through Whoosh's posting pool.

Whoosh's merge (`SegmentWriter.add_reader`) reads every posting of every
term one at a time, sends it through its pool (which spills sorted runs to
disk and merge-sorts them) and re-totals field lengths from the one-byte
length of each document, so scores moved by about 1% after a merge. Here each
field's terms are read from every input's term table a few thousand records
at a time (`_FieldTerms`), merged in term order, and written a chunk of terms
at a time (`CHUNK_BYTES` of postings): each input's blocks of those terms are
read with one file read and decoded all at once (`codec.read_blocks`: array
operations, no Python step per posting or per term), documents renumbered by
the segment's offset with deleted ones dropped, each (term, input) run put in
term order, and the chunk written by the same array writer a build task uses
(`codec.ArrayFieldWriter.add_term_arrays`). A term whose postings are larger
than a chunk (the commonest words of a large segment) is streamed: read a
chunk of blocks at a time and written a block at a time
(`ArrayFieldWriter.add_term_pieces`). Stored fields, length bytes and columns
are copied a column at a time, the stored fields as their compressed bytes.
The field-length totals are summed from the term frequencies of the postings
kept, which is exactly what a single build of the same documents counts, so
the merged segment is the segment `segment.write_segment` writes from those
documents, byte for byte (tests/index/test_merge.py, also with tiny chunks
and blocks, so that common words are streamed).

Memory: a chunk of postings (`CHUNK_BYTES`, a few times over while it is
decoded and written), a batch of term records per input, one number per
input document (where each goes), the column writers' per-document lengths
and offsets, and the term table's per-term entries, as any segment writer
holds. Not the text, not the merged postings, not one term's whole list.
"""

from __future__ import annotations

import struct
from bisect import bisect_right
from typing import Iterator, Sequence

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3Segment
from whoosh.columns import VarBytesColumn
from whoosh.index import FileIndex

from indexer import whoosh_internals
from indexer.index.codec import BlockRun, NewsCodec, TermArrays, read_blocks, spans, term_block_list, term_blocks
from indexer.limits import MERGE_CHUNK_MB

CHUNK_BYTES = MERGE_CHUNK_MB * 1024 * 1024  # postings written together (a larger term: streamed)
TERMS_READ = 4096  # term records read from an input's table at once
FIELD_KEY_BYTES = 2  # a term table key: the field's number (unsigned short), then the term
_RECORD_SIZES = struct.Struct("!ii")  # a term table record: key size, value size, key, value
# a term table value: W3's term info header, then where the postings are (offset, size)
_TERM_INFO = np.dtype([("inlined", "u1"), ("weight", ">f4"), ("doc_frequency", ">u4"), ("min_length", "u1"),
                       ("max_length", "u1"), ("max_weight", ">f4"), ("first_id", ">u4"), ("last_id", ">u4"),
                       ("offset", ">i8"), ("size", ">i4")])
STORED = "_stored"  # Whoosh's stored-fields column, copied as its compressed bytes


class _Input:
    """One segment being merged: its readers, and where its kept documents go."""

    def __init__(self, storage, segment: W3Segment, first: int) -> None:
        self.segment = segment
        self.storage = segment.open_compound_file(storage) if segment.is_compound() else storage
        if self.storage.file_exists(segment.make_filename(NewsCodec.VPOSTS_EXT)):
            raise ValueError(f"segment {segment.segment_id()} has term vectors, which a merge does not copy")
        codec = NewsCodec()
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

    def field_terms(self, fieldname: str) -> "_FieldTerms":
        return _FieldTerms(self, *self.terms.field_records(fieldname))

    def postings(self, offsets: np.ndarray, lengths: np.ndarray, fixed: int | None) -> BlockRun:
        """The kept postings of consecutive terms (their postings' offsets and
        sizes in the postings file), renumbered: one read, array operations."""
        base = int(offsets[0])
        data = self.postfile.get(base, int(offsets[-1] + lengths[-1]) - base)
        positions, block_terms = term_blocks(data, offsets - base)
        return self._renumbered(read_blocks(data, positions, block_terms, len(offsets), fixed))

    def long_postings(self, offset: int, chunk_bytes: int, fixed: int | None) -> Iterator[BlockRun]:
        """One term's kept postings, renumbered, about `chunk_bytes` of blocks at a time."""
        blocks = term_block_list(self.postfile, offset)
        start = 0
        while start < len(blocks):
            end, held = start, 0
            while end < len(blocks) and (end == start or held + _held(*blocks[end][1:]) <= chunk_bytes):
                held += _held(*blocks[end][1:])
                end += 1
            base = blocks[start][0]
            size = blocks[end - 1][0] + blocks[end - 1][1] - base
            positions = np.array([b[0] - base for b in blocks[start:end]], dtype=np.int64)
            run = read_blocks(self.postfile.get(base, size), positions, np.zeros(len(positions), dtype=np.int64),
                              1, fixed)
            yield self._renumbered(run)
            start = end

    def _renumbered(self, run: BlockRun) -> BlockRun:
        """Document numbers of the merged segment; deleted documents' postings dropped."""
        if self.keep is None:
            return run._replace(ids=run.ids + self.first)
        kept = self.keep[run.ids]
        if kept.all():
            return run._replace(ids=self.new_numbers[run.ids])
        term_of = np.repeat(np.arange(len(run.counts)), run.counts)
        values = run.values
        if values:
            values = np.frombuffer(values, dtype=np.uint8)[np.repeat(kept, run.lengths)].tobytes()
        return BlockRun(np.bincount(term_of[kept], minlength=len(run.counts)), self.new_numbers[run.ids[kept]],
                        run.weights[kept], run.lengths[kept], values)

    def close(self) -> None:
        self.terms.close()
        self.postfile.close()
        self.perdoc.close()


class _FieldTerms:
    """One input's terms of one field, read from its term table a batch at a
    time: each term, where its postings are and their size."""

    def __init__(self, source: _Input, table, positions: np.ndarray) -> None:
        self.source = source
        self._table = table
        self._positions = positions
        self._next = 0
        self.terms: list[bytes] = []
        self.offsets = self.sizes = self.held = np.zeros(0, dtype=np.int64)

    def fill(self) -> None:
        """Read the next batch of terms once the last one is taken."""
        if self.terms or self._next >= len(self._positions):
            return
        positions = self._positions[self._next:self._next + TERMS_READ]
        self._next += len(positions)
        base = int(positions[0])
        key_size, value_size = _RECORD_SIZES.unpack(self._table.get(int(positions[-1]), _RECORD_SIZES.size))
        data = self._table.get(base, int(positions[-1]) - base + _RECORD_SIZES.size + key_size + value_size)
        buf = np.frombuffer(data, dtype=np.uint8)
        at = positions - base
        sizes = buf[at[:, None] + np.arange(_RECORD_SIZES.size)].view(">i4").reshape(-1, 2).astype(np.int64)
        if (sizes[:, 1] != _TERM_INFO.itemsize).any():
            raise ValueError(f"segment {self.source.segment.segment_id()} was not written by this project's codec; "
                             f"rebuild the index with `newsindex build --full`")
        value_at = at + _RECORD_SIZES.size + sizes[:, 0]
        infos = buf[value_at[:, None] + np.arange(_TERM_INFO.itemsize)].view(_TERM_INFO).ravel()
        skip = _RECORD_SIZES.size + FIELD_KEY_BYTES  # a key is the field's number, then the term
        self.terms = [data[a + skip:v] for a, v in zip(at.tolist(), value_at.tolist())]
        self.offsets = infos["offset"].astype(np.int64)
        self.sizes = infos["size"].astype(np.int64)
        self.held = _held(self.sizes, infos["doc_frequency"].astype(np.int64))

    def take(self, last: bytes) -> tuple[list[bytes], np.ndarray, np.ndarray, np.ndarray]:
        """The batch's terms up to `last` (where their postings are, their
        size, the memory they take decoded), taken off it."""
        cut = bisect_right(self.terms, last)
        taken = self.terms[:cut], self.offsets[:cut], self.sizes[:cut], self.held[:cut]
        self.terms, self.offsets, self.sizes, self.held = (self.terms[cut:], self.offsets[cut:], self.sizes[cut:],
                                                           self.held[cut:])
        return taken


def _held(size, postings):
    """Memory a term's postings take decoded: their values (about their size on
    disk) and 20 bytes of numbers a posting (id, weight, value length)."""
    return size + 20 * postings


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
    for name in sorted(set().union(*(each.fields for each in inputs)) & set(schema.names())):
        field = _Field(fields, name, schema[name])
        tables = [each.field_terms(name) for each in inputs if name in each.fields]
        while True:
            for table in tables:
                table.fill()
            filled = [table for table in tables if table.terms]
            if not filled:
                break
            # every input's terms up to the smallest last term of a batch: all
            # of those terms' postings are in hand, whichever input holds them
            last = min(table.terms[-1] for table in filled)
            field.merge([(table.source, *table.take(last)) for table in filled])
        if field.total:
            totals[name] = field.total
    return totals


class _Field:
    """Writes one field's merged terms, about `MERGE_CHUNK_MB` of postings at a time."""

    def __init__(self, writer, name: str, fieldobj) -> None:
        self.writer = writer
        self.name = name
        self.fieldobj = fieldobj
        self.fixed = fieldobj.format.fixed_value_size()
        self.total = 0
        self.chunk_bytes = CHUNK_BYTES

    def merge(self, parts: list[tuple[_Input, list[bytes], np.ndarray, np.ndarray, np.ndarray]]) -> None:
        """Terms of several inputs (each input's in order): merged in term
        order, written a chunk of terms at a time; a term larger than a chunk
        alone, streamed."""
        terms = sorted(set().union(*(part[1] for part in parts)))
        number = {term: k for k, term in enumerate(terms)}
        numbered = [(each, np.fromiter(map(number.__getitem__, names), dtype=np.int64, count=len(names)),
                     offsets, sizes) for each, names, offsets, sizes, _ in parts if names]
        size = np.zeros(len(terms), dtype=np.int64)
        for (_, numbers, _, _), (*_, held) in zip(numbered, (part for part in parts if part[1])):
            size[numbers] += held  # an input holds a term once
        ends = np.cumsum(size)
        start = 0
        while start < len(terms):
            if size[start] > self.chunk_bytes:
                self._stream(terms[start], [(each, int(offsets[numbers == start][0])) for each, numbers, offsets, _
                                            in numbered if (numbers == start).any()])
                start += 1
                continue
            end = max(int(np.searchsorted(ends, ends[start] - size[start] + self.chunk_bytes, "right")), start + 1)
            large = np.flatnonzero(size[start:end] > self.chunk_bytes)
            if len(large):
                end = start + int(large[0])
            self._write(terms, start, end, numbered)
            start = end

    def _write(self, terms: list[bytes], start: int, end: int, numbered: list) -> None:
        """Terms `start` to `end` (numbers in `terms`) from every input that holds them."""
        runs = []
        for each, numbers, offsets, sizes in numbered:
            a, z = np.searchsorted(numbers, [start, end])
            if z > a:
                runs.append((numbers[a:z], each.postings(offsets[a:z], sizes[a:z], self.fixed)))
        if not runs:
            return
        if len(runs) == 1:
            numbers, run = runs[0]
        else:  # each (term, input) run of postings, in term order then input order
            numbers = np.concatenate([r[0] for r in runs])
            counts = np.concatenate([r[1].counts for r in runs])
            lengths = np.concatenate([r[1].lengths for r in runs])
            order = np.argsort(numbers, kind="stable")
            firsts = np.cumsum(counts) - counts
            picked = spans(firsts[order], counts[order])
            value_ends = np.cumsum(lengths)
            value_firsts = value_ends - lengths
            counted = np.flatnonzero(counts[order])
            at = firsts[order][counted]
            to = at + counts[order][counted] - 1
            values = b"".join([r[1].values for r in runs])
            run = BlockRun(counts[order], np.concatenate([r[1].ids for r in runs])[picked],
                           np.concatenate([r[1].weights for r in runs])[picked], lengths[picked],
                           b"".join([values[a:z] for a, z in zip(value_firsts[at].tolist(),
                                                                 value_ends[to].tolist())]) if values else b"")
            numbers = numbers[order]
        counts = np.bincount(numbers - start, weights=run.counts, minlength=end - start).astype(np.int64)
        written = np.flatnonzero(counts)
        if not len(written):
            return  # every posting was a deleted document's
        self._add_lengths(run.weights)
        self.writer.add_term_arrays(self.name, self.fieldobj, TermArrays(
            terms=[terms[start + k] for k in written.tolist()],
            term_starts=np.append(0, np.cumsum(counts[written])),
            ids=run.ids, weights=run.weights, values=run.values,
            value_offsets=np.cumsum(run.lengths) - run.lengths, value_lengths=run.lengths))

    def _stream(self, term: bytes, holders: list[tuple[_Input, int]]) -> None:
        """One term larger than a chunk, a chunk of blocks at a time."""
        def pieces():
            for each, offset in holders:
                for run in each.long_postings(offset, self.chunk_bytes, self.fixed):
                    self._add_lengths(run.weights)
                    yield run.ids, run.weights, run.lengths, run.values

        self.writer.add_term_pieces(self.name, self.fieldobj, term, pieces())

    def _add_lengths(self, weights: np.ndarray) -> None:
        if self.fieldobj.scorable:
            self.total += int(np.rint(weights.astype(np.float64) / self.fieldobj.format.field_boost).sum())


def _write_columns(storage, merged: W3Segment, schema, inputs: list[_Input], doc_count: int) -> None:
    """Stored fields, length bytes and column values of the kept documents, a
    column at a time, each input's values read and written at once; a column
    no input has is not written (as a build)."""
    columns = [(STORED, VarBytesColumn())]
    columns += [(whoosh_internals.length_column_name(n), LENGTHS_COLUMN) for n in schema.names() if schema[n].scorable]
    columns += [(n, schema[n].column_type) for n in schema.names() if schema[n].column_type]
    for name, column in columns:
        present = [each.perdoc.has_column(name) for each in inputs]
        if name != STORED and not any(present):
            continue
        out = storage.create_file(NewsCodec.column_filename(merged, name))
        bulk = whoosh_internals.ColumnValuesWriter.for_column(column, out)
        writer = bulk or column.writer(out)
        for each, has in zip(inputs, present):
            if not has:
                continue  # its documents get the column's default
            reader = each.perdoc.column_reader(name, column)
            count = each.segment.doc_count_all()
            values = whoosh_internals.varbytes_column_values(reader, count)
            if values is None:
                numbers = whoosh_internals.numeric_column_array(reader, count)
                values = numbers if numbers is not None else [reader[old] for old in range(count)]
            if each.keep is not None:
                values = [values[old] for old in np.flatnonzero(each.keep).tolist()]
            if bulk is not None:
                bulk.add_run(each.first, values)
                continue
            add = writer.add
            for docnum, value in enumerate(values.tolist() if isinstance(values, np.ndarray) else values, each.first):
                add(docnum, value)
        writer.finish(doc_count)
        out.close()
