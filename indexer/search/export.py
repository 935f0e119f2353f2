"""Result sets as JSON Lines or CSV, streamed line by line (the CLI and the web
share it), and article text made safe for a spreadsheet or a terminal."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any, Callable, Iterable, Iterator, Sequence

from indexer.ingest.article import Article

EXPORT_FIELDS = ("id", "headline", "body", "captions", "publication", "author", "date", "url", "source", "crawled")
CSV_CAPTION_JOINER = " | "
# A spreadsheet reads a cell starting with one of these as a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_WHITESPACE = re.compile(r"\s+")


def jsonl_lines(records: Iterable) -> Iterator[str]:
    """One JSON object per line, from anything with `to_json()` (articles,
    concordance lines, collection items)."""
    for record in records:
        yield json.dumps(record.to_json(), ensure_ascii=False) + "\n"


def spreadsheet_safe(cell: Any) -> Any:
    """The cell as a spreadsheet shows it as text: one that starts a formula gets
    a leading apostrophe, as OWASP advises (so `=HYPERLINK(...)` is text, not a
    link). A cell already starting with apostrophes before such a character gets
    one more, so the marking stays reversible: drop one leading apostrophe from a
    cell whose apostrophes are followed by one of `FORMULA_STARTS`."""
    if isinstance(cell, str) and cell.lstrip("'").startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


# C0 and C1 controls (ESC starts the sequences that clear or retitle a terminal),
# DEL, and the bidirectional overrides that make text display in another order.
_TERMINAL_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def terminal_safe(text: str) -> str:
    """Article text safe to print on a terminal: whitespace runs become one
    space and control characters go, so an article cannot drive the terminal."""
    return _TERMINAL_CONTROLS.sub("", _WHITESPACE.sub(" ", text))


def csv_rows(columns: Sequence[str], rows: Iterable[dict], cell: Callable = None,
             every: int = 1) -> Iterator[str]:
    """CSV text: a header row of `columns`, then each row's values (None as an
    empty cell, others through `cell`, by default `spreadsheet_safe`: every CSV
    here is made to be opened in a spreadsheet), handed out every `every` rows."""
    cell = cell or spreadsheet_safe
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def take() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(columns)
    yield take()
    for n, row in enumerate(rows, 1):
        writer.writerow(["" if row[name] is None else cell(row[name]) for name in columns])
        if n % every == 0:
            yield take()
    rest = take()
    if rest:
        yield rest


def csv_lines(articles: Iterable[Article]) -> Iterator[str]:
    """CSV with a header row; captions joined by " | "; every text cell
    `spreadsheet_safe`, since the file is made to be opened in a spreadsheet."""
    def rows() -> Iterator[dict]:
        for article in articles:
            row = article.to_json()
            row["captions"] = CSV_CAPTION_JOINER.join(row["captions"])
            yield row

    return csv_rows(EXPORT_FIELDS, rows())
