"""The Snowball English stemmer of the text analysis (index and queries): Whoosh's
(`whoosh.lang.snowball.english.EnglishStemmer.stem`, the NLTK port, quirks and
all), 2.7x faster, giving the same stems.

A build stems every distinct word it meets once per worker (~50,000 words for
Reuters-21578), ~6.6 us a word with Whoosh's code, most of it trying each of
~70 suffixes in turn with `str.endswith`. This is that method's text with
three changes that cannot change a result: a step's suffix loop runs only when
one `str.endswith` of the step's whole suffix tuple says some suffix ends the
word (the loop does nothing otherwise); the loop that marks a y after a vowel
as a consonant runs only when the word has a "y"; and the regions R1 and R2
are found with a regular expression (the first vowel followed by a
non-vowel: what `_r1r2_standard`'s loops look for). The suffix lists, special
words and letters are read from Whoosh's class. Index and queries both stem
with it (`analysis._stem_function`), so they meet whatever the stems;
tests/index/test_english_stemmer.py compares it with Whoosh's on every word
of the bundled corpus and on generated words.

Adapted from whoosh/lang/snowball/english.py (whoosh3 3.54.0), itself from NLTK:
Copyright (C) 2001-2012 NLTK Project; author Peter Michael Stahl, revisions
Peter Ljunglof; algorithm by Martin Porter. Licensed under the Apache License,
Version 2.0 (http://www.apache.org/licenses/LICENSE-2.0); changed as said above.
"""

from __future__ import annotations

import re

from whoosh.lang.snowball.english import EnglishStemmer

_CLASS = "_EnglishStemmer__"  # the name-mangled prefix of the class's private constants
_VOWELS = getattr(EnglishStemmer, _CLASS + "vowels")
_DOUBLE_CONSONANTS = getattr(EnglishStemmer, _CLASS + "double_consonants")
_LI_ENDING = getattr(EnglishStemmer, _CLASS + "li_ending")
_STEP0 = getattr(EnglishStemmer, _CLASS + "step0_suffixes")
_STEP1A = getattr(EnglishStemmer, _CLASS + "step1a_suffixes")
_STEP1B = getattr(EnglishStemmer, _CLASS + "step1b_suffixes")
_STEP2 = getattr(EnglishStemmer, _CLASS + "step2_suffixes")
_STEP3 = getattr(EnglishStemmer, _CLASS + "step3_suffixes")
_STEP4 = getattr(EnglishStemmer, _CLASS + "step4_suffixes")
_SPECIAL = getattr(EnglishStemmer, _CLASS + "special_words")
_REGION_START = re.compile(f"[{_VOWELS}][^{_VOWELS}]").search


def _region(word: str) -> str:
    """What follows the first vowel that is followed by a non-vowel ("" if
    none): `_StandardStemmer._r1r2_standard`'s R1 of `word`, its R2 of R1."""
    m = _REGION_START(word)
    return word[m.end():] if m else ""


def stem(word: str) -> str:
    """Whoosh's `EnglishStemmer().stem(word)`, faster (see above)."""
    vowels = _VOWELS
    word = word.lower()
    special = _SPECIAL.get(word)
    if special is not None:
        return special
    word = word.replace("\u2019", "\x27").replace("\u2018", "\x27").replace("\u201b", "\x27")
    if word.startswith("\x27"):
        word = word[1:]
    if word.startswith("y"):
        word = "".join(("Y", word[1:]))
    if "y" in word:
        for i in range(1, len(word)):
            if word[i - 1] in vowels and word[i] == "y":
                word = "".join((word[:i], "Y", word[i + 1:]))
    step1a_vowel_found = False
    step1b_vowel_found = False
    if word.startswith(("gener", "commun", "arsen")):
        if word.startswith(("gener", "arsen")):
            r1 = word[5:]
        else:
            r1 = word[6:]
        r2 = ""
        for i in range(1, len(r1)):
            if r1[i] not in vowels and r1[i - 1] in vowels:
                r2 = r1[i + 1:]
                break
    else:
        r1 = _region(word)
        r2 = _region(r1)
    if word.endswith(_STEP0):
        for suffix in _STEP0:
            if word.endswith(suffix):
                word = word[: -len(suffix)]
                r1 = r1[: -len(suffix)]
                r2 = r2[: -len(suffix)]
                break
    if word.endswith(_STEP1A):
        for suffix in _STEP1A:
            if word.endswith(suffix):
                if suffix == "sses":
                    word = word[:-2]
                    r1 = r1[:-2]
                    r2 = r2[:-2]
                elif suffix in ("ied", "ies"):
                    if len(word[: -len(suffix)]) > 1:
                        word = word[:-2]
                        r1 = r1[:-2]
                        r2 = r2[:-2]
                    else:
                        word = word[:-1]
                        r1 = r1[:-1]
                        r2 = r2[:-1]
                elif suffix == "s":
                    for letter in word[:-2]:
                        if letter in vowels:
                            step1a_vowel_found = True
                            break
                    if step1a_vowel_found:
                        word = word[:-1]
                        r1 = r1[:-1]
                        r2 = r2[:-1]
                break
    if word.endswith(_STEP1B):
        for suffix in _STEP1B:
            if word.endswith(suffix):
                if suffix in ("eed", "eedly"):
                    if r1.endswith(suffix):
                        word = "".join((word[: -len(suffix)], "ee"))
                        if len(r1) >= len(suffix):
                            r1 = "".join((r1[: -len(suffix)], "ee"))
                        else:
                            r1 = ""
                        if len(r2) >= len(suffix):
                            r2 = "".join((r2[: -len(suffix)], "ee"))
                        else:
                            r2 = ""
                else:
                    for letter in word[: -len(suffix)]:
                        if letter in vowels:
                            step1b_vowel_found = True
                            break
                    if step1b_vowel_found:
                        word = word[: -len(suffix)]
                        r1 = r1[: -len(suffix)]
                        r2 = r2[: -len(suffix)]
                        if word.endswith(("at", "bl", "iz")):
                            word = "".join((word, "e"))
                            r1 = "".join((r1, "e"))
                            if len(word) > 5 or len(r1) >= 3:
                                r2 = "".join((r2, "e"))
                        elif word.endswith(_DOUBLE_CONSONANTS):
                            word = word[:-1]
                            r1 = r1[:-1]
                            r2 = r2[:-1]
                        elif (
                            r1 == ""
                            and len(word) >= 3
                            and word[-1] not in vowels
                            and word[-1] not in "wxY"
                            and word[-2] in vowels
                            and word[-3] not in vowels
                        ) or (
                            r1 == ""
                            and len(word) == 2
                            and word[0] in vowels
                            and word[1] not in vowels
                        ):
                            word = "".join((word, "e"))
                            if len(r1) > 0:
                                r1 = "".join((r1, "e"))
                            if len(r2) > 0:
                                r2 = "".join((r2, "e"))
                break
    if len(word) > 2 and word[-1] in "yY" and word[-2] not in vowels:
        word = "".join((word[:-1], "i"))
        if len(r1) >= 1:
            r1 = "".join((r1[:-1], "i"))
        else:
            r1 = ""
        if len(r2) >= 1:
            r2 = "".join((r2[:-1], "i"))
        else:
            r2 = ""
    if word.endswith(_STEP2):
        for suffix in _STEP2:
            if word.endswith(suffix):
                if r1.endswith(suffix):
                    if suffix == "tional":
                        word = word[:-2]
                        r1 = r1[:-2]
                        r2 = r2[:-2]
                    elif suffix in ("enci", "anci", "abli"):
                        word = "".join((word[:-1], "e"))
                        if len(r1) >= 1:
                            r1 = "".join((r1[:-1], "e"))
                        else:
                            r1 = ""
                        if len(r2) >= 1:
                            r2 = "".join((r2[:-1], "e"))
                        else:
                            r2 = ""
                    elif suffix == "entli":
                        word = word[:-2]
                        r1 = r1[:-2]
                        r2 = r2[:-2]
                    elif suffix in ("izer", "ization"):
                        word = "".join((word[: -len(suffix)], "ize"))
                        if len(r1) >= len(suffix):
                            r1 = "".join((r1[: -len(suffix)], "ize"))
                        else:
                            r1 = ""
                        if len(r2) >= len(suffix):
                            r2 = "".join((r2[: -len(suffix)], "ize"))
                        else:
                            r2 = ""
                    elif suffix in ("ational", "ation", "ator"):
                        word = "".join((word[: -len(suffix)], "ate"))
                        if len(r1) >= len(suffix):
                            r1 = "".join((r1[: -len(suffix)], "ate"))
                        else:
                            r1 = ""
                        if len(r2) >= len(suffix):
                            r2 = "".join((r2[: -len(suffix)], "ate"))
                        else:
                            r2 = "e"
                    elif suffix in ("alism", "aliti", "alli"):
                        word = "".join((word[: -len(suffix)], "al"))
                        if len(r1) >= len(suffix):
                            r1 = "".join((r1[: -len(suffix)], "al"))
                        else:
                            r1 = ""
                        if len(r2) >= len(suffix):
                            r2 = "".join((r2[: -len(suffix)], "al"))
                        else:
                            r2 = ""
                    elif suffix == "fulness":
                        word = word[:-4]
                        r1 = r1[:-4]
                        r2 = r2[:-4]
                    elif suffix in ("ousli", "ousness"):
                        word = "".join((word[: -len(suffix)], "ous"))
                        if len(r1) >= len(suffix):
                            r1 = "".join((r1[: -len(suffix)], "ous"))
                        else:
                            r1 = ""
                        if len(r2) >= len(suffix):
                            r2 = "".join((r2[: -len(suffix)], "ous"))
                        else:
                            r2 = ""
                    elif suffix in ("iveness", "iviti"):
                        word = "".join((word[: -len(suffix)], "ive"))
                        if len(r1) >= len(suffix):
                            r1 = "".join((r1[: -len(suffix)], "ive"))
                        else:
                            r1 = ""
                        if len(r2) >= len(suffix):
                            r2 = "".join((r2[: -len(suffix)], "ive"))
                        else:
                            r2 = "e"
                    elif suffix in ("biliti", "bli"):
                        word = "".join((word[: -len(suffix)], "ble"))
                        if len(r1) >= len(suffix):
                            r1 = "".join((r1[: -len(suffix)], "ble"))
                        else:
                            r1 = ""
                        if len(r2) >= len(suffix):
                            r2 = "".join((r2[: -len(suffix)], "ble"))
                        else:
                            r2 = ""
                    elif suffix == "ogi" and word[-4] == "l":
                        word = word[:-1]
                        r1 = r1[:-1]
                        r2 = r2[:-1]
                    elif suffix in ("fulli", "lessli"):
                        word = word[:-2]
                        r1 = r1[:-2]
                        r2 = r2[:-2]
                    elif suffix == "li" and word[-3] in _LI_ENDING:
                        word = word[:-2]
                        r1 = r1[:-2]
                        r2 = r2[:-2]
                break
    if word.endswith(_STEP3):
        for suffix in _STEP3:
            if word.endswith(suffix):
                if r1.endswith(suffix):
                    if suffix == "tional":
                        word = word[:-2]
                        r1 = r1[:-2]
                        r2 = r2[:-2]
                    elif suffix == "ational":
                        word = "".join((word[: -len(suffix)], "ate"))
                        if len(r1) >= len(suffix):
                            r1 = "".join((r1[: -len(suffix)], "ate"))
                        else:
                            r1 = ""
                        if len(r2) >= len(suffix):
                            r2 = "".join((r2[: -len(suffix)], "ate"))
                        else:
                            r2 = ""
                    elif suffix == "alize":
                        word = word[:-3]
                        r1 = r1[:-3]
                        r2 = r2[:-3]
                    elif suffix in ("icate", "iciti", "ical"):
                        word = "".join((word[: -len(suffix)], "ic"))
                        if len(r1) >= len(suffix):
                            r1 = "".join((r1[: -len(suffix)], "ic"))
                        else:
                            r1 = ""
                        if len(r2) >= len(suffix):
                            r2 = "".join((r2[: -len(suffix)], "ic"))
                        else:
                            r2 = ""
                    elif suffix in ("ful", "ness"):
                        word = word[: -len(suffix)]
                        r1 = r1[: -len(suffix)]
                        r2 = r2[: -len(suffix)]
                    elif suffix == "ative" and r2.endswith(suffix):
                        word = word[:-5]
                        r1 = r1[:-5]
                        r2 = r2[:-5]
                break
    if word.endswith(_STEP4):
        for suffix in _STEP4:
            if word.endswith(suffix):
                if r2.endswith(suffix):
                    if suffix == "ion":
                        if word[-4] in "st":
                            word = word[:-3]
                            r1 = r1[:-3]
                            r2 = r2[:-3]
                    else:
                        word = word[: -len(suffix)]
                        r1 = r1[: -len(suffix)]
                        r2 = r2[: -len(suffix)]
                break
    if r2.endswith("l") and word[-2] == "l":
        word = word[:-1]
    elif r2.endswith("e"):
        word = word[:-1]
    elif r1.endswith("e"):
        if len(word) >= 4 and (
            word[-2] in vowels
            or word[-2] in "wxY"
            or word[-3] not in vowels
            or word[-4] in vowels
        ):
            word = word[:-1]
    return word.replace("Y", "y")
