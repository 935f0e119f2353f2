"""Is a crawled page an article? A rule on the page's structure, never a list of sites.

A crawl holds home pages, section fronts, tag and author lists, search pages,
login and cookie walls and error pages served with status 200 beside the
articles. What tells them apart, whatever the site: an article has prose of
its own, while those pages are mostly links or hold hardly any text; and an
article usually says it is one (`og:type` article, a JSON-LD *Article, an
`article:published_time`, an `articleBody`). Measured in
benchmarks/README-warc.md: how many real articles of the shared sets the rule
drops, and how many crawled non-article pages it keeps.
"""

from __future__ import annotations

import re

from indexer.ingest.article import Article

# markup that declares the page an article (Open Graph, JSON-LD, schema.org microdata)
_ARTICLE_MARKUP = re.compile(
    rb"""og:type["']?\s+content=["']?article|article:published_time|"""
    rb""""@type"\s*:\s*\[?\s*"(?:News|Reportage|Analysis|Opinion|Review|Scholarly|Tech)?Article"|"""
    rb""""@type"\s*:\s*\[?\s*"(?:BlogPosting|LiveBlogPosting)"|itemprop=["']?(?:articleBody|datePublished)""",
    re.I)
_LINK = re.compile(rb"<a\s", re.I)
_WIDE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_PARAGRAPH_BREAK = re.compile(r"\n+")

# A paragraph of this many words is prose (a teaser line or a menu is shorter).
PROSE_PARAGRAPH_WORDS = 15
# Without prose, more than this many links per 100 words of text is a list of links.
LINKS_PER_100_WORDS = 100


def prose_words(text: str) -> int:
    """Words of running text; a CJK character counts as half a word (a Chinese or
    Japanese word is one to two characters and carries no spaces)."""
    return len(text.split()) + len(_WIDE.findall(text)) // 2


def not_an_article(page: bytes, article: Article) -> str | None:
    """Why a cleaned page is not an article, or None when it may be one.

    Only a page with no sign of being an article is dropped: no article markup,
    no publication date, not one paragraph of prose, and more links than words
    (or no text at all). The thresholds were chosen on the shared article sets
    to drop under 1% of their real articles (benchmarks/README-warc.md)."""
    if article.date is not None or _ARTICLE_MARKUP.search(page):
        return None
    paragraphs = [prose_words(p) for p in _PARAGRAPH_BREAK.split(article.body)]
    if any(words >= PROSE_PARAGRAPH_WORDS for words in paragraphs):
        return None
    words = sum(paragraphs)
    links = len(_LINK.findall(page))
    if links * 100 >= words * LINKS_PER_100_WORDS:
        return "no prose paragraph, no date or article markup, more links than words"
    return None
