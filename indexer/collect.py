"""One pass over a query's matches: every matching document (and its score),
the page's order, facet counts, and the matched terms of the hits shown.

Why not Whoosh's collectors: a result page needs the exact total and facet
counts over the whole result set, so every match is visited anyway. Whoosh's
`search(..., groupedby=facets, terms=True)` did that through four wrapping
collectors per document, read each facet value from the segment file, and
recorded the matched terms of every match; `highlights()` then loaded the
character offsets of every matched term for every match, not only for the
hits shown (a prefix query such as `comp*` spent ~0.5 s there). Profiled on
the benchmark queries, those costs were about 60% of a search's CPU.

Here the matcher tree is stepped once in a tight loop (the same matcher
Whoosh's collector would build, with the same context, so the same documents
and the same scores), documents and scores go into arrays, the order is the
collector's (score descending, then document number; or the sort key, then
document number), facets are counted with numpy over cached per-document
codes, and matched terms are found afterwards for the page's hits only.
"""

from __future__ import annotations

from array import array
from typing import Iterable, Sequence

import numpy as np

# Whoosh's ScoredCollector tries to simplify the matcher tree every this many matches
_REPLACE_EVERY = 10


def scan(searcher, q, allowed: np.ndarray | None, scored: bool = True
         ) -> tuple[np.ndarray, np.ndarray | None]:
    """(global document numbers of every match in `allowed`, their scores
    or None when not `scored`), in document order."""
    context = searcher.context(needs_current=True)  # as with terms=True: binary union trees
    found = array("q")
    scores = array("d")
    for subsearcher, offset in searcher.leaf_searchers():
        m = q.matcher(subsearcher, context)
        if not m.is_active():
            continue
        n = subsearcher.doc_count_all()
        allow = allowed[offset:offset + n].tobytes() if allowed is not None else None
        local = array("q")
        add_doc, add_score = local.append, scores.append
        countdown = 0
        while m.is_active():
            if countdown == 0:
                m = m.replace(0)
                if not m.is_active():
                    break
                countdown = _REPLACE_EVERY
            countdown -= 1
            docnum = m.id()
            if allow is None or allow[docnum]:
                add_doc(docnum)
                if scored:
                    add_score(m.score())
            m.next()
        if offset:
            found.extend(d + offset for d in local)
        else:
            found.extend(local)
    docnums = np.frombuffer(found, dtype=np.int64) if found else np.zeros(0, dtype=np.int64)
    if not scored:
        return docnums, None
    return docnums, (np.frombuffer(scores, dtype=np.float64) if scores else np.zeros(0))


def top(keys: np.ndarray, docnums: np.ndarray, limit: int) -> np.ndarray:
    """Positions of the `limit` first matches ordered by key ascending, then
    document number (Whoosh's order: ties go to the lower document number)."""
    n = len(docnums)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    if limit < n:
        kth = np.partition(keys, limit - 1)[limit - 1]
        candidates = np.nonzero(keys <= kth)[0]  # every tie of the last key stays
    else:
        candidates = np.arange(n)
    order = np.lexsort((docnums[candidates], keys[candidates]))
    return candidates[order][:limit]


def facet_counts(codes: np.ndarray, names: Sequence[str], docnums: np.ndarray) -> dict[str, int]:
    """Matches per value of one facet (as Whoosh's groupedby with Count)."""
    if not len(docnums):
        return {}
    counts = np.bincount(codes[docnums], minlength=len(names))
    return {names[i]: int(counts[i]) for i in np.nonzero(counts)[0]}


def matched_terms(searcher, q, docnums: Iterable[int], scored: bool = True
                  ) -> dict[int, list[tuple[str, bytes]]]:
    """For each document in `docnums` (all matches of `q`), the (field, term)
    pairs of the query's term matchers that match it, in matcher-tree order:
    what Whoosh's TermsCollector records, found for these documents only."""
    targets = sorted(set(int(d) for d in docnums))
    out: dict[int, list[tuple[str, bytes]]] = {}
    if not targets:
        return out
    context = searcher.context(needs_current=True)
    for subsearcher, offset in searcher.leaf_searchers():
        n = subsearcher.doc_count_all()
        local = [d - offset for d in targets if offset <= d < offset + n]
        if not local:
            continue
        m = q.matcher(subsearcher, context)
        leaves = list(m.term_matchers())
        for docnum in local:
            if not m.is_active():
                break
            if m.id() < docnum:
                m.skip_to(docnum)
            if not m.is_active() or m.id() != docnum:
                continue
            if scored:
                m.score()  # as the collector does before reading the terms (lazy sub-matchers)
            out[docnum + offset] = [tm.term() for tm in leaves
                                    if tm.is_active() and tm.id() == docnum]
    return out
