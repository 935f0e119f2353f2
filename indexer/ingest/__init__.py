"""Ingest: source files in, `Article`s (and `Failure`s) out.

One module per input kind: `html` (web pages), `text` (plain-text exports),
`records` (JSON / JSONL / CSV), `warc` (web archives, read as a stream;
`pagekind` tells their articles from other pages); `encoding` decodes bytes, `dates` reads dates,
`article` holds the `Article` record every reader returns. This module only
picks the reader and undoes gzip.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Iterable, Iterator, NamedTuple

from isal import igzip, isal_zlib

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
# a .jsonl.gz is read by one task in chunks of this many inflated bytes (cut at line ends)
CHUNK_BYTES = 4 * MB
# What a broken .gz raises. It is inflated by ISA-L's igzip (gzip's interface, ~3x
# faster than zlib: 0.08 -> 0.03 s of CPU for corpus/'s 20 MB of Reuters records).
_BROKEN_GZIP = (EOFError, igzip.BadGzipFile, isal_zlib.error)



def kind_of(path: str | Path) -> str | None:
    """The reader kind for a file name, or None for files we skip."""
    name = str(path)  # lower-cased only at the end: a walk calls this once per file
    if name[-3:].lower() == ".gz":
        name = name[:-3]
    dot = name.rfind(".")
    return KINDS.get(name[dot:].lower()) if dot >= 0 else None


def read_source(path: Path, source: str, *, default_publication: str | None = None,
                ) -> Iterator[Article | Failure | Skipped]:
    """Read one file into Articles, yielded as they are read (a web archive or a
    .jsonl.gz is never held whole: `stream_source`); problems come back as
    Failures, never as exceptions. What one file may cost is bounded
    (`indexer.limits`): a page, a body or a file's records beyond their limit
    are cut, and the cut is reported as a Failure beside the articles kept; at
    most MAX_FAILURES_PER_SOURCE problems are listed, then one line counts the rest."""
    failures = 0
    for item in stream_source(path, source, default_publication=default_publication):
        if isinstance(item, Failure):
            failures += 1
            if failures > MAX_FAILURES_PER_SOURCE:
                continue
        yield item
    if failures > MAX_FAILURES_PER_SOURCE:
        yield more_problems(source, failures)


def more_problems(source: str, failures: int) -> Failure:
    """The one line that counts a source's problems past the first MAX_FAILURES_PER_SOURCE."""
    return Failure(source, f"... and {failures - MAX_FAILURES_PER_SOURCE:,} more problems in this file "
                           f"({failures:,} in all)")


class SourcePart(NamedTuple):
    """Bytes [start, end) of a large source, cut where a line (JSON Lines) or a
    record (WARC) starts; `line` is the number of its first line (JSON Lines)."""

    start: int
    end: int
    line: int = 0


def stream_source(path: Path, source: str, *, part: SourcePart | None = None,
                  default_publication: str | None = None) -> Iterator[Article | Failure | Skipped]:
    """A source (or a `part` of one) as it is read, for the build's tasks:
    sources that can be large are read a part or a chunk at a time, so the
    memory a reader needs is bounded by its part, never by the file. Every
    problem is a Failure (all of them: the caller keeps as many as it lists)."""
    kind = kind_of(path)
    if kind is None:
        yield Failure(source, "not a supported file kind")
        return
    where = f"lines {part.line}-: " if part is not None and kind == "jsonl" and part.line > 1 else ""
    try:
        if part is not None:
            yield from _limited(source, _read_part(path, source, kind, part, default_publication), None)
        elif kind == "warc":  # read record by record from the file, never loaded whole
            from indexer.ingest.warc import read_warc
            yield from _limited(source, read_warc(path, source), MAX_ARTICLES_PER_SOURCE)
        elif kind == "jsonl" and str(path).lower().endswith(".gz"):
            yield from _limited(source, _read_jsonl_stream(path, source, default_publication), None)
        else:
            yield from _limited(source, _read_whole(path, source, kind, default_publication),
                                MAX_ARTICLES_PER_SOURCE)
    except SourceError as exc:
        yield Failure(source, f"{where}{exc}")
    except RecursionError:
        yield Failure(source, f"{where}document nested too deeply to parse")
    except MemoryError:
        yield Failure(source, f"{where}too large to read in memory")
    except Exception as exc:  # noqa: BLE001 - whatever a reader raises fails this source (or part) only
        yield Failure(source, f"{where}could not be read ({type(exc).__name__}: {exc})"[:500])


def _read_whole(path: Path, source: str, kind: str, default_publication: str | None,
                ) -> Iterable[Article | Failure]:
    """A source that is read whole (a page, a text, a JSON or CSV file, a small
    JSON Lines file): a file that breaks part way fails whole, nothing half-read."""
    data = _load(path, kind)
    if kind == "html":
        from indexer.ingest.html import read_html
        cut = [Failure(source, f"page cut to its first {MAX_HTML_BYTES // MB} MB of "
                               f"{len(data) / MB:.0f} MB")] if len(data) > MAX_HTML_BYTES else []
        return [read_html(data[:MAX_HTML_BYTES], source), *cut]
    if kind == "text":
        from indexer.ingest.text import read_text
        return [read_text(data, source, default_publication=default_publication)]
    from indexer.ingest.records import read_records
    return list(read_records(data, source, kind, default_publication=default_publication))


def _read_part(path: Path, source: str, kind: str, part: SourcePart, default_publication: str | None,
               ) -> Iterable[Article | Failure | Skipped]:
    """The records of one part: the lines of a JSON Lines file, the records of a WARC."""
    if kind == "warc":
        from indexer.ingest.warc import read_warc
        return read_warc(path, source, start=part.start, end=part.end)
    if part.end - part.start > MAX_SOURCE_BYTES:
        raise SourceError(f"a line longer than {MAX_SOURCE_BYTES // MB} MB: these "
                          f"{(part.end - part.start) / MB:,.0f} MB were not read")
    try:
        with open(path, "rb") as fh:
            fh.seek(part.start)
            data = fh.read(part.end - part.start)
    except OSError as exc:
        raise _unreadable(exc) from None
    if not data.strip():
        return []
    from indexer.ingest.records import read_records
    return list(read_records(data, source, "jsonl", default_publication=default_publication, first_line=part.line))


def _read_jsonl_stream(path: Path, source: str, default_publication: str | None) -> Iterator[Article | Failure]:
    """A .jsonl.gz, which cannot be entered mid-stream, read by one task a chunk
    of lines at a time (any size; memory bounded by the chunk). The stream is
    checked whole first (a broken or bomb-like file is refused before any of
    it is indexed, as a file read whole is); inflating twice costs far less
    than cleaning once, and a stream of one chunk's worth is inflated once."""
    from indexer.ingest.records import read_records

    inflated = _check_gzip_stream(path)
    with igzip.open(path, "rb") if inflated is None else io.BytesIO(inflated) as gz:
        if wide_text(gz.read(4)):  # its lines cannot be cut at a byte 0x0A
            yield from read_records(_load(path, "jsonl"), source, "jsonl", default_publication=default_publication)
            return
    any_line = False
    for chunk, first_line in _jsonl_chunks(path, inflated):
        if not chunk.strip():
            continue
        any_line = True
        try:
            yield from list(read_records(chunk, source, "jsonl", default_publication=default_publication,
                                         first_line=first_line))
        except SourceError as exc:  # no JSON line in this chunk: the rest of the file is still read
            if first_line == 1:
                raise
            yield Failure(source, f"lines {first_line}-: {exc}", line=first_line)
    if not any_line:
        raise SourceError("empty file")


def _check_gzip_stream(path: Path) -> bytes | None:
    """Inflate a .gz: SourceError if it is broken or inflates more than
    MAX_GZIP_RATIO times its size. Its inflated bytes when they are at most
    CHUNK_BYTES (what reading it holds anyway), else None (not kept)."""
    try:
        with open(path, "rb") as fh:
            compressed = max(1, os.fstat(fh.fileno()).st_size)
            with igzip.GzipFile(fileobj=fh) as gz:
                total = 0
                kept: list[bytes] | None = []
                while chunk := gz.read(MB):
                    total += len(chunk)
                    _check_ratio(total, compressed)
                    if total > CHUNK_BYTES:
                        kept = None
                    elif kept is not None:
                        kept.append(chunk)
                return None if kept is None else b"".join(kept)
    except _BROKEN_GZIP as exc:
        raise SourceError(f"broken gzip data ({exc or 'truncated'})") from None
    except OSError as exc:
        raise _unreadable(exc) from None


def _jsonl_chunks(path: Path, inflated: bytes | None = None) -> Iterator[tuple[bytes, int]]:
    """The inflated lines of a .jsonl.gz in chunks of about CHUNK_BYTES cut at
    line ends, each with the number of its first line (from `inflated`, the
    stream already inflated, when given)."""
    line, pending = 1, b""
    try:
        with igzip.open(path, "rb") if inflated is None else io.BytesIO(inflated) as gz:
            while True:
                block = gz.read(CHUNK_BYTES)
                data = pending + block
                cut = len(data) if not block else data.rfind(b"\n") + 1
                if len(data) - cut > MAX_SOURCE_BYTES:
                    raise SourceError(f"line {line}: longer than {MAX_SOURCE_BYTES // MB} MB")
                if cut:
                    yield data[:cut], line
                    line += data.count(b"\n", 0, cut)
                pending = data[cut:]
                if not block:
                    return
    except _BROKEN_GZIP as exc:  # changed since it was checked
        raise SourceError(f"broken gzip data after line {line} ({exc or 'truncated'})") from None


def wide_text(head: bytes) -> bool:
    """Whether a file starting with `head` is UTF-16 or UTF-32 text (by its BOM),
    whose lines cannot be found by looking for the byte 0x0A."""
    return head.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff"))


def _limited(source: str, results: Iterable[Article | Failure | Skipped],
             most: int | None) -> Iterator[Article | Failure | Skipped]:
    """A reader's results within the per-article limit and, for a source held
    whole, at most `most` articles (what was cut is reported). `results` may be
    a generator: reading stops at the limit."""
    articles = 0
    for item in results:
        if isinstance(item, Article):
            if articles == most:
                yield Failure(source, f"cut: only the first {most:,} articles of this file were read")
                return
            articles += 1
            if len(item.body) > MAX_ARTICLE_CHARS:
                yield Failure(source, f"article {item.id}: body cut to {MAX_ARTICLE_CHARS // MB} M characters "
                                      f"of {len(item.body) / MB:.0f} M")
                item.body = item.body[:MAX_ARTICLE_CHARS]
        yield item


# why each kind that is read whole cannot be split (the message of its refusal past MAX_SOURCE_BYTES)
_READ_WHOLE = {
    "html": "a web page is read whole",
    "text": "a text file is read whole",
    "json": "a JSON file is read whole: as JSON Lines (one object per line) it would be read in parts",
    "csv": "a CSV file is read whole (a quoted field may hold line breaks): as JSON Lines it would be read "
           "in parts",
    "jsonl": "a JSON Lines file in UTF-16 is read whole: in UTF-8 it would be read in parts",
}


def _load(path: Path, kind: str) -> bytes:
    """The file's bytes, a .gz inflated as it is read: refused (SourceError) past
    MAX_SOURCE_BYTES or MAX_GZIP_RATIO times its size, before more is inflated."""
    try:
        with open(path, "rb") as fh:
            if str(path).lower().endswith(".gz"):
                data = _inflate(fh, max(1, os.fstat(fh.fileno()).st_size))
            else:
                data = fh.read(MAX_SOURCE_BYTES + 1)
    except _BROKEN_GZIP as exc:
        raise SourceError(f"broken gzip data ({exc or 'truncated'})") from None
    except OSError as exc:
        raise _unreadable(exc) from None
    if len(data) > MAX_SOURCE_BYTES:
        raise SourceError(f"larger than {MAX_SOURCE_BYTES // MB} MB ({_READ_WHOLE[kind]})")
    if not data.strip():
        raise SourceError("empty file")
    return data


def _unreadable(exc: OSError) -> SourceError:
    if isinstance(exc, PermissionError):
        return SourceError("permission denied")
    if isinstance(exc, IsADirectoryError):
        return SourceError("is a directory")
    return SourceError(exc.strerror or str(exc))


_RATIO_FLOOR = 16 * MB  # below this much inflated data no ratio is suspicious


def _check_ratio(inflated: int, compressed: int) -> None:
    if inflated > _RATIO_FLOOR and inflated > compressed * MAX_GZIP_RATIO:
        raise SourceError(f"refused: inflates more than {MAX_GZIP_RATIO}x its "
                          f"{compressed:,} bytes (a gzip bomb?)")


def _inflate(fh, compressed_bytes: int) -> bytes:
    chunks: list[bytes] = []
    total = 0
    with igzip.GzipFile(fileobj=fh) as gz:
        while True:
            chunk = gz.read(MB)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > MAX_SOURCE_BYTES:
                break  # refused by the caller
            _check_ratio(total, compressed_bytes)
    return b"".join(chunks)
