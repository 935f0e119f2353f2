"""Is a crawled page an article? A rule on the page's structure, never a list of sites.

A crawl holds home pages, section fronts, tag and author lists, search pages,
login and cookie walls and error pages served with status 200 beside the
articles. What tells them apart, whatever the site: an article has prose of
its own, while those pages are lists of linked headlines, mostly links, or
hardly any text around a form; and an article usually says it is one
(`og:type` article, a JSON-LD *Article, an `article:published_time`, an
`articleBody`). Each reason below is one such structure. Measured in
benchmarks/README-warc.md: how many real articles of the shared sets the rule
drops (under 1%), and how many real non-article pages it keeps.

A page kept as an article may still hold no story (an episode guide, a recipe):
`holds_no_story` tells the cleaner (html/body.py) to give its main area's lists and
tables whole (benchmarks/README-cleaning.md, session 10 `gtlists`).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from indexer.ingest.article import Article

# markup that declares the page an article (Open Graph, JSON-LD, schema.org microdata)
_ARTICLE_MARKUP = re.compile(
    rb"""og:type["']?\s+content=["']?article|article:published_time|"""
    rb""""@type"\s*:\s*\[?\s*"(?:News|Reportage|Analysis|Opinion|Review|Scholarly|Tech)?Article"|"""
    rb""""@type"\s*:\s*\[?\s*"(?:BlogPosting|LiveBlogPosting)"|itemprop=["']?(?:articleBody|datePublished)""",
    re.I)
_LINK = re.compile(rb"<a\s", re.I)
# a heading that is a link, or a link around a heading: a teaser's headline
_LINKED_HEADING = re.compile(
    rb"<h[1-6][^>]*>\s*(?:<[^a/!][^>]*>\s*)*<a\s|<a\s[^>]*>\s*(?:<[^/!][^>]*>\s*)*<h[1-6]", re.I)
# one <article> element per teaser: how blog and news themes lay out tag, section and search pages
_ARTICLE_ELEMENT = re.compile(rb"<article[\s>]", re.I)
_PASSWORD_FIELD = re.compile(rb"<input[^>]+type\s*=\s*[\"']?password", re.I)
_FORM_CONTROL = re.compile(rb"<(?:form|button)[\s>]", re.I)
# what an error page's title says, in the languages of the shared sets (a status
# code is the same in all of them; "$2,500" or "1.500 m" is no status code)
_ERROR_TITLE = re.compile(
    r"(?<![\d.,$€£¥])\b(?:40[0134]|410|50[0-3])\b(?![.,]\d)|"
    r"not found|\berror\b|nicht gefunden|\bfehler|introuvable|\berreur|"
    r"no encontrad|non trovat|n[aã]o encontrad|不存在|找不到|错误|見つかりません|エラー|찾을 수 없|오류", re.I)
# what a cookie or consent wall's text is about
_CONSENT_WORDS = re.compile(
    r"cookie|consent|\bgdpr\b|datenschutz|einwilligung|zustimm|privacy|confidentialit|privacidad|"
    r"同意|隐私|쿠키|개인정보", re.I)
_HOME_PATH = re.compile(r"/?(?:(?:index|default|home|start)\.\w+)?", re.I)
# a site search's address: its last path segment names a search, or its query carries search terms
_SEARCH_PATH = re.compile(
    r"(?:advanced[-_]?)?(?:search|suche|recherche|busca|buscar|cerca|zoeken|szukaj|sok|haku)(?:[-_]?results?)?"
    r"(?:\.\w+)?", re.I)
_SEARCH_QUERY = re.compile(
    r"(?:^|&)(?:q|query|search|searchterm|search_query|keywords?|kws|suchbegriff)=[^&]", re.I)
_WIDE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_UNSPACED = re.compile(r"[\u0e00-\u0fff\u1000-\u109f\u1780-\u17ff]")  # Thai, Lao, Tibetan, Burmese, Khmer
UNSPACED_WORD_LETTERS = 5  # letters (with their vowel and tone marks) of a Thai or Khmer word, about
_PARAGRAPH_BREAK = re.compile(r"\n+")

# A paragraph of this many words is prose (a teaser line or a menu is shorter).
PROSE_PARAGRAPH_WORDS = 15
# Without prose, more than this many links per 100 words of text is a list of links.
LINKS_PER_100_WORDS = 100
# This many linked headings with at most one paragraph of prose is a list of teasers; so are
# they with a short text in at least this many <article> elements, twice as many as its paragraphs.
TEASER_HEADINGS = 10
TEASER_ARTICLES = 10
LIST_PAGE_WORDS = 300
# A login wall, a consent wall and an error page hold fewer words than these.
FORM_PAGE_WORDS = 150
CONSENT_PAGE_WORDS = 100
# A page whose title is about cookies or consent, with a form and no date, holds fewer words than this.
CONSENT_TITLED_PAGE_WORDS = 200
ERROR_PAGE_WORDS = 300
# A title is at most this long (a longer "headline" is script text a broken page spilled into it).
TITLE_CHARS = 200


def prose_words(text: str) -> int:
    """Words of running text; a CJK character counts as half a word (a Chinese or
    Japanese word is one to two characters and carries no spaces), and Thai, Lao,
    Khmer, Burmese or Tibetan, whose spaces part phrases, a word every five letters."""
    wide = len(_WIDE.findall(text)) // 2
    if not _UNSPACED.search(text):
        return len(text.split()) + wide
    return (sum(1 for token in text.split() if not _UNSPACED.search(token)) + wide
            + len(_UNSPACED.findall(text)) // UNSPACED_WORD_LETTERS)


def is_home_page(url: str | None) -> bool:
    """Whether `url` is a site's root (`/`, `/index.html`) with no query: its
    home page (`/index.php?article=12` is a page of the site, not its home)."""
    if not url or "://" not in url:
        return False
    parts = urlsplit(url)
    return not parts.query and _HOME_PATH.fullmatch(parts.path) is not None


def is_search_page(url: str | None) -> bool:
    """Whether `url` is a site search's address (`/search`, `/forum/search.php`,
    `?q=budget`, `?kws=graduate`): what such a page holds is a form and a list of
    hits, whatever its layout (`?s=` is left out: sites use it for sessions too)."""
    if not url or "://" not in url:
        return False
    parts = urlsplit(url)
    last = parts.path.rstrip("/").rsplit("/", 1)[-1]
    return _SEARCH_PATH.fullmatch(last) is not None or _SEARCH_QUERY.search(parts.query) is not None


def not_an_article(page: bytes, article: Article, url: str | None = None) -> str | None:
    """Why a cleaned page is not an article, or None when it may be one.

    `url` is the address the page was fetched from (a WARC-Target-URI), not
    what the page says of itself. A page that declares itself an article is
    one. Otherwise it is not when it is a site's home page; a site search's
    page (its address says so, and the page has no date); an error page (its
    title says so, it holds a little text and no date: a short report of
    an error is dated); a login wall (a password
    field, hardly any text, no date); a cookie or consent wall (a paragraph or
    three about cookies or consent, around a form; or a short undated page
    with a form whose title is about them); a list of teasers (many
    linked headlines, at most one paragraph of prose, or a short text laid
    out as one <article> element per teaser); or a list of links (no
    date, not one paragraph of prose, more links than words); or a page where the
    cleaner found no story text at all (its only text the site's furniture). The thresholds
    were chosen on the shared article sets to drop under 1% of their real
    articles (benchmarks/README-warc.md)."""
    reason = _structure(page, article, url)
    if reason and _ARTICLE_MARKUP.search(page):
        return None  # (searched last: a page-long scan, needed only for a page that looks like no article)
    return reason


def _structure(page: bytes, article: Article, url: str | None) -> str | None:
    """The reason the page's structure is not an article's, cheapest tests first."""
    if is_home_page(url):
        return "a site's home page (its address is the site's root)"
    if article.date is None and is_search_page(url):
        return "a search page (its address is a site search's) with no date"
    paragraphs = [prose_words(p) for p in _PARAGRAPH_BREAK.split(article.body)]
    words = sum(paragraphs)
    prose = sum(n >= PROSE_PARAGRAPH_WORDS for n in paragraphs)
    if (0 < words < ERROR_PAGE_WORDS and article.date is None and len(article.headline) <= TITLE_CHARS
            and _ERROR_TITLE.search(article.headline)):
        return "an error page (its title says so) with hardly any text and no date"
    if (words < FORM_PAGE_WORDS and prose <= 2 and article.date is None
            and _PASSWORD_FIELD.search(page)):
        return "a login wall (a password field and hardly any text)"
    if (words < CONSENT_PAGE_WORDS and 1 <= prose <= 3 and _FORM_CONTROL.search(page)
            and _CONSENT_WORDS.search(f"{article.headline}\n{article.body}")):
        return "a cookie or consent wall (hardly any text, about consent, and a form)"
    if (words < CONSENT_TITLED_PAGE_WORDS and article.date is None and _FORM_CONTROL.search(page)
            and len(article.headline) <= TITLE_CHARS and _CONSENT_WORDS.search(article.headline)):
        return "a cookie or consent wall (its title is about cookies or consent, a form, little text, no date)"
    if words and (prose <= 1 or words < LIST_PAGE_WORDS) and len(_LINKED_HEADING.findall(page)) >= TEASER_HEADINGS:
        if prose <= 1:
            return f"a list of teasers ({TEASER_HEADINGS}+ linked headlines, no prose)"
        if len(_ARTICLE_ELEMENT.findall(page)) >= max(TEASER_ARTICLES, 2 * prose):
            return f"a list of teasers ({TEASER_HEADINGS}+ linked headlines, each paragraph in its own <article>)"
    if article.date is None and not prose and len(_LINK.findall(page)) * 100 >= words * LINKS_PER_100_WORDS:
        return "no prose paragraph, no date or article markup, more links than words"
    if not article.body.strip():
        return "no story text (what the cleaner found was the site's furniture: a footer's copyright line)"
    return None


# A page that holds no story: an episode guide, a cast list, a recipe, a product's page, a breed's
# facts. Its body is not a run of prose paragraphs but lists, tables and like items in the page's
# main area (what a reader of such a page came for, and what trafilatura keeps); a cleaner built
# for stories picks one prose chunk of it or drops its list and table text.
STORY_PARAGRAPHS = 3  # a body with more prose paragraphs than this is a story ...
STORY_SHARE = 0.25    # ... unless it is at most this share of the link-poor text around it
LISTING_GROWTH = 1.5  # the main area holds at least this many times the body's text
LISTING_SHARE = 0.5   # ... and at least this share of it in list items, table cells, definitions or like items


def may_hold_no_story(body: str, around_chars: int) -> bool:
    """Whether a body inside `around_chars` characters of link-poor text (the page's, or its main
    area's) may be no story: much less than what is around it, and a small part of it or not more
    than STORY_PARAGRAPHS paragraphs of prose (PROSE_PARAGRAPH_WORDS words or more)."""
    if around_chars < LISTING_GROWTH * len(body):
        return False
    if len(body) <= STORY_SHARE * around_chars:
        return True
    prose = 0
    for paragraph in _PARAGRAPH_BREAK.split(body):
        if prose_words(paragraph) >= PROSE_PARAGRAPH_WORDS:
            prose += 1
            if prose > STORY_PARAGRAPHS:
                return False
    return True


def holds_no_story(body: str, area_chars: int, listed_chars: int) -> bool:
    """Whether the page's main area (`area_chars` of link-poor text, `listed_chars` of it in list
    items, table cells, definitions or like items) is a listing rather than the setting of a story
    whose text is `body`."""
    return listed_chars >= LISTING_SHARE * area_chars and may_hold_no_story(body, area_chars)
