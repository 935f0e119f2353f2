"""Ingest: source files in, `Article`s (and `Failure`s) out.

One module per input kind: `html` (web pages), `text` (plain-text exports),
`records` (JSON / JSONL / CSV), `warc` (web archives, read as a stream;
`pagekind` tells their articles from other pages); `encoding` decodes bytes, `dates` reads dates,
`article` holds the `Article` record every reader returns. This module only
picks the reader and undoes gzip.
"""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

from indexer.errors import SourceError
from indexer.ingest.article import Article, Failure, Skipped
from indexer.limits import MAX_SOURCE_BYTES

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
                ) -> list[Article | Failure | Skipped]:
    """Read one file into Articles; problems come back as Failures, never as exceptions."""
    kind = kind_of(path)
    if kind is None:
        return [Failure(source, "not a supported file kind")]
    try:
        if kind == "warc":  # read record by record from the file, never loaded whole
            from indexer.ingest.warc import read_warc
            return list(read_warc(path, source))
        data = _load(path)
        if kind == "html":
            from indexer.ingest.html import read_html
            return [read_html(data, source)]
        if kind == "text":
            from indexer.ingest.text import read_text
            return [read_text(data, source, default_publication=default_publication)]
        from indexer.ingest.records import read_records
        return list(read_records(data, source, kind, default_publication=default_publication))
    except SourceError as exc:
        return [Failure(source, str(exc))]
    except RecursionError:
        return [Failure(source, "document nested too deeply to parse")]
    except MemoryError:
        return [Failure(source, "too large to read in memory")]
    except Exception as exc:  # noqa: BLE001 - whatever a reader raises fails this source only
        return [Failure(source, f"could not be read ({type(exc).__name__}: {exc})"[:500])]


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
        return list(read_records(data, source, "jsonl", default_publication=default_publication,
                                 first_line=first_line))
    except SourceError as exc:
        return [Failure(source, f"lines {first_line}-: {exc}")]
    except OSError as exc:
        return [Failure(source, exc.strerror or str(exc))]


def _load(path: Path) -> bytes:
    try:
        with open(path, "rb") as fh:
            if str(path).lower().endswith(".gz"):
                with gzip.GzipFile(fileobj=fh) as gz:
                    data = gz.read(MAX_SOURCE_BYTES + 1)
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
        raise SourceError(f"larger than {MAX_SOURCE_BYTES // (1024 * 1024)} MB")
    if not data.strip():
        raise SourceError("empty file")
    return data
