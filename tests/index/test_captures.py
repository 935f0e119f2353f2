"""One article per URL, the latest capture's text, under the same id: settled by
the build, not the WARC reader (which holds no article). Within the batch a task
is gathering, across the segments of one file, and across files; WARCs written
with warcio's writer from the real pages the project ships."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from indexer.index import store, tasks
from indexer.index.build import build_index
from indexer.ingest.article import derived_id
from indexer.ingest.html import read_html
from indexer.ingest.warc import record_parts
from indexer.search.archive import Archive
from tests.ingest.test_warc import PAGES, Crawl, page_bytes

X, Y, OTHER = "https://news.example/x", "https://news.example/y", "https://news.example/other"


def headline(n: int) -> str:
    return read_html(page_bytes(PAGES[n]), "x").headline


def write_warc(path: Path, captures: list[tuple[str, int, str]]) -> Path:
    """(url, page number, WARC-Date) in the order written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as out:
        crawl = Crawl(out)
        for url, n, date in captures:
            crawl.page(url, page_bytes(PAGES[n]), date=date)
    return path


def live_ids(index: Path) -> list[str]:
    with whoosh_index.open_dir(str(store.live_generation(index))).searcher() as searcher:
        return [fields["id"] for fields in searcher.all_stored_fields()]


def manifest_ids(index: Path) -> dict[str, list[str]]:
    manifest = json.loads((store.live_generation(index) / "manifest.json").read_text())
    return {Path(source).name: entry["ids"] for source, entry in manifest["sources"].items()}


# x: its later capture is read first; y: its later capture is read last (after
# one of the same moment: on a tie the capture read later wins); a page between
CAPTURES = [
    (X, 1, "2024-05-03T08:00:00Z"),
    (Y, 4, "2024-05-01T08:00:00Z"),
    (OTHER, 0, "2024-05-01T08:00:00Z"),
    (X, 2, "2024-05-01T08:00:00Z"),
    (Y, 5, "2024-05-02T08:00:00Z"),
    (Y, 3, "2024-05-02T08:00:00Z"),
]


def check_latest_kept(index: Path, report) -> None:
    archive = Archive(index)
    x, y = archive.get_article(derived_id(X)), archive.get_article(derived_id(Y))
    assert (x.headline, x.crawled) == (headline(1), datetime(2024, 5, 3, 8))
    assert (y.headline, y.crawled) == (headline(3), datetime(2024, 5, 2, 8))
    ids = live_ids(index)
    assert sorted(ids) == sorted({derived_id(u) for u in (X, Y, OTHER)})   # each once, the losers deleted
    written = report.articles["added"] + report.articles["updated"]  # (updated: a rebuild)
    assert archive.stats()["articles"] == report.articles["total"] == written == 3
    assert report.skipped["earlier capture of the same URL"] == 3 and not report.failures
    assert sorted(manifest_ids(index)["crawl.warc.gz"]) == sorted(set(ids))


def test_the_latest_capture_wins_within_one_batch(tmp_path):
    write_warc(tmp_path / "crawl" / "crawl.warc.gz", CAPTURES)
    report = build_index([str(tmp_path / "crawl")], tmp_path / "index", jobs=1)
    assert report.segments == 1
    check_latest_kept(tmp_path / "index", report)


def test_the_latest_capture_wins_across_the_segments_of_one_file(tmp_path, monkeypatch):
    monkeypatch.setattr(tasks, "SEGMENT_TEXT_BYTES", 1)  # a segment per article: no two captures share a batch
    write_warc(tmp_path / "crawl" / "crawl.warc.gz", CAPTURES)
    report = build_index([str(tmp_path / "crawl")], tmp_path / "index", jobs=1)
    assert report.segments >= 4
    check_latest_kept(tmp_path / "index", report)
    # the same ids and texts when the whole file is read again
    report = build_index([str(tmp_path / "crawl")], tmp_path / "index", jobs=1, full=True)
    check_latest_kept(tmp_path / "index", report)


@pytest.mark.parametrize("jobs", [1, 2])
def test_the_latest_capture_wins_across_files(tmp_path, monkeypatch, jobs):
    monkeypatch.setattr(tasks, "TASK_TEXT_BYTES", 1)   # a task per file
    crawl = tmp_path / "crawl"
    write_warc(crawl / "a.warc.gz", [(X, 1, "2024-05-01T08:00:00Z"), (Y, 4, "2024-05-05T08:00:00Z")])
    write_warc(crawl / "b.warc.gz", [(X, 2, "2024-05-03T08:00:00Z"), (Y, 5, "2024-05-05T08:00:00Z")])
    write_warc(crawl / "c.warc.gz", [(X, 3, "2024-05-02T08:00:00Z"), (OTHER, 0, "2024-05-01T08:00:00Z")])
    report = build_index([str(crawl)], tmp_path / "index", jobs=jobs)
    assert report.tasks == 3
    archive = Archive(tmp_path / "index")
    assert archive.get_article(derived_id(X)).headline == headline(2)
    assert archive.get_article(derived_id(Y)).headline == headline(5)   # a tie: the file read later
    assert sorted(live_ids(tmp_path / "index")) == sorted({derived_id(u) for u in (X, Y, OTHER)})
    assert report.articles["added"] == report.articles["total"] == 3
    assert report.skipped["earlier capture of the same URL"] == 3
    assert manifest_ids(tmp_path / "index") == {"a.warc.gz": [], "b.warc.gz": [derived_id(X), derived_id(Y)],
                                                "c.warc.gz": [derived_id(OTHER)]}


@pytest.mark.parametrize("jobs", [1, 2])
def test_an_identical_payload_under_another_url_is_indexed_once_across_files_and_parts(tmp_path, monkeypatch, jobs):
    """The same page under two URLs (a tracking parameter, a mirror): the copy
    read first, in the order of the files and of their records, is kept
    whatever the number of workers; in another file, or in another part of a
    large file read by another task, as within one part."""
    monkeypatch.setattr(tasks, "TASK_TEXT_BYTES", 1)      # a task per file or part
    monkeypatch.setattr(tasks, "SOURCE_PART_BYTES", 40_000)  # c.warc.gz is read in parts
    crawl = tmp_path / "crawl"
    write_warc(crawl / "a.warc.gz", [(X, 1, "2024-05-01T08:00:00Z")])
    write_warc(crawl / "b.warc.gz", [(X + "?utm_source=feed", 1, "2024-05-02T08:00:00Z")])
    parts = [(f"https://news.example/c/{n}", n % 3 + 2, "2024-05-01T08:00:00Z") for n in range(6)]
    write_warc(crawl / "c.warc.gz", parts)
    assert len(record_parts(crawl / "c.warc.gz", tasks.SOURCE_PART_BYTES)) == 2  # the second repeats the first
    report = build_index([str(crawl)], tmp_path / "index", jobs=jobs)
    kept = [derived_id(X)] + [derived_id(url) for url, _, _ in parts[:3]]  # each page's first URL
    assert sorted(live_ids(tmp_path / "index")) == sorted(kept)
    assert report.skipped["identical payload (same WARC-Payload-Digest)"] == 4
    assert report.articles["added"] == report.articles["total"] == 4 and not report.failures
    assert manifest_ids(tmp_path / "index")["b.warc.gz"] == []
    assert Archive(tmp_path / "index").get_article(derived_id(X)).headline == headline(1)


def test_an_identical_payload_indexed_by_an_earlier_build_is_not_indexed_again(tmp_path):
    """A crawl that adds a WARC file a day: a page the index already holds,
    captured again under another URL, is not indexed again by the incremental
    build that reads the new file (nor by the next one); once the file that held
    it is gone, the page may come in under another URL."""
    crawl, index = tmp_path / "crawl", tmp_path / "index"
    identical = "identical payload (same WARC-Payload-Digest)"
    write_warc(crawl / "day1.warc.gz", [(X, 1, "2024-05-01T08:00:00Z"), (OTHER, 0, "2024-05-01T08:00:00Z")])
    build_index([str(crawl)], index, jobs=1)
    write_warc(crawl / "day2.warc.gz", [(X + "?utm_source=feed", 1, "2024-05-02T08:00:00Z"),
                                        (Y, 2, "2024-05-02T08:00:00Z")])
    report = build_index([str(crawl)], index, jobs=1)
    assert report.mode == "incremental" and report.sources["new"] == 1 and report.sources["unchanged"] == 1
    assert report.skipped[identical] == 1 and not report.failures
    assert report.articles["added"] == 1 and report.articles["total"] == 3
    assert sorted(live_ids(index)) == sorted(derived_id(u) for u in (X, OTHER, Y))
    assert manifest_ids(index)["day2.warc.gz"] == [derived_id(Y)]
    # the next day repeats pages of both earlier builds under other URLs
    write_warc(crawl / "day3.warc.gz", [("https://mirror.example/y", 2, "2024-05-03T08:00:00Z"),
                                        ("https://mirror.example/other", 0, "2024-05-03T08:00:00Z")])
    report = build_index([str(crawl)], index, jobs=1)
    assert report.skipped[identical] == 2 and report.articles["added"] == 0
    assert manifest_ids(index)["day3.warc.gz"] == []
    # day1.warc.gz gone: its pages are no longer in the index, so a copy under another URL comes in
    (crawl / "day1.warc.gz").unlink()
    write_warc(crawl / "day4.warc.gz", [("https://mirror.example/x", 1, "2024-05-04T08:00:00Z")])
    report = build_index([str(crawl)], index, jobs=1, allow_removals=True)
    assert not report.skipped[identical] and report.articles["added"] == 1
    assert sorted(live_ids(index)) == sorted(derived_id(u) for u in (Y, "https://mirror.example/x"))
    assert Archive(index).get_article(derived_id("https://mirror.example/x")).headline == headline(1)


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_payload_replaced_by_a_later_capture_of_its_url_is_free_again(tmp_path, monkeypatch, jobs):
    """A URL captured again with other text (the story was updated) keeps only
    the later capture; its earlier text is then no longer in the index, so the
    same text under another URL is indexed, not dropped as an identical payload,
    whether the earlier capture was read first or last."""
    monkeypatch.setattr(tasks, "TASK_TEXT_BYTES", 1)  # a task per file
    crawl, mirror = tmp_path / "crawl", "https://mirror.example/x"
    write_warc(crawl / "a.warc.gz", [(X, 1, "2024-05-01T08:00:00Z")])
    write_warc(crawl / "b.warc.gz", [(X, 2, "2024-05-02T08:00:00Z"), (Y, 4, "2024-05-03T08:00:00Z")])
    write_warc(crawl / "c.warc.gz", [(Y, 3, "2024-05-01T08:00:00Z")])   # Y's earlier capture, read last
    write_warc(crawl / "d.warc.gz", [(mirror, 1, "2024-05-04T08:00:00Z"),
                                     ("https://mirror.example/y", 3, "2024-05-04T08:00:00Z")])
    report = build_index([str(crawl)], tmp_path / "index", jobs=jobs)
    archive = Archive(tmp_path / "index")
    assert archive.get_article(derived_id(X)).headline == headline(2)
    assert archive.get_article(derived_id(Y)).headline == headline(4)
    assert archive.get_article(derived_id(mirror)).headline == headline(1)
    assert archive.get_article(derived_id("https://mirror.example/y")).headline == headline(3)
    assert not report.skipped["identical payload (same WARC-Payload-Digest)"] and not report.failures
    assert report.articles["total"] == 4


def test_a_payload_replaced_in_an_earlier_build_is_free_again(tmp_path):
    """Across incremental builds: yesterday's text of a URL whose later capture
    replaced it is not held against a copy under another URL; today's is."""
    crawl, index, identical = tmp_path / "crawl", tmp_path / "index", "identical payload (same WARC-Payload-Digest)"
    write_warc(crawl / "day1.warc.gz", [(X, 1, "2024-05-01T08:00:00Z")])
    build_index([str(crawl)], index, jobs=1)
    write_warc(crawl / "day2.warc.gz", [(X, 2, "2024-05-02T08:00:00Z")])
    report = build_index([str(crawl)], index, jobs=1)
    assert report.mode == "incremental" and Archive(index).get_article(derived_id(X)).headline == headline(2)
    write_warc(crawl / "day3.warc.gz", [("https://mirror.example/x1", 1, "2024-05-03T08:00:00Z"),
                                        ("https://mirror.example/x2", 2, "2024-05-03T08:00:00Z")])
    report = build_index([str(crawl)], index, jobs=1)
    assert report.skipped[identical] == 1 and report.articles["added"] == 1 and not report.failures
    assert sorted(live_ids(index)) == sorted(derived_id(u) for u in (X, "https://mirror.example/x1"))
    assert Archive(index).get_article(derived_id("https://mirror.example/x1")).headline == headline(1)
