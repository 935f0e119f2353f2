"""Web pages -> Article: metadata from JSON-LD / meta tags, the body from the DOM.

The page is parsed once with BeautifulSoup (lxml). One pass over the tree reads
the metadata and marks elements by their markup: scripts and widgets are cut;
navigation, share boxes, related links, bylines, captions ... are marked as
boilerplate; article-body containers as content. The text is then split into
blocks, each block scores as prose or furniture, scores flow up the tree
(decaying with distance), and the best-scoring element is the article. Marked
boilerplate only counts when it does not hold most of the prose, so a wrapper
that happens to be called "paywall" is not thrown away with the story.
All tree walks are iterative or capped, so deeply nested hostile pages cannot
overflow the interpreter stack. Measured in benchmarks/README-cleaning.md.
"""

from __future__ import annotations

import itertools
import json
import math
import re
import unicodedata
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from html import unescape
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup, Comment, NavigableString, Tag, XMLParsedAsHTMLWarning
from bs4.builder import LXMLTreeBuilder
from bs4.element import AttributeDict, CData, Declaration, Doctype, ProcessingInstruction

from indexer.errors import SourceError
from indexer.ingest.article import Article, CleanedArticle, collapse_spaces, derived_id
from indexer.ingest.bylines import credits_no_person, edited_by, normalise_byline, opens_with_article, split_authors
from indexer.ingest.dates import date_from_url, parse_page_date, sane_date
from indexer.ingest.encoding import decode_bytes, looks_binary, sniff_declared_charset
from indexer.ingest.pagekind import holds_no_story, may_hold_no_story
from indexer.limits import MAX_CAPTIONS, MAX_CHAIN


def read_html(data: bytes, source: str, *, charset: str | None = None, url: str | None = None) -> Article:
    """Bytes of one web page -> Article; SourceError when it is not an article.
    `charset` is one declared outside the page (HTTP Content-Type), tried before
    the page's own; `url` is where the page was fetched (a web archive's record)."""
    if not data or not data.strip():
        raise SourceError("empty file")
    if looks_binary(data):
        raise SourceError("binary data, not a web page")
    text = decode_bytes(data, charset or sniff_declared_charset(data))
    if "<" not in text:
        raise SourceError("no HTML markup")
    try:
        page = clean_html(text, url)
    except RecursionError:
        raise SourceError("document nested too deeply to parse") from None
    if not (page.headline.strip() or page.body.strip()):
        raise SourceError("no article text found")
    publication = page.publication or _domain(page.url)
    return Article(id=derived_id(source), headline=page.headline, body=page.body,
                   captions=page.captions, publication=publication, author=page.author,
                   date=page.date, url=page.url, source=source)


def clean_html(html: str, url: str | None = None) -> CleanedArticle:
    """The pure cleaner: decoded HTML text (and its URL if known) -> CleanedArticle."""
    # class/rel stay plain strings: splitting every multi-valued attribute costs ~10% of the parse.
    # Attributes go in a plain dict: bs4's lxml builder defaults to XMLAttributeDict, whose
    # __setitem__ (turning non-string values into strings, which lxml never sends) ran five times
    # per tag, a sixth of the whole cleaning.
    # An XHTML page (`<?xml ...?>` first) is a web page, parsed as HTML on purpose:
    # BeautifulSoup's advice to use an XML parser would only puzzle a build's reader.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        markup = _without_unseen_space(_with_sections_closed(_with_title_closed(_without_unseen(html))))
        builder = _HTMLBuilder(multi_valued_attributes=None, attribute_dict_class=AttributeDict)
        soup = BeautifulSoup(markup, builder=builder)
    return _clean_soup(soup, builder.tags, url, html)


class _HTMLBuilder(LXMLTreeBuilder):
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


def _without_unseen_space(html: str) -> str:
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


def _with_title_closed(html: str) -> str:
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


def _with_sections_closed(html: str) -> str:
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


def _without_unseen(html: str) -> str:
    """The page without scripts (JSON-LD stays), styles, SVG drawings, <noscript>,
    <template> and comments: nothing a reader sees, yet a third of the tags and two
    thirds of the bytes the parser would turn into objects only to drop them. One
    left-to-right pass; an element that is never closed is left to the parser."""
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
        parts.append(" ")
        pos = len(html) if close < 0 else close + 1
    parts.append(html[pos:])
    return "".join(parts)


# ---------------------------------------------------------------------------
# tree walking

_DROP_TAGS = frozenset({
    "script", "style", "noscript", "template", "svg", "iframe", "object", "embed", "canvas",
    "button", "input", "select", "textarea", "option", "label", "head", "title", "meta", "link",
    "map", "video", "audio", "picture", "source", "dialog", "menu",
})
_SECTION_BOILERPLATE_TAGS = frozenset({"aside", "footer", "header", "nav"})
_BLOCK_TAGS = frozenset({
    "p", "div", "section", "article", "main", "header", "footer", "aside", "li", "ul", "ol", "dl",
    "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "tr",
    "tbody", "thead", "tfoot", "figure", "figcaption", "form", "fieldset", "address",
    "hr", "br", "body", "html", "center", "caption", "details", "summary", "hgroup",
})
_CELL_TAGS = frozenset({"td", "th"})  # inline: a table row is one block
_CONTROL_TAGS = frozenset({"button", "label"})  # a control's words, unless broken markup put the page inside


def _holds_page(control: Tag) -> bool:
    """A button or label that holds the page's main part or paragraphs: a `<div>` left open in it
    made the parser put everything after it inside, so it is not dropped as a control."""
    paragraphs = 0
    for node in control.descendants:
        name = node.name  # None on text
        if name == "main" or name == "article":
            return True
        if name == "p":
            paragraphs += 1
            if paragraphs == 3:
                return True
    return False


class _CaseBlind:
    """A pattern matched whatever the case, fast on ASCII text (class names): there it is matched
    lower-cased without re.I, with the same matches, 3-4 times faster (with re.I, sre cannot skip
    ahead to the letters where the pattern can start). Its letters must be lower case."""

    def __init__(self, source: str) -> None:
        if re.search(r"[A-Z]", re.sub(r"\\.", "", source)):  # escapes (\S, \W, \b) aside
            raise ValueError(f"upper-case letters in a case-blind pattern: {source!r}")
        self.lower = re.compile(source)
        self.any_case = re.compile(source, re.I)

    def search(self, text: str) -> re.Match | None:
        return self.lower.search(text.lower()) if text.isascii() else self.any_case.search(text)


# class / id / role tokens that mark boilerplate subtrees. "Strong" ones name
# furniture that never wraps an article; "weak" ones also turn up on layout
# wrappers ("content-with-sidebar", "paywall", "Page-ad-margins").
_STRONG_BOILERPLATE = _CaseBlind(
    r"share|sharing|social|related|recommend|newsletter|subscri|signup|sign-up|cookie|consent|"
    r"gdpr|comment(?!ar)|byline|contributor|author-bio|\bbio\b|promo(?!ted)|outbrain|taboola|disqus|"
    r"breadcrumb|modal|popup|popover|tooltip|hovercard|rollover|dialog|alertdialog|toolbar|more-stories|read-more|readmore|also-read|"
    r"most-read|most-popular|trending|caption|credit|copyright|visually-hidden|sr-only|"
    r"screen-reader|skip-link|navbar|\bnav\b|navigation|\bmenu|site-header|site-footer|masthead")
_WEAK_BOILERPLATE = _CaseBlind(
    r"author|advert|\bads?\b|\bad[-_]|sponsor|sidebar|\btags?\b|tag-list|keywords|topics|"
    r"popular|footer|header|paywall|\bprint|email|follow|widget|teaser|(?:^|\s)(?:is-|u-)?hidden(?:\s|$)|\bnav|menu|"
    r"banner|complementary|contentinfo")
# tokens that mark the article itself: never cut these as boilerplate
_CONTENT = _CaseBlind(
    r"article[-_]{0,2}body|story[-_]{0,2}body|post[-_]?body|entry[-_]?content|"
    r"post[-_]?content|article[-_]{0,2}content|story[-_]{0,2}content|main[-_]?content|body[-_]?text|"
    r"article[-_]{0,2}text|story[-_]{0,2}text|content[-_]?body|rich[-_]?text|post[-_]?entry|"
    r"article-main|story-main")  # [-_]{0,2}: BEM's "article__content" too
_VARIANT_CLASS = re.compile(r"\S+:\S+")  # utility classes for one medium or state ("print:hidden", "dark:bg-x")


def _attr_tokens(tag: Tag) -> str:
    """class, id and role of a tag as one string ("" when it has none)."""
    return _tokens(tag.attrs) if tag.attrs else ""


def _tokens(attrs: dict) -> str:
    parts = [value if isinstance(value, str) else " ".join(value)
             for value in (attrs.get("class"), attrs.get("id"), attrs.get("role")) if value]
    return " ".join(parts)


def _token_facts(tokens: str) -> tuple[bool, bool, int]:
    """What a class/id/role string says: (a headline's class, the article body's class,
    boilerplate strength 0 / 1 weak / 2 strong: see the patterns above)."""
    facts = _FACTS_CACHE.get(tokens)
    if facts is None:
        key = tokens
        if ":" in tokens:  # what a page looks like when printed or on a phone says nothing about its role
            tokens = _VARIANT_CLASS.sub(" ", tokens)
        headline = bool(_HEADLINE_CLASS.search(tokens)) and not _NOT_HEADLINE_CLASS.search(tokens)
        if _EMBED.search(tokens):
            strength = 0  # an embedded post quoted by the article ("social-media-embed")
        else:
            strength = 2 if _STRONG_BOILERPLATE.search(tokens) else 1 if _WEAK_BOILERPLATE.search(tokens) else 0
        facts = (headline, bool(_CONTENT.search(tokens)), strength)
        if len(_FACTS_CACHE) < 50_000:
            _FACTS_CACHE[key] = facts
    return facts


def _hidden(attrs: dict) -> bool:
    style = attrs.get("style")
    return attrs.get("aria-hidden") == "true" or attrs.get("hidden") is not None or (
        isinstance(style, str) and ("none" in style or "hidden" in style) and bool(_HIDDEN_STYLE.search(style)))


_FACTS_CACHE: dict[str, tuple[bool, bool, int]] = {}  # the same class strings recur on every page of a site
_EMBED = _CaseBlind(r"embed|twitter-tweet|instagram-media|tiktok-embed")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden")


@dataclass
class _Block:
    element: Tag
    text: str
    link_chars: int
    tag: str
    resumes: bool = False  # the text goes on after an inline element that became its own block


def _blocks(root: Tag, boundaries: frozenset[int] = frozenset()) -> list[_Block]:
    """Split the subtree into text blocks (maximal inline runs under one block element,
    or under an element in `boundaries`, given by id), iteratively. Each block records
    its owner element, text and characters inside links."""
    blocks: list[_Block] = []
    parts: list[str] = []
    link_chars = 0
    owner_stack: list[Tag] = [root]
    # the stack holds nodes to enter and (element, _LEAVE_BLOCK / _LEAVE_LINK) markers
    stack: list = list(reversed(root.contents))
    link_depth = 0
    resumes = False

    def flush() -> None:
        nonlocal parts, link_chars, resumes
        text = collapse_spaces("".join(parts))
        if text:
            owner = owner_stack[-1]
            blocks.append(_Block(owner, text, min(link_chars, len(text)), owner.name, resumes))
            resumes = False
        parts = []
        link_chars = 0

    while stack:
        node = stack.pop()
        kind = type(node)
        if kind is NavigableString:  # most nodes: plain text
            parts.append(node)
            if link_depth:
                link_chars += len(node.strip())
            continue
        if kind is tuple:  # leaving an element
            node, leaving = node
            if leaving == _LEAVE_LINK:
                link_depth -= 1
                continue
            if parts:
                flush()
            owner_stack.pop()
            resumes = node.name not in _BLOCK_TAGS  # an inline boundary: its parent's text goes on
            continue
        if kind is not Tag and not isinstance(node, Tag):
            if isinstance(node, NavigableString) and \
                    not isinstance(node, (Comment, CData, Declaration, Doctype, ProcessingInstruction)):
                parts.append(node)
                if link_depth:
                    link_chars += len(node.strip())
            continue
        name = node.name
        if name in _BLOCK_TAGS or id(node) in boundaries or (name in _CELL_TAGS and _layout_cell(node)):
            if parts:
                flush()
            resumes = False
            if name == "br" or name == "hr":
                continue
            owner_stack.append(node)
            stack.append((node, _LEAVE_BLOCK))
        elif name == "a":
            link_depth += 1
            stack.append((node, _LEAVE_LINK))
        elif name in _CELL_TAGS:
            parts.append(" ")  # a table row reads as one line, cells apart
        stack.extend(reversed(node.contents))
    if parts:
        flush()
    return blocks


_LEAVE_BLOCK, _LEAVE_LINK = 1, 2


def _layout_cell(cell: Tag) -> bool:
    """A table cell that holds line breaks or blocks is a column of the page's layout (a menu beside
    the story, hand-made pages of the 1990s), not a cell of a row of data: its text is a block of its
    own, not joined to the next column's first line."""
    return any(node.name in _BLOCK_TAGS for node in cell.descendants if type(node) is not NavigableString)


# ---------------------------------------------------------------------------
# metadata

_ARTICLE_TYPES = {"newsarticle", "article", "reportagenewsarticle", "blogposting", "analysisnewsarticle",
                  "opinionnewsarticle", "reviewnewsarticle", "backgroundnewsarticle", "webpage",
                  "liveblogposting", "socialmediaposting", "report", "scholarlyarticle", "techarticle",
                  # schema.org's other Article types (Readability reads them too): a forum's first post
                  "discussionforumposting", "satiricalarticle", "askpublicnewsarticle", "advertisercontentarticle",
                  "medicalscholarlyarticle", "apireference"}


# comment or CDATA markers around a script's JSON ("<![CDATA[ {...} ]]>", "//<!--")
_JSON_WRAPPER = re.compile(r"^\s*(?://\s*)?(?:<!--|<!\[CDATA\[)|(?://\s*)?(?:-->|\]\]>)\s*$")


def _json_ld_objects(scripts: list[Tag]) -> list[dict]:
    found: list[dict] = []
    for script in scripts:
        raw = script.string or script.get_text() or ""
        raw = _JSON_WRAPPER.sub("", raw)
        if not raw.strip():
            continue
        try:
            data = json.loads(raw)
        except ValueError:
            try:
                data = json.loads(re.sub(r"[\x00-\x1f]", " ", raw))
            except ValueError:
                continue
        todo = [data]
        while todo:
            item = todo.pop()
            if isinstance(item, list):
                todo.extend(item)
            elif isinstance(item, dict):
                found.append(item)
                graph = item.get("@graph")
                if isinstance(graph, list):
                    todo.extend(graph)
    return found


def _types(obj: dict) -> set[str]:
    t = obj.get("@type")
    if isinstance(t, str):
        return {t.lower()}
    if isinstance(t, list):
        return {x.lower() for x in t if isinstance(x, str)}
    return set()


def _pick_article_ld(objs: list[dict]) -> dict | None:
    best, best_rank = None, 99
    for obj in objs:
        types = _types(obj)
        if not types & _ARTICLE_TYPES:
            continue
        rank = 1 if "webpage" in types else 0
        if "articleBody" in obj or "headline" in obj:
            rank -= 0.5
        if rank < best_rank:
            best, best_rank = obj, rank
    return best


def _names(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        name = value.get("name")
        return _names(name) if name else []
    if isinstance(value, list):
        out: list[str] = []
        for v in value:
            out.extend(_names(v))
        return out
    return []


_TITLE_SEPARATORS = re.compile(r"\s+[|–—\-·:»]\s+")
_TITLE_PARTS = re.compile(r"\s+[|–—\-·:»/]\s+|\s*[|–—]\s*|(?<=\w)-(?=[A-Z])")  # also "Headline-Section-Site"


def _squash(text: str) -> str:
    """Letters and digits only, lower case: for comparing titles across quote styles."""
    return re.sub(r"\W+", "", text).lower()


def _strip_site_tail(title: str, site: str | None, domain: str | None = None) -> str:
    """"Headline | Section | Site" -> "Headline"; also "Site: Headline"."""
    title = collapse_spaces(title)
    parts = _TITLE_SEPARATORS.split(title)
    if len(parts) < 2:
        return title
    names = {_squash(n) for n in (site, (domain or "").split(".")[0]) if n and _squash(n)}
    last, first = _squash(parts[-1]), _squash(parts[0])
    if last and any(n in last or last in n for n in names):
        return title[: title.rfind(parts[-1])].rstrip(" |–—-·:»")
    if first and first in names:
        return title[len(parts[0]):].lstrip(" |–—-·:»")
    if " | " in title:  # "Headline | Section | Site": the pipe tail is site furniture
        head = title.split(" | ")[0]
        if len(head) >= 15:
            return head
    tail = parts[-1]
    if len(tail) <= 25 and len(tail.split()) <= 2 and len(parts[0].split()) >= 4 and \
            re.search(r"\s[-–—|]\s+" + re.escape(tail) + "$", title):
        return title[: title.rfind(tail)].rstrip(" |–—-·:»")  # "Headline - Sitename"
    return title


def _domain(url: str | None) -> str | None:
    if not url:
        return None
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:  # not a URL: a broken IPv6 host ("http://[::1/"), a bad port
        return None
    host = host.removeprefix("www.")
    return host or None


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


# ---------------------------------------------------------------------------
# the cleaner


@dataclass
class _Scan:
    """What one pass over the parsed tree collects."""

    metas: dict[str, str] = field(default_factory=dict)
    canonical: str | None = None
    ld_scripts: list[Tag] = field(default_factory=list)
    title: str = ""
    h1: list[str] = field(default_factory=list)
    headings: list[str] = field(default_factory=list)         # h2/h3 and headline-classed text, in order
    times: list[Tag] = field(default_factory=list)
    published: list[Tag] = field(default_factory=list)         # <time pubdate>, itemprop=datePublished elements
    captions: list[Tag] = field(default_factory=list)
    figures: list[Tag] = field(default_factory=list)
    drop: list[Tag] = field(default_factory=list)              # removed outright
    soft: list[tuple[Tag, int]] = field(default_factory=list)  # boilerplate unless it holds the prose
    content: list[Tag] = field(default_factory=list)           # marked as the article body
    mains: list[Tag] = field(default_factory=list)             # <main> elements
    forms: list[Tag] = field(default_factory=list)             # <form> elements
    bodies: int = 0                                            # <body> elements: more than one, pages pasted together
    bylines: list[tuple[int, Tag]] = field(default_factory=list)  # (rank, element), lower rank = surer
    author_metas: dict[str, list[str]] = field(default_factory=dict)  # every value of each author meta tag


_AUTHOR_NAME_CLASS = re.compile(r"author[-_]?name|byline[-_]?name|byline__author|contributor[-_]?name|"
                                r"author__name|byline-author|author-link", re.I)
_AUTHOR_MARK = re.compile(r"(?:^|\s)(?:author|creator)(?=\s|$)", re.I)  # rel="author external", itemprop="creator"
# "writerName", not "typewriter"; "author" in German, French, Italian ("content-left-autor", "auteur"), not
# "autorelated" nor "bildautor" (a picture's)
_WRITER_CLASS = _CaseBlind(r"(?<![a-z])(?:writer|(?:autor|auteur|autore)(?![a-z]))")
_AUTHOR_CLASS = _CaseBlind(r"author|(?<![a-z])writer")  # a class naming the author, not only "byline"
# a byline of something else: a photo's credit ("imageByline"), another story's ("teaser__authors")
_OTHER_BYLINES = r"image|photo|foto|picture|teaser|related"
_OTHER_BYLINE_CLASS = re.compile(_OTHER_BYLINES, re.I)
# ... or a list's of other stories ("kontextliste-autor": "Pressemitteilung von Katja Kipping" under each)
_LISTED_BYLINE_CLASS = _CaseBlind(_OTHER_BYLINES + "|list")


MAX_TITLE_BLOCKS = 400  # text blocks from the top of the page looked at as headline candidates
MAX_HEADINGS = 40  # h2/h3 and headline-classed elements looked at as headline candidates
_HEADLINE_CLASS = _CaseBlind(r"headline|title")
_NOT_HEADLINE_CLASS = _CaseBlind(r"sub-?title|subhead|section|widget|related|teaser|card|promo|nav|menu|list")


_NO_FACTS = (False, False, 0)
_MARKUP_LEFT = re.compile(r"-->|<!--|</?[a-zA-Z][^<>]*>")  # pieces of markup in a text: a broken page


def _scan(tags: list[Tag]) -> _Scan:
    """What the page's tags (all of them, in document order) say, in one pass."""
    scan = _Scan()
    metas = scan.metas
    for tag in tags:
        name = tag.name
        if name == "meta":
            key = (tag.get("property") or tag.get("name") or tag.get("itemprop") or tag.get("http-equiv") or "")
            if tag.get("itemprop") and tag.get("itemprop") != key:  # <meta itemprop="datePublished" name="pdate">
                key = f"{key} {tag.get('itemprop')}"
            content = tag.get("content")
            if isinstance(key, str) and key and isinstance(content, str) and content.strip():
                for one in key.lower().split():  # property="dc:creator twitter:site_name": two keys
                    metas.setdefault(one, unescape(content.strip()))
                    if one in _AUTHOR_META and (one not in scan.author_metas or not tag.get("itemprop")):
                        # one <meta name="citation_author"> per author; not a listed story's microdata
                        scan.author_metas.setdefault(one, []).append(unescape(content.strip()))
            continue
        if name == "link":
            rel = (tag.get("rel") or "").lower().split()
            href = tag.get("href")
            if "canonical" in rel and isinstance(href, str) and href.strip() and scan.canonical is None:
                scan.canonical = href.strip()
            continue
        if name == "script":
            if (tag.get("type") or "").strip().lower() == "application/ld+json":
                scan.ld_scripts.append(tag)
            scan.drop.append(tag)
            continue
        if name == "title":
            if not scan.title:
                text = tag.get_text(" ").strip()
                scan.title = "" if _MARKUP_LEFT.search(text) else text  # "BBC SPORTi library-->": broken
            scan.drop.append(tag)
            continue
        if name == "h1":
            scan.h1.append(collapse_spaces(tag.get_text(" ")))
        elif name in ("h2", "h3") and len(scan.headings) < MAX_HEADINGS:
            scan.headings.append(collapse_spaces(tag.get_text(" ")))
        elif name == "time":
            scan.times.append(tag)
            if tag.get("itemprop") == "datePublished" or tag.has_attr("pubdate"):
                scan.published.append(tag)
        elif name == "figcaption":
            scan.captions.append(tag)
            continue
        elif name == "figure":
            scan.figures.append(tag)
        elif name == "main":
            scan.mains.append(tag)
        elif name == "form":
            scan.forms.append(tag)
        elif name == "body":
            scan.bodies += 1
        if name in _DROP_TAGS:
            if name not in _CONTROL_TAGS or not _holds_page(tag):
                scan.drop.append(tag)
            continue
        if name in _SECTION_BOILERPLATE_TAGS:
            scan.soft.append((tag, 1))
            continue
        attrs = tag.attrs
        if not attrs:  # most tags: nothing more to learn
            continue
        itemprop, rel = attrs.get("itemprop"), attrs.get("rel")
        if (itemprop and _AUTHOR_MARK.search(itemprop)) or (rel and _AUTHOR_MARK.search(rel)):
            scan.bylines.append((0, tag))
        elif itemprop == "datePublished" and name != "time":  # <span itemprop content="2019-...">
            scan.published.append(tag)
        tokens = _tokens(attrs)
        headline_class, content, strength = _token_facts(tokens) if tokens else _NO_FACTS
        if headline_class and len(scan.headings) < MAX_HEADINGS:
            text = tag.get_text(" ")
            if len(text) < 400:
                scan.headings.append(" ".join(text.split()))
        if content or itemprop == "articleBody":
            scan.content.append(tag)
            continue
        if name in ("html", "body", "main", "article"):
            continue
        if _hidden(attrs):
            strength = 4  # strong, and its text is not what a reader sees (see _extract_body)
        elif name == "a" and strength and tag.parent is not None and tag.parent.name == "p":
            continue  # a link in a paragraph ("popup", "tooltip" opens on it) is words of the sentence
        if strength:
            low = tokens.lower()
            if "caption" in low and not re.search(r"credit|copyright|closed-?caption", low):
                scan.captions.append(tag)
                continue
            if ("byline" in low or "author" in low) and not _OTHER_BYLINE_CLASS.search(low):
                scan.bylines.append((1 if _AUTHOR_NAME_CLASS.search(low) else 2, tag))
            scan.soft.append((tag, strength))
        elif tokens and _WRITER_CLASS.search(tokens) and not _LISTED_BYLINE_CLASS.search(tokens):
            scan.bylines.append((2, tag))
    scan.soft.extend((form, 2) for form in scan.forms if _entry_form(form))
    if scan.mains and scan.soft:  # a wrapper around the page's <main> is not furniture ("dialog-off-canvas")
        around: set[int] = set()
        for main in scan.mains[:3]:
            node = main.parent
            for _ in range(MAX_CHAIN):
                if node is None:
                    break
                around.add(id(node))
                node = node.parent
        scan.soft = [(t, s) for t, s in scan.soft if id(t) not in around]
    return scan


_ENTRY_TYPES = frozenset({"text", "email", "search", "tel", "password", "number", "url"})
FORM_COMMAS = 10  # commas that make a form's text prose (Readability keeps such a node whatever it holds)


def _entry_form(form: Tag) -> bool:
    """A form a reader fills in (a newsletter sign-up, a comment box, a search): a field to type into, more
    controls than a third of its paragraphs, and not ten commas of prose (Readability's test for forms). Its
    prompts ("Enter your email address:", "Your name: *") are furniture; a page wrapped whole in one form
    (ASP.NET) holds the prose and is spared as any strong mark is."""
    controls = paragraphs = commas = 0
    entry = False
    for node in form.descendants:  # one walk, left at the tenth comma (a page-wide form: most of the page)
        if type(node) is NavigableString:
            commas += node.count(",")
            if commas >= FORM_COMMAS:
                return False
        elif isinstance(node, Tag):
            name = node.name
            if name == "p":
                paragraphs += 1
            elif name in ("input", "textarea", "select"):
                controls += 1
                entry = entry or name != "input" or (node.get("type") or "text").strip().lower() in _ENTRY_TYPES
    return entry and controls > paragraphs // 3


_PUBLISHED_META = ("article:published_time", "og:article:published_time", "datepublished",
                   "article.published", "publish-date", "publishdate", "publish_date", "pubdate",
                   "date", "dc.date.issued", "dc.date", "dcterms.created", "dcterms.date",
                   "sailthru.date", "parsely-pub-date", "date.available", "og:published_time")


def _clean_soup(soup: BeautifulSoup, tags: list[Tag], url: str | None, html: str) -> CleanedArticle:
    scan = _scan(tags)
    metas = scan.metas
    ld_objects = _json_ld_objects(scan.ld_scripts)
    ld = _pick_article_ld(ld_objects) or {}

    page_url = _page_url(scan, ld, url)
    publication = _publication(metas, ld, page_url)
    author = _without_editors(_author(scan, ld, ld_objects, publication, _domain(page_url)), scan)
    declared_date, generic_date = _declared_date(scan, ld)

    for tag in scan.drop:
        tag.extract()
    # captions stay in the tree (as boilerplate) until the article container is known
    # a page pasted after another's </html> gives lxml a <body> for each: a browser shows them as one
    root = soup.body if scan.bodies == 1 else soup
    soft = _without_inline_wrappers(scan.soft + [(c, 3) for c in scan.captions])
    blocks = [b for b in _blocks(root, frozenset(id(t) for t, _ in soft)) if not _leaked_code(b)]
    headline, rank = _headline(scan, ld, publication, _domain(page_url), blocks)
    body, container, byline, date_line, start = _extract_body(root, blocks, soft, scan.content, headline)
    if len(body) < SHORT_BODY:  # no prose found: a page of tables, lists or short lines
        relaxed = _extract_body(root, blocks, soft, scan.content, headline, relaxed=True)
        if len(relaxed[0]) > len(body):
            body, container, start = relaxed[0], relaxed[1], relaxed[4]
    if len(body) < SHORT_BODY:  # still nothing: the page's prose may all be under weak marks set wrong
        unmarked = _extract_body(root, blocks, soft, scan.content, headline, weak_chunks=True)
        if len(unmarked[0]) >= SHORT_BODY:
            body, container, start = unmarked[0], unmarked[1], unmarked[4]
    story = None  # what was found of a story, when the body is the page's own text instead
    if not body:  # nothing at all: no story on the page, its own text is what it holds
        whole = _page_text(blocks, soft)
        if len(whole) >= SHORT_BODY:
            story, body, container, start = body, whole, None, None
    if _only_notice(body):  # a site's copyright line, and nothing of a story: no story found
        body = ""
    listing = _listing_body(blocks, soft, container, body, headline)
    if listing is not None:  # a page without a story: its main area's lists and tables whole
        body = listing
    if rank == _SECTION:
        rank = _SURE if container is None or any(collapse_spaces(h.get_text(" ")) == headline
                                                 for h in container.find_all("h1", limit=3)) else _FALLBACK
    if rank in (_MOST_OF_TITLE, _FALLBACK):  # no declared headline: the heading over the article
        over = _heading_over_body(blocks, start, headline if rank == _MOST_OF_TITLE else None, scan.title)
        if over is None and not headline:  # nothing names one: the line standing over the article
            over = _line_over_body(blocks, start)
        if over:
            headline = over
            paragraphs = body.split("\n\n")
            if over in paragraphs[:MAX_LEAD_LINES + 1]:  # it was taken for one of the body's first lines
                paragraphs.remove(over)
                body = "\n\n".join(paragraphs)
    declared_body = _declared_body(ld)
    if declared_body and len(body) < 0.5 * len(declared_body):
        body = declared_body  # the page's markup hides the text (script-rendered), JSON-LD has it whole
    if byline and not author:  # a plain-text "By A and B on Monday, ..." line
        author = normalise_byline([byline], publication, _domain(page_url), from_text=True)
    if not author:  # "Jim Litke is a national sports columnist for The Associated Press." under the story
        author = _signature_author(body, publication, _domain(page_url))
    if not author:  # window.__STATE__ = {"article": {"author": {"name": "Jane Roe"}}}
        author = _script_author(html, publication, _domain(page_url))
    lang = ((soup.html.get("lang") if soup.html else None) or scan.metas.get("og:locale")
            or scan.metas.get("content-language") or "")
    language = lang.lower().replace("_", "-")
    dayfirst = language not in ("", "en", "en-us")
    date = _page_date(declared_date, scan, ld, (page_url, url), html, (byline, date_line),
                      has_prose=_has_prose(body if story is None else story),  # a list's items have dates
                      dayfirst=dayfirst, generic=generic_date, european=language.split("-")[0] in _EUROPE_LANGUAGES)
    captions = _captions(scan, container)
    if len(body) < SHORT_BODY and listing is None and _captions_tell_the_story(captions, body):
        body, captions = "\n\n".join(([body] if body else []) + captions), []  # a gallery's captions are its story
    return CleanedArticle(headline=headline, body=body, captions=captions, publication=publication,
                       author=author, date=date, url=page_url)


GALLERY_CAPTIONS = 3  # captions of prose that make a gallery whose captions are the story ...
CAPTION_PROSE = 60    # ... each a sentence of this many characters or more


NOTICE_COMPANY = 80  # characters of a line beside a lone copyright notice that would be a story's sentence


def _only_notice(body: str) -> bool:
    """A short body that is the page's copyright notice and lines shorter than a story's sentence (a
    spam or shop page whose footer was all the text found): no story, not an article's text."""
    if not body or len(body) >= SHORT_BODY:
        return False
    paragraphs = body.split("\n\n")
    return any(len(p) <= MAX_NOTICE and _NOTICE.match(p) for p in paragraphs) \
        and all(len(p) < NOTICE_COMPANY or _NOTICE.match(p) for p in paragraphs)


def _captions_tell_the_story(captions: list[str], body: str) -> bool:
    """A gallery whose captions are its story (a slideshow under a one-line intro, or no text but the captions):
    GALLERY_CAPTIONS or more captions that are sentences, twice the short body's text together."""
    prose = [c for c in captions if len(c) >= CAPTION_PROSE and _END_PUNCT.search(c)]
    return len(prose) >= GALLERY_CAPTIONS and sum(map(len, prose)) >= 2 * max(len(body), SHORT_BODY)


def _declared_body(ld: dict) -> str | None:
    """JSON-LD articleBody as paragraphs, when it is there in full (not a teaser cut
    with "…"); some sites put HTML in it."""
    raw = ld.get("articleBody")
    if not isinstance(raw, str) or len(raw) < 500:
        return None
    text = re.sub(r"(?i)<br\s*/?>|</p\s*>|</h\d\s*>|</li\s*>", "\n", raw)
    text = unescape(re.sub(r"<[^>]{0,2000}>", " ", text))
    if text.rstrip().endswith(("…", "...")):
        return None
    paragraphs = [collapse_spaces(line) for line in text.split("\n")]
    return "\n\n".join(p for p in paragraphs if p) or None


def _text_value(value: object) -> str | None:
    if isinstance(value, list) and value:
        value = value[0]
    if isinstance(value, str) and value.strip():
        return collapse_spaces(unescape(value))
    return None


def _page_url(scan: _Scan, ld: dict, url: str | None) -> str | None:
    page_url = scan.canonical or scan.metas.get("og:url") or _text_value(ld.get("url")) or url
    try:
        if page_url and url and not urlsplit(page_url).scheme:
            page_url = urljoin(url, page_url)
    except ValueError:  # a broken IPv6 host: the page's own address, if any
        return url
    return page_url


def _publication(metas: dict[str, str], ld: dict, page_url: str | None) -> str | None:
    candidates = [metas.get("og:site_name"), *_names(ld.get("publisher")), metas.get("application-name")]
    for candidate in candidates:
        name = _text_value(candidate)
        if not name:
            continue
        if re.match(r"https?://|www\.", name):
            return _domain(name if "//" in name else "http://" + name)
        # "The Jerusalem Post | JPost.com", "LinkNaija | Nigeria's popular news platform"
        name = re.split(r"\s+[|–—]\s+|\s+-\s+", name)[0].strip()
        if name:
            return name
    return None


_SURE, _MOST_OF_TITLE, _DECLARED, _FALLBACK, _SECTION = 0, 1, 2, 3, 4  # how a headline was found: see _headline


def _headline(scan: _Scan, ld: dict, publication: str | None, domain: str | None,
              blocks: list[_Block]) -> tuple[str, int]:
    """The headline a reader sees, and how sure: the visible <h1> (or heading) that agrees
    with the declared headline (JSON-LD, og:title), or the page's <h1> in its <title> (_SURE);
    the longest visible heading that is most of the page's declared title (_MOST_OF_TITLE);
    else the declared one (_DECLARED), else the <h1>, else the <title>, without the site's
    name (_FALLBACK). A three-word <h1> that is one part of the title on a page that declares
    nothing (_SECTION) is the headline only if it is inside the article's markup."""
    raw_declared = [t for t in (_text_value(ld.get("headline")), _text_value(scan.metas.get("og:title")),
                                _text_value(scan.metas.get("twitter:title")), _text_value(ld.get("name")))
                    if t]
    declared = [_strip_site_tail(t, publication, domain) for t in raw_declared]
    title = _strip_site_tail(collapse_spaces(unescape(scan.title)), publication, domain)
    h1s = [h for h in scan.h1[:3] if h]
    visible = h1s + [h for h in scan.headings if h]
    for text in visible:
        if any(_squash(text) == _squash(t) for t in declared):
            return text, _SURE
    for text in declared:
        if text.endswith(("...", "…")):  # JSON-LD headlines get cut at 110 characters
            stem = _squash(text)
            for longer in (*declared, *h1s):
                if _squash(longer).startswith(stem) and len(_squash(longer)) > len(stem):
                    return longer, _SURE
    # "Headline - Section - Site" that the tail rules cannot cut: the visible heading it holds
    wholes = [_squash(t) for t in (*raw_declared, " ".join(unescape(scan.title).split())) if t]
    names = [n for n in (_squash(publication or ""), _squash((domain or "").split(".")[0])) if len(n) >= 3]
    for h1 in h1s:  # the page's own <h1> inside its title ("About us - Site"): the headline
        key = _squash(h1)
        if len(key) >= 6 and not any(n in key for n in names) and any(key in whole for whole in wholes):
            # on a page that declares nothing, an <h1> of one or two words may be the section's
            # name ("cbs4denver.com - Sports Wire"): a fallback, the heading over the article wins
            if not raw_declared and len(h1.split()) == 3 \
                    and key in {_squash(part) for part in _TITLE_PARTS.split(unescape(scan.title))}:
                return h1, _SECTION  # "wjz.com - Local Sports Wire": a section's name, unless it heads the article
            return h1, (_SURE if raw_declared or len(h1.split()) > 2 else _FALLBACK)
    headings = [h for h in scan.headings if h]
    texts = [b.text for b in blocks[:MAX_TITLE_BLOCKS] if 10 <= len(b.text) <= 300]
    for candidates in (headings, texts):
        best, best_len = "", 0
        for text in candidates:
            key = _squash(text)
            if len(key) >= 12 and len(text.split()) >= 3 and len(key) > best_len \
                    and not any(n in key for n in names) \
                    and any(key in whole and len(key) >= 0.4 * len(whole) for whole in wholes):
                best, best_len = text, len(key)
        if best:
            return best, _MOST_OF_TITLE
    # "Site - Local News - Headline", "Headline-Section-Site": a visible line that is one part of the title
    parts = {_squash(part) for whole in (*raw_declared, unescape(scan.title))
             for part in _TITLE_PARTS.split(whole)}
    best = max((t for t in texts if len(t.split()) >= 3 and len(_squash(t)) >= 12 and _squash(t) in parts
                and not any(n in _squash(t) for n in names)), key=len, default="")
    if best:
        return best, _MOST_OF_TITLE
    if declared:
        return declared[0], _DECLARED
    for h1 in h1s:  # a logo in <h1> is not in the page title; a headline is
        if not title or _squash(h1) in _squash(scan.title):
            return h1, _FALLBACK
    return title or (h1s[0] if h1s else ""), _FALLBACK


_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4"})
_EMPHASIS_TAGS = frozenset({"b", "strong", "font", "big"})
_HEADING_CLASS = re.compile(r"head|title", re.I)
MAX_HEADING_GAP = 6  # blocks between a headline and the article's first paragraph, at most


def _heading_over_body(blocks: list[_Block], start: int | None, found: str | None, title: str) -> str | None:
    """The headline over the article (pages whose <title> is the site's name, 2008-style
    markup): the nearest short line before the body's first paragraph (or that
    paragraph itself, or one just after the date and byline lines that open the body)
    set as a heading: an <h1>-<h4>, a heading class, or bold text alone on its line.
    Against a line `found` that is part of the page's title, only one that is part of
    the title too, unless `found` is the whole title and not near the article (a
    masthead with the site's name); a `found` far from the article also loses to a heading
    right over the story ("The Hindu News Update Service": "News Update Service" in the
    masthead)."""
    if start is None:
        return None
    first = _gap_start(blocks, start)
    far = start - MAX_HEADING_GAP  # beyond this, past share links and bylines: a sentence-long heading only
    for _ in range(MAX_LEAD_LINES):  # "Thursday, January 10, 2008" opens the body, the headline under it
        if start + 1 >= len(blocks) or not _lead_line(blocks[start].text):
            break
        start += 1
    near = blocks[first:start + 1]
    whole = _squash(unescape(title))
    if found is None or (_squash(found) == whole and not any(b.text == found for b in blocks[max(0, far):start + 1])):
        whole = None
    if whole is not None and not any(b.text == found for b in blocks[first:start + MAX_LEAD_LINES + 2]):
        right_over = _heading_right_over(blocks, first, start)  # `found` far up (a masthead): this outranks it
        if right_over:
            return right_over
    chosen = None
    for index, block in zip(range(start, first - 1, -1), reversed(near)):
        text = block.text
        if not 10 <= len(text) <= 250 or len(text.split()) < (4 if index < far else 2) or _JUNK_LINE.match(text) \
                or _is_text_byline(text) or (text.endswith(".") and not text.endswith("...")) \
                or _WRITTEN_DATE.search(text) or _only_date(text):
            continue
        if not _looks_like_heading(block):
            continue
        if block.link_chars > 0.5 * len(text) and block.tag not in _HEADING_TAGS:
            continue
        if chosen is None:
            if whole is not None and _squash(text) not in whole:
                return None
            chosen = text
            if block.tag == "h1":
                break
            continue
        # a lower heading nearest the story may be its standfirst under the headline
        # (<h1>Headline</h1><h2 class="dek">...</h2>): the <h1> over it that the <title> words back wins
        # (not a site's section named in the <title>, "wjz.com - Local Sports Wire")
        if block.tag == "h1" and (whole is None or _squash(text) in whole) and len(text.split()) >= 4 \
                and _squash(text) not in {_squash(part) for part in _TITLE_PARTS.split(unescape(title))} \
                and _title_overlap(text, title) >= 0.5 > _title_overlap(chosen, title):
            return text
    return chosen


def _title_overlap(text: str, title: str) -> float:
    """The share of a line's words that the page's <title> holds."""
    words = _words(text)
    return len(words & _words(unescape(title))) / len(words) if words else 0.0


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", unicodedata.normalize("NFKC", text).casefold()))


MAX_LEAD_LINES = 2  # date and byline lines that may open the body above its headline


def _heading_right_over(blocks: list[_Block], first: int, start: int) -> str | None:
    """A heading of four words or more on the line right over the story's first line (past
    date, byline and link lines), or that first line itself (the heading in the story's table cell):
    `<font class=storyhead><b>Headline</b></font>`."""
    close = start if _looks_like_heading(blocks[start]) else start - 1
    while close > first and (_lead_line(blocks[close].text)
                             or blocks[close].link_chars > 0.5 * len(blocks[close].text)):
        close -= 1
    if close < first:
        return None
    text = blocks[close].text
    if _looks_like_heading(blocks[close]) and 10 <= len(text) <= 250 and len(text.split()) >= 4 \
            and not _lead_line(text) and not text.endswith((".", ":")) and not _JUNK_LINE.match(text):
        return text
    return None


def _lead_line(text: str) -> bool:
    """A date or byline line that opens a story, above or below its headline."""
    return len(text) < 100 and (_only_date(text) or bool(_WRITTEN_DATE.search(text)) or _is_text_byline(text))


_DATE_WORD = re.compile(
    r"\b(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun|monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|february|march|april|june|july|august|"
    r"september|october|november|december|\d+(?:st|nd|rd|th)?|[ap]\.?m|gmt|utc|bst|cet|cest|[ecmp][sd]t|"
    r"updated|published|posted|last|on|at|of)\b", re.I)


def _only_date(text: str) -> bool:
    """A line that is nothing but a date ("Tuesday 8th January 2008", "Thursday, 10, January,
    2008, 09:14"): a stamp, never a headline."""
    return any(c.isdigit() for c in text) and not re.sub(r"[\W_]+", "", _DATE_WORD.sub("", text))


def _line_over_body(blocks: list[_Block], start: int | None) -> str | None:
    """On a page where nothing names a headline (no <title>, heading or declared one): the
    line of text just over the article's first block, past link lines, bylines, date lines
    and a standfirst (a sentence over the story's markup), when it reads as a headline
    (three words or more, no full stop)."""
    if not start:
        return None
    for block in reversed(blocks[_gap_start(blocks, start):start]):
        text = block.text
        if len(text) < 10 or block.link_chars or block.tag == "a" or _is_text_byline(text) or _only_date(text) \
                or _WRITTEN_DATE.search(text) and len(text) < 100 or len(text) >= 80 and _END_PUNCT.search(text):
            continue
        if len(text) > 250 or len(text.split()) < 3 or _JUNK_LINE.match(text) or text.endswith((".", ":", ",")):
            return None
        return text
    return None


def _gap_start(blocks: list[_Block], start: int) -> int:
    """The first block MAX_HEADING_GAP lines of text before `start`; share and print links,
    vote counts and bylines between a headline and its story do not count as lines."""
    index, lines = start, 0
    while index > 0 and lines < MAX_HEADING_GAP and start - index < 4 * MAX_HEADING_GAP:
        index -= 1
        block = blocks[index]
        n = len(block.text)
        if n >= 10 and block.link_chars <= 0.5 * n and not _is_text_byline(block.text):
            lines += 1
    return index


def _looks_like_heading(block: _Block) -> bool:
    """An <h1>-<h4>, an element with a heading class, or bold/large text that is the whole
    block; or an inline element with a heading class between line breaks that holds all of
    the block's text (`<br><span class="story_title">...</span><br>`)."""
    if block.tag in _HEADING_TAGS:
        return True
    node: Tag = block.element
    for _ in range(3):  # the block's element, then the one inline element that holds all its text
        if _heading_class(node) or (node is not block.element and node.name in _EMPHASIS_TAGS):
            return True
        inner = [c for c in node.contents if not (isinstance(c, NavigableString) and not c.strip())]
        if len(inner) != 1 or not isinstance(inner[0], Tag):
            break
        node = inner[0]
    key = _squash(block.text)
    return any(_heading_class(tag) and _squash(tag.get_text()) == key
               for tag in block.element.find_all(_INLINE_TAGS, limit=MAX_HEADINGS))


_INLINE_TAGS = frozenset({"span", "font", "b", "strong", "big"})


def _heading_class(node: Tag) -> bool:
    tokens = _attr_tokens(node)
    return bool(tokens) and bool(_HEADING_CLASS.search(tokens)) and not _NOT_HEADLINE_CLASS.search(tokens)

# Readability's order first (it reads a name's "." as ":": "DC.creator", "dcterm.creator")
_AUTHOR_META = ("dc:creator", "dcterm:creator", "author", "article:author", "byl", "sailthru.author",
                "parsely-author", "dc.creator", "dcterm.creator", "dcterms.creator", "citation_author")


MAX_BYLINE_CHARS = 200  # a byline element's text; a longer one is a box about the author, or a notice


def _author(scan: _Scan, ld: dict, ld_objects: list[dict], publication: str | None, domain: str | None) -> str | None:
    """The people who wrote the story: JSON-LD's authors (not an Organization: the
    publication or an agency; an author given as a reference, {"@id": ...}, is the object
    of the page's JSON-LD with that @id, unless the byline and an author meta tag agree on
    someone else), else an author meta tag, else the first byline
    element of the surest kind, with the bylines beside it ("By <a>A</a> and <a>B</a>"),
    not those of other stories listed on the page, a photo's or a comment's; last, a JSON-LD
    Person named like the site."""
    declared = ld.get("author") if isinstance(ld.get("author"), list) else [ld.get("author")]
    typed = [a for a in declared if isinstance(a, dict) and "person" in _types(a)]
    untyped = [a for a in declared if not (isinstance(a, dict) and _types(a))]
    by_reference = any(isinstance(a, dict) and "name" not in a and isinstance(a.get("@id"), str) for a in untyped)
    if by_reference:
        # a site's account ("#/schema/person/...") may be named like the site: not kept as a Person
        by_id = {o["@id"]: o for o in ld_objects if isinstance(o.get("@id"), str) and "name" in o}
        untyped = [by_id.get(a["@id"], a) if isinstance(a, dict) and "name" not in a and isinstance(a.get("@id"), str)
                   else a for a in untyped]
        untyped = [a for a in untyped if not (isinstance(a, dict) and _types(a) and "person" not in _types(a))]
    # a Person named like the site is its account ("UOL" on uol.com.br, beside a byline "Daniel Leite"),
    # or the person a personal blog is named after ("Haki Benita"): that one is taken only when nothing
    # else names anyone, never a one-word name ("LinkNaija": the site's account) nor one that opens with
    # an article ("Les Echos", "Le Figaro": the publication itself)
    author = normalise_byline([unescape(n) for n in _names(typed + untyped)], publication, domain)
    if author and by_reference:
        # the referenced Person is the CMS account that posted the story; where the byline on the page
        # names someone else whom an author meta tag names too ("By David Jeans" in both), that one wrote it
        declared = {n.casefold() for values in scan.author_metas.values()
                    for n in split_authors(normalise_byline(values, publication, domain))}
        agreed = [n for n in split_authors(_byline_author(scan, publication, domain)) if n.casefold() in declared]
        if agreed and not {n.casefold() for n in agreed} & {n.casefold() for n in split_authors(author)}:
            return ", ".join(agreed)
    if author:
        return author
    named_like_site = normalise_byline([n for n in (unescape(n) for n in _names(typed)) if len(n.split()) > 1])
    return _author_on_page(scan, publication, domain) or ", ".join(
        n for n in split_authors(named_like_site) if not opens_with_article(n)) or None


def _without_editors(author: str | None, scan: _Scan) -> str | None:
    """The authors without the people a byline line credits as the story's editors ("责任编辑：孔德明"
    under the story, the same name in the author meta tag)."""
    if not author:
        return author
    editors = {name.casefold() for _, tag in scan.bylines for name in edited_by(tag.get_text(" "))}
    return ", ".join(n for n in split_authors(author) if n.casefold() not in editors) or None if editors else author


def _author_on_page(scan: _Scan, publication: str | None, domain: str | None) -> str | None:
    """An author meta tag, else the first byline element of the surest kind with the bylines beside it."""
    return _meta_author(scan, publication, domain) or _byline_author(scan, publication, domain)


def _meta_author(scan: _Scan, publication: str | None, domain: str | None) -> str | None:
    """The people the first author meta tag (in `_AUTHOR_META`'s order) that names anyone names."""
    for key in _AUTHOR_META:
        values = [v for v in scan.author_metas.get(key, ()) if not v.startswith("http")]
        if values:
            author = normalise_byline(values, publication, domain)
            if author:
                return author
    return None


def _byline_author(scan: _Scan, publication: str | None, domain: str | None) -> str | None:
    """The first byline element of the surest kind that names anyone, with the bylines beside it."""
    for rank in (0, 1, 2):
        texts = []
        for r, tag in scan.bylines:
            if r != rank or _inside_comments(tag):
                continue
            name_el = tag.find(attrs={"itemprop": "name"}) if rank == 0 else None
            if name_el is not None and name_el.name == "meta":  # <meta itemprop="name" content="Jane Roe">
                texts.append((name_el.get("content") or "", tag))
                continue
            text = (name_el or tag).get_text(" ")
            if len(text) <= MAX_BYLINE_CHARS:  # not an about-the-author box or a copyright notice
                texts.append((text, tag))
        first = None
        for text, tag in texts:
            marked = bool(_AUTHOR_CLASS.search(_attr_tokens(tag)))
            if normalise_byline([text], publication, domain, from_text=True, handle=rank == 0, marked=marked):
                first = tag
                break
            if credits_no_person(text):
                return None  # the story credits a desk or an agency: later bylines are other stories'
        if first is None:
            continue
        near = _byline_list(first, [tag for _, tag in texts]) or first.parent or first
        beside = [(text, tag) for text, tag in texts if _is_inside(tag, near)]
        # at most four bylines, counted as the outermost elements: a byline's own name link
        # (<span itemprop="author"><a rel="author">) is the same byline, not a second one
        ids = {id(tag) for _, tag in beside}
        owners = [_outermost(tag, ids, near) for _, tag in beside]
        kept = set(list(dict.fromkeys(id(o) for o in owners))[:4])
        return normalise_byline([text for (text, _), o in zip(beside, owners) if id(o) in kept],
                                publication, domain, from_text=True, handle=rank == 0, marked=marked)
    return None


MAX_BYLINE_LIST = 6  # list items of a list of authors; more is a list of stories


def _byline_list(first: Tag, bylines: list[Tag]) -> Tag | None:
    """The list (`<ul>`/`<ol>`) whose every item holds a byline of the first byline's kind,
    when the first byline sits in one of its items: a list of a story's authors
    (`<ul class="authors"><li>By Jane Roe</li><li>John Doe</li></ul>`), where only the
    first item says "By"."""
    item = first.parent
    if item is None or item.name != "li" or item.parent is None or item.parent.name not in ("ul", "ol"):
        return None
    items = [li for li in item.parent.find_all("li", recursive=False)]
    if not 2 <= len(items) <= MAX_BYLINE_LIST:
        return None
    if all(any(_is_inside(tag, li) for tag in bylines) for li in items):
        return item.parent
    return None


def _outermost(tag: Tag, bylines: set[int], near: Tag) -> Tag:
    """The outermost of the byline elements (ids) that hold the tag, below `near`."""
    owner, node = tag, tag.parent
    while node is not None and node is not near:
        if id(node) in bylines:
            owner = node
        node = node.parent
    return owner


# "comments", "comment-author", "commentlist", "js_comments", "respond"; not "contributor-and-comments"
# (a byline with the comment count) nor "commentary" (an opinion piece)
_COMMENTS_CLASS = re.compile(r"(?:^|\s)(?:[a-z]+[-_])?comments?(?:list)?(?:[-_][\w-]*)?(?=\s|$)|respond", re.I)


def _inside_comments(tag: Tag) -> bool:
    node = tag
    for _ in range(30):
        if node is None:
            return False
        if isinstance(node, Tag) and _COMMENTS_CLASS.search(_attr_tokens(node)):
            return True
        node = node.parent
    return False


# languages spoken (almost) only in Europe's UTC+1 / UTC+2 zones
_EUROPE_LANGUAGES = frozenset({"de", "fr", "it", "nl", "pl", "cs", "sk", "hu", "sl", "hr", "sr", "bs", "da", "sv",
                               "no", "nb", "nn", "fi", "et", "lv", "lt", "ro", "bg", "el", "uk", "lb", "sq", "mk"})
_GENERIC_DATE_META = frozenset({"date", "dc.date", "dcterms.date"})  # a page's date: often its last change


def _declared_date(scan: _Scan, ld: dict) -> tuple[datetime | None, bool]:
    """The publication date the page declares: JSON-LD, a publication meta tag, or an
    element marked pubdate / datePublished (`<time datetime>`, `<span content>`), not one
    inside `<nav>` (a menu's teasers of other articles); and whether it is only a generic
    `date` meta tag."""
    declared: list[tuple[object, bool]] = [(ld.get("datePublished"), False)]
    declared += [(scan.metas.get(key), key in _GENERIC_DATE_META) for key in _PUBLISHED_META]
    declared += [(t.get("datetime") or t.get("content"), False) for t in scan.published
                 if t.find_parent("nav") is None]  # a menu's teaser of another article (nextwarez.com)
    for value, generic in declared:
        if isinstance(value, str) and value.strip():
            date = parse_page_date(value)
            if date:
                return date, generic
        elif isinstance(value, (int, float)) and not isinstance(value, bool):  # JSON-LD's Unix time (goose3's test)
            moment = sane_date(value)
            if moment:
                return moment.replace(tzinfo=timezone.utc), generic
    return None, False


_CJK_CHAR = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")


def _has_prose(body: str) -> bool:
    """A paragraph of running text: ~20 words, 120 characters (40 in Chinese, Japanese
    or Korean, where a character is most of a word)."""
    return any(len(line) >= 120 or (len(line) >= 40 and len(_CJK_CHAR.findall(line)) >= 40)
               for line in body.split("\n"))


def _page_date(declared: datetime | None, scan: _Scan, ld: dict, urls: tuple[str | None, str | None],
               html: str, lines: tuple[str | None, str | None], has_prose: bool, *, dayfirst: bool,
               generic: bool = False, european: bool = False) -> datetime | None:
    """The publication date, surest source first, never later than now. The declared date
    (metadata) wins, except that a generic `date` meta tag (`generic`: often the last change)
    loses to an earlier date written beside the article (`lines`: a "By ..." line and a short line
    with a date, read only where they can decide: most pages declare their date). A declared UTC
    moment (`...Z`, `+00:00`) is put in a zone where its day is the day in the page's address, when one can
    (23:11 UTC on Dec 31 in a Vienna blog's /2019/01/01/ post); on a page in a language of
    Europe's zones (`european`), one of 22:00 or 23:00 sharp is the midnight that starts the
    next day there (a day stored as local midnight, "2021-11-04T23:00Z"). Then the address's
    date; then htmldate without guessing, which wins over our own weaker readings (a written
    date near the article, dateCreated, `<time>`) when they disagree, except on the order of
    day and month, and except where its day is later than a line beside the article that is
    only a date (a stamp: htmldate took the page's "today" bar or an update); our readings
    only where htmldate finds nothing. htmldate runs on a page with prose or with a date of
    ours to check (on a list of links it finds the date of some listed item). Rules chosen
    on the even halves: benchmarks/README-cleaning.md."""
    declared = _past(declared)
    url_date = next((d for d in map(_past, map(date_from_url, urls)) if d), None)
    if declared is not None:
        if generic:
            written, _ = _written_dates(*lines, dayfirst=dayfirst)
            if written and written[0].date() < declared.date():
                return written[0]
        if url_date is not None and declared.tzinfo is not None and not declared.utcoffset():
            return _on_day(declared, url_date.date())
        if european and _midnight_in_europe(declared):
            return declared.astimezone(timezone(timedelta(hours=24 - declared.hour)))
        return declared
    if url_date is not None:
        return url_date
    written, line_date = _written_dates(*lines, dayfirst=dayfirst)
    ours = next((d for d in map(_past, itertools.chain(written, _weaker_dates(scan, ld))) if d), None)
    if has_prose or ours:
        found = _htmldate(html, urls[0] or urls[1])
        if found is not None and not (ours and _swapped(found, ours)):
            stamp = line_date if line_date is not None and _DATE_STAMP.fullmatch(lines[1]) else None
            return stamp if stamp is not None and found.date() > stamp.date() else found
    return ours


def _midnight_in_europe(moment: datetime) -> bool:
    """A UTC moment that is midnight in Central or Eastern Europe (UTC+1, +2): 23:00 or 22:00 sharp."""
    return (moment.tzinfo is not None and not moment.utcoffset() and moment.hour in (22, 23)
            and moment.minute == moment.second == moment.microsecond == 0)


_EARLIEST_ZONE = timedelta(hours=14)  # the day starts 14 h before UTC in the earliest zone (Kiribati)


def _past(moment: datetime | None) -> datetime | None:
    """The moment, unless it is later than now (a day without a zone: later than today anywhere)."""
    if moment is None:
        return None
    now = datetime.now(timezone.utc)
    if moment.tzinfo is not None:
        return moment if moment <= now else None
    return moment if moment <= (now + _EARLIEST_ZONE).replace(tzinfo=None) else None


def _on_day(moment: datetime, day: date) -> datetime:
    """A UTC moment in the nearest whole-hour zone (-12 .. +14 h) that puts it on `day`
    (the day in the page's address), so its day is the site's own; the moment itself
    is unchanged. Unchanged when no zone can."""
    if day > moment.date():
        hours = math.ceil((datetime.combine(day, time(), moment.tzinfo) - moment) / timedelta(hours=1))
    elif day < moment.date():
        hours = -((moment - datetime.combine(moment.date(), time(), moment.tzinfo)) // timedelta(hours=1) + 1)
    else:
        return moment
    return moment.astimezone(timezone(timedelta(hours=hours))) if -12 <= hours <= 14 else moment


def _swapped(found: datetime, ours: datetime) -> bool:
    """htmldate read "05/10/2018" day first where the page's language (ours) reads it month first."""
    return found.date() != ours.date() and (found.year, found.month, found.day) == (ours.year, ours.day, ours.month)


def _written_dates(byline: str | None, date_line: str | None, *,
                   dayfirst: bool) -> tuple[list[datetime], datetime | None]:
    """The dates written beside the article: in its "By ... on Monday, ..." line, else in
    a short line near it ("05/10/2018 - Publicado por"); and that short line's own."""
    by = parse_page_date(re.sub(r"^.*?\b(?:on|am|publi\w*)\b", "", byline, flags=re.I)) if byline else None
    line = _written_date(date_line, dayfirst=dayfirst) if date_line else None
    return [d for d in (by, line) if d], line


def _weaker_dates(scan: _Scan, ld: dict) -> Iterator[datetime]:
    """Dates that may be the publication's, as they are needed: JSON-LD dateCreated or
    a `<time>` stamp, then a `<time>` text."""
    for value in [ld.get("dateCreated")] + [t["datetime"] for t in scan.times if t.get("datetime")]:
        if isinstance(value, str) and value.strip():
            moment = parse_page_date(value)
            if moment:
                yield moment
                break
    for tag in scan.times[:3]:
        moment = parse_page_date(tag.get_text(" ", strip=True))
        if moment:
            yield moment
            break


def _htmldate(html: str, url: str | None) -> datetime | None:
    """htmldate's publication date without its guesses (no free-text year, no
    copyright year: `extensive_search=False`); never later than today."""
    from htmldate import find_date  # (its import pulls in dateparser: only when a page needs it)

    if html.startswith("http") and " " not in html:
        html = " " + html  # htmldate downloads a text that reads as an address ("http://x<p>..."): never a page
    try:
        found = find_date(html, url=url, original_date=True, extensive_search=False)
    except (ValueError, TypeError):
        return None
    if not found:
        return None
    try:
        return datetime.strptime(found, "%Y-%m-%d")
    except ValueError:
        return None


def _captions(scan: _Scan, container: Tag | None) -> list[str]:
    """Captions near the article (not in teasers of other stories), each once; a real
    alt text stands in for a figure that has no caption."""
    scope = _article_scope(container)
    found: list[str] = []
    in_scope = [el for el in scan.captions if scope is None or _is_inside(el, scope)]
    found.extend(_innermost_captions(in_scope))
    for fig in scan.figures:
        if scope is not None and not _is_inside(fig, scope):
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
        if len(text) < 2 or _JUNK_LINE.match(text) or _CAPTION_UI.match(text):
            continue
        if text.isupper() and len(text.split()) <= 6:  # "ITV, ASSOCIATED PRESS": a credit alone
            continue
        key = _squash(text)
        if not key:
            continue
        if any(key in _squash(c) for c in captions):
            continue
        captions = [c for c in captions if _squash(c) not in key]
        captions.append(text)
    return captions


def _article_scope(container: Tag | None, up: int = 2) -> Tag | None:
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


def _is_inside(tag: Tag, ancestor: Tag) -> bool:
    node = tag
    for _ in range(MAX_CHAIN):
        if node is None:
            return False
        if node is ancestor:
            return True
        node = node.parent
    return False


_TEXT_BYLINE_START = re.compile(
    r"^(?:[Bb]y|BY|(?:[Ww]ritten|[Pp]osted|[Ww]ords|[Ss]tory|[Rr]eported|[Rr]eporting|[Tt]ext) by"
    r"|[Vv]on|Por|Par|Door|Av):?\s+[A-Z\u00c0-\u00de]")


_ABBREVIATION = re.compile(r"\b(?:Dr|Prof|Mr|Mrs|Ms|Mag|Ing|[A-Z])\.")  # "Dr. Max Kolter", "John A. Doe"


def _is_text_byline(text: str) -> bool:
    """ "By Jane Roe and John Doe on Monday, November 18th, 2019 at 11:08 a.m." - not a
    sentence such as "By Tuesday, the council had voted." """
    if len(text) >= 150 or not _TEXT_BYLINE_START.match(text) \
            or re.search(r"[!?]|\.\s+[A-Z]", _ABBREVIATION.sub("", text)):
        return False
    return not text.endswith(".") or bool(re.search(r"\b(?:[ap]\.m|Jr|Sr|Inc)\.$", text))
_END_PUNCT = re.compile(r"[.!?…\"”’)\]:。！？」』؟۔]$")  # and the full stops of Chinese, Japanese, Arabic, Urdu
_JUNK_LINE = re.compile(
    r"^(advertisement|advert|ad|story continues below|continue reading|read more|share|share this|"
    r"related|see also|sign up|subscribe|follow us|click here|image|photo|loading|"
    r"supported by|skip to .*|this story has been shared.*|more|tags|sponsored|sponsored links?|"
    r"related (?:articles|stories|links)|more (?:articles|stories)|text size|font(?: size)?|share with|"
    r"printer[- ]friendly(?: page| version)?|print (?:this )?(?:article|page|story)|e-?mail this (?:article|story)|"
    r"send this article to (?:a )?friends?(?: by e-?mail)?|"
    # an advertisement's label and a "read also" label in other languages, on a line of their own
    r"anzeige|werbung|publicidad|publicité|pubblicità|reklame|advertentie|реклама|广告|広告|광고|anúncio|"
    r"lire aussi|lesen sie auch|mehr zum thema|weiterlesen|leer más|lee también|leia também|leggi anche)\W*$", re.I)


# Tuning knobs (set on the even-indexed benchmark pages only).
CONTENT_BOOST = 2.0   # prose inside itemprop=articleBody / article-body classes counts this much more
SPARE_WEAK = 0.4      # weak boilerplate markup is ignored on an element holding this share of the prose
SPARE_STRONG = 0.75   # ... and strong boilerplate markup only on one holding this share
SPARE_CHUNKS = 0.6    # ... and weak markup on elements of one class that hold this share together
DEPTH_DECAY = 0.85    # a block counts this much less for each level further up the tree
SHORT_BODY = 250      # a body shorter than this is looked for again with every link-poor line counted
WIDEN = 1.5           # the article widens to a parent holding this much more prose (not furniture)
TRAILING_STUB = 25    # short unpunctuated blocks at the very end are dropped
LIST_ITEMS = 3        # ... a list of this many items or more ends the article
_LISTED_TAGS = frozenset({"li", "tr", "dd", "dt", "pre"})
LINK_MAX = 0.5        # blocks in the container with more link text than this are dropped
LINK_MAX_LONG = 0.7   # ... the same for blocks of 100+ characters
TWIN_PARAGRAPHS = 3   # an element of the article's tag and class with this many prose paragraphs joins it
THREAD_POSTS = 3        # <article>s of one class side by side that make a thread of posts
ARTICLE_PARAGRAPHS = 3  # prose paragraphs of the headline's <article> that make it the story among others
TWIN_LINKS = 0.25     # ... when at most this share of its text is links
LEDE_LINKS = 0.25     # a sibling before the article joins it when all prose with at most this share of links
LEDE_PARAGRAPHS = 2     # `<p>`s of prose beside the body's outer wrappers that make the story's first paragraphs
MAX_LEDE_DATE_LINE = 150  # ... but not a line shorter than this with a written date (a date and byline line)


def _data_row(block: _Block) -> bool:
    """A table row with a cell of plain text beside its links (a role beside an actor's
    linked name, a score beside a team's): a row of a table of data, not a menu, whose
    cells are nothing but links."""
    return block.tag == "tr" and any(cell.find("a") is None and cell.get_text().strip()
                                     for cell in block.element.find_all(_CELL_TAGS, recursive=False))


# a script's or a style sheet's source: a statement, a JSON object, a CSS rule
_CODE_SIGN = re.compile(r"\bfunction\s*[\w$]*\s*\(|\bvar\s+[\w$]+\s*=|\b(?:document|window|navigator)\.\w"
                        r"|\{\s*\"[\w$-]+\"\s*:|\{\s*[\w-]+\s*:\s*[^;{}]+;")
_CODE_TAGS = ("pre", "code", "kbd", "samp", "tt")  # code the article shows


def _leaked_code(block: _Block) -> bool:
    """Script or style source that reached the text (broken markup: a script whose opening tag
    was lost, `document.write('...')` strings after a string's `</script>`, a JSON blob): a
    statement or object of code, an assignment or a brace, and five code marks (`; { } =`, `":`),
    one for every eight words at least. Prose with semicolons, a brace or a word such as
    `window.open` is not code; code the article shows is in `<pre>`/`<code>` and stays."""
    text = block.text
    if "=" not in text and "{" not in text:  # most text: the cheapest test first
        return False
    marks = sum(map(text.count, (";", "{", "}", "=", '":')))
    if marks < 5 or marks * 8 < len(text.split()) or not _CODE_SIGN.search(text):
        return False
    owner = block.element
    return owner.name not in _CODE_TAGS and owner.find_parent(_CODE_TAGS) is None \
        and owner.find(_CODE_TAGS) is None


_NOTICE = re.compile(r"(?:©|\(c\)|copyright\b).*\b(?:19|20)\d\d\b", re.I)  # "Copyright © 2008 Radio New Zealand"
MAX_NOTICE = 250  # characters of a copyright notice line
NOTICE_TAIL = 3   # paragraphs after a notice that make it the page's end, not a credit over a date or a note

STUB_VALUE = -5.0  # a short line that is neither prose nor a link list (a label, a date)


def _block_value(block: _Block, relaxed: bool = False) -> float:
    """How much a block looks like article prose: + its length for link-poor
    sentences, - for link lists and stubs. `relaxed` (a page without prose: a
    table, a list, a recipe) counts every link-poor line of a few words, and every
    row of a data table whatever its links."""
    n = len(block.text)
    if relaxed and n >= 12 and _data_row(block):
        return float(n)  # its links are names in a list (a cast, a squad, results)
    density = block.link_chars / n if n else 1.0
    if density > 0.5:
        return -n * 0.5 - 10
    if n >= 80 or (n >= 30 and _END_PUNCT.search(block.text)) or (relaxed and n >= 12) \
            or (n >= 10 and not block.text.isascii() and block.tag not in _HEADINGS and _cjk_prose(block.text)):
        return n * (1 - density)
    return STUB_VALUE


_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
CJK_WORTH = 3  # letters a Chinese, Japanese or Korean character is worth (a word is one or two of them)


def _cjk_prose(text: str) -> bool:
    """A short line of Chinese, Japanese or Korean that is prose: its characters worth 80 letters, or 30
    ending a sentence ("。"); measured in letters, a 25-character paragraph would be a stub."""
    worth = CJK_WORTH * len(_CJK_CHAR.findall(text))
    return worth >= 80 or (worth >= 30 and bool(_END_PUNCT.search(text)))


def _data_table_row(block: _Block) -> bool:
    """A row of a table of data (a header row of <th>s over it) with a plain cell beside its linked names."""
    if block.tag != "tr" or not _data_row(block):
        return False
    table = block.element.find_parent("table")
    return table is not None and table.find("th") is not None


_SENTENCE_END = re.compile(r"[.!?…。！？][\"”’)]?$")
_SENTENCE_MARKS = " .!?…。！？\"”’)"
LINKED_SENTENCE_PLAIN = 12  # characters outside links that make a linked paragraph a sentence of the article


def _linked_sentence(block: _Block) -> bool:
    """A paragraph of the article that is mostly links yet a sentence ("<a>ripgrep 14 is out</a>, and it is
    <a>still the fastest grep</a> I know."): a blog's link post, a wiki's or a manual's references. Readability
    keeps every paragraph of the article whatever its links; a menu or a teaser's linked title is no sentence."""
    if block.tag != "p" or len(block.text) - block.link_chars < LINKED_SENTENCE_PLAIN \
            or not _SENTENCE_END.search(block.text):
        return False
    # the sentence goes on after its last link ("... I know."), unlike "Previous story: <a>Title?</a>"
    end = block.text.rstrip(_SENTENCE_MARKS)
    return not any(link and end.endswith(link) for link in
                   (collapse_spaces(a.get_text(" ")).rstrip(_SENTENCE_MARKS) for a in block.element.find_all("a")))


# what ends a kicker or a label before a linked title ("Demenz: <a>...</a>", "Best overall – <a>...</a>")
_LABEL_END = re.compile(r"[:?!|–—\-»>/]\s*$")


def _linked_item(block: _Block) -> bool:
    """A list item of the article whose links are words of its sentence ("mconley fixed <a>an AsyncShutdown
    hang</a>", a reference "<a>"Rhino History"</a>. Mozilla Foundation. Retrieved 2008-03-20."): 12 characters
    outside links, as a linked paragraph's. A teaser's linked title under a kicker or a label is not one
    ("Demenz: <a>Ab wann ...</a>", "Best for easy storage – <a>Black and Decker ...</a>")."""
    if block.tag != "li" or len(block.text) - block.link_chars < LINKED_SENTENCE_PLAIN:
        return False
    before: list[str] = []
    for node in block.element.descendants:
        if type(node) is NavigableString:
            if node.find_parent("a") is not None and node.strip():
                break
            before.append(node)
        elif isinstance(node, Tag) and node.name in _BLOCK_TAGS:
            return False  # a link in a nested block: not this item's own sentence
    return not _LABEL_END.search("".join(before))


SECTION_PARAGRAPHS = 2  # prose paragraphs beside a linked heading that make it the heading of a section


def _section_heading(index: int, blocks: list[_Block], values: list[float], in_boiler: list[bool],
                     inside: list[bool]) -> bool:
    """A heading of the article that two prose paragraphs beside it follow before the next heading: it heads a
    section, so it stays even when it is a link (a list article's "21) <a>Star Wars: The Last Jedi</a>", a
    section heading linked to itself) or an <h1> below the story's start (a book chapter's sections). A teaser's
    linked title over its one-line summary, or a box of linked headlines inside the story (the paragraphs after
    it are the story's, not the box's), is not one."""
    heading = blocks[index]
    if heading.tag not in _HEADINGS:
        return False
    parent = heading.element.parent
    prose = 0
    for block, value, bad, here in zip(blocks[index + 1:], values[index + 1:], in_boiler[index + 1:],
                                       inside[index + 1:]):
        if block.tag in _HEADINGS or bad or not here or block.element.parent is not parent:
            break
        prose += value > 0
        if prose >= SECTION_PARAGRAPHS:
            return True
    return False


def _without_inline_wrappers(soft: list[tuple[Tag, int]]) -> list[tuple[Tag, int]]:
    """An inline element marked as boilerplate that holds another marked element is a
    wrapper (a hover card's trigger name plus its pop-up): only the inner one is cut,
    so the name stays in its sentence."""
    ids = {id(t) for t, _ in soft}
    wrappers: set[int] = set()
    for tag, _ in soft:
        node = tag.parent
        for _ in range(MAX_CHAIN):
            if node is None or node.name in _BLOCK_TAGS:
                break
            if id(node) in ids:
                wrappers.add(id(node))
            node = node.parent
    return [(t, s) for t, s in soft if id(t) not in wrappers or s == 3] if wrappers else soft  # 3: captions




def _ancestors(node: Tag, stop: Tag | None) -> list[Tag]:
    chain: list[Tag] = []
    while node is not None and len(chain) < MAX_CHAIN:
        chain.append(node)
        if node is stop:
            break
        node = node.parent
    return chain


def _under_boilerplate(chain: list[Tag], boiler: dict[int, int], marked: set[int]) -> bool:
    """A block is furniture when marked boilerplate holds it; weak marks (layout words such
    as "sidebar") above the article body's own markup do not count (a story cut into
    "sidebar-grid" chunks between ads)."""
    in_body = False
    for node in chain:
        strength = boiler.get(id(node))
        if strength is not None and not (in_body and strength == 1):
            return True
        if id(node) in marked:
            in_body = True
    return False


_POST_BODY = _CaseBlind(r"entry[-_]?content|post[-_]?(?:body|content)|article[-_]{0,2}body")  # one post's text


def _widened(best: Tag, root: Tag, chains: list[list[Tag]], values: list[float], in_boiler: list[bool]) -> Tag:
    """The best-scoring element, or its parent when that holds WIDEN times as much prose that
    is not furniture (again, up the tree, to the <body> itself: a story in parts right under it):
    a story split by short link-heavy lines (ratings, "Copy link" boxes, list entries) scores
    lower than one of its parts."""
    held: dict[int, float] = {}
    lines: dict[int, int] = {}  # prose paragraphs less link lines
    for chain, value, bad in zip(chains, values, in_boiler):
        if not bad and value != STUB_VALUE:  # prose paragraphs and link lines, not stubs
            for node in chain:
                if value > 0:
                    held[id(node)] = held.get(id(node), 0.0) + value
                lines[id(node)] = lines.get(id(node), 0) + (1 if value > 0 else -1)
    node = best
    for up in _ancestors(best, root)[1:]:
        if up.name == "article":  # the story's own element: not past it
            break
        if _POST_BODY.search(_attr_tokens(up)) or up.get("itemprop") == "articleBody":
            if held.get(id(up), 0.0) >= WIDEN * held.get(id(best), 0.0):
                return up  # the post's own body: one story, whatever its link lines (a post quoting others)
            break
    while True:
        up = node.parent  # past wrappers that hold no more prose than the node (a <div> around a <div>)
        while up is not None and up is not root and held.get(id(up), 0.0) <= held.get(id(node), 0.0):
            if up.name == "article":  # the story's own element: what is around it is other stories
                return node
            up = up.parent
        if up is None or held.get(id(up), 0.0) < WIDEN * held.get(id(node), 0.0):
            return node
        if up is not node.parent and lines.get(id(up), 0) <= lines.get(id(node), 0):
            return node  # ... but not to take in a list of teasers (a linked title over each summary)
        node = up
        if node is root:
            return node


def _thread(best: Tag, root: Tag) -> Tag:
    """A forum thread's posts (a live blog's entries): the chosen element inside one `<article>` of
    THREAD_POSTS or more side by side of one class, not the first of them (one long reply that outweighs
    the thread's opening post): the thread, all its posts."""
    post = None  # the outermost <article> around the chosen element (a post holds its body's <article>)
    node = best
    while node is not None and node is not root:
        if node.name == "article":
            post = node
        node = node.parent
    if post is None or post.parent is None:
        return best
    key = post.attrs.get("class")
    if not key:
        return best
    posts = [c for c in post.parent.find_all("article", recursive=False) if c.attrs.get("class") == key]
    if len(posts) < THREAD_POSTS or posts[0] is post:
        return best
    return post.parent


def _headline_article(best: Tag, blocks: list[_Block], chains: list[list[Tag]], values: list[float],
                      in_boiler: list[bool], headline: str) -> Tag:
    """Of two or more `<article>` elements with prose inside the chosen element, the one under the page's
    headline: the next story a site appends below this one (endless scrolling, "Next story") is not this
    story. Only when that article's own heading is the headline, it holds ARTICLE_PARAGRAPHS prose paragraphs
    or more, and another of them has a heading of its own (not a story cut into `<article>`s by an embed)."""
    head = _squash(headline)
    if not head or best.name == "article":
        return best
    prose: dict[int, int] = {}  # outermost <article>s inside best -> prose paragraphs
    nodes: dict[int, Tag] = {}
    titled: set[int] = set()
    headed: set[int] = set()  # articles under a heading of their own: other stories
    for block, chain, value, bad in zip(blocks, chains, values, in_boiler):
        outer = None
        for node in chain:
            if node is best:
                break
            if node.name == "article":
                outer = node
        else:
            continue  # not inside best
        if outer is None:
            continue
        nodes[id(outer)] = outer
        prose[id(outer)] = prose.get(id(outer), 0) + (value > 0 and not bad)
        if block.tag in ("h1", "h2"):
            (titled if _squash(block.text) == head else headed).add(id(outer))
    stories = [key for key, n in prose.items() if n > 0]
    if len(stories) < 2 or len(titled) != 1 or not any(key in headed and key not in titled for key in stories):
        return best
    key = next(iter(titled))
    return nodes[key] if prose.get(key, 0) >= ARTICLE_PARAGRAPHS else best


def _twins(best: Tag, blocks: list[_Block], chains: list[list[Tag]], values: list[float],
           in_boiler: list[bool], headline: str) -> set[int]:
    """Elements of the article's tag and class elsewhere on the page that hold TWIN_PARAGRAPHS
    paragraphs of link-poor prose: the other parts of a story cut into chunks between images,
    ads or boxes (not a teaser's line that shares a generic class). What a continuation of the
    story has: a prose paragraph that is not a list item (not a summary's bullets, "Key Points"),
    more prose paragraphs than link lines (not a list of teasers, a linked title over each
    summary), no <h1> but the headline in it or between it and the story (not a second story)
    and the same <article> element as the story (not the next story, a card or a forum post in
    an <article> of its own). By id."""
    key = best.attrs.get("class") if best.attrs else None
    if not key:
        return set()
    # id -> [prose paragraphs, characters, characters in links, link lines, prose paragraphs not in a list,
    #        index of its first block, of its last]
    found: dict[int, list[int]] = {}
    nodes: dict[int, Tag] = {}
    own: list[int] = []  # the story's blocks
    headings: list[int] = []  # <h1>s that are not the headline: where another story starts
    for index, (block, chain, value, bad) in enumerate(zip(blocks, chains, values, in_boiler)):
        if bad:
            continue
        if block.tag == "h1" and block.text.lower() != headline:
            headings.append(index)
        if any(node is best for node in chain):
            own.append(index)
        for node in chain:
            if node is best:
                break
            if node.name == best.name and node.attrs.get("class") == key:
                counts = found.setdefault(id(node), [0, 0, 0, 0, 0, index, index])
                nodes[id(node)] = node
                counts[0] += value > 0
                counts[1] += len(block.text)
                counts[2] += block.link_chars
                counts[3] += block.link_chars > LINK_MAX * len(block.text)
                counts[4] += value > 0 and block.tag != "li"
                counts[6] = index
                break
    if not own:
        return set()
    twins = set()
    for k, (prose, chars, links, link_lines, unlisted, first, last) in found.items():
        if prose < TWIN_PARAGRAPHS or not unlisted or links > TWIN_LINKS * chars or link_lines >= prose:
            continue
        low, high = (own[-1], last) if first > own[-1] else (first - 1, own[0] - 1)
        if any(low < h <= high for h in headings) or _is_inside(best, nodes[k]) \
                or not _same_article(best, nodes[k]):
            continue
        twins.add(k)
    return twins


def _same_article(best: Tag, other: Tag) -> bool:
    """No <article> element holds one of the two without the other."""
    around_best: dict[int, Tag] = {}
    node = best
    while node is not None:
        around_best[id(node)] = node
        node = node.parent
    node = other
    while node is not None and id(node) not in around_best:
        if node.name == "article":
            return False
        node = node.parent
    common = node
    node = best
    while node is not None and node is not common:
        if node.name == "article":
            return False
        node = node.parent
    return True


LEAD_MIN = 100  # prose of an unlinked "teaser" that makes it the story's own lead, not a card's line
_LINE_MARK = re.compile(r"byline|dateline", re.I)  # marks of an element that holds one line
_COMMENT_MARK = re.compile(r"comment(?!ar)|disqus", re.I)


def _mend_marks(boiler: dict[int, int], soft: list[tuple[Tag, int]], chains: list[list[Tag]],
                values: list[float], good: dict[int, float], weak_chunks: bool = False) -> None:
    """Marks that can be wrong about what they hold, set right in `boiler` (by id): an unlinked
    "teaser" holding a sentence or more of prose is the story's own lead; a byline that
    holds paragraphs of prose is the story (an unclosed `<div class="byline">` took in what
    follows); a `<footer>`, `<aside>`, `<nav>` or `<header>` holding most of the prose in fewer
    than TWIN_PARAGRAPHS paragraphs is furniture (a copyright notice longer than a short story),
    not a wrapper of the page; and a comment thread is furniture even when it holds most of the
    prose, if a story of several paragraphs stands outside it (a long discussion under an article).
    `weak_chunks` (a page where nothing else was found): any weak-marked element holding
    TWIN_PARAGRAPHS paragraphs of prose is not furniture (a forum's posts inside their headers)."""
    for t, strength in soft:
        if strength == 1 and id(t) in boiler and good.get(id(t), 0.0) >= LEAD_MIN and _lead_not_teaser(t):
            del boiler[id(t)]
    holders = {id(t) for t, strength in soft if id(t) in boiler and good.get(id(t), 0.0) >= SHORT_BODY
             and (strength == 2 and _LINE_MARK.search(_attr_tokens(t)) or weak_chunks and strength == 1)}
    sections = {id(t): strength for t, strength in soft
                if t.name in _SECTION_BOILERPLATE_TAGS and strength in (1, 2) and id(t) not in boiler}
    if holders or sections:
        paragraphs = dict.fromkeys(holders | sections.keys(), 0)
        for chain, value in zip(chains, values):
            if value > 0:
                for node in chain:
                    if id(node) in paragraphs:
                        paragraphs[id(node)] += 1
        for key, count in paragraphs.items():
            if key in holders and count >= TWIN_PARAGRAPHS:
                del boiler[key]
            elif key in sections and count < TWIN_PARAGRAPHS:
                boiler[key] = sections[key]
    threads = {id(t) for t, strength in soft
               if strength == 2 and id(t) not in boiler and _COMMENT_MARK.search(_attr_tokens(t))}
    if threads:
        outside = [value for chain, value in zip(chains, values)
                   if value > 0 and not any(id(n) in threads or id(n) in boiler for n in chain)]
        if len(outside) >= TWIN_PARAGRAPHS and sum(outside) >= SHORT_BODY:
            boiler.update(dict.fromkeys(threads, 2))


def _lead_not_teaser(tag: Tag) -> bool:
    """An element marked only as a teaser that links nowhere is the story's own lead ("teaser_text"
    under the headline); a teaser for another story links to it."""
    low = _attr_tokens(tag).lower()
    return "teaser" in low and not _WEAK_BOILERPLATE.search(low.replace("teaser", " ")) and tag.find("a") is None


def _extract_body(root: Tag, blocks: list[_Block], soft: list[tuple[Tag, int]], content: list[Tag], headline: str,
                  relaxed: bool = False, weak_chunks: bool = False,
                  ) -> tuple[str, Tag | None, str | None, str | None, int | None]:
    """The article text (paragraphs joined by blank lines), the element holding it,
    the first plain-text byline ("By ...") seen in the page, the first short line with
    a written date in the article's surroundings, and the index of the body's first block."""
    if not blocks:
        return "", None, None, None, None
    # not "By Subject" (a link of the site's menus) nor "von Künstlern, Bands, DJs," (a sentence goes on)
    byline = next((b.text for b in blocks if _is_text_byline(b.text) and not _in_teaser(b)
                   and b.link_chars < len(b.text) and not b.text.endswith(",")), None) \
        or next(filter(None, map(_inline_lead_byline, blocks)), None) \
        or next(filter(None, map(_labelled_byline, blocks)), None)
    chains = [_ancestors(b.element, root) for b in blocks]
    marked = {id(t) for t in content}
    values = [_block_value(b, relaxed) for b in blocks]
    if marked:
        values = [v * CONTENT_BOOST if v > 0 and any(id(n) in marked for n in chain) else v
                  for v, chain in zip(values, chains)]
    good: dict[int, float] = {}
    for chain, value in zip(chains, values):
        if value > 0:
            for node in chain:
                good[id(node)] = good.get(id(node), 0.0) + value
    total_good = sum(v for v in values if v > 0)
    # boilerplate markup counts only when it does not hold most of the prose
    spare = {1: SPARE_WEAK, 2: SPARE_STRONG, 3: 2.0, 4: SPARE_STRONG}  # 3: captions, never body; 4: hidden
    # strong marks, of the prose a reader sees: a story in a dialog over a page hidden from view (aria-hidden)
    hidden = {id(t) for t, strength in soft if strength == 4}
    shown_good = (sum(v for v, chain in zip(values, chains) if v > 0 and not any(id(n) in hidden for n in chain))
                  if hidden else 0.0) or total_good
    boiler = {id(t): strength for t, strength in soft
              if good.get(id(t), 0.0) < spare[strength] * (shown_good if strength == 2 else total_good)}
    # weak marks on a story cut into chunks of one class ("article-widget-text" between images): the
    # chunks together hold the prose, side by side (siblings, at least two to a parent; not one
    # page builder's wrapper around every box, "elementor-widget-container", nor a forum's posts)
    groups: dict[tuple[str, str], list[Tag]] = {}
    for t, strength in soft:
        if strength == 1 and t.attrs.get("class"):
            groups.setdefault((t.name, t.attrs["class"]), []).append(t)
    for members in groups.values():
        if len(members) > 1 and 2 * len({id(t.parent) for t in members}) <= len(members) \
                and sum(good.get(id(t), 0.0) for t in members) >= SPARE_CHUNKS * total_good:
            for t in members:
                boiler.pop(id(t), None)
    _mend_marks(boiler, soft, chains, values, good, weak_chunks)
    captions = {id(t) for t, strength in soft if strength == 3}
    in_boiler = [_under_boilerplate(chain, boiler, marked) for chain in chains] if marked else \
        [any(id(n) in boiler for n in chain) for chain in chains]
    scores: dict[int, float] = {}
    elements: dict[int, Tag] = {}
    for chain, value, bad in zip(chains, values, in_boiler):
        if bad:  # a caption neither helps nor hurts its container
            value = 0.0 if any(id(n) in captions for n in chain) else -abs(value) * 0.5 - 5
        for node in chain:
            key = id(node)
            scores[key] = scores.get(key, 0.0) + value
            elements[key] = node
            value *= DEPTH_DECAY
    # no block looks like prose (a stub page): keep all the text that is not furniture
    best = elements[max(scores, key=scores.__getitem__)] if total_good > 0 else root
    if best is not root:
        best = _widened(best, root, chains, values, in_boiler)
        best = _headline_article(best, blocks, chains, values, in_boiler, headline)
        best = _thread(best, root)
    inside = [not bad and any(n is best for n in chain) for chain, bad in zip(chains, in_boiler)]
    twins = _twins(best, blocks, chains, values, in_boiler, headline.lower().strip()) if best is not root else set()
    if twins:  # the story's other chunks, without copies of its paragraphs (a hidden duplicate)
        own = {b.text for b, here in zip(blocks, inside) if here}
        inside = [here or (b.text not in own and any(id(n) in twins for n in chain))
                  for b, chain, here in zip(blocks, chains, inside)]
    if not relaxed and best is not root and best.parent is not None:  # its parent may be the <body>
        inside = _with_lede(best, chains, values, in_boiler, inside, blocks, headline)
    paragraphs: list[str] = []
    listed: list[bool] = []  # each paragraph a list item, a table row or preformatted text
    last_owner: Tag | None = None
    start: int | None = None
    head_low = headline.lower().strip()
    for index, (block, bad, here) in enumerate(zip(blocks, in_boiler, inside)):
        if bad or not here:
            continue
        text = block.text
        n = len(text)
        density = block.link_chars / n if n else 1.0
        if (density > (LINK_MAX_LONG if n >= 100 else LINK_MAX) and not (relaxed and _data_row(block))
                and not _linked_sentence(block) and not _linked_item(block) and not _data_table_row(block)
                and not _section_heading(index, blocks, values, in_boiler, inside)) \
                or _JUNK_LINE.match(text) or text.lower() == head_low:
            continue
        if block.tag == "h1" and not (paragraphs and head_low not in text.lower()
                                      and _section_heading(index, blocks, values, in_boiler, inside)):
            continue  # the headline's own, or one that heads no section below the story's start
        if _is_text_byline(text):
            continue
        if paragraphs and block.resumes and block.element is last_owner:
            paragraphs[-1] += " " + text  # the rest of a paragraph after a cut-out inline box
        else:
            paragraphs.append(text)
            listed.append(block.tag in _LISTED_TAGS)
        if start is None:
            start = index
        last_owner = block.element
    # the page's copyright notice ends the story: more of the page after it is a layout's sidebars and teasers
    notice = next((i for i, text in enumerate(paragraphs) if len(text) <= MAX_NOTICE and _NOTICE.match(text)), None)
    if notice is not None and len(paragraphs) - notice > NOTICE_TAIL \
            and sum(map(len, paragraphs[:notice])) >= SHORT_BODY:
        del paragraphs[notice + 1:], listed[notice + 1:]
    # furniture after the last sentence ("Topics", "comments") is not article text; a list or a table
    # of three items or more that ends the article is ("What to buy": "Onion sets", "Fleece", ...), and so
    # are three short lines or more after a sentence that announces them ("These universities are affected:")
    while len(paragraphs) > 1 and len(paragraphs[-1]) < TRAILING_STUB and not _END_PUNCT.search(paragraphs[-1]) \
            and not (len(listed) >= LIST_ITEMS and all(listed[-LIST_ITEMS:])) and not _announced_list(paragraphs):
        stub = paragraphs.pop()
        listed.pop()
        if byline is None and _DASH_SIGNATURE.fullmatch(stub):  # "— Jane Roe" signs the story
            byline = stub
    return "\n\n".join(paragraphs), best, byline, _date_line(blocks, chains, best, root, head_low), start


ANNOUNCING_LINE = 30  # letters of the sentence ending in a colon that announces a list of short lines


def _announced_list(paragraphs: list[str]) -> bool:
    """The short lines ending the article are a list a sentence of it announced ("Folgende Universitäten sind
    betroffen:" over "UFRRJ", "UFPB", ...): three or more, after a line of 30 letters or more ending in a colon
    (not a one-word label such as "Tags:" or "Share:")."""
    run = 0
    for text in reversed(paragraphs):
        if len(text) < TRAILING_STUB and not _END_PUNCT.search(text):
            run += 1
            continue
        return run >= LIST_ITEMS and len(text) >= ANNOUNCING_LINE and text.rstrip().endswith((":", "："))
    return False


def _page_text(blocks: list[_Block], soft: list[tuple[Tag, int]]) -> str:
    """Every line of the page that no boilerplate mark holds, links and all (a list page's entries)."""
    marked = {id(t) for t, _ in soft}
    return "\n\n".join(b.text for b in blocks
                         if not any(id(n) in marked for n in _ancestors(b.element, None))
                         and not _JUNK_LINE.match(b.text) and b.tag != "h1")


def _with_lede(best: Tag, chains: list[list[Tag]], values: list[float], in_boiler: list[bool],
               inside: list[bool], blocks: list[_Block], headline: str) -> list[bool]:
    """The article's siblings before it that hold only link-poor prose join it (readability's
    sibling step, before the article only): a story's lede or first paragraphs set apart from
    the rest (in their own `<p>` over the article-body `<div>`, split by an ad). Siblings after
    it are left out: there they are notes and promotions ("Search for more stories ...")."""
    joined = _lede_beside(best, chains, values, in_boiler, inside, blocks, headline)
    outer = _outer_wrapper(best, chains, values, in_boiler)
    if outer is best:
        return joined
    wider = _lede_beside(outer, chains, values, in_boiler, joined, blocks, headline)
    added = [i for i, (was, now) in enumerate(zip(joined, wider)) if now and not was]
    if sum(values[i] > 0 and blocks[i].tag == "p" for i in added) >= LEDE_PARAGRAPHS:
        return wider  # the story's first paragraphs beside its body's wrappers, not one note or deck line
    return joined


def _lede_beside(best: Tag, chains: list[list[Tag]], values: list[float], in_boiler: list[bool],
                 inside: list[bool], blocks: list[_Block], headline: str) -> list[bool]:
    """`inside` with the link-poor prose siblings before `best` joined (see _with_lede)."""
    parent = best.parent
    head = _squash(headline)
    first = inside.index(True) if True in inside else 0
    siblings: dict[int, tuple[Tag, list[int]]] = {}  # a sibling and its blocks, just before the article's first
    for index in range(first - 1, -1, -1):  # the parent's blocks before the article come right before it
        chain = chains[index]
        depth = next((d for d, node in enumerate(chain) if node is parent), None)
        if depth is None:
            break
        if depth and chain[depth - 1] is not best:  # depth 0: loose text of the parent itself
            siblings.setdefault(id(chain[depth - 1]), (chain[depth - 1], []))[1].append(index)
    joined = list(inside)
    for sibling, members in siblings.values():
        if sibling.name == "img" or sibling.find("img") is not None:  # the text beside a picture: its caption
            continue
        if any(in_boiler[i] or values[i] <= 0 for i in members):
            for i in _lede_closing(members, values, in_boiler, blocks, head):
                joined[i] = True
            continue
        if any(_holds_headline(blocks[i].text, head) or
               (len(blocks[i].text) < MAX_LEDE_DATE_LINE and _WRITTEN_DATE.search(blocks[i].text)) for i in members):
            continue  # the headline again (with a kicker, as a label) or a date line: not the story's text
        chars = sum(len(blocks[i].text) for i in members)
        if sum(blocks[i].link_chars for i in members) <= LEDE_LINKS * chars:
            for i in members:
                joined[i] = True
    return joined


def _outer_wrapper(best: Tag, chains: list[list[Tag]], values: list[float], in_boiler: list[bool]) -> Tag:
    """The outermost of the article's wrappers that hold no more prose than it (a CMS's content element in
    `<div>`s five deep under the story's own element, whose first paragraphs stand beside the wrappers):
    the lede's siblings are looked for beside it. Not past an `<article>` nor up to the `<body>`."""
    held: dict[int, float] = {}
    for chain, value, bad in zip(chains, values, in_boiler):
        if value > 0 and not bad:
            for node in chain:
                held[id(node)] = held.get(id(node), 0.0) + value
    own = held.get(id(best), 0.0)
    node = best
    while node.name != "article":
        up = node.parent
        if up is None or up.parent is None or up.name in ("body", "html") or held.get(id(up), 0.0) > own:
            break
        node = up
    return node


def _lede_closing(members: list[int], values: list[float], in_boiler: list[bool], blocks: list[_Block],
                  head: str) -> list[int]:
    """The prose that closes a header sibling (its headline, date and share buttons first, then the
    story's lede in its own `<p>`): the link-poor prose blocks nearest the article, past furniture."""
    closest = iter(members)  # nearest the article first
    lede: list[int] = []
    for i in closest:
        if values[i] > 0 and not in_boiler[i]:
            lede.append(i)
            break
    lede += list(itertools.takewhile(lambda i: values[i] > 0 and not in_boiler[i], closest))
    lede = list(itertools.takewhile(lambda i: _lede_sentence(blocks[i], head), lede))
    chars = sum(len(blocks[i].text) for i in lede)
    if chars < LEAD_MIN or sum(blocks[i].link_chars for i in lede) > LEDE_LINKS * chars:
        return []
    return lede


def _lede_sentence(block: _Block, head: str) -> bool:
    """A paragraph of sentences: not a subtitle in a heading, a list's item (a summary's bullets), the headline
    again or a date line."""
    return bool(_SENTENCE_END.search(block.text)) and block.tag not in _HEADINGS and block.tag not in _LISTED_TAGS \
        and not _holds_headline(block.text, head) and not _WRITTEN_DATE.search(block.text)


_ITEM_TAGS = frozenset({"li", "dt", "dd", "td", "th"})  # a block under one of these is an item of a list or table
_DATA_TAGS = frozenset({"table", "tbody", "thead", "tfoot", "tr", "td", "th", "ul", "ol", "li", "dl", "dt", "dd"})
_PROSE_TAGS = frozenset({"p", "h2", "h3", "h4", "h5", "h6", "blockquote"})
_LIKE_ITEM_TAGS = frozenset({"div", "section", "article"})
LIKE_ITEMS = 3  # siblings of one tag and class that make a list of like items (an episode guide's entries)
_NAVIGATION = re.compile(r"nav|menu|masthead|site-header|site-footer", re.I)


def _listing_body(blocks: list[_Block], soft: list[tuple[Tag, int]], container: Tag | None, body: str,
                  headline: str) -> str | None:
    """On a page that holds no story, the text of its main area whole: headings, list items, table
    rows, definitions and like items, without furniture; None on a story (pagekind.holds_no_story).
    The main area is the nearest element holding both the article's element and the page's first
    <h1>; it is the page itself, not its main area, when it holds the site's navigation (unless that
    <h1> is the headline) or is the <body>. Inside it, link lines and junk lines drop as in a story;
    marks count on furniture (captions, hidden text, sections, strong marks), but not on the listing's
    own tables and lists nor on a wrapper holding most of the area (SPARE_STRONG), and weak marks
    (layout words: "header", "banner") only on <aside>, <footer>, <header> and <nav> elements."""
    h1 = next((b.element for b in blocks if b.tag == "h1"), None) if container is not None and body else None
    if h1 is None or not may_hold_no_story(body, sum(len(b.text) for b in blocks)):
        return None
    above = set(map(id, _ancestors(h1, None)))
    area = next((node for node in _ancestors(container, None) if id(node) in above), None)
    if area is None or area.name in ("body", "html", "[document]"):
        return None
    inside = {id(t) for t in area.find_all(True)}
    inside.add(id(area))
    chains: list[tuple[_Block, list[Tag]]] = []
    held: dict[int, int] = {}
    area_chars = 0
    for block in blocks:
        if id(block.element) not in inside or (block.link_chars > LINK_MAX * len(block.text) and not _data_row(block)):
            continue
        chain = _ancestors(block.element, area)
        chains.append((block, chain))
        area_chars += len(block.text)
        for node in chain:
            held[id(node)] = held.get(id(node), 0) + len(block.text)
    named = _squash(h1.get_text(" ")) == _squash(headline)
    marks: set[int] = set()
    for tag, strength in soft:
        if id(tag) not in inside or (strength in (1, 2) and held.get(id(tag), 0) >= SPARE_STRONG * area_chars):
            continue
        if not named and (tag.name == "nav" or _NAVIGATION.search(_attr_tokens(tag))):
            return None  # the site's menus: the page, not its main area
        if (strength == 1 and tag.name not in _SECTION_BOILERPLATE_TAGS) or (strength == 2 and tag.name in _DATA_TAGS):
            continue
        marks.add(id(tag))
    kept = [(block, chain) for block, chain in chains
            if not any(id(node) in marks for node in chain) and block.tag != "h1"
            and not _JUNK_LINE.match(block.text) and not _is_text_byline(block.text)]
    chars = sum(len(block.text) for block, _ in kept)
    if not may_hold_no_story(body, chars):
        return None
    items: dict[int, bool] = {}
    listed = sum(len(block.text) for block, chain in kept
                 if block.tag == "tr" or any(node.name in _ITEM_TAGS for node in chain)
                 or (block.tag not in _PROSE_TAGS and any(_like_item(node, items) for node in chain)))
    return "\n\n".join(block.text for block, _ in kept) if holds_no_story(body, chars, listed) else None


def _like_item(node: Tag, seen: dict[int, bool]) -> bool:
    """One of LIKE_ITEMS or more sibling <div>s (sections, articles) of one class: an entry of a list
    laid out without list markup. `seen` keeps the answers by id (blocks share their ancestors)."""
    found = seen.get(id(node))
    if found is None:
        key = node.attrs.get("class") if node.name in _LIKE_ITEM_TAGS and node.attrs else None
        found = bool(key) and node.parent is not None and sum(
            sibling.attrs.get("class") == key
            for sibling in node.parent.find_all(node.name, recursive=False, limit=2 * LIKE_ITEMS)) >= LIKE_ITEMS
        seen[id(node)] = found
    return found


# "Jane Roe is a San Francisco Chronicle staff writer.", "Jane Roe can be reached at ...": the writer
# signs the story's last lines (present tense only: "X was a reporter ..." is an obituary's subject)
_SIGNATURE = re.compile(
    r"^((?:[A-ZÀ-Þ][\w'’.-]*\s){1,3}[A-ZÀ-Þ][\w'’-]+) (?:is (?:a|an|the) (?:[\w-]+ ){0,4}?"
    r"(?i:reporter|writer|columnist|correspondent|editor|journalist|contributor)s?\b|can be reached\b)")
# "... click the Comments link below. -- Jane Roe": a signature after the story's last sentence
_DASH_SIGNATURE = re.compile(r"(?:--|[—–―])\s?((?:[A-ZÀ-Þ][\w'’.-]*\s){1,3}[A-ZÀ-Þ][\w'’-]+)")
_DASH_SIGNED = re.compile(r"[.!?…)]\s+" + _DASH_SIGNATURE.pattern + "$")  # after a sentence, not a quotation
SIGNATURE_LINES = 3  # the story's last paragraphs looked at for a signature
MAX_SIGNATURE_CHARS = 300


def _signature_author(body: str, publication: str | None, domain: str | None) -> str | None:
    """The writer named in a signature line at the end of the story, where nothing else names one."""
    for paragraph in body.rsplit("\n\n", SIGNATURE_LINES)[-SIGNATURE_LINES:]:
        found = _SIGNATURE.match(paragraph) if len(paragraph) <= MAX_SIGNATURE_CHARS else None
        if found:
            return normalise_byline([found.group(1)], publication, domain, from_text=True)
    signed = _DASH_SIGNED.search(body[-MAX_SIGNATURE_CHARS:])
    return normalise_byline([signed.group(1)], publication, domain, from_text=True) if signed else None


# the first author in a page's script data: "author": "Jane Roe", "authors": ["Jane Roe"],
# "author": {"name": "Jane Roe"}, authorName: 'Jane Roe', "byline": "Jane Roe". Each key opens its pattern
# with a literal ("uthor", "byline"): the engine then skips to it at memchr speed (a tenth of the time).
_SCRIPT_VALUE = (r"""["']?\s*[:=]\s*\[?\s*"""  # "author": ["Jane Roe"], {"@type": "Person", "name": "Jane Roe"}
                 r"""(?:\{\s*(?:["']?@?type["']?\s*:\s*["']Person["']\s*,\s*)?["']?name["']?\s*:\s*)?"""
                 r"""["']([^"'\\{}<>]{2,80})["']""")
_SCRIPT_AUTHOR = (re.compile(r"uthor(?:s|Name|_name)?" + _SCRIPT_VALUE), re.compile(r"byline" + _SCRIPT_VALUE))


def _script_author(html: str, publication: str | None, domain: str | None) -> str | None:
    """The author named first in the page's inline script data (a data layer, a preloaded state; not
    JSON-LD, read before), where nothing on the page names one; an agency, a desk or no name there
    ends the search. `html` is the page as it came: the parser never sees its scripts."""
    found = sorted((m for pattern in _SCRIPT_AUTHOR for m in pattern.finditer(html)), key=lambda m: m.start())
    for match in found:
        key = match.start() - (match.group(0).startswith("uthor"))
        if html[key] not in "aAb" or html[key - 1].isalnum():
            continue  # "coauthor", "subyline": another word
        opened = html.rfind("<script", 0, key)
        if opened < 0 or html.rfind("</script", opened, key) >= 0:
            continue  # not inside a script: an attribute of the markup ("data-author=...")
        if "ld+json" in html[opened:html.find(">", opened)].lower():
            continue
        return normalise_byline([match.group(1)], publication, domain, from_text=True)
    return None


# "Overload Journal #131 - February 2016   Author: Jane Roe": a labelled byline at the end of a line of
# the story's particulars (a colon after the label: "written by" inside a sentence is no label)
_LABELLED_BYLINE = re.compile(r"(?:^|\s)(?:Authors?|AUTHORS?|Autor(?:in|en)?|Auteur|Autore)\s*:\s*(?=[A-ZÀ-Þ])")


def _labelled_byline(block: _Block) -> str | None:
    """The names after an "Author:" label in a short line of the page."""
    if len(block.text) >= 150:
        return None
    found = _LABELLED_BYLINE.search(block.text)
    return block.text[found.end():] if found else None


def _inline_lead_byline(block: _Block) -> str | None:
    """ "<b>By Jane Roe, NFL Editor --</b> (Sports Network) - Postseason football ...", "<cite>Posted by
    Jane Roe @ 5:56 am</cite> <cite>Categories: ...</cite>": a byline in an inline element that opens a
    line which is no byline as a whole."""
    if not _TEXT_BYLINE_START.match(block.text):
        return None
    for inline in block.element.find_all(("b", "strong", "cite", "span"), limit=3):
        text = collapse_spaces(inline.get_text(" ")).rstrip(" -–—")
        if text and block.text.startswith(text) and _is_text_byline(text):
            return text
    return None


def _holds_headline(text: str, head: str) -> bool:
    """The line is mostly the headline (squashed): the headline with a kicker or a label."""
    line = _squash(text)
    return bool(head) and head in line and 2 * len(head) >= len(line)


def _in_teaser(block: _Block) -> bool:
    """The line is part of a link that holds more than it: a teaser for another story (its
    "By ..." or date under the linked headline), not a link of its own ("13 Oct 2020" to
    the day's archive, "By <a>Jane Roe</a>")."""
    node = block.element
    for _ in range(6):
        if node is None or node.name in ("body", "article", "main"):
            return False
        if node.name == "a":
            return len(collapse_spaces(node.get_text(" "))) > len(block.text) + 2
        node = node.parent
    return False


def _date_line(blocks: list[_Block], chains: list[list[Tag]], best: Tag, root: Tag, head_low: str) -> str | None:
    """The first line with a written date beside the article: a short line in the
    article's surroundings, else a paragraph that opens with its date ("27.1.2022 - Bei
    der ..."), else a short line just under the headline (outside the article's markup)."""
    if best is root:
        return None
    scope = _article_scope(best, up=4)
    inside = [b for b, chain in zip(blocks, chains) if any(n is scope for n in chain)]
    found = next((b.text for b in inside if len(b.text) < 100 and _WRITTEN_DATE.search(b.text)
                  and not _in_teaser(b)), None) \
        or next((b.text for b in inside if _DATELINE.match(b.text)), None)
    if found:
        return found
    heads = [i for i, b in enumerate(blocks[:MAX_TITLE_BLOCKS]) if b.text.lower() == head_low]
    if heads:
        return next((b.text for b in blocks[heads[0] + 1:heads[0] + 1 + MAX_LINES_UNDER_HEADLINE]
                     if len(b.text) < 100 and _WRITTEN_DATE.search(b.text)), None)
    return None


# lines under the headline that may hold its date line: a standfirst and a note may come first
# ("Headline / newsletter intro / privacy note / Jane Roe, April 19, 2020")
MAX_LINES_UNDER_HEADLINE = 4


_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_WRITTEN_DATE = re.compile(
    rf"\b{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}\b"   # November 18, 2019
    rf"|\b\d{{1,2}}\.?\s+{_MONTH},?\s+\d{{4}}\b"                 # 18 Nov 2019, 25. September 2018
    r"|\b\d{1,2}[/.]\d{1,2}[/.]\d{4}\b|\b\d{4}-\d{2}-\d{2}\b"    # 05/10/2018, 2018-10-05
    r"|\b(?:19|20)\d{2}(?:\.\s?\d{1,2}\.\s?|/\d{1,2}/)\d{1,2}\b"  # 2023. 2. 5. (Korean), 2019.04.13, 2019/04/13
    r"|\d{4}\s*[年년]\s*\d{1,2}\s*[月월]\s*\d{1,2}\s*[日일]",        # 2019年4月4日, 2023년 2월 5일
    re.I)


# a line that is only a date (a weekday, a time): the story's date stamp ("13 Oct 2020 18:29")
_DATE_STAMP = re.compile(rf"(?:\w+,?\s+)?(?:{_WRITTEN_DATE.pattern})"
                         r"(?:,?\s*(?:um\s+|at\s+|-\s*)?\d{1,2}[:.]\d{2}(?:\s*(?:Uhr|[ap]\.?m\.?))?)?", re.I)
_DATELINE = re.compile(rf"(?:{_WRITTEN_DATE.pattern})\s*[-–—|:]\s", re.I)


def _written_date(line: str, *, dayfirst: bool) -> datetime | None:
    """The date written in a short line; numeric day/month order follows the page's language."""
    m = _WRITTEN_DATE.search(line)
    if not m:
        return None
    east_asian = re.fullmatch(r"(\d{4})\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일]", m.group(0))
    if east_asian:  # year, month, day: no order to guess
        try:
            return datetime(*(int(x) for x in east_asian.groups()))
        except ValueError:
            return None
    year_first = re.fullmatch(r"(\d{4})[./]\s?(\d{1,2})[./]\s?(\d{1,2})", m.group(0))
    if year_first:  # year, month, day: the order every country that writes the year first keeps
        try:
            return datetime(*(int(x) for x in year_first.groups()))
        except ValueError:
            return None
    numeric = re.fullmatch(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})", m.group(0))
    if numeric:
        a, b, year = (int(x) for x in numeric.groups())
        day, month = (a, b) if a > 12 or (dayfirst and b <= 12) else (b, a)  # 27.1.2022, 5/25/2018
        try:
            return datetime(year, month, day)
        except ValueError:
            return None
    return parse_page_date(m.group(0))
