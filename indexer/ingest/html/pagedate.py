"""The page's date (with its zone when the page gives one): declared in metadata,
read from the URL, or written in the page's lines, whichever the page's own signs
make most likely the day the story came out.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta, timezone
from urllib.parse import urlsplit

from indexer.ingest.bylines import is_bare_name
from indexer.ingest.dates import date_from_url, month_number, parse_page_date, sane_date
from indexer.ingest.html.scan import Scan

_PUBLISHED_META = ("article:published_time", "og:article:published_time", "datepublished",
                   "article.published", "publish-date", "publishdate", "publish_date", "pubdate",
                   "date", "dc.date.issued", "dc.date", "dcterms.created", "dcterms.date",
                   "sailthru.date", "parsely-pub-date", "date.available", "og:published_time")


# languages spoken (almost) only in Europe's UTC+1 / UTC+2 zones
EUROPE_LANGUAGES = frozenset({"de", "fr", "it", "nl", "pl", "cs", "sk", "hu", "sl", "hr", "sr", "bs", "da", "sv",
                              "no", "nb", "nn", "fi", "et", "lv", "lt", "ro", "bg", "el", "uk", "lb", "sq", "mk"})
_GENERIC_DATE_META = frozenset({"date", "dc.date", "dcterms.date"})  # a page's date: often its last change


def declared_date(scan: Scan, ld: dict) -> tuple[datetime | None, bool]:
    """The publication date the page declares: JSON-LD, a publication meta tag, or an
    element marked pubdate / datePublished (`<time datetime>`, `<span content>`), not one
    inside `<nav>` (a menu's teasers of other articles), the first in that order, except that a
    day alone yields to a later one with its time and zone a day off; and whether it is only a
    generic `date` meta tag."""
    declared: list[tuple[object, bool]] = [(ld.get("datePublished"), False)]
    declared += [(scan.metas.get(key), key in _GENERIC_DATE_META) for key in _PUBLISHED_META]
    declared += [(t.get("datetime") or t.get("content"), False) for t in scan.published
                 if t.find_parent("nav") is None]  # a menu's teaser of another article (nextwarez.com)
    found = [(d, generic) for d, generic in ((_declared_value(value), generic) for value, generic in declared) if d]
    if not found:
        return None, False
    first, generic = found[0]
    if first.tzinfo is None and first.time() == time():
        # a day alone ("sailthru.date" 2014-06-30: the UTC day) yields to a declared moment with its zone
        # a day off or on it (<time pubdate datetime="2014-06-29 20:08:00-0400">): the page's own day
        zoned = next((d for d, _ in found[1:] if d.tzinfo is not None and d.date() != first.date()
                      and abs(d.date() - first.date()) <= timedelta(days=1)), None)
        if zoned is not None:
            return zoned, False
    return first, generic


def _declared_value(value: object) -> datetime | None:
    """A declared date's value read: a written date and time, or a Unix time."""
    if isinstance(value, str) and value.strip():
        return parse_page_date(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):  # JSON-LD's Unix time (goose3's test)
        moment = sane_date(value)
        return moment.replace(tzinfo=timezone.utc) if moment else None
    return None


# countries whose English writes the day first ("11/01/2008" is 11 January), by their web domain
_DAY_FIRST_ENGLISH = frozenset({"uk", "ie", "au", "nz", "in", "za", "pk", "ng", "ke", "gh", "sg", "my",
                                "lk", "bd", "hk", "mt", "tt", "jm"})


def writes_day_first(url: str | None) -> bool:
    """An English page from a country that writes its numeric dates day first (its domain
    tells; a page's `lang="en-GB"` tells the same without it)."""
    try:
        host = (urlsplit(url).hostname or "") if url else ""
    except ValueError:  # a broken IPv6 host
        return False
    return host.rsplit(".", 1)[-1] in _DAY_FIRST_ENGLISH


CJK_CHAR = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")


def has_prose(body: str) -> bool:
    """A paragraph of running text: ~20 words, 120 characters (40 in Chinese, Japanese
    or Korean, where a character is most of a word)."""
    return any(len(line) >= 120 or (len(line) >= 40 and len(CJK_CHAR.findall(line)) >= 40)
               for line in body.split("\n"))


def page_date(declared: datetime | None, scan: Scan, ld: dict, urls: tuple[str | None, str | None],
              html: str, lines: tuple[str | None, str | None], has_prose: bool, *, dayfirst: bool,
              generic: bool = False, european: bool = False) -> datetime | None:
    """The publication date, surest source first, never later than now. The declared date
    (metadata) wins, except that a generic `date` meta tag (`generic`: often the last change)
    loses to an earlier date written beside the article (`lines`: a "By ..." line and a short line
    with a date, read only where they can decide: most pages declare their date). A declared UTC
    moment (`...Z`, `+00:00`) is put in a zone where its day is the day in the page's address, when one can
    (23:11 UTC on Dec 31 in a Vienna blog's /2019/01/01/ post); on a page in a language of
    Europe's zones (`european`), one of 22:00 or 23:00 sharp is the midnight that starts the
    next day there (a day stored as local midnight, "2021-11-04T23:00Z"). Then the address's
    date; then the story's date stamp, a line beside the article that is only its date or is
    labelled as published (`_is_date_stamp`: without metadata htmldate takes a teaser's, the
    "today" bar's or an update's day), and the day in its byline unless that tells of an update;
    then htmldate without guessing, which wins over our own weaker readings (another written
    date near the article, dateCreated, `<time>`) when they disagree, except on the order of
    day and month; our readings only where htmldate finds nothing. htmldate runs on a page
    with prose or with a date of ours to check (on a list of links it finds the date of some
    listed item). Rules chosen on the even halves: benchmarks/README-cleaning.md."""
    declared = _past(declared)
    url_date = next((d for d in map(_past, map(date_from_url, urls)) if d), None)
    if declared is not None:
        if generic:
            signed, line_date = _written_dates(*lines, dayfirst=dayfirst)
            written = signed or line_date
            if written and written.date() < declared.date():
                return written
        if url_date is not None and declared.tzinfo is not None and not declared.utcoffset():
            return _on_day(declared, url_date.date())
        if european and _midnight_in_europe(declared):
            return declared.astimezone(timezone(timedelta(hours=24 - declared.hour)))
        return declared
    if url_date is not None:
        return url_date
    signed, line_date = _written_dates(*lines, dayfirst=dayfirst)
    weaker = _weaker_dates(scan, ld, dayfirst=dayfirst)
    ours = next((d for d in map(_past, itertools.chain((signed, line_date), weaker)) if d), None)
    stamp = _past(line_date) if line_date is not None and _is_date_stamp(lines[1]) else None
    if stamp is not None:
        return stamp
    signed = _past(signed) if signed is not None and not _UPDATED.search(lines[0]) else None
    if signed is not None:  # "By Jane Roe on Thu, Nov 9, 2023 at 4:00 am": the byline's own day
        return signed
    if has_prose or ours:
        found = _htmldate(html, urls[0] or urls[1])
        if found is not None and not (ours and _swapped(found, ours)):
            return found
    return ours


def _midnight_in_europe(moment: datetime) -> bool:
    """A UTC moment that is midnight in Central or Eastern Europe (UTC+1, +2): 23:00 or 22:00 sharp."""
    return (moment.tzinfo is not None and not moment.utcoffset() and moment.hour in (22, 23)
            and moment.minute == moment.second == moment.microsecond == 0)


_EARLIEST_ZONE = timedelta(hours=14)  # the day starts 14 h before UTC in the earliest zone (Kiribati)


def _past(moment: datetime | None) -> datetime | None:
    """The moment, unless it is later than now (a day without a zone: later than today anywhere)."""
    if moment is None:
        return None
    now = datetime.now(timezone.utc)
    if moment.tzinfo is not None:
        return moment if moment <= now else None
    return moment if moment <= (now + _EARLIEST_ZONE).replace(tzinfo=None) else None


def _on_day(moment: datetime, day: date) -> datetime:
    """A UTC moment in the nearest whole-hour zone (-12 .. +14 h) that puts it on `day`
    (the day in the page's address), so its day is the site's own; the moment itself
    is unchanged. Unchanged when no zone can."""
    if day > moment.date():
        hours = math.ceil((datetime.combine(day, time(), moment.tzinfo) - moment) / timedelta(hours=1))
    elif day < moment.date():
        hours = -((moment - datetime.combine(moment.date(), time(), moment.tzinfo)) // timedelta(hours=1) + 1)
    else:
        return moment
    if not -12 <= hours <= 14:
        return moment
    moved = moment.astimezone(timezone(timedelta(hours=hours)))
    return moved if moved.date() == day else moment  # an address's day two or more days off: no zone puts it there


def _swapped(found: datetime, ours: datetime) -> bool:
    """htmldate read "05/10/2018" day first where the page's language (ours) reads it month first."""
    return found.date() != ours.date() and (found.year, found.month, found.day) == (ours.year, ours.day, ours.month)


def _written_dates(byline: str | None, date_line: str | None, *,
                   dayfirst: bool) -> tuple[datetime | None, datetime | None]:
    """The dates written beside the article: in its "By ... on Monday, ..." line, and in
    a short line near it ("05/10/2018 - Publicado por")."""
    tail = re.sub(r"^.*?\b(?:on|am|publi\w*)\b", "", byline, flags=re.I) if byline else ""
    by = (_written_date(tail, dayfirst=dayfirst) or parse_page_date(tail)) if tail else None
    line = _written_date(date_line, dayfirst=dayfirst) if date_line else None
    return by, line


def _weaker_dates(scan: Scan, ld: dict, *, dayfirst: bool) -> Iterator[datetime]:
    """Dates that may be the publication's, as they are needed: JSON-LD dateCreated or
    a `<time>` stamp, then a `<time>` text."""
    for value in [ld.get("dateCreated")] + [t["datetime"] for t in scan.times if t.get("datetime")]:
        if isinstance(value, str) and value.strip():
            moment = parse_page_date(value)
            if moment:
                yield moment
                break
    for tag in scan.times[:3]:
        text = tag.get_text(" ", strip=True)
        moment, written = parse_page_date(text), _written_date(text, dayfirst=dayfirst)
        if written and (moment is None or moment.date() != written.date()):  # "10.09.2025": the page's order
            moment = written
        if moment:
            yield moment
            break


def _htmldate(html: str, url: str | None) -> datetime | None:
    """htmldate's publication date without its guesses (no free-text year, no
    copyright year: `extensive_search=False`); never later than today."""
    from htmldate import find_date  # (its import pulls in dateparser: only when a page needs it)

    if html.startswith("http") and " " not in html:
        html = " " + html  # htmldate downloads a text that reads as an address ("http://x<p>..."): never a page
    try:
        found = find_date(html, url=url, original_date=True, extensive_search=False)
    except (ValueError, TypeError):
        return None
    if not found:
        return None
    try:
        return datetime.strptime(found, "%Y-%m-%d")
    except ValueError:
        return None


_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
WRITTEN_DATE = re.compile(
    rf"\b{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?\s*,?\s+\d{{4}}\b"             # November 18, 2019; May 31 , 2007
    rf"|\b\d{{1,2}}(?:st|nd|rd|th)?[.,]?\s+(?:of\s+)?{_MONTH},?\s+\d{{4}}\b"  # 18 Nov 2019, 25. Mai 2018, 28th of May
    r"|\b\d{1,2}/\d{1,2}/(?:\d{4}|\d{2})\b"                                  # 05/10/2018, 1/13/08
    r"|\b\d{1,2}\.\s?\d{1,2}\.\s?\d{4}\b"                                    # 27.1.2022, 06. 01. 2026
    r"|\b\d\d\.\d\d\.\d\d\b|\b\d{1,2}-\d{1,2}-\d{4}\b|\b\d{4}-\d{2}-\d{2}\b"  # 07.01.08, 31-12-2007, 2018-10-05
    r"|\b(?:19|20)\d{2}(?:\.\s?\d{1,2}\.\s?|/\d{1,2}/)\d{1,2}\b"               # 2023. 2. 5. (Korean), 2019/04/13
    r"|\d{4}\s*[年년]\s*\d{1,2}\s*[月월]\s*\d{1,2}\s*[日일]"                    # 2019年4月4日, 2023년 2월 5일
    r"|\b\d{1,2}\s+tháng\s+\d{1,2},?\s+(?:năm\s+)?\d{4}\b",                      # 15 tháng 3 năm 2024 (Vietnamese)
    re.I)


# a day, a month in words of another language and a year ("15 de enero de 2024", "15 января 2024",
# "١٥ مارس ٢٠٢٤", "2024. január 15.", "Machi 15, 2024"); the word must name a month (`find_written_date`)
_WORDED_DATE = re.compile(
    r"(?<!\d)(\d{1,2})\.?\s+(?:de\s+)?([^\s\d.,:;/|()]{2,20})\.?,?\s+(?:de\s+|del\s+)?(\d{4})(?!\d)"
    r"|(?<!\d)(\d{4})\.?\s+([^\s\d.,:;/|()]{2,20})\.?\s+(\d{1,2})(?!\d)"
    r"|(?<![^\W\d_])([^\s\d.,:;/|()]{3,20})\.?\s+(\d{1,2}),\s+(\d{4})(?!\d)")
_YEAR = re.compile(r"\d{4}")
_THAI = re.compile(r"[\u0e00-\u0e7f]")
BUDDHIST_ERA = 543  # a Thai page's year: 2567 is 2024


def find_written_date(text: str) -> re.Match | None:
    """The first date written in `text`: numbers, English or like-written month names
    (`WRITTEN_DATE`), else a month named in any language dateparser knows."""
    found = WRITTEN_DATE.search(text)
    if found or not _YEAR.search(text):
        return found
    return next((m for m in _WORDED_DATE.finditer(text) if month_number(_worded_parts(m)[1])), None)


def _worded_parts(m: re.Match) -> tuple[str, str, str]:
    """Day, month word and year of a `_WORDED_DATE` match, whichever order its alternative reads."""
    if m.group(2):
        return m.group(1), m.group(2), m.group(3)
    if m.group(5):
        return m.group(6), m.group(5), m.group(4)
    return m.group(8), m.group(7), m.group(9)


def _worded_day(m: re.Match) -> datetime | None:
    """The day a `_WORDED_DATE` match names."""
    day, word, year = _worded_parts(m)
    year = int(year) - (BUDDHIST_ERA if _THAI.search(word) and int(year) > 2400 else 0)
    return sane_date(_day_or_none(year, month_number(word), int(day)))


# a line that is only a date (a weekday, a time and its zone): the story's date stamp ("13 Oct 2020 18:29",
# "Thu, 14 May 2020 17:55 UTC", "18. März 2020"); its month word read as `find_written_date` reads it
_DATE_STAMP = re.compile(rf"(?:\w+,?\s+)?(?:{WRITTEN_DATE.pattern}|{_WORDED_DATE.pattern})"
                         r"(?:,?\s*(?:um\s+|at\s+|-\s*)?\d{1,2}[:.]\d{2}(?:\s*(?:Uhr|[ap]\.?m\.?))?"
                         r"(?:\s*\(?(?:UTC|GMT|[ECMP][SD]T|CES?T|BST)(?:\s*[+-]\s*\d{1,2}(?::?\d\d)?)?\)?)?)?", re.I)
# a label that makes a date line the story's ("publiziert am 30. Juli 2018", "Publié le 18 juil. 2024 à 08:01")
PUBLISHED_LABEL = re.compile(r"\b(?:publi\w*|posted|veröffentlicht|erschienen|gepostet)\b", re.I)
_STAMP_LABEL = re.compile(rf"\s*(?:{PUBLISHED_LABEL.pattern}|\b(?:date|datum|fecha|data|stand)\b)"
                          r"\s*(?:on\b|le\b|am\b|el\b|il\b|:|-)?\s*", re.I)
_STAMP_TIME_FIRST = re.compile(  # "20:34 17.04.2020", "08:44, 3 NOV 2023", "Published 7:40 p.m. ET March 17, 2020"
    r"\s*\d{1,2}(?::\d{2}(?:\s*[ap]\.?m\.?)?|\.\d{2}\s*[ap]\.?m\.?)(?:\s*[ECMP][SD]?T)?,?\s+", re.I)
_UPDATED = re.compile(r"\b(?:updated?|aktualisiert|mis à jour|actualizado|modified|edited|editiert)\b", re.I)
# what may follow a stamp's date: nothing, a separator and other facts ("• Lesezeit: 5 Minuten", "| aktualisiert:
# ..."), an update or reading-time note, a comment count ("March 9, 2017 13"), the byline ("26/12/2019 von Jane
# Roe"), or a time alone ("2020年7月15日 11時00分")
_STAMP_TAIL = re.compile(rf"\s*(?:$|[•|·/–—(]|{_UPDATED.pattern}|lesezeit|reading|\d{{1,5}}\s*$"
                         r"|(?:by|von|por|par|door)\s+[A-ZÀ-Þ]"
                         r"|\d{1,2}\s*[:時시]\s*\d{2}\s*[分분]?\s*$)", re.I)


def _is_date_stamp(line: str) -> bool:
    """A line that is the story's date stamp: its date first (after a weekday, a time or the writer's name)
    and nothing but a time, a separator, an update note, the byline or a comment count after it; or, anywhere
    in the line, a "Published" label followed by the date ("Mark Hicks, The Detroit News Published 7:40 p.m. ET
    March 17, 2020")."""
    for label in _STAMP_LABEL.finditer(line):
        if _DATE_STAMP.match(line, _after_time(line, label.end())):
            return True
    named = opening_name(line)
    m = _DATE_STAMP.match(line, named[1] if named else _after_time(line, 0))
    return m is not None and _STAMP_TAIL.match(line, m.end()) is not None


# what parts a writer's name from the date after it: "Dan Goodin - ", "Jane Roe on Thursday, "
_NAME_END = re.compile(r"(?:\s*[-–—|•·,/]\s*|\s+(?:on|am|um|le|el|il|den)\b"
                       r"|\s+(?:mon|tues|wednes|thurs|fri|satur|sun)day\b,?)*\s*$", re.I)


def opening_name(line: str) -> tuple[str, int] | None:
    """The person's name that opens a short line of the story's date ("Sarah Gooding March 9, 2017 13",
    "Dan Goodin - Apr 16, 2015 8:02 pm UTC", "Marco Pizzorno 4 Febbraio 2025 - 14:41"): the byline set on the
    date stamp; with where the date begins."""
    date = find_written_date(line) if len(line) < 100 else None
    if date is None or date.start() == 0:
        return None
    name = _NAME_END.sub("", line[:date.start()], count=1)
    return (name, date.start()) if is_bare_name(name) else None


def _after_time(line: str, start: int) -> int:
    """Where the text after a time that opens it at `start` begins (`start` without one)."""
    time_first = _STAMP_TIME_FIRST.match(line, start)
    return time_first.end() if time_first else start


_DATELINE = re.compile(rf"(?:{WRITTEN_DATE.pattern}|{_WORDED_DATE.pattern})\s*[-–—|:]\s", re.I)


def opens_with_date(text: str) -> bool:
    """A paragraph that opens with its date ("27.1.2022 - Bei der ...", "15 de enero de 2024 - El ...")."""
    m = _DATELINE.match(text)
    return m is not None and find_written_date(m.group(0)) is not None


_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY = re.compile(r"\b(mon|tues|wednes|thurs|fri|satur|sun)day\b", re.I)


def _day_or_none(year: int, month: int, day: int) -> datetime | None:
    """The day, or None where the numbers make no day (a 30 February)."""
    try:
        return datetime(year, month, day)
    except ValueError:
        return None


def _written_date(line: str, *, dayfirst: bool) -> datetime | None:
    """The date written in a short line; numeric day/month order follows the page's language."""
    m = find_written_date(line)
    if not m:
        return None
    if m.re is _WORDED_DATE:
        return _worded_day(m)
    east_asian = re.fullmatch(r"(\d{4})\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일]", m.group(0))
    if east_asian:  # year, month, day: no order to guess
        return _day_or_none(*(int(x) for x in east_asian.groups()))
    vietnamese = re.fullmatch(r"(\d{1,2})\s+tháng\s+(\d{1,2}),?\s+(?:năm\s+)?(\d{4})", m.group(0), re.I)
    if vietnamese:  # day, "month" and its number, "year"
        day, month, year = (int(x) for x in vietnamese.groups())
        return _day_or_none(year, month, day)
    year_first = re.fullmatch(r"(\d{4})[./]\s?(\d{1,2})[./]\s?(\d{1,2})", m.group(0))
    if year_first:  # year, month, day: the order every country that writes the year first keeps
        return _day_or_none(*(int(x) for x in year_first.groups()))
    numeric = re.fullmatch(r"(\d{1,2})(?:[/-]|\.\s?)(\d{1,2})(?:[/-]|\.\s?)(\d{4}|\d{2})", m.group(0))
    if numeric:
        a, b, year = (int(x) for x in numeric.groups())
        if year < 100:  # "07.01.08": the years 1969-2068, as strptime's %y reads them
            year += 2000 if year < 69 else 1900
        day, month = (a, b) if a > 12 or (dayfirst and b <= 12) else (b, a)  # 27.1.2022, 5/25/2018
        weekday = WEEKDAY.search(line)
        if weekday and a <= 12 and b <= 12 and a != b:  # "Monday | 07/01/2008": the order that gives a Monday
            days = [d for d in (_day_or_none(year, b, a), _day_or_none(year, a, b))
                    if d is not None and d.weekday() == _WEEKDAYS.index(weekday.group(1).lower()[:3])]
            if len(days) == 1:
                return days[0]
        return _day_or_none(year, month, day)
    return parse_page_date(m.group(0))
