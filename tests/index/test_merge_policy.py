"""Which segments a commit merges (indexer.index.merge_policy), on sizes like
the replicas' (x10: 8 segments of ~100 MB after a full build; x50: 251 task
segments of ~14.5 MB) and an archive of ~280 GB (10M pages)."""

from __future__ import annotations

import pytest

from indexer.index.merge_policy import MB, full_build_groups, incremental_groups, segment_budget

FACTOR, FLOOR, LARGEST = 8, 16 * MB, 4096 * MB


def _covers(groups: list[list[int]], n: int) -> bool:
    """Consecutive runs, every segment once, in order."""
    return [k for g in groups for k in g] == list(range(n)) and all(g == list(range(g[0], g[-1] + 1)) for g in groups)


@pytest.mark.parametrize("sizes", [[14.5 * MB] * 251, [500 * MB] + [10 * MB] * 30, [1.0] * 9,
                                   [7 * MB, 3000 * MB, 5 * MB, 5 * MB, 5 * MB, 4000 * MB, 1 * MB]])
def test_a_full_build_merges_each_segment_once_into_at_most_eight(sizes):
    groups = full_build_groups(sizes, 8, LARGEST)
    assert _covers(groups, len(sizes)) and len(groups) <= 8


def test_a_full_build_under_eight_segments_merges_nothing():
    assert full_build_groups([1 * MB, 2 * MB, 3 * MB], 8, LARGEST) == [[0], [1], [2]]


def test_a_very_large_archive_keeps_more_segments_of_bounded_size():
    sizes = [1100 * MB] * 256   # ~280 GB of task segments
    groups = full_build_groups(sizes, 8, LARGEST)
    assert _covers(groups, len(sizes))
    assert len(groups) == 69    # ceil(281,600 MB / 4,096 MB), not 8 of 35 GB
    assert max(sum(sizes[k] for k in g) for g in groups) <= LARGEST + max(sizes)


def _grow(segments: list[float], added: float, builds: int) -> dict:
    """`builds` incremental builds each adding one segment of `added` bytes."""
    segments = list(segments)
    big = max(segments)
    written, most, first_merge, big_merged = 0.0, 0, None, None
    for build in range(builds):
        segments.append(added)
        for group in reversed(incremental_groups(segments, FACTOR, FLOOR, LARGEST)):
            assert group == list(range(group[0], group[-1] + 1)) and 2 <= len(group) <= FACTOR
            merged = sum(segments[k] for k in group)
            assert merged <= LARGEST
            if big_merged is None and any(segments[k] >= big for k in group):
                big_merged = build
            first_merge = build if first_merge is None else first_merge
            written += merged
            segments[group[0]:group[-1] + 1] = [merged]
        finished = [size for size in segments if size >= LARGEST / 2]
        assert len(segments) - len(finished) <= segment_budget(sum(segments) - sum(finished), FACTOR, FLOOR)
        most = max(most, len(segments))
    return {"segments": segments, "most": most, "first_merge": first_merge, "big_merged": big_merged,
            "rewritten": written / (added * builds)}


def test_an_incremental_build_merges_nothing_under_the_budget():
    full = [100 * MB] * 8   # the x10 replica after a full build
    assert segment_budget(sum(full), FACTOR, FLOOR) == 14
    assert incremental_groups(full + [2 * MB] * 6, FACTOR, FLOOR, LARGEST) == []


def test_incremental_builds_merge_small_segments_and_leave_the_large_ones():
    grown = _grow([100 * MB] * 8, 2 * MB, 300)   # 300 builds of ~500 articles each
    assert grown["first_merge"] == 6                # the 7th build: 15 segments > 14
    assert grown["big_merged"] is None              # the full build's segments are never rewritten
    assert grown["most"] <= 18                      # the budget: 14 at 0.8 GB, 18 at 1.4 GB
    assert grown["rewritten"] < 6                   # a byte is rewritten about once per tier it climbs


def test_the_large_segments_join_once_the_small_ones_have_grown_to_their_size():
    grown = _grow([100 * MB] * 8, 20 * MB, 300)     # 6 GB added to 800 MB
    assert grown["big_merged"] is not None and grown["big_merged"] > 30
    assert grown["most"] <= 24
    assert grown["rewritten"] < 4


def test_a_finished_segment_is_never_merged_again():
    sizes = [LARGEST / 2] * 30 + [1 * MB] * 3
    assert incremental_groups(sizes, FACTOR, FLOOR, LARGEST) == [[30, 31, 32]]   # the small ones only
    sizes = [LARGEST / 2, 1 * MB] * 20
    groups = incremental_groups(sizes, FACTOR, FLOOR, LARGEST)
    assert groups == []  # the small ones are not consecutive: nothing to merge without a finished one
