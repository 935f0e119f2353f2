"""Near-duplicate wire stories: the same story re-sent with small edits.

Wire services re-send corrected stories ("CORRECTED - ..."), and Reuters-21578
holds hundreds of such pairs. At index time every article gets a MinHash
signature (datasketch's, computed with numpy) of its word 3-shingles, kept as
256 bytes in a column.
At query time the signatures of the ranked hits are compared with each other
(numpy, one vectorised comparison per page): two articles are versions of one
story when their estimated Jaccard similarity is at least `THRESHOLD` and
they were published at most `MAX_DAYS_APART` days apart.
Versions of a story share nearly all their words, so they rank next to each
other (or, sorted by date, were sent close together), and comparing within
the ranked window finds them without any extra index terms: an earlier design
indexed LSH band keys as terms, which made the index 75% larger because
almost every band key is unique.

Cost: about 0.1 ms of CPU per article at index time (the permutations are
made once and the shingles hashed with crc32 instead of SHA-1).
"""

from __future__ import annotations

import functools
import re
import zlib
from typing import Iterable, Sequence

import numpy as np

SHINGLE_WORDS = 3
NUM_PERM = 64
THRESHOLD = 0.8
MIN_WORDS = 8  # shorter texts (a bare headline) are too small to compare
# Versions of one story are sent within days; the same wording weeks apart is
# a recurring report ("Bundesbank leaves credit policies unchanged"), not a version.
MAX_DAYS_APART = 3.0
_MICROSECONDS_PER_DAY = 86_400_000_000

_WORD = re.compile(r"\w+")


@functools.lru_cache(maxsize=1)
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """datasketch's "affine32" permutations for seed 1: odd multipliers `a`
    and offsets `b`, drawn exactly as `datasketch.MinHash(num_perm, seed=1)`
    draws them (numpy's legacy RandomState, whose stream never changes)."""
    gen = np.random.RandomState(1)
    a = gen.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
    return a, b


def _minhash(shingles: Iterable[bytes], count: int) -> np.ndarray:
    """datasketch 2's MinHash ("affine32" scheme, crc32 as the hash function),
    the same operations in numpy: the crc32 of each shingle, mixed by the
    MurmurHash3 finalizer, through a*h + b (mod 2^32) per permutation, and the
    minimum per permutation. Written out because `import datasketch` loads
    scipy (~0.5 s), which was half of a one-file incremental build; the
    signatures are bit-for-bit datasketch's (tests/test_quality.py checks
    them against datasketch itself on real articles)."""
    a, b = _permutations()
    h = np.fromiter(map(zlib.crc32, shingles), dtype=np.uint32, count=count)
    h ^= h >> np.uint32(16)
    h *= np.uint32(0x85EBCA6B)
    h ^= h >> np.uint32(13)
    h *= np.uint32(0xC2B2AE35)
    h ^= h >> np.uint32(16)
    return (h[:, None] * a + b).min(axis=0)


def signature(headline: str, body: str) -> np.ndarray | None:
    """The MinHash signature (uint32[NUM_PERM]) of an article's words, or None
    when the text is too short to say anything about duplicates."""
    words = _WORD.findall(f"{headline} {body}".lower())
    if len(words) < MIN_WORDS:
        return None
    # SHINGLE_WORDS words joined by spaces, as UTF-8 bytes; a shingle seen
    # twice hashes the same, so the minima are those of the distinct ones
    shingles = map(str.encode, map(" ".join, zip(*(words[k:] for k in range(SHINGLE_WORDS)))))
    return _minhash(shingles, len(words) - SHINGLE_WORDS + 1)


def encode(sig: np.ndarray) -> bytes:
    return sig.astype("<u4").tobytes()


def decode(data: bytes | None) -> np.ndarray | None:
    if not data or len(data) != NUM_PERM * 4:
        return None
    return np.frombuffer(data, dtype="<u4")


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two articles' shingle sets."""
    return float(np.count_nonzero(a == b)) / NUM_PERM


def document_fields(headline: str, body: str) -> dict:
    """The index field that carries an article's signature (empty when too short)."""
    sig = signature(headline, body)
    return {"dup_signature": encode(sig)} if sig is not None else {}


class _ColumnValues:
    """Per-document column values across segments. Whoosh's MultiReader
    column_reader leaves out segments that lack the column (a segment of only
    short or undated articles) yet keeps global document numbers, so a later
    segment's document was looked up in an earlier one (IndexError, or another
    article's value). This reads each segment's own column instead."""

    def __init__(self, reader, fieldname: str, translate: bool = True) -> None:
        self._leaves = []
        for leaf, base in reader.leaf_readers():
            column = (leaf.column_reader(fieldname, translate=translate)
                      if leaf.has_column(fieldname) else None)
            self._leaves.append((base, leaf.doc_count_all(), column))

    def get(self, docnum: int):
        for base, count, column in self._leaves:
            if base <= docnum < base + count:
                return column[docnum - base] if column is not None else None
        return None


def signatures_of(searcher, docnums: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """(signatures as a uint32[n, NUM_PERM] array, mask of those that have one)."""
    out = np.zeros((len(docnums), NUM_PERM), dtype=np.uint32)
    present = np.zeros(len(docnums), dtype=bool)
    column = _ColumnValues(searcher.reader(), "dup_signature")
    for i, docnum in enumerate(docnums):
        sig = decode(column.get(docnum))
        if sig is not None:
            out[i] = sig
            present[i] = True
    return out, present


def days_of(searcher, docnums: Sequence[int]) -> np.ndarray:
    """Publication dates as days (NaN when undated)."""
    days = np.full(len(docnums), np.nan)
    column = _ColumnValues(searcher.reader(), "date", translate=False)
    for i, docnum in enumerate(docnums):
        value = column.get(docnum)
        if isinstance(value, int) and value > 0:
            days[i] = value / _MICROSECONDS_PER_DAY
    return days


def _versions_mask(sigs, present, days, i: int) -> np.ndarray:
    """Similarity of every row to row i, zeroed where it cannot be a version."""
    similar = (sigs == sigs[i]).sum(axis=1) / NUM_PERM
    similar[~present] = 0.0
    if not np.isnan(days[i]):
        apart = np.abs(days - days[i])
        similar[apart > MAX_DAYS_APART] = 0.0  # NaN (undated) compares False: kept
    return similar


def group_versions(searcher, ranked: Sequence[int]) -> list[tuple[int, list[int]]]:
    """Fold versions of a story into its best-ranked article: [(leader,
    [its other versions, most similar first]), ...] in rank order."""
    sigs, present = signatures_of(searcher, ranked)
    days = days_of(searcher, ranked)
    taken = np.zeros(len(ranked), dtype=bool)
    groups: list[tuple[int, list[int]]] = []
    for i, docnum in enumerate(ranked):
        if taken[i]:
            continue
        versions: list[int] = []
        if present[i]:
            similar = _versions_mask(sigs, present, days, i)
            similar[taken] = 0.0
            similar[i] = 0.0
            found = np.nonzero(similar >= THRESHOLD)[0]
            found = found[np.argsort(-similar[found], kind="stable")]
            taken[found] = True
            versions = [ranked[j] for j in found]
        groups.append((docnum, versions))
    return groups


def is_version(searcher, docnum: int, others: Sequence[int]) -> list[bool]:
    """For each of `others`: is it a version of `docnum`?"""
    docnums = [docnum, *others]
    sigs, present = signatures_of(searcher, docnums)
    if not present[0]:
        return [False] * len(others)
    similar = _versions_mask(sigs, present, days_of(searcher, docnums), 0)
    return [bool(s >= THRESHOLD) for s in similar[1:]]
