"""The story's headline: the declared titles against the page's headings, and the
heading over the article where no title names one; also how sure the choice is,
which the body's placement can settle later.
"""

from __future__ import annotations

import re
import unicodedata
from html import unescape

from bs4 import NavigableString, Tag

from indexer.ingest.article import collapse_spaces
from indexer.ingest.html.authors import is_text_byline
from indexer.ingest.html.body import CJK_WORTH
from indexer.ingest.html.pagedate import CJK_CHAR, find_written_date
from indexer.ingest.html.scan import (
    END_PUNCT,
    JUNK_LINE,
    MAX_HEADINGS,
    MAX_TITLE_BLOCKS,
    NOT_HEADLINE_CLASS,
    Block,
    Scan,
    attr_tokens,
    squash,
    text_value,
)
from indexer.ingest.pagekind import prose_words

_TITLE_SEPARATORS = re.compile(r"\s+(?:--|[|–—\-·:»])\s+")  # " -- ": a typewriter's dash
_TITLE_PARTS = re.compile(r"\s+(?:--|[|–—\-·:»/])\s+|\s*[|–—]\s*|(?<=\w)-(?=[A-Z])")  # also "Headline-Section-Site"


def _strip_site_tail(title: str, site: str | None, domain: str | None = None) -> str:
    """"Headline | Section | Site" -> "Headline"; also "Site: Headline"."""
    title = collapse_spaces(title)
    parts = _TITLE_SEPARATORS.split(title)
    if len(parts) < 2:
        return title
    names = {squash(n) for n in (site, (domain or "").split(".")[0]) if n and squash(n)}
    last, first = squash(parts[-1]), squash(parts[0])
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


SURE, MOST_OF_TITLE, _DECLARED, FALLBACK, SECTION = 0, 1, 2, 3, 4  # how a headline was found: see headline


def headline(scan: Scan, ld: dict, publication: str | None, domain: str | None,
             blocks: list[Block]) -> tuple[str, int]:
    """The headline a reader sees, and how sure: the visible <h1> (or heading) that agrees
    with the declared headline (JSON-LD, og:title), or the page's <h1> in its <title> (SURE);
    the longest visible heading that is most of the page's declared title (MOST_OF_TITLE); on
    a page that declares nothing, an <h1> in mostly the title's words (SURE); else the declared
    one (_DECLARED), else the <h1>, else the <title>, without the site's name (FALLBACK). A
    three-word <h1> that is one part of the title on a page that declares nothing (SECTION) is
    the headline only if it is inside the article's markup."""
    site = squash(domain or "") or None  # a declared title that is the site's address ("News.az") heads no story
    raw_declared = [t for t in (text_value(ld.get("headline")), text_value(scan.metas.get("og:title")),
                                text_value(scan.metas.get("twitter:title")), text_value(ld.get("name")))
                    if t and squash(t) != site]
    declared = [_strip_site_tail(t, publication, domain) for t in raw_declared]
    title = _strip_site_tail(collapse_spaces(unescape(scan.title)), publication, domain)
    h1s = [h for h in scan.h1[:3] if h]
    visible = h1s + scan.h1_first_lines[:3] + [h for h in scan.headings if h]
    for text in visible:
        if any(squash(text) == squash(t) for t in declared):
            return text, SURE
    for text in h1s:  # "Vadodara / Headline": the declared headline under the <h1>'s dateline or kicker
        shown = _TITLE_PARTS.split(text)
        if len(shown) == 2 and any(squash(shown[1]) == squash(t) for t in declared):
            return shown[1], SURE
    for text in declared:
        if text.endswith(("...", "…")):  # JSON-LD headlines get cut at 110 characters
            stem = squash(text)
            for longer in (*declared, *h1s):
                if squash(longer).startswith(stem) and len(squash(longer)) > len(stem):
                    return longer, SURE
    # "Headline - Section - Site" that the tail rules cannot cut: the visible heading it holds
    wholes = [squash(t) for t in (*raw_declared, " ".join(unescape(scan.title).split())) if t]
    names = [n for n in (squash(publication or ""), squash((domain or "").split(".")[0])) if len(n) >= 3]
    for h1 in h1s + scan.h1_first_lines[:3]:  # the page's own <h1> inside its title ("About us - Site"): the headline
        key = squash(h1)
        if len(key) >= 6 and not any(n in key for n in names) and any(key in whole for whole in wholes):
            # on a page that declares nothing, an <h1> of one or two words may be the section's
            # name ("cbs4denver.com - Sports Wire"): a fallback, the heading over the article wins
            if not raw_declared and len(h1.split()) == 3 \
                    and key in {squash(part) for part in _TITLE_PARTS.split(unescape(scan.title))}:
                return h1, SECTION  # "wjz.com - Local Sports Wire": a section's name, unless it heads the article
            return h1, (SURE if raw_declared or prose_words(h1) > 2 else FALLBACK)
    headings = [h for h in scan.headings if h]
    texts = [b.text for b in blocks[:MAX_TITLE_BLOCKS] if 10 <= len(b.text) <= 300]
    for candidates in (headings, texts):
        best, best_len = "", 0
        for text in candidates:
            key = squash(text)
            if _heft(key) >= 12 and prose_words(text) >= 3 and len(key) > best_len \
                    and not any(n in key for n in names) \
                    and any(key in whole and len(key) >= 0.4 * len(whole) for whole in wholes):
                best, best_len = text, len(key)
        if best:
            return best, MOST_OF_TITLE
    for h1 in h1s if not raw_declared else ():  # nothing declared, a title reworded for search engines: the <h1>
        if _words_shared(h1, title):  # ("100 years at the Los Angeles Coliseum" over "One hundred years at ...")
            return h1, SURE
    # "Site - Local News - Headline", "Headline-Section-Site": a visible line that is one part of the title
    parts = {squash(part) for whole in (*raw_declared, unescape(scan.title))
             for part in _TITLE_PARTS.split(whole)}
    best = max((t for t in texts if prose_words(t) >= 3 and _heft(squash(t)) >= 12 and squash(t) in parts
                and not any(n in squash(t) for n in names)), key=len, default="")
    if best:
        return best, MOST_OF_TITLE
    if declared:
        return declared[0], _DECLARED
    for h1 in h1s:  # a logo in <h1> is not in the page title; a headline is
        if not title or squash(h1) in squash(scan.title):
            return h1, FALLBACK
    return title or (h1s[0] if h1s else ""), FALLBACK


_WORD = re.compile(r"[^\W_]+")
MIN_WORDS_SHARED = 0.6  # of the title's words, and of the heading's, for a heading that rewords the title


def _words_shared(heading: str, title: str) -> bool:
    """The heading says what the title says in mostly the same words (three or more)."""
    ours, theirs = set(_WORD.findall(heading.casefold())), set(_WORD.findall(title.casefold()))
    shared = len(ours & theirs)
    return len(theirs) >= 3 and shared >= MIN_WORDS_SHARED * len(theirs) and shared >= MIN_WORDS_SHARED * len(ours)


def _heft(key: str) -> int:
    """A squashed line's length in letters, a Chinese, Japanese or Korean character worth three
    (a 10-character Chinese headline, "中华人民共和国监察法", is as long as a 30-letter one)."""
    return len(key) + (CJK_WORTH - 1) * len(CJK_CHAR.findall(key))


_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4"})
_EMPHASIS_TAGS = frozenset({"b", "strong", "font", "big"})
_HEADING_CLASS = re.compile(r"head|title", re.I)
MAX_HEADING_GAP = 6  # blocks between a headline and the article's first paragraph, at most


def heading_over_body(blocks: list[Block], start: int | None, found: str | None, title: str) -> str | None:
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
    whole = squash(unescape(title))
    if found is None or (squash(found) == whole and not any(b.text == found for b in blocks[max(0, far):start + 1])):
        whole = None
    if whole is not None and not any(b.text == found for b in blocks[first:start + MAX_LEAD_LINES + 2]):
        right_over = _heading_right_over(blocks, first, start)  # `found` far up (a masthead): this outranks it
        if right_over:
            return right_over
    chosen = None
    for index, block in zip(range(start, first - 1, -1), reversed(near)):
        text = block.text
        h1 = block.tag == "h1"  # a Chinese or Japanese <h1> by its characters (other lines: a section's label)
        if not ((_heft(text) if h1 else len(text)) >= 10 and len(text) <= 250) \
                or (prose_words(text) if h1 else len(text.split())) < (4 if index < far else 2) \
                or JUNK_LINE.match(text) \
                or is_text_byline(text) or (text.endswith(".") and not text.endswith("...")) \
                or find_written_date(text) or _only_date(text):
            continue
        if not _looks_like_heading(block):
            continue
        if block.link_chars > 0.5 * len(text) and block.tag not in _HEADING_TAGS:
            continue
        if chosen is None:
            if whole is not None and squash(text) not in whole:
                return None
            chosen = text
            if block.tag == "h1":
                break
            continue
        # a lower heading nearest the story may be its standfirst under the headline
        # (<h1>Headline</h1><h2 class="dek">...</h2>): the <h1> over it that the <title> words back wins
        # (not a site's section named in the <title>, "wjz.com - Local Sports Wire")
        if block.tag == "h1" and (whole is None or squash(text) in whole) and prose_words(text) >= 4 \
                and squash(text) not in {squash(part) for part in _TITLE_PARTS.split(unescape(title))} \
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


def _heading_right_over(blocks: list[Block], first: int, start: int) -> str | None:
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
            and not _lead_line(text) and not text.endswith((".", ":")) and not JUNK_LINE.match(text):
        return text
    return None


def _lead_line(text: str) -> bool:
    """A date or byline line that opens a story, above or below its headline."""
    return len(text) < 100 and (_only_date(text) or bool(find_written_date(text)) or is_text_byline(text))


_DATE_WORD = re.compile(
    r"\b(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun|monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|february|march|april|june|july|august|"
    r"september|october|november|december|\d+(?:st|nd|rd|th)?|[ap]\.?m|gmt|utc|bst|cet|cest|[ecmp][sd]t|"
    r"updated|published|posted|last|on|at|of)\b", re.I)


def _only_date(text: str) -> bool:
    """A line that is nothing but a date ("Tuesday 8th January 2008", "Thursday, 10, January,
    2008, 09:14"): a stamp, never a headline."""
    return any(c.isdigit() for c in text) and not re.sub(r"[\W_]+", "", _DATE_WORD.sub("", text))


STORY_OPENING = 1000  # characters of the story a headline's words are looked for in


def told_in(line: str, body: str) -> bool:
    """Some word of the line (four letters or more) is in the story's opening: a <title> that is only the
    site's or a section's name ("SuperSoccer", "News Update Service") tells none of it."""
    words = set(re.findall(r"\w{4,}", line.lower()))
    opening = body[:STORY_OPENING].lower()
    return not words or any(w in opening for w in words)


def line_over_body(blocks: list[Block], start: int | None) -> str | None:
    """On a page where nothing names a headline (no <title>, heading or declared one): the
    line of text just over the article's first block, past link lines, bylines, date lines
    and a standfirst (a sentence over the story's markup), when it reads as a headline
    (three words or more, no full stop)."""
    if not start:
        return None
    for block in reversed(blocks[_gap_start(blocks, start):start]):
        text = block.text
        if len(text) < 10 or block.link_chars or block.tag == "a" or is_text_byline(text) or _only_date(text) \
                or find_written_date(text) and len(text) < 100 or len(text) >= 80 and END_PUNCT.search(text):
            continue
        if len(text) > 250 or len(text.split()) < 3 or JUNK_LINE.match(text) or text.endswith((".", ":", ",")):
            return None
        return text
    return None


def _gap_start(blocks: list[Block], start: int) -> int:
    """The first block MAX_HEADING_GAP lines of text before `start`; share and print links,
    vote counts and bylines between a headline and its story do not count as lines."""
    index, lines = start, 0
    while index > 0 and lines < MAX_HEADING_GAP and start - index < 4 * MAX_HEADING_GAP:
        index -= 1
        block = blocks[index]
        n = len(block.text)
        if n >= 10 and block.link_chars <= 0.5 * n and not is_text_byline(block.text):
            lines += 1
    return index


def _looks_like_heading(block: Block) -> bool:
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
    key = squash(block.text)
    return any(_heading_class(tag) and squash(tag.get_text()) == key
               for tag in block.element.find_all(_INLINE_TAGS, limit=MAX_HEADINGS))


_INLINE_TAGS = frozenset({"span", "font", "b", "strong", "big"})


def _heading_class(node: Tag) -> bool:
    tokens = attr_tokens(node)
    return bool(tokens) and bool(_HEADING_CLASS.search(tokens)) and not NOT_HEADLINE_CLASS.search(tokens)
