"""WARC input: the two readers compared, WARC vs loose pages through the build, memory on big WARCs.

    python benchmarks/warc.py readers [--pages DIR] [--copies N]
    python benchmarks/warc.py build   [--pages DIR] [--copies N] [--profile]
    python benchmarks/warc.py memory  [--gigabytes G ...] [--tmp DIR] [--jobs N] [--segment-mb M]
                                      [--task-mb M] [--smaps] [--trace]
    python benchmarks/warc.py pagekind [--shared DIR]

`readers`: the same WARC files (gzip per record and plain) read by warcio and by
fastwarc: records/s and MB/s for walking every record and reading every HTTP
payload (content-encoding decoded). `build`: pages/s of `newsindex build --full
--jobs 1` over one WARC holding the pages against the same pages as loose .html
files, and the reader's own share of the WARC build (`--profile`: where each
build's time goes, WARC-only code against the cleaning both share). `memory`: for each size G,
a generated plain WARC of G gigabytes made only of article pages (the pages
over and over under distinct URLs, one URL in ten captured twice) built with
`build_index(full=True)`: peak RSS of the coordinator and of the largest task
worker, pages/s, and whether the article count and the winning captures are
right (the files are deleted after). `pagekind`: how many real articles of the shared
sets (Zyte benchmark, ../shared/corpus/extraction/*.tar.gz) the "not an article"
rule drops, and how many crawled non-article pages (the Common Crawl and
ClueWeb records and the warcio examples' home pages of ../shared/corpus/warc/)
it keeps. Figures go to benchmarks/README-warc.md. The
machine is shared: compare ratios within one run; absolute times are upper bounds.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
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
        if args.profile:
            for label, path in (("loose .html", loose), ("one .warc.gz", warc)):
                print(f"{label}, profiled: " + _profiled_build(path, tmp / f"profile-{len(label)}"))


def _profiled_build(path: Path, index: Path) -> str:
    """Where one in-process `build_index(full=True, jobs=1)` spends its time,
    under cProfile (times are the profiler's: compare shares, not seconds):
    the code only a WARC runs (warcio, the reader, the not-an-article rule),
    the page cleaning both inputs share, file opening and reading, and the calls made.
    A first build, not profiled, takes the imports and first-use setup out of it."""
    import cProfile
    import pstats

    from indexer import build_index

    build_index([str(path)], index, full=True, jobs=1)
    profile = cProfile.Profile()
    profile.runcall(build_index, [str(path)], index, full=True, jobs=1)
    stats = pstats.Stats(profile)
    only_warc = sum(row[2] for (name, _, _), row in stats.stats.items()
                    if "warcio" in name or name.endswith(("ingest/warc.py", "ingest/pagekind.py")))
    files = sum(row[2] for (_, _, function), row in stats.stats.items()
                if function in ("<built-in method io.open>", "<method 'read' of '_io.BufferedReader' objects>"))
    cleaning = next(row[3] for (name, _, function), row in stats.stats.items()
                    if name.endswith("ingest/html/__init__.py") and function == "read_html")
    total = stats.total_tt
    return (f"{stats.total_calls:,} calls; WARC-only code {only_warc / total:.1%}, page cleaning (read_html) "
            f"{cleaning / total:.1%}, opening and reading files {files / total:.1%} of {total:.1f} profiled s")


def article_warc(path: Path, pages: list[tuple[str, bytes]], target: int, every: int = 10) -> dict[str, int]:
    """A plain WARC of about `target` bytes made only of article pages: the
    shipped pages over and over, each copy under its own URL with its own bytes
    (a comment naming the copy: a reader drops repeated payloads). Every
    `every`-th URL is captured twice, a third of the file later, with another
    page's text: half of those second captures are later (they win), half
    earlier (they lose), so the build must settle captures across segments.
    Returns {url: page index of the capture that must win}."""
    writer = WARCWriter(open(path, "wb"), gzip=False)
    when = datetime(2024, 1, 1, tzinfo=timezone.utc)
    http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
    average = sum(len(data) for _, data in pages) / len(pages)
    originals = int(target / (average * (1 + 1 / every) + 1200))
    lag = max(1, originals // 3)
    winners: dict[str, int] = {}
    pending: dict[int, list[tuple[str, int, int]]] = {}   # written at -> (url, page, seconds)

    def capture(url: str, page: int, seconds: int, copy: int) -> None:
        name, data = pages[page]
        date = (when + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")
        writer.write_record(writer.create_warc_record(
            url, "response", payload=io.BytesIO(data + f"<!-- {url} copy {copy} -->".encode()),
            http_headers=http, warc_headers_dict={"WARC-Date": date}))

    for n in range(originals + lag):
        if n < originals:
            url, page = f"https://news.example/{n // len(pages)}/{pages[n % len(pages)][0]}", n % len(pages)
            capture(url, page, 10 * n, 0)
            winners[url] = page
            if n % every == 0:
                again = (page + 1) % len(pages)
                later = (n // every) % 2 == 0
                pending.setdefault(n + lag, []).append((url, again, 10 * n + (5 if later else -5)))
                if later:
                    winners[url] = again
        for url, page, seconds in pending.pop(n, []):
            capture(url, page, seconds, 1)
    writer.out.close()
    return winners


def _build_peaks(path: Path, index: Path, jobs: int, segment_mb: int | None = None, trace: bool = False,
                 smaps: bool = False, task_mb: float | None = None) -> dict:
    """One `build_index(full=True)` in a child process: the report, wall and
    CPU time, and the peak RSS of the coordinator (the child itself: its VmHWM;
    its getrusage maximum also counts this process's RSS when it was forked) and of the
    largest task worker (as the tasks report it; the coordinator when a task
    runs in its process). `segment_mb` sets SEGMENT_TEXT_BYTES for that build
    (the text a task gathers before it writes a segment: what bounds a worker),
    `task_mb` TASK_TEXT_BYTES (the text per task: how many tasks the same file makes).
    `trace`: the coordinator's memory by phase and what grew (`CoordinatorTrace`);
    `smaps`: which of its mappings grew (`SmapsTrace`)."""
    code = """
import json, resource, sys, time
from indexer import build_index
from indexer.index import tasks
if sys.argv[4] != "default":
    tasks.SEGMENT_TEXT_BYTES = int(sys.argv[4]) * 1024 * 1024
if sys.argv[7] != "default":
    tasks.TASK_TEXT_BYTES = tasks.SOURCE_PART_BYTES = int(float(sys.argv[7]) * 1024 * 1024)
trace = sys.argv[5] == "trace" and __import__("benchmarks.warc", fromlist=["x"]).CoordinatorTrace()
smaps = sys.argv[6] == "smaps" and __import__("benchmarks.warc", fromlist=["x"]).SmapsTrace()
t = time.perf_counter()
r = build_index([sys.argv[1]], sys.argv[2], full=True, jobs=int(sys.argv[3]))
wall = time.perf_counter() - t
if trace:
    trace.report()
if smaps:
    smaps.report()
me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
held = __import__("benchmarks.warc", fromlist=["x"]).held_by_malloc()
print(json.dumps({"wall": wall, "cpu": me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime,
                  "coordinator_mb": int(open("/proc/self/status").read().split("VmHWM:")[1].split()[0]) / 1024,
                  "spawn_mb": me.ru_maxrss / 1024, "forked_workers_mb": kids.ru_maxrss / 1024,
                  "worker_mb": r.worker_peak_mb, "tasks": r.tasks, "segments": r.segments,
                  "articles": r.articles, "skipped": dict(r.skipped), "failures": len(r.failures), "held": held}))
"""
    out = subprocess.run([sys.executable, "-c", code, str(path), str(index), str(jobs), str(segment_mb or "default"),
                          "trace" if trace else "-", "smaps" if smaps else "-", str(task_mb or "default")],
                         check=True, capture_output=True, text=True, cwd=ROOT)
    if trace or smaps:
        print(out.stderr, end="", flush=True)
    return json.loads(out.stdout.splitlines()[-1])


def held_by_malloc() -> dict:
    """This process's RSS now, the heap memory glibc's malloc holds free (freed
    by Python, not given back to the system), and the RSS after `malloc_trim`
    gives it back: memory a process keeps without holding data (Linux, glibc)."""
    import ctypes

    def rss_mb() -> float:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) / 1024

    class MallInfo2(ctypes.Structure):
        _fields_ = [(name, ctypes.c_size_t) for name in
                    ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
                     "fordblks", "keepcost")]

    libc = ctypes.CDLL("libc.so.6")
    libc.mallinfo2.restype = MallInfo2
    before, info = rss_mb(), libc.mallinfo2()
    libc.malloc_trim(0)
    return {"rss_mb": before, "malloc_free_mb": info.fordblks / 2**20, "malloc_in_use_mb": info.uordblks / 2**20,
            "rss_after_trim_mb": rss_mb(), **pymalloc_arenas()}


def pymalloc_arenas() -> dict:
    """Python's small-object allocator: the MB of its arenas (given back only
    when wholly empty) and of the objects live in them."""
    import os
    import re
    import tempfile

    with tempfile.TemporaryFile() as out:
        saved = os.dup(2)
        os.dup2(out.fileno(), 2)
        try:
            sys._debugmallocstats()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        out.seek(0)
        stats = out.read().decode()
    arenas = re.search(r"([\d,]+) arenas \* ([\d,]+) bytes/arena", stats)
    live = int(re.search(r"# bytes in allocated blocks\s*=\s*([\d,]+)", stats).group(1).replace(",", ""))
    size = int(arenas.group(1).replace(",", "")) * int(arenas.group(2).replace(",", ""))
    return {"pymalloc_arenas_mb": size / 2**20, "pymalloc_live_mb": live / 2**20}


class CoordinatorTrace:
    """What the coordinator holds as the build goes: its RSS sampled by phase
    (tasks, merge, commit, dropping earlier captures), and tracemalloc's view of
    the Python objects that grew during the task phase (the worker processes it
    forks stop tracing at once). Printed to stderr by `report`."""

    def __init__(self) -> None:
        import os
        import threading
        import tracemalloc

        from indexer.index import build
        from indexer.index.sources import Manifest
        from indexer.index.vocabulary import VocabularyCounts

        tracemalloc.start(6)
        os.register_at_fork(after_in_child=tracemalloc.stop)
        self._phase = "plan"
        self.rss: dict[str, int] = {}
        self.traced: dict[str, int] = {}  # phase -> most Python memory traced during it
        self.top = (0, None, 0)  # (traced bytes, snapshot, results taken) at the most traced during the tasks
        self.first = None
        self.results = 0
        threading.Thread(target=self._sample, daemon=True).start()
        in_order, merged, commit, drop = build._run_in_order, build._merged, build._commit, build.Captures.drop_earlier

        def traced_in_order(*args, **kwargs):
            self.phase = "tasks"
            for result in in_order(*args, **kwargs):
                yield result
                self.results += 1
                now = tracemalloc.get_traced_memory()[0]
                if self.first is None:
                    self.first = tracemalloc.take_snapshot()
                if now > self.top[0] + (1 << 20):
                    self.top = (now, tracemalloc.take_snapshot(), self.results)
            self.phase = "settled"

        def phase(name, function):
            def run(*args, **kwargs):
                self.phase = name
                try:
                    return function(*args, **kwargs)
                finally:
                    self.phase = f"after {name}"
            return run

        build._run_in_order = traced_in_order
        build._merged = phase("merge", merged)
        build._commit = phase("commit", commit)
        build.Captures.drop_earlier = phase("drop earlier captures", drop)
        VocabularyCounts.save = phase("vocabulary saved", VocabularyCounts.save)
        Manifest.save = phase("manifest saved", Manifest.save)

    @property
    def phase(self) -> str:
        return self._phase

    @phase.setter
    def phase(self, name: str) -> None:
        import tracemalloc

        self.traced[self._phase] = max(self.traced.get(self._phase, 0), tracemalloc.get_traced_memory()[1])
        tracemalloc.reset_peak()
        self._phase = name

    def _sample(self) -> None:
        import time

        while True:
            with open("/proc/self/status") as status:
                rss = next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
            self.rss[self.phase] = max(self.rss.get(self.phase, 0), rss)
            time.sleep(0.2)

    def report(self) -> None:
        import tracemalloc

        self.phase = "end"
        current, peak = tracemalloc.get_traced_memory()
        print("  coordinator RSS peak by phase: " + ", ".join(f"{p} {kb / 1024:.1f} MB" for p, kb in self.rss.items()),
              file=sys.stderr)
        print("  traced Python memory peak by phase: " + ", ".join(f"{p} {b / 1e6:.1f} MB" for p, b in
                                                                     self.traced.items()), file=sys.stderr)
        print(f"  traced Python memory: peak {peak / 1e6:.1f} MB, at the end {current / 1e6:.1f} MB; most during "
              f"the tasks {self.top[0] / 1e6:.1f} MB after {self.top[2]} of {self.results} results", file=sys.stderr)
        if self.first is not None and self.top[1] is not None:
            for stat in self.top[1].compare_to(self.first, "traceback")[:8]:
                frames = " <- ".join(f"{Path(f.filename).name}:{f.lineno}" for f in stat.traceback[:4])
                print(f"    +{stat.size_diff / 1e6:6.2f} MB ({stat.count_diff:+,} blocks) {frames}", file=sys.stderr)


class SmapsTrace:
    """Which of the coordinator's memory mappings grow during a build, and what
    it is doing then: its RSS read every 10 ms (/proc/self/statm), and at each
    new largest RSS, /proc/self/smaps (each mapping's RSS summed by what it
    maps: a file's name; the index's segment files together; malloc's heap;
    anonymous mappings together, with their count: thread stacks and
    allocations too large for the heap are anonymous mappings of their own) and
    the main thread's innermost calls. `report` prints, to stderr, the sample
    after the first second and the one at the largest RSS, and what grew."""

    def __init__(self) -> None:
        import threading

        self.first: dict | None = None
        self.peak: dict = {"total": (0, 0)}
        self.doing = ""
        self._main = threading.main_thread().ident
        self._started = time.perf_counter()
        threading.Thread(target=self._sample, daemon=True).start()

    @staticmethod
    def snapshot() -> dict[str, tuple[int, int]]:
        """{what is mapped: (RSS in kB, mappings)}, and "total"."""
        import re

        sizes: dict[str, tuple[int, int]] = {}
        name = None
        with open("/proc/self/smaps") as smaps:
            for line in smaps:
                head = line.split(None, 5)
                if re.match(r"^[0-9a-f]+-[0-9a-f]+$", head[0]):
                    path = head[5].strip() if len(head) > 5 else ""
                    if path.startswith("/") and "/gen-" in path:
                        name = "[index segment files]"
                    elif path.startswith("/"):
                        name = Path(path).name
                    else:
                        name = path or "[anonymous]"
                    rss, count = sizes.get(name, (0, 0))
                    sizes[name] = (rss, count + 1)
                elif head[0] == "Rss:":
                    rss, count = sizes[name]
                    sizes[name] = (rss + int(head[1]), count)
        sizes["total"] = (sum(rss for rss, _ in sizes.values()), sum(n for _, n in sizes.values()))
        return sizes

    def _sample(self) -> None:
        import os
        import traceback

        page_kb = os.sysconf("SC_PAGE_SIZE") // 1024
        top = 0
        while True:
            with open("/proc/self/statm") as statm:
                rss = int(statm.read().split()[1]) * page_kb
            if self.first is None and time.perf_counter() - self._started > 1:
                self.first = self.snapshot()
            if rss > top:
                top = rss
                frame = sys._current_frames().get(self._main)
                calls = traceback.extract_stack(frame)[-6:] if frame else []
                self.peak = self.snapshot()
                self.doing = " <- ".join(f"{Path(c.filename).name}:{c.name}" for c in reversed(calls))
            time.sleep(0.01)

    def report(self) -> None:
        first, peak = self.first or {}, self.peak
        print(f"  coordinator mappings: RSS {first.get('total', (0, 0))[0] / 1024:.1f} MB in "
              f"{first.get('total', (0, 0))[1]} mappings after 1 s, {peak['total'][0] / 1024:.1f} MB in "
              f"{peak['total'][1]} at the peak; grew most:", file=sys.stderr)
        grew = sorted(((peak[k][0] - first.get(k, (0, 0))[0], k) for k in peak if k != "total"), reverse=True)
        for kb, name in grew[:6]:
            was = first.get(name, (0, 0))
            print(f"    {kb / 1024:+7.1f} MB  {name}: {was[0] / 1024:.1f} MB in {was[1]} -> "
                  f"{peak[name][0] / 1024:.1f} MB in {peak[name][1]} mappings", file=sys.stderr)
        print(f"    at the peak the main thread was in: {self.doing}", file=sys.stderr)


def _check_winners(index: Path, pages: list[tuple[str, bytes]], winners: dict[str, int],
                   sample: int = 40) -> tuple[int, int]:
    """(right, checked): how many of a sample of twice-captured URLs hold the text of the capture that must win."""
    from indexer import Archive
    from indexer.ingest.article import derived_id
    from indexer.ingest.html import read_html

    archive = Archive(index)
    twice = list(winners)[::10][:sample]  # every tenth URL written was captured twice
    right = 0
    for url in twice:
        page = winners[url]
        expected = read_html(pages[page][1], "x").headline
        right += archive.get_article(derived_id(url)).headline == expected
    return right, len(twice)


def cmd_memory(args) -> None:
    """Peak RSS and pages/s of full builds of all-article WARCs of each of
    `--gigabytes` (e.g. 0.2 2): memory must not grow with the file."""
    if args.segment_mb:
        print(f"SEGMENT_TEXT_BYTES set to {args.segment_mb} MB for these builds")
    pages = load_pages(Path(args.pages))
    with tempfile.TemporaryDirectory(dir=args.tmp) as tmp:
        tmp = Path(tmp)
        for gigabytes in args.gigabytes:
            crawl = tmp / f"crawl-{gigabytes}"
            crawl.mkdir()
            path = crawl / "articles.warc"
            t = time.perf_counter()
            winners = article_warc(path, pages, int(gigabytes * 1e9))
            twice = (len(winners) + 9) // 10
            print(f"{path.stat().st_size / 1e9:.2f} GB WARC: {len(winners):,} URLs, {twice:,} of them captured "
                  f"twice; written in {time.perf_counter() - t:.0f} s", flush=True)
            index = tmp / f"index-{gigabytes}"
            got = _build_peaks(path, index, args.jobs, args.segment_mb, args.trace, args.smaps, args.task_mb)
            shutil.rmtree(crawl)  # the disk back before the next file
            total = got["articles"]["total"]
            right, checked = _check_winners(index, pages, winners)
            verdict = "right" if total == len(winners) else "WRONG"
            print(f"  articles {total:,} (expected {len(winners):,}: {verdict}); earlier captures dropped "
                  f"{got['skipped'].get('earlier capture of the same URL', 0):,}; sampled twice-captured URLs "
                  f"holding the winning text: {right} of {checked}; failures {got['failures']}")
            print(f"  wall {got['wall']:.0f} s ({total / got['wall']:.1f} pages/s), CPU {got['cpu']:.0f} s "
                  f"({total / got['cpu']:.1f} pages/CPU-s); tasks {got['tasks']}, segments {got['segments']}")
            print(f"  peak RSS: coordinator {got['coordinator_mb']:.1f} MB, largest worker {got['worker_mb']:.1f} MB"
                  f" (forked workers' peak {got['forked_workers_mb']:.1f} MB; 0 = the task ran in the coordinator; "
                  f"the coordinator's getrusage says {got['spawn_mb']:.1f} MB: Linux keeps, across the exec, the "
                  f"RSS of this benchmark process it was forked from)",
                  flush=True)
            held = got["held"]
            print(f"  coordinator after the build: RSS {held['rss_mb']:.1f} MB; malloc's heap in use "
                  f"{held['malloc_in_use_mb']:.1f} MB, free but kept {held['malloc_free_mb']:.1f} MB; "
                  f"RSS after malloc_trim {held['rss_after_trim_mb']:.1f} MB; Python's small-object arenas "
                  f"{held['pymalloc_arenas_mb']:.1f} MB holding {held['pymalloc_live_mb']:.1f} MB of live objects",
                  flush=True)
            shutil.rmtree(index)


def _indexed(index: Path) -> int:
    """Articles in the index a build just wrote (a build whose sources all failed still exits 0)."""
    return json.loads((index / "last-build.json").read_text())["articles"]["total"]


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
    return group, path, not_an_article(data, article, url)


def cmd_pagekind(args) -> None:
    import re
    import tarfile
    from collections import Counter
    from multiprocessing import Pool

    from warcio.archiveiterator import ArchiveIterator

    shared = Path(args.shared)
    # each page with the address it was published at, where the set gives it (as a crawl's record does)
    zyte = shared / "corpus" / "article-extraction-benchmark"
    zyte_urls = {key: truth.get("url") for key, truth in json.loads((zyte / "ground-truth.json").read_text()).items()}
    items = [("zyte", str(p), None, None, zyte_urls.get(p.name.split(".")[0]))
             for p in sorted((zyte / "html").iterdir())]
    with tempfile.TemporaryDirectory() as tmp:
        for archive in sorted((shared / "corpus" / "extraction").glob("*.tar.gz")):
            with tarfile.open(archive) as tar:
                tar.extractall(tmp, filter="data")
        for truth in sorted(Path(tmp).glob("*/truth.jsonl")):
            urls = {row["id"]: row.get("url") for row in map(json.loads, truth.read_text().splitlines()) if row}
            for page in sorted((truth.parent / "pages").glob("*.html")):
                items.append((truth.parent.name, str(page), page.read_bytes(), None, urls.get(page.stem)))
    for name in ("resiliparse-warcfile.warc.gz", "resiliparse-clueweb-quirk.warc.gz",
                 "warcio-example-iana.org-chunked.warc", "warcio-example.warc.gz"):
        with open(shared / "corpus" / "warc" / name, "rb") as fh:
            for record in ArchiveIterator(fh):
                kind = (record.http_headers.get_header("Content-Type") or "") if record.http_headers else ""
                if record.rec_type != "response" or "html" not in kind:
                    continue
                charset = re.search(r"charset=([\w-]+)", record.http_headers.get_header("Content-Type") or "")
                uri = record.rec_headers.get_header("WARC-Target-URI")
                items.append((f"crawled non-articles ({name})", uri, record.content_stream().read(),
                              charset.group(1) if charset else None, uri))
    # the real non-articles shipped in tests/fixtures/pagekind, with the addresses its README gives
    fixtures = ROOT / "tests" / "fixtures" / "pagekind"
    table = (fixtures / "README.md").read_text()
    for name, url in re.findall(r"^\| `([^`]+\.html)` \| [^|]+ \| (\S+) \|", table, re.M):
        items.append(("crawled non-articles (tests/fixtures/pagekind)", url, (fixtures / name).read_bytes(), None, url))
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
            print(f"  dropped article: {group} {Path(path).name}: {reason}")
    for group, path, reason in verdicts:
        if group.startswith("crawled"):
            print(f"  {'dropped' if reason else 'KEPT'} non-article: {path}: {reason or ''}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("readers", "build", "memory", "pagekind"):
        p = sub.add_parser(name)
        p.add_argument("--shared", default="../shared", help="the shared data folder (pagekind)")
        p.add_argument("--jobs", type=int, default=2)
        p.add_argument("--pages", default=str(DEFAULT_PAGES))
        p.add_argument("--copies", type=int, default={"readers": 5}.get(name, 1))
        p.add_argument("--repeats", type=int, default=2)
        p.add_argument("--gigabytes", type=float, nargs="+", default=[0.2, 2.0])
        p.add_argument("--tmp", default=None, help="where the big WARCs are generated (and deleted)")
        p.add_argument("--segment-mb", type=int, default=None,
                       help="memory: SEGMENT_TEXT_BYTES in MB for the builds (default: the limit's own value)")
        p.add_argument("--profile", action="store_true",
                       help="build: also profile one build of each input (where the time goes)")
        p.add_argument("--smaps", action="store_true",
                       help="memory: also sample the coordinator's mappings (/proc/self/smaps): which grew")
        p.add_argument("--task-mb", type=float, default=None,
                       help="memory: TASK_TEXT_BYTES in MB for the builds (more tasks from the same file)")
        p.add_argument("--trace", action="store_true",
                       help="memory: also trace the coordinator (RSS by phase, what grew; slows it a little)")
    args = parser.parse_args()
    {"readers": cmd_readers, "build": cmd_build, "memory": cmd_memory,
     "pagekind": cmd_pagekind}[args.command](args)
    shutil.rmtree(ROOT / "__pycache__", ignore_errors=True)


if __name__ == "__main__":
    main()
