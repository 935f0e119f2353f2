"""Full-build speed of newsindex beside SQLite FTS5 and tantivy, in one run (issue 17).

    .venv/bin/python benchmarks/build_speed.py [--corpus corpus] [--repeats 1]
        [--baseline CHECKOUT] [--one-file] [--scale N]

Rows (each a median over `--repeats` runs, wall and CPU of the whole process tree):

* `newsindex build --full` of the corpus (the CLI as a subprocess, process start and commit
  included), and with `--one-file` of the same Reuters records as ONE uncompressed JSONL
  file (the records of the corpus's 22 files, concatenated);
* with `--baseline CHECKOUT`: the same command run from another checkout of newsindex (for
  example the commit before the batch writer) with this venv, so old and new meet in one run;
* read + clean alone (the build's reader pool, nothing written);
* SQLite FTS5 (porter) and tantivy over the same articles (headline, captions, body;
  publication, date), from `benchmarks/speed.py`'s stages.

With `--scale N` the same rows (but the baseline) for speed.py's N-fold replica. The
machine is shared: compare ratios within one run; walls are upper bounds.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import tempfile
from pathlib import Path

from harness import NEWSINDEX, REPO, median_of, run_measured, stage
from speed_build import load_docs, make_replica, peer_builds


def one_jsonl(corpus: Path, work: Path) -> Path:
    """The corpus's Reuters records as one uncompressed JSONL file, in their order."""
    out = work / "one-file" / "reuters.jsonl"
    if not out.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
        with open(out.with_suffix(".tmp"), "wb") as fh:
            for part in sorted((corpus / "reuters21578").glob("*.jsonl.gz")):
                fh.write(gzip.decompress(part.read_bytes()))
        os.replace(out.with_suffix(".tmp"), out)
    return out.parent


def build(source: Path, index: Path, repeats: int, env: dict | None = None) -> dict:
    from indexer.index import store

    runs = []
    for _ in range(repeats):
        shutil.rmtree(index, ignore_errors=True)
        r = run_measured([*NEWSINDEX, "build", str(source), "--index", str(index), "--full", "--json"], env=env)
        r["articles"] = json.loads(r["stdout"])["articles"]["total"]
        r["bytes"] = store.index_bytes(store.live_generation(index))
        runs.append(r)
    return median_of(runs)


def row(label: str, what: str, r: dict, fts5: dict | None) -> str:
    if "error" in r:
        return f"| {label} | {what} | – | – | – | – | – | {r['error']} |"
    per_s = r["articles"] / r["wall"] if r.get("articles") else 0
    ratio = f"{r['wall'] / fts5['wall']:.1f}x" if fts5 and "wall" in fts5 else "–"
    size = f"{r['bytes'] / 1e6:.1f} MB" if r.get("bytes") else "–"
    return (f"| {label} | {what} | {r['wall']:.2f} s | {r['cpu']:.2f} s | {per_s:,.0f} | "
            f"{r.get('rss_mb', 0):.0f} MB | {size} | {ratio} (walls {r.get('walls')}) |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=REPO / "corpus")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "newsindex-build-speed")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--baseline", type=Path, help="another newsindex checkout to run the same build from")
    parser.add_argument("--one-file", action="store_true", help="also the Reuters records as one JSONL file")
    parser.add_argument("--scale", type=int, default=0, help="also speed.py's N-fold replica")
    args = parser.parse_args()
    work = args.work
    work.mkdir(parents=True, exist_ok=True)
    docs = load_docs(args.corpus, work)
    lines = ["| corpus | what | wall | CPU | articles/s | peak RSS | index | wall / FTS5 |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    corpora = [("x1", args.corpus, docs)]
    if args.scale:
        replica = make_replica(docs, work, args.scale)
        corpora.append((f"x{args.scale}", replica, load_docs(replica, work)))
    for label, corpus, corpus_docs in corpora:
        results = peer_builds(corpus_docs, work, args.repeats)
        fts5 = results["fts5"] if "wall" in results["fts5"] else None
        rows = [("**newsindex build --full**", build(corpus, work / f"index-{label}", args.repeats))]
        if args.one_file and label == "x1":
            rows.append(("newsindex build --full, Reuters as ONE JSONL file",
                         build(one_jsonl(args.corpus, work), work / "index-one", args.repeats)))
        if args.baseline and label == "x1":
            env = dict(os.environ, PYTHONPATH=str(args.baseline.resolve()))
            rows.append((f"baseline: the same build from {args.baseline}",
                         build(corpus, work / "index-baseline", args.repeats, env=env)))
        clean = median_of([stage("clean", work, str(corpus), str(args.jobs)) for _ in range(args.repeats)])
        rows.append(("stage: read + clean alone, all cores", clean))
        rows += [("SQLite FTS5 (stdlib sqlite3, porter)", results["fts5"]), ("tantivy (2 threads)", results["tantivy"])]
        lines += [row(label, what, r, fts5) for what, r in rows]
        print("\n".join(lines[-len(rows):]), flush=True)
    print("\n" + "\n".join(lines))


if __name__ == "__main__":
    main()
