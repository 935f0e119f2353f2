"""The captions of a page's pictures near the article, each once.

Kept apart from the body: a caption names the picture, not the story, and a
gallery's teasers must not lend theirs to it.
"""

from __future__ import annotations

import re
from html import unescape

from bs4 import Tag

from indexer.ingest.article import collapse_spaces
from indexer.ingest.html.scan import JUNK_LINE, Scan, squash
from indexer.limits import MAX_CAPTIONS, MAX_CHAIN

# ---------------------------------------------------------------------------
# captions

_CREDIT = re.compile(
    r"\s*[\(\[]?\s*(?:photo|image|picture|pic|credit|photograph|illustration|graphic|video|"
    r"source|foto|courtesy)s?(?:\s+(?:by|credit|courtesy))?\s*[:/]\s*[^)\]]*[\)\]]?\s*$"
    r"|\s*[\(\[]?\s*(?:photo|image|picture)s?\s+(?:by|courtesy of)\s+[^)\]]*[\)\]]?\s*$"
    r"|\s*[\(\[]?(?:AP|AFP|Reuters|Getty Images|EPA|Shutterstock)(?:\s*(?:Photo|Images?))?"
    r"(?:\s*/\s*[^)\]]+)?[\)\]]?\s*$"
    r"|\s*\([^()]{2,60}\s/\s[^()]{2,60}\)\s*$"  # "(Reed Saxon / Associated Press)"
    r"|\s*\[[^\[\]]{2,50}\]\s*$",                 # "[SpaceX via Nasa]"
    re.I)
_TOGGLE = re.compile(r"(?:\s*(?:\.\.\.|…))?\s*\b(?:less|more|show more|show less|read more|expand|"
                     r"collapse|hide caption|toggle caption)\s*$", re.I)
_CAPTION_UI = re.compile(r"^(?:(?:image|media|photo)?\s*caption|close|open|hide|show|toggle|image|photo|"
                         r"expand|enlarge|view|gallery|slideshow|media playback is unsupported on your device"
                         r"|\W)+$", re.I)
_CAPTION_LABEL = re.compile(r"^(?:image|media|photo|video)\s+caption\s+", re.I)  # screen-reader labels
_CREDIT_CLASS = re.compile(r"credit|copyright|source|byline|attribution", re.I)


def _caption_text(tag: Tag) -> str:
    """Caption text without its credit line ("Photo: ...") or show-more toggles."""
    for credit in tag.find_all(True, class_=_CREDIT_CLASS):
        credit.decompose()
    text = collapse_spaces(tag.get_text(" "))
    linked = sum(len(a.get_text(strip=True)) for a in tag.find_all("a"))
    if text and linked > 0.5 * len(text):  # a box of links in caption markup
        return ""
    text = _CAPTION_LABEL.sub("", text)
    for _ in range(3):
        stripped = _TOGGLE.sub("", _CREDIT.sub("", text)).strip()
        if stripped == text:
            break
        text = stripped
    return text




def _innermost_captions(elements: list[Tag]) -> list[str]:
    """Texts of caption elements that hold no other caption (a gallery's full and
    truncated caption inside one wrapper count once each, not as a mash-up)."""
    elements = elements[:MAX_CAPTIONS]
    texts = {id(el): _caption_text(el) for el in reversed(elements)}  # inner first: credits cut once
    real = [el for el in elements if texts[id(el)]]
    ids = {id(el) for el in real}
    outer: set[int] = set()
    for el in real:
        node = el.parent
        for _ in range(MAX_CHAIN):
            if node is None:
                break
            if id(node) in ids:
                outer.add(id(node))
            node = node.parent
    return [texts[id(el)] for el in real if id(el) not in outer]


def _real_alt(alt: str) -> bool:
    alt = collapse_spaces(alt)
    if len(alt) < 15 or len(alt.split()) < 3:
        return False
    if re.search(r"\.(jpe?g|png|gif|webp)$", alt, re.I):
        return False
    return True


def captions(scan: Scan, container: Tag | None) -> list[str]:
    """Captions near the article (not in teasers of other stories), each once; a real
    alt text stands in for a figure that has no caption."""
    scope = article_scope(container)
    found: list[str] = []
    in_scope = [el for el in scan.captions if scope is None or is_inside(el, scope)]
    found.extend(_innermost_captions(in_scope))
    for fig in scan.figures:
        if scope is not None and not is_inside(fig, scope):
            continue
        if fig.find("figcaption") or fig.find(class_=re.compile("caption", re.I)):
            continue
        img = fig.find("img")
        alt = img.get("alt") if img else None
        if isinstance(alt, str) and _real_alt(alt):
            found.append(_CREDIT.sub("", collapse_spaces(unescape(alt))).strip())
    # each once: a truncated copy ("... at") or an exact repeat is dropped
    captions: list[str] = []
    for text in found:
        if len(text) < 2 or JUNK_LINE.match(text) or _CAPTION_UI.match(text):
            continue
        if text.isupper() and len(text.split()) <= 6:  # "ITV, ASSOCIATED PRESS": a credit alone
            continue
        key = squash(text)
        if not key:
            continue
        if any(key in squash(c) for c in captions):
            continue
        captions = [c for c in captions if squash(c) not in key]
        captions.append(text)
    return captions


def article_scope(container: Tag | None, up: int = 2) -> Tag | None:
    """The article around the body container: the nearest <article>/<main> or
    schema.org Article ancestor, else `up` levels up (but not the <body>)."""
    if container is None:
        return None
    node = container
    for _ in range(12):
        if node is None or node.name in ("body", "html", "[document]"):
            break
        itemtype = node.get("itemtype") or ""
        if node.name in ("article", "main") or "Article" in itemtype:
            return node
        node = node.parent
    node = container
    for _ in range(up):
        if node.parent is None or node.parent.name in ("body", "html", "[document]"):
            break
        node = node.parent
    return node


def is_inside(tag: Tag, ancestor: Tag) -> bool:
    """Whether `ancestor` holds `tag`, looked for at most MAX_CHAIN levels up (no walk of a hostile depth)."""
    node = tag
    for _ in range(MAX_CHAIN):
        if node is None:
            return False
        if node is ancestor:
            return True
        node = node.parent
    return False
