"""Indexing, incremental and query speed of newsindex, beside its own stage limits and peers.

    .venv/bin/python benchmarks/speed.py [--corpus corpus] [--scale 10] [--repeats 3] [--no-peers] [--no-http]

Measures on the bundled Reuters-21578 (`corpus/`), and with `--scale N` on an N-fold replica
(same articles, new ids, lightly shuffled text) generated under the work folder:

The parts live beside this script: `speed_build.py`, `speed_incremental.py` and
`speed_queries.py` (what each measures), `harness.py` (what every benchmark shares).

* full build end to end (`newsindex build --full` as a subprocess, process start included):
  wall, CPU of the whole process tree (RUSAGE_CHILDREN), peak RSS of its largest process,
  index size; beside it, in the same run, the pipeline's stage limits (cleaning alone on all
  cores; Whoosh writing alone, configured as the build does), naive Whoosh (one writer,
  defaults), SQLite FTS5 and tantivy over the same articles;
* incremental: a no-op rebuild of a one-article-per-file tree (21,578 files in 216 folders)
  against walking+stat'ing that tree and bare process start; one changed file;
* queries: a fixed set of ~120 queries (words, multi-word, phrases, prefixes, date and
  publication filters, newest-first; facets always on): `Archive.search`, HTTP through
  `newsindex serve` sequentially and with 8 concurrent clients, Datasette over SQLite FTS5
  (ranked SQL) and tantivy; server RSS.

Every figure is a median over `--repeats` runs; CPU is shown beside wall because the
machine is shared. The table is printed and written into benchmarks/README.md together
with the command that produced it. Peers need the `bench` extra (`pip install -e '.[bench]'`);
missing ones are reported as such, not faked. Traffic goes to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import speed_build  # noqa: E402
import speed_incremental  # noqa: E402
import speed_queries  # noqa: E402
from harness import NEWSINDEX, run_measured  # noqa: E402
from speed_build import bench_build, build_rows, load_docs, make_replica  # noqa: E402
from speed_incremental import TREE, TREE_FILES, bench_incremental, incremental_rows  # noqa: E402
from speed_queries import bench_queries, query_rows, stage_article_count  # noqa: E402

README = REPO / "benchmarks" / "README.md"
TABLE_START, TABLE_END = "<!-- speed:start -->", "<!-- speed:end -->"
# `--stage NAME`: one measured part in a fresh process (harness.stage runs it)
STAGES = {**speed_build.STAGES, **speed_incremental.STAGES, **speed_queries.STAGES}


def queries_only(args: argparse.Namespace) -> None:
    """--queries-only: the query sections alone, on indexes built once with
    `newsindex build --full` under the work folder (x1, and the --scale replica)."""
    docs = load_docs(args.corpus, args.work)
    targets = [("x1", args.corpus, docs, args.repeats)]
    if args.scale > 1:
        replica = make_replica(docs, args.work, args.scale)
        targets.append((f"x{args.scale}", replica, load_docs(replica, args.work),
                        max(1, args.repeats - 1)))
    workers = tuple(int(n) for n in args.http_workers.split(","))
    queries = []
    for label, corpus, label_docs, repeats in targets:
        index = args.work / f"index-{label}"
        if not index.exists():
            run_measured([*NEWSINDEX, "build", str(corpus), "--index", str(index), "--full"])
        figures = bench_queries(index, label_docs, args.work, repeats, not args.no_peers,
                                not args.no_http, workers)
        figures["articles"] = stage_article_count(index)
        queries.append((label, figures))
        print(json.dumps({label: figures}, default=str), flush=True)
    table = render_queries(args, queries)
    print(table)
    (args.work / "results-queries.json").write_text(json.dumps(queries, default=str))


def render_queries(args: argparse.Namespace, queries: list[tuple[str, dict]]) -> str:
    lines = [f"Measured {time.strftime('%Y-%m-%d %H:%M')} UTC on {os.cpu_count()} cores "
             f"(load average at start {args.load:.1f}; the machine is shared, so compare within a run)."]
    lines += query_rows(queries)
    return "\n".join(lines)


# -- the table ------------------------------------------------------------------
def render(args: argparse.Namespace, builds: list[dict], inc: dict | None,
           queries: list[tuple[str, dict]]) -> str:
    lines = [f"Measured {time.strftime('%Y-%m-%d %H:%M')} on {os.cpu_count()} cores "
             f"(load average at start {args.load:.1f}; the machine is shared, so compare within a run).",
             "",
             "### Full build",
             "Articles/s is over wall time; CPU includes child processes; RSS is the largest single "
             "process's peak; stage rows and peers index the same articles from memory (no reading).",
             "",
             "| corpus | what | wall | CPU | articles/s | peak RSS | index | notes |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    if not builds:
        lines = lines[:2] + ["(full-build section skipped with --skip-build)"]
    for b in builds:
        lines += build_rows(b)
    if len(builds) > 1:
        a, z = builds[0], builds[-1]
        growth = (z["build"]["wall"] / a["build"]["wall"]) / (z["build"]["articles"] / a["build"]["articles"])
        lines += ["", f"Scaling: {z['label']} took {growth:.2f}x the time per article of x1 "
                  "(1.00 = linear)."]
    if inc:
        lines += incremental_rows(inc)
    lines += query_rows(queries)
    return "\n".join(lines)


def save(table: str, command: str) -> None:
    block = f"{TABLE_START}\n\nCommand: `{command}`\n\n{table}\n\n{TABLE_END}"
    text = README.read_text(encoding="utf-8") if README.exists() else "# Benchmarks\n"
    if TABLE_START in text and TABLE_END in text:
        head, rest = text.split(TABLE_START, 1)
        text = head + block + rest.split(TABLE_END, 1)[1]
    else:
        text = text.rstrip() + "\n\n## Speed (benchmarks/speed.py)\n\n" + block + "\n"
    README.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])  # noqa
    parser.add_argument("--corpus", type=Path, default=REPO / "corpus")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "newsindex-speed")
    parser.add_argument("--scale", type=int, default=0, help="also an N-fold replica (e.g. 10)")
    parser.add_argument("--repeats", type=int, default=3, help="runs of queries and incremental builds")
    parser.add_argument("--build-repeats", type=int, default=None,
                        help="runs of each full build and stage (default: --repeats)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--no-peers", action="store_true", help="skip FTS5, tantivy and Datasette")
    parser.add_argument("--no-http", action="store_true", help="skip the HTTP measurements")
    parser.add_argument("--no-incremental", action="store_true")
    parser.add_argument("--no-queries", action="store_true", help="skip the query sections")
    parser.add_argument("--tree-files", type=int, default=TREE_FILES, help=argparse.SUPPRESS)
    parser.add_argument("--no-save", action="store_true", help="print only; leave README.md alone")
    parser.add_argument("--skip-build", action="store_true",
                        help="skip the x1 full-build section (incremental and queries only)")
    parser.add_argument("--scale-stages", action="store_true",
                        help="also measure Whoosh writing alone on the replica")
    parser.add_argument("--reuse-x1", action="store_true",
                        help="take the x1 figures from the last run's results (with --scale)")
    parser.add_argument("--stage", help=argparse.SUPPRESS)
    parser.add_argument("--queries-only", action="store_true",
                        help="only the query sections, on indexes built once under --work")
    parser.add_argument("--http-workers", default="1,2",
                        help="`serve --workers` counts to measure over HTTP (default 1,2)")
    args, rest = parser.parse_known_args()
    if args.stage:
        print(json.dumps(STAGES[args.stage](*rest)))
        return
    args.load = os.getloadavg()[0]
    if args.queries_only:
        args.work.mkdir(parents=True, exist_ok=True)
        queries_only(args)
        return
    TREE["files"] = args.tree_files
    speed_build.SCALE_STAGES["on"] = args.scale_stages
    args.work.mkdir(parents=True, exist_ok=True)
    peers = not args.no_peers
    docs = load_docs(args.corpus, args.work)
    build_repeats = args.build_repeats or args.repeats
    cache = args.work / "results-x1.json"
    if args.reuse_x1 and cache.exists():
        saved = json.loads(cache.read_text())
        builds, inc = [saved["build"]], saved["incremental"]
        queries = [("x1", saved["queries"])] if saved.get("queries") else []
        builds[0]["index"] = Path(builds[0]["index"])
    else:
        if args.skip_build:
            # queries still need an index of the current schema: an incremental
            # build brings the last one up to date (or rebuilds it when the schema changed)
            index = args.work / "index-x1"
            run_measured([*NEWSINDEX, "build", str(args.corpus), "--index", str(index)])
            builds = []
        else:
            builds = [bench_build("x1", args.corpus, docs, args.work, build_repeats, peers, args.jobs)]
            print("\n".join(build_rows(builds[0])), flush=True)
            index = builds[0]["index"]
        inc = None if args.no_incremental else bench_incremental(docs, args.work, args.repeats)
        queries = [] if args.no_queries else [
            ("x1", bench_queries(index, docs, args.work, args.repeats, peers, not args.no_http))]
        if builds:
            cache.write_text(json.dumps({"build": builds[0], "incremental": inc,
                                         "queries": queries[0][1] if queries else None}, default=str))
    if args.scale > 1:
        replica = make_replica(docs, args.work, args.scale)
        docs_n = load_docs(replica, args.work)
        big = bench_build(f"x{args.scale}", replica, docs_n, args.work, 1, peers, args.jobs)
        big["note"] = "naive Whoosh is measured at x1 only"
        builds.append(big)
        print("\n".join(build_rows(big)), flush=True)
        if not args.no_queries:
            queries.append((f"x{args.scale}", bench_queries(big["index"], docs_n, args.work,
                                                             max(1, args.repeats - 1), peers,
                                                             not args.no_http)))
    table = render(args, builds, inc, queries)
    print(table)
    if not args.no_save:
        command = "python benchmarks/speed.py " + " ".join(
            a for a in sys.argv[1:] if not a.startswith("--work"))
        save(table, command.strip())


if __name__ == "__main__":
    main()
