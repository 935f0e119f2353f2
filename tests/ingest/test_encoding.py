"""Decoding web pages: declared charset, BOM, detection when undeclared or wrong.

Latin-1 and Korean test pages are real pages (tests/fixtures/html) re-encoded, so
the text is real text in the encoding under test; characters the target encoding
lacks become HTML character references, as a server would send them.
"""

from __future__ import annotations

import codecs
import gzip
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.ingest.encoding import decode_bytes, normalise_charset, sniff_declared_charset
from indexer.ingest.html import read_html
from tests.conftest import FIXTURES

FIXTURES = FIXTURES / "html"
KOREAN_WORDS = ("엘제이의 리벤지인가", "진흙탕 싸움")
PORTUGUESE_WORDS = ("Eugênio: Estamos fazendo uma série", "Alfabetização")


def _text(name: str) -> str:
    return gzip.decompress((FIXTURES / name).read_bytes()).decode("utf-8")


def _korean(declared: str | None, encoding: str = "cp949") -> bytes:
    html = _text("entermedia-korean.html.gz")
    if declared:
        html = html.replace("<head>", f'<head><meta charset="{declared}">', 1)
    return html.encode(encoding, errors="xmlcharrefreplace")


def _portuguese(declared: str | None, encoding: str = "latin-1") -> bytes:
    html = _text("comoeducar-portuguese.html.gz")
    html = re.sub(r'<meta charset="UTF-8">', f'<meta charset="{declared}">' if declared else "", html)
    return html.encode(encoding, errors="xmlcharrefreplace")


@pytest.mark.parametrize("declared", ["euc-kr", "EUC-KR", "ks_c_5601-1987", "cp949", None,
                                      "iso-8859-1", "windows-1252"])
def test_korean_page_decodes_whether_declared_right_wrong_or_not_at_all(declared):
    article = read_html(_korean(declared), "ko.html")
    for words in KOREAN_WORDS:
        assert words in article.body
    assert article.headline == "엘제이-류화영 진흙탕 싸움, 공적인 사안으로 봐야하는 이유"


@pytest.mark.parametrize("declared", ["iso-2022-jp", None])
def test_a_seven_bit_japanese_page_decodes_declared_or_not(declared):
    # ISO-2022-JP (old Japanese sites and mail archives) is all 7-bit: ASCII, or UTF-8, to every other test
    html = re.sub(r'<meta[^>]*charset[^>]*>', f'<meta charset="{declared}">' if declared else "",
                  _text("dates/goo-japanese-blog.html.gz"))
    article = read_html(html.encode("iso-2022-jp", errors="xmlcharrefreplace"), "ja.html")
    assert article.headline == "【サラブレッドセール（せり市場）＝馬市】＆【種牡馬】の最新情報 by馬市.com"
    assert "フィリピントロフィー(3歳以上3勝クラス,1600万円以下)を勝った" in article.body


@pytest.mark.parametrize("declared", ["iso-8859-1", "latin1", "windows-1252", None, "utf-8"])
def test_latin1_page_decodes_whether_declared_right_wrong_or_not_at_all(declared):
    article = read_html(_portuguese(declared), "pt.html")
    for words in PORTUGUESE_WORDS:
        assert words in article.body
    assert "Ã" not in article.body  # no UTF-8-read-as-Latin-1 mojibake


def test_utf8_page_that_claims_latin1_is_read_as_utf8():
    data = _portuguese("iso-8859-1", encoding="utf-8")
    assert sniff_declared_charset(data) == "iso-8859-1"
    article = read_html(data, "pt.html")
    assert PORTUGUESE_WORDS[0] in article.body
    assert "Ã" not in article.body


@pytest.mark.parametrize("bom,encoding", [(codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                                          (codecs.BOM_UTF16_BE, "utf-16-be")])
def test_bom_wins_over_a_declaration(bom, encoding):
    html = _text("entermedia-korean.html.gz").replace("<head>", '<head><meta charset="iso-8859-1">', 1)
    article = read_html(bom + html.encode(encoding), "bom.html")
    assert KOREAN_WORDS[0] in article.body


@pytest.mark.parametrize("head,expected", [
    (b'<html><head><meta charset="euc-kr"><title>', "euc-kr"),
    (b"<meta charset=utf-8>", "utf-8"),
    (b'<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1">', "ISO-8859-1"),
    (b"<?xml version='1.0' encoding='windows-1252'?><html>", "windows-1252"),
    (b"<html><head><title>No declaration</title>", None),
])
def test_sniff_declared_charset(head, expected):
    assert sniff_declared_charset(head) == expected


def test_sniff_looks_only_at_the_start():
    assert sniff_declared_charset(b" " * 10_000 + b'<meta charset="euc-kr">') is None


@pytest.mark.parametrize("label,codec", [("latin-1", "cp1252"), ("EUC-KR", "cp949"), ("utf8", "utf-8"),
                                         ('"gb2312"', "gb18030"), ("no-such-charset", None), (None, None)])
def test_normalise_charset(label, codec):
    assert normalise_charset(label) == codec


def test_unknown_declaration_is_ignored():
    assert decode_bytes("café".encode("utf-8"), "x-unknown") == "café"


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=400), st.sampled_from([None, "utf-8", "euc-kr", "iso-8859-1", "shift_jis", "bogus"]))
def test_decode_never_raises(data, declared):
    assert isinstance(decode_bytes(data, declared), str)


@pytest.mark.parametrize("declared", [None, "utf-8"])
def test_a_stray_byte_does_not_turn_a_utf8_page_into_mojibake(declared):
    html = _text("entermedia-korean.html.gz")
    if declared:
        html = html.replace("<head>", f'<head><meta charset="{declared}">', 1)
    data = html.encode("utf-8")
    cut = data.index("사실 남녀 관계라는".encode("utf-8")) - 200
    article = read_html(data[:cut] + b"\xff\xe9" + data[cut:], "stray.html")
    assert "사실 남녀 관계라는 것이" in article.body
    assert article.headline == "엘제이-류화영 진흙탕 싸움, 공적인 사안으로 봐야하는 이유"


def test_a_latin1_page_is_not_taken_for_broken_utf8():
    text = decode_bytes(_portuguese(None))
    assert "Alfabetização" in text and "\ufffd" not in text
