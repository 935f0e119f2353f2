"""Indexing, incremental and query speed of newsindex, beside its own stage limits and peers.

    .venv/bin/python benchmarks/speed.py [--corpus corpus] [--scale 10] [--repeats 3] [--no-peers] [--no-http]

Measures on the bundled Reuters-21578 (`corpus/`), and with `--scale N` on an N-fold replica
(same articles, new ids, lightly shuffled text) generated under the work folder:

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
import gzip
import json
import os
import pickle
import random
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

BIN = Path(sys.executable).parent
NEWSINDEX = [str(BIN / "newsindex")] if (BIN / "newsindex").exists() else [sys.executable, "-m", "indexer"]
README = REPO / "benchmarks" / "README.md"
TABLE_START, TABLE_END = "<!-- speed:start -->", "<!-- speed:end -->"
HTTP_CLIENTS = 8
TREE_FILES, TREE_FOLDERS = 21_578, 216
TREE = {"files": TREE_FILES}
SCALE_STAGES = {"on": False}  # --scale-stages: Whoosh writing alone at scale too (as long as the build)  # --tree-files (a smaller tree for trying the script out)


# -- measuring ------------------------------------------------------------------
def run_measured(cmd: list[str], *, env: dict | None = None) -> dict:
    """Run a subprocess to the end: wall, CPU and peak RSS of it and the children it
    waited for (from wait4, so only this command is counted), and its stdout."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{stderr[-2000:]}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
            "rss_mb": usage.ru_maxrss / 1024, "stdout": stdout}


def stage(name: str, work: Path, *args: str) -> dict:
    """Run one stage of this script in a fresh process (clean CPU and memory accounting);
    the stage prints one JSON line with the figures of its measured part."""
    out = run_measured([sys.executable, __file__, "--stage", name, "--work", str(work), *args])
    figures = json.loads(out["stdout"].strip().splitlines()[-1])
    figures["rss_mb"] = out["rss_mb"]
    figures["process_wall"] = out["wall"]
    return figures


def _self_cpu() -> float:
    s = resource.getrusage(resource.RUSAGE_SELF)
    c = resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


class Clock:
    """Wall and CPU (this process and its children) of a block."""

    def __enter__(self) -> "Clock":
        self.t0, self.c0 = time.perf_counter(), _self_cpu()
        return self

    def __exit__(self, *exc) -> None:
        self.wall = time.perf_counter() - self.t0
        self.cpu = _self_cpu() - self.c0


def median_of(runs: list[dict]) -> dict:
    keys = [k for k, v in runs[0].items() if isinstance(v, (int, float))]
    merged = {k: statistics.median(r[k] for r in runs) for k in keys}
    merged["runs"] = len(runs)
    merged["walls"] = [round(r["wall"], 2) for r in runs if "wall" in r]
    return merged


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    k = (len(values) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def dir_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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


def make_tree(docs_path: Path, work: Path) -> Path:
    """21,578 one-article `.json` files in 216 folders, for the incremental figures."""
    folder = work / f"tree-{TREE['files']}"
    done = folder / ".complete"
    if done.exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    with open(docs_path, "rb") as fh:
        docs = pickle.load(fh)
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


# -- stages (each runs in its own process via `--stage`) -----------------------------
def stage_clean(corpus: str, jobs: str) -> dict:
    """Reading and cleaning alone, on all cores, as the build's worker pool does it."""
    from indexer.index.build import _read_all
    from indexer.index.sources import walk_sources

    with Clock() as clock:
        files = walk_sources([corpus]).files
        n = sum(len(read.results) for read in _read_all(files, int(jobs), None, None))
    return {"wall": clock.wall, "cpu": clock.cpu, "articles": n}


def _load(docs_path: str) -> list[dict]:
    with open(docs_path, "rb") as fh:
        return pickle.load(fh)


def stage_whoosh(docs_path: str, mode: str, jobs: str, corpus: str) -> dict:
    """Whoosh writing alone from ready documents: as the build writes, or naive defaults."""
    from whoosh import index as whoosh_index

    from indexer.index.build import estimated_text_bytes, full_writer
    from indexer.index.schema import make_schema
    from indexer.index.sources import walk_sources

    docs = _load(docs_path)
    text_bytes = estimated_text_bytes(walk_sources([corpus]).files)
    folder = Path(tempfile.mkdtemp(prefix="whoosh-", dir=Path(docs_path).parent))
    try:
        with Clock() as clock:
            ix = whoosh_index.create_in(str(folder), make_schema())
            writer = ix.writer() if mode == "naive" else full_writer(ix, text_bytes, int(jobs))
            for doc in docs:
                writer.add_document(**doc)
            writer.commit()
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


def stage_walk(tree: str) -> dict:
    """The incremental floor: walk and stat the tree (no index, no manifest)."""
    with Clock() as clock:
        n = 0
        for folder, _dirs, files in os.walk(tree):
            for name in files:
                os.stat(os.path.join(folder, name))
                n += 1
    return {"wall": clock.wall, "cpu": clock.cpu, "files": n}


def stage_queries(index: str, queries_json: str, repeats: str) -> dict:
    """Archive.search over the query set: per-query median wall and CPU over repeats."""
    from indexer import Archive, SearchRequest

    archive = Archive(index)
    queries = json.loads(queries_json)
    requests = [SearchRequest(query=q["q"], publications=tuple(q.get("publication", [])),
                              date_from=_day(q.get("from")), date_to=_day(q.get("to"), end=True),
                              sort=q.get("sort", "relevance")) for q in queries]
    for r in requests:  # warm: searcher, filter cache, OS cache, as a running server would be
        archive.search(r)
    walls: list[list[float]] = [[] for _ in requests]
    cpus: list[list[float]] = [[] for _ in requests]
    for _ in range(int(repeats)):
        for i, r in enumerate(requests):
            t, c = time.perf_counter(), time.process_time()
            archive.search(r)
            walls[i].append((time.perf_counter() - t) * 1000)
            cpus[i].append((time.process_time() - c) * 1000)
    per_query = [statistics.median(w) for w in walls]
    per_cpu = [statistics.median(c) for c in cpus]
    return {"p50": percentile(per_query, 50), "p95": percentile(per_query, 95),
            "cpu_p50": percentile(per_cpu, 50), "cpu_mean": statistics.mean(per_cpu),
            "queries": len(requests)}


def stage_tantivy_queries(docs_path: str, queries_json: str, repeats: str) -> dict:
    docs = _load(docs_path)
    folder = Path(tempfile.mkdtemp(prefix="tantivy-q-", dir=Path(docs_path).parent))
    try:
        index = build_tantivy(docs, folder)
        searcher = index.searcher()
        parsed = [index.parse_query(_tantivy_query(q), ["headline", "captions", "body"])
                  for q in json.loads(queries_json)]
        for q in parsed:
            searcher.search(q, 10, count=True)
        walls: list[list[float]] = [[] for _ in parsed]
        for _ in range(int(repeats)):
            for i, q in enumerate(parsed):
                t = time.perf_counter()
                result = searcher.search(q, 10, count=True)
                for _score, address in result.hits:
                    searcher.doc(address)
                walls[i].append((time.perf_counter() - t) * 1000)
        per_query = [statistics.median(w) for w in walls]
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return {"p50": percentile(per_query, 50), "p95": percentile(per_query, 95), "queries": len(parsed)}


STAGES = {"clean": stage_clean, "whoosh": stage_whoosh, "fts5": stage_fts5,
          "tantivy": stage_tantivy, "walk": stage_walk, "queries": stage_queries,
          "tantivy-queries": stage_tantivy_queries}


# -- the query set -------------------------------------------------------------
WORDS = ["oil", "coffee", "cocoa", "wheat", "gold", "dollar", "yen", "bank", "merger", "acquisition",
         "dividend", "earnings", "inflation", "tariff", "strike", "shipping", "opec", "brazil",
         "japan", "china", "soviet", "grain", "sugar", "copper", "interest", "deficit", "takeover",
         "bonds", "crude", "exports", "loss", "profit", "shares", "stake", "treasury", "currency",
         "cooperated", "workers", "reagan", "bundesbank"]
MULTI = ["oil prices", "coffee quotas brazil", "interest rates cut", "trade deficit japan",
         "federal reserve", "crude oil output opec", "wheat exports soviet union", "gold mine",
         "stock split", "quarterly dividend", "net loss", "bank of japan intervention",
         "sugar crop", "cocoa buffer stock", "tax reform", "west german economy",
         "takeover bid shares", "money supply growth", "grain shipments", "steel imports"]
PHRASES = ['"interest rates"', '"crude oil"', '"trade deficit"', '"inc said it"', '"money supply"',
           '"federal reserve"', '"stock split"', '"net loss"', '"buffer stock"', '"bank of japan"',
           '"exchange rate"', '"joint venture"', '"oil prices"', '"the company said"',
           '"letter of intent"']
PREFIXES = ["petro*", "bank*", "export*", "coff*", "merg*", "acqui*", "fin*", "steel*", "comp*",
            "tele*"]


def query_set() -> list[dict]:
    """~125 fixed queries: words, multi-word, phrases, prefixes, filtered and sorted variants."""
    queries = [{"q": w} for w in WORDS] + [{"q": m} for m in MULTI]
    queries += [{"q": p} for p in PHRASES] + [{"q": p} for p in PREFIXES]
    months = ["1987-03", "1987-04", "1987-05", "1987-06", "1987-07", "1987-08", "1987-09", "1987-10"]
    for i, w in enumerate(WORDS[:16]):
        month = months[i % len(months)]
        queries.append({"q": w, "from": f"{month}-01", "to": f"{month}-15"})
    for i, m in enumerate(MULTI[:8]):
        queries.append({"q": m, "from": "1987-03-01", "to": "1987-06-30", "publication": ["Reuters"]})
    for w in WORDS[16:24]:
        queries.append({"q": w, "publication": ["Reuters"]})
    for w in WORDS[24:32]:
        queries.append({"q": w, "sort": "newest"})
    return queries


def _day(text: str | None, end: bool = False) -> datetime | None:
    from indexer.ingest.dates import parse_day
    return parse_day(text, end=end) if text else None


def _fts_match(text: str) -> str:
    """The query in FTS5 MATCH syntax (implicit AND, "phrases", prefix*)."""
    if text.startswith('"'):
        return text
    return " ".join(w if w.endswith("*") else f'"{w}"' for w in text.split())


def _tantivy_query(q: dict) -> str:
    text = q["q"]
    if not text.startswith('"') and " " in text:
        text = " ".join(f"+{w}" for w in text.split())  # all words, like the others
    parts = [f"({text})"]
    if q.get("from"):
        parts.append(f"date:[{q['from']}T00:00:00Z TO {q['to']}T23:59:59Z]")
    for p in q.get("publication", []):
        parts.append(f'publication:"{p}"')
    return " AND ".join(parts)


def _http_params(q: dict) -> str:
    params = [("q", q["q"])]
    for key in ("from", "to", "sort"):
        if q.get(key):
            params.append((key, q[key]))
    params += [("publication", p) for p in q.get("publication", [])]
    return urllib.parse.urlencode(params)


def _datasette_sql(q: dict) -> tuple[str, dict]:
    """Ranked top 10 with snippets, plus the exact total (a count subquery, as
    snippet() cannot share a query with a window function)."""
    where = []
    params = {"match": _fts_match(q["q"])}
    if q.get("from"):
        where.append("a.date BETWEEN :date_from AND :date_to")
        params["date_from"], params["date_to"] = q["from"], q["to"] + "T23:59:59"
    if q.get("publication"):
        where.append("a.publication = :pub")
        params["pub"] = q["publication"][0]
    filters = "".join(f" AND {w}" for w in where)
    order = "a.date DESC" if q.get("sort") == "newest" else "f.rank"
    sql = ("SELECT a.id, a.headline, a.publication, a.date, "
           "snippet(articles_fts, 2, '<mark>', '</mark>', '…', 24) AS snippet, "
           "(SELECT count(*) FROM articles_fts(:match) f JOIN articles a ON a.rowid = f.rowid "
           f"WHERE 1{filters}) AS total "
           "FROM articles_fts(:match) f JOIN articles a ON a.rowid = f.rowid "
           f"WHERE 1{filters} ORDER BY {order} LIMIT 10")
    return sql, params


# -- HTTP -----------------------------------------------------------------------
class Server:
    """A server subprocess on 127.0.0.1 that is stopped by pid when done."""

    def __init__(self, cmd: list[str], port: int, probe: str) -> None:
        self.port = port
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.proc.stderr.read().decode()[-1000:]}")
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}{probe}", timeout=5).read()
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"server on port {port} did not answer in 60 s")

    def _pids(self) -> list[int]:
        """The server and its worker processes (`serve --workers N` forks them)."""
        pids, todo = [], [self.proc.pid]
        while todo:
            pid = todo.pop()
            pids.append(pid)
            try:
                for task in Path(f"/proc/{pid}/task").iterdir():
                    todo += [int(c) for c in (task / "children").read_text().split()]
            except FileNotFoundError:
                pass
        return pids

    def cpu(self) -> float:
        """CPU seconds of the server and its workers so far (from /proc)."""
        total = 0
        for pid in self._pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except FileNotFoundError:
                continue
            total += int(fields[11]) + int(fields[12])
        return total / os.sysconf("SC_CLK_TCK")

    def memory_mb(self) -> tuple[float, float]:
        """(current RSS, peak RSS) in MB, summed over the server and its workers."""
        rss = peak = 0.0
        for pid in self._pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except FileNotFoundError:
                continue
            def get(key):
                return int(re.search(rf"{key}:\s+(\d+)", status).group(1)) / 1024
            rss, peak = rss + get("VmRSS"), peak + get("VmHWM")
        return rss, peak

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def _fetch(url: str) -> float:
    t = time.perf_counter()
    with urllib.request.urlopen(url, timeout=60) as response:
        response.read()
    return (time.perf_counter() - t) * 1000


def http_load(server: Server, urls: list[str], repeats: int) -> dict:
    """Sequential and 8-client latencies over `urls` (bounded: each URL `repeats` times)."""
    for url in urls:  # warm
        _fetch(url)
    c0 = server.cpu()
    seq = [[] for _ in urls]
    for _ in range(repeats):
        for i, url in enumerate(urls):
            seq[i].append(_fetch(url))
    seq_cpu_ms = (server.cpu() - c0) * 1000 / (len(urls) * repeats)
    per_url = [statistics.median(s) for s in seq]
    jobs = [u for _ in range(repeats) for u in urls]
    t = time.perf_counter()
    with ThreadPoolExecutor(HTTP_CLIENTS) as pool:
        concurrent = list(pool.map(_fetch, jobs))
    elapsed = time.perf_counter() - t
    return {"p50": percentile(per_url, 50), "p95": percentile(per_url, 95), "cpu_ms": seq_cpu_ms,
            "c_p50": percentile(concurrent, 50), "c_p95": percentile(concurrent, 95),
            "rps": len(jobs) / elapsed}


def measure_newsindex_http(index: Path, queries: list[dict], repeats: int, workers: int = 1) -> dict:
    port = free_port()
    server = Server([*NEWSINDEX, "serve", "--index", str(index), "--port", str(port),
                     "--threads", str(HTTP_CLIENTS), "--workers", str(workers)], port, "/search?q=oil")
    try:
        urls = [f"http://127.0.0.1:{port}/search?{_http_params(q)}" for q in queries]
        figures = http_load(server, urls, repeats)
        figures["rss_mb"], figures["peak_rss_mb"] = server.memory_mb()
        figures["workers"] = workers
    finally:
        server.stop()
    return figures


def measure_datasette(docs_path: Path, work: Path, queries: list[dict], repeats: int) -> dict:
    import sqlite3

    db_path = work / "datasette" / "news.db"
    shutil.rmtree(db_path.parent, ignore_errors=True)
    db_path.parent.mkdir(parents=True)
    docs = _load(str(docs_path))
    db = sqlite3.connect(db_path)
    db.execute("CREATE TABLE articles (id TEXT PRIMARY KEY, headline TEXT, captions TEXT, body TEXT, "
               "publication TEXT, date TEXT)")
    db.executemany("INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?)",
                   ((d["id"], d["headline"], d["captions"], d["body"], d.get("publication"),
                     d["date"].isoformat() if d.get("date") else None) for d in docs))
    db.execute("CREATE VIRTUAL TABLE articles_fts USING fts5(headline, captions, body, "
               "content='articles', content_rowid='rowid', tokenize='porter unicode61')")
    db.execute("INSERT INTO articles_fts(rowid, headline, captions, body) "
               "SELECT rowid, headline, captions, body FROM articles")
    db.execute("CREATE INDEX articles_date ON articles(date)")
    db.commit()
    db.close()
    port = free_port()
    server = Server([str(BIN / "datasette"), "serve", str(db_path), "--host", "127.0.0.1",
                     "--port", str(port), "--setting", "num_sql_threads", str(HTTP_CLIENTS),
                     # the default 1 s limit turns a slow answer on a busy machine into a 400
                     "--setting", "sql_time_limit_ms", "60000"],
                    port, "/-/versions.json")
    try:
        urls = []
        for q in queries:
            sql, params = _datasette_sql(q)
            urls.append(f"http://127.0.0.1:{port}/news.json?"
                        + urllib.parse.urlencode({"sql": sql, **params, "_shape": "array"}))
        figures = http_load(server, urls, repeats)
        figures["rss_mb"], figures["peak_rss_mb"] = server.memory_mb()
    finally:
        server.stop()
    return figures


# -- the benchmark --------------------------------------------------------------
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
        for name in ("fts5", "tantivy"):
            try:
                out[name] = median_of([stage(name, work, str(docs)) for _ in range(repeats)])
            except (RuntimeError, ImportError) as exc:
                out[name] = {"error": str(exc).splitlines()[-1][:120]}
    return out


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


def bench_queries(index: Path, docs: Path, work: Path, repeats: int, peers: bool,
                  http: bool, workers: tuple[int, ...] = (1,)) -> dict:
    queries = query_set()
    qjson = json.dumps(queries)
    out: dict = {"n": len(queries)}
    out["engine"] = stage("queries", work, str(index), qjson, str(repeats))
    if http:
        for n in workers:
            key = "http" if n == 1 else f"http-{n}"
            try:
                out[key] = measure_newsindex_http(index, queries, repeats, n)
            except (RuntimeError, OSError) as exc:
                out[key] = {"error": str(exc)[:200]}
    if peers:
        if http:
            try:
                out["datasette"] = measure_datasette(docs, work, queries, repeats)
            except (RuntimeError, OSError, FileNotFoundError) as exc:
                out["datasette"] = {"error": str(exc)[:200]}
        try:
            out["tantivy"] = stage("tantivy-queries", work, str(docs), qjson, str(repeats))
        except RuntimeError as exc:
            out["tantivy"] = {"error": str(exc).splitlines()[-1][:200]}
    return out


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


def stage_article_count(index: Path) -> int:
    from indexer import Archive
    return Archive(index)._searcher().doc_count()


def render_queries(args: argparse.Namespace, queries: list[tuple[str, dict]]) -> str:
    lines = [f"Measured {time.strftime('%Y-%m-%d %H:%M')} UTC on {os.cpu_count()} cores "
             f"(load average at start {args.load:.1f}; the machine is shared, so compare within a run)."]
    lines += query_rows(queries)
    return "\n".join(lines)


def query_rows(queries: list[tuple[str, dict]]) -> list[str]:
    """The query tables: engine, HTTP (per worker count), Datasette, tantivy."""
    lines = []
    for label, q in queries:
        articles = f", {q['articles']:,} articles" if q.get("articles") else ""
        lines += ["", f"### Queries on {label} ({q['n']} queries{articles}; top 10 with exact total and "
                  f"facets; ms, median per query over repeats)", "",
                  "| what | p50 | p95 | CPU/query | 8 clients p50 | 8 clients p95 | req/s | server RSS |",
                  "| --- | --- | --- | --- | --- | --- | --- | --- |"]
        e = q["engine"]
        lines.append(f"| `Archive.search` (engine) | {_ms(e['p50'])} | {_ms(e['p95'])} | "
                     f"{_ms(e['cpu_mean'])} mean, {_ms(e['cpu_p50'])} p50 | – | – | – | – |")
        keys = sorted((k for k in q if k.startswith("http")), key=lambda k: (len(k), k))
        names = {k: ("`newsindex serve` /search (HTML page, HTTP)" if k == "http" else
                     f"`newsindex serve --workers {k.split('-')[1]}` /search") for k in keys}
        names["datasette"] = "Datasette ranked SQL (bm25 + snippet + count) over FTS5"
        names["tantivy"] = "tantivy engine-level (top 10 + count + stored docs)"
        for key in [*keys, "datasette", "tantivy"]:
            f = q.get(key)
            if f is None:
                continue
            name = names[key]
            if "error" in f:
                lines.append(f"| {name} | {f['error']} | | | | | | |")
            elif key == "tantivy":
                lines.append(f"| {name} | {_ms(f['p50'])} | {_ms(f['p95'])} | – | – | – | – | – |")
            else:
                lines.append(f"| {name} | {_ms(f['p50'])} | {_ms(f['p95'])} | {_ms(f['cpu_ms'])} | "
                             f"{_ms(f['c_p50'])} | {_ms(f['c_p95'])} | {f['rps']:.0f} | "
                             f"{f['rss_mb']:.0f} MB (peak {f['peak_rss_mb']:.0f}) |")
    return lines


# -- the table ------------------------------------------------------------------
def _s(x: float) -> str:
    return f"{x:.2f} s" if x < 10 else f"{x:.1f} s"


def _ms(x: float) -> str:
    return f"{x:.1f}" if x < 100 else f"{x:.0f}"


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
        lines += ["", f"### Incremental ({inc['files']:,} one-article files in {TREE_FOLDERS} folders)", "",
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
    SCALE_STAGES["on"] = args.scale_stages
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
