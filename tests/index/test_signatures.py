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


def _analysed_signatures(texts: list[tuple[str, str]]) -> list:
    """`signatures_of_words` of `texts`, with the words a segment writer's batch analysis finds."""
    from indexer.index.analysis import BatchAnalyzer, NewsTextTokenizer

    analyzer = BatchAnalyzer(NewsTextTokenizer())
    parts = []
    for k in (0, 1):  # headlines, then bodies
        tokens = analyzer.analyse([text[k] for text in texts])
        parts.append((tokens.word_text_of, tokens.word_numbers))
    return signatures.signatures_of_words(texts, analyzer.words, *parts)


def test_signatures_from_the_analysed_words_are_the_definitions(monkeypatch):
    """A segment writer hashes an article's shingles from the words its text
    analysis found (words joined by apostrophes split again, each word's
    pieces hashed once per process): the definition's signatures, over
    batches that learn new words and over a fresh list of learned words."""
    from indexer.index import analysis

    texts = _texts()
    rnd = random.Random(11)
    pieces = ["a", "Bc", "9", " ", "'", "’", "'s", "O'Neil", "d'’e", "x'y'z", "Ünï", "\n"]
    texts += [("".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 6))),
               "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 60)))) for _ in range(300)]
    rnd.shuffle(texts)
    monkeypatch.setattr(analysis, "_LEARNED", analysis._LearnedWords())
    for batch in (texts[:400], texts[400:], texts[::3]):
        got = _analysed_signatures(batch)
        assert sum(sig is not None for sig in got) > 100
        for (headline, body), sig in zip(batch, got):
            assert (None if sig is None else sig.tolist()) == _by_definition(headline, body), (headline, body)
    monkeypatch.setattr(analysis, "_LEARNED", analysis._LearnedWords())  # a new list of words: hashed afresh
    got = _analysed_signatures(texts[:50])
    assert [None if sig is None else sig.tolist() for sig in got] == [_by_definition(*text) for text in texts[:50]]
