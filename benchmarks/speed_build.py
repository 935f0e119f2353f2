"""Speed: the full build, beside its own stage limits and peers (part of `speed.py`).

`newsindex build --full` as a subprocess end to end (wall, CPU of the process
tree, peak RSS, index size); in the same run, reading and cleaning alone on all
cores, Whoosh writing alone as the build configures it, naive Whoosh (one
writer, defaults), SQLite FTS5 and tantivy over the same articles. Also the
corpus data the other parts use: the articles as index documents, and an
N-fold replica of the corpus.
"""

from __future__ import annotations

import gzip
import json
import os
import pickle
import random
import shutil
import tempfile
from pathlib import Path

from harness import NEWSINDEX, Clock, dir_bytes, median_of, run_measured, stage

SCALE_STAGES = {"on": False}  # --scale-stages: Whoosh writing alone at scale too (as long as the build)


# -- data -----------------------------------------------------------------------
def load_docs(corpus: Path, work: Path) -> Path:
    """Every article of the corpus as index documents, pickled once for the stages
    (per schema: documents for another schema's fields would crash Whoosh's sub-writers)."""
    import zlib

    from indexer.index.schema import article_to_document, make_schema
    from indexer.index.sources import walk_sources
    from indexer.ingest import read_source
    from indexer.ingest.article import Article

    fields = repr(sorted((name, type(f).__name__) for name, f in make_schema().items()))
    out = work / f"docs-{corpus.name}-{zlib.crc32(fields.encode()):08x}.pkl"
    if out.exists():
        return out

    docs, seen = [], set()
    for sf in walk_sources([str(corpus)]).files:
        for item in read_source(Path(sf.path), sf.source):
            if isinstance(item, Article) and item.id not in seen:
                seen.add(item.id)
                docs.append(article_to_document(item))
    with open(out.with_suffix(".tmp"), "wb") as fh:
        pickle.dump(docs, fh, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(out.with_suffix(".tmp"), out)
    return out


def _shuffled(text: str, rng: random.Random) -> str:
    """Lightly shuffled text: paragraphs rotated, a few neighbouring words swapped."""
    paragraphs = text.split("\n\n")
    if len(paragraphs) > 1:
        k = rng.randrange(len(paragraphs))
        paragraphs = paragraphs[k:] + paragraphs[:k]
    out = []
    for para in paragraphs:
        words = para.split(" ")
        for _ in range(len(words) // 12):
            i = rng.randrange(len(words) - 1)
            words[i], words[i + 1] = words[i + 1], words[i]
        out.append(" ".join(words))
    return "\n\n".join(out)


def make_replica(docs_path: Path, work: Path, scale: int) -> Path:
    """An N-fold corpus of JSONL.gz record files: copy k of every article has id `<id>~k`."""
    folder = work / f"replica-x{scale}"
    done = folder / ".complete"
    if done.exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    with open(docs_path, "rb") as fh:
        docs = pickle.load(fh)
    rng = random.Random(1987)
    per_file = 1000
    for k in range(scale):
        for start in range(0, len(docs), per_file):
            path = folder / f"copy{k:02d}-{start // per_file:03d}.jsonl.gz"
            with gzip.open(path, "wt", encoding="utf-8", compresslevel=1) as fh:
                for d in docs[start:start + per_file]:
                    record = {"id": d["id"] if k == 0 else f"{d['id']}~{k}",
                              "headline": d["headline"],
                              "body": d["body"] if k == 0 else _shuffled(d["body"], rng),
                              "publication": d.get("publication"),
                              "date": d["date"].isoformat() if d.get("date") else None}
                    fh.write(json.dumps(record) + "\n")
    done.touch()
    return folder


def _load(docs_path: str) -> list[dict]:
    with open(docs_path, "rb") as fh:
        return pickle.load(fh)


# -- stages (each runs in its own process via `speed.py --stage`) -------------------
def stage_clean(corpus: str, jobs: str) -> dict:
    """Reading and cleaning alone, on `jobs` worker processes, as the build's tasks read."""
    from concurrent.futures import ProcessPoolExecutor

    from indexer.index.sources import walk_sources

    with Clock() as clock:
        files = walk_sources([corpus]).files
        with ProcessPoolExecutor(int(jobs)) as pool:
            n = sum(pool.map(_read_count, files, chunksize=4))
    return {"wall": clock.wall, "cpu": clock.cpu, "articles": n}


def _read_count(sf) -> int:
    from indexer.ingest import read_source

    return sum(1 for _ in read_source(Path(sf.path), sf.source))


def stage_whoosh(docs_path: str, mode: str, jobs: str, corpus: str) -> dict:
    """Whoosh writing alone from ready documents, in one process: as the build's
    tasks write (`segment.write_segment`, a segment per `TASK_TEXT_BYTES` of
    text), or Whoosh's writer with naive defaults."""
    from whoosh import index as whoosh_index

    from indexer.index.schema import make_schema
    from indexer.index.segment import commit_segments, write_segment
    from indexer.limits import TASK_TEXT_BYTES

    docs = _load(docs_path)
    folder = Path(tempfile.mkdtemp(prefix="whoosh-", dir=Path(docs_path).parent))
    try:
        with Clock() as clock:
            ix = whoosh_index.create_in(str(folder), make_schema())
            if mode == "naive":
                writer = ix.writer()
                for doc in docs:
                    writer.add_document(**doc)
                writer.commit()
            else:
                segments, batch, text = [], [], 0
                for doc in docs:
                    batch.append(doc)
                    text += len(doc["body"]) + len(doc["headline"])
                    if text >= TASK_TEXT_BYTES:
                        segments.append(write_segment(ix, batch))
                        batch, text = [], 0
                if batch:
                    segments.append(write_segment(ix, batch))
                commit_segments(ix, segments)
        size = dir_bytes(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return {"wall": clock.wall, "cpu": clock.cpu, "articles": len(docs), "bytes": size}


def stage_fts5(docs_path: str) -> dict:
    import sqlite3

    docs = _load(docs_path)
    folder = Path(tempfile.mkdtemp(prefix="fts5-", dir=Path(docs_path).parent))
    try:
        with Clock() as clock:
            db = sqlite3.connect(folder / "fts.db")
            db.execute("CREATE VIRTUAL TABLE articles USING fts5(headline, captions, body, "
                       "publication UNINDEXED, date UNINDEXED, tokenize='porter unicode61')")
            db.executemany("INSERT INTO articles VALUES (?, ?, ?, ?, ?)",
                           ((d["headline"], d["captions"], d["body"], d.get("publication"),
                             d["date"].isoformat() if d.get("date") else None) for d in docs))
            db.commit()
            db.close()
        size = dir_bytes(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return {"wall": clock.wall, "cpu": clock.cpu, "articles": len(docs), "bytes": size}


def _tantivy_schema():
    import tantivy

    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw")
    for name in ("headline", "captions", "body"):
        sb.add_text_field(name, stored=True, tokenizer_name="en_stem")
    sb.add_text_field("publication", stored=True, tokenizer_name="raw")
    sb.add_date_field("date", stored=True, indexed=True, fast=True)
    return sb.build()


def build_tantivy(docs: list[dict], folder: Path, threads: int = 2):
    import tantivy

    index = tantivy.Index(_tantivy_schema(), path=str(folder))
    writer = index.writer(heap_size=256 * 1024 * 1024, num_threads=threads)
    for d in docs:
        fields = {"id": d["id"], "headline": d["headline"], "captions": d["captions"],
                  "body": d["body"], "publication": d.get("publication") or ""}
        if d.get("date"):
            fields["date"] = d["date"]
        writer.add_document(tantivy.Document(**fields))
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    return index


def stage_tantivy(docs_path: str) -> dict:
    docs = _load(docs_path)
    folder = Path(tempfile.mkdtemp(prefix="tantivy-", dir=Path(docs_path).parent))
    try:
        with Clock() as clock:
            build_tantivy(docs, folder)
        size = dir_bytes(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return {"wall": clock.wall, "cpu": clock.cpu, "articles": len(docs), "bytes": size}


STAGES = {"clean": stage_clean, "whoosh": stage_whoosh, "fts5": stage_fts5, "tantivy": stage_tantivy}


def bench_build(label: str, corpus: Path, docs: Path, work: Path, repeats: int, peers: bool,
                jobs: int) -> dict:
    from indexer.index import store

    out: dict = {"label": label}
    index = work / f"index-{label}"
    runs = []
    for _ in range(repeats):
        shutil.rmtree(index, ignore_errors=True)
        r = run_measured([*NEWSINDEX, "build", str(corpus), "--index", str(index), "--full", "--json"])
        report = json.loads(r["stdout"])
        r["articles"] = report["articles"]["total"]
        r["bytes"] = store.index_bytes(store.live_generation(index))
        runs.append(r)
    out["build"] = median_of(runs)
    out["index"] = index
    out["clean"] = median_of([stage("clean", work, str(corpus), str(jobs)) for _ in range(repeats)])
    if label == "x1" or SCALE_STAGES["on"]:
        out["whoosh"] = median_of([stage("whoosh", work, str(docs), "build", str(jobs), str(corpus))
                                   for _ in range(repeats)])
    if label == "x1":  # at scale the naive writer alone would take most of the run's time
        out["naive"] = median_of([stage("whoosh", work, str(docs), "naive", "1", str(corpus))
                                  for _ in range(repeats)])
    if peers:
        out.update(peer_builds(docs, work, repeats))
    return out


def peer_builds(docs: Path, work: Path, repeats: int) -> dict:
    """SQLite FTS5 and tantivy indexing the same records (an error row when one is missing)."""
    out = {}
    for name in ("fts5", "tantivy"):
        try:
            out[name] = median_of([stage(name, work, str(docs)) for _ in range(repeats)])
        except (RuntimeError, ImportError) as exc:
            out[name] = {"error": str(exc).splitlines()[-1][:120]}
    return out


def _s(x: float) -> str:
    return f"{x:.2f} s" if x < 10 else f"{x:.1f} s"


def build_rows(b: dict) -> list[str]:
    n = b["build"]["articles"]
    rows = []

    def row(name: str, f: dict, note: str = "") -> None:
        if "error" in f:
            rows.append(f"| {b['label']} | {name} | – | – | – | – | – | {f['error']} |")
            return
        size = f"{f['bytes'] / 1e6:.1f} MB" if f.get("bytes") else "–"
        rows.append(f"| {b['label']} | {name} | {_s(f['wall'])} | {_s(f['cpu'])} | "
                    f"{n / f['wall']:,.0f} | {f['rss_mb']:.0f} MB | {size} | {note} |")

    full = b["build"]
    vs_naive = (f"{b['naive']['wall'] / full['wall']:.1f}x faster than naive (CPU "
                f"{b['naive']['cpu'] / full['cpu']:.1f}x); " if "naive" in b else "")
    row("**newsindex build --full** (subprocess, end to end)", full,
        f"walls {full['walls']}; {vs_naive}"
        + (f"{full['wall'] / max(b['clean']['wall'], b['whoosh']['wall']):.2f}x the slower stage "
         f"(CPU {full['cpu'] / (b['clean']['cpu'] + b['whoosh']['cpu']):.2f}x both stages' CPU)"
         if "whoosh" in b else "stages at x1 only"))
    row("stage: read + clean alone, all cores", b["clean"])
    if "whoosh" in b:
        row("stage: Whoosh writing alone (build's writer)", b["whoosh"])
    if "naive" in b:
        row("naive Whoosh (one writer, one process, defaults)", b["naive"])
    if "fts5" in b:
        row("SQLite FTS5 (stdlib sqlite3)", b["fts5"])
    if "tantivy" in b:
        row("tantivy (2 threads)", b["tantivy"])
    return rows
