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
from bisect import bisect_right
from itertools import chain
from typing import Iterable, Sequence

import numpy as np

from indexer import whoosh_internals
from indexer.search import cost

# Whoosh's ScoredCollector tries to simplify the matcher tree every this many matches
_REPLACE_EVERY = 10


class Matches:
    """Every match of a query (global document numbers, in order, and their
    scores), and what the array evaluation saw of each segment's matcher
    tree, from which the matched terms of any match can be read."""

    def __init__(self) -> None:
        self.docnums = _EMPTY_IDS
        self.scores: np.ndarray | None = None
        self.traces: list[tuple[int, int, object, "_Trace"]] = []  # (offset, count, root, trace)

    def posting_value(self, docnum: int, key: tuple[str, bytes]):
        """The posting value (encoded positions/characters) of term `key` in a
        matched document, from the blocks the scan read; None when not read."""
        for offset, count, _root, trace in self.traces:
            if offset <= docnum < offset + count:
                entry = trace.memo.get(key)
                if entry is None or entry[3] is None:
                    return None
                _start, ids, _tf, values = entry
                local = docnum - offset
                at = int(np.searchsorted(ids, local))
                return values[at] if at < len(ids) and ids[at] == local else None
        return None


def scan(searcher, q, allowed: np.ndarray | None, scored: bool = True) -> Matches:
    """Every match of `q` in `allowed` (scores only when `scored`)."""
    context = searcher.context(needs_current=True)  # as with terms=True: binary union trees
    found: list[np.ndarray] = []
    found_scores: list[np.ndarray] = []
    out = Matches()
    for subsearcher, offset in searcher.leaf_searchers():
        m = q.matcher(subsearcher, context)
        if not m.is_active():
            continue
        trace = _Trace(scored)
        ids, scores = _evaluate(m, subsearcher.reader(), scored, trace.memo, trace)
        out.traces.append((offset, subsearcher.doc_count_all(), m, trace))
        if allowed is not None and len(ids):
            keep = allowed[offset:offset + subsearcher.doc_count_all()][ids]
            ids = ids[keep]
            scores = scores[keep] if scored else None
        found.append(ids + offset if offset else ids)
        if scored:
            found_scores.append(scores)
    out.docnums = np.concatenate(found) if found else np.zeros(0, dtype=np.int64)
    if scored:
        out.scores = np.concatenate(found_scores) if found_scores else np.zeros(0)
    return out


class _Trace:
    """The documents each node of a matcher tree matched (by node id), for
    reading matched terms afterwards; `exact` is False when a node was
    stepped by Whoosh or left positioned lazily (then terms are found by
    stepping a new matcher instead)."""

    def __init__(self, scored: bool) -> None:
        self.scored = scored
        self.ids: dict[int, tuple[object, np.ndarray]] = {}
        self.exact = True
        self.memo: dict = {}  # term -> (first id read, ids, weights, values) of this search

    def keep(self, m, ids: np.ndarray) -> None:
        self.ids[id(m)] = (m, ids)


def terms_of(searcher, q, matches: Matches, docnums: Sequence[int]
             ) -> dict[int, list[tuple[str, bytes]]]:
    """For each of `docnums` (matches), the (field, term) pairs Whoosh's
    TermsCollector records for it: the tree's term matchers positioned on
    the document when it is collected, in tree order. A node is positioned on
    a match d exactly when d is among its own matches and among those of
    every node above it (unions advance every child to d; an intersection,
    phrase or exclusion moves past documents it does not match)."""
    out: dict[int, list[tuple[str, bytes]]] = {}
    if not all(trace.exact for *_, trace in matches.traces):
        return matched_terms(searcher, q, docnums, scored=matches.scores is not None)
    for offset, count, root, trace in matches.traces:
        local = np.array(sorted(int(d) - offset for d in docnums if offset <= d < offset + count),
                         dtype=np.int64)
        if not len(local):
            continue
        found: dict[int, list] = {int(d): [] for d in local}
        _collect_terms(root, local, trace, found)
        for d, terms in found.items():
            out[d + offset] = terms
    return out


def _collect_terms(m, docs: np.ndarray, trace: _Trace, found: dict) -> None:
    """Add m's term to the documents among `docs` that m matches; recurse."""
    entry = trace.ids.get(id(m))
    if entry is None:
        return  # a node not reached (empty, inactive): positioned on none of them
    ids = entry[1]
    at = np.searchsorted(ids, docs)
    inside = (at < len(ids))
    inside[inside] = ids[at[inside]] == docs[inside]
    docs = docs[inside]
    if not len(docs):
        return
    term = m.term()
    if term is not None:
        for d in docs:
            found[int(d)].append(term)
        return
    for child in _children(m):
        _collect_terms(child, docs, trace, found)


def _children(m) -> list:
    from whoosh.query.spans import SpanNear2

    if type(m) is SpanNear2.SpanNear2Matcher:
        return list(m.ms)
    return list(m.children())


# -- matcher trees as arrays ------------------------------------------------------
# Whoosh scores one document at a time through a tree of matcher objects
# (~10 Python calls per posting and tree level). The trees a search builds are
# mostly unions, intersections, exclusions and boosts over term postings, so
# they are evaluated here a whole posting list at a time: a term's document
# numbers and BM25F scores come from its posting blocks and the segment's
# field lengths with numpy, and each tree node combines its children's arrays
# with the same arithmetic in the same order as the node's score() (a + b,
# child * boost), so every score is the same float. A node of any other kind
# (phrases, spans, coordination, ...) is stepped by Whoosh itself, as before.

def _evaluate(m, reader, scored: bool, memo: dict, trace: _Trace) -> tuple[np.ndarray, np.ndarray | None]:
    ids, scores = _evaluate_node(m, reader, scored, memo, trace)
    trace.keep(m, ids)
    return ids, scores


def _evaluate_node(m, reader, scored: bool, memo: dict, trace: _Trace):
    """Every (document number, score) a matcher would yield from where it is
    (`memo` keeps the postings read during one search: the all-words query
    and the any-word query share their terms). Each matcher kind has its
    evaluation in `_EVALUATORS`; a kind without one, or an evaluation that
    returns None (a case it does not compute), is stepped by Whoosh."""
    cost.check_time()
    if not m.is_active():
        return _EMPTY_IDS, (_EMPTY_SCORES if scored else None)
    evaluate = _evaluators().get(type(m))
    if evaluate is not None:
        found = evaluate(m, reader, scored, memo, trace)
        if found is not None:
            return found
    trace.exact = False
    return _step(m, scored)


def _empty(m, reader, scored: bool, memo: dict, trace: _Trace):
    return _EMPTY_IDS, (_EMPTY_SCORES if scored else None)


def _term(m, reader, scored: bool, memo: dict, trace: _Trace):
    return _leaf(m, reader, scored, memo)


def _boosted(m, reader, scored: bool, memo: dict, trace: _Trace):
    ids, scores = _evaluate(m.child, reader, scored, memo, trace)
    return ids, (scores * m.boost if scored else None)


def _filtered(m, reader, scored: bool, memo: dict, trace: _Trace):
    ids, scores = _evaluate(m.child, reader, scored, memo, trace)
    listed_ids, exclude = whoosh_internals.filter_ids(m)
    listed = np.isin(ids, np.fromiter(listed_ids, dtype=np.int64))
    keep = ~listed if exclude else listed
    return ids[keep], (scores[keep] * m.boost if scored else None)


def _constant(m, reader, scored: bool, memo: dict, trace: _Trace):
    ids, _ = _evaluate(m.child, reader, False, memo, trace)
    return ids, (np.full(len(ids), float(m.boost)) if scored else None)


def _either(m, reader, scored: bool, memo: dict, trace: _Trace):
    a_ids, a_scores = _evaluate(m.a, reader, scored, memo, trace)
    b_ids, b_scores = _evaluate(m.b, reader, scored, memo, trace)
    ids = _union(a_ids, b_ids)
    if not scored:
        return ids, None
    scores = np.zeros(len(ids))
    scores[np.searchsorted(ids, a_ids)] = a_scores
    scores[np.searchsorted(ids, b_ids)] += b_scores  # a + b where both match
    return ids, scores


def _both(m, reader, scored: bool, memo: dict, trace: _Trace):
    a_ids, a_scores = _evaluate(m.a, reader, scored, memo, trace)
    b_ids, b_scores = _evaluate(m.b, reader, scored, memo, trace)
    ids, ia, ib = _intersect(a_ids, b_ids)
    return ids, (a_scores[ia] + b_scores[ib] if scored else None)


def _first_not_second(m, reader, scored: bool, memo: dict, trace: _Trace):
    a_ids, a_scores = _evaluate(m.a, reader, scored, memo, trace)
    b_ids, _ = _evaluate(m.b, reader, False, memo, trace)
    keep = ~np.isin(a_ids, b_ids, assume_unique=True)
    return a_ids[keep], (a_scores[keep] if scored else None)


def _first_maybe_second(m, reader, scored: bool, memo: dict, trace: _Trace):
    a_ids, a_scores = _evaluate(m.a, reader, scored, memo, trace)
    if not scored:
        trace.exact = False  # unscored, Whoosh leaves b where it was: step to know
        return a_ids, None
    b_ids, b_scores = _evaluate(m.b, reader, scored, memo, trace)
    _found, ia, ib = _intersect(a_ids, b_ids)
    scores = a_scores.copy()
    scores[ia] = a_scores[ia] + b_scores[ib]
    return a_ids, scores


_EVALUATORS: dict = {}


def _evaluators() -> dict:
    """Matcher class -> its array evaluation (Whoosh is imported on first use)."""
    if not _EVALUATORS:
        from whoosh.matching import (
            AndMaybeMatcher,
            AndNotMatcher,
            IntersectionMatcher,
            NullMatcherClass,
            UnionMatcher,
            WrappingMatcher,
        )
        from whoosh.matching.wrappers import FilterMatcher
        from whoosh.query.spans import SpanNear2

        from indexer.search.ranking import AllWordsBonusMatcher

        table = {kind: _term for kind in _leaf_kinds()}
        table.update({
            NullMatcherClass: _empty,
            SpanNear2.SpanNear2Matcher: _phrase,
            WrappingMatcher: _boosted,
            FilterMatcher: _filtered,
            AllWordsBonusMatcher: _constant,
            UnionMatcher: _either,
            IntersectionMatcher: _both,
            AndNotMatcher: _first_not_second,
            AndMaybeMatcher: _first_maybe_second,
        })
        _EVALUATORS.update(table)
    return _EVALUATORS


def _union(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """`np.union1d` of two ascending id arrays without repeats, by a stable
    sort (two sorted runs: a merge) instead of numpy 2's hashing unique,
    which profiles showed at 20x the cost."""
    if not len(a) or not len(b):
        return a if len(b) == 0 else b
    c = np.concatenate((a, b))
    c.sort(kind="stable")
    return _distinct_sorted(c)


def _intersect(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`np.intersect1d(a, b, assume_unique=True, return_indices=True)` for
    ascending id arrays: the shorter one looked up in the longer by bisection."""
    if len(a) > len(b):
        ids, ib, ia = _intersect(b, a)
        return ids, ia, ib
    if not len(a) or not len(b):
        return _EMPTY_IDS, _EMPTY_IDS, _EMPTY_IDS
    at = np.searchsorted(b, a)
    np.minimum(at, len(b) - 1, out=at)
    hit = b[at] == a
    return a[hit], np.flatnonzero(hit), at[hit]


_EMPTY_IDS = np.zeros(0, dtype=np.int64)
_EMPTY_SCORES = np.zeros(0, dtype=np.float64)
_LENGTHS = None  # float64[256]: field length of each length byte


def _step(m, scored: bool) -> tuple[np.ndarray, np.ndarray | None]:
    """Whoosh's own way: one document at a time (for matchers not evaluated as arrays)."""
    ids = array("q")
    scores = array("d")
    while m.is_active():
        ids.append(m.id())
        if scored:
            scores.append(m.score())
        m.next()
        if not len(ids) % 4096:
            cost.check_time()
    return (np.frombuffer(ids, dtype=np.int64) if ids else _EMPTY_IDS,
            (np.frombuffer(scores, dtype=np.float64) if scores else _EMPTY_SCORES) if scored else None)


def _leaf(m, reader, scored: bool, memo: dict):
    """A term's postings from the matcher's position on, scored as BM25F
    would score them one by one; None when the scorer or the lengths are not
    the kind computed here."""
    lengths = _scorable_lengths(m, reader) if scored else None
    if scored and lengths is None:
        return None
    ids, tf, _values = _postings(m, reader, scored, False, memo)
    if not scored:
        return ids, None
    scores = _bm25(m.scorer, lengths, ids, tf)
    return None if scores is None else (ids, scores)


def _scorable_lengths(m, reader) -> np.ndarray | None:
    """The field-length bytes for a leaf scored with BM25F, else None."""
    from whoosh.scoring import BM25FScorer

    scorer = m.scorer
    if scorer is None or type(scorer) is not BM25FScorer:
        return None
    return whoosh_internals.length_bytes(reader, scorer.dfl)


def _postings(m, reader, weights: bool, values: bool, memo: dict):
    """`_blocks`, reusing what this search already read of the same term
    from the same or an earlier position."""
    cost.check_time()
    if not m.is_active():
        return _EMPTY_IDS, (_EMPTY_SCORES if weights else None), (TermValues([]) if values else None)
    key = m.term()
    array_leaf = getattr(m, "at_first_posting", None) is not None
    # an array matcher's position without making its per-posting list
    start = int(m.block_ids()[m.position_in_block()]) if array_leaf else m.id()
    found = memo.get(key)
    if found is not None and found[0] <= start and (found[2] is not None or not weights) \
            and (found[3] is not None or not values):
        _, ids, tf, vs = found
        at = int(np.searchsorted(ids, start))
        return (ids[at:], tf[at:] if weights else None,
                vs.tail(at) if values else None)
    # read the whole list once (another matcher of the term may start earlier)
    if array_leaf and m.at_first_posting():
        fresh = m  # an array matcher that has not moved: it is the whole list
    else:
        fresh = reader.postings(*key) if key in reader else None
    if type(fresh) in _leaf_kinds() and fresh.is_active():
        ids, tf, vs = _blocks(fresh, weights, values)
        memo[key] = (-1, ids, tf, vs)
        at = int(np.searchsorted(ids, start))
        return ids[at:], (tf[at:] if weights else None), (vs.tail(at) if values else None)
    ids, tf, vs = _blocks(m, weights, values)
    memo[key] = (start, ids, tf, vs)
    return ids, tf, vs


def _blocks(m, weights: bool, values: bool):
    """(ids, weights or None, values or None) of a leaf's postings from
    where it is to the end (the matcher is used up). Variable-size values
    (positions, characters) come with W3's block data at no extra cost and are
    kept even when not asked for: snippets read the shown hits' offsets there.
    Array blocks (indexer.index.codec) read their values only when asked."""
    from indexer.index.codec import BlockArrayMatcher

    if type(m) is BlockArrayMatcher:
        return _array_blocks(m, weights, values)
    id_parts, weight_parts, value_parts, keep_values = whoosh_internals.w3_blocks(m, weights, values)
    ids = np.concatenate(id_parts) if id_parts else _EMPTY_IDS
    tf = (np.concatenate(weight_parts) if weight_parts else _EMPTY_SCORES) if weights else None
    return ids, tf, (TermValues(value_parts) if keep_values else None)


def _array_blocks(m, weights: bool, values: bool):
    """`_blocks` for array blocks: numpy arrays straight from each block."""
    id_parts, weight_parts, value_parts = [], [], []
    while m.is_active():
        i = m.position_in_block()
        block_ids = m.block_ids()
        id_parts.append(block_ids[i:] if i else block_ids)
        if weights:
            block_weights = m.block_weights()
            weight_parts.append(block_weights[i:] if i else block_weights)
        if values:
            value_parts.append((m.block_values(), i))
        m.next_block()
    ids = _joined(id_parts, _EMPTY_IDS)
    tf = _joined(weight_parts, _EMPTY_SCORES) if weights else None
    return ids, tf, (TermValues(value_parts) if values else None)


def _joined(parts: list, empty: np.ndarray) -> np.ndarray:
    return parts[0] if len(parts) == 1 else np.concatenate(parts) if parts else empty


_LEAF_KINDS: tuple = ()


def _leaf_kinds() -> tuple:
    """The on-disk term matchers read as arrays: W3's and indexer.index.codec's."""
    global _LEAF_KINDS
    if not _LEAF_KINDS:
        from whoosh.codec.whoosh3 import W3LeafMatcher

        from indexer.index.codec import BlockArrayMatcher
        _LEAF_KINDS = (W3LeafMatcher, BlockArrayMatcher)
    return _LEAF_KINDS


class TermValues:
    """The posting values (positions, characters) of a term, across its
    blocks: kept as each block's own sequence (W3's tuples, or
    `codec.BlockValues`), looked up by posting number, never copied."""

    def __init__(self, parts: list, offset: int = 0, starts: list[int] | None = None) -> None:
        self._parts = parts  # (block values, first posting used in the block)
        if starts is None:
            starts, total = [], 0
            for values, first in parts:
                starts.append(total)
                total += len(values) - first
        self._starts = starts
        self._offset = offset

    def __getitem__(self, k: int):
        k = int(k) + self._offset
        j = bisect_right(self._starts, k) - 1
        values, first = self._parts[j]
        return values[first + k - self._starts[j]]

    def pick(self, ks: np.ndarray) -> list:
        """The values at posting numbers `ks` (ascending), in one pass."""
        if not len(ks):
            return []
        ks = ks + self._offset
        starts = np.asarray(self._starts, dtype=np.int64)
        blocks = np.searchsorted(starts, ks, side="right") - 1
        inner = ks - starts[blocks]
        parts = self._parts
        return [parts[j][0][parts[j][1] + i] for j, i in zip(blocks.tolist(), inner.tolist())]

    def int32_occurrences(self, ks: np.ndarray, stride: int) -> tuple[np.ndarray, np.ndarray] | None:
        """`codec.BlockValues.int32_occurrences` over the blocks, for posting
        numbers `ks` (ascending); None unless every block is an array block."""
        if not all(hasattr(values, "int32_occurrences") for values, _ in self._parts):
            return None
        if not len(ks):
            return _EMPTY_IDS, _EMPTY_IDS
        ks = ks + self._offset
        starts = np.asarray(self._starts, dtype=np.int64)
        blocks = np.searchsorted(starts, ks, side="right") - 1
        firsts = np.fromiter((first for _, first in self._parts), dtype=np.int64, count=len(self._parts))
        inner = ks - starts[blocks] + firsts[blocks]
        bounds = np.flatnonzero(np.diff(blocks)) + 1  # ks ascend: each block's rows are one run
        counts, numbers = [], []
        for lo, hi in zip([0, *bounds.tolist()], [*bounds.tolist(), len(ks)]):
            c, n = self._parts[int(blocks[lo])][0].int32_occurrences(inner[lo:hi], stride)
            counts.append(c)
            numbers.append(n)
        return np.concatenate(counts), np.concatenate(numbers)

    def tail(self, at: int) -> "TermValues":
        return TermValues(self._parts, self._offset + int(at), self._starts)


def _bm25(scorer, lengths: np.ndarray, ids: np.ndarray, tf: np.ndarray) -> np.ndarray | None:
    """BM25F scores of postings, the same floats as BM25FScorer.score()."""
    global _LENGTHS
    codes = np.zeros(len(ids), dtype=np.uint8)
    inside = ids < len(lengths)
    codes[inside] = lengths[ids[inside]]
    if len(codes) and not codes.all():
        return None  # Whoosh would score a length of None here: let it
    if _LENGTHS is None:
        from indexer.search.searchers import LENGTH_OF_BYTE
        _LENGTHS = np.array(LENGTH_OF_BYTE, dtype=np.float64)
    fl = _LENGTHS[codes]
    idf, avgfl, B, K1 = scorer.idf, scorer.avgfl, scorer.B, scorer.K1
    # bm25(): idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / avgfl))), same order
    return idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / avgfl)))


def _phrase(m, reader, scored: bool, memo: dict, trace: _Trace):
    """An exact phrase (Whoosh's SpanNear2 with slop 1, in order): documents
    with the words at consecutive positions, scored as the sum of the words'
    BM25F scores in the matcher's binary-tree order. None when not that case."""
    leaves = m.ms
    if (m.slop, m.ordered, m.mindist) != (1, True, 1) or len(leaves) < 2 \
            or any(type(leaf) not in _leaf_kinds() for leaf in leaves):
        return None
    lengths = [_scorable_lengths(leaf, reader) for leaf in leaves] if scored else None
    if scored and any(x is None for x in lengths):
        return None
    read = [_postings(leaf, reader, scored, True, memo) for leaf in leaves]
    # candidates: documents with every word
    ids = read[0][0]
    for other_ids, _, _ in read[1:]:
        ids = _intersect(ids, other_ids)[0]
    where = [np.searchsorted(leaf_ids, ids) for leaf_ids, _, _ in read]
    order = sorted(range(len(leaves)), key=lambda k: len(read[k][0]))  # rarest word first
    # (candidate << 32 | start position) still possible; each word narrows them down
    alive = np.arange(len(ids))
    starts = None
    for k in order:
        if not len(alive):
            break
        owner, positions = _positions(read[k][2], where[k][alive], leaves[k].format)
        shifted = positions - k
        fits = shifted >= 0
        keys = (alive[owner[fits]] << 32) | shifted[fits]
        keys.sort(kind="stable")  # already ascending as written: a linear pass
        starts = keys if starts is None else _intersect(starts, keys)[0]
        alive = _distinct_sorted(starts >> 32)
    keep = np.zeros(len(ids), dtype=bool)
    keep[alive] = True
    ids = ids[keep]
    for leaf in leaves:  # positioned on a phrase's documents only
        trace.keep(leaf, ids)
    if not scored:
        return ids, None
    parts = []
    for (leaf_ids, tf, _), leaf, leaf_lengths, at in zip(read, leaves, lengths, where):
        rows = at[keep]
        scores = _bm25(leaf.scorer, leaf_lengths, leaf_ids[rows], tf[rows])
        if scores is None:
            return None
        parts.append(scores)

    def tree_sum(items):  # make_binary_tree(IntersectionMatcher, ...): a.score() + b.score()
        if len(items) == 1:
            return items[0]
        half = len(items) // 2
        return tree_sum(items[:half]) + tree_sum(items[half:])

    return ids, tree_sum(parts) * m.boost


def _positions(values: TermValues, ks: np.ndarray, fmt) -> tuple[np.ndarray, np.ndarray]:
    """The positions of the postings `ks` as two flat arrays: for each
    occurrence, the index in `ks` of its posting, and its position (ascending
    within a posting). Array formats (indexer.index.analysis, schema 6) in array
    blocks (indexer.index.codec) are read with numpy, block by block; other values
    (Whoosh's pickled positions of older indexes) one value at a time."""
    stride = getattr(fmt, "array_stride", 0)  # 0: Whoosh's pickled values
    found = values.int32_occurrences(ks, stride) if stride else None
    if found is not None:
        counts, positions = found
        positions = positions.astype(np.int64)
    elif stride:
        raw = values.pick(ks)
        words = np.fromiter(map(len, raw), dtype=np.int64, count=len(raw)) // 4
        numbers = np.frombuffer(b"".join(raw), dtype="<i4")
        # each value: Whoosh's 4-byte occurrence count, then `stride` int32 per occurrence
        body = np.delete(numbers, np.cumsum(words) - words)
        counts = (words - 1) // stride
        positions = body[::stride].astype(np.int64)
    else:
        decode = fmt.decoder("positions")
        lists = [decode(v) for v in values.pick(ks)]
        counts = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
        positions = np.fromiter(chain.from_iterable(lists), dtype=np.int64)
    return np.repeat(np.arange(len(ks)), counts), positions


def _distinct_sorted(a: np.ndarray) -> np.ndarray:
    """An ascending array without its repeats."""
    if len(a) < 2:
        return a
    keep = np.empty(len(a), dtype=bool)
    keep[0] = True
    np.not_equal(a[1:], a[:-1], out=keep[1:])
    return a[keep]


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
