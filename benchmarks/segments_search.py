"""Search latency against the number of segments: an index of 48 segments (what incremental builds
let pile up before the tiered merge policy) against the same index merged into fewer (`indexer.index.merge`).

    .venv/bin/python benchmarks/segments_search.py [--work /tmp/newsindex-segments] [--repeats 3]
                                                   [--rounds 2] [--merged-to 8,1]

Builds the x1 Reuters replica (`speed_build.make_replica`) with segments of at most 400
documents (`SEGMENT_DOCUMENTS`), so the build writes ~55 segments and its commit merges them
down to 48 (`FULL_BUILD_SEGMENTS` raised to `GROWN_SEGMENTS` for this build); copies that
index (hard links) and merges each copy's segments into 8, 1 (`--merged-to`; consecutive
groups, as a build's commit merges); then runs `speed_queries`' query set (~125 queries,
facets on) through `Archive.search` on each, in a fresh process each, alternating,
`--repeats` times per query (medians per query, then p50/p95 over the set). Checks that
all give the same totals and page-1 ids. The machine is shared: compare them within one run.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

SEGMENT_DOCUMENTS = 400
GROWN_SEGMENTS = 48  # what an index grown by incremental builds held before the tiered policy


def stage_build(corpus: str, index: str) -> dict:
    """The replica as many small segments, merged at commit to GROWN_SEGMENTS (48: a
    full build commits FULL_BUILD_SEGMENTS, raised here to what an index grown by
    incremental builds held before the tiered merge policy)."""
    from indexer import limits
    from indexer.index import tasks
    from indexer.index.build import build_index

    tasks.SEGMENT_DOCUMENTS = SEGMENT_DOCUMENTS
    limits.FULL_BUILD_SEGMENTS = GROWN_SEGMENTS
    shutil.rmtree(index, ignore_errors=True)
    report = build_index([corpus], index, full=True, jobs=2)
    return {"segments": report.segments, "tasks": report.tasks, "merge_seconds": report.merge_seconds}


def stage_merge(index: str, most: str) -> dict:
    """The live generation's segments merged into at most `most` (consecutive
    groups of about equal document counts, as a build's commit does), committed in place."""
    from whoosh import index as whoosh_index

    from indexer.index import store, tasks
    from indexer.index.codec import NewsCodec
    from indexer.index.merge_policy import full_build_groups

    generation = store.live_generation(Path(index))
    ix = whoosh_index.open_dir(str(generation))
    segments = ix._segments()
    groups = full_build_groups([s.doc_count_all() for s in segments], int(most), 0)
    kept = [segments[g[0]] if len(g) == 1 else tasks.run_merge(tasks.MergeTask(str(generation),
                                                                               tuple(segments[k] for k in g)))
            for g in groups]
    ix.writer(codec=NewsCodec()).commit(mergetype=lambda _writer, _segments: kept)
    return {"segments": len(whoosh_index.open_dir(str(generation))._segments()), "merged": len(segments)}


def stage_answers(index: str) -> dict:
    """Totals and page-1 ids of the query set, to check the two indexes agree."""
    from speed_queries import _day, query_set

    from indexer import Archive, SearchRequest

    archive = Archive(index)
    out = []
    for q in query_set():
        r = archive.search(SearchRequest(query=q["q"], publications=tuple(q.get("publication", [])),
                                         date_from=_day(q.get("from")), date_to=_day(q.get("to"), end=True),
                                         sort=q.get("sort", "relevance")))
        out.append([r.total, [h.id for h in r.hits]])
    return {"answers": out}


def stage_queries(index: str, repeats: str) -> dict:
    from speed_queries import query_set, stage_queries

    return stage_queries(index, json.dumps(query_set()), repeats)


STAGES = {"build": stage_build, "merge": stage_merge, "answers": stage_answers, "queries": stage_queries}


def run_stage(*args: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--stage", *args], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, default=Path("/tmp/newsindex-segments"))
    parser.add_argument("--repeats", default="3")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--merged-to", default="8,1", help="segment counts to merge copies of the index to")
    parser.add_argument("--stage", nargs="+")
    args = parser.parse_args()
    if args.stage:
        print(json.dumps(STAGES[args.stage[0]](*args.stage[1:]), default=str))
        return

    from speed_build import load_docs, make_replica

    args.work.mkdir(parents=True, exist_ok=True)
    corpus = str(make_replica(load_docs(REPO / "corpus", args.work), args.work, 1))
    many = args.work / "index-many"
    print(f"build: {run_stage('build', corpus, str(many))}", file=sys.stderr)
    indexes = {"48 segments": many}
    for most in args.merged_to.split(","):
        index = args.work / f"index-{most}"
        shutil.rmtree(index, ignore_errors=True)
        subprocess.run(["cp", "-al", str(many), str(index)], check=True)
        print(f"merge: {run_stage('merge', str(index), most)}", file=sys.stderr)
        indexes[f"{most} segment{'s' if most != '1' else ''}"] = index
    answers = {name: run_stage("answers", str(index))["answers"] for name, index in indexes.items()}
    for name in answers:
        same = sum(x == y for x, y in zip(answers[name], answers["48 segments"]))
        print(f"{name}: same totals and page-1 ids as 48 segments: {same} of {len(answers[name])}", file=sys.stderr)
    runs: dict[str, list[dict]] = {name: [] for name in indexes}
    for _ in range(args.rounds):
        for name, index in indexes.items():
            runs[name].append(run_stage("queries", str(index), args.repeats))
            print(f"{name}: {runs[name][-1]}", file=sys.stderr)
    print("| index | round | p50 | p95 | CPU p50 | CPU mean |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name in indexes:
        for k, r in enumerate(runs[name]):
            print(f"| {name} | {k + 1} | {r['p50']:.1f} ms | {r['p95']:.1f} ms | {r['cpu_p50']:.1f} ms "
                  f"| {r['cpu_mean']:.1f} ms |")


if __name__ == "__main__":
    main()
