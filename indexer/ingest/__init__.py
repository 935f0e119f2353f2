"""Ingest: source files in, `Article`s (and `Failure`s) out.

One module per input kind: `html` (web pages), `text` (plain-text exports),
`records` (JSON / JSONL / CSV), `warc` (web archives, read as a stream;
`pagekind` tells their articles from other pages); `encoding` decodes bytes, `dates` reads dates,
`article` holds the `Article` record every reader returns. This module only
picks the reader and undoes gzip.
"""

from __future__ import annotations

import gzip
import os
import zlib
from pathlib import Path
from typing import Iterable, Iterator

from indexer.errors import SourceError
from indexer.ingest.article import Article, Failure, Skipped
from indexer.limits import (
    MAX_ARTICLE_CHARS,
    MAX_ARTICLES_PER_SOURCE,
    MAX_FAILURES_PER_SOURCE,
    MAX_GZIP_RATIO,
    MAX_HTML_BYTES,
    MAX_SOURCE_BYTES,
    MB,
)

# file suffix (after an optional .gz) -> reader kind
KINDS = {
    ".html": "html", ".htm": "html", ".xhtml": "html",
    ".txt": "text",
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json", ".csv": "csv",
    ".warc": "warc", ".arc": "warc",
}



def kind_of(path: str | Path) -> str | None:
    """The reader kind for a file name, or None for files we skip."""
    name = str(path)  # lower-cased only at the end: a walk calls this once per file
    if name[-3:].lower() == ".gz":
        name = name[:-3]
    dot = name.rfind(".")
    return KINDS.get(name[dot:].lower()) if dot >= 0 else None


def read_source(path: Path, source: str, *, default_publication: str | None = None,
                ) -> Iterator[Article | Failure | Skipped]:
    """Read one file into Articles, yielded as they are read (a web archive is
    never held whole: its articles stream out record by record); problems come
    back as Failures, never as exceptions. What one file may cost is bounded
    (`indexer.limits`): a page, a body or a file's records beyond their limit
    are cut, and the cut is reported as a Failure beside the articles kept; at
    most MAX_FAILURES_PER_SOURCE problems are listed, then one line counts the rest."""
    kind = kind_of(path)
    if kind is None:
        yield Failure(source, "not a supported file kind")
        return
    try:
        if kind == "warc":  # read record by record from the file, never loaded whole
            from indexer.ingest.warc import read_warc
            yield from _bounded(source, read_warc(path, source))
            return
        data = _load(path)  # (loaded whole: a file that breaks part way fails whole, nothing half-read)
        if kind == "html":
            from indexer.ingest.html import read_html
            cut = [Failure(source, f"page cut to its first {MAX_HTML_BYTES // MB} MB of "
                                   f"{len(data) / MB:.0f} MB")] if len(data) > MAX_HTML_BYTES else []
            results = list(_bounded(source, [read_html(data[:MAX_HTML_BYTES], source), *cut]))
        elif kind == "text":
            from indexer.ingest.text import read_text
            results = list(_bounded(source, [read_text(data, source, default_publication=default_publication)]))
        else:
            from indexer.ingest.records import read_records
            results = list(_bounded(source, read_records(data, source, kind,
                                                         default_publication=default_publication)))
        yield from results
    except SourceError as exc:
        yield Failure(source, str(exc))
    except RecursionError:
        yield Failure(source, "document nested too deeply to parse")
    except MemoryError:
        yield Failure(source, "too large to read in memory")
    except Exception as exc:  # noqa: BLE001 - whatever a reader raises fails this source only
        yield Failure(source, f"could not be read ({type(exc).__name__}: {exc})"[:500])


def read_source_part(path: Path, source: str, start: int, end: int, first_line: int, *,
                     default_publication: str | None = None) -> list[Article | Failure]:
    """Read the lines in bytes [start, end) of an uncompressed JSON Lines file
    (cut at line ends; `first_line` is the number of the part's first line), so
    that several workers read one large file at once."""
    try:
        with open(path, "rb") as fh:
            fh.seek(start)
            data = fh.read(end - start)
        if not data.strip():
            return []
        from indexer.ingest.records import read_records
        return list(_bounded(source, read_records(data, source, "jsonl", default_publication=default_publication,
                                                  first_line=first_line)))
    except SourceError as exc:
        return [Failure(source, f"lines {first_line}-: {exc}")]
    except OSError as exc:
        return [Failure(source, exc.strerror or str(exc))]
    except Exception as exc:  # noqa: BLE001 - whatever a reader raises fails this part only
        return [Failure(source, f"lines {first_line}-: could not be read ({type(exc).__name__}: {exc})"[:500])]


def _bounded(source: str, results: Iterable[Article | Failure | Skipped]) -> Iterator[Article | Failure | Skipped]:
    """A reader's results within the per-source and per-article limits (what
    was cut is reported), passed on as they come: reading stops at the limit."""
    articles = failures = 0
    for item in results:
        if isinstance(item, Skipped):
            yield item
            continue
        if isinstance(item, Failure):
            failures += 1
            if failures <= MAX_FAILURES_PER_SOURCE:
                yield item
            continue
        if articles == MAX_ARTICLES_PER_SOURCE:
            yield Failure(source, f"cut: only the first {MAX_ARTICLES_PER_SOURCE:,} articles of this "
                                  "file were read")
            break
        articles += 1
        if len(item.body) > MAX_ARTICLE_CHARS:
            yield Failure(source, f"article {item.id}: body cut to {MAX_ARTICLE_CHARS // MB} M characters "
                                  f"of {len(item.body) / MB:.0f} M")
            item.body = item.body[:MAX_ARTICLE_CHARS]
        yield item
    if failures > MAX_FAILURES_PER_SOURCE:
        yield Failure(source, f"... and {failures - MAX_FAILURES_PER_SOURCE:,} more problems in this file "
                              f"({failures:,} in all)")


def _load(path: Path) -> bytes:
    """The file's bytes, a .gz inflated as it is read: refused (SourceError) past
    MAX_SOURCE_BYTES or MAX_GZIP_RATIO times its size, before more is inflated."""
    try:
        with open(path, "rb") as fh:
            if str(path).lower().endswith(".gz"):
                data = _inflate(fh, max(1, os.fstat(fh.fileno()).st_size))
            else:
                data = fh.read(MAX_SOURCE_BYTES + 1)
    except PermissionError:
        raise SourceError("permission denied") from None
    except IsADirectoryError:
        raise SourceError("is a directory") from None
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise SourceError(f"broken gzip data ({exc or 'truncated'})") from None
    except OSError as exc:
        raise SourceError(exc.strerror or str(exc)) from None
    if len(data) > MAX_SOURCE_BYTES:
        raise SourceError(f"larger than {MAX_SOURCE_BYTES // MB} MB")
    if not data.strip():
        raise SourceError("empty file")
    return data


_RATIO_FLOOR = 16 * MB  # below this much inflated data no ratio is suspicious


def _inflate(fh, compressed_bytes: int) -> bytes:
    chunks: list[bytes] = []
    total = 0
    with gzip.GzipFile(fileobj=fh) as gz:
        while True:
            chunk = gz.read(MB)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > MAX_SOURCE_BYTES:
                break  # refused by the caller
            if total > _RATIO_FLOOR and total > compressed_bytes * MAX_GZIP_RATIO:
                raise SourceError(f"refused: inflates more than {MAX_GZIP_RATIO}x its "
                                  f"{compressed_bytes:,} bytes (a gzip bomb?)")
    return b"".join(chunks)
