"""Trend over time: how many articles match a query per month or year, and
what share of all articles of that period they are.

A raw count rises and falls with the size of the archive; the share says
whether a subject grew in the coverage. Periods come from the sortable `month`
and `year` fields, counted over the whole result set by `Archive.trend`
(numpy counts of the fields' column codes); this module turns the counts into
points and writes them as JSON or CSV.
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass

from indexer.errors import QueryError
from indexer.limits import MAX_COMPARE_QUERIES

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


@dataclass(frozen=True)
class TrendSeries:
    """One query's trend, for drawing several on one timeline."""

    query: str
    points: list[TrendPoint]

    def to_json(self) -> dict:
        return {"query": self.query, "points": [p.to_json() for p in self.points]}


def check_compare(queries: list[str]) -> None:
    """Between 1 and MAX_COMPARE_QUERIES queries, each with words."""
    if not queries:
        raise QueryError("Give at least one query to draw.")
    if len(queries) > MAX_COMPARE_QUERIES:
        raise QueryError(f"At most {MAX_COMPARE_QUERIES} queries can be compared on one timeline.")


def series_json(series: list[TrendSeries], interval: str) -> dict:
    """The JSON for `/api/trend` with several `q`: {"interval", "series": [{"query", "points"}]}."""
    return {"interval": interval, "series": [s.to_json() for s in series]}


def series_csv(series: list[TrendSeries], share: bool = False) -> str:
    """A CSV table, one row per period: period, total (all articles then), and
    one column per query with its count, or its share of the total."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("period", "total", *(s.query for s in series)))
    if series:
        for i, point in enumerate(series[0].points):
            values = [s.points[i].share if share else s.points[i].count for s in series]
            writer.writerow((point.period, point.total,
                             *(f"{v:.6f}" if share else v for v in values)))
    return out.getvalue()
