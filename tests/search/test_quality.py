"""Search quality on real articles: did-you-mean, Korean, near-duplicate versions,
more like this, trends, snippets and the query-syntax messages."""

from __future__ import annotations

import gzip
import json
import re
import shutil

import pytest

from indexer import Archive, SearchRequest
from indexer.errors import QueryError
from indexer.index import signatures
from indexer.search import trend
from indexer.search.versions import THRESHOLD
from tests.conftest import FIXTURES

KOREAN_PAGE = FIXTURES / "korean" / "entermedia-lj-ryu.html.gz"
# Made-up Korean sentences (no real source): a word inside longer eojeol.
KOREAN_RECORDS = [
    {"id": "ko-seoul", "headline": "서울에서 열린 회의",
     "body": "정부는 오늘 서울에서 경제 회의를 열었다. 참석자들은 수출 전망을 논의했다."},
    {"id": "ko-busan", "headline": "부산항 물동량 증가",
     "body": "부산항의 물동량이 작년보다 늘었다고 항만공사가 밝혔다."},
]


def ids(results) -> list[str]:
    return [h.id for h in results.hits]


# -- did you mean -----------------------------------------------------------------
@pytest.mark.parametrize("typo, fixed", [("sojurn", "sojourn"), ("petrolium", "petroleum"),
                                         ("cofee", "coffee")])
def test_did_you_mean_offers_real_words(archive, typo, fixed):
    results = archive.search(SearchRequest(query=typo))
    assert results.total < 3
    assert results.suggestion == fixed
    assert archive.search(SearchRequest(query=results.suggestion)).total > results.total


def test_did_you_mean_keeps_syntax_and_leaves_good_queries_alone(archive):
    assert archive.search(SearchRequest(query="headline:petrolium")).suggestion == "headline:petroleum"
    assert archive.search(SearchRequest(query="coffee")).suggestion is None
    # a publication name is a name, not a word to correct
    assert archive.search(SearchRequest(query="publication:reutres")).suggestion is None


# -- query syntax messages ------------------------------------------------------------
@pytest.mark.parametrize("text, words", [
    ("headline:", "needs something"), ("oil headline: gas", "needs something"),
    ("colour:red", "Unknown field 'colour:'.*headline:"), ("oil - gas", "lone '-'"),
    ("*oil", "cannot start"), ("o*", "two letters"),
])
def test_more_bad_syntax_is_explained(archive, text, words):
    with pytest.raises(QueryError, match=words):
        archive.search(SearchRequest(query=text))


@pytest.mark.parametrize("text", ['"price: 5 dlrs"', "title:coffee", "caption:bridge",
                                  "oil -gas", "export*", "*", "date:[1987-03-01 to 1987-03-02]"])
def test_good_syntax_still_passes(archive, text):
    archive.search(SearchRequest(query=text))


# -- snippets -----------------------------------------------------------------------
def test_snippets_do_not_repeat_text(archive):
    results = archive.search(SearchRequest(query="oil date:[1987-03-01 to 1987-03-02]", per_page=50))
    assert results.hits
    for hit in results.hits:
        plain = hit.snippet.replace("<mark>", "").replace("</mark>", "")
        pieces = [p.strip() for p in plain.split("…") if len(p.strip()) > 25]
        for i, a in enumerate(pieces):
            for b in pieces[i + 1:]:
                assert a[-25:] not in b and b[:25] not in a, hit.snippet
        assert len(plain) < 600


# -- near-duplicate versions ------------------------------------------------------
def test_signatures_tell_versions_from_other_stories(small_corpus):
    records = [json.loads(line) for line in
               gzip.open(small_corpus / "reuters" / "reut2-000.jsonl.gz", "rt", encoding="utf-8")]
    story = next(r for r in records if len(r["body"]) > 1500)
    edited = story["body"].replace(" the ", " a ", 2) + " Corrected figures follow."
    a = signatures.signature(story["headline"], story["body"])
    b = signatures.signature(story["headline"], edited)
    other = next(r for r in records if r["id"] != story["id"] and len(r["body"]) > 1500)
    c = signatures.signature(other["headline"], other["body"])
    assert signatures.similarity(a, b) >= THRESHOLD
    assert signatures.similarity(a, c) < 0.3
    assert signatures.decode(signatures.encode(a)).tolist() == a.tolist()
    assert signatures.signature("Short", "too few words") is None


def test_signatures_are_datasketchs_minhash_bit_for_bit(small_corpus):
    """The signature is datasketch 2's MinHash (scheme "affine32", crc32 as the
    hash function) written out in numpy; datasketch itself is the reference."""
    import zlib

    import numpy as np
    from datasketch import MinHash

    records = [json.loads(line) for line in
               gzip.open(small_corpus / "reuters" / "reut2-000.jsonl.gz", "rt", encoding="utf-8")]
    template = MinHash(num_perm=signatures.NUM_PERM, seed=1)
    compared = 0
    for record in records[:400]:
        headline, body = record.get("headline", ""), record.get("body", "")
        mine = signatures.signature(headline, body)
        words = re.findall(r"\w+", f"{headline} {body}".lower())
        if len(words) < signatures.MIN_WORDS:
            assert mine is None
            continue
        shingles = {" ".join(words[i:i + 3]).encode("utf-8") for i in range(len(words) - 2)}
        reference = MinHash(num_perm=signatures.NUM_PERM, hashfunc=zlib.crc32,
                            permutations=template.permutations, scheme=template.scheme)
        reference.update_batch(list(shingles))
        assert mine.dtype == np.uint32
        assert mine.tolist() == np.asarray(reference.hashvalues, dtype=np.uint32).tolist()
        compared += 1
    assert compared > 350


def test_resent_story_is_one_hit_with_its_versions(archive):
    # reuters-3 and its re-sent copy in the first Reuters file: find any group
    grouped = archive.search(SearchRequest(query="*", per_page=100, page=1))
    flat = archive.search(SearchRequest(query="*", per_page=100, page=1, group_versions=False))
    with_versions = [h for h in grouped.hits if h.duplicates]
    assert with_versions, "the first Reuters file re-sends stories; some must be grouped"
    hit = with_versions[0]
    shown = set(ids(grouped))
    assert not shown & set(hit.duplicates)  # the versions are not listed again
    assert grouped.total == flat.total
    for other_id in hit.duplicates:
        a, b = archive.get_article(hit.id), archive.get_article(other_id)
        sa = signatures.signature(a.headline, a.body)
        sb = signatures.signature(b.headline, b.body)
        assert signatures.similarity(sa, sb) >= THRESHOLD
    assert grouped.to_json()["hits"][0]["duplicates"] == grouped.hits[0].duplicates
    # pages never show a story twice
    second = archive.search(SearchRequest(query="*", per_page=100, page=2))
    seen = shown | {d for h in grouped.hits for d in h.duplicates}
    assert not seen & set(ids(second))


# -- more like this -----------------------------------------------------------------
def test_similar_articles_share_the_subject_and_skip_versions(archive):
    hit = archive.search(SearchRequest(query="headline:coffee")).hits[0]
    similar = archive.similar(hit.id, limit=5)
    assert len(similar) == 5
    assert hit.id not in ids_of(similar) and not set(hit.duplicates) & set(ids_of(similar))
    on_topic = sum("coffee" in (s.headline + archive.get_article(s.id).body).lower() for s in similar)
    assert on_topic >= 4


def ids_of(hits) -> list[str]:
    return [h.id for h in hits]


# -- trend --------------------------------------------------------------------------
def test_trend_counts_and_shares_per_month_and_year(archive):
    months = archive.trend(SearchRequest(query="oil"), interval="month")
    periods = [p.period for p in months]
    assert periods == sorted(periods) and len(set(periods)) == len(periods)
    dated = archive.search(SearchRequest(query="oil date:[1900-01-01 to 2100-01-01]"))
    assert sum(p.count for p in months) == dated.total
    assert sum(p.total for p in months) == sum(archive.search(SearchRequest()).facets["month"].values())
    march = next(p for p in months if p.period == "1987-03")
    assert 0 < march.count < march.total and march.share == pytest.approx(march.count / march.total, abs=1e-6)
    years = archive.trend(SearchRequest(query="oil"), interval="year")
    assert next(p for p in years if p.period == "1987").count == sum(
        p.count for p in months if p.period.startswith("1987"))
    csv_text = trend.trend_csv(years)
    assert csv_text.splitlines()[0] == "period,count,total,share"
    assert json.loads(json.dumps(trend.trend_json(years, "year", "oil")))["points"][0]["period"]
    reuters_only = archive.trend(SearchRequest(query="oil", publications=("Reuters",)), "year")
    assert {p.period for p in reuters_only} == {"1987"}
    with pytest.raises(QueryError, match="interval"):
        archive.trend(SearchRequest(query="oil"), interval="week")


# -- Korean ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def korean_archive(tmp_path_factory) -> Archive:
    from indexer.index.build import build_index

    corpus = tmp_path_factory.mktemp("korean") / "corpus"
    corpus.mkdir()
    shutil.copy(KOREAN_PAGE, corpus / KOREAN_PAGE.name)
    (corpus / "made-up.jsonl").write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in KOREAN_RECORDS), encoding="utf-8")
    index_dir = corpus.parent / "index"
    report = build_index([str(corpus)], index_dir, jobs=1)
    assert not report.failures
    return Archive(index_dir)


def test_korean_word_is_found_inside_longer_words(korean_archive):
    assert ids(korean_archive.search(SearchRequest(query="서울"))) == ["ko-seoul"]
    assert ids(korean_archive.search(SearchRequest(query="부산"))) == ["ko-busan"]
    page = korean_archive.search(SearchRequest(query="엘제이"))
    assert page.total == 1 and page.hits[0].id not in ("ko-seoul", "ko-busan")
    assert korean_archive.search(SearchRequest(query="류화영")).total == 1


def test_korean_phrases_and_multi_syllable_words(korean_archive):
    assert korean_archive.search(SearchRequest(query='"사진 공개"')).total == 1
    assert korean_archive.search(SearchRequest(query='"경제 회의"')).hits[0].id == "ko-seoul"
    assert korean_archive.search(SearchRequest(query='"회의 경제"')).total == 0
    # a three-syllable word must match as a whole, not any of its bigrams
    assert ids(korean_archive.search(SearchRequest(query="물동량"))) == ["ko-busan"]
    assert korean_archive.search(SearchRequest(query="서울항")).total == 0


def test_korean_highlighting_marks_the_right_characters(korean_archive):
    article = korean_archive.get_article("ko-seoul")
    marked = korean_archive.highlight_article(article, "서울")
    assert marked.headline == "<mark>서울</mark>에서 열린 회의"
    assert "<mark>서울</mark>에서 경제" in marked.body_paragraphs[0]
    snippet = korean_archive.search(SearchRequest(query="서울")).hits[0].snippet
    assert re.findall(r"<mark>(.*?)</mark>", snippet) == ["서울"]


def test_versions_are_found_across_segments_and_short_articles(small_corpus, tmp_path):
    """An incremental build adds a segment; a segment of only short articles has
    no signature column, and grouping must still read the right article's
    signature (Whoosh's multi-segment column reader skips such segments)."""
    from indexer.index.build import build_index

    records = [json.loads(line) for line in
               gzip.open(small_corpus / "reuters" / "reut2-000.jsonl.gz", "rt", encoding="utf-8")][:30]
    story = next(r for r in records if len(r["body"]) > 800)
    tree = tmp_path / "tree"
    (tree / "a").mkdir(parents=True)
    (tree / "a" / "first.jsonl").write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    index_dir = tmp_path / "index"
    build_index([str(tree)], index_dir, jobs=1)
    (tree / "b").mkdir()
    (tree / "b" / "short.json").write_text(json.dumps(
        {"id": "short-1", "headline": "Harbour reopens", "body": "It reopened.", "date": "1999-05-04"}),
        encoding="utf-8")
    build_index([str(tree)], index_dir, jobs=1)
    resent = dict(story, id="resent-1", body=story["body"] + " (Corrected)")
    (tree / "c").mkdir()
    (tree / "c" / "resent.json").write_text(json.dumps(resent), encoding="utf-8")
    build_index([str(tree)], index_dir, jobs=1)

    archive = Archive(index_dir)
    newest = archive.search(SearchRequest(query="*", sort="newest"))
    assert newest.hits[0].id == "short-1"
    found = archive.search(SearchRequest(query=f'headline:"{story["headline"]}"'))
    leader = found.hits[0]
    assert {leader.id, *leader.duplicates} >= {story["id"], "resent-1"}
    assert "resent-1" not in ids(found) or story["id"] not in ids(found)
