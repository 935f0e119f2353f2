"""The fused text tokenizer gives exactly the tokens of the composite chain it replaces."""

from __future__ import annotations

import gzip
import json
import pickle
import re
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.index.analysis import _WORD, _word_spans, chain_analyzer, text_analyzer
from indexer.ingest import read_source
from tests.conftest import FIXTURES, REPO

# Made-up samples for the odd cases: curly and straight possessives, accents,
# Hangul runs inside and beside Latin letters, a lone syllable, the Kelvin sign.
SAMPLES = ["Kim Jong Un’s visit to Pyongyang's new café", "서울에서 북한 노동자들이 일했다",
           "Naïve façade; déjà vu — O'Neill's rôle", "가 나 다라마 x서울y", "it's the workers' union",
           "\u212a is a Kelvin sign; ÉCOLE ÜBER straße"]


def _real_texts() -> list[str]:
    texts = list(SAMPLES)
    with gzip.open(REPO / "corpus" / "reuters21578" / "reut2-000.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in list(fh)[:400]:
            record = json.loads(line)
            texts += [record.get("headline") or "", record.get("body") or ""]
    texts.append((FIXTURES / "text" / "dailynk-sojourn-restrictions.txt").read_text(encoding="utf-8"))
    for item in read_source(FIXTURES / "korean" / "entermedia-lj-ryu.html.gz", "korean.html.gz"):
        texts += [getattr(item, "headline", ""), getattr(item, "body", "")]
    return [t for t in texts if t]


TEXTS = _real_texts()


def _tokens(analyzer, text: str, **kwargs) -> list[tuple]:
    return [(t.text, t.pos, t.startchar, t.endchar, t.boost, t.stopped)
            for t in analyzer(text, positions=True, chars=True, **kwargs)]


@pytest.mark.parametrize("kwargs", [{"mode": "index"}, {"mode": "query"}, {"no_morph": True},
                                    {"nomorph": True, "mode": "index"}, {"start_pos": 7, "start_char": 100}],
                         ids=["index", "query", "no_morph", "nomorph", "offsets"])
def test_fused_tokens_equal_the_chain_on_real_text(kwargs):
    fused, chain = text_analyzer(), chain_analyzer()
    assert len(TEXTS) > 700
    hangul = 0
    for text in TEXTS:
        expected = _tokens(chain, text, **kwargs)
        assert _tokens(fused, text, **kwargs) == expected, text[:80]
        hangul += any("\uac00" <= tok[0][:1] <= "\ud7af" for tok in expected)
    assert hangul >= 2  # the Korean page and samples were really exercised


def test_unstemmed_words_differ_from_stems():
    fused = text_analyzer()
    stems = [t.text for t in fused("Cooperation cooperated petroleum's")]
    words = [t.text for t in fused("Cooperation cooperated petroleum's", no_morph=True)]
    assert words == ["cooperation", "cooperated", "petroleum"]
    assert stems[0] == stems[1] != words[0]


def test_whole_value_without_tokenizing_and_pickling():
    fused = pickle.loads(pickle.dumps(text_analyzer()))
    chain = chain_analyzer()
    for value in ("Déjà", "서울에서", "U.S."):
        assert _tokens(fused, value, tokenize=False) == _tokens(chain, value, tokenize=False)


@pytest.mark.parametrize("chars", [False, True], ids=["positions", "characters"])
def test_fast_posting_formats_give_whooshs_bytes(chars):
    from whoosh.formats import Characters, Positions

    from indexer.index.analysis import CharactersFormat, PositionsFormat

    fast, plain = (CharactersFormat(), Characters()) if chars else (PositionsFormat(), Positions())
    fused, chain = text_analyzer(), chain_analyzer()
    for text in TEXTS:
        expected = sorted(plain.word_values(text, chain, mode="index"))
        assert sorted(fast.word_values(text, fused, mode="index")) == expected, text[:80]
    # the query side and other analyzers still go through Whoosh's own code
    assert sorted(fast.word_values("Oil prices", chain, mode="index")) == sorted(
        plain.word_values("Oil prices", chain, mode="index"))


@pytest.mark.parametrize("chars", [False, True], ids=["positions", "characters"])
def test_array_posting_formats_decode_to_whooshs_occurrences(chars):
    from whoosh.formats import Characters, Positions

    from indexer.index.analysis import ArrayCharactersFormat, ArrayPositionsFormat

    fast, plain = (ArrayCharactersFormat(), Characters()) if chars else (ArrayPositionsFormat(), Positions())
    fused, chain = text_analyzer(), chain_analyzer()
    seen = 0
    for text in TEXTS:
        expected = {w: (freq, weight, v) for w, freq, weight, v in plain.word_values(text, chain, mode="index")}
        got = {w: (freq, weight, v) for w, freq, weight, v in fast.word_values(text, fused, mode="index")}
        assert got.keys() == expected.keys()
        for word, (freq, weight, value) in got.items():
            plain_freq, plain_weight, plain_value = expected[word]
            assert (freq, weight) == (plain_freq, plain_weight)
            assert fast.decode_frequency(value) == plain.decode_frequency(plain_value) == freq
            assert fast.decode_positions(value) == plain.decode_positions(plain_value)
            if chars:
                assert fast.decode_characters(value) == plain.decode_characters(plain_value)
            # Whoosh's 4-byte count, then `array_stride` int32 per occurrence
            assert len(value) == 4 + 4 * fast.array_stride * freq
            seen += freq > 1
    assert seen > 10


def test_schema_text_fields_use_the_array_formats():
    from indexer.index.analysis import ArrayCharactersFormat, ArrayPositionsFormat
    from indexer.index.schema import make_schema

    schema = make_schema()
    assert type(schema["body"].format) is ArrayCharactersFormat
    assert type(schema["headline"].format) is ArrayPositionsFormat
    assert schema["body"].format.supports("characters") and schema["headline"].format.supports("positions")


@settings(max_examples=600, deadline=None)
@given(st.text(alphabet="ab9_'’ \n.-éÉ\u212a서울\u0301\u2028\x1c\U0001d400\U0001f600\ud800", max_size=40))
def test_word_spans_are_the_regular_expressions(text):
    """A batch finds its words with array operations: the same words and
    spans as `_WORD`'s matches (apostrophes join words only between word
    characters), for ASCII text and any other (combining marks, letters past
    U+FFFF, emoji, a lone surrogate, separators `str.split` splits at)."""
    for sample in (text, text.encode("ascii", "ignore").decode()):
        words, starts, ends = _word_spans(sample)
        matches = list(re.finditer(_WORD, sample))
        assert words == [m.group(0) for m in matches]
        assert list(zip(starts.tolist(), ends.tolist())) == [m.span() for m in matches]


def test_no_word_character_is_whitespace_to_split():
    """`_word_spans` makes every other character a space and splits with
    `str.split()`: that is only right if `str.split()` never splits at a word
    character (any code point)."""
    word_chars = re.compile(r"\w").fullmatch
    assert not [code for code in range(sys.maxunicode + 1)
                if chr(code).isspace() and word_chars(chr(code))]
    assert "a\u1680\u2028\x1c\x85b".split() == ["a", "b"]  # the odd separators are not word characters
