"""Our English stemmer (index and queries) gives Whoosh's stems."""

from __future__ import annotations

import os
import zlib
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh.lang.snowball.english import EnglishStemmer

from indexer.index import english_stemmer
from indexer.index.analysis import _word_spans
from tests.conftest import FIXTURES, REPO

WHOOSH_STEM = EnglishStemmer().stem
_CLASS = "_EnglishStemmer__"
# pieces that steer a generated word through every step's branches: each
# step's suffixes, the special words, the prefixes with their own region,
# vowels, consonants, y and Y, apostrophes, digits, a non-ASCII letter
PIECES = sorted({suffix for step in ("step0", "step1a", "step1b", "step2", "step3", "step4")
                 for suffix in getattr(EnglishStemmer, f"{_CLASS}{step}_suffixes")}
                | set(getattr(EnglishStemmer, f"{_CLASS}special_words"))
                | {"gener", "commun", "arsen", "a", "e", "i", "o", "u", "y", "Y", "b", "c", "d", "l", "s", "t", "w",
                   "x", "'", "\u2019", "\u2018", "\u201b", "7", "é", "ee", "ll", "ss", "tt", "at", "bl", "iz", "ion"})


def _words(path: Path) -> set[str]:
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = zlib.decompressobj(wbits=47).decompress(data)  # what a cut-short fixture holds too
    return set(_word_spans(data.decode("utf-8", "replace"))[0])


def test_every_word_of_the_bundled_texts_gets_whooshs_stem():
    words: set[str] = set()
    for root in (REPO / "corpus", FIXTURES):
        for folder, _, names in os.walk(root):
            for name in names:
                words |= _words(Path(folder) / name)
    inputs = {word.lower() for word in words} | {word.lower().replace("\u2019", "'") for word in words}
    assert len(inputs) > 50_000
    assert [word for word in inputs if english_stemmer.stem(word) != WHOOSH_STEM(word)] == []


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=7).map("".join))
def test_generated_words_get_whooshs_stem(word):
    assert english_stemmer.stem(word) == WHOOSH_STEM(word)


def test_the_region_is_whooshs():
    for word in ("", "a", "ab", "beautiful", "beauty", "sky", "yyy", "aYb", "1a2b", "rhythm", "ééb", "generous"):
        assert (english_stemmer._region(word), english_stemmer._region(english_stemmer._region(word))) == \
            EnglishStemmer()._r1r2_standard(word, "aeiouy")
