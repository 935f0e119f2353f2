"""Which segments a commit merges (`build._merged`): always runs of
consecutive segments (a merge keeps the documents' order), given each
segment's size (its live bytes: its files less its deleted documents' share).

A full build groups its tasks' segments into about equal runs, as few as
`FULL_BUILD_SEGMENTS` (a search reads every segment) but none larger than
`MERGED_SEGMENT_MB`: every byte is merged once, and a very large archive keeps
more, bounded segments (10M pages, ~280 GB of index: ~70 of 4 GB rather than 8
of 35 GB), so its merges stay many and parallel, and a later build never has to
rewrite a huge one.

An incremental build appends its segments to the live ones and merges only
when the index holds more segments than a size-tiered budget allows (Lucene's
TieredMergePolicy, reduced to consecutive runs): tiers of `MERGE_FACTOR`
segments each, `MERGE_FLOOR_MB` at the bottom and `MERGE_FACTOR` times larger at
each tier up, so an index of B bytes is allowed about `MERGE_FACTOR` segments
per tier up to B. While there are more, a run of up to `MERGE_FACTOR`
consecutive segments is merged, the run whose largest segment is the smallest
per segment it removes (then the fewest bytes): the small segments that builds
add, not the large ones a full build left, and not one growing segment with
each build's new ones (which would rewrite it every time). So a build that
adds a few articles merges a few small segments at most, a document is
rewritten about once per tier it climbs (log base `MERGE_FACTOR` of the
index size over the floor), and the count stays bounded (a 216k-article index
of 8 segments takes 16 more small ones before merging any; see
tests/index/test_merge_policy.py). Segments of half `MERGED_SEGMENT_MB` or more
are finished: never merged again, and not counted in the budget.
"""

from __future__ import annotations

import math
from typing import Sequence

MB = 1024 * 1024


def full_build_groups(sizes: Sequence[float], fewest: int, largest: float) -> list[list[int]]:
    """A full build's segments (by position) in consecutive groups of about
    equal size: `fewest` groups, or more so that none is over `largest`."""
    total = float(sum(sizes))
    most = max(fewest, math.ceil(total / largest)) if largest > 0 else fewest
    return equal_runs(sizes, most)


def equal_runs(sizes: Sequence[float], count: int) -> list[list[int]]:
    """Positions in at most `count` runs of consecutive positions of about
    equal total size (each alone when there are no more than `count`). Also
    how a full build spreads a small archive over its tasks (`tasks.plan_tasks`)."""
    total = float(sum(sizes))
    if len(sizes) <= count:
        return [[k] for k in range(len(sizes))]
    groups: list[list[int]] = []
    before = 0.0
    for k, size in enumerate(sizes):
        # an item goes to the run its middle falls in: a large one stays alone
        slot = min(count - 1, int((before + size / 2) * count // total)) if total else 0
        if not groups or slot > groups[-1][0][1]:
            groups.append([(k, slot)])
        else:
            groups[-1].append((k, slot))
        before += size
    return [[k for k, _ in group] for group in groups]


def segment_budget(total: float, factor: int, floor: float) -> int:
    """How many segments an index of `total` bytes may hold: `factor` per
    tier, tiers growing `factor` times from `floor` (TieredMergePolicy's count)."""
    allowed, level, left = 0, floor, total
    while True:
        here = left / level
        if here < factor:
            return allowed + max(1, math.ceil(here))
        allowed += factor
        left -= factor * level
        level *= factor


def incremental_groups(sizes: Sequence[float], factor: int, floor: float, largest: float) -> list[list[int]]:
    """The runs of consecutive segments (by position) an incremental build
    merges, each at most `factor` long and `largest` bytes (see the module)."""
    floored = [max(s, floor) for s in sizes]
    finished = {k for k, s in enumerate(sizes) if s >= largest / 2}
    growing = [k for k in range(len(sizes)) if k not in finished]
    budget = segment_budget(sum(sizes[k] for k in growing), factor, floor)
    count = len(growing)
    taken: set[int] = set()
    groups: list[list[int]] = []
    while count > budget:
        best = None
        for start in range(len(sizes)):
            run = []
            for k in range(start, min(start + factor, len(sizes))):
                if k in finished or k in taken or sum(floored[j] for j in run) + floored[k] > largest:
                    break
                run.append(k)
            if len(run) < 2:
                continue
            # the largest segment rewritten per segment the run removes: small, even
            # runs first; a small run is not merged into a large segment over and over
            score = (max(floored[k] for k in run) * len(run) / (len(run) - 1), sum(floored[k] for k in run))
            if best is None or score < best[0]:
                best = (score, run)
        if best is None:
            break  # nothing left to merge within the size bound
        groups.append(best[1])
        taken.update(best[1])
        count -= len(best[1]) - 1
    return sorted(groups)
