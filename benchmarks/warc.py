"""WARC input: the two readers compared, WARC vs loose pages through the build, memory on a big WARC.

    python benchmarks/warc.py readers [--pages DIR] [--copies N]
    python benchmarks/warc.py build   [--pages DIR] [--copies N]
    python benchmarks/warc.py memory  [--gigabytes G] [--tmp DIR]
    python benchmarks/warc.py pagekind [--shared DIR]

`readers`: the same WARC files (gzip per record and plain) read by warcio and by
fastwarc: records/s and MB/s for walking every record and reading every HTTP
payload (content-encoding decoded). `build`: pages/s of `newsindex build --full
--jobs 1` over one WARC holding the pages against the same pages as loose .html
files, and the reader's own share of the WARC build. `memory`: peak RSS of a
build of a generated WARC of G gigabytes (distinct pages made from the shipped
ones) against a small WARC. `pagekind`: how many real articles of the shared
sets (Zyte benchmark, ../shared/corpus/extraction/*.tar.gz) the "not an article"
rule drops, and how many crawled non-article pages (the Common Crawl and
ClueWeb records of ../shared/corpus/warc/) it keeps. Figures go to benchmarks/README-warc.md. The
machine is shared: compare ratios within one run; absolute times are upper bounds.
"""

from __future__ import annotations

import argparse
import gzip
import io
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PAGES = Path("../shared/corpus/article-extraction-benchmark/html")  # from a clone beside shared/


def load_pages(folder: Path) -> list[tuple[str, bytes]]:
    """(name, bytes) of every page in `folder` (.html or .html.gz)."""
    pages = []
    for path in sorted(folder.iterdir()):
        if path.name.endswith(".html.gz"):
            pages.append((path.name[:-8], gzip.decompress(path.read_bytes())))
        elif path.name.endswith(".html"):
            pages.append((path.name[:-5], path.read_bytes()))
    return pages


def distinct_copies(pages: list[tuple[str, bytes]], copies: int) -> list[tuple[str, bytes]]:
    """`copies` versions of every page, each with its own bytes (a WARC reader drops
    repeated payloads, so plain copies would measure less work)."""
    return [(f"{name}-{copy}", data + f"<!-- copy {copy} -->".encode())
            for copy in range(copies) for name, data in pages]


def write_warc(out, pages, *, gzip_records: bool, copies: int = 1) -> int:
    """A crawl-shaped WARC: request + response per page; returns the records written."""
    writer = WARCWriter(out, gzip=gzip_records)
    when = datetime(2024, 1, 1, tzinfo=timezone.utc)
    records = 0
    for copy in range(copies):
        for name, data in pages:
            uri = f"https://news.example/{copy}/{name}"
            date = (when + timedelta(seconds=records)).strftime("%Y-%m-%dT%H:%M:%SZ")
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")],
                                    protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(
                uri, "request", payload=io.BytesIO(b"GET / HTTP/1.1\r\n\r\n"),
                warc_headers_dict={"WARC-Date": date}))
            writer.write_record(writer.create_warc_record(
                uri, "response", payload=io.BytesIO(data), http_headers=http,
                warc_headers_dict={"WARC-Date": date}))
            records += 2
    return records


def read_warcio(path: Path) -> tuple[int, int]:
    from warcio.archiveiterator import ArchiveIterator

    n = size = 0
    with open(path, "rb") as fh:
        for record in ArchiveIterator(fh):
            n += 1
            size += len(record.content_stream().read())
    return n, size


def read_fastwarc(path: Path) -> tuple[int, int]:
    from fastwarc.warc import ArchiveIterator

    n = size = 0
    with open(path, "rb") as fh:
        for record in ArchiveIterator(fh, parse_http=True, auto_decode="all"):
            n += 1
            size += len(record.reader.read())
    return n, size


def best_of(fn, *args, repeats: int = 3) -> tuple[float, tuple]:
    best, result = float("inf"), None
    for _ in range(repeats):
        t = time.process_time()
        result = fn(*args)
        best = min(best, time.process_time() - t)
    return best, result


def cmd_readers(args) -> None:
    pages = load_pages(Path(args.pages))
    with tempfile.TemporaryDirectory() as tmp:
        for gz in (True, False):
            path = Path(tmp) / ("pages.warc.gz" if gz else "pages.warc")
            with open(path, "wb") as out:
                write_warc(out, pages, gzip_records=gz, copies=args.copies)
            mb = path.stat().st_size / 1e6
            print(f"{path.name}: {len(pages) * args.copies} pages, {mb:.1f} MB on disk")
            for name, fn in (("warcio", read_warcio), ("fastwarc", read_fastwarc)):
                cpu, (records, payload) = best_of(fn, path)
                print(f"  {name:9s} {cpu:6.3f} s CPU  {records / cpu:9.0f} records/s  "
                      f"{mb / cpu:7.1f} MB/s  ({records} records, {payload / 1e6:.1f} MB payload)")


def _build(paths: list[Path], index: Path, jobs: int) -> tuple[float, float, int]:
    """(wall s, CPU s of the child, peak RSS KB) of one `newsindex build --full`."""
    cmd = [sys.executable, "-m", "indexer", "build", *map(str, paths), "--index", str(index),
           "--full", "--jobs", str(jobs), "--json"]
    t = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return time.perf_counter() - t, cpu, after.ru_maxrss


def cmd_build(args) -> None:
    pages = distinct_copies(load_pages(Path(args.pages)), args.copies)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        loose = tmp / "loose"
        loose.mkdir()
        for name, data in pages:
            (loose / f"{name}.html").write_bytes(data)
        warc = tmp / "crawl" / "pages.warc.gz"
        warc.parent.mkdir()
        with open(warc, "wb") as out:
            write_warc(out, pages, gzip_records=True)
        n = len(pages)
        print(f"--jobs {args.jobs}")
        rows = []
        for label, path in (("loose .html", loose), ("one .warc.gz", warc)) * args.repeats:
            wall, cpu, _ = _build([path], tmp / f"index-{len(rows)}", args.jobs)
            if _indexed(tmp / f"index-{len(rows)}") != n:
                raise SystemExit(f"{label}: {_indexed(tmp / f'index-{len(rows)}')} of {n} pages indexed")
            rows.append((label, wall, cpu))
        for label in ("loose .html", "one .warc.gz"):
            wall = min(w for lab, w, _ in rows if lab == label)
            cpu = min(c for lab, _, c in rows if lab == label)
            print(f"{label:13s} {n} pages  best wall {wall:6.2f} s ({n / wall:6.1f} pages/s)  "
                  f"best CPU {cpu:6.2f} s ({n / cpu:6.1f} pages/CPU-s)")
        reader_cpu, _ = best_of(read_warcio, warc)
        print(f"the reader alone (warcio, every record and payload): {reader_cpu:.3f} s CPU")


def cmd_memory(args) -> None:
    """Peak RSS of a build of (1) the pages alone, (2) the same pages in a WARC of
    `--gigabytes` filled with images (the reader streams past them), (3) the
    pages `--copies` times over (articles held until their file is done)."""
    pages = load_pages(Path(args.pages))
    target = int(args.gigabytes * 1e9)
    with tempfile.TemporaryDirectory(dir=args.tmp) as tmp:
        tmp = Path(tmp)
        small, big, many = (tmp / n / f"{n}.warc.gz" for n in ("small", "big", "many"))
        for p in (small, big, many):
            p.parent.mkdir()
        with open(small, "wb") as out:
            write_warc(out, pages, gzip_records=True)
        t = time.perf_counter()
        with open(big, "wb") as out:
            write_warc(out, pages, gzip_records=True)
            writer = WARCWriter(out, gzip=True)
            n = 0
            while out.tell() < target:
                http = StatusAndHeaders("200 OK", [("Content-Type", "image/jpeg")], protocol="HTTP/1.1")
                writer.write_record(writer.create_warc_record(
                    f"https://news.example/img/{n}.jpg", "response", payload=io.BytesIO(os.urandom(1 << 20)),
                    http_headers=http))
                n += 1
        print(f"generated {big.stat().st_size / 1e9:.2f} GB ({len(pages)} pages, {n} images of 1 MB) "
              f"in {time.perf_counter() - t:.0f} s")
        with open(many, "wb") as out:
            write_warc(out, distinct_copies(pages, args.copies), gzip_records=True)
        for label, path, count in (("pages alone", small, len(pages)), ("pages + images", big, len(pages)),
                                   (f"pages x{args.copies}", many, len(pages) * args.copies)):
            wall, rss_kb = _build_rss(path, tmp / f"index-{path.parent.name}")
            indexed = _indexed(tmp / f"index-{path.parent.name}")
            print(f"{label:16s} {path.stat().st_size / 1e6:9.1f} MB  {count:6d} pages  {indexed:6d} indexed  "
                  f"wall {wall:7.1f} s  peak RSS {rss_kb / 1024:7.1f} MB")


def _indexed(index: Path) -> int:
    """Articles in the index a build just wrote (a build whose sources all failed still exits 0)."""
    import json

    return json.loads((index / "last-build.json").read_text())["articles"]["total"]


def _build_rss(path: Path, index: Path) -> tuple[float, int]:
    """(wall s, peak RSS KB of the largest process) of one `newsindex build --full --jobs 1`."""
    code = ("import resource, subprocess, sys; "
            "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL); "
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    t = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code, sys.executable, "-m", "indexer", "build",
                          str(path), "--index", str(index), "--full", "--jobs", "1"],
                         check=True, capture_output=True, text=True, cwd=ROOT)
    return time.perf_counter() - t, int(out.stdout.strip())


def _page_verdict(item: tuple[str, str, bytes | None, str | None, str | None]) -> tuple[str, str, str | None]:
    """(set, name, reason or None) for one page; ("set", name, "unreadable: ...") when it is no page."""
    from indexer.errors import SourceError
    from indexer.ingest.html import read_html
    from indexer.ingest.pagekind import not_an_article

    group, path, data, charset, url = item
    if data is None:
        data = Path(path).read_bytes()
        data = gzip.decompress(data) if path.endswith(".gz") else data
    try:
        article = read_html(data, path, charset=charset, url=url)
    except (SourceError, RecursionError) as exc:
        return group, path, f"unreadable: {exc}"
    return group, path, not_an_article(data, article)


def cmd_pagekind(args) -> None:
    import re
    import tarfile
    from collections import Counter
    from multiprocessing import Pool

    from warcio.archiveiterator import ArchiveIterator

    shared = Path(args.shared)
    items = [("zyte", str(p), None, None, None)
             for p in sorted((shared / "corpus" / "article-extraction-benchmark" / "html").iterdir())]
    with tempfile.TemporaryDirectory() as tmp:
        for archive in sorted((shared / "corpus" / "extraction").glob("*.tar.gz")):
            with tarfile.open(archive) as tar:
                tar.extractall(tmp, filter="data")
        for page in sorted(Path(tmp).glob("*/pages/*.html")):
            items.append((page.parent.parent.name, str(page), page.read_bytes(), None, None))
    for name in ("resiliparse-warcfile.warc.gz", "resiliparse-clueweb-quirk.warc.gz"):
        with open(shared / "corpus" / "warc" / name, "rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type != "response":
                    continue
                charset = re.search(r"charset=([\w-]+)", record.http_headers.get_header("Content-Type") or "")
                uri = record.rec_headers.get_header("WARC-Target-URI")
                items.append((f"crawled non-articles ({name})", uri, record.content_stream().read(),
                              charset.group(1) if charset else None, uri))
    with Pool(args.jobs) as pool:
        verdicts = pool.map(_page_verdict, items, chunksize=8)
    pages, dropped, unreadable = Counter(), Counter(), Counter()
    for group, _, reason in verdicts:
        if reason and reason.startswith("unreadable"):
            unreadable[group] += 1
            continue
        pages[group] += 1
        dropped[group] += reason is not None
    print("| set | pages | taken for non-articles | share | (unreadable, not counted) |")
    print("| --- | ---: | ---: | ---: | ---: |")
    articles = [g for g in pages if not g.startswith("crawled")]
    for group in sorted(pages, key=lambda g: (g.startswith("crawled"), g)):
        print(f"| {group} | {pages[group]} | {dropped[group]} | {dropped[group] / pages[group]:.1%} | "
              f"{unreadable[group]} |")
    total, drops = sum(pages[g] for g in articles), sum(dropped[g] for g in articles)
    print(f"| all article sets | {total} | {drops} | {drops / total:.2%} | |")
    for group, path, reason in verdicts:
        if reason and not reason.startswith("unreadable") and not group.startswith("crawled"):
            print(f"  dropped article: {group} {Path(path).name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("readers", "build", "memory", "pagekind"):
        p = sub.add_parser(name)
        p.add_argument("--shared", default="../shared", help="the shared data folder (pagekind)")
        p.add_argument("--jobs", type=int, default=2)
        p.add_argument("--pages", default=str(DEFAULT_PAGES))
        p.add_argument("--copies", type=int, default={"readers": 5, "memory": 10}.get(name, 1))
        p.add_argument("--repeats", type=int, default=2)
        p.add_argument("--gigabytes", type=float, default=2.0)
        p.add_argument("--tmp", default=None, help="where the big WARC is generated")
    args = parser.parse_args()
    {"readers": cmd_readers, "build": cmd_build, "memory": cmd_memory,
     "pagekind": cmd_pagekind}[args.command](args)
    shutil.rmtree(ROOT / "__pycache__", ignore_errors=True)


if __name__ == "__main__":
    main()
