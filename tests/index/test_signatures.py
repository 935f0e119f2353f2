"""A batch of articles gets the MinHash signatures of its shingles' crc32, as
the definition says, whichever way the shingles are hashed (ASCII articles with
array operations, others a shingle at a time)."""

from __future__ import annotations

import gzip
import json
import random
import re
import zlib

import numpy as np

from indexer.index import signatures
from tests.conftest import REPO


def _by_definition(headline: str, body: str) -> list[int] | None:
    """The signature from the crc32 of each shingle's UTF-8 bytes, one text at a time."""
    words = re.findall(r"\w+", f"{headline} {body}".lower())
    if len(words) < signatures.MIN_WORDS:
        return None
    shingles = [" ".join(words[i:i + signatures.SHINGLE_WORDS]).encode("utf-8")
                for i in range(len(words) - signatures.SHINGLE_WORDS + 1)]
    hashes = np.array([zlib.crc32(shingle) for shingle in shingles], dtype=np.uint32)
    return signatures._minhashes(hashes, np.array([len(hashes)]))[0].tolist()


def _texts() -> list[tuple[str, str]]:
    with gzip.open(REPO / "corpus" / "reuters21578" / "reut2-000.jsonl.gz", "rt", encoding="utf-8") as fh:
        texts = [(r.get("headline") or "", r.get("body") or "") for r in map(json.loads, list(fh)[:300])]
    # made-up texts: long and short words, digits, underscores, apostrophes,
    # accents, a Kelvin sign (lower-cased to an ASCII k), too few words
    pieces = ["a", "Bc", "9", "_", " ", "\n", ".", "'", "xyzzy", "q" * 30, "W" * 25, "é", "\u212a", "Ünï"]
    rnd = random.Random(7)
    texts += [("".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 8))),
               "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 120)))) for _ in range(400)]
    texts += [("", "one two three"), ("", "x" * 3000 + " a b c d e f g h")]
    return texts


def test_batch_signatures_are_the_definitions():
    texts = _texts()
    got = signatures.signatures(texts)
    assert sum(sig is not None for sig in got) > 500
    assert sum(sig is None for sig in got) > 10
    assert any(not f"{h} {b}".lower().isascii() and sig is not None for (h, b), sig in zip(texts, got))
    for (headline, body), sig in zip(texts, got):
        assert (None if sig is None else sig.tolist()) == _by_definition(headline, body)
