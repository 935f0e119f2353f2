"""MinHash signatures of articles, for finding versions of one story.

Wire services re-send corrected stories ("CORRECTED - ..."), and Reuters-21578
holds hundreds of such pairs. At index time every article gets a MinHash
signature (datasketch's, computed with numpy) of its word 3-shingles, kept as
256 bytes in a column; `indexer.search.versions` compares the signatures of
ranked hits. An earlier design indexed LSH band keys as terms, which made the
index 75% larger because almost every band key is unique.

Cost: about 50 us of CPU per article at index time (the permutations are
made once, the shingles hashed with crc32 instead of SHA-1, and a batch of
articles goes through numpy together).
"""

from __future__ import annotations

import functools
import re
import zlib
from array import array
from typing import Iterable

import numpy as np

SHINGLE_WORDS = 3
NUM_PERM = 64
MIN_WORDS = 8  # shorter texts (a bare headline) are too small to compare

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


_ROWS = 4096  # shingles through the permutations at a time (1 MB arrays: in cache, 25% faster than 16 MB)


def _minhashes(hashes: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """datasketch 2's MinHash ("affine32" scheme, crc32 as the hash function)
    of several texts at once: `hashes` holds the crc32 of each text's shingles,
    text after text (`counts` of each, every count > 0). The same operations in
    numpy: each crc32 mixed by the MurmurHash3 finalizer, through a*h + b (mod
    2^32) per permutation, the minimum per permutation and text. Written out
    because `import datasketch` loads scipy (~0.5 s), which was half of a
    one-file incremental build; the signatures are bit-for-bit datasketch's
    (tests/search/test_quality.py checks them against datasketch itself on
    real articles). Shingles go through the permutations `_ROWS` at a time,
    whatever the texts' sizes: a text's minima over its rows in several
    chunks are the minima of the chunks' minima."""
    a, b = _permutations()
    h = hashes
    h ^= h >> np.uint32(16)
    h *= np.uint32(0x85EBCA6B)
    h ^= h >> np.uint32(13)
    h *= np.uint32(0xC2B2AE35)
    h ^= h >> np.uint32(16)
    firsts = np.cumsum(counts) - counts
    minima = np.full((len(counts), NUM_PERM), np.iinfo(np.uint32).max, dtype=np.uint32)
    for top in range(0, len(h), _ROWS):
        bottom = min(top + _ROWS, len(h))
        texts = np.arange(np.searchsorted(firsts, top, side="right") - 1,
                          np.searchsorted(firsts, bottom, side="left"))
        rows = h[top:bottom, None] * a + b
        part = np.minimum.reduceat(rows, np.maximum(firsts[texts], top) - top, axis=0)
        minima[texts] = np.minimum(minima[texts], part)
    return minima


def signatures(texts: Iterable[tuple[str, str]]) -> list[np.ndarray | None]:
    """The MinHash signature (uint32[NUM_PERM]) of each (headline, body)'s
    words, or None for a text too short to say anything about duplicates.
    Many articles at once: the numpy work is done for all of them together."""
    found: list[bool] = []
    counts: list[int] = []
    hashes = array("I")  # the crc32 of every shingle, text after text (a text's words are not kept)
    for headline, body in texts:
        words = _WORD.findall(f"{headline} {body}".lower())
        found.append(len(words) >= MIN_WORDS)
        if found[-1]:
            # SHINGLE_WORDS words joined by spaces, as UTF-8 bytes; a shingle seen
            # twice hashes the same, so the minima are those of the distinct ones
            shingles = map(" ".join, zip(*(words[k:] for k in range(SHINGLE_WORDS))))
            hashes.extend(map(zlib.crc32, map(str.encode, shingles)))
            counts.append(len(words) - SHINGLE_WORDS + 1)
    if not counts:
        return [None] * len(found)
    minima = iter(_minhashes(np.frombuffer(hashes, dtype=np.uint32).copy(), np.asarray(counts, dtype=np.int64)))
    return [next(minima) if ok else None for ok in found]


def signature(headline: str, body: str) -> np.ndarray | None:
    """The MinHash signature (uint32[NUM_PERM]) of an article's words, or None
    when the text is too short to say anything about duplicates."""
    return signatures([(headline, body)])[0]


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
    return fields_of([(headline, body)])[0]


def fields_of(texts: Iterable[tuple[str, str]]) -> list[dict]:
    """`document_fields` of many (headline, body) at once (`signatures`)."""
    return [{"dup_signature": encode(sig)} if sig is not None else {} for sig in signatures(texts)]
