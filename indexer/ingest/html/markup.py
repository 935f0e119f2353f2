"""Repairs to a page's markup before it is parsed, and the tree builder that parses it.

The repairs make lxml build the tree a browser shows (a `<title>` left open, a
`<div>` left open inside a section) and drop, before the parser pays for them,
what no reader sees (scripts, styles, comments, white space beside block-level
tags). The builder skips bs4's namespace work and keeps the tags in document
order for the scan.
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, Tag
from bs4.builder import LXMLTreeBuilder

from indexer.ingest.html.pagedate import find_written_date


class HTMLBuilder(LXMLTreeBuilder):
    """bs4's lxml HTML builder without its XML-namespace work on each tag: lxml's HTML
    parser sends no namespaces (`xmlns:fb`, `fb:like`, `xml:lang` come as plain names),
    yet bs4's `start` copied every tag's attributes twice looking for them and `end`
    split each name again: 7% of the parse. Same tree (tests/ingest/test_html.py).
    It keeps the tags in the order it makes them, the document's: the cleaner's scan
    reads them without walking the whole tree again."""

    tags: list[Tag]

    def initialize_soup(self, soup: BeautifulSoup) -> None:
        super().initialize_soup(soup)
        self.tags = []  # each parse from scratch (bs4 parses again after a rejection)

    def start(self, tag, attrib, nsmap=None):
        self.tags.append(self.soup.handle_starttag(tag, None, None, self.attribute_dict_class(attrib),
                                                   namespaces=self.active_namespace_prefixes[-1]))

    def end(self, tag):
        self.soup.endData()
        self.soup.handle_endtag(tag)


_GAP = re.compile(r">\s+<(/?[a-zA-Z][a-zA-Z0-9]*)")  # white space between two tags
_TAG_NAME = re.compile(r"</?([a-zA-Z][a-zA-Z0-9]*)")
_SPACE_BLIND = frozenset({  # tags before or after which white space is never text a reader sees
    "p", "div", "section", "article", "main", "header", "footer", "aside", "nav", "li", "ul", "ol", "dl", "dt",
    "dd", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table", "tr", "td", "th", "tbody", "thead",
    "tfoot", "figure", "figcaption", "form", "fieldset", "address", "hr", "br", "body", "html", "head",
    "center", "caption", "details", "summary", "hgroup", "meta", "link", "title",
})


def without_unseen_space(html: str) -> str:
    """The page without the white space between a block-level tag and the next tag: a
    line break or indent no reader sees (the text is cut into blocks there anyway), yet
    a third of the parser's text objects. Space next to inline tags stays ("word <b>bold</b>")."""

    def squeeze(m: re.Match) -> str:
        following = m.group(1)
        if following.lstrip("/").lower() in _SPACE_BLIND:
            return "><" + following
        start = html.rfind("<", 0, m.start())
        before = _TAG_NAME.match(html, start) if start >= 0 else None
        if before and before.group(1).lower() in _SPACE_BLIND and html.find(">", start) == m.start():
            return "><" + following
        return m.group(0)

    return _GAP.sub(squeeze, html)


_TITLE_OPEN = re.compile(r"<title(?=[\s>])[^>]*>", re.I)
_TAG_START = re.compile(r"<[/!a-zA-Z]")
_TITLE_CLOSE = re.compile(r"</title[\s>]", re.I)  # not "</titlevalue=...": a broken end tag


def with_title_closed(html: str) -> str:
    """The page with its <title> closed at the first tag after it: a title left open (a
    broken page) would otherwise swallow the rest of the page as its text."""
    m = _TITLE_OPEN.search(html)
    if m is None:
        return html
    tag = _TAG_START.search(html, m.end())
    if tag is None or _TITLE_CLOSE.match(html, tag.start()):
        return html
    return html[:tag.start()] + "</title>" + html[tag.start():]


_SECTION_OR_DIV = re.compile(r"<(/?)(header|footer|nav|aside|div|table)(?=[\s>/])", re.I)
_SECTION_END = re.compile(r"</(?:header|footer|nav|aside)", re.I)


def with_sections_closed(html: str) -> str:
    """The page with each `<div>` left open inside a `<header>`, `<footer>`, `<nav>` or `<aside>`
    closed at that element's end tag, as a browser's (HTML5) parser does. libxml2 ignores an end
    tag that would close a `<div>` on the way (its end priorities), so a forum's post header whose
    template closes a `<div>` with `</ul>` swallows the post after it: the story inside page furniture.
    Only where a `<div>` opened inside the element is still open; never across a table (there the
    section's end tag is out of scope in both parsers); not looked for on a page whose `<div>`s are all
    closed somewhere (most pages: the scan costs nothing there)."""
    if html.count("<div") + html.count("<DIV") <= html.count("</div") + html.count("</DIV") \
            or _SECTION_END.search(html) is None:
        return html  # every <div> closed somewhere: nothing left open for a section's end tag to close
    stack: list[str] = []
    inserts: list[tuple[int, int]] = []  # (position, how many </div>)
    for m in _SECTION_OR_DIV.finditer(html):
        name = m.group(2).lower()
        if not m.group(1):
            stack.append(name)
            continue
        if name not in stack:
            continue  # a stray end tag: both parsers ignore it
        opened = len(stack) - 1
        while stack[opened] != name:
            opened -= 1
        above = stack[opened + 1:]
        if name != "table" and "table" in above:
            continue  # libxml2's </div> does not close a table; a section is out of scope in one
        del stack[opened:]  # libxml2's </div> closes a section left open in it too
        if name != "div" and name != "table" and "div" in above:
            inserts.append((m.start(), above.count("div")))
    if not inserts:
        return html
    parts: list[str] = []
    pos = 0
    for at, count in inserts:
        parts.append(html[pos:at])
        parts.append("</div>" * count)
        pos = at
    parts.append(html[pos:])
    return "".join(parts)


_UNSEEN_OPEN = re.compile(r"<(script|style|svg|noscript|template)(?=[\s>/])([^>]*)>|<!--", re.I)
# where each one ends (searched in the page itself: str.lower() can change the page's length, "İ" -> "i̇")
_UNSEEN_CLOSE = {name: re.compile("</" + name, re.I) for name in ("script", "style", "svg", "noscript", "template")}
_UNSEEN_CLOSE["!--"] = re.compile("-->")


# a short script that writes a date where it stands: "document.write('August 13, 2010 7:08 p.m. EDT')",
# "showDate("2020/04/17 01:43:09")", "document.write(renderTimeStamp(1199251664155, ['January 2, 2008 ...']))"
_WRITING_SCRIPT = re.compile(r"""(?:document\.write\s*\(|^\s*[\w.]+\s*\()[^'"]{0,80}?(['"])([^'"<>\\]{6,80})\1""")
MAX_WRITING_SCRIPT = 400  # characters of a script that writes a line of the page; longer ones are programs


def _date_written_by(script: str) -> str | None:
    """The date a short inline script writes into the page (old sites render their date lines so), or None."""
    if len(script) > MAX_WRITING_SCRIPT:
        return None
    found = _WRITING_SCRIPT.search(script)
    return found.group(2) if found and find_written_date(found.group(2)) else None


def without_unseen(html: str) -> str:
    """The page without scripts (JSON-LD stays), styles, SVG drawings, <noscript>,
    <template> and comments: nothing a reader sees, yet a third of the tags and two
    thirds of the bytes the parser would turn into objects only to drop them; a short
    script that writes a date line leaves the date it writes. One left-to-right pass;
    an element that is never closed is left to the parser."""
    parts: list[str] = []
    pos = 0
    unclosed: set[str] = set()
    while True:
        m = _UNSEEN_OPEN.search(html, pos)
        if m is None:
            break
        name = (m.group(1) or "!--").lower()
        if name in unclosed or (name == "script" and "ld+json" in (m.group(2) or "").lower()):
            parts.append(html[pos:m.end()])
            pos = m.end()
            continue
        closing = _UNSEEN_CLOSE[name].search(html, m.end())
        end = closing.start() if closing else -1
        if end < 0:
            unclosed.add(name)  # later ones cannot close either: no second search to the end
            parts.append(html[pos:m.end()])
            pos = m.end()
            continue
        close = html.find(">", end)
        parts.append(html[pos:m.start()])
        shown = _date_written_by(html[m.end():end]) if name == "script" else None
        parts.append(f" <span>{shown}</span> " if shown else " ")
        pos = len(html) if close < 0 else close + 1
    parts.append(html[pos:])
    return "".join(parts)
