"""Web UI latency: sequential requests to /search, /api/search and /article pages.

Runs the real app under waitress on a free 127.0.0.1 port and requests it over
HTTP (so the figures include the WSGI server), then the same paths through
Flask's test client (no sockets). Prints p50 / p95 / max per route. Needs a
built index:

    .venv/bin/python -m indexer build corpus --index var/index
    .venv/bin/python benchmarks/webui_latency.py --index var/index [--requests 200]
"""

from __future__ import annotations

import argparse
import threading
import time
import urllib.error
import urllib.request
from itertools import cycle, islice
from pathlib import Path
from urllib.parse import urlencode

from harness import percentile

# A researcher's mix: words, phrases, operators, prefixes, fuzzy, fields, filters, sorts, pages.
SEARCHES: list[dict[str, str]] = [
    {"q": "cocoa"}, {"q": "oil prices"}, {"q": '"crude oil prices"'}, {"q": "coffee AND brazil"},
    {"q": "bank NOT japan"}, {"q": "export*"}, {"q": "sojurn~"}, {"q": "headline:takeover"},
    {"q": "gold OR silver", "sort": "newest"}, {"q": "interest rates", "page": "3"},
    {"q": "trade deficit", "from": "1987-03", "to": "1987-04"},
    {"q": "wheat", "publication": "Reuters"}, {"q": "*", "sort": "oldest"},
    {"q": "federal reserve chairman volcker said"}, {"q": "opec output", "sort": "newest", "page": "2"},
    {"q": "north korean workers"}, {"q": "merger", "from": "1987-06"}, {"q": "shipping strike"},
    {"q": "sugar OR cocoa OR coffee", "per_page": "50"}, {"q": "dividend"},
]


def percentiles(samples: list[float]) -> str:
    return (f"p50 {percentile(samples, 50):7.1f} ms   p95 {percentile(samples, 95):7.1f} ms   "
            f"max {max(samples):7.1f} ms   (n={len(samples)})")


def article_paths(app, n: int) -> list[str]:
    client = app.test_client()
    ids = [h["id"] for h in client.get("/api/search?q=oil&per_page=50").get_json()["hits"]]
    return [f"/article/{i}?q=oil" for i in islice(cycle(ids), n)]


def run(label: str, fetch, paths: list[str]) -> None:
    timings: list[float] = []
    for path in paths:
        started = time.perf_counter()
        status = fetch(path)
        timings.append((time.perf_counter() - started) * 1000)
        if status >= 500:
            raise SystemExit(f"{label}: {path} answered {status}")
    print(f"  {label:<14} {percentiles(timings)}")


def concurrent(clients: int, fetch, paths: list[str]) -> None:
    """`clients` threads share the path list; prints latency and throughput."""
    from concurrent.futures import ThreadPoolExecutor

    def timed(path: str) -> float:
        started = time.perf_counter()
        fetch(path)
        return (time.perf_counter() - started) * 1000

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        timings = list(pool.map(timed, paths))
    seconds = time.perf_counter() - started
    print(f"{clients} concurrent clients over HTTP (waitress threads=4):")
    print(f"  {'/search':<14} {percentiles(timings)}   {len(paths) / seconds:.1f} req/s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, default=Path("var/index"))
    parser.add_argument("--requests", type=int, default=200, help="per route (default 200)")
    parser.add_argument("--clients", type=int, default=8,
                        help="concurrent clients for the /search load run (default 8; 0 skips it)")
    args = parser.parse_args(argv)

    from waitress.server import create_server

    from webui import create_app

    app = create_app(args.index)
    searches = [urlencode(p) for p in islice(cycle(SEARCHES), args.requests)]
    routes = {
        "/search": [f"/search?{s}" for s in searches],
        "/api/search": [f"/api/search?{s}" for s in searches],
        "/article": article_paths(app, args.requests),
    }
    client = app.test_client()
    for paths in routes.values():       # warm caches once: first-request costs are not the steady state
        for path in paths[: len(SEARCHES)]:
            client.get(path)

    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=server.run, daemon=True).start()
    base = f"http://127.0.0.1:{server.effective_port}"

    def over_http(path: str) -> int:
        try:
            with urllib.request.urlopen(base + path, timeout=60) as response:
                response.read()
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code

    def in_process(path: str) -> int:
        return client.get(path).status_code

    print(f"index {args.index}, {args.requests} sequential requests per route, {len(SEARCHES)} distinct searches")
    print("waitress over HTTP (127.0.0.1):")
    for name, paths in routes.items():
        run(name, over_http, paths)
    print("Flask test client (no sockets):")
    for name, paths in routes.items():
        run(name, in_process, paths)
    if args.clients > 0:
        concurrent(args.clients, over_http, routes["/search"])
    server.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
