"""Body-extraction quality and speed of the HTML cleaner on the Zyte article-extraction benchmark.

Scores with the benchmark's own metric (\\w+ tokens, word 4-gram shingle multisets,
per-page precision/recall means, F1 of the means), prints the published figures of
other tools beside ours, the even/odd holdout split, and writes per-page scores to
benchmarks/out/cleaning-pages.tsv so that regressions show page by page.

    .venv/bin/python benchmarks/cleaning.py [PATH_TO_BENCHMARK] [--metadata]
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bs4 import BeautifulSoup  # noqa: E402

from indexer.ingest.encoding import decode_bytes, sniff_declared_charset  # noqa: E402
from indexer.ingest.html import clean_html  # noqa: E402

DEFAULT_PATH = REPO.parent / "shared" / "corpus" / "article-extraction-benchmark"
OUT = REPO / "benchmarks" / "out" / "cleaning-pages.tsv"
METADATA_SAMPLES = [("sample seen while tuning", REPO / "benchmarks" / "metadata-truth.json"),
                    ("held-out sample", REPO / "benchmarks" / "metadata-holdout.json")]

# Published in the benchmark's README ("Results of the latest evaluation"): F1, P, R.
PUBLISHED = [
    ("rs_trafilatura (9261e08)", 0.970, 0.951, 0.990),
    ("go_trafilatura (ae7ea06)", 0.960, 0.940, 0.980),
    ("trafilatura 2.0.0", 0.958, 0.938, 0.978),
    ("readability_js 0.6.0", 0.947, 0.914, 0.982),
    ("go_readability (9f5bf5c)", 0.934, 0.900, 0.971),
    ("go_domdistiller (25b8d04)", 0.927, 0.901, 0.956),
    ("readability-lxml 0.8.4.1", 0.922, 0.913, 0.931),
    ("goose3 3.1.20", 0.896, 0.940, 0.856),
    ("justext 3.0.2", 0.804, 0.858, 0.756),
    ("beautifulsoup 4.13.5 (all text)", 0.665, 0.499, 0.994),
]

_TOKEN = re.compile(r"\w+", re.UNICODE)


def shingles(text: str, n: int = 4) -> Counter:
    tokens = _TOKEN.findall(text or "")
    return Counter(" ".join(tokens[i:i + n]) for i in range(max(1, len(tokens) - n + 1))
                   if tokens[i:i + n])


def page_scores(truth: str, predicted: str) -> tuple[float, float]:
    """Per-page precision and recall over shingle multisets, as the benchmark defines them."""
    t, p = shingles(truth), shingles(predicted)
    tp = sum((t & p).values())
    fp = sum((p - t).values())
    fn = sum((t - p).values())
    if fp == 0 and fn == 0:
        return 1.0, 1.0
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return precision, recall


def summarise(rows: list[tuple[float, float]]) -> tuple[float, float, float]:
    if not rows:
        return 0.0, 0.0, 0.0
    p = statistics.fmean(r[0] for r in rows)
    r = statistics.fmean(r[1] for r in rows)
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return f1, p, r


def bootstrap_sd(rows: list[tuple[float, float]], samples: int = 1000) -> float:
    """Standard deviation of F1 over resamples of the pages (as the benchmark reports ±)."""
    rng = random.Random(0)
    f1s = [summarise([rows[rng.randrange(len(rows))] for _ in rows])[0] for _ in range(samples)]
    return statistics.stdev(f1s)


def load_peer(path: Path) -> dict[str, str]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        data = json.load(fh)
    if isinstance(data, dict) and "output" in data and isinstance(data["output"], dict):
        data = data["output"]
    return {k: (v or {}).get("articleBody") or "" for k, v in data.items()}


def _names(value: str | None) -> set[str]:
    return {n.strip().lower() for n in (value or "").split(",") if n.strip()}


def metadata_accuracy(label: str, truth_file: Path, pages: dict) -> list[str]:
    """Headline / author / date accuracy on the hand-checked sample (see the file's _about).
    Headline: equal after collapsing whitespace; author: same set of names, case-insensitive;
    date: same UTC day."""
    truth = {k: v for k, v in json.loads(truth_file.read_text("utf-8")).items() if not k.startswith("_")}
    hits = {"headline": 0, "author": 0, "date": 0}
    misses: list[str] = []
    for prefix, expected in truth.items():
        page = next(p for k, p in pages.items() if k.startswith(prefix))
        got = {"headline": " ".join(page.headline.split()), "author": page.author,
               "date": page.date.date().isoformat() if page.date else None}
        checks = {"headline": got["headline"] == " ".join(expected["headline"].split()),
                  "author": _names(got["author"]) == _names(expected["author"]),
                  "date": got["date"] == expected["date"]}
        for field, ok in checks.items():
            hits[field] += ok
            if not ok:
                misses.append(f"  {prefix} {field}: got {got[field]!r}, page says {expected[field]!r}")
    n = len(truth)
    lines = [f"metadata, {label} ({n} hand-checked pages): " + ", ".join(f"{f} {hits[f]}/{n} ({hits[f] / n:.0%})" for f in hits)]
    return lines + misses


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("path", nargs="?", type=Path, default=DEFAULT_PATH)
    ap.add_argument("--repeat", type=int, default=3, help="time each page this many times (median)")
    args = ap.parse_args()
    truth = json.loads((args.path / "ground-truth.json").read_text(encoding="utf-8"))
    keys = sorted(truth)

    rows: dict[str, tuple[float, float]] = {}
    pages: dict = {}
    times: list[float] = []
    baseline: list[float] = []
    for key in keys:
        raw = gzip.decompress((args.path / "html" / f"{key}.html.gz").read_bytes())
        best = None
        for _ in range(args.repeat):
            start = time.perf_counter()
            page = clean_html(decode_bytes(raw, sniff_declared_charset(raw)), truth[key].get("url"))
            elapsed = time.perf_counter() - start
            best = elapsed if best is None else min(best, elapsed)
        times.append(best * 1000)
        text = decode_bytes(raw, sniff_declared_charset(raw))
        start = time.perf_counter()
        BeautifulSoup(text, "lxml").get_text()
        baseline.append((time.perf_counter() - start) * 1000)
        rows[key] = page_scores(truth[key]["articleBody"], page.body)
        pages[key] = page

    f1, p, r = summarise(list(rows.values()))
    spread = bootstrap_sd([rows[k] for k in keys])
    even = [rows[k] for i, k in enumerate(keys) if i % 2 == 0]
    odd = [rows[k] for i, k in enumerate(keys) if i % 2 == 1]

    # our scorer checked on published outputs of other tools, when present; also split
    # even/odd so that the difficulty of each half shows
    peer_lines = []
    for tool in ("trafilatura", "readability", "readability_js", "go_trafilatura"):
        peer_file = args.path / "peer-outputs" / f"{tool}.json.gz"
        if not peer_file.exists():
            continue
        peer = load_peer(peer_file)
        scored = [page_scores(truth[k]["articleBody"], peer.get(k, "")) for k in keys]
        pf1, pp, pr = summarise(scored)
        ef1 = summarise(scored[0::2])[0]
        of1 = summarise(scored[1::2])[0]
        peer_lines.append(f"  {tool:18} rescored here: F1 {pf1:.3f} P {pp:.3f} R {pr:.3f}; even {ef1:.3f}, odd {of1:.3f}")

    print(f"{len(keys)} pages from {args.path}")
    print(f"{'tool':34} {'F1':>6} {'P':>6} {'R':>6}")
    print(f"{'newsindex html cleaner (this)':34} {f1:6.3f} {p:6.3f} {r:6.3f}   <- F1 ±{spread:.3f} (bootstrap sd)")
    for name, pf1, pp, pr in PUBLISHED:
        print(f"{name:34} {pf1:6.3f} {pp:6.3f} {pr:6.3f}")
    if peer_lines:
        print("published outputs of other tools, rescored with this script (scorer check):")
        print("\n".join(peer_lines))
    for label, part in (("even-indexed pages (tuned on)", even), ("odd-indexed pages (held out)", odd)):
        hf1, hp, hr = summarise(part)
        print(f"{label:34} {hf1:6.3f} {hp:6.3f} {hr:6.3f}  n={len(part)}")
    print(f"ms/page (decode + parse + clean): median {statistics.median(times):.1f}, "
          f"mean {statistics.fmean(times):.1f}, max {max(times):.1f} "
          f"(best of {args.repeat} runs per page)")
    print(f"baseline on this machine, BeautifulSoup(lxml) parse + get_text only: "
          f"median {statistics.median(baseline):.1f} ms/page")

    for label, truth_file in METADATA_SAMPLES:
        if truth_file.exists():
            print("\n".join(metadata_accuracy(label, truth_file, pages)))

    OUT.parent.mkdir(parents=True, exist_ok=True)
    with open(OUT, "w", encoding="utf-8") as fh:
        fh.write("key\tsplit\tprecision\trecall\tf1\turl\n")
        for i, key in enumerate(keys):
            pp, rr = rows[key]
            ff = 2 * pp * rr / (pp + rr) if pp + rr else 0.0
            fh.write(f"{key}\t{'even' if i % 2 == 0 else 'odd'}\t{pp:.4f}\t{rr:.4f}\t{ff:.4f}\t{truth[key].get('url', '')}\n")
    print(f"per-page scores: {OUT.relative_to(REPO)}")


if __name__ == "__main__":
    main()
