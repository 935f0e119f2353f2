"""'Did you mean': spelling corrections from the archive's own vocabulary.

The text fields are stemmed, so correcting their terms gives stems nobody
typed ("sourc" for "sojurn"). The build therefore keeps a vocabulary beside the
index (`vocabulary.json` in the generation folder): every word of headlines and
bodies as people write it (lower case, accents folded, possessive dropped, no
stemming) with the number of articles that use it. The cleaning workers
collect the words, so this costs the build almost nothing; Whoosh's own
`spelling=True` sub-field did the same at +45% of the build's CPU.

A rare or unknown word is replaced by the most frequent vocabulary word one
edit away (two edits when nothing is one away), sharing its first letter.
Only the words of the query change; its operators, phrases and field scopes
stay as the user wrote them. Incremental builds add the words of new and
changed articles and never subtract: a word whose articles were deleted stays
listed, which is harmless because the caller only offers a correction that
really finds more articles.
"""

from __future__ import annotations

import json
import os
import re
import threading
from bisect import bisect_left
from collections import Counter
from pathlib import Path
from typing import Callable, Iterable

VOCABULARY_NAME = "vocabulary.json"
SPELLING_FIELDS = ("spell_headline", "spell_body")  # indexes of schema 2-4 kept them in Whoosh
RARE_WORD_DOCS = 3  # a word in fewer articles than this may be a typo
MIN_GAIN = 5        # a correction must be this many times more common
# fields whose values are names, dates or addresses, never corrected
_UNCORRECTED_SCOPES = {"publication", "author", "byline", "date", "url", "source", "id"}
_WORD = re.compile(r"[^\W\d_]+(?:['\u2019][^\W\d_]+)*")
_HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")
_OPERATORS = {"AND", "OR", "NOT", "TO", "ANDNOT", "ANDMAYBE"}


# -- the build side --------------------------------------------------------------
def article_words(*texts: str) -> list[str]:
    """The distinct words of an article's texts in their index form without
    stemming (what `text_analyzer()(text, no_morph=True)` gives: lower case,
    curly apostrophes straightened, a possessive 's dropped, accents folded).
    Runs in the cleaning workers, so it works on whole strings (C loops) and
    leaves filtering (numbers, Korean) to `VocabularyCounts.save`."""
    text = "\n".join(texts).lower()
    if "\u2019" in text:
        text = text.replace("\u2019", "'")
    if "'s" in text:
        text = _POSSESSIVE.sub("", text)
    if not text.isascii():
        text = text.translate(_accent_map())
    return list(set(_TOKEN.findall(text)))


_TOKEN = re.compile(r"\w+(?:'\w+)*")          # indexer.analysis._WORD, apostrophes straightened
_POSSESSIVE = re.compile(r"(?<=\w)'s\b")


def _accent_map() -> dict:
    from whoosh.support.charset import accent_map

    return accent_map


class VocabularyCounts:
    """Article counts per word, gathered while a build writes (one `add` per article)."""

    def __init__(self, counts: Counter | None = None) -> None:
        self.counts: Counter = counts if counts is not None else Counter()

    def add(self, words: Iterable[str]) -> None:
        """Count the distinct words of one article."""
        self.counts.update(words)

    def add_counts(self, counts: dict[str, int], articles: int) -> None:
        """Add one source's word counts (over `articles` articles)."""
        if articles == 1:
            self.counts.update(iter(counts))  # every count is 1: counted in C, not in a Python loop
        else:
            self.counts.update(counts)

    @classmethod
    def load(cls, folder: Path) -> "VocabularyCounts":
        """The counts saved in a generation (empty when it has none)."""
        try:
            with open(Path(folder) / VOCABULARY_NAME, encoding="utf-8") as fh:
                return cls(Counter(json.load(fh)))
        except FileNotFoundError:
            return cls()

    def save(self, folder: Path) -> None:
        """Write atomically and durably as one JSON object sorted by word
        (word -> articles), leaving out what is never corrected (numbers,
        words with digits, Korean): a crash leaves the old vocabulary or the new one."""
        folder = Path(folder)
        tmp = folder / (VOCABULARY_NAME + ".tmp")
        kept = {w: n for w, n in sorted(self.counts.items()) if _correctable(w)}
        text = json.dumps(kept, ensure_ascii=False, separators=(",", ":"))
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, folder / VOCABULARY_NAME)


def _correctable(word: str) -> bool:
    """Letters (and inner apostrophes) only, and no Korean: what a query word can be corrected to."""
    if not word.replace("'", "").isalpha():
        return False
    return word.isascii() or not _HANGUL.search(word)


# -- the query side ----------------------------------------------------------------
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


def _index_folder(searcher) -> Path | None:
    """The folder of the index a Whoosh searcher reads."""
    ix = getattr(searcher, "_ix", None)
    folder = getattr(getattr(ix, "storage", None), "folder", None)
    if folder is None:
        for leaf, _offset in searcher.reader().leaf_readers():
            folder = getattr(getattr(leaf, "_storage", None), "folder", None)
            if folder:
                break
    return Path(folder) if folder else None


class _SpellingFieldWords:
    """The same lookups over Whoosh spelling fields, for an index built before
    the vocabulary file (schema 4 and older; the next build rebuilds it)."""

    def __init__(self, searcher, fields: tuple[str, ...]) -> None:
        self.reader, self.fields = searcher.reader(), fields

    def frequency(self, word: str) -> int:
        return max((self.reader.doc_frequency(f, word) for f in self.fields), default=0)

    def within(self, word: str, maxdist: int, prefix: int = 1) -> Iterable[str]:
        for field in self.fields:
            for candidate in self.reader.terms_within(field, word, maxdist, prefix=prefix):
                yield candidate


def _words_of(searcher):
    folder = _index_folder(searcher)
    vocabulary = vocabulary_of(folder) if folder is not None else None
    if vocabulary is not None:
        return vocabulary
    names = set(searcher.schema.names())
    fields = tuple(name for name in SPELLING_FIELDS if name in names)
    return _SpellingFieldWords(searcher, fields) if fields else None


def word_frequency(searcher, word: str) -> int:
    """How many articles use `word` (headline or body), an upper bound."""
    words = _words_of(searcher)
    return words.frequency(word) if words is not None else 0


def correct_word(searcher, word: str) -> str | None:
    """The likeliest intended word for a rare `word`, or None."""
    words = _words_of(searcher)
    if words is None or len(word) < 3 or _HANGUL.search(word):
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


def correct_query(searcher, text: str, fold: Callable[[str], str]) -> str | None:
    """`text` with its rare words corrected, or None when nothing changed.
    `fold` turns a typed word into its unstemmed index form (lower case,
    accents folded)."""
    out: list[str] = []
    pos = 0
    changed = False
    for m in _WORD.finditer(text):
        word = m.group()
        if _skip(text, m.start(), m.end(), word):
            continue
        folded = fold(word)
        fixed = correct_word(searcher, folded) if folded else None
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
