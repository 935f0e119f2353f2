"""'Did you mean': spelling corrections from the archive's own vocabulary.

The text fields are stemmed, so correcting their terms gives stems nobody
typed ("sourc" for "sojurn"). The build therefore keeps a vocabulary beside the
index (`indexer.index.vocabulary`): every word of headlines and bodies as
people write it (lower case, accents folded, possessive dropped, no stemming)
with the number of articles that use it.

A rare or unknown word is replaced by the most frequent vocabulary word one
edit away (two edits when nothing is one away), sharing its first letter.
Only the words of the query change; its operators, phrases and field scopes
stay as the user wrote them. Incremental builds add the words of new and
changed articles and never subtract: a word whose articles were deleted stays
listed, which is harmless because the caller only offers a correction that
really finds more articles.
"""

from __future__ import annotations

import os
import re
import threading
from bisect import bisect_left
from pathlib import Path
from typing import Callable, Iterable

from indexer.index.vocabulary import HANGUL, VOCABULARY_NAME, VocabularyCounts

RARE_WORD_DOCS = 3  # a word in fewer articles than this may be a typo
MIN_GAIN = 5        # a correction must be this many times more common
# fields whose values are names, dates or addresses, never corrected
_UNCORRECTED_SCOPES = {"publication", "author", "byline", "date", "url", "source", "id"}
_WORD = re.compile(r"[^\W\d_]+(?:['\u2019][^\W\d_]+)*")
_OPERATORS = {"AND", "OR", "NOT", "TO", "ANDNOT", "ANDMAYBE"}


class Vocabulary:
    """A saved vocabulary, ready for edit-distance lookups: the sorted words
    (a Levenshtein automaton skips through them with bisection, as Whoosh does
    through a term dictionary) and their article counts."""

    def __init__(self, counts: dict[str, int]) -> None:
        self.counts = counts
        self.words = sorted(counts)

    def frequency(self, word: str) -> int:
        return self.counts.get(word, 0)

    def within(self, word: str, maxdist: int, prefix: int = 1) -> Iterable[str]:
        """Words within `maxdist` Levenshtein edits sharing the first `prefix` letters."""
        from whoosh.automata.fsa import find_all_matches
        from whoosh.codec.base import Automata

        words = self.words

        def first_at_or_after(text: str) -> str | None:
            i = bisect_left(words, text)
            return words[i] if i < len(words) else None

        dfa = Automata.levenshtein_dfa(word, maxdist, prefix)
        return find_all_matches(dfa, first_at_or_after)


_loaded: dict[str, tuple[tuple[int, int], Vocabulary]] = {}
_loaded_lock = threading.Lock()


def vocabulary_of(folder: Path) -> Vocabulary | None:
    """The vocabulary of an index generation folder, loaded once per version of the file."""
    path = Path(folder) / VOCABULARY_NAME
    try:
        st = os.stat(path)
    except OSError:
        return None
    key = str(path)
    stamp = (st.st_mtime_ns, st.st_size)
    with _loaded_lock:
        cached = _loaded.get(key)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    vocabulary = Vocabulary(dict(VocabularyCounts.load(Path(folder)).counts))
    with _loaded_lock:
        _loaded.pop(key, None)
        _loaded[key] = (stamp, vocabulary)
        while len(_loaded) > 2:  # the live generation and the one a searcher may still read
            del _loaded[next(iter(_loaded))]
    return vocabulary


def correct_word(folder: Path, word: str) -> str | None:
    """The likeliest intended word for a rare `word` in the index generation
    at `folder`, or None."""
    words = vocabulary_of(folder)
    if words is None or len(word) < 3 or HANGUL.search(word):
        return None
    own = words.frequency(word)
    if own >= RARE_WORD_DOCS:
        return None
    return _best_correction(words, word, own)


def _best_correction(words, word: str, own: int) -> str | None:
    from whoosh.support.levenshtein import damerau_levenshtein

    for maxdist in (1, 2):
        if maxdist == 2 and len(word) < 5:
            break  # two edits in a short word is another word
        good = []
        for candidate in set(words.within(word, maxdist, prefix=1)):
            if candidate == word or candidate.isdigit():
                continue
            df = words.frequency(candidate)
            if df >= max(1, own * MIN_GAIN) and damerau_levenshtein(word, candidate) <= maxdist:
                good.append((df, candidate))
        if good:
            return max(good)[1]
    return None


def correct_query(folder: Path, text: str, fold: Callable[[str], str]) -> str | None:
    """`text` with its rare words corrected from the words of the index
    generation at `folder`, or None when nothing changed. `fold` turns a typed
    word into its unstemmed index form (lower case, accents folded)."""
    out: list[str] = []
    pos = 0
    changed = False
    for m in _WORD.finditer(text):
        word = m.group()
        if _skip(text, m.start(), m.end(), word):
            continue
        folded = fold(word)
        fixed = correct_word(folder, folded) if folded else None
        if fixed:
            out.append(text[pos:m.start()])
            out.append(fixed)
            pos = m.end()
            changed = True
    out.append(text[pos:])
    return "".join(out) if changed else None


def _skip(text: str, start: int, end: int, word: str) -> bool:
    """Words that are syntax, names or patterns rather than words to correct."""
    if word in _OPERATORS:
        return True
    after = text[end:end + 1]
    before = text[start - 1:start] if start else ""
    if after in (":", "*", "?", "~") or before in ("*", "?", "'"):
        return True
    if text.count("[", 0, start) > text.count("]", 0, start):
        return True  # inside a range
    scope = re.search(r"(\w+):(?:\"[^\"]*|\S*)$", text[:start])
    return bool(scope and scope.group(1).lower() in _UNCORRECTED_SCOPES)
