"""Speed: queries (part of `speed.py`).

A fixed set of ~125 queries (words, multi-word, phrases, prefixes, date and
publication filters, newest-first; facets always on): `Archive.search` in
process, HTTP through `newsindex serve` sequentially and with 8 concurrent
clients, Datasette over SQLite FTS5 (ranked SQL) and tantivy; server RSS.
"""

from __future__ import annotations

import json
import shutil
import statistics
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

from harness import BIN, NEWSINDEX, Server, free_port, percentile, stage
from speed_build import _load, build_tantivy

HTTP_CLIENTS = 8


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


STAGES = {"queries": stage_queries, "tantivy-queries": stage_tantivy_queries}


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
    for m in MULTI[:8]:
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
def _fetch(url: str) -> float:
    t = time.perf_counter()
    with urllib.request.urlopen(url, timeout=60) as response:
        response.read()
    return (time.perf_counter() - t) * 1000


def _fetch_or_busy(url: str) -> float | None:
    """Like `_fetch`, but a 503 "Busy" (a pattern search that found no turn) is None:
    counted, not timed; any other error still stops the benchmark."""
    try:
        return _fetch(url)
    except urllib.error.HTTPError as exc:
        if exc.code != 503:
            raise
        exc.read()
        return None


def http_load(server: Server, urls: list[str], repeats: int) -> dict:
    """Sequential and 8-client latencies over `urls` (bounded: each URL `repeats` times);
    with 8 clients, how many answers were 503 "Busy" (not timed)."""
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
        answers = list(pool.map(_fetch_or_busy, jobs))
    elapsed = time.perf_counter() - t
    concurrent = [ms for ms in answers if ms is not None]
    return {"p50": percentile(per_url, 50), "p95": percentile(per_url, 95), "cpu_ms": seq_cpu_ms,
            "c_p50": percentile(concurrent, 50), "c_p95": percentile(concurrent, 95),
            "rps": len(jobs) / elapsed, "busy": len(answers) - len(concurrent), "requests": len(jobs)}


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


def stage_article_count(index: Path) -> int:
    from indexer import Archive
    return Archive(index)._searcher().doc_count()


def _ms(x: float) -> str:
    return f"{x:.1f}" if x < 100 else f"{x:.0f}"


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
