"""Publication dates from the many ways sources write them."""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections import Counter
from datetime import date, datetime, timedelta, timezone

_URL_DATE = re.compile(r"/(19[5-9]\d|20[0-4]\d)(?:/(?!(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*/)"
                       r"[a-z][a-z_]{1,24}){1,2}/(0?[1-9]|1[0-2])/(0?[1-9]|[12]\d|3[01])(?:/|$)"
                       r"|/(19[5-9]\d|20[0-4]\d)[/-](0?[1-9]|1[0-2]|[a-z]{3,9})[/-](0?[1-9]|[12]\d|3[01])(?:/|-|$)"
                       r"|/(19[5-9]\d|20[0-4]\d)(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?:[/_?#.-]|$)",
                       re.I)  # /2010/POLITICS/08/13/, /2008/WORLD/asiapcf/01/01/ (the year, the section, month and
# day); /2019/03/25/, /2019-03-25-, /2020/oct/02/, /2008/January/10/; /20071228/
# The one sanity range of every date, whatever it came from (`sane_date`):
# earlier is a parsing accident (or no news archive), later than a year ahead
# is an epoch number in the wrong unit or a typo that would stretch every chart.
MIN_DATE = datetime(1800, 1, 1)
MAX_DAYS_AHEAD = 366
# Zone abbreviations news pages print ("11:34 PM EST Nov 19"), in seconds east of UTC.
ZONE_OFFSETS = {"EST": -5 * 3600, "EDT": -4 * 3600, "CST": -6 * 3600, "CDT": -5 * 3600,
                "MST": -7 * 3600, "MDT": -6 * 3600, "PST": -8 * 3600, "PDT": -7 * 3600,
                "GMT": 0, "UTC": 0, "BST": 3600, "CET": 3600, "CEST": 7200, "IST": 19800,
                "KST": 9 * 3600, "JST": 9 * 3600}

# Fast paths for the two shapes that make up nearly every record date: dateutil
# costs ~0.1 ms per call, a third of reading Reuters. Anything else (or a value
# these cannot turn into a real date) still goes to dateutil, which gives the
# same result for these shapes (tests/ingest/test_dates.py checks that).
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6}))?)?"
                  r"(Z|[+-]\d{2}:?\d{2})?)?")
_REUTERS = re.compile(r"(\d{1,2})-([A-Za-z]{3})-(\d{4}) (\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?")
_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}


def _zone(name: str | None, offset: int | None) -> int | None:
    """dateutil's time-zone hook: a known abbreviation, else the printed offset;
    an unknown name without one ("U", "ET") is read as UTC. (Left to dateutil,
    an unknown name warns on every article and will raise in a later version.)"""
    if name and name.upper() in ZONE_OFFSETS:
        return ZONE_OFFSETS[name.upper()]
    return offset


def _dateutil_parse(text: str, default: datetime) -> datetime | None:
    """dateutil's fuzzy reading of `text` (imported here: ~10 ms that a build of
    records whose dates take the fast paths never pays)."""
    from dateutil import parser

    return parser.parse(text, fuzzy=True, default=default, tzinfos=_zone)


def parse_date(value: object) -> datetime | None:
    """A naive UTC datetime from an ISO string, an RFC 2822 date, a Reuters-style
    "26-FEB-1987 15:01:01.79", an epoch number, or None when nothing sensible is
    found. Trailing junk after a valid date is ignored."""
    if value is None or value == "":
        return None
    if isinstance(value, (date, int, float)) and not isinstance(value, bool):
        return sane_date(value)
    text = str(value).strip()[:100]
    if not text:
        return None
    fast = _parse_common(text)
    if fast is not None:
        return fast
    for candidate in (text, _first_tokens(text, 2), _first_tokens(text, 1)):
        if candidate is not text and not re.search(r"\d{4}", candidate):
            continue  # a year would be made up (dateutil's default)
        try:
            parsed = _dateutil_parse(candidate, datetime(2000, 1, 1))
        except (ValueError, OverflowError, TypeError):
            continue
        if parsed is not None and re.search(r"\d{4}|\d{2}", text):
            moment = sane_date(parsed)
            if moment is not None:
                return moment
    return None


def sane_date(value: date | int | float | None) -> datetime | None:
    """The one sanity check of every date a source gives (every reader, and
    `Article` itself, go through it): a naive UTC datetime from a datetime (aware
    or naive), a date, or epoch seconds (milliseconds above 1e11); None outside
    1800 .. a year from now or when it is no real moment (an offset of 24 h or more)."""
    try:
        if isinstance(value, datetime):
            moment = value
            if moment.tzinfo is not None:
                moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
        elif isinstance(value, date):
            moment = datetime(value.year, value.month, value.day)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            seconds = value / 1000 if value > 1e11 else value
            moment = datetime.fromtimestamp(seconds, tz=timezone.utc).replace(tzinfo=None)
        else:
            return None
    except (OverflowError, OSError, ValueError):  # out of range, or an offset of 24 h or more
        return None
    if moment < MIN_DATE:
        return None
    if moment > _latest_sane[0]:  # the clock is read again only for a moment past the last bound read
        _latest_sane[0] = datetime.now() + timedelta(days=MAX_DAYS_AHEAD)
        if moment > _latest_sane[0]:
            return None
    return moment


# The latest sane moment as last read from the clock: it only grows with the clock,
# so a moment before it is sane without reading the clock (every record's date is
# checked twice: by its reader and by `Article`).
_latest_sane = [MIN_DATE]


def parse_page_date(value: str | None) -> datetime | None:
    """A date as a web page prints it: aware, in the page's own zone, when a zone or
    offset is given (so its day is the day the page shows), naive otherwise; None
    when it is no date or outside `sane_date`'s range. `Article` stores it as UTC."""
    text = (value or "").strip()[:100]
    if not text:
        return None
    m = _ISO.fullmatch(text)
    try:
        if m:
            moment = _iso_moment(m)
        else:
            if not re.search(r"\d{4}", text):
                return None  # a year would be made up (dateutil's default)
            moment = _whole_date(text)
    except (ValueError, OverflowError, TypeError):
        moment = None
    if moment is None and re.search(r"\d{4}", text) and re.search(r"[^\W\d_]{3}", text):
        moment = _foreign_date(text)  # "07 أكتوبر 2020", "24. Januar 2022"
    if moment is None or sane_date(moment) is None:
        return None
    return moment


def _iso_moment(m: re.Match) -> datetime:
    """The datetime an `_ISO` match names: aware when it gives a zone or an offset.
    Raises ValueError for an impossible day or an offset of 24 h or more."""
    year, month, day, hour, minute, second, fraction, zone = m.groups()
    moment = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                      int(second or 0), int((fraction or "0").ljust(6, "0")))
    if zone:
        digits = "0000" if zone == "Z" else zone[1:].replace(":", "")
        offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        moment = moment.replace(tzinfo=timezone(-offset if zone[0] == "-" else offset))
    return moment


def _whole_date(text: str) -> datetime | None:
    """dateutil's reading of `text` when it names a year, a month and a day: parsed
    against two different defaults, a part the text lacks shows as a difference
    (a bare "2019" or "March 2019" is no publication day)."""
    first = _dateutil_parse(text, datetime(2000, 1, 1))
    second = _dateutil_parse(text, datetime(2001, 2, 2))
    if first is None or (first.year, first.month, first.day) != (second.year, second.month, second.day):
        return None
    return first


def _foreign_date(text: str) -> datetime | None:
    """A date written with month names in another language, read by `dateparser`
    (htmldate's own dependency) only when it finds a year, a month and a day."""
    try:
        import dateparser as multilingual
    except ImportError:  # htmldate not installed
        return None
    try:
        return multilingual.parse(text, settings={"REQUIRE_PARTS": ["day", "month", "year"],
                                                  "RETURN_AS_TIMEZONE_AWARE": False})
    except (ValueError, OverflowError, TypeError, LookupError):
        return None


def month_number(word: str) -> int | None:
    """The month a month's name or abbreviation means in any language dateparser knows
    ("enero", "января", "ledna", "มีนาคม"; htmldate's own dependency), by most languages
    where they differ ("listopad": November in Czech and Polish, October in Croatian);
    None for a word no language names a month with."""
    if not _MONTH_WORDS:
        _MONTH_WORDS.update(_month_words())
    return _MONTH_WORDS.get(word.lower().rstrip("."))


_MONTH_WORDS: dict[str, int | None] = {}  # filled at the first call: reading 200 languages' data takes ~0.2 s
_MONTH_KEYS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
               "october", "november", "december")


def _month_words() -> dict[str, int | None]:
    """Every month word of dateparser's languages and its month (None where languages tie);
    one- and two-letter Latin abbreviations ("ma", "no") are left out: they are words too."""
    try:
        import dateparser.data.date_translation_data as languages
    except ImportError:  # htmldate not installed: no month words (the one key keeps the import from being tried again)
        return {"": None}
    votes: dict[str, Counter] = {}
    for module in pkgutil.iter_modules(languages.__path__):
        info = importlib.import_module(f"{languages.__name__}.{module.name}").info
        for month, key in enumerate(_MONTH_KEYS, 1):
            for word in info.get(key, ()):
                word = word.lower().rstrip(".")
                if len(word) >= 3 or (len(word) == 2 and not word.isascii()):
                    votes.setdefault(word, Counter())[month] += 1
    words: dict[str, int | None] = {}
    for word, count in votes.items():
        (first, n), *rest = count.most_common(2)
        words[word] = None if rest and rest[0][1] == n else first
    return words


def _parse_common(text: str) -> datetime | None:
    """ISO 8601 ("2019-03-25", "2019-03-25T10:00:00+09:00") and Reuters
    ("26-FEB-1987 15:01:01.79") dates without dateutil; None to fall back."""
    m = _ISO.fullmatch(text)
    try:
        if m:
            moment = _iso_moment(m)
            if moment.tzinfo is not None:
                moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
        else:
            m = _REUTERS.fullmatch(text)
            month = _MONTHS.get(m.group(2).lower()) if m else None
            if month is None:
                return None
            day, _, year, hour, minute, second, fraction = m.groups()
            moment = datetime(int(year), month, int(day), int(hour), int(minute), int(second),
                              int((fraction or "0").ljust(6, "0")))
    except (ValueError, OverflowError):
        return None
    return sane_date(moment)


_MONTH_NAMES = {**_MONTHS, "sept": 9, **{name: i for i, name in enumerate(
    ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december"), 1)}}


def date_from_url(url: str | None) -> datetime | None:
    """A date written in a URL path such as /2019/03/25/, /2019-03-25-, /2020/oct/02/,
    /2008/January/10/, /20071228/ or /2010/POLITICS/08/13/."""
    days = {day for day in map(_url_day, _URL_DATE.finditer(url)) if day} if url else set()
    return days.pop() if len(days) == 1 else None  # two days (/20080107/…/20080108): the address does not tell


def _url_day(m: re.Match) -> datetime | None:
    year, written, day = next(m.group(i, i + 1, i + 2) for i in (1, 4, 7) if m.group(i))
    month = int(written) if written.isdigit() else _MONTH_NAMES.get(written.lower())
    if month is None:
        return None
    try:
        return sane_date(datetime(int(year), month, int(day)))
    except ValueError:
        return None


def parse_day(value: str | None, *, end: bool = False) -> datetime | None:
    """A user-typed filter bound: YYYY, YYYY-MM or YYYY-MM-DD. `end` gives the
    last instant of that year, month or day. Raises ValueError on bad input."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    m = re.fullmatch(r"(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?", text)
    if not m:
        raise ValueError(f"'{text}' is not a date; use YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = int(m.group(1)), m.group(2), m.group(3)
    try:
        if not end:
            return datetime(year, int(month or 1), int(day or 1))
        if day:
            return datetime(year, int(month), int(day), 23, 59, 59, 999999)
        if month:
            m_ = int(month)
            nxt = datetime(year + (m_ == 12), m_ % 12 + 1, 1)
            return nxt - timedelta(microseconds=1)
        return datetime(year, 12, 31, 23, 59, 59, 999999)
    except ValueError:
        raise ValueError(f"'{text}' is not a real date") from None


def _first_tokens(text: str, n: int) -> str:
    """The first n words: "31-MAR-1987 605:12:19.12" still gives its day."""
    return " ".join(text.split()[:n])
