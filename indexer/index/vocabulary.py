"""The archive's vocabulary: each word as people write it, with its article count.

In: the words of each article, counted by the build tasks (from the text
analysis of the segment they write, `indexer.index.segment`). Out:
`vocabulary.json` in the generation folder (word -> articles), which
`indexer.search.suggest` reads for "did you mean". Whoosh's own `spelling=True`
sub-field did the same at +45% of the build's CPU.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from pathlib import Path
from typing import Iterable

VOCABULARY_NAME = "vocabulary.json"
HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")


def article_words(*texts: str) -> list[str]:
    """The distinct words of an article's texts in their index form without
    stemming (what `text_analyzer()(text, no_morph=True)` gives: lower case,
    curly apostrophes straightened, a possessive 's dropped, accents folded).
    It works on whole strings (C loops) and leaves filtering (numbers, Korean)
    to `VocabularyCounts.save`. The segment writer counts the words of ASCII
    articles from its own text analysis instead (`word_form`: the same words)."""
    text = "\n".join(texts).lower()
    if "\u2019" in text:
        text = text.replace("\u2019", "'")
    if "'s" in text:
        text = _POSSESSIVE.sub("", text)
    if not text.isascii():
        text = text.translate(_accent_map())
    return list(set(_TOKEN.findall(text)))


_TOKEN = re.compile(r"\w+(?:'\w+)*")          # indexer.index.analysis._WORD, apostrophes straightened
_POSSESSIVE = re.compile(r"(?<=\w)'s\b")


def word_form(word: str) -> str | None:
    """The word `article_words` finds where the text analysis finds `word` (a
    match of `indexer.index.analysis._WORD`), when `word` is ASCII: lower case,
    a possessive 's dropped (the two passes give the same words on ASCII text:
    a word character is one in either case there, and every possessive sits inside one
    word); None otherwise (case and accent folding may change where words
    begin and end: only `article_words` over the whole text can say)."""
    if not word.isascii():
        return None
    form = word.lower()
    if "'s" in form:
        form = _POSSESSIVE.sub("", form)
    return form if _TOKEN.fullmatch(form) else None


def correctable_counts(counts: Counter) -> Counter:
    """The counts of the words `VocabularyCounts.save` keeps (a build task
    hands back only these: numbers need not travel to the coordinator)."""
    return Counter({word: n for word, n in counts.items() if _correctable(word)})


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
    return word.isascii() or not HANGUL.search(word)
