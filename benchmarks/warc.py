"""WARC input: the two readers compared, WARC vs loose pages through the build, memory on a big WARC.

    python benchmarks/warc.py readers [--pages DIR] [--copies N]
    python benchmarks/warc.py build   [--pages DIR] [--copies N]
    python benchmarks/warc.py memory  [--gigabytes G]

`readers`: the same WARC files (gzip per record and plain) read by warcio and by
fastwarc: records/s and MB/s for walking every record and reading every HTTP
payload (content-encoding decoded). `build`: pages/s of `newsindex build --full
--jobs 1` over one WARC holding the pages against the same pages as loose .html
files, and the reader's own share of the WARC build. `memory`: peak RSS of a
build of a generated WARC of G gigabytes (distinct pages made from the shipped
ones) against a small WARC. Figures go to benchmarks/README-warc.md. The
machine is shared: compare ratios within one run; absolute times are upper bounds.
"""

from __future__ import annotations

import argparse
import gzip
import io
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


def write_warc(out, pages, *, gzip_records: bool, copies: int = 1, stamp: str = "") -> int:
    """A crawl-shaped WARC: request + response per page; returns the records written."""
    writer = WARCWriter(out, gzip=gzip_records)
    when = datetime(2024, 1, 1, tzinfo=timezone.utc)
    records = 0
    for copy in range(copies):
        for name, data in pages:
            uri = f"https://news.example/{copy}/{name}{stamp}"
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


def _build(paths: list[Path], index: Path) -> tuple[float, float, int]:
    """(wall s, CPU s of the child, peak RSS KB) of one `newsindex build --full --jobs 1`."""
    cmd = [sys.executable, "-m", "indexer", "build", *map(str, paths), "--index", str(index),
           "--full", "--jobs", "1", "--json"]
    t = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return time.perf_counter() - t, cpu, after.ru_maxrss


def cmd_build(args) -> None:
    pages = load_pages(Path(args.pages))
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        loose = tmp / "loose"
        loose.mkdir()
        for copy in range(args.copies):
            for name, data in pages:
                (loose / f"{copy}-{name}.html").write_bytes(data)
        warc = tmp / "crawl" / "pages.warc.gz"
        warc.parent.mkdir()
        with open(warc, "wb") as out:
            write_warc(out, pages, gzip_records=True, copies=args.copies)
        n = len(pages) * args.copies
        rows = []
        for label, path in (("loose .html", loose), ("one .warc.gz", warc)) * args.repeats:
            wall, cpu, _ = _build([path], tmp / f"index-{len(rows)}")
            rows.append((label, wall, cpu))
        for label in ("loose .html", "one .warc.gz"):
            wall = min(w for lab, w, _ in rows if lab == label)
            cpu = min(c for lab, _, c in rows if lab == label)
            print(f"{label:13s} {n} pages  best wall {wall:6.2f} s ({n / wall:6.1f} pages/s)  "
                  f"best CPU {cpu:6.2f} s ({n / cpu:6.1f} pages/CPU-s)")
        reader_cpu, _ = best_of(read_fastwarc, warc)
        print(f"the reader alone (fastwarc, every record and payload): {reader_cpu:.3f} s CPU")


def cmd_memory(args) -> None:
    pages = load_pages(Path(args.pages))
    target = int(args.gigabytes * 1e9)
    with tempfile.TemporaryDirectory(dir=args.tmp) as tmp:
        tmp = Path(tmp)
        small, big = tmp / "small" / "s.warc.gz", tmp / "big" / "b.warc.gz"
        for p in (small, big):
            p.parent.mkdir()
        with open(small, "wb") as out:
            write_warc(out, pages, gzip_records=True)
        t = time.perf_counter()
        copy = 0
        with open(big, "wb") as out:
            while out.tell() < target:
                # distinct URLs and texts: the copy number is in every page
                variant = [(name, data.replace(b"</body>", f"<p>copy {copy}</p></body>".encode()))
                           for name, data in pages]
                write_warc(out, variant, gzip_records=True, stamp=f"?c={copy}")
                copy += 1
        print(f"generated {big.stat().st_size / 1e9:.2f} GB ({copy * len(pages)} pages) "
              f"in {time.perf_counter() - t:.0f} s")
        for label, path in (("small", small), ("big", big)):
            wall, cpu, _ = _build_rss(path, tmp / f"index-{label}")
            print(f"{label}: {path.stat().st_size / 1e6:9.1f} MB  wall {wall:7.1f} s  "
                  f"peak RSS {cpu / 1024:7.1f} MB")


def _build_rss(path: Path, index: Path) -> tuple[float, float, int]:
    """Like `_build`, but the peak RSS of this one child (a fresh process per measurement)."""
    code = ("import resource, subprocess, sys; "
            "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL); "
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    t = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code, sys.executable, "-m", "indexer", "build",
                          str(path), "--index", str(index), "--full", "--jobs", "1"],
                         check=True, capture_output=True, text=True, cwd=ROOT)
    return time.perf_counter() - t, int(out.stdout.strip()), 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("readers", "build", "memory"):
        p = sub.add_parser(name)
        p.add_argument("--pages", default=str(DEFAULT_PAGES))
        p.add_argument("--copies", type=int, default=5 if name == "readers" else 1)
        p.add_argument("--repeats", type=int, default=2)
        p.add_argument("--gigabytes", type=float, default=2.0)
        p.add_argument("--tmp", default=None, help="where the big WARC is generated")
    args = parser.parse_args()
    {"readers": cmd_readers, "build": cmd_build, "memory": cmd_memory}[args.command](args)
    shutil.rmtree(ROOT / "__pycache__", ignore_errors=True)


if __name__ == "__main__":
    main()
