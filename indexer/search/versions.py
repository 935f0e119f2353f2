"""Versions of one story among ranked hits: wire stories re-sent with small edits.

In: the ranked document numbers of a result page and the MinHash signatures the
build stored (`indexer.index.signatures`). Out: groups of (leader, versions).
Two articles are versions of one story when their estimated Jaccard similarity
is at least `THRESHOLD` and they were published at most `MAX_DAYS_APART` days
apart; comparing within the ranked window finds them without extra index terms.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from indexer.index.signatures import NUM_PERM, decode

THRESHOLD = 0.8
# Versions of one story are sent within days; the same wording weeks apart is
# a recurring report ("Bundesbank leaves credit policies unchanged"), not a version.
MAX_DAYS_APART = 3.0
_MICROSECONDS_PER_DAY = 86_400_000_000


class _ColumnValues:
    """Per-document column values across segments. Whoosh's MultiReader
    column_reader leaves out segments that lack the column (a segment of only
    short or undated articles) yet keeps global document numbers, so a later
    segment's document was looked up in an earlier one (IndexError, or another
    article's value). This reads each segment's own column instead."""

    def __init__(self, reader, fieldname: str, translate: bool = True) -> None:
        self._leaves = []
        for leaf, base in reader.leaf_readers():
            column = (leaf.column_reader(fieldname, translate=translate)
                      if leaf.has_column(fieldname) else None)
            self._leaves.append((base, leaf.doc_count_all(), column))

    def get(self, docnum: int):
        for base, count, column in self._leaves:
            if base <= docnum < base + count:
                return column[docnum - base] if column is not None else None
        return None


def signatures_of(searcher, docnums: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """(signatures as a uint32[n, NUM_PERM] array, mask of those that have one)."""
    out = np.zeros((len(docnums), NUM_PERM), dtype=np.uint32)
    present = np.zeros(len(docnums), dtype=bool)
    column = _ColumnValues(searcher.reader(), "dup_signature")
    for i, docnum in enumerate(docnums):
        sig = decode(column.get(docnum))
        if sig is not None:
            out[i] = sig
            present[i] = True
    return out, present


def days_of(searcher, docnums: Sequence[int]) -> np.ndarray:
    """Publication dates as days (NaN when undated)."""
    days = np.full(len(docnums), np.nan)
    column = _ColumnValues(searcher.reader(), "date", translate=False)
    for i, docnum in enumerate(docnums):
        value = column.get(docnum)
        if isinstance(value, int) and value > 0:
            days[i] = value / _MICROSECONDS_PER_DAY
    return days


def _versions_mask(sigs, present, days, i: int) -> np.ndarray:
    """Similarity of every row to row i, zeroed where it cannot be a version."""
    similar = (sigs == sigs[i]).sum(axis=1) / NUM_PERM
    similar[~present] = 0.0
    if not np.isnan(days[i]):
        apart = np.abs(days - days[i])
        similar[apart > MAX_DAYS_APART] = 0.0  # NaN (undated) compares False: kept
    return similar


def group_versions(searcher, ranked: Sequence[int]) -> list[tuple[int, list[int]]]:
    """Fold versions of a story into its best-ranked article: [(leader,
    [its other versions, most similar first]), ...] in rank order."""
    sigs, present = signatures_of(searcher, ranked)
    days = days_of(searcher, ranked)
    taken = np.zeros(len(ranked), dtype=bool)
    groups: list[tuple[int, list[int]]] = []
    for i, docnum in enumerate(ranked):
        if taken[i]:
            continue
        versions: list[int] = []
        if present[i]:
            similar = _versions_mask(sigs, present, days, i)
            similar[taken] = 0.0
            similar[i] = 0.0
            found = np.nonzero(similar >= THRESHOLD)[0]
            found = found[np.argsort(-similar[found], kind="stable")]
            taken[found] = True
            versions = [ranked[j] for j in found]
        groups.append((docnum, versions))
    return groups


def is_version(searcher, docnum: int, others: Sequence[int]) -> list[bool]:
    """For each of `others`: is it a version of `docnum`?"""
    docnums = [docnum, *others]
    sigs, present = signatures_of(searcher, docnums)
    if not present[0]:
        return [False] * len(others)
    similar = _versions_mask(sigs, present, days_of(searcher, docnums), 0)
    return [bool(s >= THRESHOLD) for s in similar[1:]]
