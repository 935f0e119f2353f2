"""Query -> results: parsing, filters, ranking, facets, snippets, similar articles.

`Archive` is the one search API: the CLI and the web UI are thin shells over it.
It is safe to share between threads (each thread gets its own Whoosh searcher)
and notices a rebuild by itself, so a running server shows new articles
without a restart.
"""

from __future__ import annotations

import copy
import math
import re
import time
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Iterator, Mapping

import numpy as np
from whoosh import query, sorting
from whoosh.qparser import AndGroup, FuzzyTermPlugin, MultifieldParser, OrGroup, PlusMinusPlugin
from whoosh.qparser.common import QueryParserError
from whoosh.qparser.plugins import FieldAliasPlugin

from indexer.errors import IndexMissing, QueryError
from indexer.index import store
from indexer.index.schema import CAPTION_SEPARATOR, DEFAULT_FIELDS, FIELD_ALIASES, FIELD_BOOSTS, document_to_article
from indexer.ingest.article import Article
from indexer.ingest.dates import parse_day
from indexer.limits import GROUP_VERSIONS_DEPTH, MAX_FUZZY_TERMS, MAX_PAGE, MAX_PER_PAGE, MAX_QUERY_CHARS
from indexer.search import collect, snippets, suggest, trend, versions
from indexer.search.ranking import COMMON_WORD_SHARE, all_words_first, displayed_score
from indexer.search.searchers import SearcherPool
from indexer.search.trend import TrendPoint

__all__ = ["Archive", "SearchRequest", "SearchResults", "SearchHit", "HighlightedArticle",
           "QueryError", "IndexMissing", "TrendPoint"]

SORTS = ("relevance", "newest", "oldest")
SIMILAR_TERMS = 10  # key terms of an article that "more like this" searches for
TEXT_FIELDS = frozenset(DEFAULT_FIELDS)  # the fields whose matches are marked
METADATA_FIELDS = frozenset({"date", "publication", "author", "url", "source"})
_OPERATOR = re.compile(r"^(AND|OR|NOT|ANDNOT|ANDMAYBE)$")
_SYNTAX_CHARS = re.compile(r'["()\[\]{}:*?~^+]|(?:^|\s)-|\b(?:AND|OR|NOT)\b')
# Field names a query may scope words to (PRODUCT.md), and the aliases people type.
QUERY_FIELDS = ("headline", "body", "caption", "publication", "author", "date", "url", "source")
_KNOWN_FIELDS = frozenset(QUERY_FIELDS) | frozenset(FIELD_ALIASES) | frozenset(FIELD_ALIASES.values())
# Facets of every result page: name -> sortable field
FACET_FIELDS = {"publication": "publication_key", "year": "year", "month": "month"}


@dataclass(frozen=True)
class SearchRequest:
    """Everything that defines a result page; every field lives in the URL."""

    query: str = ""
    publications: tuple[str, ...] = ()
    date_from: datetime | None = None
    date_to: datetime | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = 10
    group_versions: bool = True  # show re-sent versions of a story as one hit

    def __post_init__(self) -> None:
        if len(self.query) > MAX_QUERY_CHARS:
            raise QueryError(f"The query is {len(self.query):,} characters long; "
                             f"the limit is {MAX_QUERY_CHARS:,}.")
        if self.sort not in SORTS:
            raise QueryError(f"Unknown sort '{self.sort}': use relevance, newest or oldest.")
        if not 1 <= self.per_page <= MAX_PER_PAGE:
            raise QueryError(f"per_page must be between 1 and {MAX_PER_PAGE}.")
        if not 1 <= self.page <= MAX_PAGE:
            raise QueryError(f"Pages run from 1 to {MAX_PAGE}; to take away a whole "
                             "result set, use the export.")
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise QueryError("The 'from' date is after the 'to' date.")

    @classmethod
    def from_params(cls, params: Mapping, *, per_page_default: int = 10) -> "SearchRequest":
        """Build from URL parameters (a werkzeug MultiDict or a plain dict).
        Raises QueryError with a user-facing message for bad values."""
        def get(name: str) -> str:
            value = params.get(name)
            return value.strip() if isinstance(value, str) else ""

        getlist = getattr(params, "getlist", None)
        pubs = getlist("publication") if getlist else [params.get("publication") or ""]
        try:
            date_from = parse_day(get("from"))
            date_to = parse_day(get("to"), end=True)
        except ValueError as exc:
            raise QueryError(str(exc)) from None
        return cls(
            query=(params.get("q") or "") if isinstance(params.get("q") or "", str) else "",
            publications=tuple(dict.fromkeys(p.strip() for p in pubs if p and p.strip())),
            date_from=date_from,
            date_to=date_to,
            sort=get("sort") or "relevance",
            page=_positive_int(get("page"), "page", 1),
            per_page=_positive_int(get("per_page"), "per_page", per_page_default),
            group_versions=get("versions") != "all",
        )

    def with_page(self, page: int) -> "SearchRequest":
        return replace(self, page=page)


def _positive_int(text: str, name: str, default: int) -> int:
    if not text:
        return default
    if not re.fullmatch(r"\d{1,9}", text):
        raise QueryError(f"{name} must be a whole number, not '{text[:40]}'.")
    return int(text)


@dataclass
class SearchHit:
    """One ranked article on a result page; snippets are HTML-safe."""

    id: str
    headline: str
    publication: str | None
    author: str | None
    date: datetime | None
    url: str | None
    source: str
    score: float
    snippet: str
    caption_snippet: str | None = None
    headline_html: str = ""
    # ids of other versions of the same story (re-sent with small edits) that
    # also match the query; they are not listed as hits of their own
    duplicates: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "id": self.id, "headline": self.headline, "publication": self.publication,
            "author": self.author, "date": self.date.isoformat() if self.date else None,
            "url": self.url, "source": self.source, "score": round(self.score, 4),
            "snippet": self.snippet, "caption_snippet": self.caption_snippet,
            "duplicates": list(self.duplicates),
        }


@dataclass
class SearchResults:
    request: SearchRequest
    total: int
    took_ms: float
    hits: list[SearchHit]
    facets: dict[str, dict[str, int]]
    suggestion: str | None = None
    # with a publication filter: hits per publication for the query and dates
    # without that filter (None without one: then it is facets["publication"])
    publication_choices: dict[str, int] | None = None

    @property
    def page(self) -> int:
        return self.request.page

    @property
    def per_page(self) -> int:
        return self.request.per_page

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page)) if self.total else 0

    def to_json(self) -> dict:
        return {
            "query": self.request.query, "total": self.total, "page": self.page,
            "per_page": self.per_page, "took_ms": round(self.took_ms, 2),
            "hits": [h.to_json() for h in self.hits],
            "facets": {"publication": self.facets.get("publication", {}),
                       "year": self.facets.get("year", {}),
                       "month": self.facets.get("month", {})},
            "suggestion": self.suggestion,
        }


@dataclass
class HighlightedArticle:
    """An article's text as HTML-safe strings with the query's words marked."""

    headline: str
    body_paragraphs: list[str] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)


class Archive:
    """The searchable archive in an index directory."""

    def __init__(self, index_dir: str | Path) -> None:
        self.index_dir = Path(index_dir)
        self._pool = SearcherPool(self.index_dir)

    def _searcher(self):
        return self._pool.get()

    def _parser(self, schema, group) -> MultifieldParser:
        parser = MultifieldParser(list(DEFAULT_FIELDS), schema, fieldboosts=FIELD_BOOSTS, group=group)
        parser.add_plugin(FuzzyTermPlugin())
        # + and - are operators only at the start of a word: "pan-alberta" is
        # a hyphenated word (searched as a phrase), not "pan NOT alberta".
        parser.add_plugin(PlusMinusPlugin(plusexpr=r"(?<![^\s(])\+", minusexpr=r"(?<![^\s(])-"))
        parser.add_plugin(FieldAliasPlugin({field: [alias] for alias, field in FIELD_ALIASES.items()}))
        return parser

    # -- queries -----------------------------------------------------------
    def parse(self, text: str, schema=None) -> query.Query:
        """The Whoosh query for the user's text; QueryError explains bad syntax."""
        text = text.strip()
        if text in ("", "*"):
            return query.Every()
        check_syntax(text)
        schema = schema or self._searcher().schema
        try:
            q_any = self._parser(schema, OrGroup).parse(text)
        except QueryParserError as exc:
            raise QueryError(f"Could not read the query: {exc}") from None
        except Exception as exc:  # whoosh raises bare Exception / TimeError for bad dates
            if "date:" in text.lower():
                raise QueryError(f"Could not read the date ({exc}): write dates as YYYY-MM-DD, "
                                 "e.g. date:[1987-03-01 to 1987-03-31].") from None
            raise QueryError(f"Could not read the query: {exc}") from None
        if q_any is query.NullQuery:
            raise QueryError("The query has no words to search for.")
        _check_expansions(q_any)
        q_any = _weigh_fields(_tighten(q_any))
        if _SYNTAX_CHARS.search(text) or len(text.split()) < 2:
            return q_any
        q_all = _weigh_fields(self._parser(schema, AndGroup).parse(text))
        return all_words_first(q_all, q_any)

    def _filter_query(self, request: SearchRequest) -> tuple[tuple, query.Query] | None:
        """(cache key, Whoosh query) of the request's filters, or None for no filter."""
        parts: list[query.Query] = []
        if request.publications:
            parts.append(query.Or([query.Term("publication_key", p) for p in request.publications]))
        if request.date_from or request.date_to:
            parts.append(query.DateRange("date", request.date_from, request.date_to))
        if not parts:
            return None
        q = parts[0] if len(parts) == 1 else query.And(parts)
        return (request.publications, request.date_from, request.date_to), q

    def _filter(self, searcher, request: SearchRequest):
        """The docnums allowed by the filters, or None for no filter."""
        found = self._filter_query(request)
        return None if found is None else self._pool.filter_docs(searcher, *found)

    def _filter_mask(self, searcher, request: SearchRequest):
        """The same filter as a bool array over document numbers, or None."""
        found = self._filter_query(request)
        return None if found is None else self._pool.filter_mask(searcher, *found)

    def search(self, request: SearchRequest) -> SearchResults:
        """One page of ranked results with exact total and facets over the whole set.

        One pass over the matches (indexer.search.collect) gives the total, the order
        and the facet counts; matched terms and snippets are found for the hits
        shown only. The order, totals, facets and snippets are those of
        Whoosh's `search(q, groupedby=facets, terms=True)` with `highlights()`
        (tests/test_search_speed_paths.py compares them)."""
        started = time.perf_counter()
        searcher = self._searcher()
        q = self.parse(request.query, searcher.schema)
        allowed = self._filter_mask(searcher, request)
        if allowed is not None and not allowed.any():
            return SearchResults(request, 0, _ms(started), [], {}, None)
        relevance = request.sort == "relevance"
        publication_choices = None
        if request.publications:
            # Scan under the dates only: the counts of every publication for
            # this query and dates come from the same pass (the UI lists them so
            # a second publication can be ticked), then the publications filter.
            matches = collect.scan(
                searcher, q, self._filter_mask(searcher, replace(request, publications=())),
                scored=relevance)
            docnums, scores = matches.docnums, matches.scores
            codes, names = self._pool.facet_codes(searcher, FACET_FIELDS["publication"])
            publication_choices = _counts(collect.facet_counts(codes, names, docnums))
            keep = allowed[docnums]
            docnums = docnums[keep]
            scores = scores[keep] if scores is not None else None
        else:
            matches = collect.scan(searcher, q, allowed, scored=relevance)
            docnums, scores = matches.docnums, matches.scores
        total = len(docnums)
        if relevance:
            keys = -scores
        else:
            keys = self._pool.sort_keys(searcher, "date", request.sort == "newest")[docnums]
        window = request.page * request.per_page
        grouped = (request.group_versions and window <= GROUP_VERSIONS_DEPTH
                   and "dup_signature" in searcher.schema.names())
        limit = window + window // 2 + 10 if grouped else window  # room for hidden versions
        start = (request.page - 1) * request.per_page
        while True:
            ranked = collect.top(keys, docnums, limit)
            if not grouped:
                page, versions = [int(docnums[i]) for i in ranked[start:start + request.per_page]], {}
                break
            page, versions, complete = self._grouped_page(
                searcher, [int(docnums[i]) for i in ranked], start, request.per_page)
            if complete or len(ranked) >= total:
                break
            limit *= 2  # many versions hid hits: widen the window until the page is full
        score_of = ({int(docnums[i]): float(scores[i]) for i in ranked} if relevance else {})
        terms = collect.terms_of(searcher, q, matches, page)
        stored = [searcher.stored_fields(docnum) for docnum in page]
        matched = [_matched_by_field(terms.get(docnum, ())) for docnum in page]
        wanted = [(docnum, fields.get("body") or "", words["body"])
                  for docnum, fields, words in zip(page, stored, matched) if "body" in words]
        cut = dict(zip([docnum for docnum, _, _ in wanted], snippets.body_snippets(searcher, wanted,
                                                                read_value=matches.posting_value)))
        hits = []
        for docnum, fields, words in zip(page, stored, matched):
            hit = self._hit(searcher, fields, score_of.get(docnum), words, cut.get(docnum, ""))
            hit.duplicates = versions.get(docnum, [])
            hits.append(hit)
        facet_counts = {}
        for name, fieldname in FACET_FIELDS.items():
            codes, names = self._pool.facet_codes(searcher, fieldname)
            facet_counts[name] = _counts(collect.facet_counts(codes, names, docnums))
        suggestion = None
        if total < 3 and request.query.strip() not in ("", "*"):
            suggestion = self._suggest(searcher, request, total)
        return SearchResults(request, total, _ms(started), hits, facet_counts, suggestion,
                             publication_choices)

    def _grouped_page(self, searcher, ranked: list[int], start: int, count: int):
        """The page's docnums with re-sent versions of a story folded into the
        best-ranked one: (docnums, {docnum: ids of its other versions}, complete).
        Grouping runs over the whole ranked window from the first hit, so pages
        never repeat a story; versions are compared within that window."""
        groups = versions.group_versions(searcher, ranked)
        complete = len(groups) >= start + count
        page_groups = groups[start:start + count]
        page = [leader for leader, _ in page_groups]
        version_ids = {leader: [searcher.stored_fields(d)["id"] for d in others]
                       for leader, others in page_groups}
        return page, version_ids, complete

    def _hit(self, searcher, fields: dict, score: float | None, matched: dict[str, list[str]],
             snippet: str) -> SearchHit:
        """A result-page hit from its stored fields, its matched words by field
        and its body snippet (the article's lead when that is empty)."""
        if not snippet:
            snippet = snippets.lead(fields.get("body") or "")
        caption_snippet = None
        if "captions" in matched:
            analyzer = searcher.schema["captions"].analyzer
            for caption in (fields.get("captions") or "").split(CAPTION_SEPARATOR):
                marked = snippets.mark_words(caption, set(matched["captions"]), analyzer)
                if "<mark>" in marked:
                    caption_snippet = marked
                    break
        headline = fields.get("headline") or ""
        return SearchHit(
            id=fields["id"], headline=headline, publication=fields.get("publication"),
            author=fields.get("author"), date=fields.get("date"), url=fields.get("url"),
            source=fields.get("source") or "", score=displayed_score(score),
            snippet=snippet, caption_snippet=caption_snippet,
            headline_html=snippets.mark_words(headline, set(matched.get("headline", ())),
                                searcher.schema["headline"].analyzer),
        )

    def _suggest(self, searcher, request: SearchRequest, total: int) -> str | None:
        """A corrected query from the index's own (unstemmed) words, offered
        when it finds clearly more than the query did."""
        analyzer = searcher.schema["body"].analyzer

        def fold(word: str) -> str:
            return " ".join(t.text for t in analyzer(word, nomorph=True))

        corrected = suggest.correct_query(searcher, request.query, fold)
        if not corrected or corrected.lower() == request.query.lower():
            return None
        try:
            corrected_q = self.parse(corrected, searcher.schema)
        except QueryError:
            return None
        allowed = self._filter(searcher, request)
        if allowed is not None and not allowed:
            return None
        better = len(searcher.search(corrected_q, limit=1, filter=allowed, optimize=False))
        return corrected if better >= 2 * total + 1 else None

    # -- articles ----------------------------------------------------------
    def get_article(self, article_id: str) -> Article | None:
        fields = self._searcher().document(id=article_id)
        return document_to_article(fields) if fields else None

    def highlight_article(self, article: Article, text: str) -> HighlightedArticle:
        """The article with the words that the query matched in it marked."""
        terms = self._matched_words(article.id, text)
        schema = self._searcher().schema
        def mark(field, value):
            return snippets.mark_words(value, terms.get(field, set()), schema[field].analyzer)
        return HighlightedArticle(
            headline=mark("headline", article.headline),
            body_paragraphs=[mark("body", p) for p in article.body.split("\n\n") if p.strip()],
            captions=[mark("captions", c) for c in article.captions],
        )

    def _matched_words(self, article_id: str, text: str) -> dict[str, set[str]]:
        if not text.strip() or text.strip() == "*":
            return {}
        searcher = self._searcher()
        try:
            q = self.parse(text, searcher.schema)
        except QueryError:
            return {}
        docnum = searcher.document_number(id=article_id)
        if docnum is None:
            return {}
        allowed = np.zeros(searcher.doc_count_all(), dtype=bool)
        allowed[docnum] = True
        matches = collect.scan(searcher, q, allowed, scored=False)
        found: dict[str, set[str]] = {}
        for fieldname, term in collect.terms_of(searcher, q, matches, [docnum]).get(docnum, ()):
            if fieldname in TEXT_FIELDS:
                found.setdefault(fieldname, set()).add(_term_text(term))
        return found

    def similar(self, article_id: str, limit: int = 5) -> list[SearchHit]:
        """Articles like this one ("more like this"): its key terms (headline
        words counted twice) searched in headline and body with BM25F.
        Re-sent versions of the same story are left out: they are the same
        article, not related ones."""
        searcher = self._searcher()
        docnum = searcher.document_number(id=article_id)
        if docnum is None:
            return []
        q = similar_query(searcher, docnum)
        if q is None:
            return []
        # the same ranking as Whoosh's search(q, limit=...), by the array scan:
        # twenty common-ish terms match most of a large archive
        matches = collect.scan(searcher, q, None)
        ranked = collect.top(-matches.scores, matches.docnums, 3 * limit + 1)
        score_of = {int(matches.docnums[i]): float(matches.scores[i]) for i in ranked}
        others = [d for d in score_of if d != docnum]
        is_copy_of = versions.is_version(searcher, docnum, others)
        # versions of one related story count once, too
        kept = [d for d, is_copy in zip(others, is_copy_of) if not is_copy]
        leaders = {leader for leader, _ in versions.group_versions(searcher, kept)}
        shown = [d for d in kept if d in leaders][:limit]
        terms = collect.terms_of(searcher, q, matches, shown)
        stored = [searcher.stored_fields(d) for d in shown]
        matched = [_matched_by_field(terms.get(d, ())) for d in shown]
        wanted = [(d, fields.get("body") or "", words["body"])
                  for d, fields, words in zip(shown, stored, matched) if "body" in words]
        cut = dict(zip([d for d, _, _ in wanted], snippets.body_snippets(
            searcher, wanted, read_value=matches.posting_value)))
        return [self._hit(searcher, fields, score_of[d], words, cut.get(d, ""))
                for d, fields, words in zip(shown, stored, matched)]

    # -- trends ------------------------------------------------------------
    def trend(self, request: SearchRequest, interval: str = "month") -> list[TrendPoint]:
        """Matching articles per month or year, with the number of all articles
        of each period (under the same publication and date filters) and the
        share. Raises QueryError for a bad query or interval."""
        if interval not in trend.TREND_INTERVALS:
            raise QueryError(f"Unknown interval '{interval}': use month or year.")
        searcher = self._searcher()
        q = self.parse(request.query, searcher.schema)
        allowed = self._filter_mask(searcher, request)
        if allowed is not None and not allowed.any():
            return []
        codes, names = self._pool.facet_codes(searcher, interval)

        def period_totals() -> dict[str, int]:  # articles per period under the filters
            every = np.arange(len(codes)) if allowed is None else np.nonzero(allowed)[0]
            return _counts(collect.facet_counts(codes, names, every))

        # without filters the totals are the same for every query: once per index version
        totals = (self._pool.period_totals(searcher, interval, period_totals) if allowed is None
                  else period_totals())
        matches = collect.scan(searcher, q, allowed, scored=False)
        counts = _counts(collect.facet_counts(codes, names, matches.docnums))
        return trend.points_from(totals, counts, interval)

    # -- whole sets and totals ---------------------------------------------
    def iter_export(self, request: SearchRequest) -> Iterator[Article]:
        """Every matching article in the request's order, read lazily."""
        searcher = self._searcher()
        q = self.parse(request.query, searcher.schema)
        allowed = self._filter(searcher, request)
        if allowed is not None and not allowed:
            return iter(())
        kwargs: dict = dict(limit=None, filter=allowed)
        if request.sort != "relevance":
            kwargs["sortedby"] = sorting.FieldFacet("date", reverse=request.sort == "newest")
        results = searcher.search(q, **kwargs)
        return (document_to_article(searcher.stored_fields(docnum)) for docnum in results.docs())

    def stats(self) -> dict:
        searcher = self._searcher()
        generation = store.require_live_generation(self.index_dir)
        every = searcher.search(query.Every(), limit=None, groupedby={
            "publication": sorting.FieldFacet("publication_key")}, maptype=sorting.Count)
        dated = query.DateRange("date", datetime(1, 1, 1), datetime(9999, 12, 31))
        first = searcher.search(dated, limit=1, sortedby="date")
        last = searcher.search(dated, limit=1, sortedby="date", reverse=True)
        return {
            "articles": searcher.doc_count(),
            "publications": _counts(every.groups("publication")),
            "date_min": first[0]["date"].isoformat() if len(first) else None,
            "date_max": last[0]["date"].isoformat() if len(last) else None,
            "index_bytes": store.index_bytes(generation),
            "last_build": store.read_report(self.index_dir),
        }


def check_syntax(text: str) -> None:
    """Reject what Whoosh would silently misread, with a message that says how to fix it."""
    if text.count('"') % 2:
        raise QueryError('The query has an unbalanced quote ("): close the phrase or remove the quote.')
    depth = 0
    for ch in text:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth < 0:
            raise QueryError("The query has a ')' without a matching '('.")
    if depth:
        raise QueryError("The query has a '(' that is never closed.")
    if text.count("[") != text.count("]"):
        raise QueryError("The query has an unbalanced '[' or ']' (ranges look like date:[1987-03-01 to 1987-03-31]).")
    unquoted = re.sub(r'"[^"]*"', '""', text)
    depth = 0
    for i, ch in enumerate(unquoted):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth and ch in "-+" and (i == 0 or unquoted[i - 1] in " \t\n(") \
                and i + 1 < len(unquoted) and not unquoted[i + 1].isspace():
            word = re.match(r"[-+][^\s()]*", unquoted[i:]).group(0)
            fix = f"NOT {word[1:]}" if ch == "-" else f"AND {word[1:]}"
            raise QueryError(f"'{word}' inside parentheses: {ch} works on top-level words only; "
                             f"inside parentheses write {fix}.")
    for m in re.finditer(r"(?:^|(?<=[\s(]))[-+]?([^\W\d]\w*):", unquoted):
        name = m.group(1)
        if name.lower() not in _KNOWN_FIELDS:
            raise QueryError(f"Unknown field '{name}:'. Fields you can search: "
                             + ", ".join(f"{f}:" for f in QUERY_FIELDS) + ".")
        rest = unquoted[m.end():]
        if not rest or rest[0].isspace() or rest[0] == ")":
            raise QueryError(f"'{name}:' needs something to search for right after the colon, "
                             f"e.g. {name}:{_FIELD_EXAMPLES.get(name.lower(), 'oil')}.")
    if re.search(r"(?:^|\s)[-+](?:\s|$)", unquoted):
        raise QueryError("A lone '-' or '+' needs a word right after it, e.g. oil -gas.")
    wildcard = re.search(r"(?:^|[\s(:])([*?][^\s)]*)", unquoted)
    if wildcard and wildcard.group(1) != "*":
        raise QueryError(f"'{wildcard.group(1)}': a word cannot start with * or ? (that would "
                         "look through every word in the archive); put the wildcard at the end, "
                         "e.g. export*.")
    short = re.search(r"(?:^|[\s(:])(\w[*?]\S*)", unquoted)
    if short:
        raise QueryError(f"'{short.group(1)}': give at least two letters before a wildcard, "
                         "e.g. ex*.")
    words = re.findall(r'"[^"]*"|\S+', text)
    bare = [w.strip("()") for w in words]
    if all(_OPERATOR.match(w) or not w for w in bare):
        raise QueryError(f"'{text}' is only an operator: put words around AND, OR and NOT, "
                         "e.g. coffee AND brazil.")
    if bare and bare[-1] in ("AND", "OR", "NOT"):
        raise QueryError(f"'{bare[-1]}' at the end of the query needs a word after it.")
    if bare and bare[0] in ("AND", "OR"):
        raise QueryError(f"'{bare[0]}' at the start of the query needs a word before it.")
    for a, b in zip(bare, bare[1:]):
        if a in ("AND", "OR", "NOT") and b in ("AND", "OR"):
            raise QueryError(f"'{a} {b}': two operators in a row; put a word between them.")


_FIELD_EXAMPLES = {"headline": "takeover", "title": "takeover", "publication": "reuters",
                   "author": "kim", "byline": "kim", "date": "[1987-03-01 to 1987-03-31]",
                   "caption": "bridge", "captions": "bridge"}




def _check_expansions(q: query.Query) -> None:
    """Refuse fuzzy terms whose expansion would take the server down: `oil~3`
    matches nearly every word and took 32 s; long words with many edits build
    huge automata (gigabytes of memory)."""
    fuzzy = [t for t in q.leaves() if isinstance(t, query.FuzzyTerm)]
    words = {t.text for t in fuzzy}
    if len(words) > MAX_FUZZY_TERMS:
        raise QueryError(f"At most {MAX_FUZZY_TERMS} fuzzy words (word~) in one query.")
    for term in fuzzy:
        needed = 3 if term.maxdist <= 1 else 5
        if term.maxdist > 2:
            raise QueryError(f"'{term.text}~{term.maxdist}': fuzzy matching allows at most 2 edits "
                             "(word~ for one, word~2 for two).")
        if len(term.text) < needed or len(term.text) > 30:
            raise QueryError(f"'{term.text}~{term.maxdist}': fuzzy matching with {term.maxdist} "
                             f"edit(s) needs a word of {needed} to 30 letters.")


def _tighten(q: query.Query) -> query.Query:
    """Read an OR-grouped query the way people mean it: `oil NOT gas` excludes
    gas (rather than adding "anything without gas"), and `oil date:[…]` or
    `oil publication:reuters` narrow the words rather than adding alternatives."""
    if not isinstance(q, query.Or):
        return q
    subs = [_tighten(sub) for sub in q.subqueries]
    nots = [sub.query for sub in subs if isinstance(sub, query.Not)]
    meta = [sub for sub in subs if not isinstance(sub, query.Not)
            and _fields_of(sub) and _fields_of(sub) <= METADATA_FIELDS]
    words = [sub for sub in subs if not isinstance(sub, query.Not) and sub not in meta]
    if not words:
        words, meta = meta, []
    if not words:
        return q  # only NOTs: leave it to Whoosh (matches everything else)
    tightened: query.Query = words[0] if len(words) == 1 else query.Or(words, boost=q.boost)
    if meta:
        tightened = query.And([tightened, *meta])
    if nots:
        tightened = query.AndNot(tightened, nots[0] if len(nots) == 1 else query.Or(nots))
    return tightened


def _weigh_fields(q: query.Query) -> query.Query:
    """Give phrases, prefixes and wildcards their field's weight. Whoosh's
    MultifieldParser boosts a plain word per field but leaves `headline:"oil
    price"` and `headline:exp*` at 1, so a phrase in a headline weighed no
    more than one in the body."""
    if isinstance(q, (query.Phrase, query.PatternQuery)):
        if q.boost == 1.0 and q.fieldname in FIELD_BOOSTS:
            q = copy.copy(q)
            q.boost = FIELD_BOOSTS[q.fieldname]
        return q
    if q.is_leaf():
        return q
    return q.apply(_weigh_fields)


def _fields_of(q: query.Query) -> set[str]:
    name = getattr(q, "fieldname", None)
    if name:
        return {name}
    found: set[str] = set()
    for sub in getattr(q, "subqueries", ()) or ((q.child,) if hasattr(q, "child") else ()):
        found |= _fields_of(sub)
    return found


def similar_query(searcher, docnum: int) -> query.Query | None:
    """"More like this" for one article: its key terms (headline words
    counted twice), in headline and body, weighted by how key they are;
    None when it has none."""
    fields = searcher.stored_fields(docnum)
    text = " ".join([fields.get("headline") or ""] * 2 + [fields.get("body") or ""])
    # numbers and common words ("at", "were") say nothing about the subject
    n_docs = searcher.doc_count_all()
    key_terms = [(word, weight) for word, weight in searcher.key_terms_from_text(
                     "body", text, numterms=2 * SIMILAR_TERMS, normalize=True)
                 if not word.isdigit()
                 and searcher.doc_frequency("body", word) <= COMMON_WORD_SHARE * n_docs
                 ][:SIMILAR_TERMS]
    if not key_terms:
        return None
    return query.Or([query.Term(name, word, boost=weight * FIELD_BOOSTS[name])
                     for word, weight in key_terms for name in ("headline", "body")])


def _matched_by_field(terms) -> dict[str, list[str]]:
    """Matched words of the text fields, by field, in the order first matched."""
    matched: dict[str, list[str]] = {}
    for fieldname, term in terms:
        if fieldname in TEXT_FIELDS:
            words = matched.setdefault(fieldname, [])
            text = _term_text(term)
            if text not in words:
                words.append(text)
    return matched


def _term_text(term) -> str:
    return term.decode("utf-8") if isinstance(term, bytes) else str(term)


def _counts(groups: dict) -> dict[str, int]:
    pairs = [(str(k), int(v)) for k, v in groups.items() if k not in (None, "")]
    pairs.sort(key=lambda kv: (-kv[1], kv[0]))
    return dict(pairs)


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000.0
