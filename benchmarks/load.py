"""Web load test: N concurrent clients against `newsindex serve` on 127.0.0.1.

Starts the real server (waitress, as users run it) on a free loopback port over
an index, then N client threads send a mix of requests for a fixed time on
keep-alive connections: searches (words, phrases, boolean, prefix, fuzzy),
filters, sorts, later pages, the JSON API, article pages, and a few bad queries
(which must be 400, not 500). Optionally rebuilds the index while it runs.

Prints requests/s and latency percentiles (overall and per kind) and the error
count; exits 1 when any request failed (a 5xx, a dropped connection, a wrong
status). An error is never retried or hidden.

    .venv/bin/python benchmarks/load.py                       # 16 clients, 60 s, bundled Reuters
    .venv/bin/python benchmarks/load.py --clients 16 --seconds 60 --index var/index
    .venv/bin/python benchmarks/load.py --rebuild-every 10    # full rebuilds under load
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import quote

from harness import REPO, Server, free_port, percentile

WORDS = ["oil", "cocoa", "coffee", "gold", "wheat", "dollar", "bank", "trade", "japan", "opec", "prices",
         "shares", "profit", "tariffs", "grain", "sugar", "crude", "strike", "merger", "brazil", "bonds"]
QUERIES = WORDS + ['"crude oil"', '"interest rates"', "oil AND prices", "coffee OR cocoa", "oil -gas",
                   "bank*", "cofee~", "headline:gold", "opec NOT saudi", '"trade deficit"~3',
                   "japan tariffs semiconductors", "date:[1987-03-01 to 1987-03-31] oil",
                   "the company said it expects profits to rise this year"]
BAD = ['"unbalanced', "AND", "(oil", "oil&page=0", "oil&per_page=1000", "oil&from=never"]


def build_index(corpus: Path, index_dir: Path) -> None:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "indexer", "build", str(corpus), "--index", str(index_dir)],
                   cwd=REPO, check=True, stdout=subprocess.DEVNULL)
    print(f"built {index_dir} from {corpus} in {time.perf_counter() - started:.1f} s", file=sys.stderr)


def start_server(index_dir: Path, port: int, threads: int, log: Path) -> Server:
    """`newsindex serve` with its output in a file (waitress logs queue-depth warnings under load)."""
    return Server([sys.executable, "-m", "indexer", "serve", "--index", str(index_dir), "--port", str(port),
                   "--threads", str(threads)], port, log=log, cwd=REPO)


class Client(threading.Thread):
    """One user: a keep-alive connection and a random walk over the UI."""

    def __init__(self, port: int, seed: int, stop_at: float, article_ids: list[str]) -> None:
        super().__init__(daemon=True)
        self.port, self.stop_at, self.article_ids = port, stop_at, article_ids
        self.rng = random.Random(seed)
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []
        self.conn: http.client.HTTPConnection | None = None

    def next_request(self) -> tuple[str, str, tuple[int, ...]]:
        """(kind, path, acceptable statuses)."""
        r = self.rng.random()
        q = quote(self.rng.choice(QUERIES), safe="")
        if r < 0.40:
            return "search", f"/search?q={q}", (200,)
        if r < 0.55:
            extra = self.rng.choice(["&sort=newest", "&sort=oldest", "&page=2", "&page=3",
                                     "&publication=Reuters", "&from=1987-03&to=1987-04"])
            return "search+filter", f"/search?q={q}{extra}", (200,)
        if r < 0.75:
            return "api", f"/api/search?q={q}&per_page=20", (200,)
        if r < 0.92 and self.article_ids:
            article_id = quote(self.rng.choice(self.article_ids), safe="")
            return "article", f"/article/{article_id}?q={q}", (200,)
        if r < 0.96:
            bad = self.rng.choice(BAD)
            head, _, tail = bad.partition("&")
            return "bad-query", f"/search?q={quote(head, safe='')}" + (f"&{tail}" if tail else ""), (400,)
        return "start", "/", (200,)

    def request(self, path: str) -> tuple[int, bytes]:
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                self.conn.request("GET", path)
                response = self.conn.getresponse()
                body = response.read()
                if response.getheader("Connection", "").lower() == "close":
                    self.conn.close()
                    self.conn = None
                return response.status, body
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # the server closed an idle keep-alive connection before this request: reconnect
                # once; a second failure is an error
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def run(self) -> None:
        while time.monotonic() < self.stop_at:
            kind, path, ok = self.next_request()
            started = time.perf_counter()
            try:
                status, body = self.request(path)
            except Exception as exc:  # noqa: BLE001 - every failure is counted
                self.errors.append(f"{kind} {path}: {type(exc).__name__}: {exc}")
                continue
            self.latencies[kind].append((time.perf_counter() - started) * 1000)
            if status not in ok:
                self.errors.append(f"{kind} {path}: status {status}: {body[:200]!r}")


def rebuild_loop(corpus: Path, index_dir: Path, every: float, stop_at: float, log: list[str]) -> None:
    while time.monotonic() + every < stop_at:
        time.sleep(every)
        proc = subprocess.run([sys.executable, "-m", "indexer", "build", str(corpus), "--index",
                               str(index_dir), "--full", "--jobs", "1"], cwd=REPO, capture_output=True, text=True)
        log.append(f"rebuild exit {proc.returncode}" + (f": {proc.stderr[-300:]}" if proc.returncode else ""))


def sample_article_ids(port: int) -> list[str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    ids: list[str] = []
    for word in WORDS[:8]:
        conn.request("GET", f"/api/search?q={word}&per_page=25")
        ids += [h["id"] for h in json.loads(conn.getresponse().read())["hits"]]
    conn.close()
    return ids


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--threads", type=int, default=8, help="waitress threads (newsindex serve --threads)")
    parser.add_argument("--index", type=Path, help="an existing index (default: build one from --corpus)")
    parser.add_argument("--corpus", type=Path, default=REPO / "corpus",
                        help="what to index when --index is not given (default: the bundled corpus/)")
    parser.add_argument("--rebuild-every", type=float, default=0,
                        help="run `build --full` every this many seconds during the load (needs --corpus)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args(argv)

    workdir = Path(tempfile.mkdtemp(prefix="newsindex-load-"))
    index_dir = args.index
    if index_dir is None or args.rebuild_every:
        source = index_dir
        index_dir = workdir / "index"
        if source is not None:
            shutil.copytree(source, index_dir, symlinks=True)
        else:
            build_index(args.corpus, index_dir)
    port = free_port()
    server_log = workdir / "server.log"
    server = start_server(index_dir, port, args.threads, server_log)
    rebuild_log: list[str] = []
    try:
        article_ids = sample_article_ids(port)
        stop_at = time.monotonic() + args.seconds
        clients = [Client(port, seed, stop_at, article_ids) for seed in range(args.clients)]
        rebuilder = None
        if args.rebuild_every:
            rebuilder = threading.Thread(target=rebuild_loop, args=(args.corpus, index_dir, args.rebuild_every,
                                                                    stop_at, rebuild_log), daemon=True)
            rebuilder.start()
        started = time.perf_counter()
        for c in clients:
            c.start()
        for c in clients:
            c.join()
        elapsed = time.perf_counter() - started
        if rebuilder is not None:
            rebuilder.join()
    finally:
        server.stop()
        log_text = server_log.read_text(errors="replace") if server_log.exists() else ""
        shutil.rmtree(workdir, ignore_errors=True)
    server_tracebacks = log_text.count("Traceback")
    queue_warnings = log_text.count("Task queue depth")

    by_kind: dict[str, list[float]] = defaultdict(list)
    for c in clients:
        for kind, values in c.latencies.items():
            by_kind[kind].extend(values)
    everything = [v for values in by_kind.values() for v in values]
    errors = [e for c in clients for e in c.errors]
    figures = {
        "clients": args.clients, "seconds": round(elapsed, 1), "server_threads": args.threads,
        "requests": len(everything), "errors": len(errors),
        "req_per_s": round(len(everything) / elapsed, 1),
        "p50_ms": round(percentile(everything, 50), 1), "p95_ms": round(percentile(everything, 95), 1),
        "p99_ms": round(percentile(everything, 99), 1), "max_ms": round(max(everything, default=0), 1),
        "rebuilds": rebuild_log, "server_tracebacks": server_tracebacks,
        "server_queue_warnings": queue_warnings,
        "by_kind": {kind: {"n": len(v), "p50_ms": round(percentile(v, 50), 1),
                           "p95_ms": round(percentile(v, 95), 1), "p99_ms": round(percentile(v, 99), 1),
                           "mean_ms": round(statistics.fmean(v), 1)}
                    for kind, v in sorted(by_kind.items())},
    }
    print(f"{args.clients} clients x {elapsed:.0f} s on 127.0.0.1 (waitress, {args.threads} threads): "
          f"{len(everything):,} requests, {figures['req_per_s']} req/s, {len(errors)} errors")
    print(f"latency ms: p50 {figures['p50_ms']}  p95 {figures['p95_ms']}  p99 {figures['p99_ms']}  "
          f"max {figures['max_ms']}")
    print(f"{'kind':<14} {'n':>6} {'p50':>8} {'p95':>8} {'p99':>8}")
    for kind, f in figures["by_kind"].items():
        print(f"{kind:<14} {f['n']:>6} {f['p50_ms']:>8} {f['p95_ms']:>8} {f['p99_ms']:>8}")
    print(f"server log: {server_tracebacks} tracebacks, {queue_warnings} queue-depth warnings")
    for line in rebuild_log:
        print(line)
    if server_tracebacks:
        print(log_text[-3000:], file=sys.stderr)
    for error in errors[:20]:
        print("ERROR", error, file=sys.stderr)
    if args.json:
        print(json.dumps(figures, indent=2))
    failed_rebuilds = [line for line in rebuild_log if not line.startswith("rebuild exit 0")]
    return 1 if errors or failed_rebuilds or server_tracebacks else 0


if __name__ == "__main__":
    sys.exit(main())
