"""Near-duplicate versions on Reuters-21578: how many groups the index-time MinHash
signatures form, a seeded sample of groups to check by hand, and what the signatures
cost at build time.

    .venv/bin/python benchmarks/duplicates.py --index INDEX_OF_corpus/reuters21578 [--sample 20]

Groups are the connected versions (estimated Jaccard >= duplicates.THRESHOLD) found
with the same lookup the search uses (indexer.duplicates.versions_of).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from indexer import duplicates  # noqa: E402
from indexer.readers import read_source  # noqa: E402
from indexer.schema import article_to_document  # noqa: E402
from indexer.search import Archive  # noqa: E402


def groups_in_index(archive: Archive) -> list[list[int]]:
    searcher = archive._searcher()
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        while parent.get(x, x) != x:
            parent[x] = parent.get(parent[x], parent[x])
            x = parent[x]
        return x

    for docnum in searcher.reader().all_doc_ids():
        for other in duplicates.versions_of(searcher, docnum):
            parent[find(docnum)] = find(other)
    members: dict[int, list[int]] = {}
    for docnum in list(parent):
        members.setdefault(find(docnum), []).append(docnum)
    return [sorted(m) for m in members.values() if len(m) > 1]


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
        duplicates.document_fields(a.headline, a.body)
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
    started = time.process_time()
    groups = groups_in_index(archive)
    took = time.process_time() - started
    sizes = [len(g) for g in groups]
    print(f"{searcher.doc_count():,} articles; {len(groups)} groups of versions holding "
          f"{sum(sizes)} articles (largest {max(sizes) if sizes else 0}); "
          f"lookup {took / max(1, searcher.doc_count()) * 1000:.2f} ms CPU per article")
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
