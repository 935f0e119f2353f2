"""The fast paths of `parse_date` (ISO 8601, Reuters) must agree with dateutil."""

from __future__ import annotations

import gzip
import json
from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from indexer.ingest import dates
from indexer.ingest.dates import parse_date
from tests.conftest import FIXTURES as REUTERS


def _dateutil_only(text: str) -> datetime | None:
    """parse_date as it was before the fast path: dateutil for every string."""
    original = dates._parse_common
    dates._parse_common = lambda _text: None
    try:
        return parse_date(text)
    finally:
        dates._parse_common = original


def _fixture_dates() -> list[str]:
    found = []
    for path in sorted(REUTERS.rglob("*.jsonl*")):
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8") as fh:
            for line in fh:
                try:
                    value = json.loads(line).get("date")
                except (json.JSONDecodeError, AttributeError):
                    continue
                if isinstance(value, str):
                    found.append(value)
    return found


def test_reuters_fixture_dates_match_dateutil() -> None:
    values = _fixture_dates()
    assert values, "the fixtures hold Reuters records with dates"
    for value in values:
        assert dates._parse_common(value) == _dateutil_only(value), value


def test_known_shapes() -> None:
    assert parse_date("26-FEB-1987 15:01:01.79") == datetime(1987, 2, 26, 15, 1, 1, 790000)
    assert parse_date("2019-03-25T10:00:00+09:00") == datetime(2019, 3, 25, 1, 0)
    assert parse_date("2019-03-25") == datetime(2019, 3, 25)
    # shapes the fast path leaves to dateutil still parse
    assert parse_date("31-MAR-1987 605:12:19.12") == datetime(1987, 3, 31)
    assert parse_date("Mon, 25 Mar 2019 10:00:00 GMT") == datetime(2019, 3, 25, 10, 0)
    assert dates._parse_common("2019-02-30") is None  # not a real day: dateutil decides


@given(st.datetimes(min_value=datetime(1800, 1, 2), max_value=datetime(2099, 12, 30)),
       st.sampled_from(["date", "minutes", "seconds", "micro"]),
       st.one_of(st.none(), st.just("Z"),
                 st.integers(min_value=-14 * 60, max_value=14 * 60).map(
                     lambda m: f"{'-' if m < 0 else '+'}{abs(m) // 60:02d}:{abs(m) % 60:02d}")),
       st.sampled_from(["T", " "]))
def test_iso_strings_match_dateutil(moment: datetime, precision: str, zone: str | None,
                                    sep: str) -> None:
    if precision == "date":
        text = moment.strftime("%Y-%m-%d")
    else:
        fmt = {"minutes": "%Y-%m-%d{}%H:%M", "seconds": "%Y-%m-%d{}%H:%M:%S",
               "micro": "%Y-%m-%d{}%H:%M:%S.%f"}[precision].format(sep)
        text = moment.strftime(fmt) + (zone or "")
    assert dates._parse_common(text) == _dateutil_only(text), text


@given(st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2099, 12, 31)),
       st.integers(min_value=0, max_value=99))
def test_reuters_strings_match_dateutil(moment: datetime, hundredths: int) -> None:
    text = moment.strftime("%d-%b-%Y %H:%M:%S").upper() + f".{hundredths:02d}"
    assert dates._parse_common(text) == _dateutil_only(text), text


def test_us_zone_abbreviations_shift_dates_to_utc():
    assert parse_date("11:34 PM EST Nov 19, 2019") == datetime(2019, 11, 20, 4, 34)
    assert parse_date("Nov 19, 2019 9:00 KST") == datetime(2019, 11, 19, 0, 0)


def test_unknown_zone_names_read_as_utc_without_warnings():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # dateutil warns (and will raise) on unknown names
        assert parse_date("March 3 1987 10:00 U") == datetime(1987, 3, 3, 10, 0)
        assert parse_date("11:34 PM EST Nov 19, 2019") == datetime(2019, 11, 20, 4, 34)
        assert parse_date("Tue, 03 Mar 1987 10:00:00 +0500") == datetime(1987, 3, 3, 5, 0)


def test_a_page_date_keeps_the_day_the_page_shows():
    from datetime import timedelta

    from indexer.ingest.article import Article
    from indexer.ingest.dates import parse_page_date

    moment = parse_page_date("2020-04-02T01:00:00+03:00")  # 1 a.m. in Moscow is still 1 April in UTC
    assert moment.date().isoformat() == "2020-04-02" and moment.utcoffset() == timedelta(hours=3)
    assert Article(id="x", date=moment).date == datetime(2020, 4, 1, 22, 0)  # stored as UTC


@pytest.mark.parametrize("text, day", [
    ("الأربعاء، 07 أكتوبر 2020 - 12:09 م", "2020-10-07"),  # Arabic month name
    ("24. Januar 2022", "2022-01-24"),
    ("1 февраля 2021", "2021-02-01"),
    ("March 2019", None),        # no day: no publication day, not the 1st
    ("2019", None),              # a bare year (a copyright line) is no date
    ("2999-01-01", None),        # the future
    ("1700-05-01", None),        # before 1800
])
def test_page_dates_are_read_not_guessed(text, day):
    from indexer.ingest.dates import parse_page_date

    moment = parse_page_date(text)
    assert (moment.date().isoformat() if moment else None) == day


@pytest.mark.parametrize("url, day", [
    ("https://example.org/2019/03/25/story/", "2019-03-25"),
    ("https://example.org/news/2019-03-25-story", "2019-03-25"),
    ("https://example.org/education/2020/oct/02/story", "2020-10-02"),  # the month as a name
    ("https://example.org/news/2008/January/10/story", "2008-01-10"),  # the month's whole name
    ("https://example.org/s/wire/20071228/story", "2007-12-28"),  # year, month, day run together
    ("https://example.org/apps/article?AID=/20080102/SPORTS09/801020434", "2008-01-02"),
    ("https://example.org/2020/abc/02/story", None),
    ("https://example.org/2019/0325/story", None),
    ("https://example.org/id/200712281234/", None),  # a longer number: an id, not a date
    ("https://example.org/2007122/story", None),
    ("https://example.org/news/20080107/story_080108/20080108?hub=home", None),  # two days: the address does not tell
    ("https://example.org/news/20071228.html", "2007-12-28"),
    ("https://example.org/2019/13/25/story", None),
    ("https://example.org/2010/POLITICS/08/13/story/index.html", "2010-08-13"),  # the section, then month and day
    ("https://example.org/2008/WORLD/asiapcf/01/01/story/", "2008-01-01"),
    ("https://example.org/2013/middle_east/8/3/story/", "2013-08-03"),
    ("https://example.org/2008/January/10/12/story", "2008-01-10"),  # a month's name is no section
])
def test_a_date_in_an_address(url, day):
    from indexer.ingest.dates import date_from_url

    moment = date_from_url(url)
    assert (moment.date().isoformat() if moment else None) == day


def test_the_latest_sane_date_follows_the_clock(monkeypatch) -> None:
    """`sane_date` reads the clock only for a moment past the bound it last read:
    a year from now stays the limit before and after dates under it were checked,
    and a later clock moves it."""
    from datetime import timedelta

    now = datetime.now()
    within, beyond = now + timedelta(days=300), now + timedelta(days=400)
    assert dates.sane_date(datetime(1987, 2, 26)) == datetime(1987, 2, 26)
    assert dates.sane_date(within) == within and dates.sane_date(beyond) is None
    assert dates.sane_date(within) == within and dates.sane_date(beyond) is None

    class Later(datetime):
        @classmethod
        def now(cls, tz=None):
            return now + timedelta(days=200)

    monkeypatch.setattr(dates, "datetime", Later)
    later_beyond = Later.fromisoformat(beyond.isoformat())  # (a datetime of the patched class)
    assert dates.sane_date(later_beyond) == beyond


@pytest.mark.parametrize("word, month", [
    ("enero", 1), ("Januar", 1), ("января", 1), ("ledna", 1), ("ינואר", 1), ("مارس", 3), ("มีนาคม", 3),
    ("août", 8), ("Okt.", 10), ("listopad", 11),  # November in Czech and Polish, October in Croatian: most languages
    ("people", None), ("de", None), ("ma", None),  # no month; a two-letter Latin abbreviation is a word too
])
def test_month_names_of_many_languages(word, month):
    assert dates.month_number(word) == month
