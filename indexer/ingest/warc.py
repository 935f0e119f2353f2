"""Web archives (`.warc`, `.warc.gz`, `.arc.gz`) -> Articles, skip counts and Failures.

Read with warcio (Webrecorder's reader and writer; benchmarks/README-warc.md has
the measured comparison with fastwarc), one record at a time from the open file:
the file is never loaded whole. Each HTTP 200 HTML `response` record is cleaned
like a saved page (`indexer.ingest.html.read_html`): charset from the HTTP
Content-Type, then the page, then detection; `url` is the WARC-Target-URI; the
capture time (WARC-Date) becomes `crawled`, never the publication date. The id is
derived from the URL, so every capture of a page, in any file, has the same id.

Crawl realities: records that are not HTML pages, non-200 responses, redirects,
revisits, repeated payloads, earlier captures of a URL captured again later in
the file and pages that are not articles (`indexer.ingest.pagekind`) are skipped
and counted by reason. A bad stretch of the file (a broken gzip member, garbage
between records, a record cut short) is reported with its byte offset, and
reading resumes at the next record that can be read. A file gzipped whole
rather than record by record (not the standard, but some tools write it) is
read as one stream; its offsets then count decompressed bytes.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import re
import zlib
from collections import Counter
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO, Iterator

from indexer.errors import SourceError
from indexer.ingest.article import Article, Failure, Skipped, collapse_spaces, derived_id
from indexer.ingest.pagekind import not_an_article
from indexer.limits import MAX_HTML_BYTES, MB

_GZIP_MAGIC = b"\x1f\x8b\x08"
_RECORD_START = re.compile(rb"(?:^|\n)(?:WARC/1\.[01]\r?\n)")
_SCAN_BLOCK = 1 << 20
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)


def read_warc(path: Path, source: str) -> Iterator[Article | Failure | Skipped]:
    """Failures (with byte offsets) as damaged stretches are met, then the articles
    (one per URL: its latest capture in this file), then one `Skipped` with the
    counts of the records not indexed, by reason."""
    skipped: Counter = Counter()
    latest: dict[str, Article] = {}  # article id -> the latest capture of its URL
    payloads: set[str] = set()
    try:
        fh = open(path, "rb")
    except OSError as exc:
        raise SourceError(exc.strerror or str(exc)) from None
    with fh:
        gzipped = fh.read(2) == _GZIP_MAGIC[:2]
        fh.seek(0)
        if gzipped and _gzipped_whole(fh):
            fh = gzip.GzipFile(fileobj=fh)
            gzipped = False
        records = 0
        for offset, record, problem in _records(fh, gzipped):
            if problem is not None:
                yield Failure(source, problem, offset=offset)
                continue
            records += 1
            result = _page(record, offset, source, payloads)
            if isinstance(result, str):
                skipped[result] += 1
                continue
            article, truncated = result
            if truncated:
                yield Failure(source, truncated, offset=offset)
            held = latest.get(article.id)
            if held is not None:
                skipped["earlier capture of the same URL"] += 1
                if held.crawled and article.crawled and held.crawled > article.crawled:
                    continue
            latest[article.id] = article
    if not records and not latest:
        raise SourceError("no WARC or ARC record could be read")
    yield from latest.values()
    if skipped:
        yield Skipped(source, dict(skipped))


def _gzipped_whole(fh: BinaryIO) -> bool:
    """Whether the first gzip member holds more than one record (the file was
    gzipped whole); judged on the first MB, then `fh` is rewound."""
    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = b""
    try:
        while len(out) < _SCAN_BLOCK and not inflate.eof:
            block = fh.read(65536)
            if not block:
                break
            out += inflate.decompress(block, _SCAN_BLOCK)
    except zlib.error:
        return False
    finally:
        fh.seek(0)
    return len(_RECORD_START.findall(out)) > 1


def _records(fh: BinaryIO, gzipped: bool) -> Iterator[tuple[int, object, str | None]]:
    """(offset, record, None) for each readable record, (offset, None, reason)
    for each stretch that is not; reading resumes at the next record start."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    _use_brotli()
    start = 0
    while True:
        fh.seek(start)
        iterator = ArchiveIterator(fh, arc2warc=True)
        offset = start
        noise = io.StringIO()  # warcio prints what it finds damaged: it becomes a Failure
        try:
            with contextlib.redirect_stderr(noise):
                for record in iterator:
                    offset = iterator.offset
                    yield offset, record, None
                    iterator.read_to_end()
                    if noise.tell():
                        reason = f"damaged record ({_printable(noise.getvalue())})"
                        break
                    offset = iterator.offset  # where the next record starts
                else:
                    return
        except (ArchiveLoadFailed, OSError, EOFError, ValueError, zlib.error) as exc:
            reason = f"unreadable WARC data ({_printable(str(exc)) or type(exc).__name__})"
        resume = _next_record_start(fh, offset + 1, gzipped)
        after = f"read again from byte {resume}" if resume is not None else "nothing readable after it"
        yield offset, None, f"{reason}; {after}"
        if resume is None:
            return
        start = resume


class _BrotliDecompressor:
    """Google's `brotli` in the shape warcio's reader expects (warcio sets
    `unused_data` on the decompressor, which brotli's C type refuses)."""

    unused_data = None

    def __init__(self) -> None:
        import brotli

        self._brotli = brotli.Decompressor()

    def decompress(self, data: bytes) -> bytes:
        return self._brotli.process(data)


def _use_brotli() -> None:
    from warcio.bufferedreaders import BufferedReader

    BufferedReader.DECOMPRESSORS["br"] = _BrotliDecompressor


def _printable(text: str) -> str:
    """The first 160 printable characters of a message that may quote binary data."""
    return collapse_spaces("".join(c if c.isprintable() else " " for c in text))[:160]


def _next_record_start(fh: BinaryIO, position: int, gzipped: bool) -> int | None:
    """The offset of the next readable record at or after `position`: a gzip
    member that inflates to a WARC/ARC header, or a `WARC/1.x` line."""
    fh.seek(position)
    base = position
    tail = b""
    while True:
        block = fh.read(_SCAN_BLOCK)
        if not block:
            return None
        data = tail + block
        origin = base - len(tail)
        if gzipped:
            at = data.find(_GZIP_MAGIC)
            while at >= 0:
                if _starts_record(data[at:at + 65536]):
                    return origin + at
                at = data.find(_GZIP_MAGIC, at + 1)
        else:
            match = _RECORD_START.search(data)
            if match:
                return origin + match.start() + (1 if match.group().startswith(b"\n") else 0)
        tail = data[-16:]
        base += len(block)


def _starts_record(member: bytes) -> bool:
    try:
        head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(member, 16)
    except zlib.error:
        return False
    return head.startswith(b"WARC/") or head[:1].isalnum()  # ARC lines begin with a URL


def _page(record, offset: int, source: str,
          payloads: set[str]) -> tuple[Article, str | None] | str:
    """The article of one record and a truncation note, or why it is skipped."""
    from indexer.ingest.html import read_html

    kind = record.rec_type
    if kind == "revisit":
        return "revisit record (payload captured before)"
    if kind != "response":
        return f"{kind} record"
    http = record.http_headers
    if http is None:
        return "response without HTTP headers"
    status = (http.get_statuscode() or "").strip()
    if status.startswith("3"):
        return "redirect (HTTP 3xx)"
    if status != "200":
        return f"HTTP {status or 'status missing'}"
    content_type = http.get_header("Content-Type") or ""
    mime = content_type.split(";", 1)[0].strip().lower()
    if mime and mime not in _HTML_TYPES:
        return f"not HTML ({_media_kind(mime)})"
    try:
        payload = record.content_stream().read(MAX_HTML_BYTES + 1)
    except (OSError, EOFError, ValueError, zlib.error) as exc:
        return f"payload not decodable ({type(exc).__name__})"
    cut = len(payload) > MAX_HTML_BYTES  # as for a saved page: the rest is cut and reported
    payload = payload[:MAX_HTML_BYTES]
    missing = 0 if cut else getattr(record.raw_stream, "limit", 0)
    if not mime and payload.lstrip()[:1] != b"<":
        return "not HTML (no Content-Type, no markup)"
    digest = (record.rec_headers.get_header("WARC-Payload-Digest")
              or "blake2b:" + hashlib.blake2b(payload, digest_size=16).hexdigest())
    if digest in payloads:
        return "identical payload (same WARC-Payload-Digest)"
    payloads.add(digest)
    url = _target_uri(record.rec_headers.get_header("WARC-Target-URI") or "")
    charset = _CHARSET.search(content_type)
    try:
        article = read_html(payload, source, charset=charset.group(1) if charset else None, url=url)
    except SourceError as exc:
        return f"no article ({exc})"
    except RecursionError:
        return "no article (document nested too deeply to parse)"
    reason = not_an_article(payload, article)
    if reason:
        return f"not an article ({reason})"
    declared = record.rec_headers.get_header("WARC-Truncated")
    truncated = None
    if declared or missing:
        why = f"WARC-Truncated: {declared}" if declared else f"{missing} bytes missing"
        truncated = f"record cut short ({why}): indexed what was there"
    elif cut:
        truncated = f"page cut to its first {MAX_HTML_BYTES // MB} MB"
    article = replace(article, id=derived_id(url or f"{source}#{offset}"), url=url or None,
                      crawled=_warc_date(record.rec_headers.get_header("WARC-Date")))
    return article, truncated


def _media_kind(mime: str) -> str:
    if mime.startswith("image/"):
        return "image"
    if mime == "application/pdf":
        return "PDF"
    if mime == "text/css":
        return "CSS"
    if "javascript" in mime or "ecmascript" in mime:
        return "JavaScript"
    if "json" in mime:
        return "JSON"
    return mime.split("/", 1)[0] if "/" in mime else "other"


def _target_uri(uri: str) -> str:
    """The URI as the crawler meant it (wget writes it in angle brackets), without a #fragment."""
    uri = uri.strip().strip("<>").strip()
    return uri.split("#", 1)[0]


def _warc_date(value: str | None) -> datetime | None:
    """WARC-Date (ISO 8601, UTC) as a naive UTC datetime; ARC's 14 digits too."""
    if not value:
        return None
    value = value.strip()
    try:
        if value.isdigit() and len(value) >= 14:
            return datetime.strptime(value[:14], "%Y%m%d%H%M%S")
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(timezone.utc).replace(tzinfo=None)
    return parsed
