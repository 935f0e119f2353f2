"""'Did you mean': spelling corrections from the archive's own vocabulary.

The text fields are stemmed, so correcting their terms gives stems nobody
typed ("sourc" for "sojurn"). The schema keeps the unstemmed words of headline
and body in Whoosh spelling fields (`spell_headline`, `spell_body`), and the
corrections come from there: a rare or unknown word is replaced by the most
frequent indexed word one edit away (two edits when nothing is one away).
Only the words of the query change; its operators, phrases and field scopes
stay as the user wrote them.
"""

from __future__ import annotations

import re
from typing import Callable

from whoosh.support.levenshtein import damerau_levenshtein

SPELLING_FIELDS = ("spell_headline", "spell_body")
RARE_WORD_DOCS = 3  # a word in fewer articles than this may be a typo
MIN_GAIN = 5        # a correction must be this many times more common
# fields whose values are names, dates or addresses, never corrected
_UNCORRECTED_SCOPES = {"publication", "author", "byline", "date", "url", "source", "id"}
_WORD = re.compile(r"[^\W\d_]+(?:['\u2019][^\W\d_]+)*")
_HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")
_OPERATORS = {"AND", "OR", "NOT", "TO", "ANDNOT", "ANDMAYBE"}


def spelling_fields(searcher) -> tuple[str, ...]:
    """The spelling fields this index has (none in indexes built before them)."""
    names = set(searcher.schema.names())
    return tuple(name for name in SPELLING_FIELDS if name in names)


def word_frequency(searcher, word: str) -> int:
    """How many articles use `word` (headline or body), an upper bound."""
    reader = searcher.reader()
    return max((reader.doc_frequency(f, word) for f in spelling_fields(searcher)), default=0)


def correct_word(searcher, word: str) -> str | None:
    """The likeliest intended word for a rare `word`, or None."""
    fields = spelling_fields(searcher)
    if not fields or len(word) < 3 or _HANGUL.search(word):
        return None
    own = word_frequency(searcher, word)
    if own >= RARE_WORD_DOCS:
        return None
    reader = searcher.reader()
    for maxdist in (1, 2):
        if maxdist == 2 and len(word) < 5:
            break  # two edits in a short word is another word
        candidates: dict[str, int] = {}
        for field in fields:
            for candidate in reader.terms_within(field, word, maxdist, prefix=1):
                if candidate != word:
                    candidates[candidate] = max(candidates.get(candidate, 0),
                                                reader.doc_frequency(field, candidate))
        good = [(df, candidate) for candidate, df in candidates.items()
                if df >= max(1, own * MIN_GAIN) and not candidate.isdigit()
                and damerau_levenshtein(word, candidate) <= maxdist]
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
