"""A large source is read in parts by several tasks at once, whatever its
size (indexer.index.tasks.source_parts): a JSON Lines file cut at line ends, a
WARC cut where records start; a .jsonl.gz is streamed by one task. Each gives
the same articles, ids, failures (with their line numbers or byte offsets) and
index as the file read whole by one worker; and the planner makes tasks of
TASK_TEXT_BYTES however large the archive is."""

from __future__ import annotations

import gzip
import json
import random
from datetime import datetime
from pathlib import Path

import pytest

import indexer.ingest
from indexer.index import tasks
from indexer.index.build import build_index
from indexer.index.sources import SourceFile, walk_sources
from indexer.ingest import SourcePart, stream_source
from indexer.ingest.article import Article, Failure, Skipped, derived_id
from indexer.limits import MB, TASK_TEXT_BYTES
from indexer.search.archive import Archive, SearchRequest
from tests.conftest import CORPUS

TORN = '{"headline": "torn'


def _big_jsonl(folder: Path) -> Path:
    """1,000 Reuters records, some without an id (their ids derive from the
    line number), with blank, broken and non-object lines among them."""
    lines = gzip.decompress((CORPUS / "reuters21578" / "reut2-000.jsonl.gz").read_bytes()).decode().splitlines()
    out = []
    for n, line in enumerate(lines):
        record = json.loads(line)
        if n % 7 == 0:
            record.pop("id", None)
        out.append(json.dumps(record))
        if n % 150 == 0:
            out += ["", TORN, "[1, 2]"]
    folder.mkdir()
    path = folder / "archive.jsonl"
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


def _ids(index_dir: Path) -> list[str]:
    from whoosh import index as whoosh_index

    from indexer.index import store

    with whoosh_index.open_dir(str(store.live_generation(index_dir))).searcher() as searcher:
        return sorted(fields["id"] for fields in searcher.all_stored_fields())


def _same_index(a_dir: Path, b_dir: Path) -> None:
    assert _ids(a_dir) == _ids(b_dir)
    a, b = Archive(a_dir), Archive(b_dir)
    for query in ("cocoa", '"interest rates"', "petro*", "said"):
        request = SearchRequest(query=query, per_page=50)
        ra, rb = a.search(request), b.search(request)
        assert ra.total == rb.total > 0
        assert [h.id for h in ra.hits] == [h.id for h in rb.hits]


def test_a_large_jsonl_file_is_read_in_parts_with_the_same_results(tmp_path, monkeypatch):
    path = _big_jsonl(tmp_path / "src")
    whole = build_index([str(path.parent)], tmp_path / "whole", full=True, jobs=1)
    monkeypatch.setattr(tasks, "SOURCE_PART_BYTES", 100_000)
    monkeypatch.setattr(tasks, "TASK_TEXT_BYTES", 200_000)   # parts in several tasks, on two workers
    (sf,) = walk_sources([str(path.parent)]).files
    parts = tasks.source_parts(sf, tasks.SOURCE_PART_BYTES)
    assert len(parts) > 5
    assert parts[0][:1] == (0,) and parts[-1][1] == path.stat().st_size
    assert all(a[1] == b[0] for a, b in zip(parts, parts[1:]))  # no gap, no overlap
    data = path.read_bytes()
    assert all(data[start - 1:start] == b"\n" and data[:start].count(b"\n") + 1 == line
               for start, _end, line in parts[1:])
    split = build_index([str(path.parent)], tmp_path / "split", full=True, jobs=2)

    assert split.tasks > 1
    assert [f.to_json() for f in split.failures] == [f.to_json() for f in whole.failures]
    assert len(whole.failures) == 2 * 7 and all(f.line for f in whole.failures)
    # a torn line in the second part is reported with its line number in the file
    torn_lines = [n for n, line in enumerate(data.decode().split("\n"), start=1) if line == TORN]
    in_part_2 = [n for n in torn_lines if parts[1].line <= n < parts[2].line]
    assert in_part_2, "the test file has a torn line in its second part"
    assert {f.line for f in split.failures if "not valid JSON" in f.reason} == set(torn_lines)
    assert split.articles == whole.articles and whole.articles["total"] == 1000
    _same_index(tmp_path / "whole", tmp_path / "split")


def test_a_source_larger_than_max_source_bytes_is_split_not_refused(tmp_path, monkeypatch):
    """JSON Lines (plain: in parts; gzipped: streamed by one task) past the
    (lowered) limit is indexed whole; a JSON array file past it is read whole,
    so it is refused, with a message that says what would work."""
    path = _big_jsonl(tmp_path / "src")
    records = [json.loads(line) for line in path.read_text().splitlines() if line.startswith('{"')
               and line != TORN]
    (tmp_path / "src" / "archive2.jsonl.gz").write_bytes(gzip.compress(
        "".join(json.dumps(dict(r, id=f"gz-{n}")) + "\n" for n, r in enumerate(records[:600])).encode()))
    (tmp_path / "src" / "array.json").write_text(json.dumps([dict(r, id=f"arr-{n}") for n, r in enumerate(records)]))
    assert path.stat().st_size > 600_000
    monkeypatch.setattr(indexer.ingest, "MAX_SOURCE_BYTES", 200_000)
    monkeypatch.setattr(indexer.ingest, "CHUNK_BYTES", 100_000)   # the .jsonl.gz inflates to several chunks
    monkeypatch.setattr(tasks, "SOURCE_PART_BYTES", 100_000)
    monkeypatch.setattr(tasks, "TASK_TEXT_BYTES", 200_000)
    report = build_index([str(tmp_path / "src")], tmp_path / "ix", full=True, jobs=2)
    assert report.articles["total"] == 1000 + 600
    refused = [f for f in report.failures if f.source.endswith("array.json")]
    assert [f.reason for f in refused] == ["larger than 0 MB (a JSON file is read whole: as JSON Lines "
                                           "(one object per line) it would be read in parts)"]
    assert report.sources["failed"] == 1 and report.sources["new"] == 2


def test_a_jsonl_gz_is_streamed_in_chunks_with_the_lines_numbered_as_in_the_file(tmp_path, monkeypatch):
    plain = _big_jsonl(tmp_path / "src")
    zipped = tmp_path / "archive.jsonl.gz"
    zipped.write_bytes(gzip.compress(plain.read_bytes()))
    whole = list(stream_source(plain, "archive"))
    monkeypatch.setattr(indexer.ingest, "CHUNK_BYTES", 30_000)
    monkeypatch.setattr(indexer.ingest, "MAX_SOURCE_BYTES", 100_000)  # never held whole
    streamed = list(stream_source(zipped, "archive"))
    assert [getattr(r, "id", None) or r.to_json() for r in streamed] == \
           [getattr(r, "id", None) or r.to_json() for r in whole]
    assert sum(isinstance(r, Article) for r in streamed) == 1000


@pytest.mark.parametrize("last_line_end", ["\n", ""])
def test_a_jsonl_gz_of_one_chunk_is_inflated_once_with_the_same_results(tmp_path, monkeypatch, last_line_end):
    """A stream of at most CHUNK_BYTES is kept from the check that inflates it whole
    (nothing opens it a second time) and read as the chunked stream reads it."""
    plain = _big_jsonl(tmp_path / "src")
    zipped = tmp_path / "archive.jsonl.gz"
    zipped.write_bytes(gzip.compress(plain.read_bytes().removesuffix(b"\n") + last_line_end.encode()))
    monkeypatch.setattr(indexer.ingest, "CHUNK_BYTES", 30_000)  # several chunks: inflated twice
    chunked = list(stream_source(zipped, "archive"))
    monkeypatch.setattr(indexer.ingest, "CHUNK_BYTES", 4 * MB)

    def no_second_inflate(*args, **kwargs):
        raise AssertionError("inflated a second time")

    monkeypatch.setattr(indexer.ingest.igzip, "open", no_second_inflate)
    once = list(stream_source(zipped, "archive"))
    assert [getattr(r, "id", None) or r.to_json() for r in once] == \
           [getattr(r, "id", None) or r.to_json() for r in chunked]
    assert sum(isinstance(r, Article) for r in once) == 1000


def test_a_jsonl_gz_is_one_task_that_writes_a_segment_per_segment_of_text(tmp_path, monkeypatch):
    src = tmp_path / "src"
    plain = _big_jsonl(src)
    (src / "archive.jsonl.gz").write_bytes(gzip.compress(plain.read_bytes()))
    plain.unlink()
    monkeypatch.setattr(indexer.ingest, "CHUNK_BYTES", 100_000)
    monkeypatch.setattr(tasks, "SEGMENT_TEXT_BYTES", 200_000)
    report = build_index([str(src)], tmp_path / "ix", full=True, jobs=2)
    assert report.tasks == 1 and report.segments >= 4 and report.articles["total"] == 1000
    assert len(_ids(tmp_path / "ix")) == 1000


def test_a_broken_or_bomb_like_jsonl_gz_is_refused_before_any_of_it_is_indexed(tmp_path, monkeypatch):
    plain = _big_jsonl(tmp_path / "src")
    data = gzip.compress(plain.read_bytes())
    (tmp_path / "cut.jsonl.gz").write_bytes(data[:len(data) * 2 // 3])
    monkeypatch.setattr(indexer.ingest, "CHUNK_BYTES", 30_000)
    [failure] = stream_source(tmp_path / "cut.jsonl.gz", "cut")
    assert "broken gzip data" in failure.reason


@pytest.mark.parametrize("suffix", [".jsonl.gz", ".json.gz"])
def test_a_gz_with_corrupt_deflate_data_is_reported_as_broken(tmp_path, suffix):
    """Bytes flipped inside the compressed stream (ISA-L raises its own error type):
    the source is refused as broken gzip data, with its name, not as an unknown error."""
    data = bytearray(gzip.compress(_big_jsonl(tmp_path / "src").read_bytes()))
    data[5000:5010] = bytes(b ^ 0x55 for b in data[5000:5010])
    (tmp_path / f"flipped{suffix}").write_bytes(data)
    failures = [item for item in stream_source(tmp_path / f"flipped{suffix}", "flipped") if isinstance(item, Failure)]
    assert failures and failures[0].source == "flipped" and "broken gzip data" in failures[0].reason


# -- WARC ---------------------------------------------------------------------------

def _crawl(path: Path, gzip_records: bool) -> set[str]:
    """A WARC written with warcio's writer: every shipped page under several
    URLs (a distinct payload each), with requests and metadata between them."""
    from tests.ingest.test_warc import PAGES, Crawl, page_bytes, page_url

    urls = set()
    with open(path, "wb") as out:
        crawl = Crawl(out, gzip_records=gzip_records)
        crawl.record("urn:warcinfo", "warcinfo", b"software: test\r\n", status=None)
        for copy in range(4):
            for n, page in enumerate(PAGES):
                payload = page_bytes(page) + f"<!-- copy {copy} -->".encode()
                crawl.page(page_url(page, copy), payload, date=f"2024-03-0{copy + 1}T10:{n:02d}:00Z")
                crawl.record(page_url(page, copy), "metadata", b"fetchTimeMs: 120\r\n", status=None)
                urls.add(page_url(page, copy))
        # a later capture of a page first captured in the first part
        crawl.page(page_url(PAGES[0], 0), page_bytes(PAGES[0]) + b"<!-- recaptured -->",
                   date="2024-04-01T10:00:00Z")
    return urls


@pytest.mark.parametrize("name", ["crawl.warc.gz", "crawl.warc"])
def test_a_large_warc_is_read_in_parts_and_gives_every_record_once(tmp_path, monkeypatch, name):
    src = tmp_path / "src"
    src.mkdir()
    urls = _crawl(src / name, gzip_records=name.endswith(".gz"))
    (sf,) = walk_sources([str(src)]).files
    whole = list(stream_source(Path(sf.path), sf.source))
    parts = tasks.source_parts(sf, sf.size // 5)
    assert 4 <= len(parts) <= 6
    assert parts[0].start == 0 and parts[-1].end == sf.size
    assert all(a.end == b.start for a, b in zip(parts, parts[1:]))
    by_part = [list(stream_source(Path(sf.path), sf.source, part=p)) for p in parts]
    assert not [r for results in by_part for r in results if isinstance(r, Failure)]
    read = [r.url for results in by_part for r in results if isinstance(r, Article)]
    # every capture once (the recaptured page twice: in its first part and in the last), as the whole file
    assert sorted(read) == sorted(r.url for r in whole if isinstance(r, Article))
    assert set(read) == urls and len(read) == len(urls) + 1

    def skipped(results):
        return sum(sum(r.counts.values()) for r in results if isinstance(r, Skipped))
    assert sum(skipped(results) for results in by_part) == skipped(whole)

    whole_build = build_index([str(src)], tmp_path / "whole", full=True, jobs=1)
    monkeypatch.setattr(tasks, "SOURCE_PART_BYTES", sf.size // 5)
    monkeypatch.setattr(tasks, "TASK_TEXT_BYTES", 1)   # a task per part
    split_build = build_index([str(src)], tmp_path / "split", full=True, jobs=2)
    assert split_build.tasks > 1
    assert split_build.articles == whole_build.articles and whole_build.articles["total"] == len(urls)
    assert split_build.skipped == whole_build.skipped
    assert _ids(tmp_path / "split") == _ids(tmp_path / "whole")
    assert len(_ids(tmp_path / "split")) == len(urls)   # every id once
    # the later capture (in the last part) won over the first part's
    from tests.ingest.test_warc import PAGES, page_url

    recaptured = Archive(tmp_path / "split").get_article(derived_id(page_url(PAGES[0], 0)))
    assert recaptured.crawled == datetime(2024, 4, 1, 10, 0)


def test_a_damaged_record_in_a_part_is_reported_at_its_offset_and_the_part_reads_on(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    path = src / "crawl.warc.gz"
    _crawl(path, gzip_records=True)
    (sf,) = walk_sources([str(src)]).files
    parts = tasks.source_parts(sf, sf.size // 4)
    data = bytearray(path.read_bytes())
    hit = parts[1].start + (parts[1].end - parts[1].start) // 2   # the middle of the second part
    data[hit:hit + 64] = bytes(64)
    path.write_bytes(bytes(data))
    results = [list(stream_source(path, sf.source, part=p)) for p in parts]
    whole = [r for r in stream_source(path, sf.source) if isinstance(r, Failure)]
    failures = [r for r in results[1] if isinstance(r, Failure)]
    assert [f.offset for f in failures] == [f.offset for f in whole]
    assert all(parts[1].start <= f.offset < hit for f in failures)
    assert "damaged record" in failures[-1].reason and "read again from byte" in failures[-1].reason
    assert all(not any(isinstance(r, Failure) for r in results[i]) for i in (0, 2, 3))
    assert sum(isinstance(r, Article) for r in results[1]) > 0


# -- the planner --------------------------------------------------------------------

def test_the_planner_makes_tasks_of_task_text_bytes_however_large_the_archive(tmp_path):
    """Synthetic archives (sources that are read whole, so no file is opened):
    every task but the last holds TASK_TEXT_BYTES of text and at most one source
    more, so a worker's memory follows its task, not the archive; the number of
    tasks grows with the text (the commit merges their segments)."""
    rng = random.Random(17)

    def cost(sf):  # (a tiny file costs as much as SOURCE_MIN_BYTES of text)
        return max(sf.size, tasks.SOURCE_MIN_BYTES)
    for count, most in ((5, 2 * MB), (220, 3 * MB), (3000, 500_000), (40_000, 30_000), (60, 20 * MB),
                        (200_000, 2_000), (300, 10 * MB)):
        files = [SourceFile(f"f{n}.html", str(tmp_path / f"f{n}.html"), rng.randint(1, most), 0)
                 for n in range(count)]
        planned = tasks.plan_tasks(files, tmp_path, "b", None)
        assert [u.source for t in planned for u in t.sources] == files
        sizes = [sum(cost(u.source) for u in t.sources) for t in planned]
        assert all(TASK_TEXT_BYTES <= size < TASK_TEXT_BYTES + most for size in sizes[:-1]), count
    # a folder of tiny files still makes several tasks
    files = [SourceFile(f"t{n}.txt", str(tmp_path / f"t{n}.txt"), 300, 0) for n in range(5000)]
    assert len(tasks.plan_tasks(files, tmp_path, "b", None)) == 3
    # the Reuters replica: ten times the files, ten times the tasks (of one size)
    def replica(scale):
        return [SourceFile(f"r{n}.jsonl.gz", str(tmp_path / f"r{n}.jsonl.gz"), 330_000, 0) for n in range(22 * scale)]
    x10, x50 = (tasks.plan_tasks(replica(s), tmp_path, "b", None) for s in (10, 50))
    assert len(x50) >= 4.9 * len(x10) and max(map(len, (t.sources for t in x50))) == max(len(t.sources) for t in x10)
    # a source in parts: its parts in order, in consecutive tasks
    big = tmp_path / "big.jsonl"
    big.write_bytes(b'{"headline": "x", "body": "y"}\n' * 400_000)
    planned = tasks.plan_tasks([SourceFile("big.jsonl", str(big), big.stat().st_size, 0)], tmp_path, "b", None)
    parts = [u.part for t in planned for u in t.sources]
    assert len(parts) == -(-big.stat().st_size // tasks.SOURCE_PART_BYTES) and parts == sorted(parts)
    assert isinstance(parts[0], SourcePart)


def test_an_incremental_build_reads_a_changed_large_file_again_whole_and_only_it(tmp_path, monkeypatch):
    path = _big_jsonl(tmp_path / "src")
    small = tmp_path / "src" / "small.jsonl"
    lines = path.read_text().splitlines()
    small.write_text("\n".join(lines[-5:]) + "\n")
    path.write_text("\n".join(lines[:-5]) + "\n")
    monkeypatch.setattr(tasks, "SOURCE_PART_BYTES", 100_000)
    monkeypatch.setattr(tasks, "TASK_TEXT_BYTES", 200_000)
    ix = tmp_path / "ix"
    first = build_index([str(tmp_path / "src")], ix, jobs=2)
    # an edited record, one blanked out (in the second part), one added at the end
    # (lines keep their numbers: the ids of records without one derive from them)
    records = [json.loads(line) for line in lines[:-5] if line.startswith('{"') and line != TORN]
    gone, edited = records[130], records[3]
    assert "id" in gone and "id" in edited
    kept = ["" if line == json.dumps(gone) else line for line in lines[:-5]]
    kept[kept.index(json.dumps(edited))] = json.dumps(dict(edited, headline="Cocoa buffer stock edited"))
    added = dict(records[5], id="added-at-the-end", headline="An article added at the end")
    path.write_text("\n".join([*kept, json.dumps(added)]) + "\n")
    again = build_index([str(tmp_path / "src")], ix, jobs=2)
    assert again.sources["changed"] == 1 and again.sources["unchanged"] == 1 and again.tasks > 1
    assert again.articles["added"] == 1 and again.articles["removed"] == 1
    assert again.articles["updated"] == first.articles["added"] - 5 - 1   # the big file's, read again
    assert again.articles["total"] == first.articles["total"]
    assert Archive(ix).get_article(edited["id"]).headline == "Cocoa buffer stock edited"
    full = build_index([str(tmp_path / "src")], tmp_path / "full", full=True, jobs=1)
    assert _ids(ix) == _ids(tmp_path / "full") and full.articles["total"] == again.articles["total"]
    assert [f.to_json() for f in again.failures] == [f.to_json() for f in full.failures]


def test_the_problems_of_a_source_read_in_parts_are_listed_once_for_the_source(tmp_path, monkeypatch):
    from indexer.limits import MAX_FAILURES_PER_SOURCE

    src = tmp_path / "src"
    src.mkdir()
    good = json.dumps({"id": "good", "headline": "Cocoa", "body": "Cocoa prices rose."})
    (src / "junk.jsonl").write_text(good + "\n" + "x\n" * 100_000)
    monkeypatch.setattr(tasks, "SOURCE_PART_BYTES", 20_000)
    monkeypatch.setattr(tasks, "TASK_TEXT_BYTES", 50_000)
    report = build_index([str(src)], tmp_path / "ix", jobs=2)
    assert report.tasks > 1 and report.articles["total"] == 1
    assert len(report.failures) == MAX_FAILURES_PER_SOURCE + 1
    assert [f.line for f in report.failures[:-1]] == list(range(2, 2 + MAX_FAILURES_PER_SOURCE))
    assert report.failures[-1].reason == (f"... and {100_000 - MAX_FAILURES_PER_SOURCE:,} more problems in this "
                                          f"file (100,000 in all)")
