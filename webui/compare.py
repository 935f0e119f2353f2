"""Chart geometry for several queries on one timeline (lines or grouped bars), drawn as inline SVG.

Pure presentation over `Archive.compare_trends`: every series has the same
periods (one filter, one archive), so the x axis is shared; the y axis is a
count of matching articles or their share of all articles of the period.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Sequence

from webui.histogram import LABEL_BAND, MAX_MONTH_BARS, PLOT_HEIGHT, TOP_PAD, WIDTH, percent

CHART_STYLES = ("lines", "bars")
SERIES_CLASSES = 6  # style.css colours .series-0 ... .series-5 (MAX_COMPARE_QUERIES)


@dataclass(frozen=True)
class Mark:
    """One period of one series: a bar (x, y, width, height) and a line vertex (cx, y)."""

    period: str
    title: str
    x: float
    y: float
    width: float
    height: float
    cx: float


@dataclass(frozen=True)
class Series:
    index: int
    query: str
    total: int          # matching articles over the whole span
    marks: list[Mark]
    polyline: str       # "x,y x,y ..." in the plot's user units

    @property
    def css(self) -> str:
        return f"series-{self.index % SERIES_CLASSES}"


@dataclass(frozen=True)
class Axis:
    label: str
    pct: float


@dataclass(frozen=True)
class Comparison:
    unit: str
    measure: str        # count or share
    style: str          # lines or bars
    series: list[Series]
    labels: list[Axis]
    max_label: str
    width: int = WIDTH
    plot_height: int = PLOT_HEIGHT
    top: int = TOP_PAD
    height: int = TOP_PAD + PLOT_HEIGHT + LABEL_BAND


def interval_for(month_points: int) -> str:
    """Months while they fit the chart (as the single-query histogram), else years."""
    return "month" if month_points <= MAX_MONTH_BARS else "year"


def build_comparison(series: Sequence, unit: str, measure: str = "count", style: str = "lines") -> Comparison | None:
    """The chart for `series` (the engine's TrendSeries, all over the same periods);
    None when no article in the span has a date."""
    if not series or not series[0].points:
        return None
    periods = [p.period for p in series[0].points]
    share = measure == "share"
    values = [[(p.share if share else p.count) for p in s.points] for s in series]
    top = max((v for row in values for v in row), default=0) or 1
    n, k = len(periods), len(series)
    slot = WIDTH / n
    gap = min(slot * 0.2, 6.0) if n > 1 else 0.0
    bar = max((slot - gap) / k, 0.5)
    drawn = []
    for i, (s, row) in enumerate(zip(series, values)):
        marks = []
        for j, (point, value) in enumerate(zip(s.points, row)):
            height = 0.0 if not value else max(value / top * PLOT_HEIGHT, 1.5)
            what = (f"{percent(point.share)} of {point.total:,} articles ({point.count:,} hits)" if share
                    else f"{point.count:,} hit{'s' if point.count != 1 else ''}")
            marks.append(Mark(
                period=point.period, title=f"{s.query}: {_long_name(unit, point.period)}: {what}",
                x=round(j * slot + gap / 2 + i * bar, 2), y=round(PLOT_HEIGHT - height, 2),
                width=round(bar, 2), height=round(height, 2), cx=round((j + 0.5) * slot, 2)))
        polyline = " ".join(f"{m.cx},{m.y}" for m in marks)
        drawn.append(Series(i, s.query, sum(p.count for p in s.points), marks, polyline))
    every = 1 if n <= 8 else math.ceil(n / 8)
    labels = [Axis(_axis_label(unit, period, j, n), round((j + 0.5) / n * 100, 3))
              for j, period in enumerate(periods) if j % every == 0]
    return Comparison(unit=unit, measure=measure, style=style, series=drawn, labels=labels,
                      max_label=percent(top) if share else f"{int(top):,}")


def _axis_label(unit: str, key: str, i: int, n: int) -> str:
    if unit == "year":
        return key
    from webui.histogram import MONTH_NAMES

    return f"{MONTH_NAMES[int(key[5:7]) - 1]} {key[2:4]}"


def _long_name(unit: str, key: str) -> str:
    from webui.histogram import MONTH_FULL

    if unit == "year":
        return key
    return f"{MONTH_FULL[int(key[5:7]) - 1]} {key[:4]}"


def comparison_for(archive, search_request, queries: list[str], measure: str, style: str) -> Comparison | None:
    """The chart of `queries` under the request's filters, over the periods
    from the first to the last hit of any of them: by month while that span
    fits, else by year. Raises QueryError for a bad query."""
    series = _trimmed(archive.compare_trends(search_request, queries, "month"))
    if series and interval_for(len(series[0].points)) == "year":
        return build_comparison(_trimmed(archive.compare_trends(search_request, queries, "year")),
                                "year", measure, style)
    return build_comparison(series, "month", measure, style)


def _trimmed(series: list) -> list:
    """The series without the leading and trailing periods where no query has a hit."""
    hit = [i for i in range(len(series[0].points)) if any(s.points[i].count for s in series)] if series else []
    if not hit:
        return []
    return [replace(s, points=s.points[hit[0]:hit[-1] + 1]) for s in series]
