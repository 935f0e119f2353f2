"""Where a build's wall clock goes: one `build_index` in this process, with
wall-clock timestamps around each phase of the coordinator and each task in
the workers, printed as a timeline (seconds since the build began).

    .venv/bin/python benchmarks/build_timeline.py [SOURCE ...] [--jobs 2] [--index DIR]
    PYTHONPATH=CHECKOUT .venv/bin/python -P benchmarks/build_timeline.py   # another checkout

Default source: corpus/, a full build with 2 local workers. Forked workers
inherit the timers and append their events to a file. The coordinator's
phases a checkout does not have are left out. At the end: the tasks' CPU,
CPU / jobs (the wall a perfect spread would take), and what is beyond it.
The import of the CLI's modules before the build starts is not in the
timeline (see `python -X importtime -m indexer build ...`).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
T0 = time.perf_counter()
EVENTS = tempfile.NamedTemporaryFile(prefix="timeline-", suffix=".jsonl", delete=False).name


GC_SECONDS = [0.0, 0.0]  # CPU of this process's garbage collections so far, and when the one running began


def _gc_timer(phase: str, info: dict) -> None:
    if phase == "start":
        GC_SECONDS[1] = time.thread_time()
    else:
        GC_SECONDS[0] += time.thread_time() - GC_SECONDS[1]


def _record(name: str, start: float, end: float, cpu: float, detail: str = "") -> None:
    line = json.dumps({"pid": os.getpid(), "name": name, "start": start - T0, "end": end - T0,
                       "cpu": cpu, "detail": detail}) + "\n"
    fd = os.open(EVENTS, os.O_WRONLY | os.O_APPEND)
    try:
        os.write(fd, line.encode())
    finally:
        os.close(fd)


def _timed(owner, name: str, label: str | None = None, generator: bool = False, detail=None) -> None:
    function = getattr(owner, name, None)
    if function is None:
        return
    label = label or name

    if generator:
        @functools.wraps(function)
        def timed(*args, **kwargs):
            items = function(*args, **kwargs)
            while True:
                start, cpu = time.perf_counter(), time.thread_time()
                try:
                    item = next(items)
                except StopIteration:
                    _record(label, start, time.perf_counter(), time.thread_time() - cpu)
                    return
                _record(label, start, time.perf_counter(), time.thread_time() - cpu)
                yield item
    else:
        @functools.wraps(function)
        def timed(*args, **kwargs):
            start, cpu, collecting = time.perf_counter(), time.thread_time(), GC_SECONDS[0]
            try:
                return function(*args, **kwargs)
            finally:
                _record(label, start, time.perf_counter(), time.thread_time() - cpu,
                        (detail(*args) + f", {GC_SECONDS[0] - collecting:.2f} s collecting garbage")
                        if detail else "")
    setattr(owner, name, timed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sources", nargs="*", default=[str(REPO / "corpus")])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--index", help="index folder (default: a temporary one, removed)")
    parser.add_argument("--task-mb", type=float, help="tasks.TASK_TEXT_BYTES for this build, in MB")
    args = parser.parse_args()

    import gc

    gc.callbacks.append(_gc_timer)
    imported = time.perf_counter()
    from indexer.index import build, store, tasks
    from indexer.index.sources import Manifest
    from indexer.index.vocabulary import VocabularyCounts
    import_seconds = time.perf_counter() - imported
    if args.task_mb:
        tasks.TASK_TEXT_BYTES = int(args.task_mb * 1024 * 1024)

    def task_detail(task, *_):
        return f"{len(task.sources)} sources" if hasattr(task, "sources") else f"{len(task.segments)} segments"

    _timed(store, "check_index_dir")
    _timed(store, "claim_index_dir")
    _timed(build, "walk_sources")
    _timed(build, "plan_build")
    _timed(tasks, "plan_tasks")
    _timed(tasks, "warm_up")
    _timed(tasks, "run_task", "task", detail=task_detail)
    _timed(tasks, "run_measured_merge", "merge task", detail=task_detail)
    _timed(tasks, "_write", "  segment written")
    _timed(tasks, "_move_in", "  segment moved in (fsync)")
    _timed(build._Settlement, "take", "settle a result", generator=True)
    _timed(build, "_merged", "merge phase")
    _timed(build, "_commit", "commit (TOC)")
    _timed(tasks, "clear_unfinished")
    _timed(build.Captures, "drop_earlier")
    _timed(VocabularyCounts, "save", "vocabulary saved")
    _timed(Manifest, "save", "manifest saved")
    _timed(store, "swap_in", "swap_in (fsync tree)")
    _timed(store, "prune_generations")
    _timed(store, "write_report")
    _timed(build, "build_index", "BUILD")
    _timed(store, "new_generation")
    _timed(build.whoosh_index if hasattr(build, "whoosh_index") else __import__("whoosh.index").index, "create_in")
    from concurrent.futures import ProcessPoolExecutor

    _timed(ProcessPoolExecutor, "submit", "pool submit (forks at the first)")
    _timed(ProcessPoolExecutor, "shutdown", "pool shutdown")

    folder = Path(args.index) if args.index else Path(tempfile.mkdtemp(prefix="timeline-index-"))
    before = resource.getrusage(resource.RUSAGE_SELF)
    try:
        report = build.build_index(args.sources, folder, full=True, jobs=args.jobs)
    finally:
        if not args.index:
            shutil.rmtree(folder, ignore_errors=True)
    after = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)

    with open(EVENTS) as fh:
        events = [json.loads(line) for line in fh]
    os.unlink(EVENTS)
    coordinator = os.getpid()
    workers = sorted({e["pid"] for e in events if e["pid"] != coordinator})
    names = {coordinator: "coord"} | {pid: f"w{n + 1}" for n, pid in enumerate(workers)}
    print(f"imports before the build: {import_seconds:.2f} s\n")
    print("| process | phase | start | end | wall | CPU | detail |\n| --- | --- | --- | --- | --- | --- | --- |")
    for e in sorted(events, key=lambda e: (e["start"], e["end"])):
        if e["end"] - e["start"] < 0.005 and e["name"] not in ("task", "BUILD"):
            continue
        print(f"| {names[e['pid']]} | {e['name']} | {e['start']:.2f} | {e['end']:.2f} | "
              f"{e['end'] - e['start']:.2f} | {e['cpu']:.2f} | {e['detail']} |")
    build_event = next(e for e in events if e["name"] == "BUILD")
    wall = build_event["end"] - build_event["start"]
    task_cpu = sum(e["cpu"] for e in events if e["name"] in ("task", "merge task"))
    collecting = sum(float(e["detail"].split(", ")[1].split()[0]) for e in events if e["name"] == "task")
    for pid in workers:
        own = [e for e in events if e["pid"] == pid and e["name"] == "task"]
        print(f"\n{names[pid]}: {len(own)} tasks, busy {sum(e['end'] - e['start'] for e in own):.2f} s, "
              f"CPU {sum(e['cpu'] for e in own):.2f} s, first starts {min(e['start'] for e in own):.2f}, "
              f"last ends {max(e['end'] for e in own):.2f}", end="")
    busiest = max(sum(e["cpu"] for e in events if e["pid"] == pid and e["name"] in ("task", "merge task"))
                  for pid in workers) if workers else task_cpu
    print(f"\n\nthe busiest worker's tasks: {busiest:.2f} s of CPU ({busiest / (task_cpu / len(workers or [0])):.2f}x "
          "the mean: what the task phase takes on an idle machine)", end="")
    coordinator_cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    print(f"\n\nbuild wall {wall:.2f} s; tasks' CPU {task_cpu:.2f} s, / {args.jobs} = "
          f"{task_cpu / args.jobs:.2f} s; beyond it {wall - task_cpu / args.jobs:.2f} s; coordinator CPU "
          f"{coordinator_cpu:.2f} s; workers' CPU {children.ru_utime:.2f} s user + {children.ru_stime:.2f} s system, "
          f"{children.ru_minflt:,} minor page faults; tasks collecting garbage {collecting:.2f} s; "
          f"worker peak {report.worker_peak_mb:.0f} MB")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
