"""Who wrote the story: JSON-LD authors, author meta tags, the page's bylines, a
signed last line, a script's author field, in that order of trust.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html import unescape

from bs4 import Tag

from indexer.ingest.article import collapse_spaces
from indexer.ingest.bylines import (
    LEAD_MARK,
    credits_no_person,
    edited_by,
    normalise_byline,
    opens_with_article,
    split_authors,
)
from indexer.ingest.html.captions import is_inside
from indexer.ingest.html.scan import AUTHOR_CLASS, AUTHOR_META, Block, Scan, attr_tokens, ld_types, names, squash

MAX_BYLINE_CHARS = 200  # a byline element's text; a longer one is a box about the author, or a notice


def author(scan: Scan, ld: dict, ld_objects: list[dict], publication: str | None, domain: str | None) -> str | None:
    """The people who wrote the story: JSON-LD's authors (not an Organization: the
    publication or an agency; an author given as a reference, {"@id": ...}, is the object
    of the page's JSON-LD with that @id, unless the byline and an author meta tag agree on
    someone else), else an author meta tag, else the first byline
    element of the surest kind, with the bylines beside it ("By <a>A</a> and <a>B</a>"),
    not those of other stories listed on the page, a photo's or a comment's; last, a JSON-LD
    Person named like the site."""
    declared = ld.get("author") if isinstance(ld.get("author"), list) else [ld.get("author")]
    typed = [a for a in declared if isinstance(a, dict) and "person" in ld_types(a)]
    untyped = [a for a in declared if not (isinstance(a, dict) and ld_types(a))]
    by_reference = any(isinstance(a, dict) and "name" not in a and isinstance(a.get("@id"), str) for a in untyped)
    if by_reference:
        # a site's account ("#/schema/person/...") may be named like the site: not kept as a Person
        by_id = {o["@id"]: o for o in ld_objects if isinstance(o.get("@id"), str) and "name" in o}
        untyped = [by_id.get(a["@id"], a) if isinstance(a, dict) and "name" not in a and isinstance(a.get("@id"), str)
                   else a for a in untyped]
        untyped = [a for a in untyped if not (isinstance(a, dict) and ld_types(a) and "person" not in ld_types(a))]
    # a Person named like the site is its account ("UOL" on uol.com.br, beside a byline "Daniel Leite"),
    # or the person a personal blog is named after ("Haki Benita"): that one is taken only when nothing
    # else names anyone, never a one-word name ("LinkNaija": the site's account) nor one that opens with
    # an article ("Les Echos", "Le Figaro": the publication itself)
    author = normalise_byline([unescape(n) for n in names(typed + untyped)], publication, domain)
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
    named_like_site = normalise_byline([n for n in (unescape(n) for n in names(typed)) if len(n.split()) > 1])
    return _author_on_page(scan, publication, domain) or ", ".join(
        n for n in split_authors(named_like_site) if not opens_with_article(n)) or None


MAX_EDITOR_LINE = 60  # characters of a line of the page that credits the story's editors ("【责任编辑：严玉洁】")


def without_editors(author: str | None, scan: Scan, blocks: list[Block] = ()) -> str | None:
    """The authors without the people a byline line, or a short line of the page of its own, credits as the
    story's editors ("责任编辑：孔德明" under the story, the same name in the author meta tag)."""
    if not author:
        return author
    lines = [tag.get_text(" ") for _, tag in scan.bylines] + [b.text for b in blocks if len(b.text) <= MAX_EDITOR_LINE]
    editors = {name.casefold() for line in lines for name in edited_by(line)}
    return ", ".join(n for n in split_authors(author) if n.casefold() not in editors) or None if editors else author


def _author_on_page(scan: Scan, publication: str | None, domain: str | None) -> str | None:
    """An author meta tag, else the first byline element of the surest kind with the bylines beside it."""
    return _meta_author(scan, publication, domain) or _byline_author(scan, publication, domain)


def _meta_author(scan: Scan, publication: str | None, domain: str | None) -> str | None:
    """The people the first author meta tag (in `AUTHOR_META`'s order) that names anyone names."""
    for key in AUTHOR_META:
        values = [v for v in scan.author_metas.get(key, ())
                  if not v.startswith("http") and not _opens_site_name(v, scan)]
        if values:
            author = normalise_byline(values, publication, domain)
            if author:
                return author
    return None


# the <title>'s last part, after "_", "|", a dash: the site's name ("..._网易新闻", "... - CNN Politics")
_TITLE_TAIL = re.compile(r"(?:[_|–—]|\s-\s)\s*([^_|–—]+?)\s*$")


def _opens_site_name(value: str, scan: Scan) -> bool:
    """An author meta value of one word that opens, shorter, the site's name at the end of the <title>
    ("网易" before "网易新闻", "CNN" before "CNN Politics"): the publication, not a person. (A person's
    own site, "... - jürgen heitmann fotografie", is named by a full name of two words: that one stays.)"""
    tail = _TITLE_TAIL.search(scan.title or "") if len(value.split()) == 1 else None
    name, site = squash(value), squash(tail.group(1)) if tail else ""
    return len(name) >= 2 and len(site) > len(name) and site.startswith(name)


def _byline_author(scan: Scan, publication: str | None, domain: str | None) -> str | None:
    """The first byline element of the surest kind that names anyone, with the bylines beside it."""
    for rank in (0, 1, 2):
        texts = []
        for r, tag in scan.bylines:
            if r != rank or _inside_comments(tag) or _in_other_story(tag) or _in_picture(tag):
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
            marked = bool(AUTHOR_CLASS.search(attr_tokens(tag)))
            if normalise_byline([text], publication, domain, from_text=True, handle=rank == 0, marked=marked):
                first = tag
                break
            if credits_no_person(text):
                return None  # the story credits a desk or an agency: later bylines are other stories'
        if first is None:
            continue
        near = _byline_list(first, [tag for _, tag in texts]) or first.parent or first
        beside = [(text, tag) for text, tag in texts if is_inside(tag, near)]
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
    items = item.parent.find_all("li", recursive=False)
    if not 2 <= len(items) <= MAX_BYLINE_LIST:
        return None
    if all(any(is_inside(tag, li) for tag in bylines) for li in items):
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


# a module of other stories: "snp_dont_miss_container", "related-posts", "teaser-box", "most-read"
_OTHER_STORIES_CLASS = re.compile(
    r"teaser|related|recommend|promo|popular|dont[-_]?miss|more[-_]?stories|most[-_]?read", re.I)
MAX_MODULE_DEPTH = 4  # levels above a byline looked at for a module of other stories


def _in_other_story(tag: Tag) -> bool:
    """The byline sits in a module of other stories (a "Don't miss" box's author under its headline)."""
    return _held_by(tag, lambda node: bool(_OTHER_STORIES_CLASS.search(attr_tokens(node))))


def _in_picture(tag: Tag) -> bool:
    """The byline is a picture's credit, classed "author" in its caption ("EFE/ J.J. Guillén")."""
    return _held_by(tag, lambda node: node.name in ("figure", "figcaption"))


def _held_by(tag: Tag, test: Callable[[Tag], bool]) -> bool:
    """An element a few levels up (not past the story's `<article>`, `<main>` or `<body>`) passes `test`."""
    node = tag.parent
    for _ in range(MAX_MODULE_DEPTH):
        if node is None or node.name in ("body", "article", "main"):
            return False
        if test(node):
            return True
        node = node.parent
    return False


# "comments", "comment-author", "commentlist", "js_comments", "respond"; not "contributor-and-comments"
# (a byline with the comment count) nor "commentary" (an opinion piece)
_COMMENTS_CLASS = re.compile(r"(?:^|\s)(?:[a-z]+[-_])?comments?(?:list)?(?:[-_][\w-]*)?(?=\s|$)|respond", re.I)


def _inside_comments(tag: Tag) -> bool:
    node = tag
    for _ in range(30):
        if node is None:
            return False
        if isinstance(node, Tag) and _COMMENTS_CLASS.search(attr_tokens(node)):
            return True
        node = node.parent
    return False


_TEXT_BYLINE_START = re.compile(
    rf"^(?:{LEAD_MARK.pattern})?"  # a mark set before it ("// By Jane Roe • Nov 11, 2020")
    r"(?:(?:[Bb]y|BY|(?:[Ww]ritten|[Pp]osted|[Ww]ords|[Ss]tory|[Rr]eported|[Rr]eporting|[Tt]ext) by"
    r"|[Vv]on|Por|Par|Door|Av|Af|Oleh|di):?\s+[A-Z\u00c0-\u00de]"  # "di": Italian, lower case ("Di Maio" is a name)
    r"|(?:بقلم|מאת|โดย):?\s+[^\W\d_])")  # "by" in Arabic ("by the pen of"), Hebrew, Thai: scripts without capitals


_ABBREVIATION = re.compile(r"\b(?:Dr|Prof|Mr|Mrs|Ms|Mag|Ing|[A-Z])\.")  # "Dr. Max Kolter", "John A. Doe"


def is_text_byline(text: str) -> bool:
    """ "By Jane Roe and John Doe on Monday, November 18th, 2019 at 11:08 a.m." - not a
    sentence such as "By Tuesday, the council had voted." """
    if len(text) >= 150 or not _TEXT_BYLINE_START.match(text) \
            or re.search(r"[!?]|\.\s+[A-Z]", _ABBREVIATION.sub("", text)):
        return False
    return not text.endswith(".") or bool(re.search(r"\b(?:[ap]\.m|Jr|Sr|Inc)\.$", text))


# "Jane Roe is a San Francisco Chronicle staff writer.", "Jane Roe can be reached at ...": the writer
# signs the story's last lines (present tense only: "X was a reporter ..." is an obituary's subject)
_SIGNATURE = re.compile(
    r"^((?:[A-ZÀ-Þ][\w'’.-]*\s){1,3}[A-ZÀ-Þ][\w'’-]+) (?:is (?:a|an|the) (?:[\w-]+ ){0,4}?"
    r"(?i:reporter|writer|columnist|correspondent|editor|journalist|contributor)s?\b|can be reached\b)")
# "... click the Comments link below. -- Jane Roe": a signature after the story's last sentence
DASH_SIGNATURE = re.compile(r"(?:--|[—–―])\s?((?:[A-ZÀ-Þ][\w'’.-]*\s){1,3}[A-ZÀ-Þ][\w'’-]+)")
_DASH_SIGNED = re.compile(r"[.!?…)]\s+" + DASH_SIGNATURE.pattern + "$")  # after a sentence, not a quotation
SIGNATURE_LINES = 3  # the story's last paragraphs looked at for a signature
MAX_SIGNATURE_CHARS = 300


def signature_author(body: str, publication: str | None, domain: str | None) -> str | None:
    """The writer named in a signature line at the end of the story, where nothing else names one."""
    for paragraph in body.rsplit("\n\n", SIGNATURE_LINES)[-SIGNATURE_LINES:]:
        found = _SIGNATURE.match(paragraph) if len(paragraph) <= MAX_SIGNATURE_CHARS else None
        if found:
            return normalise_byline([found.group(1)], publication, domain, from_text=True)
    signed = _DASH_SIGNED.search(body[-MAX_SIGNATURE_CHARS:])
    return normalise_byline([signed.group(1)], publication, domain, from_text=True) if signed else None


# Chinese credit lines in the story's own first or last lines: "【文/观察者网专栏作者 王文】",
# "执笔/叨叨姐、胡一刀&李小飞刀", "澎湃新闻记者 段彦超 廖艳", "采写：南都见习记者 林子沛" (a short line
# that is only the credit), and the lead's "新京报讯（记者 陆一夫）", "本站讯（职工通讯员 李琴雯 刘会）"
_CJK_CREDIT_LINE = re.compile(
    r"^[【\[(（]?\s*(?:(?:文|作者|执笔|采写|撰文|文[/／]图)\s*[:：/／]|[^\s。，,：:]{0,12}(?:记者|記者|通讯员|作者)\s*[\u3400-\u9fff])")
_CJK_LEAD_CREDIT = re.compile(
    r"^[^。，,]{2,24}?[讯訊电電]\s*[（(]\s*([^（）()。，]{0,6}(?:记者|記者|通讯员|通訊員)[^（）()。]{2,30})[）)]")
_CJK_SENTENCE_MARK = re.compile(r"[，。！？；]")
MAX_CJK_CREDIT_CHARS = 40
CJK_CREDIT_LINES = 3  # the story's first and last paragraphs looked at


def cjk_credit_author(body: str, publication: str | None, domain: str | None) -> str | None:
    """The writers a Chinese credit line names at the start or the end of the story, where nothing else names one."""
    paragraphs = [p.strip() for p in body.split("\n\n") if p.strip()]
    for i, paragraph in enumerate(paragraphs[:CJK_CREDIT_LINES] + paragraphs[-CJK_CREDIT_LINES:]):
        lead = _CJK_LEAD_CREDIT.match(paragraph) if i < CJK_CREDIT_LINES else None
        text = lead.group(1) if lead else paragraph
        if lead or len(paragraph) <= MAX_CJK_CREDIT_CHARS and _CJK_CREDIT_LINE.match(paragraph) \
                and not _CJK_SENTENCE_MARK.search(paragraph):  # "记者通过电子邮件联系了富士康，...": a sentence
            found = normalise_byline([text], publication, domain, from_text=True)
            if found:
                return found
    return None


# the first author in a page's script data: "author": "Jane Roe", "authors": ["Jane Roe"],
# "author": {"name": "Jane Roe"}, authorName: 'Jane Roe', "byline": "Jane Roe". Each key opens its pattern
# with a literal ("uthor", "byline"): the engine then skips to it at memchr speed (a tenth of the time).
_SCRIPT_VALUE = (r"""["']?\s*[:=]\s*\[?\s*"""  # "author": ["Jane Roe"], {"@type": "Person", "name": "Jane Roe"}
                 r"""(?:\{\s*(?:["']?@?type["']?\s*:\s*["']Person["']\s*,\s*)?["']?name["']?\s*:\s*)?"""
                 r"""["']([^"'\\{}<>]{2,80})["']""")
_SCRIPT_AUTHOR = (re.compile(r"uthor(?:s|Name|_name)?" + _SCRIPT_VALUE), re.compile(r"byline" + _SCRIPT_VALUE))


_SCRIPT_TABLE_SPAN = 300  # characters between two different values of one author key: a table's rows


def script_author(html: str, publication: str | None, domain: str | None) -> str | None:
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
        if any(other.re is match.re and other.group(1) != match.group(1) and abs(other.start() - match.start())
               < _SCRIPT_TABLE_SPAN for other in found):
            continue  # a table of entries, each with its own "author" (a lookup list): not the article's data
        return normalise_byline([match.group(1)], publication, domain, from_text=True)
    return None


# "Overload Journal #131 - February 2016   Author: Jane Roe": a labelled byline at the end of a line of
# the story's particulars (a colon after the label: "written by" inside a sentence is no label)
_LABELLED_BYLINE = re.compile(r"(?:^|\s)(?:Authors?|AUTHORS?|Autor(?:in|en)?|Auteur|Autore|Автор|Yazar|Szerző|Penulis)"
                              r"\s*:\s*(?=[A-ZÀ-ÞА-ЯЁ])")


def labelled_byline(block: Block) -> str | None:
    """The names after an "Author:" label in a short line of the page, or in the last of a line's
    particulars parted by pipes ("News | Published: 5 hours ago | Written by Jane Roe")."""
    if len(block.text) >= MAX_PARTICULARS:
        return None
    found = _LABELLED_BYLINE.search(block.text) if len(block.text) < 150 else None
    if found:
        return block.text[found.end():]
    last = block.text.rsplit(" | ", 1)[-1].strip()
    return last if last != block.text and is_text_byline(last) else None


MAX_PARTICULARS = 300  # characters of a line of a story's particulars (section, dates, byline)


def inline_lead_byline(block: Block) -> str | None:
    """ "<b>By Jane Roe, NFL Editor --</b> (Sports Network) - Postseason football ...", "<cite>Posted by
    Jane Roe @ 5:56 am</cite> <cite>Categories: ...</cite>": a byline in an inline element that opens a
    line which is no byline as a whole."""
    if not _TEXT_BYLINE_START.match(block.text):
        return None
    for inline in block.element.find_all(("b", "strong", "cite", "span"), limit=3):
        text = collapse_spaces(inline.get_text(" ")).rstrip(" -–—")
        if text and block.text.startswith(text) and is_text_byline(text):
            return text
    return None
