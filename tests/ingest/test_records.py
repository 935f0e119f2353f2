"""Record reader: every record kind, field aliases, broken lines, and real Reuters records."""

from __future__ import annotations

import gzip
import json
import re
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.errors import SourceError
from indexer.ingest import read_source
from indexer.ingest.article import Article, Failure, derived_id
from indexer.ingest.bylines import normalise_byline
from indexer.ingest.dates import parse_date
from indexer.ingest.records import (
    EMPTY_RECORD,
    FIELD_ALIASES,
    KNOWN_FIELDS,
    _as_text,
    _looks_like_path,
    read_records,
    record_to_article,
)
from indexer.ingest.text import clean_plain_body
from tests.conftest import CORPUS, FIXTURES

FIXTURES = FIXTURES / "records"
CORPUS = CORPUS / "reuters21578"


def read(name: str, kind: str, **kwargs) -> list[Article | Failure]:
    return list(read_records((FIXTURES / name).read_bytes(), name, kind, **kwargs))


def articles(results: list[Article | Failure]) -> list[Article]:
    return [r for r in results if isinstance(r, Article)]


def failures(results: list[Article | Failure]) -> list[Failure]:
    return [r for r in results if isinstance(r, Failure)]


def raw_lines(name: str) -> list[dict]:
    return [json.loads(line) for line in (FIXTURES / name).read_text(encoding="utf-8").splitlines()
            if line.strip()]


# --- JSON Lines -------------------------------------------------------------------------------

def test_jsonl_reuters_sample_fields() -> None:
    raw = {d["id"]: d for d in raw_lines("reuters-sample.jsonl")}
    results = read("reuters-sample.jsonl", "jsonl")
    assert failures(results) == []
    by_id = {a.id: a for a in articles(results)}
    assert list(by_id) == list(raw)  # ids kept, order kept

    cocoa = by_id["reuters-1"]
    assert cocoa.headline == "BAHIA COCOA REVIEW"
    assert cocoa.publication == "Reuters"
    assert cocoa.date == datetime(1987, 2, 26, 15, 1, 1, 790000)
    assert cocoa.source == "reuters-sample.jsonl"
    assert cocoa.body.startswith("SALVADOR, Feb 26 - Showers continued throughout the week in the Bahia")
    assert cocoa.body.endswith("carnival which ends midday on February 27.")
    assert "Reuter" not in cocoa.body
    assert "\n" not in cocoa.body.replace("\n\n", "")
    assert cocoa.body.count("\n\n") == raw["reuters-1"]["body"].count("\n    ")

    srd = by_id["reuters-2"]
    assert srd.headline == "STANDARD OIL <SRD> TO FORM FINANCIAL UNIT"  # tickers survive as text
    assert "British Petroleum Co Plc <BP>" in srd.body

    assert by_id["reuters-4"].author == raw["reuters-4"]["author"]
    assert not raw["reuters-4"]["author"].lower().startswith("by ")


def test_jsonl_headline_only_and_body_only_records() -> None:
    by_id = {a.id: a for a in articles(read("reuters-sample.jsonl", "jsonl"))}
    brief = by_id["reuters-30"]  # BRIEF: headline, no body
    assert brief.headline.startswith("ASSETS OF MONEY MARKET MUTUAL FUNDS")
    assert brief.body == ""
    unproc = by_id["reuters-99"]  # UNPROC: body (a table), no headline
    assert unproc.headline == ""
    rows = unproc.body.split("\n\n")
    assert rows[0] == "FEDERAL RESERVE WEEKLY REPORT 1 - FEB 26"
    assert "Net free reserves.............644 vs.....1,337" in rows
    assert rows[-1] == "Treasury deposits...........4,208 down......63"


def test_jsonl_sign_off_variants() -> None:
    raw = {d["id"]: d for d in raw_lines("reuters-sample.jsonl")}
    by_id = {a.id: a for a in articles(read("reuters-sample.jsonl", "jsonl"))}
    assert raw["reuters-1990"]["body"].endswith("REUTER\n Reuter\n")
    assert by_id["reuters-1990"].body.split("\n\n")[-1].startswith("TOTAL")
    assert raw["reuters-3793"]["body"].rstrip().endswith("ounce. REUTER")
    assert by_id["reuters-3793"].body.endswith("a quarter ounce and a tenth of an ounce.")


def test_broken_jsonl_lines_are_reported_and_good_lines_come_through() -> None:
    results = read("broken.jsonl", "jsonl")
    assert [a.id for a in articles(results)] == ["reuters-1", "reuters-2", "reuters-30"]
    reported = {f.line: f.reason for f in failures(results)}
    assert sorted(reported) == [2, 5, 6, 7]
    assert reported[2].startswith("not valid JSON")
    assert "not a JSON object" in reported[5]
    assert reported[6] == EMPTY_RECORD  # headline blank, body only a sign-off
    assert reported[7].startswith("not valid JSON")
    assert all(f.source == "broken.jsonl" for f in failures(results))


def test_ndjson_aliases_and_derived_ids() -> None:
    results = read("aliases.ndjson", "jsonl", default_publication="Fallback")
    raw = raw_lines("aliases.ndjson")
    [empty] = failures(results)
    assert empty.line == 3 and empty.reason == EMPTY_RECORD  # line 2 is blank and skipped
    first, third, fourth = articles(results)

    assert first.id == derived_id("aliases.ndjson", 1)
    assert first.headline == raw[0]["title"]
    assert first.body == clean_plain_body(raw[0]["text"])
    assert first.publication == "Reuters"  # site_name
    assert first.url == "https://example.org/reuters/2"
    assert first.author is None  # "Staff Reporter" names no person (bylines.normalise_byline)
    assert first.date == datetime(1987, 2, 26, 15, 2, 20)

    assert third.id == derived_id("aliases.ndjson", 4)
    assert third.headline == raw[2]["Title"]  # keys match case-insensitively
    assert third.body.startswith("LOS ANGELES, Feb 26 - BankAmerica Corp is not under pressure")
    assert third.publication == "Reuters"  # `source`, not a path
    assert third.author == raw[2]["authors"][0][3:]  # "By Janie Gabbett", "Desk Editor": one person
    assert third.captions == ["first caption", "second caption"]

    assert fourth.id == "3793"  # a numeric id is kept, as text
    assert fourth.date == datetime(1987, 4, 8, 14, 0)  # UTC, naive
    assert fourth.captions == ["a caption"]
    # `source` holding a file path (our own export shape) is not a publication
    assert fourth.publication == "Fallback"


def test_jsonl_that_is_not_json_at_all() -> None:
    with pytest.raises(SourceError, match="not JSON Lines"):
        list(read_records(b"hello\nworld\n", "x.jsonl", "jsonl"))


# --- JSON -------------------------------------------------------------------------------------

def test_json_object() -> None:
    [article] = read("article.json", "json")
    assert article.id == "reuters-2"
    assert article.headline == "STANDARD OIL <SRD> TO FORM FINANCIAL UNIT"
    assert article.body.count("\n\n") == 2


def test_json_list_with_bad_items() -> None:
    results = read("articles.json", "json")
    assert [a.id for a in articles(results)] == ["reuters-1", "reuters-30", "reuters-99"]
    reasons = [f.reason for f in failures(results)]
    assert reasons == ["item 2 of the list is not a JSON object", f"item 4 of the list: {EMPTY_RECORD}"]


def test_json_list_derives_ids_from_the_index() -> None:
    data = json.dumps([{"title": "A"}, {"title": "B"}]).encode()
    ids = [a.id for a in read_records(data, "list.json", "json")]
    assert ids == [derived_id("list.json", 0), derived_id("list.json", 1)]


@pytest.mark.parametrize("data, reason", [
    (b'{"title": "unterminated', "not JSON"),
    (b"42", "not an article object or a list"),
    (b"[]", "empty list"),
])
def test_json_whole_file_failures(data: bytes, reason: str) -> None:
    with pytest.raises(SourceError, match=reason):
        list(read_records(data, "x.json", "json"))


def test_json_empty_object_is_an_empty_record() -> None:
    [failure] = list(read_records(b'{"headline": "", "body": " "}', "x.json", "json"))
    assert isinstance(failure, Failure) and failure.reason == EMPTY_RECORD


# --- CSV --------------------------------------------------------------------------------------

def test_csv_rows() -> None:
    results = read("articles.csv", "csv")
    good = articles(results)
    assert [a.id for a in good[:2]] == ["reuters-1", "reuters-2"]
    cocoa = good[0]
    assert cocoa.headline == "BAHIA COCOA REVIEW"  # header "Headline" matched case-insensitively
    assert cocoa.date == datetime(1987, 2, 26, 15, 1, 1, 790000)
    assert cocoa.body == articles(read("reuters-sample.jsonl", "jsonl"))[0].body
    # rows spanning many lines: ids derived from the row's first line
    text = (FIXTURES / "articles.csv").read_text(encoding="utf-8")
    last_start = text.split("\n").index(next(line for line in text.split("\n")
                                             if line.startswith(",TALKING POINT"))) + 1
    assert good[2].id == derived_id("articles.csv", last_start)
    assert good[2].author and not good[2].author.lower().startswith("by ")
    reported = failures(results)
    assert [f.line for f in reported] == [last_start - 2, last_start - 1]
    assert "fields but the header has 6" in reported[0].reason
    assert reported[1].reason == EMPTY_RECORD


def test_csv_without_header() -> None:
    with pytest.raises(SourceError, match="header"):
        list(read_records((FIXTURES / "no-header.csv").read_bytes(), "no-header.csv", "csv"))


def test_csv_semicolons_and_big_fields() -> None:
    body = "word " * 200_000  # over csv's default 128 KiB field limit
    data = f"title;text\nBig one;{body}\n".encode()
    [article] = list(read_records(data, "big.csv", "csv"))
    assert article.headline == "Big one" and len(article.body) == len(body.strip())


# --- whole files, gzip, dispatch --------------------------------------------------------------

@pytest.mark.parametrize("kind", ["json", "jsonl", "csv"])
def test_empty_files(kind: str) -> None:
    with pytest.raises(SourceError, match="empty"):
        list(read_records(b" \n\n", f"x.{kind}", kind))


def test_binary_file() -> None:
    with pytest.raises(SourceError, match="binary"):
        list(read_records(b"\x00\x01\x02\x03" * 100, "x.jsonl", "jsonl"))


def test_gzip_through_read_source(tmp_path: Path) -> None:
    plain = list(read_source(FIXTURES / "reuters-sample.jsonl", "s"))
    zipped = list(read_source(FIXTURES / "reuters-sample.jsonl.gz", "s"))
    assert [a.to_json() for a in zipped] == [a.to_json() for a in plain]
    assert len(zipped) == 7

    empty = tmp_path / "empty.jsonl"
    empty.write_bytes((FIXTURES / "empty.jsonl").read_bytes())
    [failure] = read_source(empty, "empty.jsonl")
    assert isinstance(failure, Failure) and failure.reason == "empty file"


def test_latin1_csv_decodes() -> None:
    data = "title,body\nM\u00fcnchen,Caf\u00e9 prices rose.\n".encode("cp1252")
    [article] = list(read_records(data, "x.csv", "csv"))
    assert article.headline == "M\u00fcnchen" and article.body == "Caf\u00e9 prices rose."


# --- the bundled corpus -----------------------------------------------------------------------

def test_bundled_reuters_file_reads_cleanly() -> None:
    path = CORPUS / "reut2-000.jsonl.gz"
    raw = [json.loads(line) for line in gzip.open(path, "rt", encoding="utf-8")]
    results = list(read_source(path, str(path)))
    assert failures(results) == []
    got = articles(results)
    assert [a.id for a in got] == [d["id"] for d in raw]
    assert all(a.date is not None and a.date.year == 1987 for a in got)
    signed = [a for a, d in zip(got, raw) if d.get("body", "").rstrip().lower().endswith("reuter")]
    assert len(signed) > 900
    assert not any(a.body.rstrip().lower().endswith("reuter") for a in signed)
    wrapped = [a for a, d in zip(got, raw) if "\n" in d.get("body", "")]
    assert not any("\n" in a.body.replace("\n\n", "") for a in wrapped)


def test_jsonl_line_separators_inside_strings_do_not_split_records() -> None:
    data = ('{"headline": "A\u2028B", "body": "one\u0085two"}\n'
            '{"headline": "C"}\n').encode("utf-8")
    results = list(read_records(data, "x.jsonl", "jsonl"))
    assert [r.headline for r in results] == ["A B", "C"]
    assert [r.id for r in results] == [derived_id("x.jsonl", 1), derived_id("x.jsonl", 2)]


def test_record_without_any_article_field_says_so() -> None:
    [failure] = list(read_records(b'{"articles": [{"title": "A"}]}', "x.json", "json"))
    assert isinstance(failure, Failure)
    assert failure.reason.startswith("no article fields") and "articles" in failure.reason


def test_only_text_and_integer_ids_are_kept() -> None:
    data = b'[{"id": {"x": 1}, "title": "A"}, {"id": true, "title": "B"}, {"id": " 7 ", "title": "C"}]'
    ids = [a.id for a in read_records(data, "ids.json", "json")]
    assert ids == [derived_id("ids.json", 0), derived_id("ids.json", 1), "7"]


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.binary(max_size=400),
                 st.lists(st.sampled_from([b'{"title": "A", "body": "b\\n Reuter"}', b'{"id": 1}',
                                           b"title,body", b"x,y", b'"unclosed', b"[", b"]", b"{}",
                                           b"\n", b",", b"\xff\xfe", b"\x00"]),
                          max_size=12).map(b"\n".join)),
       st.sampled_from(["json", "jsonl", "csv"]))
def test_read_records_only_ever_raises_source_error(data: bytes, kind: str) -> None:
    try:
        results = list(read_records(data, "fuzz", kind))
    except SourceError:
        return
    for result in results:
        assert isinstance(result, (Article, Failure))
        if isinstance(result, Article):
            assert not result.is_empty()


# --- which field a record's keys fill ----------------------------------------------------------

def reference_field(record: dict, names: tuple[str, ...]):
    """The alias rule as the README states it, one key at a time: every key normalised
    (case, `_`, `-` and spaces ignored), the first key of a normalised name kept, then
    the first of `names` whose value is present (not None, blank, [] or {})."""
    fields: dict = {}
    for key, value in record.items():
        fields.setdefault(re.sub(r"[\s_\-]", "", key).lower(), value)
    for name in names:
        value = fields.get(name)
        if value is not None and value != [] and value != {} and not (isinstance(value, str) and not value.strip()):
            return value
    return None


_KEYS = st.sampled_from(["headline", "Title", "TITLE", "head_line", "body", "Text", "con-tent", "Content",
                         "caption", "Captions", "author", "By Line", "authors", "date", "Published At",
                         "date_published", "url", "Link", "ID", "id", "source", "site_name", "publication",
                         "other", "x"])
_VALUES = st.one_of(st.none(), st.sampled_from(["", "  ", "\n"]), st.text(max_size=30), st.integers(),
                    st.booleans(), st.lists(st.sampled_from(["A b", "", "Jane Roe"]), max_size=3),
                    st.sampled_from([{}, {"name": "N"}, "2019-03-25", "a/b.html", "By Jane Roe, AP"]))


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(_KEYS, _VALUES), max_size=8).map(dict))
def test_record_fields_follow_the_alias_rule_whatever_the_keys(record: dict) -> None:
    """record_to_article finds a record's fields from a plan cached per sequence of keys
    (records.py `_field_plan`); the result is the one-key-at-a-time rule's."""
    result = record_to_article(record, "fuzz.jsonl", 3, default_publication="Default")
    known = {re.sub(r"[\s_\-]", "", key).lower() for key in record} & KNOWN_FIELDS
    if record and not known:
        assert isinstance(result, str) and result.startswith("no article fields")
        return
    headline = " ".join(_as_text(reference_field(record, FIELD_ALIASES["headline"])).split())
    body = clean_plain_body(_as_text(reference_field(record, FIELD_ALIASES["body"]), joiner="\n\n"))
    if not headline and not body:
        assert result == EMPTY_RECORD
        return
    assert isinstance(result, Article)
    assert (result.headline, result.body) == (headline, body)
    record_id = reference_field(record, FIELD_ALIASES["id"])
    own_id = str(record_id).strip() if isinstance(record_id, (str, int)) and not isinstance(record_id, bool) else ""
    assert result.id == (own_id or derived_id("fuzz.jsonl", 3))
    assert result.date == parse_date(reference_field(record, FIELD_ALIASES["date"]))
    assert result.url == (" ".join(_as_text(reference_field(record, FIELD_ALIASES["url"])).split()) or None)
    author = reference_field(record, FIELD_ALIASES["author"])
    assert result.author == (normalise_byline(" ".join(_as_text(author).split())) if not isinstance(author, list)
                             else normalise_byline([" ".join(_as_text(v).split()) for v in author]))
    publications = [" ".join(_as_text(reference_field(record, (name,))).split())
                    for name in FIELD_ALIASES["publication"]]
    publications = [text for name, text in zip(FIELD_ALIASES["publication"], publications)
                    if text and not (name == "source" and _looks_like_path(text))]
    assert result.publication == (publications[0] if publications else "Default")
