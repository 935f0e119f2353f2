"""The story's text: the element that holds the article (block scores flowing up the
tree), widened to its lede, its twins and a thread of posts; listing pages and a
page's own text where there is no story; the byline and date lines beside it.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from urllib.parse import unquote

from bs4 import NavigableString, Tag

from indexer.ingest.article import collapse_spaces
from indexer.ingest.bylines import is_bare_name, is_by_word
from indexer.ingest.html.authors import DASH_SIGNATURE, inline_lead_byline, is_text_byline, labelled_byline
from indexer.ingest.html.captions import article_scope, is_inside
from indexer.ingest.html.pagedate import CJK_CHAR, PUBLISHED_LABEL, find_written_date, opening_name, opens_with_date
from indexer.ingest.html.scan import (
    BLOCK_TAGS,
    CELL_TAGS,
    END_PUNCT,
    JUNK_LINE,
    MAX_TITLE_BLOCKS,
    SECTION_BOILERPLATE_TAGS,
    WEAK_BOILERPLATE,
    Block,
    CaseBlind,
    attr_tokens,
    is_embedded_post,
    squash,
)
from indexer.ingest.pagekind import holds_no_story, may_hold_no_story
from indexer.limits import MAX_CHAIN

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


def _data_row(block: Block) -> bool:
    """A table row with a cell of plain text beside its links (a role beside an actor's
    linked name, a score beside a team's): a row of a table of data, not a menu, whose
    cells are nothing but links."""
    return block.tag == "tr" and any(cell.find("a") is None and cell.get_text().strip()
                                     for cell in block.element.find_all(CELL_TAGS, recursive=False))


# a script's or a style sheet's source: a statement, a JSON object, a CSS rule
_CODE_SIGN = re.compile(r"\bfunction\s*[\w$]*\s*\(|\bvar\s+[\w$]+\s*=|\b(?:document|window|navigator)\.\w"
                        r"|\{\s*\"[\w$-]+\"\s*:|\{\s*[\w-]+\s*:\s*[^;{}]+;")
_CODE_TAGS = ("pre", "code", "kbd", "samp", "tt")  # code the article shows


def leaked_code(block: Block) -> bool:
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


NOTICE = re.compile(r"(?:©|\(c\)|copyright\b).*\b(?:19|20)\d\d\b", re.I)  # "Copyright © 2008 Radio New Zealand"
MAX_NOTICE = 250  # characters of a copyright notice line
NOTICE_TAIL = 3   # paragraphs after a notice that make it the page's end, not a credit over a date or a note

STUB_VALUE = -5.0  # a short line that is neither prose nor a link list (a label, a date)


def _block_value(block: Block, relaxed: bool = False) -> float:
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
    if n >= 80 or (n >= 30 and END_PUNCT.search(block.text)) or (relaxed and n >= 12) \
            or (n >= 10 and not block.text.isascii() and block.tag not in _HEADINGS and _cjk_prose(block.text)):
        return n * (1 - density)
    return STUB_VALUE


_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# a line crediting the story's editor in charge ("责任编辑：杨倩", "责编：薛艺磊") under a Chinese story
EDITOR_CREDIT = re.compile(r"(?:^|\s)[\[【(（]?\s*(?:责任编辑|責任編輯|责编|責編)\s*[:：]")
MAX_CREDIT_CHARS = 80
CJK_WORTH = 3  # letters a Chinese, Japanese or Korean character is worth (a word is one or two of them)


def _cjk_prose(text: str) -> bool:
    """A short line of Chinese, Japanese or Korean that is prose: its characters worth 80 letters, or 30
    ending a sentence ("。"); measured in letters, a 25-character paragraph would be a stub."""
    worth = CJK_WORTH * len(CJK_CHAR.findall(text))
    return worth >= 80 or (worth >= 30 and bool(END_PUNCT.search(text)))


def _data_table_row(block: Block) -> bool:
    """A row of a table of data (a header row of <th>s over it) with a plain cell beside its linked names."""
    if block.tag != "tr" or not _data_row(block):
        return False
    table = block.element.find_parent("table")
    return table is not None and table.find("th") is not None


_SENTENCE_END = re.compile(r"[.!?…。！？][\"”’)]?$")
_SENTENCE_MARKS = " .!?…。！？\"”’)"
LINKED_SENTENCE_PLAIN = 12  # characters outside links that make a linked paragraph a sentence of the article


def _linked_sentence(block: Block) -> bool:
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


def _linked_item(block: Block) -> bool:
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
        elif isinstance(node, Tag) and node.name in BLOCK_TAGS:
            return False  # a link in a nested block: not this item's own sentence
    return not _LABEL_END.search("".join(before))


SECTION_PARAGRAPHS = 2  # prose paragraphs beside a linked heading that make it the heading of a section


def _section_heading(index: int, blocks: list[Block], values: list[float], in_boiler: list[bool],
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


def without_inline_wrappers(soft: list[tuple[Tag, int]]) -> list[tuple[Tag, int]]:
    """An inline element marked as boilerplate that holds another marked element is a
    wrapper (a hover card's trigger name plus its pop-up): only the inner one is cut,
    so the name stays in its sentence."""
    ids = {id(t) for t, _ in soft}
    wrappers: set[int] = set()
    for tag, _ in soft:
        node = tag.parent
        for _ in range(MAX_CHAIN):
            if node is None or node.name in BLOCK_TAGS:
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


_POST_BODY = CaseBlind(r"entry[-_]?content|post[-_]?(?:body|content)|article[-_]{0,2}body")  # one post's text


def _prose_held(chains: list[list[Tag]], values: list[float], in_boiler: list[bool]) -> dict[int, float]:
    """The prose each element holds (ids -> block values), furniture left out: what the widening
    and the lede's wrappers weigh."""
    held: dict[int, float] = {}
    for chain, value, bad in zip(chains, values, in_boiler):
        if value > 0 and not bad:
            for node in chain:
                held[id(node)] = held.get(id(node), 0.0) + value
    return held


def _widened(best: Tag, root: Tag, chains: list[list[Tag]], values: list[float], in_boiler: list[bool],
             held: dict[int, float]) -> Tag:
    """The best-scoring element, or its parent when that holds WIDEN times as much prose that
    is not furniture (`held`; again, up the tree, to the <body> itself: a story in parts right under it):
    a story split by short link-heavy lines (ratings, "Copy link" boxes, list entries) scores
    lower than one of its parts."""
    lines: dict[int, int] = {}  # prose paragraphs less link lines
    for chain, value, bad in zip(chains, values, in_boiler):
        if not bad and value != STUB_VALUE:  # prose paragraphs and link lines, not stubs
            for node in chain:
                lines[id(node)] = lines.get(id(node), 0) + (1 if value > 0 else -1)
    node = best
    for up in _ancestors(best, root)[1:]:
        if up.name == "article":  # the story's own element: not past it
            break
        if _POST_BODY.search(attr_tokens(up)) or up.get("itemprop") == "articleBody":
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


def _headline_article(best: Tag, blocks: list[Block], chains: list[list[Tag]], values: list[float],
                      in_boiler: list[bool], headline: str) -> Tag:
    """Of two or more `<article>` elements with prose inside the chosen element, the one under the page's
    headline: the next story a site appends below this one (endless scrolling, "Next story") is not this
    story. Only when that article's own heading is the headline, it holds ARTICLE_PARAGRAPHS prose paragraphs
    or more, and another of them has a heading of its own (not a story cut into `<article>`s by an embed)."""
    head = squash(headline)
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
            (titled if squash(block.text) == head else headed).add(id(outer))
    stories = [key for key, n in prose.items() if n > 0]
    if len(stories) < 2 or len(titled) != 1 or not any(key in headed and key not in titled for key in stories):
        return best
    key = next(iter(titled))
    return nodes[key] if prose.get(key, 0) >= ARTICLE_PARAGRAPHS else best


def _twins(best: Tag, blocks: list[Block], chains: list[list[Tag]], values: list[float],
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
        if any(low < h <= high for h in headings) or is_inside(best, nodes[k]) \
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
             and (strength == 2 and _LINE_MARK.search(attr_tokens(t)) or weak_chunks and strength == 1)}
    sections = {id(t): strength for t, strength in soft
                if t.name in SECTION_BOILERPLATE_TAGS and strength in (1, 2) and id(t) not in boiler}
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
               if strength == 2 and id(t) not in boiler and _COMMENT_MARK.search(attr_tokens(t))}
    if threads:
        outside = [value for chain, value in zip(chains, values)
                   if value > 0 and not any(id(n) in threads or id(n) in boiler for n in chain)]
        if len(outside) >= TWIN_PARAGRAPHS and sum(outside) >= SHORT_BODY:
            boiler.update(dict.fromkeys(threads, 2))


def _lead_not_teaser(tag: Tag) -> bool:
    """An element marked only as a teaser that links nowhere is the story's own lead ("teaser_text"
    under the headline); a teaser for another story links to it."""
    low = attr_tokens(tag).lower()
    return "teaser" in low and not WEAK_BOILERPLATE.search(low.replace("teaser", " ")) and tag.find("a") is None


def extract_body(root: Tag, blocks: list[Block], soft: list[tuple[Tag, int]], content: list[Tag], headline: str,
                 relaxed: bool = False, weak_chunks: bool = False,
                 ) -> tuple[str, Tag | None, str | None, str | None, int | None]:
    """The article text (paragraphs joined by blank lines), the element holding it,
    the first plain-text byline ("By ...") seen in the page, the first short line with
    a written date in the article's surroundings, and the index of the body's first block."""
    if not blocks:
        return "", None, None, None, None
    # not "By Subject" (a link of the site's menus) nor "von Künstlern, Bands, DJs," (a sentence goes on)
    # nor "Written by | Jane Roe" in a table's row under a header cell: a work's credits (an infobox)
    byline = next((b.text for b in blocks if is_text_byline(b.text) and not _in_teaser(b)
                   and b.link_chars < len(b.text) and not b.text.endswith(",")
                   and not (b.tag == "tr" and b.element.find("th") is not None)), None) \
        or next(filter(None, map(inline_lead_byline, blocks)), None) \
        or next(filter(None, map(labelled_byline, blocks)), None)
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
    held: dict[int, float] = {}  # the prose each element holds, weighed by the widening and the lede
    if best is not root:
        held = _prose_held(chains, values, in_boiler)
        best = _widened(best, root, chains, values, in_boiler, held)
        best = _headline_article(best, blocks, chains, values, in_boiler, headline)
        best = _thread(best, root)
    inside = [not bad and any(n is best for n in chain) for chain, bad in zip(chains, in_boiler)]
    twins = _twins(best, blocks, chains, values, in_boiler, headline.lower().strip()) if best is not root else set()
    if twins:  # the story's other chunks, without copies of its paragraphs (a hidden duplicate)
        own = {b.text for b, here in zip(blocks, inside) if here}
        inside = [here or (b.text not in own and any(id(n) in twins for n in chain))
                  for b, chain, here in zip(blocks, chains, inside)]
    if not relaxed and best is not root and best.parent is not None:  # its parent may be the <body>
        inside = _with_lede(best, chains, values, in_boiler, inside, blocks, headline, held)
    paragraphs: list[str] = []
    listed: list[bool] = []  # each paragraph a list item, a table row or preformatted text
    kept: list[int] = []  # each paragraph's (first) block
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
                or JUNK_LINE.match(text) or text.lower() == head_low:
            continue
        if block.tag == "h1" and not (paragraphs and head_low not in text.lower()
                                      and _section_heading(index, blocks, values, in_boiler, inside)):
            continue  # the headline's own, or one that heads no section below the story's start
        if is_text_byline(text):
            continue
        if paragraphs and block.resumes and block.element is last_owner:
            paragraphs[-1] += " " + text  # the rest of a paragraph after a cut-out inline box
        else:
            paragraphs.append(text)
            listed.append(block.tag in _LISTED_TAGS)
            kept.append(index)
        if start is None:
            start = index
        last_owner = block.element
    orphans = _furniture_headings(kept, blocks, chains, best)
    if orphans:
        paragraphs = [p for p, i in zip(paragraphs, kept) if i not in orphans]
        listed = [x for x, i in zip(listed, kept) if i not in orphans]
        start = next((i for i in kept if i not in orphans), None)
    paragraphs, listed = _without_pager(paragraphs, listed)
    # the page's copyright notice ends the story: more of the page after it is a layout's sidebars and teasers
    notice = next((i for i, text in enumerate(paragraphs) if len(text) <= MAX_NOTICE and NOTICE.match(text)), None)
    if notice is not None and len(paragraphs) - notice > NOTICE_TAIL \
            and sum(map(len, paragraphs[:notice])) >= SHORT_BODY:
        del paragraphs[notice + 1:], listed[notice + 1:]
    # furniture after the last sentence ("Topics", "comments") is not article text; a list or a table
    # of three items or more that ends the article is ("What to buy": "Onion sets", "Fleece", ...), and so
    # are three short lines or more after a sentence that announces them ("These universities are affected:")
    # and a Chinese closing credit ("本文来源：新京报 责任编辑：杜硕", "（责任编辑：张三）") names who edited it
    while len(paragraphs) > 1 and (len(paragraphs[-1]) < TRAILING_STUB and not END_PUNCT.search(paragraphs[-1])
                                   and not (len(listed) >= LIST_ITEMS and all(listed[-LIST_ITEMS:]))
                                   and not _announced_list(paragraphs)
                                   or len(paragraphs[-1]) <= MAX_CREDIT_CHARS and EDITOR_CREDIT.search(paragraphs[-1])):
        stub = paragraphs.pop()
        listed.pop()
        if byline is None and DASH_SIGNATURE.fullmatch(stub):  # "— Jane Roe" signs the story
            byline = stub
    return "\n\n".join(paragraphs), best, byline, _date_line(blocks, chains, best, root, head_low), start


def _furniture_headings(kept: list[int], blocks: list[Block], chains: list[list[Tag]], best: Tag) -> set[int]:
    """Headings (h2-h6) of a box of links inside the article: the lines after the heading in its own
    element, a box of the site's (a class or an id) within the article's element, are all link lines,
    dropped (a "Story Tools" or "Share this" box's links and buttons, "Top stories" over linked titles), so
    it heads nothing the reader gets. Not a heading right in the article's element or in a bare `<div>` of
    the writer's (a post's heading over a source's address), nor one whose element holds nothing after it
    (a wrapper around the heading alone), nor one over a caption (a video's title over its caption), nor one
    the next line kept is a heading after (a section's heading over a tab menu, its subsections following)."""
    kept_set = set(kept)
    orphans: set[int] = set()
    for number, index in enumerate(kept):
        if blocks[index].tag not in _HEADINGS:
            continue
        parent = blocks[index].element.parent
        if parent is None or parent is best or is_inside(best, parent) \
                or not (parent.get("class") or parent.get("id")):
            continue
        after = 0  # link lines after it in its element, all dropped; None: another line
        for j in range(index + 1, len(blocks)):
            if not any(n is parent for n in chains[j]):
                break
            if j in kept_set or (blocks[j].link_chars <= LINK_MAX * len(blocks[j].text)
                                 and blocks[j].element.name != "a"):  # a link set apart as a block of its own
                after = None
                break
            after += 1
        following = kept[number + 1] if number + 1 < len(kept) else None
        if after and (following is None or blocks[following].tag not in _HEADINGS):
            orphans.add(index)
    return orphans


ANNOUNCING_LINE = 30  # letters of the sentence ending in a colon that announces a list of short lines
PAGER_RUN = 3         # page numbers 1, 2, 3 ... on lines of their own: a pager
_PAGER_LINE = re.compile(r"\d{1,3}|[<>«»‹›]{1,2}")


def _without_pager(paragraphs: list[str], listed: list[bool]) -> tuple[list[str], list[bool]]:
    """A slideshow's pager inside the article ("<<", "<", "1", "2", "3", ..., ">", ">>" on lines of their own):
    three numbers or more counting up from 1, with the arrows beside them; not list items. A story's numbered
    lines hold more than a number."""
    drop: set[int] = set()
    i = 0
    while i < len(paragraphs):
        if paragraphs[i] != "1" or listed[i]:
            i += 1
            continue
        j = i
        while j + 1 < len(paragraphs) and paragraphs[j + 1] == str(j + 2 - i) and not listed[j + 1]:
            j += 1
        if j - i + 1 >= PAGER_RUN:
            start, end = i, j
            while start > 0 and _PAGER_LINE.fullmatch(paragraphs[start - 1]) and not paragraphs[start - 1].isdigit():
                start -= 1
            while end + 1 < len(paragraphs) and _PAGER_LINE.fullmatch(paragraphs[end + 1]) \
                    and not paragraphs[end + 1].isdigit():
                end += 1
            drop.update(range(start, end + 1))
        i = j + 1
    if not drop:
        return paragraphs, listed
    keep = [i for i in range(len(paragraphs)) if i not in drop]
    return [paragraphs[i] for i in keep], [listed[i] for i in keep]


def _announced_list(paragraphs: list[str]) -> bool:
    """The short lines ending the article are a list a sentence of it announced ("Folgende Universitäten sind
    betroffen:" over "UFRRJ", "UFPB", ...): three or more, after a line of 30 letters or more ending in a colon
    (not a one-word label such as "Tags:" or "Share:")."""
    run = 0
    for text in reversed(paragraphs):
        if len(text) < TRAILING_STUB and not END_PUNCT.search(text):
            run += 1
            continue
        return run >= LIST_ITEMS and len(text) >= ANNOUNCING_LINE and text.rstrip().endswith((":", "："))
    return False


def page_text(blocks: list[Block], soft: list[tuple[Tag, int]]) -> str:
    """Every line of the page that no boilerplate mark holds, links and all (a list page's entries)."""
    marked = {id(t) for t, _ in soft}
    return "\n\n".join(b.text for b in blocks
                         if not any(id(n) in marked for n in _ancestors(b.element, None))
                         and not JUNK_LINE.match(b.text) and b.tag != "h1")


def _with_lede(best: Tag, chains: list[list[Tag]], values: list[float], in_boiler: list[bool],
               inside: list[bool], blocks: list[Block], headline: str, held: dict[int, float]) -> list[bool]:
    """The article's siblings before it that hold only link-poor prose join it (readability's
    sibling step, before the article only): a story's lede or first paragraphs set apart from
    the rest (in their own `<p>` over the article-body `<div>`, split by an ad). Siblings after
    it are left out: there they are notes and promotions ("Search for more stories ...")."""
    joined = _lede_beside(best, chains, values, in_boiler, inside, blocks, headline)
    outer = _outer_wrapper(best, held)
    if outer is best:
        return joined
    wider = _lede_beside(outer, chains, values, in_boiler, joined, blocks, headline)
    added = [i for i, (was, now) in enumerate(zip(joined, wider)) if now and not was]
    if sum(values[i] > 0 and blocks[i].tag == "p" for i in added) >= LEDE_PARAGRAPHS:
        return wider  # the story's first paragraphs beside its body's wrappers, not one note or deck line
    return joined


def _lede_beside(best: Tag, chains: list[list[Tag]], values: list[float], in_boiler: list[bool],
                 inside: list[bool], blocks: list[Block], headline: str) -> list[bool]:
    """`inside` with the link-poor prose siblings before `best` joined (see _with_lede)."""
    parent = best.parent
    head = squash(headline)
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
               (len(blocks[i].text) < MAX_LEDE_DATE_LINE and find_written_date(blocks[i].text)) for i in members):
            continue  # the headline again (with a kicker, as a label) or a date line: not the story's text
        chars = sum(len(blocks[i].text) for i in members)
        if sum(blocks[i].link_chars for i in members) <= LEDE_LINKS * chars:
            for i in members:
                joined[i] = True
    return joined


def _outer_wrapper(best: Tag, held: dict[int, float]) -> Tag:
    """The outermost of the article's wrappers that hold no more prose (`held`) than it (a CMS's content
    element in `<div>`s five deep under the story's own element, whose first paragraphs stand beside the
    wrappers): the lede's siblings are looked for beside it. Not past an `<article>` nor up to the `<body>`."""
    own = held.get(id(best), 0.0)
    node = best
    while node.name != "article":
        up = node.parent
        if up is None or up.parent is None or up.name in ("body", "html") or held.get(id(up), 0.0) > own:
            break
        node = up
    return node


def _lede_closing(members: list[int], values: list[float], in_boiler: list[bool], blocks: list[Block],
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


def _lede_sentence(block: Block, head: str) -> bool:
    """A paragraph of sentences: not a subtitle in a heading, a list's item (a summary's bullets), the headline
    again or a date line."""
    return bool(_SENTENCE_END.search(block.text)) and block.tag not in _HEADINGS and block.tag not in _LISTED_TAGS \
        and not _holds_headline(block.text, head) and not find_written_date(block.text)


_ITEM_TAGS = frozenset({"li", "dt", "dd", "td", "th"})  # a block under one of these is an item of a list or table
_DATA_TAGS = frozenset({"table", "tbody", "thead", "tfoot", "tr", "td", "th", "ul", "ol", "li", "dl", "dt", "dd"})
_PROSE_TAGS = frozenset({"p", "h2", "h3", "h4", "h5", "h6", "blockquote"})
_LIKE_ITEM_TAGS = frozenset({"div", "section", "article"})
LIKE_ITEMS = 3  # siblings of one tag and class that make a list of like items (an episode guide's entries)
_NAVIGATION = re.compile(r"nav|menu|masthead|site-header|site-footer", re.I)


def listing_body(blocks: list[Block], soft: list[tuple[Tag, int]], container: Tag | None, body: str,
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
    chains: list[tuple[Block, list[Tag]]] = []
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
    named = squash(h1.get_text(" ")) == squash(headline)
    marks: set[int] = set()
    for tag, strength in soft:
        if id(tag) not in inside or (strength in (1, 2) and held.get(id(tag), 0) >= SPARE_STRONG * area_chars):
            continue
        if not named and (tag.name == "nav" or _NAVIGATION.search(attr_tokens(tag))):
            return None  # the site's menus: the page, not its main area
        if (strength == 1 and tag.name not in SECTION_BOILERPLATE_TAGS) or (strength == 2 and tag.name in _DATA_TAGS):
            continue
        marks.add(id(tag))
    kept = [(block, chain) for block, chain in chains
            if not any(id(node) in marks for node in chain) and block.tag != "h1"
            and not JUNK_LINE.match(block.text) and not is_text_byline(block.text)]
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


def _holds_headline(text: str, head: str) -> bool:
    """The line is mostly the headline (squashed): the headline with a kicker or a label."""
    line = squash(text)
    return bool(head) and head in line and 2 * len(head) >= len(line)


def _in_teaser(block: Block) -> bool:
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


def _under_linked_title(before: Block, line: Block) -> bool:
    """The line follows, in the same element, a line that is all link (but a closing mark): a listed story's date or
    byline under its linked title ("<a>An HR Manager Responds</a><br>by Rick Stoeckel (5/17/2007)")."""
    return before.element is line.element and before.link_chars >= len(before.text) - 2 > 0


def _date_line(blocks: list[Block], chains: list[list[Tag]], best: Tag, root: Tag, head_low: str) -> str | None:
    """The first line with a written date beside the article: a short line just under the
    headline (the page's clock, weather or menu bar above it may carry today's date), else
    a short line in the article's surroundings, else a paragraph that opens with its date
    ("27.1.2022 - Bei der ..."), else a labelled date line just over the headline."""
    if best is root:
        return None
    heads = [i for i, b in enumerate(blocks[:MAX_TITLE_BLOCKS]) if b.text.lower() == head_low]
    if heads:
        under = next((b.text for b, chain in zip(blocks[heads[0] + 1:heads[0] + 1 + MAX_LINES_UNDER_HEADLINE],
                                                 chains[heads[0] + 1:])
                      if _dates_the_page(b.text) and not _quoted_post(chain)), None)
        if under:
            return under
    scope = article_scope(best, up=4)
    inside = [(b, chain) for b, chain in zip(blocks, chains) if any(n is scope for n in chain)]
    found = next((b.text for i, (b, chain) in enumerate(inside) if _dates_the_page(b.text) and not _in_teaser(b)
                  and not (i and _under_linked_title(inside[i - 1][0], b)) and not _quoted_post(chain)), None) \
        or next((b.text for b, chain in inside if opens_with_date(b.text) and not _quoted_post(chain)), None)
    if found or not heads:
        return found
    return next((b.text for b in blocks[max(0, heads[0] - MAX_LINES_UNDER_HEADLINE):heads[0]]
                 if _dates_the_page(b.text) and PUBLISHED_LABEL.search(b.text)), None)


def name_line(blocks: list[Block], headline: str) -> str | None:
    """A byline set without "By" under the headline: a name after a line that is only "by" ("von / Anne-Marie
    Slaughter", "byRahimu Fadhili"); a name opening a line as a link to the writer's page ("/autor/4971-piotr-
    jendroszczyk"); else a name that links to the person's own page ("/@johncwelch") in a line with the story's
    date ("Dan Goodin - Apr 16, 2015 8:02 pm UTC") or just before or after the date line ("Mike Conley /
    December 18, 2020"). A name alone may be a place, a section or the publication ("Malaysia Sun / Sunday 30th
    December, 2007"); its own page tells a person."""
    head_low = headline.lower().strip()
    heads = [i for i, b in enumerate(blocks[:MAX_TITLE_BLOCKS]) if b.text.lower() == head_low]
    # the first may be a menu's link to the story ("Trending" over it), the next its <h1>
    return next(filter(None, (_name_under(blocks[head + 1:head + 1 + MAX_LINES_TO_NAME]) for head in heads[:2])), None)


def _name_under(under: list[Block]) -> str | None:
    """The byline set without "By" in these lines under the headline (`name_line`)."""
    for i, block in enumerate(under):
        if _in_teaser(block) or block.tag in _NO_NAME_LINE:
            continue
        glued = _GLUED_BY.match(block.text)
        name = block.text[glued.end():] if glued else block.text
        if is_bare_name(name) and (glued or i > 0 and is_by_word(under[i - 1].text)):
            return name
        name = _opening_author_link(block)
        if name:
            return name
        name = _name_before_date(block.text)
        if name and _links_to_own_page(block.element, name):
            return block.text
        if is_bare_name(block.text) and _links_to_own_page(block.element, block.text) and _beside_date(under, i):
            return block.text
    return None


# a title ("February 8th, 2013 / <h2><a href="/stand-up-guys">Stand Up Guys</a>"), a table's or a list's label
_NO_NAME_LINE = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "tr", "th", "dt"})
_GLUED_BY = re.compile(r"(?:by|By|BY|von|Von|por|Por)(?=[A-ZÀ-Þ])")  # "byRahimu Fadhili": no space after "by"
_PARTICULAR = re.compile(r"\s*[|•·]\s*|\s[-–—]\s")  # the marks between a line's particulars


def _name_before_date(text: str) -> str | None:
    """The name opening a short line of a name and the story's date ("Dan Goodin - Apr 16, 2015 8:02 pm UTC")
    or of a name and its publication label ("Jane Roe | Published 1 day ago")."""
    named = opening_name(text)
    if named is not None and _dates_the_page(text):
        return named[0]
    parts = _PARTICULAR.split(text, maxsplit=1) if len(text) < 100 else []
    return parts[0] if len(parts) == 2 and is_bare_name(parts[0]) and PUBLISHED_LABEL.match(parts[1]) else None


def _links(element: Tag) -> list[Tag]:
    """The links a line's element is in or holds (<a><div>Jane Roe</div></a>, <p><a>Jane Roe</a></p>)."""
    return [t for t in [element, *itertools.islice(element.parents, 2)] if t.name == "a"] \
        + element.find_all("a", limit=4)


def _own_page(link: Tag, name: str) -> bool:
    """The link, named so, goes to a page of the person's own: its address holds the surname
    ("/author/dan-goodin", "/@johncwelch", "/autores/alberto_orfao/")."""
    surname = _ascii_key(name.split()[-1])
    return len(surname) >= 3 and surname in _ascii_key(unquote(link.get("href") or "")) \
        and name in collapse_spaces(link.get_text(" "))


def _links_to_own_page(element: Tag, name: str) -> bool:
    """The name in the line is a link to a page of the person's own."""
    return any(_own_page(link, name) for link in _links(element))


# an address of a writer's own page: "/author/dan-goodin", "/autor/4971-piotr-jendroszczyk", "/by/jane-roe"
_AUTHOR_PAGE = re.compile(r"author|autor|auteur|journalist|redakteur|reporter|columnist|contributor|writer"
                          r"|/staff/|/people/|/by/|/profile", re.I)


def _opening_author_link(block: Block) -> str | None:
    """The name that opens the line as a link to the writer's page, its address an author's holding the
    surname ("<a href="/toireporter/author-Aashish-Saxena-479265942.cms">Aashish Saxena</a> / TIMESOFINDIA.COM /
    Sep 2, 2024"): the byline whether or not the date is beside it."""
    for link in _links(block.element):
        name = collapse_spaces(link.get_text(" "))
        if block.text.startswith(name) and is_bare_name(name) and _own_page(link, name) \
                and _AUTHOR_PAGE.search(unquote(link.get("href") or "")):
            return name
    return None


def _ascii_key(text: str) -> str:
    """Lower-case ASCII letters and digits only ("Órfão" -> "orfao"): a name as addresses spell it."""
    return re.sub(r"[^a-z0-9]", "", unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower())


def _beside_date(lines: list[Block], i: int) -> bool:
    """The line just before or after line i is the story's date line, with marks alone between ("-", "•")."""
    for step in (1, -1):
        j = i + step
        while 0 <= j < len(lines) and abs(j - i) <= MAX_CONNECTORS and not re.search(r"\w", lines[j].text):
            j += step
        if 0 <= j < len(lines) and abs(j - i) <= MAX_CONNECTORS + 1 and _dates_the_page(lines[j].text):
            return True
    return False


def _quoted_post(chain: list[Tag]) -> bool:
    """The line is in a post the article quotes (a tweet's "— Jane Roe (@jroe) May 16, 2018")."""
    return any(is_embedded_post(node) for node in chain)


def _dates_the_page(text: str) -> bool:
    """A short line with a written date that is not a sentence about a day: a photo's caption
    "Fonda at a demonstration in Rome on March 8, 1972." tells of its event, not of the page, and so
    does a sentence without its full stop, told in words before the date ("The Social Security Act
    was signed into law on August 14, 1935": a story's highlight)."""
    date = find_written_date(text) if len(text) < 100 else None
    if date is None:
        return False
    before = text[:date.start()].split()
    if len(before) >= MIN_WORDS_TELLING and sum(w.isalpha() and w.islower() for w in before) >= MIN_WORDS_TELLING // 2:
        return False
    return not (END_PUNCT.search(text) and len(before) + len(text[date.end():].split()) >= 6)


MIN_WORDS_TELLING = 7  # words before a date that tell of it, half of them lower-case (not names, labels)


# lines under the headline (and over it, for a labelled one) that may hold its date line: a standfirst and
# a note may come first ("Headline / newsletter intro / privacy note / Jane Roe, April 19, 2020")
MAX_LINES_UNDER_HEADLINE = 4
MAX_LINES_TO_NAME = 2 * MAX_LINES_UNDER_HEADLINE  # lines under the headline looked at for a name line
MAX_CONNECTORS = 2  # lines of marks alone between a name and its date ("-", "|")
