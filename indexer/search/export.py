"""Result sets as JSON Lines or CSV, streamed line by line (the CLI and the web share it)."""

from __future__ import annotations

import csv
import io
import json
from typing import Callable, Iterable, Iterator, Sequence

from indexer.ingest.article import Article

EXPORT_FIELDS = ("id", "headline", "body", "captions", "publication", "author", "date", "url", "source", "crawled")
CSV_CAPTION_JOINER = " | "
# A spreadsheet reads a cell starting with one of these as a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def jsonl_lines(records: Iterable) -> Iterator[str]:
    """One JSON object per line, from anything with `to_json()` (articles,
    concordance lines, collection items)."""
    for record in records:
        yield json.dumps(record.to_json(), ensure_ascii=False) + "\n"


def spreadsheet_safe(cell: str) -> str:
    """The cell as a spreadsheet shows it as text: one that starts a formula gets
    a leading apostrophe, as OWASP advises (so `=HYPERLINK(...)` is text, not a
    link). A cell already starting with apostrophes before such a character gets
    one more, so the marking stays reversible: drop one leading apostrophe from a
    cell whose apostrophes are followed by one of `FORMULA_STARTS`."""
    return "'" + cell if cell.lstrip("'").startswith(FORMULA_STARTS) else cell


def csv_rows(columns: Sequence[str], rows: Iterable[dict], cell: Callable = lambda value: value,
             every: int = 1) -> Iterator[str]:
    """CSV text: a header row of `columns`, then each row's values (None as an
    empty cell, others through `cell`), handed out every `every` rows."""
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

    return csv_rows(EXPORT_FIELDS, rows(), cell=spreadsheet_safe)
