"""Query -> results: the `Archive` facade over filters, ranking, facets, snippets,
versions, suggestions, trends and similar articles.

`Archive` is the one search API: the CLI and the web UI are thin shells over it.
It is safe to share between threads (each thread gets its own Whoosh searcher)
and notices a rebuild by itself, so a running server shows new articles
without a restart.
"""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Iterator

import numpy as np
from whoosh import query, sorting

from indexer.errors import QueryError
from indexer.index import store
from indexer.index.schema import CAPTION_SEPARATOR, DEFAULT_FIELDS, FACET_FIELDS, FIELD_BOOSTS, document_to_article
from indexer.index.sources import Manifest
from indexer.ingest.article import Article
from indexer.limits import GROUP_VERSIONS_DEPTH
from indexer.search import collect, cost, snippets, suggest, trend, versions
from indexer.search.kwic import DEFAULT_WIDTH as KWIC_WIDTH
from indexer.search.kwic import ConcordanceScan, KwicLine, KwicPage, concordance_page, iter_concordance
from indexer.search.kwic import check_options as check_kwic_options
from indexer.search.parsing import parse_query
from indexer.search.ranking import COMMON_WORD_SHARE, displayed_score
from indexer.search.results import HighlightedArticle, SearchHit, SearchRequest, SearchResults
from indexer.search.searchers import SearcherPool
from indexer.search.sourcepaths import archive_root, shown_source
from indexer.search.trend import TrendPoint, TrendSeries

__all__ = ["Archive"]

SIMILAR_TERMS = 10  # key terms of an article that "more like this" searches for
TEXT_FIELDS = frozenset(DEFAULT_FIELDS)  # the fields whose matches are marked


class Archive:
    """The searchable archive in an index directory."""

    def __init__(self, index_dir: str | Path, *, relative_sources: bool = False) -> None:
        """`relative_sources`: give `source` below the archive's root, never as the
        server's absolute path (what the web UI shows visitors; search/sourcepaths.py)."""
        self.index_dir = Path(index_dir)
        self._pool = SearcherPool(self.index_dir)
        self._relative_sources = relative_sources
        self._root: tuple[Path, str | None] | None = None   # (live generation, its archive root)

    def _searcher(self):
        return self._pool.get()

    # -- queries -----------------------------------------------------------
    def parse(self, text: str, schema=None) -> query.Query:
        """The Whoosh query for the user's text; QueryError explains bad syntax,
        QueryTooCostly a query that would expand past the limits (search/cost.py)."""
        searcher = self._searcher()
        q = cost.without_field_every(parse_query(text, schema or searcher.schema))
        return cost.check_expansions(q, searcher.reader())

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

    @cost.budgeted
    def search(self, request: SearchRequest) -> SearchResults:
        """One page of ranked results with exact total and facets over the whole set.

        One pass over the matches (indexer.search.collect) gives the total, the order
        and the facet counts; matched terms and snippets are found for the hits
        shown only. The order, totals, facets and snippets are those of
        Whoosh's `search(q, groupedby=facets, terms=True)` with `highlights()`
        (tests/search/test_speed_paths.py compares them)."""
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
            source=self._shown_source(fields.get("source") or ""), score=displayed_score(score),
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

        generation = Path(self._pool.version(searcher)[0])
        corrected = suggest.correct_query(generation, request.query, fold)
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
        return self._article(fields, self._source_root()) if fields else None

    def _article(self, fields: dict, root: str | None) -> Article:
        article = document_to_article(fields)
        return replace(article, source=shown_source(article.source, root)) if self._relative_sources else article

    def _shown_source(self, source: str) -> str:
        return shown_source(source, self._source_root()) if self._relative_sources else source

    def _source_root(self) -> str | None:
        """The live index's archive root (read from its manifest once per generation)."""
        if not self._relative_sources:
            return None
        generation = store.require_live_generation(self.index_dir).resolve()
        cached = self._root
        if cached is None or cached[0] != generation:
            cached = self._root = (generation, archive_root(Manifest.load(generation).sources))
        return cached[1]

    def existing_ids(self, article_ids) -> set[str]:
        """Those of `article_ids` the index has (a collection lists articles a rebuild may have removed)."""
        searcher = self._searcher()
        return {i for i in article_ids if searcher.document_number(id=i) is not None}

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
    @cost.budgeted
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

    def compare_trends(self, request: SearchRequest, queries: list[str],
                       interval: str = "month") -> list[TrendSeries]:
        """`trend` of each query under the request's filters: one series per
        query over the same periods, to draw on one timeline."""
        trend.check_compare(queries)
        return [TrendSeries(text, self.trend(replace(request, query=text), interval)) for text in queries]

    # -- concordance -------------------------------------------------------
    def kwic(self, request: SearchRequest, sort: str = "date", width: int = KWIC_WIDTH) -> KwicPage:
        """One page of every match of the query in context (indexer.search.kwic)."""
        check_kwic_options(sort, width)
        return concordance_page(self._concordance_scan(request, sort == "newest"), request, sort, width)

    def iter_kwic(self, request: SearchRequest, sort: str = "date",
                  width: int = KWIC_WIDTH) -> Iterator[KwicLine]:
        """Every line of the concordance, streamed (no cap); a bad query raises here, not mid-stream."""
        check_kwic_options(sort, width)
        return iter_concordance(self._concordance_scan(request, sort == "newest"), sort, width)

    def _concordance_scan(self, request: SearchRequest, newest: bool) -> ConcordanceScan:
        """The query's matches under the filters (the search's own scan), by date."""
        searcher = self._searcher()
        q = self.parse(request.query, searcher.schema)
        if isinstance(q, query.Every):
            raise QueryError("A concordance needs words to look for: give a query.")
        matches = collect.scan(searcher, q, self._filter_mask(searcher, request), scored=False)
        docnums = matches.docnums
        keys = self._pool.sort_keys(searcher, "date", newest)[docnums]
        return ConcordanceScan(searcher, q, matches, [int(d) for d in docnums[np.lexsort((docnums, keys))]])

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
        root = self._source_root()
        return (self._article(searcher.stored_fields(docnum), root) for docnum in results.docs())

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
