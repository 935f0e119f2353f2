"""Keyword in context: every match of a query in every matching article, one line each.

A concordance reads the matches the search itself found, never a second
matcher: the matching articles come from the same scan as a result page
(`collect.scan`), the words each article matched from `collect.terms_of`
(stems, prefix and fuzzy expansions, Korean words as the index split them),
and where they stand from the body's stored character offsets
(`snippets.match_offsets`) or, in the headline and captions, which store none,
from the analyzer's tokens (`snippets.token_offsets`, what `mark_words`
marks). A phrase (also a hyphenated or Korean word the analyzer splits) is
one match where its words stand in order within the phrase's slop, so
`"crude oil"` lists each "crude oil", not every "crude" and every "oil".
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable, Iterator, NamedTuple

from whoosh import query

from indexer.errors import QueryError
from indexer.index.schema import CAPTION_SEPARATOR
from indexer.search import collect, export, snippets

KWIC_SORTS = ("date", "newest", "left", "right")
KWIC_FIELDS = ("headline", "captions", "body")  # the text fields a query's bare words search
DEFAULT_WIDTH = 60  # characters of context on each side
MAX_WIDTH = 300
_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"\w+")
_CHUNK = 256  # matching articles read at a time when streaming


@dataclass(frozen=True)
class KwicLine:
    """One match in its context (plain text; the web UI escapes it)."""

    id: str
    headline: str
    publication: str | None
    date: datetime | None
    field: str       # headline, captions or body
    left: str
    match: str
    right: str

    def to_json(self) -> dict:
        return {"id": self.id, "headline": self.headline, "date": self.date.isoformat() if self.date else None,
                "publication": self.publication, "field": self.field,
                "left": self.left, "match": self.match, "right": self.right}


@dataclass
class KwicPage:
    """One page of a concordance and the number of lines in the whole of it."""

    query: str
    total: int
    page: int
    per_page: int
    sort: str
    took_ms: float
    lines: list[KwicLine]
    articles: int  # matching articles

    @property
    def pages(self) -> int:
        return -(-self.total // self.per_page) if self.total else 0

    def to_json(self) -> dict:
        return {"query": self.query, "total": self.total, "articles": self.articles, "page": self.page,
                "per_page": self.per_page, "sort": self.sort, "took_ms": round(self.took_ms, 2),
                "lines": [line.to_json() for line in self.lines]}


def check_options(sort: str, width: int) -> None:
    """QueryError for an unknown sort or a width out of range (checked before the scan)."""
    if sort not in KWIC_SORTS:
        raise QueryError(f"Unknown concordance sort '{sort}': use {', '.join(KWIC_SORTS)}.")
    if not 1 <= width <= MAX_WIDTH:
        raise QueryError(f"width must be between 1 and {MAX_WIDTH} characters.")


class ConcordanceScan(NamedTuple):
    """What a concordance reads, from `Archive`: its searcher, the parsed query,
    the query's matches (`collect.scan`) and the matching docnums in line order."""

    searcher: Any
    query: Any
    matches: Any
    ordered: list[int]


def concordance_page(scan: ConcordanceScan, request, sort: str = "date", width: int = DEFAULT_WIDTH) -> KwicPage:
    """The request's page (`request.page`, `request.per_page`) of the concordance
    of `request.query` under its filters, in `sort` order; `total` counts every line."""
    started = time.perf_counter()
    spans, docs = _spans_of(scan.searcher, scan.query, scan.matches, scan.ordered)
    if sort in ("left", "right"):
        spans.sort(key=lambda s: _context_key(docs[s[0]], s, sort))
    start = (request.page - 1) * request.per_page
    lines = [_line(docs[s[0]], s, width) for s in spans[start:start + request.per_page]]
    return KwicPage(request.query, len(spans), request.page, request.per_page, sort,
                    (time.perf_counter() - started) * 1000.0, lines, len(scan.ordered))


def iter_concordance(scan: ConcordanceScan, sort: str = "date", width: int = DEFAULT_WIDTH) -> Iterator[KwicLine]:
    """Every line, no cap. In date order the articles are read a chunk at a
    time as the lines are written; sorted by context every line is gathered first."""
    if sort in ("left", "right"):
        spans, docs = _spans_of(scan.searcher, scan.query, scan.matches, scan.ordered)
        spans.sort(key=lambda s: _context_key(docs[s[0]], s, sort))
        return (_line(docs[s[0]], s, width) for s in spans)

    def lines() -> Iterator[KwicLine]:
        for at in range(0, len(scan.ordered), _CHUNK):
            spans, docs = _spans_of(scan.searcher, scan.query, scan.matches, scan.ordered[at:at + _CHUNK])
            for s in spans:
                yield _line(docs[s[0]], s, width)

    return lines()


# -- the matches ---------------------------------------------------------------------

def _phrases(q) -> dict[str, list[tuple[list[str], int]]]:
    """field -> (words, slop) of each phrase in the query."""
    found: dict[str, list[tuple[list[str], int]]] = {}
    for leaf in q.leaves():
        if isinstance(leaf, query.Phrase) and leaf.fieldname in KWIC_FIELDS:
            words = [w.decode("utf-8") if isinstance(w, bytes) else w for w in leaf.words]
            if (words, leaf.slop) not in found.get(leaf.fieldname, []):
                found.setdefault(leaf.fieldname, []).append((words, leaf.slop))
    return found


def _single_words(q) -> dict[str, set[str]]:
    """field -> words the query names outside phrases (terms, not expansions)."""
    found: dict[str, set[str]] = {}
    for leaf in q.leaves():
        if isinstance(leaf, query.Term) and not isinstance(leaf, query.PatternQuery) \
                and leaf.fieldname in KWIC_FIELDS:
            text = leaf.text.decode("utf-8") if isinstance(leaf.text, bytes) else str(leaf.text)
            found.setdefault(leaf.fieldname, set()).add(text)
    return found


def _spans_of(searcher, q, matches, ordered: list[int]):
    """Lines as (docnum, field, part, start, end) in `ordered` article order
    then text order; `part` numbers a caption. Returns (spans, stored fields by docnum)."""
    phrases = _phrases(q)
    singles = _single_words(q)
    phrase_only = {field: {w for words, _ in items for w in words} - singles.get(field, set())
                   for field, items in phrases.items()}
    terms = collect.terms_of(searcher, q, matches, ordered)
    matched: dict[int, dict[str, list[str]]] = {}
    for docnum in ordered:
        by_field: dict[str, list[str]] = {}
        for fieldname, term in terms.get(docnum, ()):
            if fieldname in KWIC_FIELDS:
                word = term.decode("utf-8") if isinstance(term, bytes) else str(term)
                words = by_field.setdefault(fieldname, [])
                if word not in words:
                    words.append(word)
        matched[docnum] = by_field
    body_offsets = snippets.match_offsets(
        searcher, "body", [(d, matched[d]["body"]) for d in ordered if "body" in matched[d]],
        matches.posting_value)
    docs = {d: searcher.stored_fields(d) for d in ordered}
    spans: list[tuple] = []
    for docnum in ordered:
        for fieldname in KWIC_FIELDS:
            words = matched[docnum].get(fieldname)
            if not words:
                continue
            if fieldname == "body":
                parts = [{w: body_offsets.get((docnum, w), ()) for w in words}]
            else:
                analyzer = searcher.schema[fieldname].analyzer
                texts = (docs[docnum].get(fieldname) or "").split(CAPTION_SEPARATOR) \
                    if fieldname == "captions" else [docs[docnum].get(fieldname) or ""]
                parts = [snippets.token_offsets(text, set(words), analyzer) for text in texts]
            for part, offsets in enumerate(parts):
                for start, end in _occurrences(offsets, phrases.get(fieldname, ()),
                                               phrase_only.get(fieldname, set())):
                    spans.append((docnum, fieldname, part, start, end))
    return spans, docs


def _occurrences(offsets: dict, phrases, phrase_only: set[str]) -> list[tuple[int, int]]:
    """(startchar, endchar) of each match: every occurrence of a word matched on
    its own, and each place a phrase's words stand in order within its slop;
    overlapping matches (a word inside a phrase) are kept once, the longer."""
    found = [(start, end) for word, occ in offsets.items() if word not in phrase_only
             for _pos, start, end in occ]
    for words, slop in phrases:
        if not all(offsets.get(w) for w in words):
            continue
        at = [{pos: (start, end) for pos, start, end in offsets[w]} for w in words]
        for pos in sorted(at[0]):
            last, ok = pos, True
            for following in at[1:]:
                nxt = next((p for p in range(last + 1, last + slop + 1) if p in following), None)
                if nxt is None:
                    ok = False
                    break
                last = nxt
            if ok:
                found.append((at[0][pos][0], at[-1][last][1]))
    found.sort(key=lambda se: (se[0], -se[1]))
    kept: list[tuple[int, int]] = []
    for start, end in found:
        if kept and start < kept[-1][1]:
            continue
        kept.append((start, end))
    return kept


# -- lines --------------------------------------------------------------------------

def _text_of(fields: dict, fieldname: str, part: int) -> str:
    text = fields.get(fieldname) or ""
    return text.split(CAPTION_SEPARATOR)[part] if fieldname == "captions" else text


def _line(fields: dict, span: tuple, width: int) -> KwicLine:
    _docnum, fieldname, part, start, end = span
    text = _text_of(fields, fieldname, part)
    left = _SPACES.sub(" ", text[max(0, start - width - 20):start])[-width:]
    right = _SPACES.sub(" ", text[end:end + width + 20])[:width]
    return KwicLine(id=fields["id"], headline=fields.get("headline") or "",
                    publication=fields.get("publication"), date=fields.get("date"), field=fieldname,
                    left=left, match=_SPACES.sub(" ", text[start:end]), right=right)


def _context_key(fields: dict, span: tuple, side: str) -> tuple:
    """The words next to the match, nearest first, case-folded: the
    concordance's sort by the word before (left) or after (right)."""
    _docnum, fieldname, part, start, end = span
    text = _text_of(fields, fieldname, part)
    if side == "left":
        words = _WORD.findall(text[max(0, start - 80):start])[::-1][:3]
    else:
        words = _WORD.findall(text[end:end + 80])[:3]
    return (tuple(w.casefold() for w in words), text[start:end].casefold())


# -- writers (the CLI and the web export share them) ---------------------------------
KWIC_COLUMNS = ("id", "headline", "publication", "date", "field", "left", "match", "right")


def kwic_jsonl_lines(lines: Iterable[KwicLine]) -> Iterator[str]:
    return export.jsonl_lines(lines)


def kwic_csv_lines(lines: Iterable[KwicLine]) -> Iterator[str]:
    """CSV with a header row (KWIC_COLUMNS)."""
    return export.csv_rows(KWIC_COLUMNS, (line.to_json() for line in lines), every=64)


def kwic_text_lines(lines: Iterable[KwicLine], width: int = DEFAULT_WIDTH) -> Iterator[str]:
    """Aligned for a terminal: the left context right-aligned to `width`, the
    match between brackets, the right context, then the date and the id."""
    for line in lines:
        day = line.date.date().isoformat() if line.date else "----------"
        left, match, right, article_id = (export.terminal_safe(text) for text in
                                          (line.left, line.match, line.right, line.id))
        yield f"{left:>{width}} [{match}] {right:<{width}}  {day}  {article_id}\n"
