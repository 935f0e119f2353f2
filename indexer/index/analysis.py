"""Text analysis: how article text and queries become index terms.

English: lower case, accents folded, Snowball stemming ("cooperated" and
"cooperation" meet, which the original Porter stemmer misses), and no stop
words, so phrases such as "Inc said it" match exactly.
Korean: Hangul runs become overlapping bigrams, so a word matches inside a
longer eojeol ("서울" finds "서울에서") without a dictionary.
"""

from __future__ import annotations

import functools
import re
import sys
from array import array
from itertools import repeat
from typing import Callable, Iterator, NamedTuple

import numpy as np
from whoosh.analysis import (
    Analyzer,
    CharsetFilter,
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    Token,
    Tokenizer,
)
from whoosh.analysis.analyzers import CompositeAnalyzer
from whoosh.formats import Characters, Positions
from whoosh.support.charset import accent_map
from whoosh.system import pack_uint

from indexer import whoosh_internals
from indexer.index import english_stemmer
from indexer.index.vocabulary import word_form
from indexer.limits import LEARNED_WORDS

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


class NewsTextTokenizer(Tokenizer):
    """The text analyzer's six stages (words, lower case, possessive, accent
    folding, Hangul bigrams, Snowball) in one loop over one reused Token.

    Each stage of a composite analyzer is a Python generator that touches every
    token; fused, analysis takes about half the CPU and a build ~12% less
    (benchmarks/speed_analysis.py). `chain_analyzer()` is the same analysis
    as a composite, and tests/index/test_analysis.py checks both give identical
    tokens. `no_morph` (or Whoosh's `nomorph`) skips stemming: the words as
    people write them, folded, for "did you mean"."""

    is_morph = True

    def __init__(self) -> None:
        self.expression = re.compile(_WORD)
        self._stemmer = StemFilter(lang="en")  # pickles without its cache (the schema is pickled)

    def has_morph(self) -> bool:
        return True

    def __call__(self, value: str, positions: bool = False, chars: bool = False,
                 keeporiginal: bool = False, removestops: bool = True, start_pos: int = 0,
                 start_char: int = 0, tokenize: bool = True, mode: str = "",
                 no_morph: bool = False, nomorph: bool = False, **kwargs) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for text, pos, startchar, endchar in self.spans(value, no_morph or nomorph, tokenize):
            t.text = text
            t.boost, t.stopped = 1.0, False
            if keeporiginal:
                t.original = text
            if positions:
                t.pos = start_pos + pos
            if chars:
                t.startchar, t.endchar = start_char + startchar, start_char + endchar
            yield t

    def spans(self, value: str, no_morph: bool = False,
              tokenize: bool = True) -> Iterator[tuple[str, int, int, int]]:
        """(term, position, startchar, endchar) of every token, without Token objects."""
        stem = str if no_morph else _stem_function(self._stemmer)
        # An ASCII text is lower-cased once (offsets stay the same) and its
        # words need no folding; lower() never turns ASCII into non-ASCII and
        # accent_map only maps ASCII capitals, so ASCII words skip folding and
        # the Hangul check in mixed texts too.
        all_ascii = value.isascii()
        if all_ascii:
            value = value.lower()
        matches = self.expression.finditer(value) if tokenize else [_Whole(value)]
        pos = 0
        hangul, charmap = _HANGUL_RUN.search, accent_map
        for m in matches:
            text = m.group(0) if all_ascii else m.group(0).lower()
            if "'" in text or "\u2019" in text:
                text = text.replace("\u2019", "'")
                if text.endswith("'s"):
                    text = text[:-2]
            if not all_ascii and not text.isascii():
                text = text.translate(charmap)
                if hangul(text):
                    start = m.start()
                    for _i, (a, b) in enumerate(_pieces(text)):
                        yield stem(text[a:b]), pos, start + a, start + b
                        pos += 1
                    continue
            start, end = m.span()
            yield stem(text), pos, start, end
            pos += 1

    def occurrences(self, value: str, chars: bool, flat: bool = False) -> dict[str, list]:
        """Index mode, grouped by term: term -> its positions, or its
        (position, startchar, endchar) when `chars`. What Whoosh's posting
        formats build from the token stream, built here in one pass
        (`PositionsFormat`, `CharactersFormat`). With `flat`, a term's
        (position, startchar, endchar) numbers come in one flat list, ready
        for an int32 array (`ArrayCharactersFormat`)."""
        found: dict[str, list] = {}
        get = found.get
        if chars and flat:
            for text, pos, startchar, endchar in self.spans(value):
                seen = get(text)
                if seen is None:
                    found[text] = [pos, startchar, endchar]
                else:
                    seen.extend((pos, startchar, endchar))
            return found
        for text, pos, startchar, endchar in self.spans(value):
            item = (pos, startchar, endchar) if chars else pos
            seen = get(text)
            if seen is None:
                found[text] = [item]
            else:
                seen.append(item)
        return found


class _OccurrencesFormat:
    """A posting format (same bytes as its Whoosh base) fed by the analyzer's
    `occurrences` when it has one, instead of a stream of Token objects."""

    with_chars = False
    array_stride = 0  # numbers per occurrence in `encode_flat`'s input (array formats)

    def word_values(self, value, analyzer, **kwargs):
        occurrences = getattr(analyzer, "occurrences", None)
        if occurrences is None or not isinstance(value, str) or kwargs.get("mode", "index") != "index":
            yield from super().word_values(value, analyzer, **kwargs)
            return
        boost, stride = self.field_boost, self.array_stride
        if stride:
            encode = self.encode_flat
            for word, numbers in occurrences(value, chars=self.with_chars, flat=True).items():
                n = len(numbers) // stride
                yield word, n, float(n) * boost, encode(numbers)
            return
        encode = self.encode
        for word, poslist in occurrences(value, chars=self.with_chars).items():
            yield word, len(poslist), float(len(poslist)) * boost, encode(poslist)


class PositionsFormat(_OccurrencesFormat, Positions):
    """Whoosh's Positions posting format, built from `occurrences`."""


class CharactersFormat(_OccurrencesFormat, Characters):
    """Whoosh's Characters posting format, built from `occurrences`."""

    with_chars = True


# Array posting values (schema 6). Whoosh's formats pickle each posting's
# position deltas; a phrase search then unpickles one list per candidate
# document and word. Here a value is Whoosh's 4-byte occurrence count followed
# by little-endian int32 numbers, absolute (no deltas): one occurrence is a
# position, or (position, startchar, endchar). `indexer.search.collect` reads the
# positions of many postings at once with numpy (`array_stride` numbers per
# occurrence). The Whoosh-format classes above stay for indexes built before.

_INT32 = "i"
_COUNT_SIZE = whoosh_internals.posting_count_size()
_SWAP_INT32 = sys.byteorder != "little"


def _int32_bytes(numbers) -> bytes:
    a = array(_INT32, numbers)
    if _SWAP_INT32:
        a.byteswap()
    return a.tobytes()


def _int32_list(data: bytes) -> list[int]:
    a = array(_INT32)
    a.frombytes(data[_COUNT_SIZE:])
    if _SWAP_INT32:
        a.byteswap()
    return a.tolist()


class ArrayPositionsFormat(PositionsFormat):
    """Positions as an array of int32 (see above)."""

    array_stride = 1

    def encode(self, poslist) -> bytes:
        return pack_uint(len(poslist)) + _int32_bytes(poslist)

    encode_flat = encode

    def decode_positions(self, valuestring: bytes) -> list[int]:
        return _int32_list(valuestring)


class ArrayCharactersFormat(CharactersFormat):
    """(position, startchar, endchar) triples as an array of int32 (see above)."""

    array_stride = 3

    def encode(self, poslist) -> bytes:
        return pack_uint(len(poslist)) + _int32_bytes([n for triple in poslist for n in triple])

    def encode_flat(self, numbers: list[int]) -> bytes:
        """`encode` of the triples' numbers given as one flat list."""
        return pack_uint(len(numbers) // 3) + _int32_bytes(numbers)

    def decode_characters(self, valuestring: bytes) -> list[tuple[int, int, int]]:
        numbers = _int32_list(valuestring)
        return list(zip(numbers[0::3], numbers[1::3], numbers[2::3]))

    def decode_positions(self, valuestring: bytes) -> list[int]:
        return _int32_list(valuestring)[0::3]


class _Whole:
    """A match-like object for `tokenize=False` (the whole value is one token)."""

    def __init__(self, value: str) -> None:
        self.value = value

    def group(self, _n: int) -> str:
        return self.value

    def start(self) -> int:
        return 0

    def span(self) -> tuple[int, int]:
        return 0, len(self.value)


def text_analyzer() -> Analyzer:
    """The analyzer for headline, captions and body (index and query side)."""
    return NewsTextTokenizer()


def chain_analyzer() -> Analyzer:
    """The same analysis as `text_analyzer()` as a chain of Whoosh stages: the
    readable definition, kept to check the fused tokenizer against."""
    return NewsAnalyzer(RegexTokenizer(_WORD), LowercaseFilter(), PossessiveFilter(),
                        CharsetFilter(accent_map), HangulBigramFilter(), StemFilter(lang="en"))


def name_analyzer() -> Analyzer:
    """Publication and author names: folded words, no stemming."""
    return (RegexTokenizer(_WORD) | LowercaseFilter() | PossessiveFilter() | CharsetFilter(accent_map)
            | HangulBigramFilter())


# Batch analysis (indexer.index.segment). `NewsTextTokenizer.spans` handles one
# token at a time through a generator; a segment writer analyses a whole field
# of many documents at once: its words found in one pass over their joined
# texts (`_word_spans`), each distinct word mapped to its term(s) once (the mapping depends on
# the word alone: lower case, possessive, folding, Hangul pieces, stem), and
# every token's term, document, position and character offsets as numpy arrays.
# The same tokens as `spans` (tests/index/test_segment.py).

# A match of _WORD is a run of word characters (\w) and apostrophes (' or
# \u2019) where each apostrophe has a word character on both sides: a longest
# match cannot stop before the end of such a run. So a batch finds its words'
# spans with array operations over the characters' codes, and the words
# themselves by one `str.split` of the text with every other character made a
# space (no word character is whitespace to `str.split`: tests/index/test_analysis.py).
_WORD_CHAR = re.compile(r"\w").fullmatch
_ASCII_WORD_CHAR = np.array([_WORD_CHAR(chr(code)) is not None for code in range(128)])
_APOSTROPHES = (ord("'"), 0x2019)
_SPACE = ord(" ")


@functools.lru_cache(maxsize=1)
def _bmp_word_chars() -> np.ndarray:
    """Which of the first 65,536 code points are word characters (built once, ~30 ms)."""
    return np.array([_WORD_CHAR(chr(code)) is not None for code in range(1 << 16)])


def _word_chars(codes: np.ndarray) -> np.ndarray:
    """Which characters (code points) are word characters (`re`'s word class)."""
    if codes.dtype == np.uint8:
        return _ASCII_WORD_CHAR[codes]
    in_word = np.zeros(len(codes), dtype=bool)
    bmp = codes < (1 << 16)
    in_word[bmp] = _bmp_word_chars()[codes[bmp]]
    beyond = np.flatnonzero(~bmp)
    if len(beyond):
        in_word[beyond] = [_WORD_CHAR(chr(code)) is not None for code in codes[beyond].tolist()]
    return in_word


def _word_spans(text: str) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The matches of _WORD in `text`: their strings and (starts, ends)
    character offsets, found with array operations (see above)."""
    if text.isascii():
        codes = np.frombuffer(text.encode("ascii"), dtype=np.uint8)
    else:
        codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    in_word = _word_chars(codes)
    inner = codes[1:-1]
    apostrophe = inner == _APOSTROPHES[0]
    if codes.dtype != np.uint8:
        apostrophe |= inner == _APOSTROPHES[1]
    joins = np.zeros_like(in_word)
    joins[1:-1] = apostrophe & in_word[:-2] & in_word[2:]
    in_word |= joins
    spaced = np.where(in_word, codes, codes.dtype.type(_SPACE)).astype(codes.dtype, copy=False).tobytes()
    words = (spaced.decode("ascii") if codes.dtype == np.uint8 else spaced.decode("utf-32-le", "surrogatepass")).split()
    edges = np.diff(in_word.view(np.int8), prepend=np.int8(0), append=np.int8(0))
    return words, np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)


class FieldTokens(NamedTuple):
    """Every token of one field over a batch of texts, in text and position order."""

    term_ids: np.ndarray   # int64, into `BatchAnalyzer.terms`
    text_of: np.ndarray    # int64: which text of the batch
    positions: np.ndarray  # int64: position within its text
    starts: np.ndarray     # int64: character offsets within its text
    ends: np.ndarray
    counts: np.ndarray     # int64: tokens per text (the field length Whoosh stores)
    # per word (a Hangul word is one word, several tokens): its vocabulary
    # word, into `BatchAnalyzer.forms` (-1: not an ASCII word), its text, and
    # the word itself, into `BatchAnalyzer.words`
    word_forms: np.ndarray
    word_text_of: np.ndarray
    word_numbers: np.ndarray


class _LearnedWords:
    """The words this process has analysed, numbered, with their terms and
    vocabulary words numbered too: a build worker runs task after task, and
    most words of a task were in the one before, so a word is mapped once per
    process, not once per segment. Every NewsTextTokenizer maps a word the same
    way (`_learn`). Started afresh (between segments) past LEARNED_WORDS words."""

    def __init__(self) -> None:
        self.terms: list[str] = []
        self.term_id: dict[str, int] = {}
        self.forms: list[str] = []
        self.form_id: dict[str, int] = {}
        self.words: list[str] = []  # word i
        self.word_index: dict[str, int] = {}  # word -> i
        # per word: its term id, or -1 - its index in `pieces` (a word of
        # several terms: Hangul); its vocabulary word's id or -1
        self.word_terms = np.zeros(0, dtype=np.int64)
        self.word_forms = np.zeros(0, dtype=np.int64)
        self.pieces: list[list[tuple[int, int, int]]] = []  # (term id, start, end) within the word


_LEARNED = _LearnedWords()
# Whoosh's English stemmer, faster (same stems), cached as Whoosh's StemFilter caches it
_ENGLISH_STEM = functools.lru_cache(maxsize=50_000)(english_stemmer.stem)


def _stem_function(stem_filter: StemFilter) -> Callable[[str], str]:
    """The stemming function of a tokenizer's StemFilter, for indexing and
    queries alike (one stemmer, so a query's words meet the index's terms):
    `english_stemmer.stem` for Whoosh's English Snowball stemmer (the one
    `NewsTextTokenizer` has), the filter's own otherwise."""
    if stem_filter.lang == "en":
        return _ENGLISH_STEM
    return whoosh_internals.stem_function(stem_filter)


class BatchAnalyzer:
    """The index-mode analysis of `NewsTextTokenizer`, many texts at a time.
    Terms and vocabulary words are numbered once per process (`_LearnedWords`,
    the same numbers for the analyzer's life): `terms[i]` is term i, `forms[i]`
    vocabulary word i, `words[i]` word i (a match of _WORD; the list only grows)."""

    def __init__(self, tokenizer: NewsTextTokenizer) -> None:
        global _LEARNED
        if len(_LEARNED.word_index) > LEARNED_WORDS:
            _LEARNED = _LearnedWords()
        self._learned = _LEARNED
        self._stem_word = _stem_function(tokenizer._stemmer)
        self.terms = self._learned.terms
        self.forms = self._learned.forms
        self.words = self._learned.words

    def _learn(self, word: str) -> tuple[str | None, tuple | None, str | None]:
        """Map a new word as `NewsTextTokenizer.spans` maps a match: its term, or
        None and its Hangul pieces ((term, start, end), ...), and its vocabulary
        word (`vocabulary.word_form`)."""
        stem = self._stem_word
        text = word.lower()
        if "'" in text or "\u2019" in text:
            text = text.replace("\u2019", "'")
            if text.endswith("'s"):
                text = text[:-2]
        if not text.isascii():
            text = text.translate(accent_map)
            if _HANGUL_RUN.search(text):
                return None, tuple((stem(text[a:b]), a, b) for a, b in _pieces(text)), None
            return stem(text), None, None
        return stem(text), None, word_form(word)

    def _add_words(self, words: list[str]) -> None:
        """Number new words (distinct, none learned yet), their terms and vocabulary words."""
        learned = self._learned
        stem = self._stem_word
        terms_of: list[str | None] = []
        forms_of: list[str | None] = []
        several: list[tuple[int, tuple]] = []  # (which new word, its Hangul pieces)
        for word, text in zip(words, map(str.lower, words)):
            if "'" in text or not word.isascii():
                term, pieces, form = self._learn(word)
                if term is None:
                    several.append((len(terms_of), pieces))
            else:  # what `_learn` gives such a word: its lower case, stemmed, and as its vocabulary word
                term, form = stem(text), text
            terms_of.append(term)
            forms_of.append(form)
        term_id, terms, form_id, forms = learned.term_id, learned.terms, learned.form_id, learned.forms

        def number(term: str) -> int:
            tid = term_id.get(term)
            if tid is None:
                tid = term_id[term] = len(terms)
                terms.append(term)
            return tid

        for term in dict.fromkeys(terms_of):
            if term is not None and term not in term_id:
                term_id[term] = len(terms)
                terms.append(term)
        for form in dict.fromkeys(forms_of):
            if form is not None and form not in form_id:
                form_id[form] = len(forms)
                forms.append(form)
        n = len(words)
        word_terms = np.fromiter(map(term_id.get, terms_of, repeat(-1)), dtype=np.int64, count=n)  # None: -1
        for k, pieces in several:
            word_terms[k] = -1 - len(learned.pieces)
            learned.pieces.append([(number(t), a, b) for t, a, b in pieces])
        first = len(learned.words)
        learned.words.extend(words)
        learned.word_index.update(zip(words, range(first, first + n)))
        learned.word_terms = np.append(learned.word_terms, word_terms)
        learned.word_forms = np.append(learned.word_forms,
                                       np.fromiter(map(form_id.get, forms_of, repeat(-1)), dtype=np.int64, count=n))

    def analyse(self, texts: list[str]) -> FieldTokens:
        """The tokens of `texts` (one field of a batch of documents)."""
        joined = "\n".join(texts)  # "\n" is no word character: no token spans two texts
        words, starts, ends = _word_spans(joined)
        learned = self._learned
        index = learned.word_index
        n = len(words)
        word_numbers = np.fromiter(map(index.get, words, repeat(-1)), dtype=np.int64, count=n)
        unknown = np.flatnonzero(word_numbers < 0)
        if len(unknown):  # learn them, in the order first seen
            new = list(map(words.__getitem__, unknown.tolist()))
            self._add_words(list(dict.fromkeys(new)))
            word_numbers[unknown] = np.fromiter(map(index.__getitem__, new), dtype=np.int64, count=len(new))
        ids = learned.word_terms[word_numbers]
        forms = learned.word_forms[word_numbers]
        text_lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
        text_starts = np.cumsum(text_lengths + 1) - (text_lengths + 1)
        word_text_of = text_of = np.searchsorted(text_starts, starts, side="right") - 1
        if n and ids.min() < 0:
            ids, starts, ends, token_word = self._split_words(ids, starts, ends)
            text_of = word_text_of[token_word]
        starts = starts - text_starts[text_of]
        ends = ends - text_starts[text_of]
        counts = np.bincount(text_of, minlength=len(texts))
        firsts = np.cumsum(counts) - counts
        positions = np.arange(len(ids), dtype=np.int64) - firsts[text_of]
        return FieldTokens(ids, text_of, positions, starts, ends, counts, forms, word_text_of, word_numbers)

    def _split_words(self, ids: np.ndarray, starts: np.ndarray,
                     ends: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Words of several terms (Hangul bigrams) become one token per term
        (and the word each token comes from)."""
        pieces = self._learned.pieces
        several = np.flatnonzero(ids < 0)
        sizes = np.ones(len(ids), dtype=np.int64)
        sizes[several] = [len(pieces[-1 - int(ids[k])]) for k in several]
        token_word = np.repeat(np.arange(len(ids)), sizes)
        new_ids, new_starts, new_ends = ids[token_word], starts[token_word], ends[token_word]
        first = np.cumsum(sizes) - sizes
        for k in several.tolist():
            at, word_start = int(first[k]), int(starts[k])
            for i, (tid, a, b) in enumerate(pieces[-1 - int(ids[k])]):
                new_ids[at + i] = tid
                new_starts[at + i] = word_start + a
                new_ends[at + i] = word_start + b
        return new_ids, new_starts, new_ends, token_word
