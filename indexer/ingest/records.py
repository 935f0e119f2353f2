"""Record files: one article per JSON object (`.json`, `.jsonl`/`.ndjson`) or CSV row.

Field names follow the README's "Input formats"; they are matched case-insensitively and
ignoring `_`, `-` and spaces, so `datePublished`, `published_at` and a CSV
header "Published At" all work. A bad line becomes a Failure with its line
number and the rest of the file still comes through; only a file that cannot
be read at all (empty, binary, not JSON, CSV without a header) raises SourceError.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import re
import sys
from typing import Any, Iterator, NamedTuple

from indexer.errors import SourceError
from indexer.ingest.article import Article, Failure, collapse_spaces, derived_id
from indexer.ingest.bylines import normalise_byline
from indexer.ingest.dates import parse_date
from indexer.ingest.encoding import decode_bytes, looks_binary
from indexer.ingest.text import clean_plain_body

# normalised field name -> Article attribute; earlier names win when a record has several
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "headline": ("headline", "title"),
    "body": ("body", "text", "content"),
    "captions": ("captions", "caption"),
    "publication": ("publication", "sitename", "source"),
    "author": ("author", "byline", "authors"),
    "date": ("date", "published", "publishedat", "datepublished"),
    "url": ("url", "link"),
    "id": ("id",),
}
KNOWN_FIELDS = frozenset(name for names in FIELD_ALIASES.values() for name in names)
EMPTY_RECORD = "empty record: no headline or body"

_CSV_DELIMITERS = (",", "\t", ";", "|")


def read_records(data: bytes, source: str, kind: str, *,
                 default_publication: str | None = None, first_line: int = 1) -> Iterator[Article | Failure]:
    """Articles (and Failures for bad records) from a `.json`, `.jsonl` or `.csv` file.
    `first_line`: the line number of `data`'s first line (a part of a JSON Lines file)."""
    if kind not in ("json", "jsonl", "csv"):
        raise ValueError(f"unknown record kind {kind!r}")
    text = decode_bytes(data)
    if not text.strip():
        raise SourceError("empty file")
    # JSON Lines is judged line by line (a torn, zero-filled line loses only
    # itself; a file with no JSON line at all fails as a whole below).
    if kind != "jsonl" and looks_binary(data):
        raise SourceError("binary data, not text")
    if kind == "json":
        yield from _read_json(text, source, default_publication)
    elif kind == "jsonl":
        yield from _read_jsonl(text, source, default_publication, first_line)
    else:
        yield from _read_csv(text, source, default_publication)


def record_to_article(record: dict[str, Any], source: str, position: int | None, *,
                      default_publication: str | None = None) -> Article | str:
    """An Article from one record, or the reason it cannot be one."""
    plan = _field_plan(tuple(record))
    if plan is None:
        return ("no article fields (expected headline/title, body/text/content, ...); found "
                + ", ".join(sorted(str(k) for k in record)[:8]))
    headline = collapse_spaces(_as_text(_first(record, plan.headline)))
    body = clean_plain_body(_as_text(_first(record, plan.body), joiner="\n\n"))
    if not headline and not body:
        return EMPTY_RECORD
    captions = _first(record, plan.captions)
    author = _first(record, plan.author)
    date = _first(record, plan.date)
    url = _first(record, plan.url)
    return Article(
        id=_record_id(_first(record, plan.id)) or derived_id(source, position),
        headline=headline,
        body=body,
        captions=_captions(captions) if captions is not None else [],
        publication=_publication(record, plan.publication) or default_publication,
        author=_author(author) if author is not None else None,
        date=parse_date(date) if date is not None else None,
        url=(collapse_spaces(_as_text(url)) or None) if url is not None else None,
        source=source,
    )


# --- file kinds -----------------------------------------------------------------------

def _read_json(text: str, source: str, default_publication: str | None,
               ) -> Iterator[Article | Failure]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError(f"not JSON: {exc.msg} at line {exc.lineno}") from None
    except ValueError as exc:  # an integer of more than 4,300 digits
        raise SourceError(f"not readable JSON: {exc}") from None
    if isinstance(value, dict):
        result = record_to_article(value, source, None, default_publication=default_publication)
        yield Failure(source, result) if isinstance(result, str) else result
        return
    if not isinstance(value, list):
        raise SourceError(f"JSON holds a {type(value).__name__}, not an article object or a list")
    if not value:
        raise SourceError("empty list: no articles")
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            yield Failure(source, f"item {index + 1} of the list is not a JSON object")
            continue
        result = record_to_article(item, source, index, default_publication=default_publication)
        if isinstance(result, str):
            yield Failure(source, f"item {index + 1} of the list: {result}")
        else:
            yield result


def _read_jsonl(text: str, source: str, default_publication: str | None, first_line: int = 1,
                ) -> Iterator[Article | Failure]:
    # Failures before the first good line are held back: if no line at all is
    # JSON, the file (or its first part) is not JSON Lines and one SourceError says so.
    held: list[Failure] = []
    any_json = False
    # split on "\n" only: str.splitlines() would also break inside JSON strings
    # holding U+2028, U+0085 or other characters it counts as line ends
    for line_no, line in enumerate(text.split("\n"), start=first_line):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            failure = Failure(source, f"not valid JSON: {exc.msg} (column {exc.colno})", line=line_no)
        except ValueError as exc:  # an integer of more than 4,300 digits
            failure = Failure(source, f"not readable JSON: {exc}", line=line_no)
        else:
            if not any_json:
                any_json = True
                yield from held
                held.clear()
            if not isinstance(value, dict):
                yield Failure(source, f"not a JSON object but a {type(value).__name__}", line=line_no)
                continue
            result = record_to_article(value, source, line_no, default_publication=default_publication)
            yield Failure(source, result, line=line_no) if isinstance(result, str) else result
            continue
        if any_json:
            yield failure
        else:
            held.append(failure)
    if not any_json:
        if looks_binary(text[:4096].encode("utf-8", "surrogatepass")):
            raise SourceError("binary data, not text")
        if first_line > 1:  # a later part of a file: each bad line is reported, as in the whole file
            yield from held
            return
        first = held[0] if held else None
        where = f" (line {first.line}: {first.reason})" if first else ""
        raise SourceError(f"not JSON Lines: no line is a JSON value{where}")


def _read_csv(text: str, source: str, default_publication: str | None,
              ) -> Iterator[Article | Failure]:
    _allow_big_csv_fields()
    first_line = text.lstrip("\ufeff\n\r").split("\n", 1)[0]
    delimiter = max(_CSV_DELIMITERS, key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    last_line = 0
    while True:
        start_line = last_line + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            last_line = reader.line_num
            if header is None:
                raise SourceError(f"not CSV: {exc}") from None
            yield Failure(source, f"broken CSV row: {exc}", line=start_line)
            continue
        last_line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if header is None:
            header = [cell.strip().lstrip("\ufeff") for cell in row]
            if not any(_normalise_name(name) in KNOWN_FIELDS for name in header):
                raise SourceError("CSV without a header row naming article fields "
                                  "(headline/title, body/text/content, ...)")
            continue
        if len(row) > len(header):
            yield Failure(source, f"row has {len(row)} fields but the header has {len(header)}",
                          line=start_line)
            continue
        record = dict(zip(header, row))
        result = record_to_article(record, source, start_line,
                                   default_publication=default_publication)
        yield Failure(source, result, line=start_line) if isinstance(result, str) else result
    if header is None:
        raise SourceError("empty file")


def _allow_big_csv_fields() -> None:
    # long article bodies exceed csv's default 128 KiB field limit
    limit = min(sys.maxsize, 2**31 - 1)
    if csv.field_size_limit() < limit:
        csv.field_size_limit(limit)


# --- fields ---------------------------------------------------------------------------

class _FieldPlan(NamedTuple):
    """Where a record with a given sequence of keys keeps each Article field:
    the keys to try in order (`FIELD_ALIASES`' order; of several keys with one
    normalised name, the first), and for the publication whether each key is `source`."""

    headline: tuple
    body: tuple
    captions: tuple
    author: tuple
    date: tuple
    url: tuple
    id: tuple
    publication: tuple  # (key, is the `source` field)


@functools.lru_cache(maxsize=4096)  # a file's records repeat a few sequences of keys
def _field_plan(keys: tuple) -> _FieldPlan | None:
    """The `_FieldPlan` of records with these keys; None when there are keys and
    none of them names an article field."""
    named: dict[str, Any] = {}
    for key in keys:
        named.setdefault(_normalise_name(key), key)
    if named and not KNOWN_FIELDS.intersection(named):
        return None
    plan = {attribute: tuple(named[name] for name in names if name in named)
            for attribute, names in FIELD_ALIASES.items()}
    plan["publication"] = tuple((named[name], name == "source") for name in FIELD_ALIASES["publication"]
                                if name in named)
    return _FieldPlan(**plan)


def _normalise_name(name: str) -> str:
    return re.sub(r"[\s_\-]", "", str(name)).lower()


def _first(record: dict[str, Any], keys: tuple) -> Any:
    """The first present value of `record` under `keys`, or None."""
    for key in keys:
        value = record[key]
        if _present(value):
            return value
    return None


def _present(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, (list, dict)):
        return bool(value)
    return True


def _as_text(value: Any, joiner: str = " ") -> str:
    """Text from a field value; a list of strings (e.g. paragraphs) is joined."""
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list):
        return joiner.join(t for t in (_as_text(v) for v in value) if t.strip())
    if isinstance(value, dict):
        return _as_text(value.get("name") or value.get("text") or value.get("value"))
    return ""


def _record_id(value: Any) -> str | None:
    """A record's own id as text; only strings and integers count as ids."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    return str(value).strip() or None


def _captions(value: Any) -> list[str]:
    """Captions from a list, or from a string holding one per line or " | "-joined
    (the shape of the CSV export, so an export can be indexed again)."""
    if isinstance(value, list):
        parts = [_as_text(v) for v in value]
    else:
        parts = re.split(r"\n| \| ", _as_text(value))
    return [c for c in (collapse_spaces(p) for p in parts) if c]


def _author(value: Any) -> str | None:
    """The people in a byline field (a string or a list), as the HTML reader gives them."""
    if isinstance(value, list):
        return normalise_byline([collapse_spaces(_as_text(v)) for v in value])
    return normalise_byline(collapse_spaces(_as_text(value)))


def _publication(record: dict[str, Any], keys: tuple) -> str | None:
    for key, is_source in keys:
        text = collapse_spaces(_as_text(record[key]))
        # `source` also names a file path in our own exports: not a publication
        if text and not (is_source and _looks_like_path(text)):
            return text
    return None


def _looks_like_path(text: str) -> bool:
    return "/" in text or "\\" in text or bool(re.search(r"\.(?:html?|txt|jsonl?|csv|gz)$", text, re.I))
