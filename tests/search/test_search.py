"""The search API on real articles: ranking, syntax, filters, facets, snippets."""

from __future__ import annotations

from datetime import datetime

import pytest
from werkzeug.datastructures import MultiDict

from indexer import SearchRequest
from indexer.errors import QueryError


def ids(results) -> list[str]:
    return [h.id for h in results.hits]


def test_all_words_rank_first_and_partial_matches_follow(archive):
    req = SearchRequest(query="coffee brazil quotas", per_page=100)
    results = archive.search(req)
    full = archive.search(SearchRequest(query="coffee AND brazil AND quotas", per_page=100))
    assert 0 < full.total < results.total  # partial matches are kept
    top = ids(results)[:full.total]
    assert set(top) == set(ids(full))       # every all-words article comes before any partial one


def test_stemming_and_case_and_accents(archive):
    def total(text: str) -> int:
        return archive.search(SearchRequest(query=text)).total

    assert total("workers") == total("WORKER")
    assert total("cooperated") == total("cooperation")
    # stop words are indexed, so this common phrase matches exactly
    assert archive.search(SearchRequest(query='"said it"')).total > 50


def test_phrase_proximity_prefix_fuzzy_fields(archive):
    phrase = archive.search(SearchRequest(query='"north korean workers"'))
    assert phrase.total == 1
    near = archive.search(SearchRequest(query='"chinese restricting"~3'))
    assert near.total == 1
    assert archive.search(SearchRequest(query="sojour*")).total == 1
    assert archive.search(SearchRequest(query="sojurn~")).total == 1
    assert archive.search(SearchRequest(query="caption:bridge")).total == 1
    assert archive.search(SearchRequest(query="headline:sojourn")).total == 1
    assert archive.search(SearchRequest(query='author:"mun dong hui"')).total == 1
    both = archive.search(SearchRequest(query="cocoa AND ghana")).total
    either = archive.search(SearchRequest(query="cocoa OR ghana")).total
    without = archive.search(SearchRequest(query="cocoa NOT ghana")).total
    minus = archive.search(SearchRequest(query="cocoa -ghana")).total
    cocoa = archive.search(SearchRequest(query="cocoa")).total
    assert both + without == cocoa and without == minus and either >= cocoa


def test_date_scope_narrows_instead_of_widening(archive):
    ranged = archive.search(SearchRequest(query="oil date:[1987-03-01 to 1987-03-02]", per_page=100))
    assert 0 < ranged.total < archive.search(SearchRequest(query="oil")).total
    assert all(datetime(1987, 3, 1) <= h.date < datetime(1987, 3, 3) for h in ranged.hits)


def test_filters_sort_and_facets(archive):
    everything = archive.search(SearchRequest())
    assert everything.facets["publication"]["Reuters"] == 1000
    assert everything.facets["year"]["1987"] == 1000  # every Reuters article is dated 1987
    reuters = archive.search(SearchRequest(publications=("Reuters",), per_page=5, sort="newest"))
    assert reuters.total == 1000
    dates = [h.date for h in reuters.hits]
    assert dates == sorted(dates, reverse=True)
    oldest = archive.search(SearchRequest(publications=("Reuters",), per_page=5, sort="oldest"))
    assert [h.date for h in oldest.hits] == sorted(h.date for h in oldest.hits)
    window = archive.search(SearchRequest(date_from=datetime(1987, 3, 2), date_to=datetime(1987, 3, 2, 23, 59)))
    assert window.total == window.facets["month"].get("1987-03", 0) > 0
    # a filter that matches nothing gives zero, not the unfiltered count (a Whoosh trap)
    none = archive.search(SearchRequest(query="oil", publications=("No Such Paper",)))
    assert none.total == 0 and none.hits == []
    several = archive.search(SearchRequest(query="workers", publications=("Reuters", "Daily NK")))
    assert set(several.facets["publication"]) == {"Reuters", "Daily NK"}


def test_pages_and_exact_total(archive):
    first = archive.search(SearchRequest(query="oil", per_page=10, page=1))
    second = archive.search(SearchRequest(query="oil", per_page=10, page=2))
    assert first.total == second.total == len(list(archive.iter_export(SearchRequest(query="oil"))))
    assert not set(ids(first)) & set(ids(second))
    far = archive.search(SearchRequest(query="oil", page=900))
    assert far.hits == [] and far.total == first.total


def test_snippets_are_escaped_with_marks_only(archive):
    results = archive.search(SearchRequest(query="sojourn"))
    snippet = results.hits[0].snippet
    assert "<mark>sojourn</mark>" in snippet
    stripped = snippet.replace("<mark>", "").replace("</mark>", "")
    assert "<" not in stripped and ">" not in stripped
    caption = archive.search(SearchRequest(query="dandong bridge")).hits[0].caption_snippet
    assert caption and "<mark>Bridge</mark>" in caption


@pytest.mark.parametrize("text, words", [
    ('"unbalanced', "quote"), ("AND", "operator"), ("oil AND", "end"), ("OR oil", "start"),
    ("(oil", "closed"), ("oil)", "without"), ("oil AND OR gas", "two operators"),
])
def test_bad_queries_get_helpful_messages(archive, text, words):
    with pytest.raises(QueryError, match=words):
        archive.search(SearchRequest(query=text))


@pytest.mark.parametrize("params, words", [
    ({"page": "0"}, "Pages"), ({"page": "99999999"}, "Pages"), ({"page": "x"}, "whole number"),
    ({"sort": "random"}, "sort"), ({"from": "March"}, "not a date"), ({"q": "x" * 2000}, "limit"),
    ({"from": "1987-05-01", "to": "1987-04-01"}, "after"), ({"per_page": "500"}, "per_page"),
])
def test_bad_parameters_get_helpful_messages(params, words):
    with pytest.raises(QueryError, match=words):
        SearchRequest.from_params(MultiDict(params))


def test_request_from_url_parameters():
    req = SearchRequest.from_params(MultiDict([("q", "oil"), ("publication", "Reuters"),
                                               ("publication", "Daily NK"), ("from", "1987-03"),
                                               ("to", "1987"), ("sort", "newest"), ("page", "2")]))
    assert req.publications == ("Reuters", "Daily NK")
    assert req.date_from == datetime(1987, 3, 1) and req.date_to.date().isoformat() == "1987-12-31"
    assert (req.sort, req.page) == ("newest", 2)


def test_match_all_and_empty(archive):
    assert archive.search(SearchRequest(query="*")).total == archive.search(SearchRequest(query="")).total


def test_article_page_highlighting_and_similar(archive):
    hit = archive.search(SearchRequest(query="coffee quotas")).hits[0]
    article = archive.get_article(hit.id)
    marked = archive.highlight_article(article, "coffee quotas")
    assert any("<mark>" in p for p in marked.body_paragraphs + [marked.headline])
    similar = archive.similar(hit.id, limit=5)
    assert similar and hit.id not in [s.id for s in similar]
    assert sum("coffee" in (s.headline + archive.get_article(s.id).body).lower() for s in similar) >= 3
    assert archive.get_article("no-such-id") is None
    assert archive.similar("no-such-id") == []



@pytest.mark.parametrize("text", ["oil~3", "oil~2", "a~", "sojourn~4", "a~ b~ c~ d~ e~"])
def test_fuzzy_terms_that_would_expand_to_everything_are_refused(archive, text):
    with pytest.raises(QueryError, match="fuzzy"):
        archive.search(SearchRequest(query=text))


def test_hyphenated_words_are_words_not_exclusions(archive):
    # "state-owned" is one hyphenated word (searched as a phrase); only a
    # minus at the start of a word excludes
    hyphenated = archive.search(SearchRequest(query="state-owned", per_page=100))
    phrase = archive.search(SearchRequest(query='"state owned"', per_page=100))
    assert hyphenated.total == phrase.total > 0
    assert set(ids(hyphenated)) == set(ids(phrase))
    with_other = archive.search(SearchRequest(query="state-owned oil"))
    assert with_other.total >= phrase.total  # nothing with "owned" was excluded
    state = archive.search(SearchRequest(query="state", per_page=100))
    excluded = archive.search(SearchRequest(query="state -owned", per_page=100))
    assert 0 < excluded.total < state.total
    assert not set(ids(excluded)) & set(ids(phrase))


def test_minus_inside_parentheses_is_explained(archive):
    with pytest.raises(QueryError, match="NOT coal"):
        archive.search(SearchRequest(query="oil (gas -coal)"))
    assert archive.search(SearchRequest(query="oil (gas NOT coal)")).total > 0


@pytest.mark.parametrize("text", ['"coffee quotas"', "coffee-quotas", "quota*", "quo*as"])
def test_phrases_and_prefixes_keep_the_field_weights(archive, text):
    from indexer.index.schema import FIELD_BOOSTS

    leaves = [q for q in archive.parse(text).leaves() if getattr(q, "fieldname", None) in FIELD_BOOSTS]
    assert {q.fieldname: q.boost for q in leaves} == FIELD_BOOSTS
    assert archive.search(SearchRequest(query=text)).total > 0
