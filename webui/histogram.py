"""Bar geometry for the hits-over-time histogram, drawn as inline SVG.

Pure presentation: it turns the engine's month/year facet counts into bars with
positions, labels and the from/to bounds a click narrows to. Months with no hits
inside the span still get a slot, so gaps in coverage show as gaps.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping

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


@dataclass(frozen=True)
class Histogram:
    unit: str           # "month" or "year"
    bars: list[Bar]
    max_count: int
    width: int = WIDTH                  # inner viewBox width (user units)
    plot_height: int = PLOT_HEIGHT      # inner viewBox height, also its px height
    top: int = TOP_PAD                  # px offset of the plot in the outer SVG
    height: int = TOP_PAD + PLOT_HEIGHT + LABEL_BAND  # outer SVG px height


def build_histogram(facets: Mapping[str, Mapping[str, int]], date_from: str = "",
                    date_to: str = "") -> Histogram | None:
    """Bars for the result set's dates, or None when no hit has a date."""
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
    return _layout(unit, keys, counts, date_from, date_to)


def _layout(unit: str, keys: list[str], counts: list[int], date_from: str, date_to: str) -> Histogram:
    n = len(keys)
    top = max(counts) or 1
    slot = WIDTH / n
    gap = min(slot * 0.2, 6.0) if n > 1 else 0.0
    bar_width = max(slot - gap, 1.0)
    # Year labels are 4 characters; about 8 of them fit a 375 px phone.
    label_every = 1 if n <= 8 else math.ceil(n / 8)
    bars = []
    for i, (key, count) in enumerate(zip(keys, counts)):
        height = 0.0 if count == 0 else max(count / top * PLOT_HEIGHT, 2.0)
        bars.append(Bar(
            key=key,
            label=_axis_label(unit, key, i, n, label_every),
            title=f"{_long_name(unit, key)}: {count:,} hit{'s' if count != 1 else ''}",
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
    return Histogram(unit=unit, bars=bars, max_count=max(counts))


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
