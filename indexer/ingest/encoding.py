"""Bytes -> text, honouring a BOM, then the declared charset, then detection.

Decoding before parsing matters for speed: handing BeautifulSoup raw bytes lets
it run its own slow detection (up to 373 ms on some pages). `looks_binary` is
every reader's test for data that is not text at all.
"""

from __future__ import annotations

import codecs
import re

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Labels that browsers treat as something wider (WHATWG encoding standard).
_WIDER = {"iso-8859-1": "cp1252", "latin-1": "cp1252", "latin1": "cp1252", "ascii": "cp1252",
          "us-ascii": "cp1252", "euc-kr": "cp949", "ks_c_5601-1987": "cp949", "gb2312": "gb18030",
          "gbk": "gb18030", "shift_jis": "cp932", "x-sjis": "cp932"}


def normalise_charset(label: str | None) -> str | None:
    """A Python codec name for a declared charset label, or None if unknown."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    label = _WIDER.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


_WESTERN = frozenset({"cp1252", "iso8859-1", "iso8859-15", "latin-1", "cp850", "mac-roman", "cp437"})


def decode_bytes(data: bytes, declared: str | None = None) -> str:
    """Decode `data`: BOM first, then the declared charset if it decodes cleanly,
    then UTF-8, then detection. A wrong declaration never yields mojibake when
    the bytes do not fit it; mixed-up bytes fall back to replacement characters
    rather than an error, so one bad byte never loses an article."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(name, errors="replace")
    codec = normalise_charset(declared)
    if codec and codec != "utf-8":
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            pass
        else:
            # Trust the declaration unless the bytes are valid UTF-8 with multi-byte
            # sequences (a common lie, and legacy text is almost never valid UTF-8
            # by chance), or a Western single-byte declaration sits on text whose
            # non-ASCII bytes come in runs (Korean, Chinese, Japanese, Cyrillic ...).
            if _looks_utf8(data):
                return data.decode("utf-8")
            if not _is_single_byte(codec):
                return text
            if codec in _WESTERN and _high_bytes_in_runs(data):
                detected = _detect(data)
                if detected is not None and detected[0] not in _WESTERN:
                    return detected[1]
            return text
    if _ISO2022_JP_ESCAPE.search(data):  # 7-bit Japanese: ASCII to every other test
        try:
            return data.decode("iso2022_jp")
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    text = _mostly_utf8(data)
    if text is not None:
        return text
    if not _high_bytes_in_runs(data):
        # lone accented letters between ASCII: what browsers assume, Windows-1252
        return data.decode("cp1252", errors="replace")
    detected = _detect(data)
    if detected is not None:
        return detected[1]
    return data.decode("cp1252", errors="replace")


def _mostly_utf8(data: bytes) -> str | None:
    """UTF-8 with a few stray bytes (a pasted Latin-1 character, a cut sequence) is
    still UTF-8: decode it with replacement characters rather than let detection
    turn the whole page into mojibake. None when the bytes are not UTF-8 at all."""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    if bad == 0:
        return text
    good = len(text) - len(text.encode("ascii", "ignore")) - bad  # non-ASCII characters decoded fine
    return text if good >= 20 * bad else None


def _detect(data: bytes) -> tuple[str, str] | None:
    """(codec name, text) from charset detection, or None."""
    from charset_normalizer import from_bytes  # (~10 ms to import: only for text that is not UTF-8)

    best = from_bytes(data).best()
    if best is None or not best.encoding:
        return None
    name = codecs.lookup(best.encoding).name
    return name, str(best)


_HIGH_RUN = re.compile(rb"[\x80-\xff]{2,}")
_ISO2022_JP_ESCAPE = re.compile(rb"\x1b\$[@B]")  # the escape into JIS X 0208 kanji of ISO-2022-JP
_HIGH_BYTES = bytes(range(0x80, 0x100))


def _high_bytes_in_runs(data: bytes) -> bool:
    """Most non-ASCII bytes come in runs of two or more: Korean/Chinese/Japanese or
    Cyrillic/Greek text, not the lone accented letters of a Latin-1 page."""
    sample = data[:200_000]
    high = len(sample) - len(sample.translate(None, _HIGH_BYTES))
    if high < 8:
        return False
    in_runs = sum(len(m) for m in _HIGH_RUN.findall(sample))
    return in_runs / high > 0.8


def _is_single_byte(codec: str) -> bool:
    return codec.startswith(("cp125", "iso8859", "latin", "mac-", "mac_", "koi8", "cp437", "cp85",
                             "ascii", "tis", "cp874"))


def _looks_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return any(b >= 0x80 for b in data)


_META_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)"""
    rb"""|<\?xml[^>]+?encoding\s*=\s*["']([A-Za-z0-9_.:\-]+)""",
    re.I)


def sniff_declared_charset(data: bytes, limit: int = 4096) -> str | None:
    """The charset a page declares in its first bytes (`<meta charset>`, the
    http-equiv Content-Type, or an XML declaration), without parsing the page."""
    m = _META_CHARSET.search(data[:limit])
    if not m:
        return None
    label = (m.group(1) or m.group(2)).decode("ascii", "replace")
    return label or None


def looks_binary(data: bytes) -> bool:
    """NUL bytes or many control characters in the first 4 KB mean binary data,
    not text or a web page (UTF-16 and UTF-32 text carries NULs too, but starts
    with a BOM). The one test every reader uses."""
    head = data[:4096]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    if head.count(b"\x00") > len(head) // 200:
        return True
    controls = sum(1 for b in head if b < 9 or 13 < b < 32 and b != 0x1B)  # ESC: ISO-2022-JP's shifts
    return controls > len(head) // 50
