"""The fast search path gives what Whoosh's own search gives.

`Archive.search` no longer asks Whoosh for `groupedby=` facets, `terms=True`
and `highlights()`: it steps the matcher once, counts facets from cached
column arrays, and finds matched terms and snippets for the hits shown only
(indexer.search.collect, indexer.search.searchers, indexer.search.snippets.body_snippets). These
tests run Whoosh's own path on the same real articles and compare totals,
facet counts, order, scores, snippets and marked headlines.
"""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from whoosh import query as whoosh_query
from whoosh import sorting

from indexer.index.schema import FACET_FIELDS
from indexer.search import snippets, trend, versions
from indexer.search.archive import _counts
from indexer.search.ranking import displayed_score
from indexer.search.results import SearchRequest

QUERIES = [
    "oil", "coffee", "bank", "dividend", "shares", "said",        # single words, some very common
    "oil prices", "interest rates cut", "crude oil output opec",   # all-words-first ranking
    "quarterly dividend", "bank of japan intervention",
    '"interest rates"', '"the company said"', '"net loss"',       # phrases
    '"said it"', '"oil prices"~3', '"of the" OR gold',
    "petro*", "comp*", "div*",                                     # prefixes
    "oil NOT gas", "headline:oil", "caption:bridge",               # operators, fields
    "sojourn", "kim", "*",                                          # seed article, everything
    "cofee~",                                                       # fuzzy
]
FILTERS = [
    {},
    {"publications": ("Reuters",)},
    {"date_from": datetime(1987, 2, 26), "date_to": datetime(1987, 3, 1, 23, 59, 59)},
    {"publications": ("Reuters",), "date_from": datetime(1987, 3, 1)},
    {"publications": ("No Such Paper",)},
]


def _configure_highlights(results) -> None:
    """Whoosh's `results.highlights()` as the product cuts them: short fragments from stored offsets, marked."""
    results.fragmenter = snippets.SnippetFragmenter(maxchars=snippets.SNIPPET_CHARS // 2, surround=60,
                                                    autotrim=True)
    results.formatter = snippets.MarkFormatter()


def _whoosh_period_counts(searcher, q, allowed, interval: str) -> dict[str, int]:
    """Matching articles per period by Whoosh's own facets (undated articles are left out)."""
    results = searcher.search(q, limit=1, filter=allowed, scored=False,
                              groupedby={"period": sorting.FieldFacet(interval)}, maptype=sorting.Count)
    return {str(k): int(v) for k, v in results.groups("period").items() if k not in (None, "")}


def _whoosh_trend(searcher, q, allowed, interval: str) -> list:
    """The trend as Whoosh's groupedby gives it (the code path Archive.trend used before the array scan)."""
    if allowed is not None and not allowed:
        return []
    totals = _whoosh_period_counts(searcher, whoosh_query.Every(), allowed, interval)
    counts = _whoosh_period_counts(searcher, q, allowed, interval) if totals else {}
    return trend.points_from(totals, counts, interval)


def _whoosh_reference(archive, request: SearchRequest):
    """Total, facets and the ungrouped page as Whoosh's own search gives them
    (the code path Archive.search used before the fast path)."""
    searcher = archive._searcher()
    q = archive.parse(request.query, searcher.schema)
    allowed = archive._filter(searcher, request)
    if allowed is not None and not allowed:
        return 0, {}, []
    facets = {name: sorting.FieldFacet(field) for name, field in FACET_FIELDS.items()}
    kwargs = dict(filter=allowed, terms=True, groupedby=facets, maptype=sorting.Count,
                  optimize=False)
    if request.sort != "relevance":
        kwargs["sortedby"] = sorting.FieldFacet("date", reverse=request.sort == "newest")
    window = request.page * request.per_page
    results = searcher.search(q, limit=window, **kwargs)
    _configure_highlights(results)
    total = len(results)
    start = (request.page - 1) * request.per_page
    page = []
    for hit in results[start:start + request.per_page]:
        matched: dict[str, set[str]] = {}
        for fieldname, term in hit.matched_terms():
            matched.setdefault(fieldname, set()).add(term.decode("utf-8"))
        snippet = hit.highlights("body", top=2) if "body" in matched else ""
        if not snippet:
            snippet = snippets.lead(hit.get("body") or "")
        headline = hit.get("headline") or ""
        page.append({
            # sorted by date, Whoosh's "score" is the date's sort key: the
            # fast path gives no score there (0.0), so only relevance compares it
            "id": hit["id"], "score": displayed_score(hit.score) if request.sort == "relevance" else 0.0,
            "snippet": snippet,
            "headline_html": snippets.mark_words(headline, matched.get("headline", set()),
                                                 searcher.schema["headline"].analyzer),
        })
    facet_counts = {name: _counts(results.groups(name)) for name in facets}
    return total, facet_counts, page


def _marks(html: str) -> list[str]:
    return re.findall(r"<mark>(.*?)</mark>", html)


def _assert_same_page(mine: list[dict], whooshs: list[dict], text: str) -> None:
    """Same hits, scores and snippets. One known difference: Whoosh records a
    phrase's words as matched in a document where that phrase did not match
    when a word's postings happen to be left positioned on it (the phrase's
    other words ran out), so it may mark "COMPANY" in a headline for
    "the company said" found in the body. The fast path marks only words of
    phrases that match; for phrase queries its marks are a subset of Whoosh's."""
    assert [h["id"] for h in mine] == [h["id"] for h in whooshs], text
    assert [h["score"] for h in mine] == [h["score"] for h in whooshs], text
    for a, b in zip(mine, whooshs):
        for key in ("snippet", "headline_html"):
            if '"' in text and a[key] != b[key]:
                assert set(_marks(a[key])) <= set(_marks(b[key])), (text, key, a[key], b[key])
                assert re.sub(r"</?mark>", "", a[key]) == re.sub(r"</?mark>", "", b[key]) or key == "snippet"
            else:
                assert a[key] == b[key], (text, key)


def _page(results) -> list[dict]:
    return [{"id": h.id, "score": h.score, "snippet": h.snippet, "headline_html": h.headline_html}
            for h in results.hits]


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: ",".join(sorted(f)) or "no-filter")
@pytest.mark.parametrize("sort", ["relevance", "newest", "oldest"])
def test_totals_facets_order_and_snippets_equal_whooshs_own_search(archive, filters, sort):
    checked = 0
    for text in QUERIES:
        for page in (1, 2):
            request = SearchRequest(query=text, sort=sort, page=page, group_versions=False, **filters)
            total, facets, hits = _whoosh_reference(archive, request)
            results = archive.search(request)
            assert results.total == total, (text, filters, sort, page)
            if total:
                assert results.facets == facets, (text, filters, sort)
            _assert_same_page(_page(results), hits, text)
            checked += bool(hits)
    if not filters.get("publications") == ("No Such Paper",):
        assert checked > len(QUERIES)  # the comparison saw real hits, not empty pages


def test_facet_counts_cover_the_whole_result_set(archive):
    """Facet counts add up to the total for a query every article matches."""
    results = archive.search(SearchRequest(query="*", group_versions=False))
    assert sum(results.facets["publication"].values()) <= results.total
    searcher = archive._searcher()
    assert results.total == searcher.doc_count()
    dated = sum(results.facets["year"].values())
    assert 0 < dated <= results.total


def test_grouped_page_equals_grouping_whooshs_ranking(archive):
    """With versions grouped, the page is the grouping of Whoosh's own ranking."""
    searcher = archive._searcher()
    for text in ("oil", "coffee quotas", "dividend", '"net loss"'):
        request = SearchRequest(query=text)
        results = archive.search(request)
        window = request.page * request.per_page
        limit = window + window // 2 + 10
        q = archive.parse(text, searcher.schema)
        whoosh = searcher.search(q, limit=limit, optimize=False)
        ranked = [docnum for _, docnum in whoosh.top_n[:limit]]
        groups = versions.group_versions(searcher, ranked)[:request.per_page]
        expected = [searcher.stored_fields(leader)["id"] for leader, _ in groups]
        assert [h.id for h in results.hits] == expected, text
        expected_versions = [[searcher.stored_fields(d)["id"] for d in others] for _, others in groups]
        assert [h.duplicates for h in results.hits] == expected_versions, text


def test_column_arrays_equal_whooshs_column_readers(archive):
    """The cached facet codes and sort keys read the same values Whoosh reads."""
    searcher = archive._searcher()
    pool = archive._pool
    for fieldname in FACET_FIELDS.values():
        codes, names = pool.facet_codes(searcher, fieldname)
        categorizer = sorting.FieldFacet(fieldname).categorizer(searcher)
        for subsearcher, offset in searcher.leaf_searchers():
            categorizer.set_searcher(subsearcher, offset)
            for local in range(subsearcher.doc_count_all()):
                expected = categorizer.key_to_name(categorizer.key_for(None, local))
                assert names[codes[offset + local]] == expected
    for reverse in (False, True):
        keys = pool.sort_keys(searcher, "date", reverse)
        categorizer = sorting.FieldFacet("date", reverse=reverse).categorizer(searcher)
        whoosh_keys = []
        for subsearcher, offset in searcher.leaf_searchers():
            categorizer.set_searcher(subsearcher, offset)
            whoosh_keys += [categorizer.key_for(None, i) for i in range(subsearcher.doc_count_all())]
        order = sorted(range(len(whoosh_keys)), key=lambda i: (whoosh_keys[i], i))
        assert sorted(range(len(keys)), key=lambda i: (keys[i], i)) == order


def test_field_lengths_equal_whooshs(archive):
    """BM25F's field lengths from the preloaded bytes equal Whoosh's own reads."""
    from whoosh.codec.whoosh3 import W3PerDocReader

    searcher = archive._searcher()
    for leaf, _offset in searcher.reader().leaf_readers():
        perdoc = leaf._perdoc
        for fieldname in ("headline", "captions", "body"):
            for docnum in range(0, leaf.doc_count_all(), 7):
                assert perdoc.doc_field_length(docnum, fieldname, 1) == \
                    W3PerDocReader.doc_field_length(perdoc, docnum, fieldname, 1)


def test_publication_choices_equal_the_unfiltered_searchs_facet(archive):
    """Under a publication filter, the counts every publication would get come
    from the same pass and equal a search without that filter."""
    from dataclasses import replace

    for text in ("said", "oil", "sojourn", "*"):
        for dates in ({}, {"date_from": datetime(1987, 2, 26), "date_to": datetime(1987, 3, 2)}):
            request = SearchRequest(query=text, publications=("Reuters",), **dates)
            results = archive.search(request)
            unfiltered = archive.search(replace(request, publications=()))
            assert results.publication_choices == unfiltered.facets["publication"], (text, dates)
            assert results.total == unfiltered.facets["publication"].get("Reuters", 0)
    assert archive.search(SearchRequest(query="oil")).publication_choices is None


@pytest.fixture(scope="module")
def two_segment_archive(small_corpus, tmp_path_factory):
    """An index of two segments (a second incremental build added the pages
    and the seed article), so document numbers carry segment offsets. (An index
    this small is under the merge policy's smallest tier, so the incremental
    build would merge the two: sizes are scaled down, a megabyte taken as a byte.)"""
    import shutil

    from indexer import Archive
    from indexer.index.build import build_index

    first = tmp_path_factory.mktemp("part") / "corpus"
    shutil.copytree(small_corpus / "reuters", first / "reuters")
    index_dir = tmp_path_factory.mktemp("index2") / "index"
    build_index([str(first)], index_dir, jobs=1)
    for name in ("dailynk", "pages"):
        if (small_corpus / name).exists():
            shutil.copytree(small_corpus / name, first / name)
    with pytest.MonkeyPatch.context() as scaled:
        scaled.setattr("indexer.index.merge_policy.MB", 1)
        scaled.setattr("indexer.limits.MERGED_SEGMENT_MB", 10**12)
        build_index([str(first)], index_dir, jobs=1)
    archive = Archive(index_dir)
    assert len(archive._searcher().reader().leaf_readers()) >= 2
    return archive


@pytest.mark.parametrize("sort", ["relevance", "newest"])
def test_equal_whooshs_own_search_across_segments(two_segment_archive, sort):
    for text in QUERIES:
        for filters in FILTERS[:3]:
            request = SearchRequest(query=text, sort=sort, group_versions=False, **filters)
            total, facets, hits = _whoosh_reference(two_segment_archive, request)
            results = two_segment_archive.search(request)
            assert results.total == total, (text, filters)
            if total:
                assert results.facets == facets, (text, filters)
            _assert_same_page(_page(results), hits, text)


@pytest.mark.parametrize("scored", [True, False])
def test_matched_terms_equal_whooshs_terms_collector(two_segment_archive, scored):
    """The terms read from the array evaluation are the ones Whoosh's
    TermsCollector records for the same documents."""
    from indexer.search import collect

    archive = two_segment_archive
    searcher = archive._searcher()
    compared = 0
    for text in QUERIES:
        q = archive.parse(text, searcher.schema)
        kwargs = {} if scored else {"sortedby": sorting.FieldFacet("date")}
        whoosh = searcher.search(q, limit=None, terms=True, optimize=False, **kwargs)
        matches = collect.scan(searcher, q, None, scored=scored)
        assert sorted(matches.docnums.tolist()) == sorted(whoosh.docs()), text
        sample = list(matches.docnums[:: max(1, len(matches.docnums) // 25)])
        found = collect.terms_of(searcher, q, matches, sample)
        for docnum in sample:
            mine = found.get(int(docnum), [])
            theirs = list(whoosh.docterms.get(int(docnum), []))
            # Whoosh lists a term again when a second term matcher (the all-words
            # query's) was left on the document; the set is what highlighting uses
            if '"' in text:  # see _assert_same_page: Whoosh may add stale phrase words
                assert set(mine) <= set(theirs), (text, docnum)
            else:
                assert set(mine) == set(theirs), (text, docnum)
            compared += 1
    assert compared > 100


@pytest.mark.parametrize("interval", ["month", "year"])
def test_trend_equals_whooshs_facet_counts(two_segment_archive, interval):
    """Archive.trend (cached totals, numpy counts) equals Whoosh's groupedby counts."""
    archive = two_segment_archive
    searcher = archive._searcher()
    for text in ("oil", '"net loss"', "*", "sojourn", "zzzqqq"):
        for filters in FILTERS:
            request = SearchRequest(query=text, **filters)
            expected = _whoosh_trend(searcher, archive.parse(text, searcher.schema),
                                     archive._filter(searcher, request), interval)
            assert archive.trend(request, interval) == expected, (text, filters)


def test_arrays_of_replaced_index_versions_are_dropped(small_corpus, tmp_path):
    """A server that lives through rebuilds keeps only the newest version's arrays."""
    import shutil

    from indexer import Archive
    from indexer.index.build import build_index

    corpus = tmp_path / "corpus"
    shutil.copytree(small_corpus / "dailynk", corpus / "dailynk")
    index_dir = tmp_path / "index"
    build_index([str(corpus)], index_dir, jobs=1)
    archive = Archive(index_dir)
    archive.search(SearchRequest(query="sojourn", sort="newest"))
    first = archive._pool.version(archive._searcher())
    shutil.copytree(small_corpus / "reuters", corpus / "reuters")
    build_index([str(corpus)], index_dir, jobs=1)
    results = archive.search(SearchRequest(query="said", sort="newest"))
    assert results.total > 100
    newest = archive._pool.version(archive._searcher())
    assert newest != first
    versions = {key[1] for key in archive._pool._arrays if key[0] in ("facets", "sortkeys")}
    assert versions == {newest}


def test_similar_articles_equal_whooshs_own_ranking_and_snippets(archive):
    """"More like this" ranks with the array scan; Whoosh's own search of the
    same key-term query must give the same hits (less the article itself and
    versions), scores and snippets."""
    from indexer.search.archive import similar_query

    searcher = archive._searcher()
    checked = 0
    for hit in archive.search(SearchRequest(query="coffee OR gold OR strike", per_page=12)).hits:
        mine = archive.similar(hit.id, limit=5)
        docnum = searcher.document_number(id=hit.id)
        results = searcher.search(similar_query(searcher, docnum), limit=40, terms=True)
        _configure_highlights(results)
        shown = {h.id for h in mine}
        reference = [h for h in results if h["id"] in shown]
        assert [h.id for h in mine] == [h["id"] for h in reference]
        for h, ref in zip(mine, reference):
            assert h.score == displayed_score(ref.score)
            if any(field == "body" for field, _ in ref.matched_terms()):
                assert h.snippet == ref.highlights("body", top=2)
        checked += len(mine)
    assert checked >= 40


def test_article_marks_equal_whooshs_matched_terms(archive):
    searcher = archive._searcher()
    for text in ["coffee", '"crude oil"', "bank*", "oil -gas", "cofee~", '"trade deficit"~3']:
        q = archive.parse(text, searcher.schema)
        for hit in archive.search(SearchRequest(query=text, per_page=5)).hits:
            mine = archive._matched_words(hit.id, text)
            [ref] = searcher.search(q, filter=whoosh_query.Term("id", hit.id), limit=1, terms=True,
                                    optimize=False)
            expected: dict[str, set[str]] = {}
            for fieldname, term in ref.matched_terms():
                if fieldname in ("headline", "captions", "body"):
                    expected.setdefault(fieldname, set()).add(term.decode("utf-8"))
            assert mine == expected, (text, hit.id)
