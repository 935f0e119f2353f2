"""Result sets as JSON Lines or CSV, streamed line by line (the CLI and the web share it)."""

from __future__ import annotations

import csv
import io
import json
from typing import Iterable, Iterator

from indexer.ingest.article import Article

EXPORT_FIELDS = ("id", "headline", "body", "captions", "publication", "author", "date", "url", "source")
CSV_CAPTION_JOINER = " | "


def jsonl_lines(articles: Iterable[Article]) -> Iterator[str]:
    for article in articles:
        yield json.dumps(article.to_json(), ensure_ascii=False) + "\n"


def csv_lines(articles: Iterable[Article]) -> Iterator[str]:
    """CSV with a header row; captions joined by " | "."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def take() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(EXPORT_FIELDS)
    yield take()
    for article in articles:
        row = article.to_json()
        row["captions"] = CSV_CAPTION_JOINER.join(row["captions"])
        writer.writerow(["" if row[name] is None else row[name] for name in EXPORT_FIELDS])
        yield take()
