"""Speed: incremental builds of a one-article-per-file tree (part of `speed.py`).

A no-op rebuild of 21,578 files in 216 folders against walking and stat'ing
that tree and bare process start; one changed file.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

from harness import NEWSINDEX, Clock, median_of, run_measured, stage
from speed_build import _load

TREE_FILES, TREE_FOLDERS = 21_578, 216
TREE = {"files": TREE_FILES}  # --tree-files (a smaller tree for trying the script out)


def make_tree(docs_path: Path, work: Path) -> Path:
    """21,578 one-article `.json` files in 216 folders, for the incremental figures."""
    folder = work / f"tree-{TREE['files']}"
    done = folder / ".complete"
    if done.exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    docs = _load(str(docs_path))
    for n in range(TREE["files"]):
        d = docs[n % len(docs)]
        sub = folder / f"d{n % TREE_FOLDERS:03d}"
        sub.mkdir(parents=True, exist_ok=True)
        record = {"id": f"tree-{n}", "headline": d["headline"], "body": d["body"],
                  "publication": d.get("publication"),
                  "date": d["date"].isoformat() if d.get("date") else None}
        (sub / f"a{n:05d}.json").write_text(json.dumps(record), encoding="utf-8")
    done.touch()
    return folder


def stage_walk(tree: str) -> dict:
    """The incremental floor: walk and stat the tree (no index, no manifest)."""
    with Clock() as clock:
        n = 0
        for folder, _dirs, files in os.walk(tree):
            for name in files:
                os.stat(os.path.join(folder, name))
                n += 1
    return {"wall": clock.wall, "cpu": clock.cpu, "files": n}


STAGES = {"walk": stage_walk}


def bench_incremental(docs: Path, work: Path, repeats: int) -> dict:
    tree = make_tree(docs, work)
    index = work / "index-tree"
    shutil.rmtree(index, ignore_errors=True)
    def build():
        return run_measured([*NEWSINDEX, "build", str(tree), "--index", str(index), "--json"])
    first = build()
    out = {"first": median_of([first]), "files": TREE["files"]}
    noop = []
    for _ in range(max(3, repeats)):
        r = build()
        report = json.loads(r["stdout"])
        assert report["sources"]["unchanged"] == TREE["files"], report["sources"]
        noop.append(r)
    out["noop"] = median_of(noop)
    out["walk"] = median_of([stage("walk", work, str(tree)) for _ in range(max(3, repeats))])
    out["start"] = median_of([run_measured([*NEWSINDEX, "--version"]) for _ in range(max(3, repeats))])
    out["start_python"] = median_of([run_measured([sys.executable, "-c", "pass"])
                                     for _ in range(max(3, repeats))])
    changed = []
    victim = next((tree / "d007").glob("*.json"))
    for n in range(max(3, repeats)):
        record = json.loads(victim.read_text(encoding="utf-8"))
        record["body"] += f"\n\nCorrection number {n}."
        victim.write_text(json.dumps(record), encoding="utf-8")
        r = build()
        report = json.loads(r["stdout"])
        assert report["sources"]["changed"] == 1 and report["articles"]["updated"] == 1, report
        changed.append(r)
    out["one_changed"] = median_of(changed)
    return out


def incremental_rows(inc: dict) -> list[str]:
    """The incremental table and the no-op rebuild's ratio to its floor."""
    lines = ["", f"### Incremental ({inc['files']:,} one-article files in {TREE_FOLDERS} folders)", "",
             "| what | wall | CPU |", "| --- | --- | --- |"]
    for key, name in (("first", "first build of the tree (incremental, no index yet)"),
                      ("noop", "**no-op rebuild** (`newsindex build TREE`)"),
                      ("one_changed", "**one file changed** (`newsindex build TREE`)"),
                      ("walk", "walk + stat the tree (in-process, the floor)"),
                      ("start", "process start: `newsindex --version`"),
                      ("start_python", "process start: `python -c pass`")):
        f = inc[key]
        lines.append(f"| {name} | {f['wall'] * 1000:.0f} ms | {f['cpu'] * 1000:.0f} ms |")
    floor = inc["walk"]["wall"] + inc["start"]["wall"]
    lines += ["", f"No-op rebuild / (walk+stat + process start): "
              f"{inc['noop']['wall'] / floor:.2f}x; no-op minus process start: "
              f"{(inc['noop']['wall'] - inc['start']['wall']) * 1000:.0f} ms vs walk "
              f"{inc['walk']['wall'] * 1000:.0f} ms "
              f"({(inc['noop']['wall'] - inc['start']['wall']) / inc['walk']['wall']:.1f}x)."]
    return lines
