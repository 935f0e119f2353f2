"""MinHash signatures of articles, for finding versions of one story.

Wire services re-send corrected stories ("CORRECTED - ..."), and Reuters-21578
holds hundreds of such pairs. At index time every article gets a MinHash
signature (datasketch's, computed with numpy) of its word 3-shingles, kept as
256 bytes in a column; `indexer.search.versions` compares the signatures of
ranked hits. An earlier design indexed LSH band keys as terms, which made the
index 75% larger because almost every band key is unique.

Cost: about 0.1 ms of CPU per article at index time (the permutations are
made once and the shingles hashed with crc32 instead of SHA-1).
"""

from __future__ import annotations

import functools
import re
import zlib
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


def _minhash(shingles: Iterable[bytes], count: int) -> np.ndarray:
    """datasketch 2's MinHash ("affine32" scheme, crc32 as the hash function),
    the same operations in numpy: the crc32 of each shingle, mixed by the
    MurmurHash3 finalizer, through a*h + b (mod 2^32) per permutation, and the
    minimum per permutation. Written out because `import datasketch` loads
    scipy (~0.5 s), which was half of a one-file incremental build; the
    signatures are bit-for-bit datasketch's (tests/search/test_quality.py checks
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
