"""Segment merge: the array merge (`indexer.index.merge`, what `tasks.run_merge` runs)
against Whoosh's `add_reader` merge (the merge before it, kept here as the baseline),
on the same segments of an existing index.

    .venv/bin/python benchmarks/merge_segments.py --index INDEX [--work /tmp/newsindex-merge]
                                                  [--group N] [--groups K] [--modes array,whoosh]
                                                  [--before CHECKOUT]

INDEX is an index folder built by `newsindex build` (e.g. `benchmarks/build_tasks.py`'s
`index-tasks-x10`, 48 segments). Its live generation is hard-linked into WORK once per
merge (the index itself is never written: a merge only adds files), and the first K groups
of N consecutive segments are merged, each merge in a fresh process, so its figures are
its own: wall, CPU (getrusage), peak RSS, and the RSS before merging (imports and the
opened index), the merged segment's size, and its body-length total against the inputs'
(the array merge keeps it exact; Whoosh's re-totals from one-byte lengths). With `--before`,
each group is also merged by the array merge of another checkout of the repository (e.g.
`git worktree add /tmp/before COMMIT`), run the same way, alternating: before/after on the
same segments in the same run. The machine is shared: compare the ratios within one run.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CODE = Path(sys.argv[sys.argv.index("--code") + 1]) if "--code" in sys.argv else REPO  # the stage's checkout
sys.path.insert(0, str(CODE))

WHOOSH_POOL_MB = 256  # the pool the Whoosh merge had (limits.MERGE_POOL_MB before the array merge)


def whoosh_merge(task):
    """The merge `tasks.run_merge` ran before the array merge: Whoosh's writer,
    `add_reader` per segment, a pool spilling to disk past WHOOSH_POOL_MB."""
    from whoosh.filedb.filestore import FileStorage
    from whoosh.reading import SegmentReader
    from whoosh.writing import SegmentWriter

    from indexer import whoosh_internals
    from indexer.index import tasks

    generation = FileStorage(task.folder)
    with tasks._temporary_index(task.folder, task.name) as ix:
        writer = SegmentWriter(ix, codec=tasks._NamedSegmentCodec(task.name), limitmb=WHOOSH_POOL_MB, compound=False)
        for segment in task.segments:
            reader = SegmentReader(generation, ix.schema, segment)
            writer.add_reader(reader)
            reader.close()
        return tasks._move_in(whoosh_internals.finish_segment(writer), ix, task.folder)


def stage_merge(mode: str, folder: str, segids: list[str]) -> dict:
    """One merge in this process; its figures as JSON."""
    from whoosh import index as whoosh_index

    from indexer.index import tasks

    by_id = {s.segid: s for s in whoosh_index.open_dir(folder)._segments()}
    segments = tuple(by_id[i] for i in segids)
    task = tasks.MergeTask(folder, segments)
    before_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    cpu0 = time.process_time()
    started = time.perf_counter()
    merged = (tasks.run_merge if mode == "array" else whoosh_merge)(task)
    wall = time.perf_counter() - started
    cpu = time.process_time() - cpu0
    size = sum(p.stat().st_size for p in Path(folder).glob(merged.segment_id() + ".*"))
    return {"mode": mode, "segments": len(segments), "docs": merged.doc_count_all(),
            "input_docs": sum(s.doc_count_all() for s in segments), "wall": wall, "cpu": cpu,
            "rss_before_mb": before_mb, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "merged_mb": size / 1e6, "body_total": merged._fieldlengths.get("body", 0),
            "input_body_total": sum(s._fieldlengths.get("body", 0) for s in segments)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", type=Path)
    parser.add_argument("--work", type=Path, default=Path("/tmp/newsindex-merge"))
    parser.add_argument("--group", type=int, default=0, help="segments per merge (0: all)")
    parser.add_argument("--groups", type=int, default=1)
    parser.add_argument("--modes", default="array,whoosh")
    parser.add_argument("--before", type=Path, help="another checkout whose array merge runs too")
    parser.add_argument("--code", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--stage", nargs="+", metavar="ARG")
    args = parser.parse_args()
    if args.stage:
        print(json.dumps(stage_merge(args.stage[0], args.stage[1], args.stage[2:])))
        return

    from whoosh import index as whoosh_index

    from indexer.index import store

    generation = store.live_generation(args.index)
    segments = whoosh_index.open_dir(str(generation))._segments()
    size = args.group or len(segments)
    groups = [segments[k * size:(k + 1) * size] for k in range(args.groups)]
    rows = []
    runs = [(mode, REPO) for mode in args.modes.split(",")] + ([("before", args.before)] if args.before else [])
    for g, group in enumerate(groups):
        for mode, code in runs:
            folder = args.work / f"gen-{mode}"
            shutil.rmtree(folder, ignore_errors=True)
            args.work.mkdir(parents=True, exist_ok=True)
            subprocess.run(["cp", "-al", str(generation), str(folder)], check=True)
            out = subprocess.run([sys.executable, __file__, "--code", str(code), "--stage",
                                  "whoosh" if mode == "whoosh" else "array", str(folder), *(s.segid for s in group)],
                                 check=True, capture_output=True, text=True)
            row = json.loads(out.stdout.strip().splitlines()[-1])
            row["mode"] = mode
            print(f"group {g}: {row}", file=sys.stderr)
            rows.append(row)
            shutil.rmtree(folder, ignore_errors=True)
    print("| merge | segments | documents | wall | CPU | RSS before | peak RSS | merged segment | body length total |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        drift = r["body_total"] / r["input_body_total"] - 1 if r["input_body_total"] else 0
        name = {"array": "array (indexer.index.merge)", "whoosh": "Whoosh add_reader",
                "before": f"array, {args.before}"}[r["mode"]]
        print(f"| {name} | {r['segments']} | {r['docs']:,} | {r['wall']:.1f} s | {r['cpu']:.1f} s "
              f"| {r['rss_before_mb']:.0f} MB | {r['peak_mb']:.0f} MB | {r['merged_mb']:.0f} MB | {drift:+.2%} |")


if __name__ == "__main__":
    main()
