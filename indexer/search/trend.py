"""Trend over time: how many articles match a query per month or year, and
what share of all articles of that period they are.

A raw count rises and falls with the size of the archive; the share says
whether a subject grew in the coverage. Periods come from the sortable `month`
and `year` fields, counted with Whoosh facets over the whole result set.
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass

from whoosh import query, sorting

TREND_INTERVALS = ("month", "year")
CSV_COLUMNS = ("period", "count", "total", "share")


@dataclass(frozen=True)
class TrendPoint:
    """One period: `count` matching articles of `total` articles published then."""

    period: str   # "1987" or "1987-03"
    count: int
    total: int
    share: float  # count / total, 0.0 when the period has no articles

    def to_json(self) -> dict:
        return asdict(self)


def period_counts(searcher, q: query.Query, allowed, interval: str) -> dict[str, int]:
    """Matching articles per period (undated articles are left out)."""
    results = searcher.search(q, limit=1, filter=allowed, scored=False,
                              groupedby={"period": sorting.FieldFacet(interval)},
                              maptype=sorting.Count)
    return {str(k): int(v) for k, v in results.groups("period").items() if k not in (None, "")}


def compute(searcher, q: query.Query, allowed, interval: str = "month") -> list[TrendPoint]:
    """The trend of `q` under the filter `allowed` (docnums or None): one point
    for every period from the first to the last dated article, gaps included,
    so a chart's axis is continuous."""
    if interval not in TREND_INTERVALS:
        raise ValueError(f"interval must be one of {', '.join(TREND_INTERVALS)}")
    if allowed is not None and not allowed:
        return []
    totals = period_counts(searcher, query.Every(), allowed, interval)
    counts = period_counts(searcher, q, allowed, interval) if totals else {}
    return points_from(totals, counts, interval)


def points_from(totals: dict[str, int], counts: dict[str, int], interval: str) -> list[TrendPoint]:
    """Trend points from articles per period (`totals`) and matches per period."""
    if not totals:
        return []
    points = []
    for period in _periods(min(totals), max(totals), interval):
        total = totals.get(period, 0)
        count = counts.get(period, 0)
        points.append(TrendPoint(period, count, total, round(count / total, 6) if total else 0.0))
    return points


def _periods(first: str, last: str, interval: str) -> list[str]:
    if interval == "year":
        return [f"{y:04d}" for y in range(int(first), int(last) + 1)]
    year, month = int(first[:4]), int(first[5:7])
    end = (int(last[:4]), int(last[5:7]))
    out = []
    while (year, month) <= end:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def trend_json(points: list[TrendPoint], interval: str, query_text: str) -> dict:
    """The JSON for `/api/trend`: {"query", "interval", "points": [{period, count, total, share}]}."""
    return {"query": query_text, "interval": interval, "points": [p.to_json() for p in points]}


def trend_csv(points: list[TrendPoint]) -> str:
    """A CSV table with a header row: period,count,total,share."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for p in points:
        writer.writerow((p.period, p.count, p.total, f"{p.share:.6f}"))
    return out.getvalue()
