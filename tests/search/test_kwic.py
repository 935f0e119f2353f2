"""The concordance (indexer.search.kwic): every match of the query, where search finds it.

Counts are checked against an independent reading of the matching articles:
the schema's analyzer run over their text (for words and stems) or a regular
expression (for phrases), never against the concordance's own offsets.
"""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from indexer import QueryError, SearchRequest
from tests.search.test_quality import korean_archive  # noqa: F401 - a fixture


def every_line(archive, query: str, sort: str = "date", **filters):
    return list(archive.iter_kwic(SearchRequest(query=query, **filters), sort=sort))


def matching_articles(archive, query: str, **filters):
    return list(archive.iter_export(SearchRequest(query=query, **filters)))


def test_a_word_is_listed_at_every_occurrence_of_its_stem(archive):
    lines = every_line(archive, "workers")
    analyzer = archive._searcher().schema["body"].analyzer
    expected = 0
    for article in matching_articles(archive, "workers"):
        for text in [article.headline, *article.captions, article.body]:
            expected += sum(1 for t in analyzer(text or "", mode="index") if t.text == "worker")
    assert len(lines) == expected > 10
    assert {line.match.lower() for line in lines} <= {"worker", "workers", "worker's", "workers'"}
    assert {"worker", "workers"} <= {line.match.lower() for line in lines}


def test_a_phrase_is_one_match_where_its_words_stand_together(archive):
    lines = every_line(archive, '"crude oil"')
    assert lines and all(re.fullmatch(r"crude\W+oil", line.match, re.I) for line in lines)
    expected = sum(len(re.findall(r"\bcrude\W+oil\b", " ".join([a.headline, *a.captions, a.body]), re.I))
                   for a in matching_articles(archive, '"crude oil"'))
    assert len(lines) == expected
    # the context around a phrase is the article's own text
    line = lines[0]
    article = archive.get_article(line.id)
    assert (line.left + line.match + line.right) in re.sub(r"\s+", " ", article.body)


def test_a_prefix_lists_each_word_it_expands_to(archive):
    lines = every_line(archive, "export*")
    words = {line.match.lower() for line in lines}
    assert all(w.startswith("export") for w in words) and len(words) >= 3


def test_korean_words_match_whole(korean_archive):  # noqa: F811
    lines = every_line(korean_archive, "물동량")
    assert [(line.id, line.match) for line in lines] == [("ko-busan", "물동량"), ("ko-busan", "물동량")]
    assert {line.field for line in lines} == {"headline", "body"}
    seoul = every_line(korean_archive, "서울")
    assert [line.match for line in seoul] == ["서울", "서울"]
    assert seoul[1].right.startswith("에서 경제")


def test_sorted_by_the_word_before_or_after(archive):
    def first_word(text: str, last: bool) -> str:
        words = re.findall(r"\w+", text)
        return (words[-1] if last else words[0]).casefold() if words else ""

    left = every_line(archive, "cocoa", sort="left")
    keys = [first_word(line.left, last=True) for line in left]
    assert keys == sorted(keys) and len(set(keys)) > 5
    right = every_line(archive, "cocoa", sort="right")
    keys = [first_word(line.right, last=False) for line in right]
    assert keys == sorted(keys)
    assert sorted((x.id, x.match, x.left) for x in left) == sorted((x.id, x.match, x.left) for x in right)


def test_dates_order_and_pages(archive):
    lines = every_line(archive, "cocoa")
    dates = [line.date for line in lines if line.date]
    assert dates == sorted(dates)
    newest = [line.date for line in every_line(archive, "cocoa", sort="newest") if line.date]
    assert newest == sorted(newest, reverse=True)
    request = SearchRequest(query="cocoa", per_page=7, page=3)
    page = archive.kwic(request)
    assert page.total == len(lines) and page.articles == len(matching_articles(archive, "cocoa"))
    assert [(x.id, x.left, x.match) for x in page.lines] == [(x.id, x.left, x.match) for x in lines[14:21]]
    assert archive.kwic(replace(request, page=1000)).lines == []


def test_filters_apply(archive):
    everything = every_line(archive, "chinese")
    daily_nk = every_line(archive, "chinese", publications=("Daily NK",))
    assert 0 < len(daily_nk) < len(everything)
    assert {line.publication for line in daily_nk} == {"Daily NK"}


def test_width_and_bad_options(archive):
    line = archive.kwic(SearchRequest(query="cocoa"), width=12).lines[0]
    assert len(line.left) <= 12 and len(line.right) <= 12
    with pytest.raises(QueryError, match="sort"):
        archive.kwic(SearchRequest(query="cocoa"), sort="alphabetical")
    with pytest.raises(QueryError, match="width"):
        archive.kwic(SearchRequest(query="cocoa"), width=0)
    with pytest.raises(QueryError, match="words"):
        archive.kwic(SearchRequest(query=""))
    with pytest.raises(QueryError):
        archive.kwic(SearchRequest(query='"unbalanced'))
