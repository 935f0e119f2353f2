"""The one door to Whoosh's internals (written against whoosh3 3.54.0).

Speed comes from reading what Whoosh keeps private: posting blocks as arrays,
column files as bytes, field lengths read once per segment. Every private
attribute the engine reads and every Whoosh method it replaces on a live
object is read or replaced here, and nowhere else; the rest of the package
calls the functions and base classes below. The index codec
(`indexer.index.codec`) keeps its block format to itself: its writer, matcher,
field writer and term table subclass the bases here, which hold every
read or override of the W3 classes' private state and hand the codec that
state through public-named methods (per block or per term, never per posting).

`RELIED_ON` names every private attribute and method relied on, by the Whoosh
class or module that has it; `tests/index/test_whoosh_internals.py` checks
each one against the installed Whoosh, so an upgrade that moves one fails
with the attribute's name instead of a wrong search result.
"""

from __future__ import annotations

import itertools
import operator
import zlib
from array import array
from bisect import bisect_left
from collections.abc import Sequence
from typing import Callable, NamedTuple

import numpy as np
from whoosh import columns
from whoosh.codec.whoosh3 import W3Codec, W3FieldWriter, W3LeafMatcher, W3PostingsWriter, W3Segment, W3TermsReader
from whoosh.filedb import filetables
from whoosh.matching import ReadTooFar
from whoosh.query.wrappers import WrappingQuery
from whoosh.system import pack_ushort

WHOOSH_VERSION = "3.54.0"

# Whoosh class or module -> the private names (attributes, methods) used on it.
RELIED_ON: dict[str, tuple[str, ...]] = {
    # read here for the array evaluation (indexer.search.collect)
    "whoosh.codec.whoosh3.W3LeafMatcher": (
        "_i", "_ids", "_byteids", "_data", "_weights", "_values", "_fixedsize",
        "_read_data", "_read_ids", "_read_weights", "_read_values", "_next_block",
        # also read or replaced by BlockMatcherBase (the codec's matcher)
        "_read_header", "_goto", "_postfile", "_startoffset", "_baseoffset", "_blocklength",
        "_maxid", "_maxweight", "_minlength", "_maxlength", "_lastblock", "_nextoffset",
        "_atend", "_skip_to_block"),
    "whoosh.matching.wrappers.FilterMatcher": ("_ids", "_exclude"),
    # column files read as bytes (indexer.search.searchers)
    "whoosh.columns.NumericColumn.Reader": ("_typecode", "_count", "_dbfile", "_basepos", "_fixedlen", "_default"),
    "whoosh.columns.VarBytesColumn.Reader": ("_lengths", "_offsets", "_dbfile", "_basepos"),
    # column files written a segment's values at a time (indexer.index.merge)
    "whoosh.columns.NumericColumn": ("_typecode", "_default"),
    "whoosh.reading.SegmentReader": ("_perdoc",),
    "whoosh.codec.whoosh3.W3PerDocReader": ("_cached_reader",),
    "whoosh.codec.whoosh3": ("_lenfield", "LENGTHS_COLUMN", "STORED_COLUMN"),
    # stored fields as W3's stored column reads them (stored_fields_encoder)
    "whoosh.columns.WrappedColumn": ("_child",),
    "whoosh.columns.CompressedBytesColumn": ("_module",),
    # the fused tokenizer's stemmer (indexer.index.analysis)
    "whoosh.analysis.morph.StemFilter": ("_stem",),
    "whoosh.system": ("_INT_SIZE",),
    # the bases of indexer.index.codec's writer, field writer and term table; its codec's settings
    "whoosh.codec.whoosh3.W3PostingsWriter": (
        "_write_block", "_new_block", "_postfile", "_blockcount", "_terminfo", "_ids", "_weights",
        "_values", "_maxweight", "_minlength", "_maxlength", "_compression", "_format"),
    "whoosh.codec.whoosh3.W3FieldWriter": ("_codec", "_fieldid", "_postfile", "_tindex"),
    # the term table written a field at a time, hashed with crc32 (FieldWriterBase)
    "whoosh.util.numlists.GrowableArray": ("_retype",),
    "whoosh.filedb.filetables.OrderedHashWriter": ("dbfile", "index", "lastkey", "buckets", "hashtype", "hashfn",
                                                   "directory", "startoffset", "_write_hashes"),
    "whoosh.codec.whoosh3.W3TermsReader": ("_tindex", "_keycoder"),
    # a field's term records read in bulk (indexer.index.merge)
    "whoosh.filedb.filetables.OrderedHashReader": ("indexbase", "indexlen", "indexsize", "extras", "dbfile"),
    "whoosh.codec.whoosh3.W3Codec": ("_blocklimit", "_compression", "_inlinelimit"),
    # indexer.index.segment and tasks: finished segments, the table of contents written apart
    "whoosh.index.FileIndex": ("_read_toc",),
    "whoosh.writing.SegmentWriter": ("_finalize_segment", "_finish"),
    "whoosh.codec.whoosh3.W3TermInfo": ("_struct",),
    # indexer.index.merge: a merged segment's length columns and exact length totals
    # (W3PerDocWriter.close hands its `_fieldlengths` to the segment, which the TOC pickles)
    "whoosh.codec.whoosh3.W3PerDocWriter": ("_fieldlengths",),
    # a pattern's words, expanded once per search (indexer.search.cost)
    "whoosh.query.terms.MultiTerm": ("_btexts",),
    # a wrapping query with arguments of its own (indexer.search.ranking)
    "whoosh.query.wrappers.WrappingQuery": ("_rewrap",),
    # a finished segment listed with another codec (indexer.index.tasks)
    "whoosh.codec.whoosh3.W3Segment": ("_codec",),
}

# Whoosh's BM25F scorer reads a document's field length through a lambda over
# these free variables (WeightLengthScorer.setup); `length_bytes` reads them.
DFL_FREE_VARIABLES = ("searcher", "fieldname")

_KEPT_COLUMNS = "_newsindex_kept_columns"        # set on a segment reader
_LENGTH_BYTES = "_newsindex_length_bytes"        # set on a segment's per-document reader
_RECORD_POSITIONS = "_newsindex_record_positions"  # set on a term table reader


# -- posting matchers (indexer.search.collect) ---------------------------------------

def filter_ids(m) -> tuple[set, bool]:
    """A FilterMatcher's document set and whether it excludes (else keeps) them."""
    return m._ids, m._exclude


def w3_blocks(m, weights: bool, values: bool) -> tuple[list, list, list, bool]:
    """The rest of a W3 leaf matcher's postings, block by block (the matcher is
    used up): id arrays, weight arrays (when `weights`), (block values, first
    posting) pairs, and whether the values of every block were kept.
    Variable-size values (positions, characters) come with W3's block data at
    no extra cost and are kept even when not asked for."""
    id_parts, weight_parts, value_parts = [], [], []
    variable = m._fixedsize is None or m._fixedsize < 0
    keep_values = True
    while m.is_active():
        block_ids = m._ids
        if block_ids is None and not m._byteids:
            if m._data is None:
                m._read_data()
            # the block stores gaps: Whoosh's delta_decode is a running sum
            block_ids = np.cumsum(np.asarray(m._data[0], dtype=np.int64))
        elif block_ids is None:
            m._read_ids()
            block_ids = m._ids
        if isinstance(block_ids, bytes):
            block_ids = np.frombuffer(block_ids, dtype=np.uint8)
        i = m._i
        id_parts.append(np.asarray(block_ids[i:] if i else block_ids, dtype=np.int64))
        if weights:
            if m._weights is None:
                m._read_weights()
            weight_parts.append(np.asarray(m._weights[i:] if i else m._weights, dtype=np.float64))
        if m._values is not None:
            value_parts.append((m._values, i))
        elif variable and m._data is not None:
            value_parts.append((m._data[2], i))  # what _read_values() would keep, unchanged
        elif values:
            m._read_values()
            value_parts.append((m._values, i))
        else:
            keep_values = False
        m._next_block()
    return id_parts, weight_parts, value_parts, keep_values


def length_bytes(reader, dfl) -> np.ndarray | None:
    """The segment's field-length bytes behind a BM25F scorer's `dfl`, when
    `preload_lengths` loaded them for this reader; else None."""
    closure = getattr(dfl, "__closure__", None) or ()
    names = getattr(getattr(dfl, "__code__", None), "co_freevars", ())
    cells = dict(zip(names, (c.cell_contents for c in closure)))
    fieldname = cells.get("fieldname")
    searcher = cells.get("searcher")
    if fieldname is None or searcher is None or searcher.reader() is not reader:
        return None
    load = getattr(getattr(reader, "_perdoc", None), _LENGTH_BYTES, None)
    if load is None:
        return None
    data = load(fieldname)
    if data is False or data is None:
        return None
    return np.frombuffer(data, dtype=np.uint8)


# -- column files (indexer.search.searchers) -----------------------------------------

def varbytes_column_values(reader, n: int) -> list[bytes] | None:
    """The first `n` raw values of a variable-width column, read as one blob;
    None when the reader is not of that layout."""
    if not isinstance(reader, columns.VarBytesColumn.Reader) or not hasattr(reader, "_lengths"):
        return None
    lengths, offsets = reader._lengths, reader._offsets
    end = (offsets[-1] + lengths[-1]) if len(lengths) else 0
    blob = reader._dbfile.get(reader._basepos, end) if end else b""
    return [blob[offsets[i]:offsets[i] + lengths[i]] for i in range(n)]


def numeric_column_array(reader, n: int) -> np.ndarray | None:
    """A numeric column's values for `n` documents as one array (missing values
    are the column's default, as Whoosh reads them); None for other readers."""
    if not isinstance(reader, columns.NumericColumn.Reader):
        return None
    dtype = np.dtype(reader._typecode).newbyteorder(">")
    count = min(reader._count, n)
    stored = np.frombuffer(reader._dbfile.get(reader._basepos, count * reader._fixedlen),
                           dtype=dtype) if count else np.zeros(0, dtype=dtype)
    out = np.full(n, reader._default, dtype=dtype.newbyteorder("="))
    out[:count] = stored
    return out


# struct's standard sizes (Whoosh packs with "!"), as numpy types
_STRUCT_NUMPY = {"b": "i1", "B": "u1", "h": "i2", "H": "u2", "i": "i4", "I": "u4", "l": "i4", "L": "u4",
                 "q": "i8", "Q": "u8", "f": "f4", "d": "f8"}


def _array_typecode(largest: int) -> str:
    """The typecode a Whoosh `GrowableArray` of non-negative numbers ends with."""
    return "B" if largest < 2**8 else "H" if largest < 2**16 else "i" if largest < 2**31 else "I"


class ColumnValuesWriter:
    """Writes a variable-bytes or numeric column file from runs of values
    (`add_run`), the bytes Whoosh's column writer makes from one `add` per
    document (a merge copies whole columns: a call per document and column was
    a fifth of its CPU). `for_column` gives None for other column types."""

    def __init__(self, column, dbfile, numeric: bool) -> None:
        self.column = column
        self.out = dbfile
        self.numeric = numeric
        self.runs: list[tuple[int, np.ndarray]] = []   # (first document, values or value lengths)
        self.written = 0                               # variable bytes: the values' bytes so far

    @classmethod
    def for_column(cls, column, dbfile) -> "ColumnValuesWriter | None":
        if type(column) is columns.VarBytesColumn:
            return cls(column, dbfile, numeric=False)
        if type(column) is columns.NumericColumn and column._typecode in _STRUCT_NUMPY:
            return cls(column, dbfile, numeric=True)
        return None

    @property
    def default(self):
        """The value a document without one reads back."""
        return self.column._default if self.numeric else b""

    def add_run(self, first: int, values) -> None:
        """Values of consecutive documents from `first` (after the last run):
        bytes for a variable-bytes column (written now), numbers for a numeric one."""
        if self.numeric:
            self.runs.append((first, np.asarray(values, dtype=_STRUCT_NUMPY[self.column._typecode])))
            return
        lengths = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
        self.out.write(b"".join(values))
        self.runs.append((first, lengths))
        self.written += int(lengths.sum())

    def finish(self, doc_count: int) -> None:
        dbfile = self.out
        if self.numeric:
            dtype = np.dtype(">" + _STRUCT_NUMPY[self.column._typecode])
            default = self.column._default
            values = np.full(doc_count, default, dtype=dtype)
            for first, run in self.runs:
                values[first:first + len(run)] = run
            set_ = np.flatnonzero(values != default)   # Whoosh skips defaults, fills gaps before a value
            if len(set_):
                dbfile.write(values[:set_[-1] + 1].tobytes())
            return
        lengths = np.zeros(doc_count, dtype=np.int64)
        for first, run in self.runs:
            lengths[first:first + len(run)] = run
        offsets = np.cumsum(lengths) - lengths
        length_code = _array_typecode(int(lengths.max()) if doc_count else 0)
        dbfile.write(lengths.astype(">" + _STRUCT_NUMPY[length_code]).tobytes())
        write_offsets = self.column.allow_offsets and doc_count > self.column.write_offsets_cutoff
        offset_code = _array_typecode(int(offsets.max()) if doc_count else 0)
        if write_offsets:
            dbfile.write(offsets.astype(">" + _STRUCT_NUMPY[offset_code]).tobytes())
        dbfile.write(length_code.encode("ascii"))
        if write_offsets:
            dbfile.write(offset_code.encode("ascii") + b"X")


def keep_column_readers(leaf) -> None:
    """Make a segment reader keep the column readers it makes (Whoosh makes a
    new one on every call, reading a variable-width column's whole offset
    table each time). Replaces `leaf.column_reader` on this object only."""
    if getattr(leaf, _KEPT_COLUMNS, None) is not None:
        return
    kept: dict = {}
    make = leaf.column_reader

    def column_reader(fieldname, column=None, reverse=False, translate=True, _make=make, _kept=kept):
        key = (fieldname, column, reverse, translate)
        found = _kept.get(key)
        if found is None:
            found = _kept[key] = _make(fieldname, column, reverse, translate)
        return found

    leaf.column_reader = column_reader
    setattr(leaf, _KEPT_COLUMNS, kept)


def preload_lengths(leaf, load_cached: Callable[[str, Callable[[], object]], object],
                    length_of_byte: list) -> None:
    """Serve a segment's BM25F field lengths from bytes read once per field
    (`load_cached(fieldname, read)` shares them between searchers) instead of
    one file read per scored posting. Same values, same None/default cases as
    W3PerDocReader.doc_field_length, which this replaces on the segment's
    per-document reader; `length_bytes` hands the same bytes to the array scan."""
    perdoc = getattr(leaf, "_perdoc", None)
    if perdoc is None or getattr(perdoc, _LENGTH_BYTES, None) is not None \
            or not hasattr(perdoc, "_cached_reader"):
        return
    doccount = leaf.doc_count_all()
    tables: dict = {}
    original = perdoc.doc_field_length

    def load(fieldname):
        from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield

        def read():
            reader = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
            if reader is None or not isinstance(reader, columns.NumericColumn.Reader) \
                    or reader._fixedlen != 1 or reader._default != 0:
                return False  # not the layout read below: ask Whoosh
            return reader._dbfile.get(reader._basepos, reader._count) if reader._count else b""
        return load_cached(fieldname, read)

    def doc_field_length(docnum, fieldname, default=0, _tables=tables, _load=load,
                         _original=original, _doccount=doccount):
        data = _tables.get(fieldname)
        if data is None:
            data = _tables[fieldname] = _load(fieldname)
        if data is False:
            return _original(docnum, fieldname, default)
        if docnum > _doccount:
            raise IndexError("Asked for docnum %r of %d" % (docnum, _doccount))
        lbyte = data[docnum] if docnum < len(data) else 0
        return length_of_byte[lbyte] if lbyte else None

    def field_length_bytes(fieldname, _tables=tables, _load=load):  # bytes, or False: ask Whoosh
        data = _tables.get(fieldname)
        if data is None:
            data = _tables[fieldname] = _load(fieldname)
        return data

    perdoc.doc_field_length = doc_field_length
    setattr(perdoc, _LENGTH_BYTES, field_length_bytes)


# -- analysis (indexer.index.analysis) ------------------------------------------------

def stem_function(stem_filter) -> Callable[[str], str]:
    """A StemFilter's stemming function (with its cache), to call per word
    without the filter's token stream."""
    return stem_filter._stem


def posting_count_size() -> int:
    """Bytes of the occurrence count that starts a W3 posting value."""
    from whoosh.system import _INT_SIZE

    return _INT_SIZE



# -- the index codec's bases (indexer.index.codec) ----------------------------------

class CodecSettings(NamedTuple):
    """What a W3 codec was made with."""

    block_limit: int   # postings per block
    compression: int   # zlib level (0: none)
    inline_limit: int  # posting lists shorter than this go into the term info


def codec_settings(codec: W3Codec) -> CodecSettings:
    """A W3 codec's block limit, compression level and inline limit."""
    return CodecSettings(codec._blocklimit, codec._compression, codec._inlinelimit)


class BufferedBlock(NamedTuple):
    """One block of postings as W3's writer buffered it, with its statistics."""

    ids: Sequence[int]         # document numbers, ascending (array "I")
    weights: Sequence[float]   # array "f"
    values: list[bytes]        # one per posting, or none when the format has no values
    value_size: int | None     # the format's fixed value size (None or < 0: variable)
    max_weight: float
    min_length: int | None
    max_length: int
    compression: int           # the writer's zlib level
    last: bool                 # the term's last block


class PostingsWriterBase(W3PostingsWriter):
    """W3's posting writer (its buffering, block statistics, term infos and
    inlined short lists) with the bytes of a block left to the subclass:
    `block_bytes(block)` returns the pieces to write; `first_block_tag` is
    written before a term's first block."""

    first_block_tag = b""

    def block_bytes(self, block: BufferedBlock) -> Sequence[bytes]:
        """The bytes of one block, in pieces (written one after another)."""
        raise NotImplementedError

    def _write_block(self, last: bool = False) -> None:
        postfile = self._postfile
        if not self._blockcount:
            postfile.write(self.first_block_tag)
        self._terminfo.add_block(self)
        block = BufferedBlock(self._ids, self._weights, self._values, self._format.fixed_value_size(),
                              self._maxweight, self._minlength, self._maxlength, self._compression, last)
        for piece in self.block_bytes(block):
            postfile.write(piece)
        self._blockcount += 1
        self._new_block()


class BlockMatcherBase(W3LeafMatcher):
    """W3's per-posting matcher (id, weight, value, next, skip_to, block
    quality) over blocks whose layout the subclass reads, a block at a time:

    - `first_block_offset(postfile, start)`: checks what starts a posting list
      in the postings file, returns where its first block is;
    - `read_block(position)`: moves to the block there (forgetting the last
      one's arrays) and returns what W3 keeps of a block's header, as a plain
      tuple (it is made once per block): (postings, last id, max weight,
      min length, max length, is the list's last block, next block's offset);
    - `block_ids()`, `block_weights()`: numpy arrays of the current block;
    - `read_block_values()`: its values, one per posting.

    The array evaluation (`indexer.search.collect`) reads blocks through
    `block_ids`, `block_weights`, `block_values`, `position_in_block` and
    `next_block`; Whoosh's own matchers call the per-posting methods."""

    def first_block_offset(self, postfile, start: int) -> int:
        raise NotImplementedError

    def read_block(self, position: int) -> tuple[int, int, float, int | None, int, bool, int]:
        raise NotImplementedError

    def block_ids(self) -> np.ndarray:
        raise NotImplementedError

    def block_weights(self) -> np.ndarray:
        raise NotImplementedError

    def read_block_values(self) -> Sequence:
        raise NotImplementedError

    def position_in_block(self) -> int:
        """Where the matcher stands inside its current block."""
        return self._i

    def next_block(self) -> None:
        """Move to the next block (the matcher is inactive past the last)."""
        self._next_block()

    def at_first_posting(self) -> bool:
        """Still on the list's first posting (nothing read past yet)."""
        return self._i == 0 and not self._atend and self._newsindex_block_at == self._baseoffset

    def block_values(self) -> Sequence:
        """The current block's values, one per posting."""
        if self._values is None:
            self._values = self.read_block_values()
        return self._values

    # -- W3's hooks, over the subclass's blocks ------------------------------------

    def _read_header(self) -> None:
        self._baseoffset = self.first_block_offset(self._postfile, self._startoffset)

    def _goto(self, position: int) -> None:
        self._ids = self._weights = self._values = None
        self._i = 0
        self._newsindex_block_at = position
        (self._blocklength, self._maxid, self._maxweight, self._minlength, self._maxlength,
         self._lastblock, self._nextoffset) = self.read_block(position)

    def _read_ids(self) -> None:
        self._ids = self.block_ids().tolist()

    def _read_weights(self) -> None:
        self._weights = self.block_weights().tolist()

    def _read_values(self) -> None:
        self._values = self.read_block_values()

    def skip_to(self, targetid: int) -> None:
        """As W3's, but inside a block by bisection (for blocks larger than W3's)."""
        if not self.is_active():
            raise ReadTooFar
        if targetid <= self.id():
            return
        if targetid > self._maxid:
            self._skip_to_block(lambda: targetid > self._maxid)
        if self.is_active():
            if self._ids is None:
                self._read_ids()
            self._i = bisect_left(self._ids, targetid, self._i)


# crc32, not W3's MD5, hashes a term table's keys: hash type 1 in the table's
# header, which Whoosh's HashReader reads and hashes lookups with (crc_hash)
TERM_HASH_TYPE = 1
_HASH_TYPE_AT = 4  # the header: the magic (4 bytes), the hash type byte, two unused ints
_HASH_ENTRIES = "_newsindex_hash_entries"  # set on a term table: its (hashes, positions) arrays


class FieldWriterBase(W3FieldWriter):
    """W3's field writer, opened for writing a field's postings and term infos
    directly (after `start_field`): the codec, the postings file, the term
    table and the bytes that begin the field's keys in it. Every term table
    (a build's, a merge's, Whoosh's writer with this codec) is made here: its
    keys hashed with crc32 (`TERM_HASH_TYPE`), its hash tables written at
    once (`_write_hash_tables`)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        table = self._tindex
        dbfile = table.dbfile
        end = dbfile.tell()
        dbfile.seek(table.startoffset + _HASH_TYPE_AT)
        dbfile.write_byte(TERM_HASH_TYPE)
        dbfile.seek(end)
        table.hashtype, table.hashfn = TERM_HASH_TYPE, filetables.crc_hash
        setattr(table, _HASH_ENTRIES, [])
        table._write_hashes = lambda: _write_hash_tables(table)

    @property
    def codec(self) -> W3Codec:
        return self._codec

    @property
    def postings_file(self):
        """The segment's postings file (a Whoosh StructFile: `tell`, `write`)."""
        return self._postfile

    @property
    def term_table(self):
        """The segment's term table (`add(key, term info bytes)`, keys in order)."""
        return self._tindex

    def field_key_prefix(self) -> bytes:
        """The bytes before a term in the current field's term-table keys."""
        return pack_ushort(self._fieldid)

    def add_term_infos(self, terms: list[bytes], infos: bytes) -> None:
        """Add the current field's `terms` (in increasing byte order) with their
        info bytes (`infos`: one after another, each the same size) to the term
        table at once: the file bytes and key index of the table's `add` per
        term (an `OrderedHashWriter`: a record is the key's and the value's
        lengths as "!ii", the key (the field's prefix, the term), the value),
        laid out with array operations and written at once; the keys' crc32
        (continued from the prefix's over each term) and positions kept as
        arrays for the hash tables."""
        if not terms:
            return
        table = self._tindex
        prefix = pack_ushort(self._fieldid)
        if prefix + terms[0] <= table.lastkey or not all(map(operator.lt, terms, terms[1:])):
            raise ValueError(f"Keys must increase: {table.lastkey!r}..{prefix + terms[0]!r}")
        n, size, fixed = len(terms), len(infos) // len(terms), 8 + len(prefix)
        term_sizes = np.fromiter(map(len, terms), dtype=np.int64, count=n)
        heads = np.empty(n, dtype=[("key", ">i4"), ("value", ">i4"), ("prefix", f"S{len(prefix)}")])
        heads["key"], heads["value"], heads["prefix"] = term_sizes + len(prefix), size, prefix
        sizes = term_sizes + (fixed + size)
        starts = np.cumsum(sizes) - sizes
        records = np.empty(int(starts[-1] + sizes[-1]), dtype=np.uint8)
        records[(starts[:, None] + np.arange(fixed)).reshape(-1)] = heads.view(np.uint8)
        term_at = starts + fixed
        records[np.repeat(term_at - (np.cumsum(term_sizes) - term_sizes), term_sizes)
                + np.arange(int(term_sizes.sum()))] = np.frombuffer(b"".join(terms), dtype=np.uint8)
        records[((term_at + term_sizes)[:, None] + np.arange(size)).reshape(-1)] = np.frombuffer(infos, dtype=np.uint8)
        dbfile = table.dbfile
        positions = dbfile.tell() + starts
        dbfile.write(records.tobytes())
        _extend_growable(table.index, positions.tolist())
        hashes = np.fromiter(map(zlib.crc32, terms, itertools.repeat(zlib.crc32(prefix))),  # filetables.crc_hash
                             dtype=np.int64, count=n)
        getattr(table, _HASH_ENTRIES).append((hashes, positions))
        table.lastkey = prefix + terms[-1]


def _extend_growable(numbers, values: list[int]) -> None:
    """`GrowableArray.extend` of increasing non-negative numbers at once: an
    append that overflows retypes the array for that number, so after all of
    them it has the type `_retype` picks for the largest."""
    if not values:
        return
    try:
        array(numbers.typecode, [values[-1]])
    except OverflowError:
        numbers._retype(values[-1])
    numbers.array.extend(values)


_HASH_SLOT = np.dtype([("hash", ">u4"), ("position", ">i8")])  # filetables._pointer, "!Iq"


def _write_hash_tables(table) -> None:
    """`HashWriter._write_hashes` at once: the 256 hash tables, one per low
    byte of a key's hash, each with twice as many slots as keys, a key in
    the first free slot from slot (hash >> 8) % slots on (wrapping), empty
    slots (0, 0); then their directory entries. The keys go in in the order
    of their first slot (then of their records), not of the keys: another
    layout than Whoosh's own writer's, which its reader reads the same (a
    lookup walks from a key's first slot to an empty one). Entries the
    table's own `add` put in its buckets are included."""
    added = getattr(table, _HASH_ENTRIES, [])
    listed = [entry for bucket in table.buckets for entry in bucket]
    hashes = np.concatenate([np.array([h for h, _ in listed], dtype=np.int64)] + [h for h, _ in added])
    positions = np.concatenate([np.array([p for _, p in listed], dtype=np.int64)] + [p for _, p in added])
    bucket = hashes & 255
    counts = np.bincount(bucket, minlength=256)
    slots = 2 * counts
    table_at = np.cumsum(slots) - slots             # each bucket's first slot in the whole region
    home = (hashes >> 8) % np.maximum(slots, 1)[bucket]
    # each bucket laid out in a stretch of twice its slots, so a run past a
    # table's end stays in its own stretch; such keys are wrapped below
    stretch = 2 * table_at
    wanted = stretch[bucket] + home
    order = np.lexsort((positions, wanted))  # the same layout however the entries were added
    wanted, bucket, hashes, positions = wanted[order], bucket[order], hashes[order], positions[order]
    rank = np.arange(len(wanted))
    taken = rank + np.maximum.accumulate(wanted - rank)  # the first free slot at or after each wanted one
    slot = taken - stretch[bucket]
    out = np.zeros(int(slots.sum()), dtype=_HASH_SLOT)
    inside = slot < slots[bucket]
    at = table_at[bucket[inside]] + slot[inside]
    out["hash"][at], out["position"][at] = hashes[inside], positions[inside]
    for k in np.flatnonzero(~inside).tolist():  # past its table's end: the first free slot from its start
        b = int(bucket[k])
        free = int(table_at[b]) + int(np.flatnonzero(out["position"][table_at[b]:table_at[b] + slots[b]] == 0)[0])
        out["hash"][free], out["position"][free] = hashes[k], positions[k]
    dbfile = table.dbfile
    start = dbfile.tell()
    table.directory.extend(zip((start + table_at * _HASH_SLOT.itemsize).tolist(), slots.tolist()))
    dbfile.write(out.tobytes())


class TermsReaderBase(W3TermsReader):
    """W3's term table reader, with a term's stored info as bytes."""

    def stored_term_info(self, fieldname: str, tbytes: bytes) -> bytes:
        """A term's info bytes as the table holds them (KeyError: no such term)."""
        return self._tindex[self._keycoder(fieldname, tbytes)]

    def field_records(self, fieldname: str) -> tuple[object, np.ndarray]:
        """The term table's file and where each (key, value) record of a
        field's terms begins in it, in term order, to read them in bulk (the
        ordered hash keeps every record's position in an array at its end;
        a record: key and value lengths as two big-endian int32, the key, the value)."""
        table = self._tindex
        everything = getattr(self, _RECORD_POSITIONS, None)
        if everything is None:
            data = table.dbfile.get(table.indexbase, table.indexlen * table.indexsize)
            everything = np.frombuffer(data, dtype=">" + table.extras["indextype"]).astype(np.int64)
            setattr(self, _RECORD_POSITIONS, everything)
        prefix = self._keycoder(fieldname, b"")

        def field_of(k: int) -> bytes:
            return table.dbfile.get(int(everything[k]) + 8, len(prefix))

        lo = bisect_left(range(len(everything)), prefix, key=field_of)
        hi = bisect_left(range(lo, len(everything)), pack_ushort(int.from_bytes(prefix, "big") + 1),
                         key=field_of) + lo
        return table.dbfile, everything[lo:hi]


# -- index files (indexer.index.codec, indexer.index.segment) --------------------------

def term_info_struct():
    """The `struct.Struct` of W3's term info header (the codec writes the same bytes)."""
    from whoosh.codec.whoosh3 import W3TermInfo

    return W3TermInfo._struct


def length_column_name(fieldname: str) -> str:
    """The column that holds a field's one-byte length per document."""
    from whoosh.codec.whoosh3 import _lenfield

    return _lenfield(fieldname)


def stored_fields_encoder(compress: Callable[[bytes], bytes]) -> Callable[[dict], bytes]:
    """A document's stored fields (a dict) as W3's stored column reads them:
    pickled, then `compress`ed into a zlib stream (`STORED_COLUMN`, a pickle
    column around a compressed-bytes one, unpickles any protocol and inflates
    any zlib stream); the column holds the bytes as a variable-bytes column
    would (`ColumnValuesWriter`)."""
    import pickle

    from whoosh.codec.whoosh3 import STORED_COLUMN

    inner = STORED_COLUMN._child
    assert type(STORED_COLUMN) is columns.PickleColumn and type(inner) is columns.CompressedBytesColumn
    assert inner._module == "zlib"
    dumps = pickle.dumps
    return lambda stored: compress(dumps(stored, 5))


def set_field_length_totals(segment, totals: dict[str, int]) -> None:
    """A segment's exact field-length totals (BM25F's average field length), as
    Whoosh's per-document writer sets them when a segment is written."""
    from collections import defaultdict

    segment._fieldlengths = defaultdict(int, totals)


def read_toc(ix):
    """An index's current table of contents (Whoosh has no public way to add
    finished segments to it)."""
    return ix._read_toc()


# -- query expansion (indexer.search.cost) ---------------------------------------------
def with_words(leaf, words: list[str]):
    """A copy of the pattern query `leaf` (wildcard, prefix, fuzzy word, range)
    that matches `words`, the words it expanded to, without expanding again
    (a fuzzy word builds its automaton each time it expands)."""
    import copy

    fixed = copy.copy(leaf)
    fixed._btexts = lambda reader: iter(words)
    return fixed


def with_codec(segment: W3Segment, codec: W3Codec) -> W3Segment:
    """A plain W3Segment with everything of `segment` (name, counts, field
    lengths) but opened with `codec` (W3Segment has no public way to change it)."""
    listed = W3Segment.__new__(W3Segment)
    listed.__dict__.update(segment.__dict__, _codec=codec)
    return listed


class WrappingQueryBase(WrappingQuery):
    """Whoosh's WrappingQuery for a wrapper with arguments of its own:
    `apply` and `with_boost` make the new wrapper with `rewrap(child)`
    (Whoosh's own copy passes the child alone, dropping the arguments)."""

    def rewrap(self, child):
        """This wrapper, with its arguments, around `child`."""
        return self.__class__(child)

    def _rewrap(self, child):
        return self.rewrap(child)


def finish_segment(writer):
    """Close a SegmentWriter and return its new segment without writing a table
    of contents (the build's coordinator commits every task's segments at once)."""
    segment = writer._finalize_segment()
    writer._finish()
    return segment
