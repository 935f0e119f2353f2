"""Builds under careless and hostile use (issue 18): nothing lost, nothing stuck,
nothing unbounded. Each test builds real Reuters records or fixture pages."""

from __future__ import annotations

import gzip
import json
from datetime import datetime, timedelta
from pathlib import Path

from indexer.index.build import build_index
from indexer.search.archive import Archive, SearchRequest
from indexer.search.export import jsonl_lines
from tests.conftest import FIXTURES
from tests.index.test_build import reuters_records


def write_jsonl(path: Path, records: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")


def article_dates(index_dir: Path) -> dict[str, datetime | None]:
    archive = Archive(index_dir)
    hits = archive.search(SearchRequest(query="*", per_page=100)).hits
    return {h.id: h.date for h in hits}


# -- item 12: one sanity range for every date ----------------------------------------

def test_every_date_input_gets_one_sanity_range(tmp_path):
    """An epoch number in the wrong unit, a year below 1000, an offset of 24 h
    or more: no date at all, never year 5138 or a year the chart cannot show."""
    recs = reuters_records(7)
    bad = [99999999999, "0999-03-01", "0500-01-01T00:00:00Z", "Mon, 01 Jan 2019 00:00:00 +2500",
           "2019-01-01T00:00:00+25:00", (datetime.now() + timedelta(days=800)).isoformat()]
    for rec, value in zip(recs, bad):
        rec["date"] = value
    recs[-1]["date"] = 1553500000  # a real epoch (2019-03-25) still counts
    write_jsonl(tmp_path / "src" / "dates.jsonl", recs)
    report = build_index([tmp_path / "src"], tmp_path / "ix")
    assert report.failures == [] and report.articles["total"] == 7
    dates = article_dates(tmp_path / "ix")
    assert [dates[r["id"]] for r in recs[:6]] == [None] * 6
    assert dates[recs[6]["id"]].date().isoformat() == "2019-03-25"


# -- item 8: text is valid Unicode where an Article is made ---------------------------

def test_a_lone_surrogate_in_a_page_never_reaches_the_index(tmp_path):
    """A JSON-LD escape of half a surrogate pair (a real page's author name)
    would make every search, page and export touching the article fail."""
    page = gzip.decompress((FIXTURES / "html" / "latimes-disney-plus.html.gz").read_bytes()).decode("utf-8")
    assert '"name":"Meg James"' in page
    page = page.replace('"name":"Meg James"', '"name":"Meg \\ud800James"')
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "disney.html").write_text(page, encoding="utf-8")
    recs = reuters_records(2)
    recs[0]["headline"] = "Cocoa \\udc00 talks".replace("\\udc00", "\udc00")  # a record's own lone half
    write_jsonl(tmp_path / "src" / "wire.jsonl", recs)  # json.dumps escapes it as \udc00
    report = build_index([tmp_path / "src"], tmp_path / "ix")
    assert report.failures == [] and report.articles["total"] == 3
    archive = Archive(tmp_path / "ix")
    hits = archive.search(SearchRequest(query="disney OR cocoa", per_page=10)).hits
    assert len(hits) == 2
    for hit in hits:
        article = archive.get_article(hit.id)
        text = json.dumps(article.to_json(), ensure_ascii=False)
        text.encode("utf-8")  # raised UnicodeEncodeError before
        assert "\ufffd" in text
    exported = "".join(jsonl_lines(archive.iter_export(SearchRequest(query="*"))))
    exported.encode("utf-8")
