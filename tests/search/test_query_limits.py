"""Every query has a bounded cost (indexer/search/cost.py), on the first Reuters
file: patterns that would read the whole vocabulary are refused with a message
before they run, whatever runs is stopped at its CPU budget, and ordinary
wildcards and fuzzy words still work."""

from __future__ import annotations

import itertools
import string

import pytest

from indexer import QueryError, QueryTooCostly, SearchBusy, SearchRequest
from indexer.limits import MAX_QUERY_TERMS, MAX_TERM_EXPANSION, MIN_WILDCARD_PREFIX, SEARCH_RETRY_SECONDS
from indexer.search import cost


def _search(archive, text: str):
    return archive.search(SearchRequest(query=text))


@pytest.mark.parametrize("text", ["oil +*e*", "oil -*a*", "oil +?il", "body:*ing", "(*e OR gas)", "oil AND *x"])
def test_a_leading_wildcard_is_refused_wherever_it_stands(archive, text):
    with pytest.raises(QueryError, match="wildcard"):
        _search(archive, text)


def test_an_open_range_over_the_vocabulary_is_refused(archive):
    reader = archive._searcher().reader()
    in_range = sum(1 for word in reader.lexicon("body") if "a" <= word.decode() <= "z")
    assert in_range > MAX_TERM_EXPANSION          # the range really is that wide here
    with pytest.raises(QueryTooCostly, match=f"more than {MAX_TERM_EXPANSION:,}"):
        _search(archive, "body:{a to z}")


def test_hundreds_of_prefixes_are_refused_by_the_total(archive):
    reader = archive._searcher().reader()

    def words(prefix: str) -> int:
        return sum(len(list(reader.expand_prefix(field, prefix))) for field in ("headline", "captions", "body"))

    # the 250 two-letter prefixes with the most words (250 fill MAX_QUERY_CHARS)
    prefixes = sorted(("".join(p) for p in itertools.product(string.ascii_lowercase, repeat=MIN_WILDCARD_PREFIX)),
                      key=words, reverse=True)[:250]
    assert sum(words(p) for p in prefixes) > MAX_QUERY_TERMS   # each one alone is allowed
    with pytest.raises(QueryTooCostly, match="words in all"):
        _search(archive, " ".join(f"{p}*" for p in prefixes))


def test_a_star_among_words_means_every_article_and_costs_little(archive):
    every = _search(archive, "*").total
    assert _search(archive, "oil *").total == every
    # it is evaluated as all documents, not as every word of three fields
    everys = [leaf for leaf in archive.parse("oil *").leaves() if type(leaf).__name__ == "Every"]
    assert everys and all(leaf.fieldname is None for leaf in everys)


def test_a_search_stops_at_its_budget_with_a_message(archive):
    with pytest.raises(QueryTooCostly, match="stopped after"):
        with cost.budget(0.0):
            _search(archive, "oil OR gas OR coffee OR cocoa OR bank OR rate")
    # the budget ended with that search: the next one runs
    assert _search(archive, "oil OR gas").total > 0


def test_ordinary_patterns_still_work(archive):
    assert _search(archive, "ex*").total > 0
    assert _search(archive, "petroleum~2").total >= _search(archive, "petroleum").total > 0
    assert _search(archive, "oil ex*").total >= _search(archive, "oil").total
    # the words expanded once give what Whoosh's own expansion gives
    from whoosh import query
    searcher = archive._searcher()
    own = {searcher.stored_fields(d)["id"] for d in searcher.search(query.Prefix("body", "petrol"), limit=None).docs()}
    assert {a.id for a in archive.iter_export(SearchRequest(query="body:petrol*"))} == own


def test_the_web_api_answers_400_with_the_message(client):
    r = client.get("/api/search", query_string={"q": "oil +*e*"})
    assert r.status_code == 400 and "wildcard" in r.get_json()["error"]
    r = client.get("/search", query_string={"q": "cocoa -?ocoa"})
    assert r.status_code == 400 and "wildcard" in r.get_data(as_text=True)


def test_pattern_searches_wait_for_a_turn_then_get_a_message(archive, monkeypatch):
    import threading

    turns = threading.BoundedSemaphore(1)
    monkeypatch.setattr(cost, "_PATTERN_TURNS", turns)
    assert turns.acquire(blocking=False)          # another search holds the only turn
    with pytest.raises(SearchBusy, match="running already"):
        _search(archive, "ex*")
    assert _search(archive, "oil").total > 0       # a plain search needs no turn
    turns.release()
    assert _search(archive, "ex*").total > 0       # and the turn is given back after each search
    assert _search(archive, "petrol*").total > 0


def test_a_busy_server_answers_503_with_retry_after_not_400(client, monkeypatch):
    """The query is fine, the server is busy: a client may retry it unchanged."""
    import threading

    turns = threading.BoundedSemaphore(1)
    monkeypatch.setattr(cost, "_PATTERN_TURNS", turns)
    assert turns.acquire(blocking=False)
    r = client.get("/api/search", query_string={"q": "petrol*"})
    assert r.status_code == 503 and "running already" in r.get_json()["error"]
    assert r.headers["Retry-After"] == str(SEARCH_RETRY_SECONDS)
    r = client.get("/search", query_string={"q": "petrol*", "publication": "Reuters"})
    page = r.get_data(as_text=True)  # the search page back, the query and filters kept to retry
    assert r.status_code == 503 and "try again in a moment" in page and 'value="petrol*"' in page
    assert r.headers["Retry-After"] == str(SEARCH_RETRY_SECONDS)
    turns.release()
    assert client.get("/api/search", query_string={"q": "petrol*"}).status_code == 200
