"""The index codec: Whoosh's W3 codec (term table, stored fields, lengths and
columns in its formats) with posting blocks written as plain little-endian arrays.

Why: W3 stores each block of up to 128 postings as a zlib-compressed pickle of
(document gaps, weights, values) behind a pickled header. Reading a term meant
unpickling every block, including every posting's positions, even when a
search wanted only document numbers and term frequencies; profiles of the query
set put block unpickling, zlib and header reads at more than half of a search's
CPU, and building the pickles at a large share of a commit. Here a block is a
fixed header, then part A (gaps and weights, each in the narrowest integer or
float array that holds them; zlib-compressed when that saves bytes) and part
B (the values: their byte lengths, then the values themselves). Document
numbers and weights are read with `numpy.frombuffer` and a running sum, and
part B is read only when positions or character offsets are asked for.

Part B is not compressed: a phrase of common words reads the positions of
most of their postings, and on the 216k-article replica inflating them took
half of such a search ("the company said": ~100 of ~180 ms). Uncompressed,
the Reuters index is 85 MB instead of 63 MB (Whoosh's W3 codec: 82 MB).

The Whoosh matcher interface is kept (`BlockArrayMatcher` is a W3LeafMatcher),
so every query Whoosh can run still runs; `indexer.search.collect` reads the arrays
directly. Segments written by W3 (indexes built before schema 6, or by plain
Whoosh) stay readable: a segment remembers the codec that wrote it.

What is compressed is compressed by ISA-L (`isal`), whose zlib streams any
zlib reader reads: part A at its level 1 (on Reuters' blocks as small as
zlib's level 3, in half the time), a document's stored fields at its level 0
(`compress_stored_fields`: a ninth of zlib's time, 15% larger; W3's stored
column reads them). The term table hashes its keys with crc32, not MD5
(`whoosh_internals.FieldWriterBase`; the hash type is in the table's
header). Indexes written before (zlib, MD5) read the same.

The classes here hold the block format only: what they need of W3's private
state comes through their bases in `indexer.whoosh_internals`.
"""

from __future__ import annotations

import struct
import sys
import zlib
from array import array
from collections.abc import Iterator, Sequence
from typing import NamedTuple

import numpy as np
from isal import isal_zlib
from whoosh.codec.whoosh3 import COMPRESSION_MIN_SIZE, W3Codec, W3TermInfo
from whoosh.matching import ListMatcher
from whoosh.reading import CorruptIndexError, TermNotFound
from whoosh.system import pack_int, pack_long
from whoosh.util.numeric import byte_to_length, length_to_byte

from indexer import whoosh_internals
from indexer.whoosh_internals import (
    BlockMatcherBase,
    BufferedBlock,
    FieldWriterBase,
    PostingsWriterBase,
    TermsReaderBase,
)

BLOCK_MAGIC = b"NIb1"  # not W3's "W3Bl": a block is never read by the other codec's reader
BLOCK_LIMIT = 1024  # postings per block: fewer, larger blocks; skips inside a block bisect
TERM_INFOS_KEPT = 8192  # per segment reader (a few MB at most)
PART_A_LEVEL = 1  # ISA-L's level (0-3) for part A, when the codec compresses (its W3 level is not 0)
STORED_FIELDS_LEVEL = 0  # ISA-L's level for a document's pickled stored fields

# count, last id, max weight, min length byte, max length byte, gap width,
# weight kind, value-length width, flags, size of part A, size of part B
_HEAD = struct.Struct("<IIdBBBBBB2xII")
_LAST, _A_ZLIB = 1, 2
# a block's magic and header as a numpy record (the same bytes as BLOCK_MAGIC + _HEAD.pack)
_BLOCK_HEAD = np.dtype([("magic", "S4"), ("n", "<u4"), ("last", "<u4"), ("max_weight", "<f8"),
                        ("min_length", "u1"), ("max_length", "u1"), ("gap_width", "u1"), ("weight_kind", "u1"),
                        ("value_width", "u1"), ("flags", "u1"), ("pad", "V2"), ("size_a", "<u4"),
                        ("size_b", "<u4")])
# a term's info bytes as a numpy record: W3's term info ("!BfIBBfII": flags, weight,
# doc freq, min/max length byte, max weight, first/last id), then its postings' offset and length
_TERM_INFO_ARRAY = np.dtype([("flags", "u1"), ("weight", ">f4"), ("doc_frequency", ">u4"), ("min_length", "u1"),
                             ("max_length", "u1"), ("max_weight", ">f4"), ("first_id", ">u4"), ("last_id", ">u4"),
                             ("offset", ">i8"), ("length", ">i4")])
# flags, weight, doc freq, min/max length byte, max weight, first/last id
_TERM_INFO = whoosh_internals.term_info_struct()
if _TERM_INFO.format != "!BfIBBfII":
    raise ImportError("Whoosh's W3 term info layout changed: indexer.index.codec writes the old one")
_GATHER_BYTES = 1 << 20  # bytes gathered at a time (its index arrays are ~24x that: 4 MB took 100 MB)
_WIDTH_RANK = np.array([0, 0, 1, 0, 2])  # width 1, 2, 4 -> 0, 1, 2

# weight kinds: all 1.0 | one float for all | uint8 | uint16 | float32 each
_W_ONES, _W_SAME, _W_U1, _W_U2, _W_F4 = range(5)
_WIDTH_DTYPE = {1: np.dtype("<u1"), 2: np.dtype("<u2"), 4: np.dtype("<u4")}
_WIDTH_CODE = {1: "B", 2: "H", 4: "I"}
_SWAP = sys.byteorder != "little"  # array() writes native order; blocks are little-endian
_SMALL = 32  # below this many postings, plain Python beats numpy's per-call cost


def _width(largest: int) -> int:
    return 1 if largest < 0x100 else 2 if largest < 0x10000 else 4


def _widths(largest: np.ndarray) -> np.ndarray:
    """`_width` of each number."""
    return np.where(largest < 0x100, 1, np.where(largest < 0x10000, 2, 4))


def _int_bytes(values, width: int) -> bytes:
    a = array(_WIDTH_CODE[width], values)
    if _SWAP:
        a.byteswap()
    return a.tobytes()


def encode_gaps(ids: array) -> tuple[bytes, int]:
    """Document numbers as gaps (the first from 0) in the narrowest width."""
    n = len(ids)
    if n < _SMALL:
        gaps = [ids[0]] + [ids[i] - ids[i - 1] for i in range(1, n)]
        width = _width(max(gaps))
        return _int_bytes(gaps, width), width
    gaps = np.diff(np.frombuffer(ids, dtype=np.uint32), prepend=np.uint32(0))
    width = _width(int(gaps.max()))
    return gaps.astype(_WIDTH_DTYPE[width]).tobytes(), width


def encode_weights(weights: array) -> tuple[bytes, int]:
    """Weights (float32 in Whoosh's writer) as a kind and the bytes it needs;
    small whole numbers, the usual term frequencies, take one byte each."""
    n = len(weights)
    first = weights[0]
    if weights.count(first) == n:
        return (b"", _W_ONES) if first == 1.0 else (struct.pack("<f", first), _W_SAME)
    if n < _SMALL:
        if all(w.is_integer() and 0 <= w < 0x10000 for w in weights):
            width = _width(int(max(weights)))
            return _int_bytes([int(w) for w in weights], width), (_W_U1 if width == 1 else _W_U2)
    else:
        a = np.frombuffer(weights, dtype=np.float32)
        largest = float(a.max())
        if float(a.min()) >= 0 and largest < 0x10000 and (a == np.floor(a)).all():
            width = _width(int(largest))
            return a.astype(_WIDTH_DTYPE[width]).tobytes(), (_W_U1 if width == 1 else _W_U2)
    a = array("f", weights)
    if _SWAP:
        a.byteswap()
    return a.tobytes(), _W_F4


def _gather(source: np.ndarray, pieces: np.ndarray):
    """The bytes of `pieces` ((start, length) rows into `source`, uint8) one
    after another, yielded about `_GATHER_BYTES` at a time."""
    lengths = pieces[:, 1]
    ends = np.cumsum(lengths)
    first = 0
    while first < len(pieces):
        done = int(ends[first - 1]) if first else 0
        last = max(first + 1, int(np.searchsorted(ends, done + _GATHER_BYTES, side="right")))
        part = pieces[first:last]
        sizes = part[:, 1]
        total = int(sizes.sum())
        if total:
            out_starts = np.cumsum(sizes) - sizes
            index = np.repeat(part[:, 0] - out_starts, sizes) + np.arange(total)
            yield source[index].tobytes()
        first = last


def compress_stored_fields(data: bytes) -> bytes:
    """A document's pickled stored fields as a zlib stream (`STORED_FIELDS_LEVEL`)."""
    return isal_zlib.compress(data, STORED_FIELDS_LEVEL)


def _squeeze(data: bytes, level: int) -> tuple[bytes, bool]:
    """Compressed (`PART_A_LEVEL`) when the codec compresses (`level`), the
    part is large enough to gain from it, and it does."""
    if level and len(data) >= COMPRESSION_MIN_SIZE:
        packed = isal_zlib.compress(data, PART_A_LEVEL)
        if len(packed) < len(data):
            return packed, True
    return data, False


class BlockArrayWriter(PostingsWriterBase):
    """W3's posting writer (same block statistics and term info), writing
    blocks as arrays instead of pickles."""

    first_block_tag = BLOCK_MAGIC

    def block_bytes(self, block: BufferedBlock) -> tuple[bytes, ...]:
        """The header, part A and part B of one block."""
        ids = block.ids
        n = len(ids)
        gaps, gap_width = encode_gaps(ids)
        weight_bytes, weight_kind = encode_weights(block.weights)
        part_b, value_width = encode_values(block.values, block.value_size, n)
        part_a, a_zlib = _squeeze(gaps + weight_bytes, block.compression)
        flags = (_LAST if block.last else 0) | (_A_ZLIB if a_zlib else 0)
        head = _HEAD.pack(n, ids[-1], block.max_weight, length_to_byte(block.min_length),
                          length_to_byte(block.max_length), gap_width, weight_kind, value_width, flags,
                          len(part_a), len(part_b))
        return (head, part_a, part_b) if part_b else (head, part_a)


def encode_values(values: list[bytes], value_size: int | None, n: int) -> tuple[bytes, int]:
    """Part B of a block of `n` postings: fixed-size values concatenated;
    variable ones (positions, characters) as their lengths, then their bytes.
    Width 0: no values."""
    if not values:
        return b"", 0
    if value_size is not None and value_size > 0:
        return b"".join(values), 0
    if len(values) != n:
        raise ValueError(f"{n} postings but {len(values)} values in a block")
    lengths = [len(v) for v in values]
    width = _width(max(lengths))
    return _int_bytes(lengths, width) + b"".join(values), width


class BlockValues(Sequence):
    """One block's variable-size values, cut from its part B on demand, or
    read as int32 numbers all at once (`int32_occurrences`)."""

    def __init__(self, data: bytes, ends: np.ndarray) -> None:
        self._bytes = data
        self._end_array = ends  # end offset of each value in `data`
        self._ends: list[int] | None = None

    def __len__(self) -> int:
        return len(self._end_array)

    def __getitem__(self, k):
        if isinstance(k, slice):
            return [self[i] for i in range(*k.indices(len(self)))]
        ends = self._ends
        if ends is None:
            ends = self._ends = self._end_array.tolist()
        if k < 0:
            k += len(ends)
        return self._bytes[ends[k - 1] if k else 0:ends[k]]

    def int32_occurrences(self, rows: np.ndarray, stride: int) -> tuple[np.ndarray, np.ndarray]:
        """For values made of a 4-byte count and then `stride` int32 numbers per
        occurrence (indexer.index.analysis's array formats): how many occurrences
        each of `rows` has, and the first number of every occurrence, flat."""
        numbers = np.frombuffer(self._bytes, dtype="<i4")
        ends = self._end_array[rows] // 4
        begins = np.where(rows > 0, self._end_array[rows - 1], 0) // 4 + 1  # past the count
        counts = (ends - begins) // stride
        before = np.cumsum(counts) - counts
        flat = np.repeat(begins - stride * before, counts) + stride * np.arange(int(counts.sum()))
        return counts, numbers[flat]


class BlockArrayMatcher(BlockMatcherBase):
    """Reads blocks written by `BlockArrayWriter`. Whoosh's per-posting
    interface (id, weight, value, next, skip_to) for the matchers Whoosh runs;
    `block_ids` / `block_weights` / `block_values` for array evaluation."""

    def first_block_offset(self, postfile, start: int) -> int:
        self._block_file = postfile
        magic = postfile.get(start, 4)
        if magic != BLOCK_MAGIC:
            raise CorruptIndexError(
                f"Bad postings block tag {magic!r} at offset {start} "
                f"(expected {BLOCK_MAGIC!r}): the index is damaged; rebuild it with "
                f"`newsindex build --full`.")
        return start + 4

    def read_block(self, position: int) -> tuple[int, int, float, int | None, int, bool, int]:
        self._id_array = self._weight_array = None
        try:
            (n, maxid, maxweight, minlen, maxlen, self._gap_width, self._weight_kind,
             self._value_width, flags, size_a, size_b) = _HEAD.unpack(
                self._block_file.get(position, _HEAD.size))
        except struct.error as exc:
            raise CorruptIndexError(
                f"Damaged postings block at offset {position} ({exc}): rebuild the "
                f"index with `newsindex build --full`.") from exc
        self._n_postings = n
        self._a_zlib = bool(flags & _A_ZLIB)
        self._part_a_at = position + _HEAD.size
        self._size_a, self._size_b = size_a, size_b
        return (n, maxid, maxweight, byte_to_length(minlen), byte_to_length(maxlen),
                bool(flags & _LAST), self._part_a_at + size_a + size_b)

    # -- arrays (indexer.search.collect) ------------------------------------------

    def _read_part_a(self) -> None:
        data = self._block_file.get(self._part_a_at, self._size_a)
        if self._a_zlib:
            data = zlib.decompress(data)
        n, width = self._n_postings, self._gap_width
        gaps = np.frombuffer(data, dtype=_WIDTH_DTYPE[width], count=n)
        self._id_array = np.cumsum(gaps, dtype=np.int64)
        kind, rest = self._weight_kind, n * width
        if kind == _W_ONES:
            weights = np.ones(n, dtype=np.float64)
        elif kind == _W_SAME:
            weights = np.full(n, struct.unpack_from("<f", data, rest)[0], dtype=np.float64)
        else:
            dtype = {_W_U1: "<u1", _W_U2: "<u2", _W_F4: "<f4"}[kind]
            weights = np.frombuffer(data, dtype=dtype, count=n, offset=rest).astype(np.float64)
        self._weight_array = weights

    def block_ids(self) -> np.ndarray:
        """The block's document numbers (int64, ascending)."""
        if self._id_array is None:
            self._read_part_a()
        return self._id_array

    def block_weights(self) -> np.ndarray:
        """The block's weights as float64 (the float32 values Whoosh returns)."""
        if self._weight_array is None:
            self._read_part_a()
        return self._weight_array

    def block_value_bytes(self) -> tuple[bytes, np.ndarray] | None:
        """The block's values as one byte string and the byte length of each
        (None: no values), to copy postings without cutting their values
        apart (`indexer.index.merge`)."""
        n, size_b = self._n_postings, self._size_b
        if not size_b:
            return None
        data = self._block_file.get(self._part_a_at + self._size_a, size_b)
        fixed = self.format.fixed_value_size()
        if fixed is not None and fixed > 0:
            return data, np.full(n, fixed, dtype=np.int64)
        width = self._value_width
        return data[n * width:], np.frombuffer(data, dtype=_WIDTH_DTYPE[width], count=n).astype(np.int64)

    def read_block_values(self) -> Sequence:
        """Part B: the block's values, one per posting (None each when the format has none)."""
        n = self._n_postings
        size_b = self._size_b
        data = self._block_file.get(self._part_a_at + self._size_a, size_b) if size_b else b""
        fixed = self.format.fixed_value_size()
        if not data:
            return (None,) * n
        if fixed is not None and fixed > 0:
            return tuple(data[i:i + fixed] for i in range(0, len(data), fixed))
        width = self._value_width
        lengths = np.frombuffer(data, dtype=_WIDTH_DTYPE[width], count=n)
        return BlockValues(data[n * width:], np.cumsum(lengths, dtype=np.int64))


# -- runs of blocks read as arrays (indexer.index.merge) -------------------------------

_HEAD_FIELDS = np.dtype([("n", "<u4"), ("last_id", "<u4"), ("max_weight", "<f8"), ("min_length", "u1"),
                         ("max_length", "u1"), ("gap_width", "u1"), ("weight_kind", "u1"), ("value_width", "u1"),
                         ("flags", "u1"), ("pad", "V2"), ("size_a", "<u4"), ("size_b", "<u4")])
_MAGIC = np.frombuffer(BLOCK_MAGIC, dtype=np.uint8)


class BlockRun(NamedTuple):
    """The postings of consecutive terms, read from their blocks at once:
    each term's number of postings, then per posting its document number,
    weight (float32, as written) and value length, and all values in order."""

    counts: np.ndarray
    ids: np.ndarray
    weights: np.ndarray
    lengths: np.ndarray
    values: bytes


def spans(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The positions [start, start + length) of every span, one after another."""
    before = np.cumsum(lengths) - lengths
    return np.repeat(starts - before, lengths) + np.arange(int(lengths.sum()), dtype=np.int64)


def _block_heads(buf: np.ndarray, positions: np.ndarray) -> np.ndarray:
    return buf[positions[:, None] + np.arange(_HEAD.size)].view(_HEAD_FIELDS).ravel()


def term_blocks(data: bytes, starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where the blocks of consecutive terms are: `data` holds the terms'
    postings whole, `starts` is where each term's begin in it. Returns each
    block's offset in `data` and its term's number, term by term, block by
    block (the headers chain a term's blocks: all terms walk at once)."""
    buf = np.frombuffer(data, dtype=np.uint8)
    if len(starts) and (buf[starts[:, None] + np.arange(len(BLOCK_MAGIC))] != _MAGIC).any():
        raise CorruptIndexError(f"Bad postings block tag (expected {BLOCK_MAGIC!r}): the index is damaged; "
                                f"rebuild it with `newsindex build --full`.")
    positions, terms = starts.astype(np.int64) + len(BLOCK_MAGIC), np.arange(len(starts))
    found_positions, found_terms = [], []
    while len(positions):
        heads = _block_heads(buf, positions)
        found_positions.append(positions)
        found_terms.append(terms)
        more = (heads["flags"] & _LAST) == 0
        ends = positions + _HEAD.size + heads["size_a"].astype(np.int64) + heads["size_b"].astype(np.int64)
        positions, terms = ends[more], terms[more]
    positions, terms = np.concatenate(found_positions), np.concatenate(found_terms)
    order = np.argsort(terms, kind="stable")  # a term's blocks were found in their order
    return positions[order], terms[order]


def term_block_list(postfile, start: int) -> list[tuple[int, int, int]]:
    """(offset, size, number of postings) of each block of the term whose
    postings begin at `start` in `postfile`, reading only the headers (a term
    too large to read whole)."""
    if postfile.get(start, len(BLOCK_MAGIC)) != BLOCK_MAGIC:
        raise CorruptIndexError(f"Bad postings block tag at offset {start}: the index is damaged; "
                                f"rebuild it with `newsindex build --full`.")
    blocks, position = [], start + len(BLOCK_MAGIC)
    while True:
        head = _HEAD.unpack(postfile.get(position, _HEAD.size))
        size = _HEAD.size + head[-2] + head[-1]
        blocks.append((position, size, head[0]))
        if head[8] & _LAST:
            return blocks
        position += size


def read_blocks(data: bytes, positions: np.ndarray, block_terms: np.ndarray, terms: int,
                fixed: int | None) -> BlockRun:
    """The postings of the blocks at `positions` in `data` (of terms
    numbered `block_terms`, ascending, `terms` in all) as arrays: array
    operations over all the blocks, a Python step only per block whose part A
    is compressed and per block's values (one slice each)."""
    buf = np.frombuffer(data, dtype=np.uint8)
    heads = _block_heads(buf, positions)
    n = heads["n"].astype(np.int64)
    size_a, size_b = heads["size_a"].astype(np.int64), heads["size_b"].astype(np.int64)
    a_at = positions + _HEAD.size
    zipped = np.flatnonzero(heads["flags"] & _A_ZLIB)
    a_buf, a_from = buf, a_at
    if len(zipped):  # part A of every block, inflated where it was compressed, in one buffer
        parts = [data[a:a + size] for a, size in zip(a_at.tolist(), size_a.tolist())]
        for k in zipped.tolist():
            parts[k] = zlib.decompress(parts[k])
        inflated = np.fromiter(map(len, parts), dtype=np.int64, count=len(parts))
        a_buf, a_from = np.frombuffer(b"".join(parts), dtype=np.uint8), np.cumsum(inflated) - inflated
    total = int(n.sum())
    first = np.cumsum(n) - n  # each block's first posting
    gap_width = heads["gap_width"].astype(np.int64)
    gaps = np.empty(total, dtype=np.int64)
    for width, dtype in _WIDTH_DTYPE.items():
        sel = np.flatnonzero(gap_width == width)
        if len(sel):
            gaps[spans(first[sel], n[sel])] = a_buf[spans(a_from[sel], n[sel] * width)].view(dtype)
    ids = np.cumsum(gaps)
    if len(n):
        ids -= np.repeat(ids[first] - gaps[first], n)  # each block's gaps start from 0
    kind = heads["weight_kind"]
    w_from = a_from + n * gap_width
    weights = np.ones(total, dtype=np.float32)
    sel = np.flatnonzero(kind == _W_SAME)
    if len(sel):
        same = a_buf[w_from[sel][:, None] + np.arange(4)].view("<f4").ravel()
        weights[spans(first[sel], n[sel])] = np.repeat(same, n[sel])
    for code, dtype in ((_W_U1, "<u1"), (_W_U2, "<u2"), (_W_F4, "<f4")):
        sel = np.flatnonzero(kind == code)
        if len(sel):
            width = np.dtype(dtype).itemsize
            weights[spans(first[sel], n[sel])] = a_buf[spans(w_from[sel], n[sel] * width)].view(dtype)
    b_at = a_at + size_a
    if fixed is not None and fixed > 0:
        lengths = np.repeat(np.where(size_b > 0, fixed, 0), n)
        v_at, v_size = b_at, size_b
    else:
        value_width = heads["value_width"].astype(np.int64)
        lengths = np.zeros(total, dtype=np.int64)
        for width, dtype in _WIDTH_DTYPE.items():
            sel = np.flatnonzero((value_width == width) & (size_b > 0))
            if len(sel):
                lengths[spans(first[sel], n[sel])] = buf[spans(b_at[sel], n[sel] * width)].view(dtype)
        v_at, v_size = b_at + n * value_width, size_b - n * value_width
    values = b"".join([data[v:v + size] for v, size in zip(v_at.tolist(), v_size.tolist()) if size])
    counts = np.bincount(block_terms, weights=n, minlength=terms).astype(np.int64)
    return BlockRun(counts, ids, weights, lengths, values)

class ArrayFieldWriter(FieldWriterBase):
    """W3's field writer that also writes a whole field's postings from
    arrays (`indexer.index.segment`)."""

    def add_term_arrays(self, fieldname: str, fieldobj, postings: TermArrays) -> None:
        """Every term of a field from arrays: the same blocks and term infos as
        `BlockArrayWriter` writes a posting at a time. A term of one block whose
        part A is too small to compress (nearly all terms) is laid out with
        whole-field array operations: its header, gaps, weights, value lengths
        and values are slices of whole-field arrays, gathered into the postings
        file in large pieces (`_gather`); a term of several blocks, or whose
        part A may shrink with zlib, is written block by block. The term
        infos go into the term table in one call."""
        self.start_field(fieldname, fieldobj)
        if not postings.terms:
            self.finish_field()
            return
        settings = whoosh_internals.codec_settings(self.codec)
        limit, level = settings.block_limit, settings.compression
        fixed = fieldobj.format.fixed_value_size()
        values = postings.values
        has_values = bool(values)
        fixed_values = has_values and fixed is not None and fixed > 0
        bounds = postings.term_starts
        starts, ends = bounds[:-1], bounds[1:]
        counts = ends - starts
        n_terms = len(starts)
        ids = postings.ids.astype(np.int64)
        weights = postings.weights.astype(np.float32)
        lengths = postings.value_lengths.astype(np.int64)
        offsets = postings.value_offsets.astype(np.int64)
        gaps = np.diff(ids, prepend=0)
        gaps[starts] = ids[starts]
        gap_widths = _widths(np.maximum.reduceat(gaps, starts))
        w_min, w_max = np.minimum.reduceat(weights, starts), np.maximum.reduceat(weights, starts)
        whole = np.add.reduceat((weights == np.floor(weights)).astype(np.int64), starts) == counts
        w_sums = np.add.reduceat(weights.astype(np.float64), starts)
        # weight kind and bytes per posting of each term (encode_weight_array's choice)
        kinds = np.full(n_terms, _W_F4, dtype=np.int64)
        small = whole & (w_min >= 0) & (w_max < 0x10000)
        kinds[small] = np.where(w_max[small] < 0x100, _W_U1, _W_U2)
        kinds[w_min == w_max] = _W_SAME
        kinds[(w_min == w_max) & (w_min == 1.0)] = _W_ONES
        weight_width = np.choose(kinds, [0, 0, 1, 2, 4])
        weight_size = np.where(kinds == _W_SAME, 4, counts * weight_width)
        if has_values and not fixed_values:
            value_widths = _widths(np.maximum.reduceat(lengths, starts))
        else:
            value_widths = np.zeros(n_terms, dtype=np.int64)
        last_value = ends - 1
        values_size = (offsets[last_value] + lengths[last_value] - offsets[starts]) if has_values else \
            np.zeros(n_terms, dtype=np.int64)
        size_a = counts * gap_widths + weight_size
        size_b = counts * value_widths + values_size
        several = counts > limit  # a common word: several blocks, written block by block
        several_bytes = []
        several_sizes = np.zeros(n_terms, dtype=np.int64)
        for t in np.flatnonzero(several).tolist():
            a, z = int(starts[t]), int(ends[t])
            chunks: list[bytes] = []
            self._term_blocks(chunks, 0, ids[a:z], weights[a:z], lengths[a:z] if has_values else None,
                              values, offsets[a:z].tolist(), fixed, limit, level)
            several_bytes.append(b"".join(chunks))
            several_sizes[t] = len(several_bytes[-1])
        heads = np.zeros(n_terms, dtype=_BLOCK_HEAD)
        heads["magic"] = BLOCK_MAGIC
        heads["n"] = counts
        heads["last"] = ids[last_value]
        heads["max_weight"] = w_max
        heads["gap_width"] = gap_widths
        heads["weight_kind"] = kinds
        heads["value_width"] = value_widths
        heads["flags"] = _LAST
        heads["size_a"] = size_a
        heads["size_b"] = size_b
        same = w_min.astype("<f4")
        # the sources a block is gathered from
        gap_arrays = [gaps.astype(_WIDTH_DTYPE[w]) for w in (1, 2, 4)]
        weight_arrays = [weights.astype("<u1"), weights.astype("<u2"), weights.astype("<f4")]
        length_arrays = ([lengths.astype(_WIDTH_DTYPE[w]) for w in (1, 2, 4)]
                         if has_values and not fixed_values else [])
        sources = [heads, same, *gap_arrays, *weight_arrays, *length_arrays, np.frombuffer(values, dtype=np.uint8)]
        base = np.cumsum([0] + [array.nbytes for array in sources])
        source = np.concatenate([array.view(np.uint8).reshape(-1) for array in sources])
        rows = np.arange(n_terms)
        # (start in `source`, length) of a block's pieces: header, gaps, weights, value lengths, values
        pieces = np.zeros((n_terms, 5, 2), dtype=np.int64)
        pieces[:, 0, 0] = base[0] + rows * _BLOCK_HEAD.itemsize
        pieces[:, 0, 1] = _BLOCK_HEAD.itemsize
        pieces[:, 1, 0] = base[2:5][_WIDTH_RANK[gap_widths]] + starts * gap_widths
        pieces[:, 1, 1] = counts * gap_widths
        weight_from = np.where(kinds == _W_SAME, base[1] + rows * 4,
                               base[np.choose(kinds, [0, 0, 5, 6, 7])] + starts * weight_width)
        pieces[:, 2, 0] = weight_from
        pieces[:, 2, 1] = weight_size
        if length_arrays:
            pieces[:, 3, 0] = base[8:11][_WIDTH_RANK[value_widths]] + starts * value_widths
            pieces[:, 3, 1] = counts * value_widths
        if has_values:
            pieces[:, 4, 0] = base[-2] + offsets[starts]
            pieces[:, 4, 1] = values_size
        # part A of a one-block term zlib'd when it is large enough to gain from it and does (`_squeeze`)
        extra = []  # bytes the gathered pieces may also point to, after `source`
        extra_at = int(base[-1])
        if level:
            squeeze = np.flatnonzero(~several & (size_a >= COMPRESSION_MIN_SIZE))
            part_a = pieces[squeeze, 1:3].reshape(-1, 2)
            raw = b"".join(_gather(source, part_a))
            cut = np.cumsum(size_a[squeeze]).tolist()
            for t, a, z in zip(squeeze.tolist(), [0, *cut[:-1]], cut):
                packed = isal_zlib.compress(raw[a:z], PART_A_LEVEL)
                if len(packed) < z - a:
                    heads["flags"][t] = _LAST | _A_ZLIB
                    heads["size_a"][t] = len(packed)
                    pieces[t, 1] = extra_at, len(packed)
                    pieces[t, 2] = 0
                    extra.append(packed)
                    extra_at += len(packed)
            if extra:  # the headers changed
                source[base[0]:base[1]] = heads.view(np.uint8).reshape(-1)
        if several_bytes:
            pieces[several] = 0
            pieces[several, 0, 0] = extra_at + np.cumsum(several_sizes[several]) - several_sizes[several]
            pieces[several, 0, 1] = several_sizes[several]
            extra += several_bytes
        if extra:
            source = np.concatenate([source, np.frombuffer(b"".join(extra), dtype=np.uint8)])
        block_sizes = pieces[:, :, 1].sum(axis=1)
        postfile = self.postings_file
        first = postfile.tell()
        block_starts = first + np.cumsum(block_sizes) - block_sizes
        for chunk in _gather(source, pieces.reshape(-1, 2)):
            postfile.write(chunk)
        infos = np.zeros(n_terms, dtype=_TERM_INFO_ARRAY)
        infos["weight"] = w_sums
        infos["doc_frequency"] = counts
        infos["max_weight"] = w_max
        infos["first_id"] = ids[starts]
        infos["last_id"] = ids[last_value]
        infos["offset"] = block_starts
        infos["length"] = block_sizes
        self.add_term_infos(postings.terms, infos.tobytes())
        self.finish_field()

    @staticmethod
    def _term_blocks(chunks: list[bytes], at: int, ids: np.ndarray, weights: np.ndarray,
                     lengths: np.ndarray | None, values: bytes, offsets: list[int], fixed: int | None,
                     limit: int, level: int, opening: bool = True, closing: bool = True) -> int:
        """A term of more than one block, block by block; returns the new file offset.
        A term written in pieces (`add_term_pieces`) opens with the first and closes with the last."""
        if opening:
            chunks.append(BLOCK_MAGIC)
            at += 4
        n_all = len(ids)
        for b in range(0, n_all, limit):
            e = min(b + limit, n_all)
            gap_array = np.diff(ids[b:e], prepend=0)
            gap_width = _width(int(gap_array.max()))
            gaps = gap_array.astype(_WIDTH_DTYPE[gap_width]).tobytes()
            wbytes, wkind = encode_weight_array(weights[b:e])
            if lengths is None:
                part_b, value_width = b"", 0
            elif fixed is not None and fixed > 0:
                part_b, value_width = values[offsets[b]:offsets[e - 1] + fixed], 0
            else:
                block_lengths = lengths[b:e]
                value_width = _width(int(block_lengths.max()))
                part_b = (block_lengths.astype(_WIDTH_DTYPE[value_width]).tobytes()
                          + values[offsets[b]:offsets[e - 1] + int(block_lengths[-1])])
            part_a, a_zlib = _squeeze(gaps + wbytes, level)
            flags = (_LAST if closing and e == n_all else 0) | (_A_ZLIB if a_zlib else 0)
            chunks.append(_HEAD.pack(e - b, int(ids[e - 1]), float(weights[b:e].max()), 0, 0, gap_width, wkind,
                                     value_width, flags, len(part_a), len(part_b)))
            chunks.append(part_a)
            chunks.append(part_b)
            at += _HEAD.size + len(part_a) + len(part_b)
        return at

    def add_term_pieces(self, fieldname: str, fieldobj, term: bytes,
                        pieces: Iterator[tuple[np.ndarray, np.ndarray, np.ndarray, bytes]]) -> None:
        """One term whose postings come in pieces (document numbers ascending
        across them; each piece: ids, float32 weights, value lengths, values):
        the blocks and term info `add_term_arrays` writes for the whole term,
        written as whole blocks arrive, so memory follows a piece and one
        block, not the term (a merge's commonest words)."""
        settings = whoosh_internals.codec_settings(self.codec)
        limit, level = settings.block_limit, settings.compression
        fixed = fieldobj.format.fixed_value_size()
        self.start_field(fieldname, fieldobj)
        postfile = self.postings_file
        start = at = postfile.tell()
        held: list[tuple[np.ndarray, np.ndarray, np.ndarray, bytes]] = []
        count, w_sum, w_max, first, last = 0, 0.0, None, None, None
        opened = False
        for piece in pieces:
            ids, weights = piece[0], piece[1]
            if not len(ids):
                continue
            count += len(ids)
            w_sum += float(weights.astype(np.float64).sum())
            top = float(weights.max())
            w_max = top if w_max is None else max(w_max, top)
            first = int(ids[0]) if first is None else first
            last = int(ids[-1])
            held.append(piece)
            pending = sum(len(p[0]) for p in held)
            whole = (pending - 1) // limit * limit  # a block stays held: the last one is written closing
            if whole:
                ids, weights, lengths, values = _joined(held)
                chunks: list[bytes] = []
                cut = int(lengths[:whole].sum())
                at = self._term_blocks(chunks, at, ids[:whole], weights[:whole], lengths[:whole] if cut else None,
                                       values[:cut],
                                       (np.cumsum(lengths[:whole]) - lengths[:whole]).tolist(), fixed, limit, level,
                                       opening=not opened, closing=False)
                postfile.write(b"".join(chunks))
                opened = True
                held = [(ids[whole:], weights[whole:], lengths[whole:], values[cut:])]
        if not count:
            self.finish_field()
            return
        ids, weights, lengths, values = _joined(held)
        if not opened:  # one block after all: the short path, as add_term_arrays writes it
            self.finish_field()
            self.add_term_arrays(fieldname, fieldobj, TermArrays(
                terms=[term], term_starts=np.array([0, len(ids)]), ids=ids, weights=weights, values=values,
                value_offsets=np.cumsum(lengths) - lengths, value_lengths=lengths))
            return
        chunks = []
        at = self._term_blocks(chunks, at, ids, weights, lengths if values else None, values,
                               (np.cumsum(lengths) - lengths).tolist(),
                               fixed, limit, level, opening=False, closing=True)
        postfile.write(b"".join(chunks))
        info = _TERM_INFO.pack(False, w_sum, count, 0, 0, w_max, first, last)
        self.term_table.add(self.field_key_prefix() + term, info + pack_long(start) + pack_int(at - start))
        self.finish_field()


def _joined(pieces: list) -> tuple[np.ndarray, np.ndarray, np.ndarray, bytes]:
    """Pieces of postings (ids, weights, value lengths, values) as one."""
    if len(pieces) == 1:
        return pieces[0]
    return (np.concatenate([p[0] for p in pieces]), np.concatenate([p[1] for p in pieces]),
            np.concatenate([p[2] for p in pieces]), b"".join(p[3] for p in pieces))

class TermArrays(NamedTuple):
    """One field's postings, all terms, as arrays (`indexer.index.segment`):
    the terms in order, where each term's postings begin (plus the end), and
    per posting its document number, weight and value (a slice of `values`,
    `value_lengths` bytes long from `value_offsets`; no values: `values` empty)."""

    terms: list[bytes]
    term_starts: np.ndarray
    ids: np.ndarray
    weights: np.ndarray
    values: bytes
    value_offsets: np.ndarray
    value_lengths: np.ndarray


def encode_weight_array(weights: np.ndarray) -> tuple[bytes, int]:
    """`encode_weights` of a float32 array (the same bytes and kind)."""
    first = weights[0]
    if (weights == first).all():
        return (b"", _W_ONES) if first == 1.0 else (struct.pack("<f", first), _W_SAME)
    largest = float(weights.max())
    if float(weights.min()) >= 0 and largest < 0x10000 and (weights == np.floor(weights)).all():
        width = _width(int(largest))
        return weights.astype(_WIDTH_DTYPE[width]).tobytes(), (_W_U1 if width == 1 else _W_U2)
    return weights.astype("<f4").tobytes(), _W_F4


class RememberingTermsReader(TermsReaderBase):
    """W3's term table, keeping the term infos it has looked up. One search
    asks for the same term's info four or five times (is it there, its
    document frequency for the query tree's order and for the idf, its
    postings, twice), each a hash-table probe of several small file reads;
    a prefix query does that for hundreds of terms."""

    def __init__(self, *args) -> None:
        super().__init__(*args)
        self._kept_infos: dict[tuple[str, bytes], W3TermInfo | None] = {}

    def _info(self, fieldname: str, tbytes: bytes) -> W3TermInfo | None:
        key = (fieldname, tbytes)
        kept = self._kept_infos
        try:
            return kept[key]
        except KeyError:
            pass
        try:
            info = W3TermInfo.from_bytes(self.stored_term_info(fieldname, tbytes))
        except KeyError:
            info = None
        if len(kept) >= TERM_INFOS_KEPT:
            kept.clear()
        kept[key] = info
        return info

    def __contains__(self, term: tuple[str, bytes]) -> bool:
        return self._info(*term) is not None

    def term_info(self, fieldname: str, tbytes: bytes) -> W3TermInfo:
        info = self._info(fieldname, tbytes)
        if info is None:
            raise TermNotFound(f"No term {fieldname}:{tbytes!r}")
        return info

    def frequency(self, fieldname: str, tbytes: bytes) -> float:
        info = self._info(fieldname, tbytes)
        if info is None:
            raise KeyError((fieldname, tbytes))  # as W3's table does
        return info.weight()

    def doc_frequency(self, fieldname: str, tbytes: bytes) -> int:
        info = self._info(fieldname, tbytes)
        if info is None:
            raise KeyError((fieldname, tbytes))
        return info.doc_frequency()


class NewsCodec(W3Codec):
    """W3 with array posting blocks (see the module docstring). No per-block
    length statistics: they are read back posting by posting at commit (~10%
    of a commit's CPU) and only tighten the score bounds `optimize=True`
    uses to skip blocks, which the array evaluation never does."""

    length_stats = False

    def __init__(self, blocklimit: int | None = None, compression: int = 3, inlinelimit: int = 1) -> None:
        super().__init__(blocklimit=blocklimit or BLOCK_LIMIT, compression=compression, inlinelimit=inlinelimit)

    def postings_writer(self, dbfile, byteids: bool = False):
        if byteids:  # term vectors (not used by the schema): W3's own blocks
            return super().postings_writer(dbfile, byteids=True)
        settings = whoosh_internals.codec_settings(self)
        return BlockArrayWriter(dbfile, blocklimit=settings.block_limit, byteids=False,
                                compression=settings.compression, inlinelimit=settings.inline_limit)

    def field_writer(self, storage, segment) -> ArrayFieldWriter:
        return ArrayFieldWriter(self, storage, segment)

    def terms_reader(self, storage, segment) -> RememberingTermsReader:
        tiname = segment.make_filename(self.TERMS_EXT)
        return RememberingTermsReader(self, storage.open_file(tiname), storage.file_length(tiname),
                                      segment.open_file(storage, self.POSTS_EXT))

    def postings_reader(self, dbfile, terminfo, format_, term=None, scorer=None):
        if terminfo.is_inlined():
            ids, weights, values = terminfo.inlined_postings()
            return ListMatcher(ids, weights, values, format_, scorer=scorer, term=term,
                               terminfo=terminfo)
        offset, length = terminfo.extent()
        return BlockArrayMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)
