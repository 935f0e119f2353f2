"""The one pass over the parsed tree, and the pieces of a page it yields.

Marks from class/id tokens (boilerplate, content, embeds), `Scan` with what the
pass found (metadata, JSON-LD scripts, captions, bylines, headings, elements to
drop), the page's JSON-LD read, and its text split into blocks. Every later step
reads these instead of walking the tree again.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from html import unescape
from urllib.parse import urlsplit

from bs4 import Comment, NavigableString, Tag
from bs4.element import CData, Declaration, Doctype, ProcessingInstruction

from indexer.ingest.article import collapse_spaces
from indexer.limits import MAX_CHAIN

# ---------------------------------------------------------------------------
# tree walking

_DROP_TAGS = frozenset({
    "script", "style", "noscript", "template", "svg", "iframe", "object", "embed", "canvas",
    "button", "input", "select", "textarea", "option", "label", "head", "title", "meta", "link",
    "map", "video", "audio", "picture", "source", "dialog", "menu",
})
SECTION_BOILERPLATE_TAGS = frozenset({"aside", "footer", "header", "nav"})
BLOCK_TAGS = frozenset({
    "p", "div", "section", "article", "main", "header", "footer", "aside", "li", "ul", "ol", "dl",
    "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "tr",
    "tbody", "thead", "tfoot", "figure", "figcaption", "form", "fieldset", "address",
    "hr", "br", "body", "html", "center", "caption", "details", "summary", "hgroup",
})
CELL_TAGS = frozenset({"td", "th"})  # inline: a table row is one block
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


class CaseBlind:
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
_STRONG_BOILERPLATE = CaseBlind(
    r"share|sharing|social|related|recommend|newsletter|subscri|signup|sign-up|cookie|consent|"
    r"gdpr|comment(?!ar)|byline|contributor|author-bio|\bbio\b|promo(?!ted)|outbrain|taboola|disqus|"
    r"breadcrumb|modal|popup|popover|tooltip|hovercard|rollover|dialog|alertdialog|toolbar|more-stories|read-more|readmore|also-read|"
    r"most-read|most-popular|trending|caption|credit|copyright|visually-hidden|sr-only|"
    r"screen-reader|skip-link|navbar|\bnav\b|navigation|\bmenu|site-header|site-footer|masthead")
WEAK_BOILERPLATE = CaseBlind(
    r"author|advert|\bads?\b|\bad[-_]|sponsor|sidebar|\btags?\b|tag-list|keywords|topics|"
    r"popular|footer|header|paywall|\bprint|email|follow|widget|teaser|(?:^|\s)(?:is-|u-)?hidden(?:\s|$)|\bnav|menu|"
    r"banner|complementary|contentinfo")
# tokens that mark the article itself: never cut these as boilerplate
_CONTENT = CaseBlind(
    r"article[-_]{0,2}body|story[-_]{0,2}body|post[-_]?body|entry[-_]?content|"
    r"post[-_]?content|article[-_]{0,2}content|story[-_]{0,2}content|main[-_]?content|body[-_]?text|"
    r"article[-_]{0,2}text|story[-_]{0,2}text|content[-_]?body|rich[-_]?text|post[-_]?entry|"
    r"article-main|story-main")  # [-_]{0,2}: BEM's "article__content" too
_VARIANT_CLASS = re.compile(r"\S+:\S+")  # utility classes for one medium or state ("print:hidden", "dark:bg-x")


def attr_tokens(tag: Tag) -> str:
    """class, id and role of a tag as one string ("" when it has none)."""
    return _tokens(tag.attrs) if tag.attrs else ""


def is_embedded_post(tag: Tag) -> bool:
    """A post from elsewhere the article quotes (a tweet, an Instagram post): its text,
    signature and date are the post's, not the article's."""
    return bool(tag.attrs) and bool(_EMBEDDED_POST.search(_tokens(tag.attrs)))


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
        headline = bool(_HEADLINE_CLASS.search(tokens)) and not NOT_HEADLINE_CLASS.search(tokens)
        if _EMBED.search(tokens):
            strength = 0  # an embedded post quoted by the article ("social-media-embed")
        else:
            strength = 2 if _STRONG_BOILERPLATE.search(tokens) else 1 if WEAK_BOILERPLATE.search(tokens) else 0
        facts = (headline, bool(_CONTENT.search(tokens)), strength)
        if len(_FACTS_CACHE) < 50_000:
            _FACTS_CACHE[key] = facts
    return facts


def _hidden(attrs: dict) -> bool:
    style = attrs.get("style")
    return attrs.get("aria-hidden") == "true" or attrs.get("hidden") is not None or (
        isinstance(style, str) and ("none" in style or "hidden" in style) and bool(_HIDDEN_STYLE.search(style)))


_FACTS_CACHE: dict[str, tuple[bool, bool, int]] = {}  # the same class strings recur on every page of a site
_EMBED = CaseBlind(r"embed|twitter-tweet|instagram-media|tiktok-embed")
# the classes social networks' embed codes give a quoted post (not "embed" alone: a page's feature flags say it)
_EMBEDDED_POST = CaseBlind(r"twitter-tweet|instagram-media|tiktok-embed|\bfb-post\b|bluesky-embed|mastodon-embed|"
                           r"reddit-embed-bq")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden")


@dataclass
class Block:
    """One run of text a reader sees as a unit (a paragraph, a heading, a table row), and what holds it."""

    element: Tag
    text: str
    link_chars: int
    tag: str
    resumes: bool = False  # the text goes on after an inline element that became its own block


def blocks(root: Tag, boundaries: frozenset[int] = frozenset()) -> list[Block]:
    """Split the subtree into text blocks (maximal inline runs under one block element,
    or under an element in `boundaries`, given by id), iteratively. Each block records
    its owner element, text and characters inside links."""
    blocks: list[Block] = []
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
            blocks.append(Block(owner, text, min(link_chars, len(text)), owner.name, resumes))
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
            resumes = node.name not in BLOCK_TAGS  # an inline boundary: its parent's text goes on
            continue
        if kind is not Tag and not isinstance(node, Tag):
            if isinstance(node, NavigableString) and \
                    not isinstance(node, (Comment, CData, Declaration, Doctype, ProcessingInstruction)):
                parts.append(node)
                if link_depth:
                    link_chars += len(node.strip())
            continue
        name = node.name
        if name in BLOCK_TAGS or id(node) in boundaries or (name in CELL_TAGS and _layout_cell(node)):
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
        elif name in CELL_TAGS:
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
    return any(node.name in BLOCK_TAGS for node in cell.descendants if type(node) is not NavigableString)


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


def json_ld_objects(scripts: list[Tag]) -> list[dict]:
    """Every object in the page's JSON-LD scripts, lists and @graph included; a script that is not
    JSON even with its control characters blanked is skipped."""
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


def ld_types(obj: dict) -> set[str]:
    """A JSON-LD object's @type values, lower-cased (one type or a list)."""
    t = obj.get("@type")
    if isinstance(t, str):
        return {t.lower()}
    if isinstance(t, list):
        return {x.lower() for x in t if isinstance(x, str)}
    return set()


def pick_article_ld(objs: list[dict]) -> dict | None:
    """The JSON-LD object that describes the story: of an article type, a WebPage last,
    one with a body or headline first."""
    best, best_rank = None, 99
    for obj in objs:
        types = ld_types(obj)
        if not types & _ARTICLE_TYPES:
            continue
        rank = 1 if "webpage" in types else 0
        if "articleBody" in obj or "headline" in obj:
            rank -= 0.5
        if rank < best_rank:
            best, best_rank = obj, rank
    return best


def names(value: object) -> list[str]:
    """The names a JSON-LD value gives: a string, an object's "name", or those of a list's items."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        name = value.get("name")
        return names(name) if name else []
    if isinstance(value, list):
        out: list[str] = []
        for v in value:
            out.extend(names(v))
        return out
    return []


def squash(text: str) -> str:
    """Letters and digits only, lower case: for comparing titles across quote styles."""
    return re.sub(r"\W+", "", text).lower()


def domain(url: str | None) -> str | None:
    """The host of a URL without "www.", the site's name when nothing better names it; None when not a URL."""
    if not url:
        return None
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:  # not a URL: a broken IPv6 host ("http://[::1/"), a bad port
        return None
    host = host.removeprefix("www.")
    return host or None


# ---------------------------------------------------------------------------
# the one pass over the tree


@dataclass
class Scan:
    """What one pass over the parsed tree collects."""

    metas: dict[str, str] = field(default_factory=dict)
    canonical: str | None = None
    ld_scripts: list[Tag] = field(default_factory=list)
    title: str = ""
    h1: list[str] = field(default_factory=list)
    h1_first_lines: list[str] = field(default_factory=list)   # an <h1>'s text before its first <br>, when more follows
    headings: list[str] = field(default_factory=list)         # h2/h3 and headline-classed text, in order
    times: list[Tag] = field(default_factory=list)
    published: list[Tag] = field(default_factory=list)         # <time pubdate>, itemprop=datePublished elements
    captions: list[Tag] = field(default_factory=list)
    figures: list[Tag] = field(default_factory=list)
    alt_images: list[Tag] = field(default_factory=list)         # <img> with an alt text of a few words
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
_WRITER_CLASS = CaseBlind(r"(?<![a-z])(?:writer|(?:autor|auteur|autore)(?![a-z]))")
AUTHOR_CLASS = CaseBlind(r"author|(?<![a-z])writer")  # a class naming the author, not only "byline"
# a byline of something else: a photo's credit ("imageByline"), another story's ("teaser__authors")
_OTHER_BYLINES = r"image|photo|foto|picture|teaser|related"
_OTHER_BYLINE_CLASS = re.compile(_OTHER_BYLINES, re.I)
# ... or a list's of other stories ("kontextliste-autor": "Pressemitteilung von Katja Kipping" under each)
_LISTED_BYLINE_CLASS = CaseBlind(_OTHER_BYLINES + "|list")


MAX_TITLE_BLOCKS = 400  # text blocks from the top of the page looked at as headline candidates
MAX_HEADINGS = 40  # h2/h3 and headline-classed elements looked at as headline candidates
_HEADLINE_CLASS = CaseBlind(r"headline|title")
# (a byline's or author's "title" is the writer's job or affiliation: "bylinetitle", "author-title")
NOT_HEADLINE_CLASS = CaseBlind(r"sub-?title|subhead|section|widget|related|teaser|card|promo|nav|menu|list|"
                               r"byline|author")


_NO_FACTS = (False, False, 0)
_MARKUP_LEFT = re.compile(r"-->|<!--|</?[a-zA-Z][^<>]*>")  # pieces of markup in a text: a broken page


def scan(tags: list[Tag]) -> Scan:
    """What the page's tags (all of them, in document order) say, in one pass."""
    scan = Scan()
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
                    if one in AUTHOR_META and (one not in scan.author_metas or not tag.get("itemprop")):
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
            if tag.find("br") is not None:  # "Headline<br>Senior writer Jane Roe": the headline's own line
                first = _first_line(tag)
                if first and first != scan.h1[-1]:
                    scan.h1_first_lines.append(first)
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
        elif name == "img" and len(scan.alt_images) < MAX_ALT_IMAGES:
            alt = tag.get("alt")
            if isinstance(alt, str) and len(alt) >= ALT_CAPTION and alt.count(" ") >= 3:
                scan.alt_images.append(tag)
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
        if name in SECTION_BOILERPLATE_TAGS:
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
            strength = 4  # strong, and its text is not what a reader sees (see extract_body)
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
    scan.captions.extend(_alt_captions(scan.alt_images))
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


MAX_ALT_IMAGES = 60  # pictures looked at for a caption that repeats their alt text
ALT_CAPTION = 20     # characters of an alt text (four words or more) that a caption may repeat
_CAPTION_TAGS = frozenset({"div", "p", "span", "small", "em", "i"})


def _alt_captions(images: list[Tag]) -> list[Tag]:
    """Unmarked captions: the element just after a picture (or after the wrapper it sits in, two levels
    up at most) whose whole text is the picture's alt text, a sentence of four words or more: a caption
    set under its picture without markup that says so ("<img alt='X ...'></div><div>X ...</div>"). Not a
    heading nor a link, nor under a linked picture (a teaser's title under its picture)."""
    found: list[Tag] = []
    for img in images:
        if img.find_parent("a") is not None:
            continue
        alt = squash(img.get("alt") or "")
        node = img
        for _ in range(3):
            sibling = node.find_next_sibling()
            if sibling is not None:
                if sibling.name in _CAPTION_TAGS and sibling.find(("a", "h1", "h2", "h3", "h4", "h5", "h6")) is None \
                        and squash(sibling.get_text(" ")) == alt:
                    found.append(sibling)
                break
            node = node.parent
            if node is None:
                break
    return found


_ENTRY_TYPES = frozenset({"text", "email", "search", "tel", "password", "number", "url"})
FORM_COMMAS = 10  # commas that make a form's text prose (Readability keeps such a node whatever it holds)


def _first_line(tag: Tag) -> str:
    """The text of an element before its first <br>."""
    parts = []
    for node in tag.descendants:
        if isinstance(node, Tag):
            if node.name == "br":
                break
        elif type(node) is NavigableString:
            parts.append(str(node))
    return collapse_spaces(" ".join(parts))


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


def text_value(value: object) -> str | None:
    """A metadata value as one line of text (the first of a list), entities decoded; None when empty."""
    if isinstance(value, list) and value:
        value = value[0]
    if isinstance(value, str) and value.strip():
        return collapse_spaces(unescape(value))
    return None


# Readability's order first (it reads a name's "." as ":": "DC.creator", "dcterm.creator")
AUTHOR_META = ("dc:creator", "dcterm:creator", "author", "article:author", "byl", "sailthru.author",
               "parsely-author", "dc.creator", "dcterm.creator", "dcterms.creator", "citation_author")


END_PUNCT = re.compile(r"[.!?…\"”’)\]:。！？」』؟۔]$")  # and the full stops of Chinese, Japanese, Arabic, Urdu
JUNK_LINE = re.compile(
    r"^(advertisement|advert|ad|story continues below|continue reading|read more|share|share this|"
    r"related|see also|sign up|subscribe|follow us|click here|image|photo|loading|"
    r"supported by|skip to .*|this story has been shared.*|more|tags|sponsored|sponsored links?|"
    r"related (?:articles|stories|links)|more (?:articles|stories)|text size|font(?: size)?|share with|"
    r"printer[- ]friendly(?: page| version)?|print (?:this )?(?:article|page|story)|e-?mail this (?:article|story)|"
    r"send this article to (?:a )?friends?(?: by e-?mail)?|"
    # an advertisement's label and a "read also" label in other languages, on a line of their own
    r"anzeige|werbung|publicidad|publicité|pubblicità|reklame|advertentie|реклама|广告|広告|광고|anúncio|"
    r"lire aussi|lesen sie auch|mehr zum thema|weiterlesen|leer más|lee también|leia também|leggi anche)\W*$", re.I)
