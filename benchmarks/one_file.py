"""One large file is not one core (issue 17, point 3): the same Reuters records
built from 22 files, from ONE uncompressed JSON Lines file (read in parts by
several tasks) and from ONE .jsonl.gz (streamed by one task), in one run.

    .venv/bin/python benchmarks/one_file.py [--corpus corpus] [--jobs 2] [--repeats 2] [--scale N]

Each row is `newsindex build --full --jobs J` as a subprocess (wall, CPU of the
process tree, the largest process's peak RSS); the three builds alternate, so a
change of load on a shared machine falls on all of them. The load average is
printed before and after: compare ratios within a run. With `--scale N` the same
for speed.py's N-fold replica (N x 22 files; one file of N x the records).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import statistics
import tempfile
from pathlib import Path

from harness import NEWSINDEX, REPO, run_measured
from speed_build import load_docs, make_replica


def one_file(files: list[Path], out: Path, gzipped: bool) -> Path:
    """The records of `files` (.jsonl.gz) as one file, in their order; its folder."""
    if not out.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
        temp = out.with_name(out.name + ".tmp")
        with (gzip.open(temp, "wb", compresslevel=6) if gzipped else open(temp, "wb")) as fh:
            for path in files:
                fh.write(gzip.decompress(path.read_bytes()))
        os.replace(temp, out)
    return out.parent


def build(source: Path, index: Path, jobs: int) -> dict:
    shutil.rmtree(index, ignore_errors=True)
    r = run_measured([*NEWSINDEX, "build", str(source), "--index", str(index), "--full", "--json",
                      "--jobs", str(jobs)])
    r["articles"] = json.loads(r["stdout"])["articles"]["total"]
    return r


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=REPO / "corpus")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "newsindex-one-file")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--scale", type=int, default=1, help="speed.py's N-fold replica instead of the corpus")
    parser.add_argument("--only", choices=("files", "jsonl", "gz"), action="append",
                        help="only these builds (repeatable; default all three)")
    args = parser.parse_args()
    work = args.work
    work.mkdir(parents=True, exist_ok=True)
    if args.scale > 1:
        folder = make_replica(load_docs(args.corpus, work), work, args.scale)
    else:
        folder = args.corpus / "reuters21578"
    files = sorted(folder.glob("*.jsonl.gz"))
    only = args.only or ["files", "jsonl", "gz"]
    sources = {}
    if "files" in only:
        sources[f"{len(files)} .jsonl.gz files"] = folder
    if "jsonl" in only:
        sources["ONE .jsonl (read in parts)"] = one_file(files, work / f"x{args.scale}-plain" / "reuters.jsonl", False)
    if "gz" in only:
        sources["ONE .jsonl.gz (streamed by one task)"] = one_file(
            files, work / f"x{args.scale}-gz" / "reuters.jsonl.gz", True)
    print(f"load average before: {os.getloadavg()}", flush=True)
    runs: dict[str, list[dict]] = {name: [] for name in sources}
    for repeat in range(args.repeats):
        for name, source in sources.items():
            r = build(source, work / "index", args.jobs)
            runs[name].append(r)
            print(f"  repeat {repeat + 1}: {name}: {r['wall']:.1f} s wall, {r['cpu']:.1f} s CPU, "
                  f"{r['rss_mb']:.0f} MB, {r['articles']:,} articles; load {os.getloadavg()[0]:.1f}", flush=True)
    print(f"load average after: {os.getloadavg()}\n")
    base = runs[next(iter(sources))]
    print(f"| x{args.scale}, --jobs {args.jobs} | wall (each run) | CPU (each run) | peak RSS | "
          f"wall / {next(iter(sources))} (per repeat) |")
    print("| --- | --- | --- | --- | --- |")
    for name, rs in runs.items():
        walls = [r["wall"] for r in rs]
        cpus = [r["cpu"] for r in rs]
        ratios = ", ".join(f"{r['wall'] / b['wall']:.2f}" for r, b in zip(rs, base))
        print(f"| {name} | {statistics.median(walls):.1f} s ({_each(walls)}) | "
              f"{statistics.median(cpus):.1f} s ({_each(cpus)}) | "
              f"{max(r['rss_mb'] for r in rs):.0f} MB | {ratios} |")


def _each(values: list[float]) -> str:
    return ", ".join(f"{v:.1f}" for v in values)

if __name__ == "__main__":
    main()
