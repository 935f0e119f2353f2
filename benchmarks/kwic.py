"""Concordance speed: lines per second of `Archive.kwic` (one page) and `Archive.iter_kwic`
(every line, as `/export/kwic` and `newsindex kwic` stream them), sorted by date and by
the word before the match.

    python benchmarks/kwic.py --index var/index --query 'bank*'          # the bundled corpus (1x)
    python benchmarks/kwic.py --scale 10 --query gold                    # the 216k replica of speed.py

With --scale N the N-fold replica of benchmarks/speed.py is made (or reused) under --work and
indexed there once. Times are wall-clock medians of --repeats runs on a shared machine:
upper bounds. The CPU seconds of this process are printed beside them.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def replica_index(work: Path, scale: int, jobs: int) -> Path:
    from benchmarks.speed import load_docs, make_replica

    work.mkdir(parents=True, exist_ok=True)
    index = work / f"kwic-index-x{scale}"
    if (index / "current").exists():
        return index
    corpus = make_replica(load_docs(REPO / "corpus", work), work, scale)
    subprocess.run([sys.executable, "-m", "indexer", "build", str(corpus), "--index", str(index), "--full",
                    "--jobs", str(jobs)], check=True)
    return index


def measure(archive, query: str, sort: str, repeats: int) -> dict:
    from indexer import SearchRequest

    request = SearchRequest(query=query, per_page=50)
    page_s, all_s, cpu_s, lines = [], [], [], 0
    for _ in range(repeats):
        started = time.perf_counter()
        page = archive.kwic(request, sort=sort)
        page_s.append(time.perf_counter() - started)
        started, cpu = time.perf_counter(), time.process_time()
        lines = sum(1 for _ in archive.iter_kwic(request, sort=sort))
        all_s.append(time.perf_counter() - started)
        cpu_s.append(time.process_time() - cpu)
    every = statistics.median(all_s)
    return {"query": query, "sort": sort, "lines": lines, "articles": page.articles,
            "first_page_s": round(statistics.median(page_s), 3), "every_line_s": round(every, 3),
            "every_line_cpu_s": round(statistics.median(cpu_s), 3), "lines_per_s": round(lines / every)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", type=Path, help="an existing index (else --scale builds one)")
    parser.add_argument("--scale", type=int, default=0)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "newsindex-speed")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--query", action="append", default=[])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    from indexer import Archive

    index = args.index or replica_index(args.work, args.scale, args.jobs)
    archive = Archive(index)
    print(f"index {index}: {archive.stats()['articles']:,} articles")
    print("| query | sort | lines | articles | first page (50 lines) s | every line s | CPU s | lines/s |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for query in args.query or ["gold"]:
        archive.kwic(__import__("indexer").SearchRequest(query=query))  # warm the searcher and caches
        for sort in ("date", "left"):
            r = measure(archive, query, sort, args.repeats)
            print(f"| `{r['query']}` | {r['sort']} | {r['lines']:,} | {r['articles']:,} | {r['first_page_s']} | "
                  f"{r['every_line_s']} | {r['every_line_cpu_s']} | {r['lines_per_s']:,} |", flush=True)


if __name__ == "__main__":
    main()
