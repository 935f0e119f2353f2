"""Builds under careless and hostile use (issue 18): nothing lost, nothing stuck,
nothing unbounded. Each test builds real Reuters records or fixture pages."""

from __future__ import annotations

import gzip
import json
from datetime import datetime, timedelta
from pathlib import Path

from indexer import Archive, SearchRequest
from indexer.cli import main
from indexer.index import store
from indexer.index.build import build_index
from indexer.limits import (
    KEPT_GENERATIONS,
    MAX_ARTICLE_CHARS,
    MAX_FAILURES_PER_SOURCE,
    MAX_GZIP_RATIO,
    MB,
)
from indexer.search.export import jsonl_lines
from tests.conftest import FIXTURES
from tests.index.test_build import reuters_records
from tests.system.faultkit import tree_digest


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


# -- items 1-5: builds delete only what they made; nothing lost; a way back -----------

def cli(capsys, *argv: str) -> tuple[int, str, str]:
    """Run `newsindex ARGV` in-process: (exit status, stdout, stderr)."""
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def ids_in(index_dir: Path) -> set[str]:
    return {json.loads(line)["id"] for line in jsonl_lines(Archive(index_dir).iter_export(SearchRequest(query="*")))}


def test_a_folder_that_is_not_an_index_is_refused_and_left_alone(tmp_path, capsys):
    """`--index news` (a source folder) deleted `news/gen-z-coverage` half-way
    through a full build; now a non-empty folder that is not an index is refused."""
    news = tmp_path / "news"
    recs = reuters_records(6)
    write_jsonl(news / "wire.jsonl", recs[:3])
    write_jsonl(news / "gen-z-coverage" / "youth.jsonl", recs[3:])
    (news / "current").write_text("my notes on current affairs\n")
    before = tree_digest(news)
    for argv in (["build", str(news), "--index", str(news)],
                 ["build", str(news), "--index", str(news), "--full"]):
        code, _out, err = cli(capsys, *argv)
        assert code == 2, err
        assert "is not an index folder" in err and len(err.strip().splitlines()) == 1
        assert tree_digest(news) == before and not (news / "build.lock").exists()


def test_builds_never_touch_what_the_index_did_not_make(tmp_path, capsys):
    """A `gen-*` folder a person put into the index folder survives every build
    (no-op, incremental, full, pruning); a `current` that is not our link is refused."""
    src, ix = tmp_path / "src", tmp_path / "ix"
    recs = reuters_records(4)
    write_jsonl(src / "a.jsonl", recs[:2])
    assert cli(capsys, "build", str(src), "--index", str(ix))[0] == 0
    assert (ix / store.MARKER_NAME).exists()
    theirs = ix / "gen-mine"
    write_jsonl(theirs / "keep.jsonl", recs[2:])
    for extra in ([], ["--full"], ["--full"], ["--full"], []):
        write_jsonl(src / "a.jsonl", recs[:2 + len(extra)])
        assert cli(capsys, "build", str(src), "--index", str(ix), *extra)[0] == 0
    assert (theirs / "keep.jsonl").exists()
    ours = [p.name for p in ix.glob("gen-*") if p != theirs]
    assert len(ours) == KEPT_GENERATIONS
    live = store.live_generation(ix)
    (ix / "current").unlink()
    (ix / "current").symlink_to(theirs.name)
    code, _out, err = cli(capsys, "build", str(src), "--index", str(ix), "--full")
    assert code == 2 and "not a link to a generation of this index" in err
    assert (theirs / "keep.jsonl").exists() and live.is_dir()


def test_an_index_made_before_the_marker_is_adopted(tmp_path, capsys):
    src, ix = tmp_path / "src", tmp_path / "ix"
    recs = reuters_records(3)
    write_jsonl(src / "a.jsonl", recs[:2])
    assert cli(capsys, "build", str(src), "--index", str(ix))[0] == 0
    (ix / store.MARKER_NAME).unlink()          # as older versions left it
    write_jsonl(src / "a.jsonl", recs)
    assert cli(capsys, "build", str(src), "--index", str(ix))[0] == 0
    assert ids_in(ix) == {r["id"] for r in recs}
    assert len(store.list_generations(ix)) == 2


def test_an_emptied_source_folder_does_not_empty_the_archive(tmp_path, capsys):
    """An unmounted disk or a failed sync leaves an empty folder: the build stops
    with exit 2, names the count, and changes nothing, unless --allow-removals."""
    src, ix = tmp_path / "src", tmp_path / "ix"
    recs = reuters_records(30)
    for n in range(3):
        write_jsonl(src / f"wire-{n}.jsonl", recs[n * 10:(n + 1) * 10])
    assert cli(capsys, "build", str(src), "--index", str(ix))[0] == 0
    live = store.live_generation(ix)
    for path in src.iterdir():
        path.unlink()
    for extra in ([], ["--full"]):
        code, _out, err = cli(capsys, "build", str(src), "--index", str(ix), *extra)
        assert code == 2, err
        assert "would remove 30 of the 30 articles" in err and "--allow-removals" in err
        assert store.live_generation(ix) == live and len(ids_in(ix)) == 30
    write_jsonl(src / "wire-0.jsonl", recs[:10])     # two thirds gone: still refused
    assert cli(capsys, "build", str(src), "--index", str(ix))[0] == 2
    write_jsonl(src / "wire-1.jsonl", recs[10:20])   # one third gone: an ordinary build
    assert cli(capsys, "build", str(src), "--index", str(ix))[0] == 0
    assert len(ids_in(ix)) == 20
    (tmp_path / "empty-mount").mkdir()  # a second, empty root: the first one's articles stay
    code, _out, err = cli(capsys, "build", str(src), str(tmp_path / "empty-mount"), "--index", str(ix),
                          "--full")
    assert code == 0, err
    for path in src.iterdir():
        path.unlink()
    assert cli(capsys, "build", str(src), "--index", str(ix), "--allow-removals")[0] == 0
    assert ids_in(ix) == set()


def test_restore_brings_back_the_generation_before(tmp_path, capsys):
    """A --full build of the wrong folder, then an incremental one: `restore`
    goes back one generation at a time, atomically; --list shows dates and counts."""
    right, wrong, ix = tmp_path / "archive", tmp_path / "downloads", tmp_path / "ix"
    recs = reuters_records(12)
    write_jsonl(right / "wire.jsonl", recs[:8])
    write_jsonl(wrong / "other.jsonl", recs[8:10])
    assert cli(capsys, "build", str(right), "--index", str(ix))[0] == 0
    assert cli(capsys, "build", str(wrong), "--index", str(ix), "--full", "--allow-removals")[0] == 0
    write_jsonl(wrong / "more.jsonl", recs[10:])
    assert cli(capsys, "build", str(wrong), "--index", str(ix))[0] == 0
    assert len(ids_in(ix)) == 4
    code, out, _err = cli(capsys, "restore", "--index", str(ix), "--list", "--json")
    listed = json.loads(out)
    assert [g["articles"] for g in listed] == [8, 2, 4] and [g["live"] for g in listed] == [False, False, True]
    assert all(datetime.fromisoformat(g["built"]) for g in listed)
    assert cli(capsys, "restore", "--index", str(ix))[0] == 0
    assert ids_in(ix) == {r["id"] for r in recs[8:10]}      # before the incremental build
    assert cli(capsys, "restore", "--index", str(ix))[0] == 0
    assert ids_in(ix) == {r["id"] for r in recs[:8]}        # before the wrong --full
    code, _out, err = cli(capsys, "restore", "--index", str(ix))
    assert code == 2 and "no earlier generation" in err
    assert cli(capsys, "restore", "--index", str(ix), listed[2]["name"])[0] == 0
    assert len(ids_in(ix)) == 4


def test_incremental_builds_leave_the_live_generation_untouched(tmp_path):
    src, ix = tmp_path / "src", tmp_path / "ix"
    recs = reuters_records(40)
    for n in range(4):
        write_jsonl(src / f"wire-{n}.jsonl", recs[n * 10:(n + 1) * 10])
    build_index([src], ix)
    first = store.live_generation(ix)
    digest = tree_digest(first)
    edited = [dict(r, body=r["body"] + " Zanzibar clove growers revised the figures.") for r in recs[:10]]
    write_jsonl(src / "wire-0.jsonl", edited)
    (src / "wire-3.jsonl").unlink()
    report = build_index([src], ix)
    assert report.articles["updated"] == 10 and report.articles["removed"] == 10
    assert store.live_generation(ix) != first
    assert tree_digest(first) == digest                     # not a byte of it changed
    assert Archive(ix).search(SearchRequest(query="zanzibar")).total == 10
    store.restore_generation(ix)
    assert Archive(ix).search(SearchRequest(query="zanzibar")).total == 0
    assert len(ids_in(ix)) == 40


def test_the_index_inside_the_source_tree_is_never_a_source(tmp_path, capsys, monkeypatch):
    """`newsindex build .` with the default var/index below the working directory."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NEWSINDEX_INDEX", raising=False)
    write_jsonl(tmp_path / "wire.jsonl", reuters_records(5))
    for extra in ([], [], ["--full"], []):
        code, out, err = cli(capsys, "build", ".", "--strict", "--json", *extra)
        assert code == 0, err
        report = json.loads(out)
        assert report["failures"] == [] and report["articles"]["total"] == 5
        assert report["sources"]["scanned"] == 1


def test_a_renamed_archive_folder_is_indexed_under_its_new_name(tmp_path, capsys):
    """`mv news archive`, edit a record, `build archive`: the edit is searchable
    and no record is refused as a duplicate of the vanished path's."""
    news, ix = tmp_path / "news", tmp_path / "ix"
    recs = reuters_records(6)
    write_jsonl(news / "wire.jsonl", recs)
    assert cli(capsys, "build", str(news), "--index", str(ix))[0] == 0
    archive = news.rename(tmp_path / "archive")
    recs[0]["body"] += " Zanzibar clove growers revised the figures."
    write_jsonl(archive / "wire.jsonl", recs)
    code, out, err = cli(capsys, "build", str(archive), "--index", str(ix), "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["failures"] == [], report["failures"]
    assert report["sources"]["removed"] == 1 and report["articles"]["removed"] == 0
    assert Archive(ix).search(SearchRequest(query="zanzibar")).total == 1
    assert ids_in(ix) == {r["id"] for r in recs}
    assert all(h.source.startswith(str(archive)) for h in
               Archive(ix).search(SearchRequest(query="*", per_page=10)).hits)


# -- item 7: whatever a reader raises on one source fails that source only ------------

def test_what_a_reader_raises_fails_one_source_and_the_build_goes_on(tmp_path, monkeypatch):
    src, ix = tmp_path / "src", tmp_path / "ix"
    recs = reuters_records(6)
    write_jsonl(src / "good.jsonl", recs[:2])
    huge = "9" * 5000  # an integer Python refuses to convert (more than 4,300 digits)
    lines = [json.dumps(recs[2]), json.dumps(recs[3])[:-1] + f', "views": {huge}}}', json.dumps(recs[4])]
    (src / "huge-int.jsonl").write_text("\n".join(lines) + "\n")
    (src / "huge-int.json").write_text(json.dumps(recs[5])[:-1] + f', "views": {huge}}}')
    dated = dict(recs[0], id="offset-25h", date="Mon, 25 Mar 2019 10:00:00 +2500")
    write_jsonl(src / "offset.jsonl", [dated])
    page = gzip.decompress((FIXTURES / "html" / "latimes-disney-plus.html.gz").read_bytes()).decode("utf-8")
    page = page.replace("<head>", '<head><link rel="canonical" href="http://[::1/disney-plus">', 1)
    (src / "broken-ipv6.html").write_text(page, encoding="utf-8")
    (src / "wire.txt").write_text("Cocoa talks\n\nThe cocoa producers met again in London.\n")
    import indexer.ingest.text

    def broken_reader(*args, **kwargs):
        raise KeyError("a reader bug")
    monkeypatch.setattr(indexer.ingest.text, "read_text", broken_reader)
    report = build_index([src], ix, jobs=1, full=True)
    reasons = {(Path(f.source).name, f.line): f.reason for f in report.failures}
    assert "4300" in reasons[("huge-int.jsonl", 2)] and "4300" in reasons[("huge-int.json", None)]
    assert "KeyError" in reasons[("wire.txt", None)] and "a reader bug" in reasons[("wire.txt", None)]
    assert len(reasons) == 3
    # the next (incremental) build reads the failed files again, and goes on again
    report = build_index([src], ix, jobs=1)
    assert {(Path(f.source).name, f.line) for f in report.failures} == {("huge-int.json", None),
                                                                       ("wire.txt", None)}
    assert ids_in(ix) >= {r["id"] for r in recs[:5] if r is not recs[3]} | {"offset-25h"}
    assert Archive(ix).search(SearchRequest(query="disney")).total == 1
    assert article_dates(ix)["offset-25h"] is None


# -- item 11: what one source or article may cost is bounded, and the cut reported ------

def test_a_huge_record_body_is_cut_and_reported(tmp_path):
    recs = reuters_records(3)
    body = (" ".join(r["body"] for r in reuters_records(40)) + "\n\n")
    huge = dict(recs[0], body=body * (3 * MAX_ARTICLE_CHARS // len(body) + 1))  # real wire text, 3x the limit
    write_jsonl(tmp_path / "src" / "dump.jsonl", [huge, *recs[1:]])
    report = build_index([tmp_path / "src"], tmp_path / "ix", jobs=1)
    assert report.articles["total"] == 3
    [cut] = report.failures
    assert f"article {recs[0]['id']}: body cut to {MAX_ARTICLE_CHARS // MB} M characters of" in cut.reason
    article = Archive(tmp_path / "ix").get_article(recs[0]["id"])
    assert len(article.body) <= MAX_ARTICLE_CHARS


def test_a_gzip_bomb_is_refused_while_it_inflates(tmp_path):
    recs = reuters_records(2)
    tiny = json.dumps({"headline": "x", "body": "y"}) + "\n"
    bomb = gzip.compress((json.dumps(recs[0]) + "\n" + tiny * (60 * MB // len(tiny))).encode(), 9)
    assert len(bomb) < 400_000
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "bomb.jsonl.gz").write_bytes(bomb)
    write_jsonl(tmp_path / "src" / "good.jsonl", recs[1:])
    report = build_index([tmp_path / "src"], tmp_path / "ix", jobs=1)
    [failure] = report.failures
    assert "gzip bomb" in failure.reason and f"{MAX_GZIP_RATIO}x" in failure.reason
    assert report.articles["total"] == 1


def test_a_file_of_many_bad_lines_makes_a_small_report(tmp_path):
    recs = reuters_records(2)
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "junk.jsonl").write_text(json.dumps(recs[0]) + "\n" + "x\n" * 200_000)
    write_jsonl(tmp_path / "src" / "good.jsonl", recs[1:])
    report = build_index([tmp_path / "src"], tmp_path / "ix", jobs=1)
    assert report.articles["total"] == 2
    assert len(report.failures) == MAX_FAILURES_PER_SOURCE + 1
    assert f"{200_000 - MAX_FAILURES_PER_SOURCE:,} more problems" in report.failures[-1].reason
    assert (tmp_path / "ix" / "last-build.json").stat().st_size < 50_000


def test_a_page_of_a_million_paragraphs_is_cut(tmp_path, monkeypatch):
    """A page of <p> three times the limit: the cleaner reads the first
    MAX_HTML_BYTES and the cut is reported. (The limit is lowered to 1 MB here to
    keep the test short; at 8 MB a 40 MB page costs ~6 s and ~360 MB instead of
    125 s and 4.7 GB: benchmarks/README-reliability.md.)"""
    import indexer.ingest

    monkeypatch.setattr(indexer.ingest, "MAX_HTML_BYTES", MB)
    para = "<p>The cocoa producers met again in London to discuss the buffer stock rules.</p>\n"
    head = "<html><head><title>Buffer stock talks</title></head><body><article><h1>Buffer stock talks</h1>"
    (tmp_path / "src").mkdir()
    with open(tmp_path / "src" / "paragraphs.html", "w") as fh:
        fh.write(head + para * (3 * MB // len(para)) + "</article></body></html>")
    report = build_index([tmp_path / "src"], tmp_path / "ix", jobs=1)
    assert report.articles["total"] == 1
    assert [f.reason for f in report.failures] == ["page cut to its first 1 MB of 3 MB"]
    article = Archive(tmp_path / "ix").search(SearchRequest(query="buffer stock")).hits[0]
    assert MB // 2 < len(Archive(tmp_path / "ix").get_article(article.id).body) < MB
