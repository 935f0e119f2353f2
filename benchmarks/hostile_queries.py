"""A normal search's latency while 8 clients send the most expensive queries
found (issue 18, item 9), on a real `newsindex serve` (8 threads, 127.0.0.1).

    python benchmarks/hostile_queries.py --index DIR [--before CHECKOUT] [--seconds 40]

DIR is a built index (e.g. of ../shared/corpus/reuters21578). With --before,
the same run is made first with the server of another checkout (a git worktree
of the commit before the query limits), so both rows come from one run on the
same machine. Each phase: one client sends ordinary searches one after another
and records their latency; 8 clients loop over the expensive queries; after
`--seconds` everyone stops (every request has a timeout) and the server is
stopped by pid. Printed: the normal searches' p50/p95/max, how many expensive
requests were answered, refused (400) or unfinished, and the server's CPU and
resident memory (peak, and after the attack).
"""

from __future__ import annotations

import argparse
import itertools
import json
import string
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from harness import Server, free_port, percentile

NORMAL = ["oil", "coffee brazil", '"interest rates"', "gold price", "bank of japan", "sugar exports",
          "wheat", "opec production", "dollar yen", "acquisition"]
TWO_LETTERS = ["".join(p) for p in itertools.product(string.ascii_lowercase, repeat=2)][:250]
EXPENSIVE = [
    "oil *",
    "oil +*e*",
    "body:{a to z}",
    " ".join(f"{w}~2" for w in ("internationalization", "telecommunications", "counterproductively",
                                "incomprehensibilities")),
    " ".join(f"{p}*" for p in TWO_LETTERS),
    "oil -*a*",
]


def _get(port: int, query: str, timeout: float) -> int:
    url = f"http://127.0.0.1:{port}/api/search?" + urllib.parse.urlencode({"q": query})
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def phase(label: str, index: Path, seconds: float, pythonpath: str | None, clients: int = 8) -> dict:
    port = free_port()
    env = ["env", f"PYTHONPATH={pythonpath}"] if pythonpath else []
    cmd = [*env, sys.executable, "-m", "indexer", "serve", "--index", str(index), "--port", str(port),
           "--threads", "8"]
    server = Server(cmd, port, probe="/api/search?q=oil", cwd=Path(pythonpath) if pythonpath else None)
    stop_at = time.monotonic() + seconds
    outcomes: dict[str, int] = {"answered": 0, "refused": 0, "unfinished": 0}
    lock = threading.Lock()

    def attacker(n: int) -> None:
        for query in itertools.cycle(EXPENSIVE[n % len(EXPENSIVE):] + EXPENSIVE[:n % len(EXPENSIVE)]):
            left = stop_at - time.monotonic()
            if left <= 0:
                return
            try:
                status = _get(port, query, timeout=max(1.0, left))
                kind = "answered" if status == 200 else "refused" if status == 400 else "unfinished"
            except OSError:
                kind = "unfinished"
            with lock:
                outcomes[kind] += 1

    cpu_before = server.cpu()
    attackers = [threading.Thread(target=attacker, args=(n,), daemon=True) for n in range(clients)]
    for thread in attackers:
        thread.start()
    time.sleep(1)
    latencies: list[float] = []
    timeouts = 0
    for query in itertools.cycle(NORMAL):
        if time.monotonic() >= stop_at:
            break
        started = time.monotonic()
        try:
            _get(port, query, timeout=120)
            latencies.append(time.monotonic() - started)
        except OSError:
            timeouts += 1
    for thread in attackers:
        thread.join(timeout=130)
    _, peak = server.memory_mb()
    time.sleep(2)
    rss, _ = server.memory_mb()
    cpu = server.cpu() - cpu_before
    server.stop()
    return {"server": label, "clients": clients, "normal_searches": len(latencies), "normal_timeouts": timeouts,
            "p50_ms": round(percentile(latencies, 50) * 1000, 1), "p95_ms": round(percentile(latencies, 95) * 1000, 1),
            "max_ms": round(max(latencies, default=float("nan")) * 1000, 1), **outcomes,
            "server_cpu_s": round(cpu, 1), "peak_rss_mb": round(peak), "rss_after_mb": round(rss)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--before", type=Path, help="a checkout whose server to measure first")
    parser.add_argument("--seconds", type=float, default=40.0)
    parser.add_argument("--clients", type=int, default=8, help="clients sending expensive queries (0: a baseline)")
    args = parser.parse_args(argv)
    rows = []
    if args.before:
        before = str(args.before.resolve())
        rows.append(phase(f"before ({args.before.name})", args.index.resolve(), args.seconds, before, args.clients))
    rows.append(phase("this checkout", args.index.resolve(), args.seconds, None, args.clients))
    for row in rows:
        print(json.dumps(row))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
