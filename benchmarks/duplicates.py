"""Near-duplicate versions on Reuters-21578: how many groups the index-time MinHash
signatures form, a seeded sample of groups to check by hand, and what the signatures
cost at build time.

    .venv/bin/python benchmarks/duplicates.py --index INDEX_OF_corpus/reuters21578 [--sample 20]

Groups are the connected versions (estimated Jaccard >= versions.THRESHOLD, at most
versions.MAX_DAYS_APART days apart), the same test the search applies to a ranked page.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from indexer import Archive, SearchRequest  # noqa: E402
from indexer.index import signatures  # noqa: E402
from indexer.index.schema import article_to_document  # noqa: E402
from indexer.ingest import read_source  # noqa: E402
from indexer.search import versions  # noqa: E402


def groups_in_index(archive: Archive, bands: int = 16) -> list[list[int]]:
    """Every group of versions in the index: LSH buckets over the stored
    signatures (16 bands of 4 rows) to find candidates, the same similarity
    test as the search to confirm them, connected components as groups."""
    searcher = archive._searcher()
    docnums = list(searcher.reader().all_doc_ids())
    sigs, present = versions.signatures_of(searcher, docnums)
    days = versions.days_of(searcher, docnums)
    rows = signatures.NUM_PERM // bands
    parent = list(range(len(docnums)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for band in range(bands):
        buckets: dict[bytes, list[int]] = {}
        for i in np.nonzero(present)[0]:
            buckets.setdefault(sigs[i, band * rows:(band + 1) * rows].tobytes(), []).append(i)
        for members in buckets.values():
            for j in members[1:]:
                a, b = members[0], j
                apart = abs(days[a] - days[b])
                if (signatures.similarity(sigs[a], sigs[b]) >= versions.THRESHOLD
                        and not apart > versions.MAX_DAYS_APART):
                    parent[find(j)] = find(members[0])
    groups: dict[int, list[int]] = {}
    for i in range(len(docnums)):
        groups.setdefault(find(i), []).append(docnums[i])
    return [sorted(g) for g in groups.values() if len(g) > 1]


def grouping_cost(archive: Archive, queries: list[str]) -> tuple[float, float]:
    """CPU ms per result page with and without grouping versions."""
    out = []
    for grouped in (False, True):
        started = time.process_time()
        for q in queries:
            archive.search(SearchRequest(query=q, group_versions=grouped))
        out.append((time.process_time() - started) / len(queries) * 1000)
    return out[0], out[1]


def signature_cost(corpus: Path) -> tuple[int, float, float]:
    articles = []
    for path in sorted(corpus.glob("*.jsonl*")):
        articles += [a for a in read_source(path, str(path)) if hasattr(a, "body")]
    started = time.process_time()  # CPU time: the machine is shared
    for a in articles:
        article_to_document(a)
    with_sig = time.process_time() - started
    started = time.process_time()
    for a in articles:
        signatures.document_fields(a.headline, a.body)
    sig_only = time.process_time() - started
    return len(articles), with_sig, sig_only


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--index", required=True)
    ap.add_argument("--corpus", default=str(REPO / "corpus" / "reuters21578"))
    ap.add_argument("--sample", type=int, default=20)
    ap.add_argument("--seed", type=int, default=20)
    args = ap.parse_args(argv)

    archive = Archive(args.index)
    searcher = archive._searcher()
    groups = groups_in_index(archive)
    sizes = [len(g) for g in groups]
    print(f"{searcher.doc_count():,} articles; {len(groups)} groups of versions holding "
          f"{sum(sizes)} articles (largest {max(sizes) if sizes else 0})")
    queries = ["oil", "bank rate cut", "coffee brazil quotas", "gold", "trade deficit japan",
               "opec", "takeover bid", "wheat exports", "dollar yen", "earnings"]
    plain, grouped = grouping_cost(archive, queries * 3)
    print(f"search CPU per page of 10: {plain:.1f} ms listing every article, "
          f"{grouped:.1f} ms grouping versions")
    exact = sum(len({(searcher.stored_fields(d)['headline'], searcher.stored_fields(d)['body'])
                     for d in g}) == 1 for g in groups)
    print(f"{exact} groups are exact copies (same headline and body), {len(groups) - exact} differ")
    rng = random.Random(args.seed)
    for g in rng.sample(groups, min(args.sample, len(groups))):
        print("----")
        first = searcher.stored_fields(g[0])
        for d in g:
            f = searcher.stored_fields(d)
            same = "same text" if (f["headline"], f["body"]) == (first["headline"], first["body"]) else "edited"
            print(f"  {f['id']:>14} {same:9} {f['headline'][:70]} | {' '.join(f['body'].split())[:90]}")
    n, with_sig, sig_only = signature_cost(Path(args.corpus))
    print(f"build cost (CPU): article_to_document {with_sig / n * 1000:.3f} ms per article, "
          f"of which the signature {sig_only / n * 1000:.3f} ms ({sig_only:.1f} s for {n:,} articles)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
