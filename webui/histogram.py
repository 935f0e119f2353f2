"""Bar geometry for the hits-over-time chart, drawn as inline SVG.

Pure presentation: it turns the engine's month/year facet counts into bars with
positions, labels and the from/to bounds a click narrows to. Months with no hits
inside the span still get a slot, so gaps in coverage show as gaps.

The same bars can show each period's share of all articles instead of the raw
count (`build_share_histogram`, from `Archive.trend` points): a count rises and
falls with the size of the archive, the share says whether a subject grew.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Mapping, Sequence

MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MONTH_FULL = ("January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December")
MAX_MONTH_BARS = 36   # a longer span is drawn by year

# The bars live in an inner SVG whose viewBox (WIDTH x PLOT_HEIGHT user units) is
# stretched to the column width; axis labels live in the unscaled outer SVG, so
# text keeps its real pixel size from 375 px phones to wide screens.
WIDTH = 720
PLOT_HEIGHT = 100
TOP_PAD = 16        # px above the plot (room for the max-count label)
LABEL_BAND = 20     # px below the plot for axis labels


@dataclass(frozen=True)
class Bar:
    key: str            # "1987-03" or "1987": also the from/to value a click sets
    label: str          # axis label, "" when this bar has none
    title: str          # "March 1987: 1,234 hits"
    count: int
    x: float
    y: float
    width: float
    height: float
    slot_x: float       # the whole slot is clickable, not just the (maybe tiny) bar
    slot_width: float
    label_pct: float    # labels sit in an unscaled outer SVG, placed by percent
    selected: bool
    no_articles: bool = False   # share view: the archive has no article in this period at all


@dataclass(frozen=True)
class Histogram:
    unit: str           # "month" or "year"
    bars: list[Bar]
    max_count: int
    measure: str = "count"              # "count" or "share": what a bar's height is
    max_label: str = ""                 # the top of the y axis as text ("1,234" or "2.5%")
    has_empty_periods: bool = False     # share view: some periods have no articles (no share)
    width: int = WIDTH                  # inner viewBox width (user units)
    plot_height: int = PLOT_HEIGHT      # inner viewBox height, also its px height
    top: int = TOP_PAD                  # px offset of the plot in the outer SVG
    height: int = TOP_PAD + PLOT_HEIGHT + LABEL_BAND  # outer SVG px height


def build_histogram(facets: Mapping[str, Mapping[str, int]], date_from: str = "",
                    date_to: str = "") -> Histogram | None:
    """Bars for the result set's dates, or None when no hit has a date."""
    span = chart_span(facets)
    if span is None:
        return None
    unit, keys, counts = span
    titles = [f"{_long_name(unit, k)}: {n:,} hit{'s' if n != 1 else ''}" for k, n in zip(keys, counts)]
    return _layout(unit, keys, counts, counts, titles, f"{max(counts):,}", "count", date_from, date_to)


def build_share_histogram(points: Sequence, unit: str, keys: Sequence[str], date_from: str = "",
                          date_to: str = "") -> Histogram | None:
    """Bars over the same periods as `build_histogram` (its `unit` and bar keys),
    whose heights are each period's share of all articles; `points` are the
    engine's TrendPoints (period, count, total, share) at that unit."""
    if not keys:
        return None
    by_period = {p.period: p for p in points}
    counts = [by_period[k].count if k in by_period else 0 for k in keys]
    totals = [by_period[k].total if k in by_period else 0 for k in keys]
    shares = [by_period[k].share if k in by_period else 0.0 for k in keys]
    titles = [f"{_long_name(unit, k)}: {percent(share)} of {total:,} article{'s' if total != 1 else ''}"
              f" ({count:,} hit{'s' if count != 1 else ''})" if total else
              f"{_long_name(unit, k)}: no articles in the archive"
              for k, count, total, share in zip(keys, counts, totals, shares)]
    chart = _layout(unit, list(keys), counts, shares, titles, percent(max(shares)), "share",
                    date_from, date_to)
    # A share of nothing is not 0 %: such periods are drawn as gaps in the coverage.
    bars = [replace(bar, no_articles=not total) for bar, total in zip(chart.bars, totals)]
    return replace(chart, bars=bars, has_empty_periods=not all(totals))


def percent(share: float) -> str:
    """A share as a short percentage: 3 significant digits, never exponent notation."""
    pct = share * 100
    if pct == 0:
        return "0%"
    if pct < 0.001:
        return "<0.001%"
    return f"{pct:.3g}%" if pct < 100 else f"{pct:.0f}%"


def chart_span(facets: Mapping[str, Mapping[str, int]]) -> tuple[str, list[str], list[int]] | None:
    """(unit, period keys, hit counts) for the chart: every month from the first to
    the last dated hit, or every year when that is more than MAX_MONTH_BARS months."""
    months = {k: int(v) for k, v in (facets.get("month") or {}).items() if _month_key(k)}
    years = {k: int(v) for k, v in (facets.get("year") or {}).items() if k.isdigit()}
    if not months and not years:
        return None
    if months:
        first, last = min(months), max(months)
        span = _month_index(last) - _month_index(first) + 1
    else:
        span = MAX_MONTH_BARS + 1
    if span <= MAX_MONTH_BARS:
        keys = [_month_key_of(i) for i in range(_month_index(first), _month_index(last) + 1)]
        counts = [months.get(k, 0) for k in keys]
        unit = "month"
    else:
        if not years:  # derive years from months when the engine gave only months
            for k, v in months.items():
                years[k[:4]] = years.get(k[:4], 0) + v
        lo, hi = int(min(years)), int(max(years))
        keys = [str(y) for y in range(lo, hi + 1)]
        counts = [years.get(k, 0) for k in keys]
        unit = "year"
    return unit, keys, counts


def _layout(unit: str, keys: list[str], counts: list[int], values: Sequence[float], titles: list[str],
            max_label: str, measure: str, date_from: str, date_to: str) -> Histogram:
    n = len(keys)
    top = max(values) or 1
    slot = WIDTH / n
    gap = min(slot * 0.2, 6.0) if n > 1 else 0.0
    bar_width = max(slot - gap, 1.0)
    # Year labels are 4 characters; about 8 of them fit a 375 px phone.
    label_every = 1 if n <= 8 else math.ceil(n / 8)
    bars = []
    for i, (key, count, value, title) in enumerate(zip(keys, counts, values, titles)):
        height = 0.0 if not count or not value else max(value / top * PLOT_HEIGHT, 2.0)
        bars.append(Bar(
            key=key,
            label=_axis_label(unit, key, i, n, label_every),
            title=title,
            count=count,
            x=round(i * slot + gap / 2, 2),
            y=round(PLOT_HEIGHT - height, 2),
            width=round(bar_width, 2),
            height=round(height, 2),
            slot_x=round(i * slot, 2),
            slot_width=round(slot, 2),
            label_pct=round((i + 0.5) / n * 100, 3),
            selected=bool(date_from) and date_from == key and date_to == key,
        ))
    return Histogram(unit=unit, bars=bars, max_count=max(counts), measure=measure, max_label=max_label)


def _axis_label(unit: str, key: str, i: int, n: int, every: int) -> str:
    if unit == "year":
        return key if i % every == 0 else ""
    year, month = key.split("-")
    if n <= 12:
        return MONTH_NAMES[int(month) - 1] + (f" {year[2:]}" if i == 0 or month == "01" else "")
    if month == "01" or i == 0:
        return year
    return ""


def _long_name(unit: str, key: str) -> str:
    if unit == "year":
        return key
    year, month = key.split("-")
    return f"{MONTH_FULL[int(month) - 1]} {year}"


def _month_key(key: str) -> bool:
    return len(key) == 7 and key[4] == "-" and key[:4].isdigit() and key[5:].isdigit() and 1 <= int(key[5:]) <= 12


def _month_index(key: str) -> int:
    return int(key[:4]) * 12 + int(key[5:]) - 1


def _month_key_of(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"
