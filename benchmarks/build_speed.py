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

With `--scale N` the same rows (but the baseline) for speed.py's N-fold replica, and
with `--incremental K` an incremental build that adds K new Reuters records (one new
JSON Lines file) to the replica's index just built. With `--kinds`, every source kind
per core: the build of a tree of web pages (`corpus/pages` and `tests/fixtures/html`,
each copied 30 times) and of plain-text files (`tests/fixtures/text` and
`corpus/dailynk`, 100 times), beside a bare `BeautifulSoup(page, "lxml")` parse of the
same pages (the floor for HTML). The machine is shared: compare ratios within one
run; walls are upper bounds.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import sys
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
    """`newsindex build --full`; with `env` (a PYTHONPATH), the newsindex that path
    holds (`python -P`: the working directory's checkout must not shadow it)."""
    from indexer.index import store

    command = [sys.executable, "-P", "-m", "indexer"] if env else NEWSINDEX
    runs = []
    for _ in range(repeats):
        shutil.rmtree(index, ignore_errors=True)
        r = run_measured([*command, "build", str(source), "--index", str(index), "--full", "--json"], env=env)
        r["articles"] = json.loads(r["stdout"])["articles"]["total"]
        r["bytes"] = store.index_bytes(store.live_generation(index))
        runs.append(r)
    return median_of(runs)


def kinds(work: Path) -> dict[str, Path]:
    """Trees of web pages and of plain-text files, made once (see the module docstring)."""
    trees = {"html": (work / "kinds" / "html", [REPO / "corpus" / "pages", REPO / "tests" / "fixtures" / "html"], 30),
             "text": (work / "kinds" / "text", [REPO / "tests" / "fixtures" / "text", REPO / "corpus" / "dailynk"],
                      100)}
    for kind, (folder, sources, copies) in trees.items():
        if (folder / ".complete").exists():
            continue
        shutil.rmtree(folder, ignore_errors=True)
        suffixes = (".html", ".html.gz") if kind == "html" else (".txt",)
        files = [f for source in sources for f in sorted(source.iterdir()) if f.name.endswith(suffixes)]
        for k in range(copies):
            (folder / f"copy{k:03d}").mkdir(parents=True)
            for f in files:
                shutil.copyfile(f, folder / f"copy{k:03d}" / f.name)
        (folder / ".complete").touch()
    return {kind: folder for kind, (folder, _, _) in trees.items()}


def bare_parse(pages: Path) -> dict:
    """`BeautifulSoup(page, "lxml")` of every page of the tree, in one process."""
    code = ("import gzip, pathlib, sys, warnings\n"
            "from bs4 import BeautifulSoup\n"
            "warnings.simplefilter('ignore')\n"
            "n = 0\n"
            "for p in sorted(pathlib.Path(sys.argv[1]).rglob('*.htm*')):\n"
            "    data = p.read_bytes()\n"
            "    BeautifulSoup(gzip.decompress(data) if p.name.endswith('.gz') else data, 'lxml')\n"
            "    n += 1\n"
            "print(n)\n")
    r = run_measured([sys.executable, "-c", code, str(pages)])
    r["articles"] = int(r["stdout"])
    return r


def incremental(replica: Path, index: Path, corpus: Path, count: int) -> dict:
    """Add `count` new records (Reuters records with new ids, one new .jsonl file) to
    the replica's index by an incremental build; the file is removed afterwards."""
    records = []
    for part in sorted((corpus / "reuters21578").glob("*.jsonl.gz")):
        for line in gzip.decompress(part.read_bytes()).decode("utf-8").splitlines():
            if line.strip() and len(records) < count:
                record = json.loads(line)
                record["id"] = f"added-{len(records)}"
                records.append(json.dumps(record))
    added = replica / "added.jsonl"
    added.write_text("\n".join(records) + "\n", encoding="utf-8")
    try:
        r = run_measured([*NEWSINDEX, "build", str(replica), "--index", str(index), "--json"])
    finally:
        added.unlink()
    report = json.loads(r["stdout"])["articles"]
    r["articles"] = report["added"]
    r["total"] = report["total"]
    return r


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
    parser.add_argument("--incremental", type=int, default=0, metavar="K",
                        help="with --scale: add K records to the replica's index by an incremental build")
    parser.add_argument("--kinds", action="store_true", help="also web pages and plain-text files, and a bare parse")
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
        if args.incremental and label != "x1":
            r = incremental(corpus, work / f"index-{label}", args.corpus, args.incremental)
            rows.append((f"incremental: {r['articles']:,} records added to the index ({r['total']:,} after)", r))
        lines += [row(label, what, r, fts5) for what, r in rows]
        print("\n".join(lines[-len(rows):]), flush=True)
    if args.kinds:
        trees = kinds(work)
        lines += ["", "| kind | what | wall | CPU | articles per CPU-second | peak RSS | articles |",
                  "| --- | --- | --- | --- | --- | --- | --- |"]
        runs = [("html", "newsindex build --full", build(trees["html"], work / "index-html", args.repeats)),
                ("html", "bare BeautifulSoup(page, 'lxml') of the same pages", bare_parse(trees["html"])),
                ("text", "newsindex build --full", build(trees["text"], work / "index-text", args.repeats))]
        for kind, what, r in runs:
            lines.append(f"| {kind} | {what} | {r['wall']:.2f} s | {r['cpu']:.2f} s | "
                         f"{r['articles'] / r['cpu']:,.0f} | {r.get('rss_mb', 0):.0f} MB | {r['articles']:,} |")
            print(lines[-1], flush=True)
    print("\n" + "\n".join(lines))


if __name__ == "__main__":
    main()
