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

This module reads a page's bytes and runs the steps, each a module of its own:
`markup` (repairs before the parse, the tree builder), `scan` (the one pass
over the tree: marks, metadata, JSON-LD, blocks), `captions`, `authors`,
`pagedate`, `headline` and `body` (the article element and its text). Each
imports only modules named before it.
"""

from __future__ import annotations

import re
import warnings
from html import unescape
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup, Tag, XMLParsedAsHTMLWarning
from bs4.element import AttributeDict

from indexer.errors import SourceError
from indexer.ingest.article import Article, CleanedArticle, collapse_spaces, derived_id
from indexer.ingest.bylines import normalise_byline
from indexer.ingest.encoding import decode_bytes, looks_binary, sniff_declared_charset
from indexer.ingest.html.authors import author as _author
from indexer.ingest.html.authors import (
    cjk_credit_author,
    labelled_byline,
    script_author,
    signature_author,
    without_editors,
)
from indexer.ingest.html.body import (
    MAX_NOTICE,
    NOTICE,
    SHORT_BODY,
    extract_body,
    leaked_code,
    listing_body,
    name_line,
    page_text,
    without_inline_wrappers,
)
from indexer.ingest.html.captions import captions as _captions
from indexer.ingest.html.headline import (
    FALLBACK,
    MAX_LEAD_LINES,
    MOST_OF_TITLE,
    SECTION,
    SURE,
    heading_over_body,
    line_over_body,
    told_in,
)
from indexer.ingest.html.headline import headline as _headline
from indexer.ingest.html.markup import (
    HTMLBuilder,
    with_sections_closed,
    with_title_closed,
    without_unseen,
    without_unseen_space,
)
from indexer.ingest.html.pagedate import EUROPE_LANGUAGES, has_prose, page_date, writes_day_first
from indexer.ingest.html.pagedate import declared_date as _declared_date
from indexer.ingest.html.scan import END_PUNCT, Block, Scan, domain, json_ld_objects, names, pick_article_ld, text_value
from indexer.ingest.html.scan import blocks as _blocks
from indexer.ingest.html.scan import scan as _scan


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
    publication = page.publication or domain(page.url)
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
        markup = without_unseen_space(with_sections_closed(with_title_closed(without_unseen(html))))
        builder = HTMLBuilder(multi_valued_attributes=None, attribute_dict_class=AttributeDict)
        soup = BeautifulSoup(markup, builder=builder)
    return _clean_soup(soup, builder.tags, url, html)


def _clean_soup(soup: BeautifulSoup, tags: list[Tag], url: str | None, html: str) -> CleanedArticle:
    scan = _scan(tags)
    metas = scan.metas
    ld_objects = json_ld_objects(scan.ld_scripts)
    ld = pick_article_ld(ld_objects) or {}

    page_url = _page_url(scan, ld, url)
    publication = _publication(metas, ld, page_url)
    author = _author(scan, ld, ld_objects, publication, domain(page_url))
    declared_date, generic_date = _declared_date(scan, ld)

    for tag in scan.drop:
        tag.extract()
    # captions stay in the tree (as boilerplate) until the article container is known
    # a page pasted after another's </html> gives lxml a <body> for each: a browser shows them as one
    root = soup.body if scan.bodies == 1 else soup
    soft = without_inline_wrappers(scan.soft + [(c, 3) for c in scan.captions])
    blocks = [b for b in _blocks(root, frozenset(id(t) for t, _ in soft)) if not leaked_code(b)]
    author = without_editors(author, scan, blocks)
    headline, rank = _headline(scan, ld, publication, domain(page_url), blocks)
    body, container, byline, date_line, start = extract_body(root, blocks, soft, scan.content, headline)
    if len(body) < SHORT_BODY:  # no prose found: a page of tables, lists or short lines
        relaxed = extract_body(root, blocks, soft, scan.content, headline, relaxed=True)
        if len(relaxed[0]) > len(body):
            body, container, start = relaxed[0], relaxed[1], relaxed[4]
    if len(body) < SHORT_BODY:  # still nothing: the page's prose may all be under weak marks set wrong
        unmarked = extract_body(root, blocks, soft, scan.content, headline, weak_chunks=True)
        if len(unmarked[0]) >= SHORT_BODY:
            body, container, start = unmarked[0], unmarked[1], unmarked[4]
    story = None  # what was found of a story, when the body is the page's own text instead
    if not body:  # nothing at all: no story on the page, its own text is what it holds
        whole = page_text(blocks, soft)
        if len(whole) >= SHORT_BODY:
            story, body, container, start = body, whole, None, None
    if _only_notice(body):  # a site's copyright line, and nothing of a story: no story found
        body = ""
    if len(body) < SHORT_BODY and not END_PUNCT.search(body):  # not a sentence: a live blog's or video's shell
        lead = _shown_description(metas, blocks)
        if lead:
            story, body, container, start = None, lead, None, None
    listing = listing_body(blocks, soft, container, body, headline)
    if listing is not None:  # a page without a story: its main area's lists and tables whole
        body = listing
    if rank == SECTION:
        rank = SURE if container is None or any(collapse_spaces(h.get_text(" ")) == headline
                                                for h in container.find_all("h1", limit=3)) else FALLBACK
    if rank in (MOST_OF_TITLE, FALLBACK):  # no declared headline: the heading over the article
        over = heading_over_body(blocks, start, headline if rank == MOST_OF_TITLE else None, scan.title)
        if over is None and not headline:  # nothing names one: the line standing over the article
            over = line_over_body(blocks, start)
        elif over is None and headline not in scan.h1 and not told_in(headline, body):
            # only the site's or a section's name ("SuperSoccer", "News Update Service"): the line over the
            # article, if the story tells of it
            line = line_over_body(blocks, start)
            over = line if line and told_in(line, body) else None
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
        author = normalise_byline([byline], publication, domain(page_url), from_text=True)
    if byline and not author:  # that line named no one ("Von Tory zu ...: a comment's teaser"): "Author: A"
        labelled = next(filter(None, map(labelled_byline, blocks)), None)
        author = normalise_byline([labelled], publication, domain(page_url), from_text=True) if labelled else None
    if not author:  # "Dan Goodin - Apr 16, 2015", "von / Anne-Marie Slaughter": a name under the headline
        author = normalise_byline(name_line(blocks, headline), publication, domain(page_url), from_text=True)
    if not author:  # "Jim Litke is a national sports columnist for The Associated Press." under the story
        author = signature_author(body, publication, domain(page_url))
    if not author:  # "新京报讯（记者 陆一夫）", "【文/观察者网专栏作者 王文】" opening the story
        author = cjk_credit_author(body, publication, domain(page_url))
    if not author:  # window.__STATE__ = {"article": {"author": {"name": "Jane Roe"}}}
        author = script_author(html, publication, domain(page_url))
    lang = ((soup.html.get("lang") if soup.html else None) or scan.metas.get("og:locale")
            or scan.metas.get("content-language") or "")
    language = lang.lower().replace("_", "-")
    dayfirst = language not in ("", "en", "en-us") or (language in ("", "en") and writes_day_first(page_url or url))
    date = page_date(declared_date, scan, ld, (page_url, url), html, (byline, date_line),
                     has_prose=has_prose(body if story is None else story),  # a list's items have dates
                     dayfirst=dayfirst, generic=generic_date, european=language.split("-")[0] in EUROPE_LANGUAGES)
    captions = _captions(scan, container)
    if len(body) < SHORT_BODY and listing is None and _captions_tell_the_story(captions, body):
        body, captions = "\n\n".join(([body] if body else []) + captions), []  # a gallery's captions are its story
    return CleanedArticle(headline=headline, body=body, captions=captions, publication=publication,
                       author=author, date=date, url=page_url)


GALLERY_CAPTIONS = 3  # captions of prose that make a gallery whose captions are the story ...
CAPTION_PROSE = 60    # ... each a sentence of this many characters or more


NOTICE_COMPANY = 80  # characters of a line beside a lone copyright notice that would be a story's sentence
MIN_SHOWN_DESCRIPTION = 100  # characters of a declared description, its opening found again on the page


def _only_notice(body: str) -> bool:
    """A short body that is the page's copyright notice and lines shorter than a story's sentence (a
    spam or shop page whose footer was all the text found): no story, not an article's text."""
    if not body or len(body) >= SHORT_BODY:
        return False
    paragraphs = body.split("\n\n")
    return any(len(p) <= MAX_NOTICE and NOTICE.match(p) for p in paragraphs) \
        and all(len(p) < NOTICE_COMPANY or NOTICE.match(p) for p in paragraphs)


def _shown_description(metas: dict[str, str], blocks: list[Block]) -> str | None:
    """The page's declared description where the page also shows it (its standfirst): the only prose of a
    page whose story is loaded by script (a live blog's entries, a video), which the text found lacks."""
    declared = collapse_spaces(metas.get("og:description") or metas.get("description")
                               or metas.get("twitter:description") or "")
    if len(declared) < MIN_SHOWN_DESCRIPTION:
        return None
    opening = declared[:MIN_SHOWN_DESCRIPTION]
    return next((b.text for b in blocks if b.text.startswith(opening)), None)


def _captions_tell_the_story(captions: list[str], body: str) -> bool:
    """A gallery whose captions are its story (a slideshow under a one-line intro, or no text but the captions):
    GALLERY_CAPTIONS or more captions that are sentences, twice the short body's text together."""
    prose = [c for c in captions if len(c) >= CAPTION_PROSE and END_PUNCT.search(c)]
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


def _page_url(scan: Scan, ld: dict, url: str | None) -> str | None:
    page_url = scan.canonical or scan.metas.get("og:url") or text_value(ld.get("url")) or url
    try:
        if page_url and url and not urlsplit(page_url).scheme:
            page_url = urljoin(url, page_url)
    except ValueError:  # a broken IPv6 host: the page's own address, if any
        return url
    return page_url


def _publication(metas: dict[str, str], ld: dict, page_url: str | None) -> str | None:
    candidates = [metas.get("og:site_name"), *names(ld.get("publisher")), metas.get("application-name")]
    for candidate in candidates:
        name = text_value(candidate)
        if not name:
            continue
        if re.match(r"https?://|www\.", name):
            return domain(name if "//" in name else "http://" + name)
        # "The Jerusalem Post | JPost.com", "LinkNaija | Nigeria's popular news platform"
        name = re.split(r"\s+[|–—]\s+|\s+-\s+", name)[0].strip()
        if name:
            return name
    return None
