"""The build as tasks: local worker processes against `--dask local:N`, and memory at scale.

    .venv/bin/python benchmarks/build_tasks.py [--work /tmp/newsindex-bench] [--scales 1,10]
                                               [--repeats 2] [--jobs 2] [--dask-at-scale]

On the N-fold Reuters replica (`speed_build.make_replica`: JSON Lines .gz files of 1,000
articles; x1 is Reuters itself as records), each build is `build_index(full=True)` in a
fresh process, so the coordinator's peak RSS is that process's own (getrusage); a worker's
peak is the largest `ru_maxrss` the tasks report (a worker process measures itself after
each task). Local and Dask builds alternate, `--repeats` times at x1 (medians); at larger
scales one local build, and one Dask build with `--dask-at-scale`. Prints a Markdown table.
The machine is shared: compare the ratios measured within one run, not absolute times.
"""

from __future__ import annotations

import argparse
import json
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
    dask = f"local:{jobs}" if mode == "dask" else None
    started = time.perf_counter()
    report = build_index([corpus], index, full=True, jobs=int(jobs), dask=dask)
    wall = time.perf_counter() - started
    generation = store.live_generation(Path(index))
    segments = len(whoosh_index.open_dir(str(generation))._segments())
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"wall": wall, "coordinator_cpu": usage.ru_utime + usage.ru_stime,
            "coordinator_peak_mb": usage.ru_maxrss / 1024, "worker_peak_mb": report.worker_peak_mb,
            "merge_seconds": report.merge_seconds, "tasks": report.tasks, "segments": segments,
            "articles": report.articles["total"],
            "index_mb": store.index_bytes(generation) / 1e6}


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
    parser.add_argument("--stage", nargs=4, metavar=("CORPUS", "INDEX", "MODE", "JOBS"))
    args = parser.parse_args()
    if args.stage:
        print(json.dumps(stage_build(*args.stage)))
        return

    from speed_build import load_docs, make_replica

    args.work.mkdir(parents=True, exist_ok=True)
    docs = load_docs(REPO / "corpus", args.work)
    rows = []
    for scale in (int(s) for s in args.scales.split(",")):
        corpus = str(make_replica(docs, args.work, scale))
        index = str(args.work / f"index-tasks-x{scale}")
        modes = ["local", "dask"] if scale == 1 or args.dask_at_scale else ["local"]
        runs: dict[str, list[dict]] = {m: [] for m in modes}
        for _ in range(args.repeats if scale == 1 else 1):
            for mode in modes:
                runs[mode].append(run_stage(corpus, index, mode, args.jobs))
                print(f"x{scale} {mode}: {runs[mode][-1]}", file=sys.stderr)
        for mode in modes:
            rows.append((scale, mode, {k: statistics.median(r[k] for r in runs[mode]) for k in runs[mode][0]}))
        if len(modes) == 2:
            local, dask = (statistics.median(r["wall"] for r in runs[m]) for m in modes)
            print(f"x{scale}: --dask local:{args.jobs} / local wall = {dask / local:.3f}", file=sys.stderr)
    print("| replica | runner | articles | wall | coordinator peak RSS | worker peak RSS | tasks | segments | index |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for scale, mode, f in rows:
        runner = f"--dask local:{args.jobs}" if mode == "dask" else f"--jobs {args.jobs}"
        print(f"| x{scale} | {runner} | {f['articles']:,.0f} | {f['wall']:.1f} s | {f['coordinator_peak_mb']:.0f} MB "
              f"| {f['worker_peak_mb']:.0f} MB | {f['tasks']:.0f} | {f['segments']:.0f} | {f['index_mb']:.0f} MB |")


if __name__ == "__main__":
    main()
