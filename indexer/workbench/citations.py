"""A collection written out: CSV, JSON Lines, RIS and CSL-JSON, line by line.

RIS (`TY  - NEWS`, imported by Zotero, EndNote, Mendeley) and CSL-JSON
(`article-newspaper`, what Zotero and citeproc read) carry the citation
fields each item kept when it was added, so an article a rebuild removed is
still cited. The note goes to N1 / `note`, the tags to KW / `keyword`.
"""

from __future__ import annotations

import json
from typing import Iterable, Iterator

from indexer.search.export import csv_rows, jsonl_lines
from indexer.workbench.collections import Item

COLLECTION_FORMATS = ("csv", "jsonl", "ris", "csl-json")
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson; charset=utf-8",
                 "ris": "application/x-research-info-systems; charset=utf-8",
                 "csl-json": "application/vnd.citationstyles.csl+json; charset=utf-8"}
FILE_SUFFIXES = {"csv": "csv", "jsonl": "jsonl", "ris": "ris", "csl-json": "json"}
CSV_COLUMNS = ("id", "headline", "publication", "author", "date", "url", "note", "tags", "added", "missing")
TAG_JOINER = " | "


def collection_lines(items: Iterable[Item], fmt: str) -> Iterator[str]:
    """The items in format `fmt` (one of COLLECTION_FORMATS), a piece at a time."""
    writers = {"csv": csv_lines, "jsonl": jsonl_lines, "ris": ris_lines, "csl-json": csl_json_lines}
    if fmt not in writers:
        raise ValueError(f"format must be one of {', '.join(COLLECTION_FORMATS)}")
    return writers[fmt](items)


def csv_lines(items: Iterable[Item]) -> Iterator[str]:
    """A header row, then one row per item; tags joined by " | "."""
    def rows() -> Iterator[dict]:
        for item in items:
            row = item.to_json()
            row["tags"] = TAG_JOINER.join(row["tags"])
            yield row

    return csv_rows(CSV_COLUMNS, rows())


def _ris_value(text: str) -> str:
    return " ".join(str(text).split())  # one line per tag: no line breaks inside a value


def ris_lines(items: Iterable[Item]) -> Iterator[str]:
    """One RIS record per item (CRLF line ends, as the RIS specification has them)."""
    for item in items:
        tags = [("TY", "NEWS"), ("ID", item.article_id)]
        if item.headline:
            tags.append(("TI", item.headline))
        if item.publication:
            tags.append(("T2", item.publication))
        if item.author:
            tags.append(("AU", item.author))
        if item.date:
            y, m, d = item.date[:4], item.date[5:7], item.date[8:10]
            tags += [("PY", y), ("DA", f"{y}/{m}/{d}/")]
        if item.url:
            tags.append(("UR", item.url))
        if item.note:
            tags.append(("N1", item.note))
        tags += [("KW", tag) for tag in item.tags]
        lines = [f"{tag}  - {_ris_value(value)}" for tag, value in tags]
        yield "\r\n".join(lines) + "\r\nER  - \r\n\r\n"


def csl_item(item: Item) -> dict:
    """The CSL-JSON object of one item (`article-newspaper`)."""
    out: dict = {"id": item.article_id, "type": "article-newspaper"}
    if item.headline:
        out["title"] = item.headline
    if item.publication:
        out["container-title"] = item.publication
    if item.author:
        out["author"] = [{"literal": item.author}]
    if item.date:
        out["issued"] = {"date-parts": [[int(item.date[:4]), int(item.date[5:7]), int(item.date[8:10])]]}
    if item.url:
        out["URL"] = item.url
    if item.note:
        out["note"] = item.note
    if item.tags:
        out["keyword"] = ", ".join(item.tags)
    return out


def csl_json_lines(items: Iterable[Item]) -> Iterator[str]:
    """A CSL-JSON array, written an item at a time."""
    first = True
    yield "["
    for item in items:
        yield ("\n" if first else ",\n") + json.dumps(csl_item(item), ensure_ascii=False)
        first = False
    yield "\n]\n"
