"""The build pipeline end to end: every input kind, incremental changes, the
--full swap, broken sources and the lock, on real articles."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from indexer import Archive, SearchRequest
from indexer.index import store
from indexer.index.build import build_index
from tests.conftest import CORPUS

SEED_HEADLINE = "Chinese authorities place restrictions on North Korean sojourn periods"


def search_total(index_dir: Path, text: str) -> int:
    return Archive(index_dir).search(SearchRequest(query=text)).total


def reuters_records(n: int, start: int = 0) -> list[dict]:
    with gzip.open(CORPUS / "reuters21578" / "reut2-000.jsonl.gz", "rt", encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh]
    return [r for r in records if r.get("headline") and r.get("body")][start:start + n]


def test_small_corpus_build_report(small_index, small_corpus):
    report = json.loads((small_index / "last-build.json").read_text())
    assert set(report) == {"started", "finished", "seconds", "mode", "sources", "articles", "failures", "skipped"}
    assert report["skipped"] == {}  # records skipped by reason: only web archives have any
    assert report["mode"] == "full"
    assert {"scanned", "new", "changed", "removed", "unchanged", "failed"} <= set(report["sources"])
    assert report["articles"]["total"] == report["articles"]["added"]
    assert report["failures"] == []
    # 1,000 Reuters articles + the seed + the HTML pages
    pages = len(list((small_corpus / "pages").glob("*.htm*"))) if (small_corpus / "pages").exists() else 0
    assert report["articles"]["total"] == 1000 + 1 + pages


def test_seed_article_fields_in_the_index(archive):
    results = archive.search(SearchRequest(query="sojourn"))
    assert results.total == 1
    article = archive.get_article(results.hits[0].id)
    assert article.headline == SEED_HEADLINE
    assert article.publication == "Daily NK"
    assert article.author == "Mun Dong Hui"
    assert len(article.captions) == 2
    assert article.captions[0].startswith("North Korean workers travel on the Sino-Korean Friendship Bridge")
    assert article.captions[1].startswith("North Korean women workers at the customs office in Dandong")
    assert not any("Image:" in c or "image:" in c for c in article.captions)
    assert "Image: Daily NK" not in article.body and "image: Daily NK" not in article.body
    assert "customs office" not in article.body       # the second caption is not body
    assert "is one of Daily NK" not in article.body   # the bio is not body
    assert article.body.startswith("North Korean workers are returning en masse")
    assert article.body.rstrip().endswith("buying things in Chinese markets.\u201d")
    assert article.source.endswith("dailynk/sojourn.txt")


def test_reuters_sign_off_is_stripped_and_words_are_searchable(archive):
    # "Reuter" ends almost every raw body; it must not be indexed as a term.
    assert archive.search(SearchRequest(query="body:reuter")).total < 50
    hits = archive.search(SearchRequest(query="cocoa", per_page=5)).hits
    assert hits and all(not a.body.rstrip().endswith("Reuter")
                        for a in (archive.get_article(h.id) for h in hits))


def write_every_kind(folder: Path) -> dict[str, int]:
    """One file of each supported kind with real article text; returns articles expected per file."""
    folder.mkdir(parents=True, exist_ok=True)
    recs = reuters_records(8)
    expected = {}
    (folder / "one.json").write_text(json.dumps(recs[0]))
    expected["one.json"] = 1
    (folder / "list.json").write_text(json.dumps(recs[1:3]))
    expected["list.json"] = 2
    (folder / "lines.jsonl").write_text("\n".join(json.dumps(r) for r in recs[3:5]) + "\n")
    expected["lines.jsonl"] = 2
    (folder / "lines.ndjson").write_text(json.dumps(recs[5]) + "\n")
    expected["lines.ndjson"] = 1
    with gzip.open(folder / "packed.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.write(json.dumps(recs[6]) + "\n")
    expected["packed.jsonl.gz"] = 1
    (folder / "table.csv").write_text(
        "title,text,site_name,published\n"
        f"\"{recs[7]['headline']}\",\"{recs[7]['body'].replace(chr(34), '')}\",Reuters,1987-03-02\n")
    expected["table.csv"] = 1
    shutil.copy(CORPUS / "dailynk" / "sojourn.txt", folder / "seed.txt")
    expected["seed.txt"] = 1
    with gzip.open(folder / "seed2.txt.gz", "wb") as fh:
        fh.write((CORPUS / "dailynk" / "sojourn.txt").read_bytes().replace(b"sojourn", b"residence"))
    expected["seed2.txt.gz"] = 1
    pages = sorted((CORPUS / "pages").glob("*.html"))
    if pages:
        shutil.copy(pages[0], folder / "page.html")
        expected["page.html"] = 1
        with gzip.open(folder / "page2.htm.gz", "wb") as fh:
            fh.write(pages[-1].read_bytes())
        expected["page2.htm.gz"] = 1
    (folder / "notes.md").write_text("# not an article kind\n")
    return expected


def test_every_input_kind(tmp_path):
    expected = write_every_kind(tmp_path / "src")
    report = build_index([str(tmp_path / "src")], tmp_path / "ix", jobs=2)
    assert report.failures == []
    assert report.sources["scanned"] == len(expected)
    assert report.sources["skipped"] == 1  # notes.md
    assert report.articles["total"] == sum(expected.values())
    manifest = json.loads((store.live_generation(tmp_path / "ix") / "manifest.json").read_text())
    for name, count in expected.items():
        assert len(manifest["sources"][str(tmp_path / "src" / name)]["ids"]) == count, name
    assert search_total(tmp_path / "ix", "residence") >= 1   # the gzipped text file
    assert search_total(tmp_path / "ix", 'publication:"daily nk"') == 2


def test_incremental_add_change_delete(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    recs = reuters_records(3)
    for i, rec in enumerate(recs[:2]):
        (src / f"a{i}.json").write_text(json.dumps(rec))
    ix = tmp_path / "ix"
    first = build_index([str(src)], ix, jobs=1)
    assert first.mode == "full" and first.articles["total"] == 2

    noop = build_index([str(src)], ix, jobs=1)
    assert noop.mode == "incremental"
    assert noop.sources["unchanged"] == 2
    assert noop.articles == {"added": 0, "updated": 0, "removed": 0, "total": 2}

    # add
    (src / "a2.json").write_text(json.dumps(recs[2]))
    added = build_index([str(src)], ix, jobs=1)
    assert added.sources["new"] == 1 and added.sources["unchanged"] == 2
    assert added.articles["added"] == 1 and added.articles["total"] == 3

    # change: the new words are found, the old ones are gone, no duplicate
    changed = dict(recs[0], body="Zanzibar clove harvest doubles, growers say.")
    (src / "a0.json").write_text(json.dumps(changed))
    os.utime(src / "a0.json", ns=(time.time_ns(), time.time_ns() + 10**9))
    upd = build_index([str(src)], ix, jobs=1)
    assert upd.sources["changed"] == 1 and upd.articles["updated"] == 1
    assert upd.articles["total"] == 3
    assert search_total(ix, "zanzibar clove") == 1
    old_word = recs[0]["body"].split()[5]
    assert Archive(ix).get_article(recs[0]["id"]).body.startswith("Zanzibar")

    # delete
    (src / "a1.json").unlink()
    rem = build_index([str(src)], ix, jobs=1)
    assert rem.sources["removed"] == 1 and rem.articles["removed"] == 1
    assert rem.articles["total"] == 2
    assert Archive(ix).get_article(recs[1]["id"]) is None
    assert old_word  # the old text was real


def test_full_rebuild_swaps_generation_and_keeps_search_working(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "x.json").write_text(json.dumps(reuters_records(1)[0]))
    ix = tmp_path / "ix"
    build_index([str(src)], ix, jobs=1)
    archive = Archive(ix)
    before = store.live_generation(ix).resolve()
    assert archive.search(SearchRequest(query="*")).total == 1

    (src / "y.json").write_text(json.dumps(reuters_records(2)[1]))
    report = build_index([str(src)], ix, full=True, jobs=1)
    after = store.live_generation(ix).resolve()
    assert report.mode == "full" and after != before
    assert before.exists()  # the previous generation is kept as a fallback
    # the same Archive object sees the new generation without a restart
    assert archive.search(SearchRequest(query="*")).total == 2


def test_failed_full_build_leaves_previous_index(tmp_path, monkeypatch):
    src = tmp_path / "src"
    src.mkdir()
    for i, rec in enumerate(reuters_records(3)):
        (src / f"r{i}.json").write_text(json.dumps(rec))
    ix = tmp_path / "ix"
    build_index([str(src)], ix, jobs=1)
    live = store.live_generation(ix).resolve()

    import indexer.index.tasks as tasks_module
    real = tasks_module.stream_source
    calls = {"n": 0}

    def crash_midway(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt  # the user hits Ctrl-C during the rebuild
        return real(*args, **kwargs)

    monkeypatch.setattr(tasks_module, "stream_source", crash_midway)
    with pytest.raises(KeyboardInterrupt):
        build_index([str(src)], ix, full=True, jobs=1)
    assert store.live_generation(ix).resolve() == live
    assert search_total(ix, "*") == 3
    monkeypatch.undo()
    assert build_index([str(src)], ix, full=True, jobs=1).articles["total"] == 3


def test_broken_sources_are_reported_and_skipped(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    recs = reuters_records(3)
    (src / "good.json").write_text(json.dumps(recs[0]))
    (src / "empty.txt").write_text("")
    (src / "mixed.jsonl").write_text(json.dumps(recs[1]) + "\n{not json\n" + json.dumps(recs[2]) + "\n")
    (src / "binary.html").write_bytes(bytes(range(256)) * 40)
    with open(src / "truncated.jsonl.gz", "wb") as fh:
        fh.write(gzip.compress(json.dumps(recs[0]).encode())[:20])
    report = build_index([str(src)], tmp_path / "ix", jobs=1)
    assert report.articles["total"] == 3
    failed = {Path(f.source).name: f for f in report.failures}
    assert set(failed) == {"empty.txt", "mixed.jsonl", "binary.html", "truncated.jsonl.gz"}
    assert failed["mixed.jsonl"].line == 2
    assert "empty" in failed["empty.txt"].reason
    assert "gzip" in failed["truncated.jsonl.gz"].reason
    saved = json.loads((tmp_path / "ix" / "last-build.json").read_text())
    assert {(Path(f["source"]).name, f["line"]) for f in saved["failures"]} >= {("mixed.jsonl", 2)}
    # the record file with one bad line is unchanged on the next build
    again = build_index([str(src)], tmp_path / "ix", jobs=1)
    assert again.sources["unchanged"] == 2  # good.json and mixed.jsonl


def test_duplicate_record_ids_are_refused(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    rec = reuters_records(1)[0]
    (src / "a.json").write_text(json.dumps(rec))
    (src / "b.json").write_text(json.dumps(dict(rec, headline="Other")))
    report = build_index([str(src)], tmp_path / "ix", jobs=1)
    assert report.articles["total"] == 1
    assert any("duplicate article id" in f.reason for f in report.failures)


def run_cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "indexer", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=300)


def test_second_build_is_refused_while_one_holds_the_lock(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.json").write_text(json.dumps(reuters_records(1)[0]))
    ix = tmp_path / "ix"
    with store.build_lock(ix):
        proc = run_cli("build", str(src), "--index", str(ix))
    assert proc.returncode == 2
    assert "locked by a running build" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr


def test_lock_of_a_killed_build_does_not_block(tmp_path):
    ix = tmp_path / "ix"
    holder = subprocess.Popen([sys.executable, "-c",
                               "import sys, time; from pathlib import Path; from indexer.index import store\n"
                               f"with store.build_lock(Path({str(ix)!r})):\n"
                               "    print('held', flush=True); time.sleep(60)"],
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.json").write_text(json.dumps(reuters_records(1)[0]))
    assert run_cli("build", str(src), "--index", str(ix)).returncode == 2
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    proc = run_cli("build", str(src), "--index", str(ix))
    assert proc.returncode == 0, proc.stderr
    assert "1 in the index" in proc.stdout


def test_cli_exit_codes_and_json(tmp_path, small_index):
    missing = run_cli("search", "oil", "--index", str(tmp_path / "nothing"))
    assert missing.returncode == 2 and "no index" in missing.stderr
    bad = run_cli("search", '"unbalanced', "--index", str(small_index))
    assert bad.returncode == 2 and "quote" in bad.stderr and "Traceback" not in bad.stderr
    assert run_cli("search", "oil", "--from", "March", "--index", str(small_index)).returncode == 2

    out = run_cli("search", "sojourn", "--json", "--index", str(small_index))
    assert out.returncode == 0
    data = json.loads(out.stdout)
    assert set(data) == {"query", "total", "page", "per_page", "took_ms", "hits", "facets", "suggestion"}
    assert data["total"] == 1 and data["facets"]["publication"] == {"Daily NK": 1}
    hit = data["hits"][0]
    assert {"id", "headline", "publication", "author", "date", "url", "source", "score", "snippet"} <= set(hit)
    assert hit["author"] == "Mun Dong Hui" and "<mark>sojourn</mark>" in hit["snippet"]

    stats = json.loads(run_cli("stats", "--json", "--index", str(small_index)).stdout)
    assert set(stats) == {"articles", "publications", "date_min", "date_max", "index_bytes", "last_build"}
    assert stats["publications"]["Reuters"] == 1000
    assert stats["date_min"].startswith("1987-02-26")

    strict_src = tmp_path / "strict"
    strict_src.mkdir()
    (strict_src / "empty.json").write_text("")
    (strict_src / "ok.json").write_text(json.dumps(reuters_records(1)[0]))
    assert run_cli("build", str(strict_src), "--index", str(tmp_path / "s1")).returncode == 0
    assert run_cli("build", str(strict_src), "--index", str(tmp_path / "s2"), "--strict").returncode == 1


def test_export_streams_every_match(small_index):
    total = json.loads(run_cli("search", "oil", "--json", "--index", str(small_index)).stdout)["total"]
    out = run_cli("export", "oil", "--index", str(small_index))
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(rows) == total > 10
    assert set(rows[0]) == {"id", "headline", "body", "captions", "publication", "author", "date", "url", "source",
                            "crawled"}
    csv_out = run_cli("export", "", "--format", "csv", "--publication", "Daily NK", "--index", str(small_index))
    lines = csv_out.stdout.splitlines()
    assert lines[0] == "id,headline,body,captions,publication,author,date,url,source,crawled"
    assert " | " in csv_out.stdout  # the two captions joined
