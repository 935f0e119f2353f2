"""MinHash signatures of articles, for finding versions of one story.

Wire services re-send corrected stories ("CORRECTED - ..."), and Reuters-21578
holds hundreds of such pairs. At index time every article gets a MinHash
signature (datasketch's, computed with numpy) of its word 3-shingles, kept as
256 bytes in a column; `indexer.search.versions` compares the signatures of
ranked hits. An earlier design indexed LSH band keys as terms, which made the
index 75% larger because almost every band key is unique.

Cost: about 50 us of CPU per article at index time (the permutations are
made once, the shingles hashed with crc32 instead of SHA-1, and a batch of
articles goes through numpy together: an ASCII article's shingles are hashed
from its words' crc32 with array operations, and in a build task from the
words the segment's text analysis found, each word hashed once per process:
`signatures_of_words`; tests/index/test_signatures.py).
"""

from __future__ import annotations

import functools
import re
import zlib
from array import array
from typing import Iterable, Sequence

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
    chunk = np.empty((_ROWS, NUM_PERM), dtype=np.uint32)  # reused: no new arrays per chunk
    for top in range(0, len(h), _ROWS):
        bottom = min(top + _ROWS, len(h))
        texts = np.arange(np.searchsorted(firsts, top, side="right") - 1,
                          np.searchsorted(firsts, bottom, side="left"))
        rows = chunk[:bottom - top]
        np.multiply(h[top:bottom, None], a, out=rows)
        rows += b
        part = np.minimum.reduceat(rows, np.maximum(firsts[texts], top) - top, axis=0)
        minima[texts] = np.minimum(minima[texts], part)
    return minima


def signatures(texts: Iterable[tuple[str, str]]) -> list[np.ndarray | None]:
    """The MinHash signature (uint32[NUM_PERM]) of each (headline, body)'s
    words, or None for a text too short to say anything about duplicates.
    Many articles at once: the numpy work is done for all of them together,
    and the shingles of ASCII articles are hashed with array operations
    (`_ascii_shingle_hashes`: the same crc32 values)."""
    lowered = [f"{headline} {body}".lower() for headline, body in texts]
    result: list[np.ndarray | None] = [None] * len(lowered)
    ascii_texts = [i for i, text in enumerate(lowered) if text.isascii()]
    if ascii_texts:
        hashes, counts, kept = _ascii_shingle_hashes([lowered[i] for i in ascii_texts])
        if len(kept):
            for i, minima in zip(kept.tolist(), _minhashes(hashes, counts)):
                result[ascii_texts[i]] = minima
    others = [i for i, text in enumerate(lowered) if not text.isascii()]
    if others:
        hashes, counts, kept = _shingle_hashes([lowered[i] for i in others])
        if len(kept):
            for i, minima in zip(kept.tolist(), _minhashes(hashes, counts)):
                result[others[i]] = minima
    return result


def _shingle_hashes(texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The crc32 of every shingle of each lower-cased text with at least
    MIN_WORDS words, text after text; the number of each such text's
    shingles; which texts those are."""
    kept: list[int] = []
    counts: list[int] = []
    hashes = array("I")  # the crc32 of every shingle, text after text (a text's words are not kept)
    for i, text in enumerate(texts):
        words = _WORD.findall(text)
        if len(words) >= MIN_WORDS:
            # SHINGLE_WORDS words joined by spaces, as UTF-8 bytes; a shingle seen
            # twice hashes the same, so the minima are those of the distinct ones
            shingles = map(" ".join, zip(*(words[k:] for k in range(SHINGLE_WORDS))))
            hashes.extend(map(zlib.crc32, map(str.encode, shingles)))
            counts.append(len(words) - SHINGLE_WORDS + 1)
            kept.append(i)
    return (np.frombuffer(hashes, dtype=np.uint32).copy(), np.asarray(counts, dtype=np.int64),
            np.asarray(kept, dtype=np.int64))


# -- crc32 with array operations, for ASCII texts -------------------------------------
# crc32 is linear: crc(A + B) = M(len(B)) crc(A) ^ crc(B), where M(n) is a fixed
# 32x32 bit matrix (zlib's crc32_combine), and M(n) v = crc32(n zero bytes, start=v)
# ^ crc32(n zero bytes). So a shingle "w1 w2 w3" hashes from its words' crc32 and
# lengths: crc(" " + w) = M(len(w)) crc(" ") ^ crc(w), and
# crc(w1 + " " + w2 + " " + w3) = M(len(w3) + 1) (M(len(w2) + 1) crc(w1) ^ crc(" " + w2)) ^ crc(" " + w3).

_ASCII_WORD_CHAR = np.array([_WORD.fullmatch(chr(code)) is not None for code in range(128)])
_LONG_WORD = 24  # bytes: a word's crc32 is computed a byte position at a time up to this, longer ones by zlib


@functools.lru_cache(maxsize=1)
def _crc_table() -> np.ndarray:
    """crc32's byte table: the crc register after one byte b is
    table[(register ^ b) & 0xff] ^ (register >> 8) (with zlib's conditioning:
    the register starts at and is finally xor'd with 0xffffffff)."""
    return _shift_tables(1)[0]  # M(1) b for a byte b is the table's entry


@functools.lru_cache(maxsize=256)
def _shift_tables(n: int) -> np.ndarray:
    """M(n) as four byte tables: M(n) v = t[0][v & 0xff] ^ t[1][v >> 8 & 0xff] ^ ..."""
    zeros = b"\0" * n
    base = zlib.crc32(zeros)
    columns = np.array([zlib.crc32(zeros, 1 << bit) ^ base for bit in range(32)], dtype=np.uint32)
    bits = (np.arange(256)[:, None] >> np.arange(8)) & 1
    return np.stack([np.bitwise_xor.reduce(np.where(bits, columns[8 * k:8 * k + 8], np.uint32(0)), axis=1)
                     for k in range(4)]).astype(np.uint32)


def _shift(values: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """M(lengths[i]) values[i] for every i."""
    distinct = np.flatnonzero(np.bincount(lengths))
    slot = np.zeros(int(distinct[-1]) + 1, dtype=np.int64)
    slot[distinct] = np.arange(len(distinct)) * 1024
    tables = np.stack([_shift_tables(int(n)) for n in distinct.tolist()]).reshape(-1)
    base = slot[lengths]
    by_byte = values.astype("<u4", copy=False).view(np.uint8).reshape(-1, 4)  # low byte first
    out = tables[base + by_byte[:, 0]]
    for k in range(1, 4):
        out ^= tables[(base + 256 * k) + by_byte[:, k]]
    return out


def _word_crcs(codes: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """zlib.crc32 of every word (codes[start:start + length]), a byte position
    at a time over all words at once (words longer than _LONG_WORD by zlib)."""
    table = _crc_table()
    # longest first (the words still going are a prefix); a radix sort of small keys
    order = np.argsort(-np.minimum(lengths, _LONG_WORD + 1).astype(np.int8), kind="stable")
    by_length = lengths[order]
    at = starts[order]
    register = np.full(len(order), 0xFFFFFFFF, dtype=np.uint32)
    long_words = int(np.searchsorted(-by_length, -_LONG_WORD, side="left"))  # lengths > _LONG_WORD
    for k in range(int(by_length[long_words]) if long_words < len(order) else 0):
        going = int(np.searchsorted(-by_length, -k, side="left"))  # lengths > k
        part = register[long_words:going]
        register[long_words:going] = table[(part ^ codes[at[long_words:going] + k]) & 0xFF] ^ (part >> np.uint32(8))
    register ^= np.uint32(0xFFFFFFFF)
    data = codes.tobytes()
    for i in range(long_words):
        register[i] = zlib.crc32(data[at[i]:at[i] + by_length[i]])
    crcs = np.empty_like(register)
    crcs[order] = register
    return crcs


def _ascii_shingle_hashes(texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`_shingle_hashes` of ASCII texts with array operations: the words are the
    runs of word characters, each word's crc32 is computed once, and a
    shingle's crc32 is combined from its words' (see above)."""
    joined = "\n".join(texts)  # "\n" is no word character: no word spans two texts
    codes = np.frombuffer(joined.encode("ascii"), dtype=np.uint8)
    edges = np.diff(_ASCII_WORD_CHAR[codes].view(np.int8), prepend=np.int8(0), append=np.int8(0))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    text_lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    text_starts = np.cumsum(text_lengths + 1) - (text_lengths + 1)
    text_of = np.searchsorted(text_starts, starts, side="right") - 1
    words = np.bincount(text_of, minlength=len(texts))
    if not (words >= MIN_WORDS).any():
        return _hashes_of_words(np.zeros(0, dtype=np.uint32), np.zeros(0, dtype=np.int64),
                                np.zeros(0, dtype=np.uint32), words)
    lengths = ends - starts
    crcs = _word_crcs(codes, starts, lengths)
    return _hashes_of_words(crcs, lengths, _after_space(crcs, lengths), words)


def _after_space(crcs: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """crc(" " + w) of words w from their crc32 and lengths."""
    return _shift(np.full(len(lengths), zlib.crc32(b" "), dtype=np.uint32), lengths) ^ crcs


def _hashes_of_words(crcs: np.ndarray, lengths: np.ndarray, after_space: np.ndarray,
                     words: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`_shingle_hashes` from the words of the texts, text after text (`words`
    of each): each word's crc32, length and crc(" " + word)."""
    kept = np.flatnonzero(words >= MIN_WORDS)
    if not len(kept):
        return np.zeros(0, dtype=np.uint32), np.zeros(0, dtype=np.int64), kept
    # shingles start at every word of a kept text but its last SHINGLE_WORDS - 1
    first_word = np.cumsum(words) - words
    counts = words[kept] - SHINGLE_WORDS + 1
    shingle_starts = np.repeat(first_word[kept] - (np.cumsum(counts) - counts), counts) + np.arange(int(counts.sum()))
    hashes = crcs[shingle_starts]
    for k in range(1, SHINGLE_WORDS):
        following = shingle_starts + k
        hashes = _shift(hashes, lengths[following] + 1) ^ after_space[following]
    return hashes, counts, kept


# -- signatures from the words a text analysis found ----------------------------------
# The segment writer's analysis (indexer.index.analysis) finds each text's words
# (matches of its _WORD: word characters joined by apostrophes) and numbers them
# once per process. On ASCII text, the words here (_WORD above, of the lower-cased
# text) are those words split at their apostrophes, lower-cased: so each analysed
# word's pieces are hashed once, and an article's shingles come from its words' numbers.

class _WordPieces:
    """The pieces (runs of word characters, lower-cased) of each word of a
    growing list of words: their crc32, lengths and crc(" " + piece), and
    each word's first piece and number of pieces (0 for a non-ASCII word)."""

    def __init__(self, words: Sequence[str]) -> None:
        self.words = words
        self.first = np.zeros(0, dtype=np.int64)
        self.count = np.zeros(0, dtype=np.int64)
        self.crcs = np.zeros(0, dtype=np.uint32)
        self.lengths = np.zeros(0, dtype=np.int64)
        self.after_space = np.zeros(0, dtype=np.uint32)

    def update(self) -> None:
        """Add the words added to the list since."""
        new = self.words[len(self.count):]
        if not new:
            return
        pieces = [word.lower().split("'") if word.isascii() else [] for word in new]
        count = np.fromiter(map(len, pieces), dtype=np.int64, count=len(pieces))
        flat = [piece.encode("ascii") for word in pieces for piece in word]
        crcs = np.fromiter(map(zlib.crc32, flat), dtype=np.uint32, count=len(flat))
        lengths = np.fromiter(map(len, flat), dtype=np.int64, count=len(flat))
        self.first = np.append(self.first, len(self.crcs) + np.cumsum(count) - count)
        self.count = np.append(self.count, count)
        self.crcs = np.append(self.crcs, crcs)
        self.lengths = np.append(self.lengths, lengths)
        self.after_space = np.append(self.after_space, _after_space(crcs, lengths) if len(flat) else crcs)


_PIECES: _WordPieces | None = None


def signatures_of_words(texts: Sequence[tuple[str, str]], words: Sequence[str],
                        headline: tuple[np.ndarray, np.ndarray],
                        body: tuple[np.ndarray, np.ndarray]) -> list[np.ndarray | None]:
    """`signatures(texts)`, with the words a text analysis found in them:
    `words` the analysis' distinct words (matches of `indexer.index.analysis._WORD`)
    by number, a list that only grows; `headline` and `body` each (text, word
    number) of every word found in the texts' headlines and bodies, in text
    order. Articles all ASCII are hashed from their words' pieces; any other as
    `signatures` does (tests/index/test_signatures.py)."""
    global _PIECES
    if _PIECES is None or _PIECES.words is not words:
        _PIECES = _WordPieces(words)
    pieces = _PIECES
    pieces.update()
    n = len(texts)
    result: list[np.ndarray | None] = [None] * n
    ascii_texts = np.fromiter((h.isascii() and b.isascii() for h, b in texts), dtype=bool, count=n)
    parts = []  # per part: each piece's text and piece number, in text order
    for text_of, numbers in (headline, body):
        kept = ascii_texts[text_of]
        text_of, numbers = text_of[kept], numbers[kept]
        count = pieces.count[numbers]
        firsts = pieces.first[numbers]
        if (count == 1).all():
            parts.append((text_of, firsts))
            continue
        ends = np.cumsum(count)
        at = np.arange(int(ends[-1]) if len(ends) else 0) - np.repeat(ends - count, count)
        parts.append((np.repeat(text_of, count), np.repeat(firsts, count) + at))
    per_part = [np.bincount(text_of, minlength=n) for text_of, _ in parts]
    words_of = per_part[0] + per_part[1]
    where = np.empty(int(words_of.sum()), dtype=np.int64)  # article order: its headline's pieces, then its body's
    before = np.cumsum(words_of) - words_of
    for (text_of, numbers), part_words in zip(parts, per_part):
        within = np.arange(len(text_of)) - (np.cumsum(part_words) - part_words)[text_of]
        where[before[text_of] + within] = numbers
        before = before + part_words
    chosen = np.flatnonzero(ascii_texts)
    hashes, counts, kept = _hashes_of_words(pieces.crcs[where], pieces.lengths[where], pieces.after_space[where],
                                            words_of[chosen])
    if len(kept):
        for i, minima in zip(chosen[kept].tolist(), _minhashes(hashes, counts)):
            result[i] = minima
    others = np.flatnonzero(~ascii_texts).tolist()
    if others:
        for i, sig in zip(others, signatures([texts[i] for i in others])):
            result[i] = sig
    return result


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
