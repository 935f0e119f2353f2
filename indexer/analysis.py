"""Text analysis: how article text and queries become index terms.

English: lower case, accents folded, Snowball stemming ("cooperated" and
"cooperation" meet, which the original Porter stemmer misses), and no stop
words, so phrases such as "Inc said it" match exactly (WHOOSH-NOTES.md).
Korean: Hangul runs become overlapping bigrams, so a word matches inside a
longer eojeol ("서울" finds "서울에서") without a dictionary.
"""

from __future__ import annotations

import re
from typing import Iterator

from whoosh.analysis import (Analyzer, CharsetFilter, Filter, LowercaseFilter, RegexTokenizer,
                             StemFilter, Token)
from whoosh.analysis.analyzers import CompositeAnalyzer
from whoosh.support.charset import accent_map

_WORD = r"\w+(?:['\u2019]\w+)*"
_HANGUL_RUN = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]+")


class HangulBigramFilter(Filter):
    """Splits every Hangul run inside a token into overlapping two-syllable
    terms (a lone syllable stays as it is) and renumbers positions so that
    phrase and proximity queries still line up."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        shift = 0
        for t in tokens:
            if t.positions:
                t.pos += shift
            text = t.text
            if not _HANGUL_RUN.search(text):
                yield t
                continue
            pieces = list(_pieces(text))
            base_pos = t.pos if t.positions else 0
            base_char = t.startchar if t.chars else 0
            for i, (start, end) in enumerate(pieces):
                piece = t.copy()
                piece.text = text[start:end]
                if t.positions:
                    piece.pos = base_pos + i
                if t.chars:
                    piece.startchar = base_char + start
                    piece.endchar = base_char + end
                yield piece
            shift += len(pieces) - 1


class PossessiveFilter(Filter):
    """Folds curly apostrophes and drops a possessive 's ("Un's" -> "un"), so
    "Kim Jong Un’s visit" is found by "Un"."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            text = t.text
            if "\u2019" in text or "'" in text:
                text = text.replace("\u2019", "'")
                if text.endswith("'s"):
                    text = text[:-2]
                t.text = text
            yield t


def _pieces(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) spans: non-Hangul stretches whole, Hangul runs as bigrams."""
    pos = 0
    for m in _HANGUL_RUN.finditer(text):
        if m.start() > pos:
            yield pos, m.start()
        run_start, run_end = m.span()
        if run_end - run_start == 1:
            yield run_start, run_end
        else:
            for i in range(run_start, run_end - 1):
                yield i, i + 2
        pos = run_end
    if pos < len(text):
        yield pos, len(text)


class NewsAnalyzer(CompositeAnalyzer):
    """A composite analyzer that honours both spellings of "skip stemming".

    Whoosh's spelling sub-field (`TEXT(spelling=True)`) asks for unstemmed
    words with `nomorph=True`, but whoosh3's CompositeAnalyzer only reads
    `no_morph`, so the spelling words came out stemmed ("cooper" for
    "cooperation"). This class accepts either keyword."""

    def __call__(self, value: str, no_morph: bool = False, nomorph: bool = False, **kwargs):
        return super().__call__(value, no_morph=no_morph or nomorph, **kwargs)


def text_analyzer() -> Analyzer:
    """The analyzer for headline, captions and body (index and query side)."""
    return NewsAnalyzer(RegexTokenizer(_WORD), LowercaseFilter(), PossessiveFilter(),
                        CharsetFilter(accent_map), HangulBigramFilter(), StemFilter(lang="en"))


def name_analyzer() -> Analyzer:
    """Publication and author names: folded words, no stemming."""
    return RegexTokenizer(_WORD) | LowercaseFilter() | PossessiveFilter() | CharsetFilter(accent_map) | HangulBigramFilter()
