"""The build as tasks: local worker processes against `--dask local:N`, and memory at scale.

    .venv/bin/python benchmarks/build_tasks.py [--work /tmp/newsindex-bench] [--scales 1,10]
                                               [--repeats 2] [--jobs 2] [--dask-at-scale] [--dask-defaults]
                                               [--queries] [--search-only]

On the N-fold Reuters replica (`speed_build.make_replica`: JSON Lines .gz files of 1,000
articles; x1 is Reuters itself as records), each build is `build_index(full=True)` in a
fresh process, so the coordinator's peak RSS is that process's own (getrusage); a worker's
peak is the largest `ru_maxrss` the tasks report (a worker process measures itself after
each task); a merge task reports its own CPU and peak (its worker starts its peak over).
Local and Dask builds alternate, `--repeats` times at x1 (medians); at larger scales one
local build, and one Dask build with `--dask-at-scale` (`--repeats` at every
scale with `--dask-at-scale`). `--dask-defaults` adds, alternating with them, a Dask build
with Dask's default worker settings (no `cluster.WORKER_CONFIG`, no warm-up or `gc.freeze` on the workers), as
before they were tuned. CPU is the build process's and its workers' (local workers and a
`local:N` cluster's are its children). Each build prints the load average before it.
With `--queries`, the last index of each scale then answers the query set of
`speed_queries` in process and over HTTP (`serve --workers 2`, sequential and 8 clients).
Prints Markdown tables.
The machine is shared: compare the ratios measured within one run, not absolute times.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))


def stage_build(corpus: str, index: str, mode: str, jobs: str) -> dict:
    """One full build in this process; its figures as JSON."""
    from whoosh import index as whoosh_index

    from indexer.index import store
    from indexer.index.build import build_index

    shutil.rmtree(index, ignore_errors=True)
    if mode == "dask-defaults":
        _untune_dask()
    dask = f"local:{jobs}" if mode.startswith("dask") else None
    started = time.perf_counter()
    report = build_index([corpus], index, full=True, jobs=int(jobs), dask=dask)
    wall = time.perf_counter() - started
    generation = store.live_generation(Path(index))
    segments = len(whoosh_index.open_dir(str(generation))._segments())
    usage = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"wall": wall, "coordinator_cpu": usage.ru_utime + usage.ru_stime,
            "cpu": usage.ru_utime + usage.ru_stime + children.ru_utime + children.ru_stime,
            "coordinator_peak_mb": usage.ru_maxrss / 1024, "worker_peak_mb": report.worker_peak_mb,
            "merge_seconds": report.merge_seconds, "merge_cpu": report.merge_cpu_seconds,
            "merge_peak_mb": report.merge_peak_mb, "tasks": report.tasks, "segments": segments,
            "articles": report.articles["total"],
            "index_mb": store.index_bytes(generation) / 1e6}


def _untune_dask() -> None:
    """Dask's own worker settings, no warm-up, no frozen objects (the build as before tuning)."""
    from distributed.diagnostics.plugin import WorkerPlugin

    from indexer.index import cluster, dask_worker

    class Untuned(WorkerPlugin):
        name = dask_worker.PLUGIN_NAME

        def setup(self, worker) -> None:
            from indexer.index.tasks import become_worker

            become_worker()  # merges report their own peak memory, as in the tuned build

    cluster.WORKER_CONFIG = {}
    dask_worker.BuildWorker = Untuned


def run_stage(*args: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--stage", *args], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, default=Path("/tmp/newsindex-bench"))
    parser.add_argument("--scales", default="1,10")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--jobs", default="2")
    parser.add_argument("--dask-at-scale", action="store_true")
    parser.add_argument("--dask-defaults", action="store_true",
                        help="also build with Dask's default worker settings (as before they were tuned)")
    parser.add_argument("--queries", action="store_true", help="also search each scale's index")
    parser.add_argument("--search-only", action="store_true",
                        help="no builds: search the indexes the last run left under --work")
    parser.add_argument("--stage", nargs=4, metavar=("CORPUS", "INDEX", "MODE", "JOBS"))
    args = parser.parse_args()
    if args.stage:
        print(json.dumps(stage_build(*args.stage)))
        return

    from speed_build import load_docs, make_replica

    args.work.mkdir(parents=True, exist_ok=True)
    docs = load_docs(REPO / "corpus", args.work)
    rows, searches = [], []
    for scale in (int(s) for s in args.scales.split(",")):
        corpus = str(make_replica(docs, args.work, scale))
        index = str(args.work / f"index-tasks-x{scale}")
        with_dask = scale == 1 or args.dask_at_scale
        modes = ([] if args.search_only else ["local", "dask"] + ["dask-defaults"] * args.dask_defaults if with_dask
                 else ["local"])
        runs: dict[str, list[dict]] = {m: [] for m in modes}
        for _ in range(args.repeats if scale == 1 or args.dask_at_scale else 1):
            for mode in modes:
                load = "load average %.1f %.1f %.1f" % os.getloadavg()
                runs[mode].append(run_stage(corpus, index, mode, args.jobs))
                print(f"x{scale} {mode} ({load}): {runs[mode][-1]}", file=sys.stderr)
        for mode in modes:
            rows.append((scale, mode, {k: statistics.median(r[k] for r in runs[mode]) for k in runs[mode][0]}))
        for mode in modes[1:]:
            ratios = [(d["wall"] / loc["wall"], d["cpu"] / loc["cpu"]) for loc, d in zip(runs["local"], runs[mode])]
            print(f"x{scale}: {mode} / local, pair by pair: wall " + ", ".join(f"{w:.3f}" for w, _ in ratios)
                  + "; CPU " + ", ".join(f"{c:.3f}" for _, c in ratios), file=sys.stderr)
        if args.queries or args.search_only:
            searches.append((scale, search_figures(Path(index))))
            print(f"x{scale} search: {searches[-1][1]}", file=sys.stderr)
    print("| replica | runner | articles | wall | CPU | CPU per 1k articles | merging (wall / merge tasks' CPU) "
          "| coordinator peak RSS | worker peak RSS | merge peak RSS | tasks | segments | index |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for scale, mode, f in rows:
        runner = {"local": f"--jobs {args.jobs}", "dask": f"--dask local:{args.jobs}",
                  "dask-defaults": f"--dask local:{args.jobs} (Dask's defaults)"}[mode]
        print(f"| x{scale} | {runner} | {f['articles']:,.0f} | {f['wall']:.1f} s | {f['cpu']:.1f} s "
              f"| {1000 * f['cpu'] / f['articles']:.2f} s | {f['merge_seconds']:.1f} / {f['merge_cpu']:.1f} s "
              f"| {f['coordinator_peak_mb']:.0f} MB | {f['worker_peak_mb']:.0f} MB | {f['merge_peak_mb']:.0f} MB "
              f"| {f['tasks']:.0f} "
              f"| {f['segments']:.0f} | {f['index_mb']:.0f} MB |")
    if searches:
        print()
        print("| replica | in process p50 / p95 | HTTP sequential p50 / p95 | HTTP 8 clients p50 / p95 | requests/s "
              "| 503 Busy (8 clients) | server RSS |")
        print("| --- | --- | --- | --- | --- | --- | --- |")
        for scale, s in searches:
            print(f"| x{scale} | {s['p50']:.1f} / {s['p95']:.1f} ms | {s['http_p50']:.1f} / {s['http_p95']:.1f} ms "
                  f"| {s['c_p50']:.1f} / {s['c_p95']:.1f} ms | {s['rps']:.0f} | {s['busy']} of {s['requests']} "
                  f"| {s['rss_mb']:.0f} MB |")


def search_figures(index: Path, workers: int = 2) -> dict:
    """The query set of `speed_queries` on one index: in process (a fresh process, warm
    searcher) and over HTTP through `newsindex serve --workers 2`."""
    from harness import stage
    from speed_queries import measure_newsindex_http, query_set

    queries = query_set()
    in_process = stage("queries", index.parent, str(index), json.dumps(queries), "3")
    http = measure_newsindex_http(index, queries, repeats=3, workers=workers)
    return {"p50": in_process["p50"], "p95": in_process["p95"], "http_p50": http["p50"], "http_p95": http["p95"],
            "c_p50": http["c_p50"], "c_p95": http["c_p95"], "rps": http["rps"], "busy": http["busy"],
            "requests": http["requests"], "rss_mb": http["peak_rss_mb"]}


if __name__ == "__main__":
    main()
