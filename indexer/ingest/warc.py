"""Web archives (`.warc`, `.warc.gz`, `.arc.gz`) -> Articles, skip counts and Failures.

Read with warcio (Webrecorder's reader and writer; benchmarks/README-warc.md has
the measured comparison with fastwarc), one record at a time from the open file,
and each article is yielded as its record is read: the reader holds no article
beyond the one it is cleaning, so its memory does not grow with the file. Each
HTTP 200 HTML `response` record is cleaned like a saved page
(`indexer.ingest.html.read_html`): charset from the HTTP Content-Type, then the
page, then detection; `url` is the WARC-Target-URI; the capture time (WARC-Date)
becomes `crawled`, never the publication date. The id is derived from the URL,
so every capture of a page, in any file, has the same id: which capture is kept
(the latest) is settled by the build (`indexer.index.tasks` within a segment's
batch, `indexer.index.build.Captures` across batches, tasks and files).

Crawl realities: records that are not HTML pages, non-200 responses, redirects,
revisits, repeated payloads and pages that are not articles
(`indexer.ingest.pagekind`) are skipped and counted by reason. A payload's HTTP
chunking and content encoding (gzip, deflate, Brotli) are undone a block at a
time up to `MAX_HTML_BYTES`, so neither a huge record nor a decompression bomb
takes memory. A bad stretch of the file (a broken gzip member, garbage between
records, a record cut short) is reported with its byte offset, and reading
resumes at the next record that can be read. A file gzipped whole rather than
record by record (not the standard, but some tools write it) is read as one
stream; its offsets then count decompressed bytes.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import os
import re
import zlib
from collections import Counter
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO, Callable, Iterator

from indexer.errors import SourceError
from indexer.ingest.article import Article, Failure, Skipped, collapse_spaces, derived_id
from indexer.ingest.pagekind import not_an_article
from indexer.limits import MAX_GZIP_RATIO, MAX_HTML_BYTES, MB

_GZIP_MAGIC = b"\x1f\x8b\x08"
_RECORD_START = re.compile(rb"(?:^|\n)(?:WARC/1\.[01]\r?\n)")
_SCAN_BLOCK = 1 << 20
_BLOCK = 1 << 16          # a payload is read and inflated this many bytes at a time
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)
IDENTICAL_PAYLOAD = "identical payload (same WARC-Payload-Digest)"  # a skip reason (also the build's)


def read_warc(path: Path, source: str, start: int = 0,
              end: int | None = None) -> Iterator[Article | Failure | Skipped]:
    """Each article as its record is read (every capture of a URL: the build
    keeps the latest), Failures (with byte offsets) as damaged stretches are met,
    then one `Skipped` with the counts of the records not indexed, by reason.

    `start`/`end` read a part of the file: the records that start in bytes
    [start, end), `start` being a record start (a gzip member's, in a .warc.gz),
    so that several tasks can read one large file. A file gzipped whole is read
    whole (its offsets are not the file's)."""
    skipped: Counter = Counter()
    payloads: set[int] = set()  # 64-bit digests of the HTML payloads read: one article per payload
    try:
        fh = open(path, "rb")
    except OSError as exc:
        raise SourceError(exc.strerror or str(exc)) from None
    with fh:
        gzipped = fh.read(2) == _GZIP_MAGIC[:2]
        fh.seek(0)
        if gzipped and _gzipped_whole(fh):
            if start:
                return  # the part that starts at 0 reads it all
            fh = gzip.GzipFile(fileobj=fh)
            gzipped, end = False, None
        records = 0
        for offset, record, problem in _records(fh, gzipped, start, end):
            if problem is not None:
                yield Failure(source, problem, offset=offset)
                continue
            records += 1
            result = _page(record, offset, source, payloads)
            if isinstance(result, str):
                skipped[result] += 1
                continue
            article, problem = result
            if problem:
                yield Failure(source, problem, offset=offset)
            if article is not None:
                yield article
    if not records:
        raise SourceError("no WARC or ARC record could be read")
    if skipped:
        yield Skipped(source, dict(skipped))


def record_parts(path: Path, part_bytes: int) -> list[tuple[int, int]] | None:
    """Byte ranges of about `part_bytes` that cut a large WARC where records
    start (a .warc.gz where gzip members start: each record is its own member),
    so that several build tasks read it at once; None when it cannot be cut:
    gzipped whole, an ARC file, or no later record start found."""
    name = str(path).lower()
    if name.endswith((".arc", ".arc.gz")):
        return None  # ARC records have no marker line to find
    starts = [0]
    with open(path, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        gzipped = fh.read(2) == _GZIP_MAGIC[:2]
        fh.seek(0)
        if gzipped and _gzipped_whole(fh):
            return None
        while starts[-1] + part_bytes < size:
            at = _next_record_start(fh, starts[-1] + part_bytes, gzipped)
            while at is not None and not _true_record_start(fh, at, size, gzipped):
                at = _next_record_start(fh, at + 1, gzipped)  # a look-alike inside a payload
            if at is None:
                break
            starts.append(at)
    if len(starts) == 1:
        return None
    return list(zip(starts, starts[1:] + [size]))


def _true_record_start(fh: BinaryIO, at: int, size: int, gzipped: bool) -> bool:
    """Whether a record found at `at` is one: a gzip member that inflates to a
    WARC header, or a WARC header whose declared length ends where another
    record starts (or the file ends)."""
    fh.seek(at)
    head = fh.read(65536)
    if gzipped:
        try:
            return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 16).startswith(b"WARC/1.")
        except zlib.error:
            return False
    blank = head.find(b"\r\n\r\n")
    length = re.search(rb"\r\nContent-Length:[ \t]*(\d+)", head[:blank], re.I) if blank > 0 else None
    if length is None:
        return False
    after = at + blank + 4 + int(length.group(1)) + 4  # the block, then CRLF CRLF
    if after >= size:
        return after == size
    fh.seek(after)
    return fh.read(7) == b"WARC/1."


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


def _records(fh: BinaryIO, gzipped: bool, start: int = 0,
             end: int | None = None) -> Iterator[tuple[int, object, str | None]]:
    """(offset, record, None) for each readable record that starts in [start,
    end), (offset, None, reason) for each stretch that is not; reading resumes
    at the next record start."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    while end is None or start < end:
        fh.seek(start)
        iterator = ArchiveIterator(fh, arc2warc=True)
        offset = start
        noise = io.StringIO()  # warcio prints what it finds damaged: it becomes a Failure
        try:
            with contextlib.redirect_stderr(noise):
                for record in iterator:
                    offset = iterator.offset
                    if end is not None and offset >= end:
                        return  # the next part's
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
          payloads: set[int]) -> tuple[Article | None, str | None] | str:
    """The article of one record (None when its payload is refused) and a
    problem to report, or why the record is skipped."""
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
        payload, problem = _http_payload(record)
    except (OSError, EOFError, ValueError, zlib.error) as exc:
        return f"payload not decodable ({type(exc).__name__})"
    if problem and problem.startswith("refused"):
        return None, problem
    if not mime and payload.lstrip()[:1] != b"<":
        return "not HTML (no Content-Type, no markup)"
    declared = record.rec_headers.get_header("WARC-Payload-Digest")
    digest = int.from_bytes(hashlib.blake2b(declared.encode() if declared else payload, digest_size=8).digest())
    if digest in payloads:
        return IDENTICAL_PAYLOAD  # (not cleaned again; other parts and files: the build)
    payloads.add(digest)
    url = _target_uri(record.rec_headers.get_header("WARC-Target-URI") or "")
    charset = _CHARSET.search(content_type)
    try:
        article = read_html(payload, source, charset=charset.group(1) if charset else None, url=url)
    except SourceError as exc:
        return f"no article ({exc})"
    except RecursionError:
        return "no article (document nested too deeply to parse)"
    reason = not_an_article(payload, article, url)
    if reason:
        return f"not an article ({reason})"
    declared = record.rec_headers.get_header("WARC-Truncated")
    missing = getattr(record.raw_stream, "limit", 0)  # bytes its Content-Length promised that the file lacks
    if declared or missing:
        why = f"WARC-Truncated: {declared}" if declared else f"{missing} bytes missing"
        problem = f"record cut short ({why}): indexed what was there"
    article = replace(article, id=derived_id(url or f"{source}#{offset}"), url=url or None,
                      crawled=_warc_date(record.rec_headers.get_header("WARC-Date")), payload_digest=digest)
    return article, problem


def _http_payload(record) -> tuple[bytes, str | None]:
    """The HTTP payload with its chunking and content encoding undone, at most
    MAX_HTML_BYTES of it (the rest is cut, as for a saved page), and a problem:
    the cut, a coding that breaks off, or why the payload is refused (it
    inflates past the bound more than MAX_GZIP_RATIO times its size: a bomb).
    Read and inflated a block at a time, so memory stays within about twice the
    bound whatever the record holds; the rest of the record is then skipped unread
    (its raw bytes only)."""
    http = record.http_headers
    raw = record.raw_stream
    chunked = "chunked" in (http.get_header("Transfer-Encoding") or "").lower()
    blocks = _dechunked(raw) if chunked else iter(lambda: raw.read(_BLOCK), b"")
    coding = (http.get_header("Content-Encoding") or "").strip().lower()
    inflate = _inflater(coding)
    out = bytearray()
    taken = 0
    problem = None
    for block in blocks:
        taken += len(block)
        if inflate is None:
            out += block
        else:
            try:
                out += inflate(block, MAX_HTML_BYTES + 1 - len(out))
            except Exception as exc:  # noqa: BLE001 - zlib.error, brotli.error
                if taken == len(block):  # the first block: served as it is, whatever the header says
                    inflate = None
                    out += block
                    continue
                problem = f"{coding} content breaks off after {len(out):,} bytes ({type(exc).__name__})"
                break
        if len(out) > MAX_HTML_BYTES:
            if inflate is not None and len(out) > taken * MAX_GZIP_RATIO:
                problem = (f"refused: its {coding} content encoding inflates past {MAX_HTML_BYTES // MB} MB, "
                           f"more than {MAX_GZIP_RATIO}x its size (a decompression bomb?)")
                out = bytearray()
            else:
                problem = f"page cut to its first {MAX_HTML_BYTES // MB} MB"
                del out[MAX_HTML_BYTES:]
            break
    for _ in iter(lambda: raw.read(_BLOCK), b""):
        pass  # to the record's end: what is left of its Content-Length then is missing from the file
    return bytes(out), problem


def _dechunked(raw) -> Iterator[bytes]:
    """HTTP chunked transfer coding undone, a block at a time; data that turns
    out not to be chunked (servers say so wrongly) passes as it is."""
    while True:
        line = raw.readline(64)
        try:
            size = int(line.split(b";", 1)[0], 16) if line.endswith(b"\n") else -1
        except ValueError:
            size = -1
        if size < 0:
            yield line
            yield from iter(lambda: raw.read(_BLOCK), b"")
            return
        if size == 0:
            return
        while size > 0:
            block = raw.read(min(size, _BLOCK))
            if not block:
                return
            size -= len(block)
            yield block
        raw.readline(64)  # the CRLF after the chunk


def _inflater(coding: str) -> Callable[[bytes, int], bytes] | None:
    """For a Content-Encoding, a function (data, room) -> at most about `room`
    more inflated bytes; None for the identity (and codings nobody uses)."""
    if coding in ("gzip", "x-gzip", "deflate"):
        # deflate is zlib-wrapped by the standard, raw deflate by some servers
        wbits = 16 + zlib.MAX_WBITS if coding != "deflate" else zlib.MAX_WBITS
        state = {"inflate": zlib.decompressobj(wbits), "started": False}

        def inflate_zlib(data: bytes, room: int) -> bytes:
            try:
                out = state["inflate"].decompress(data, room)
            except zlib.error:
                if coding != "deflate" or state["started"]:
                    raise
                state["inflate"] = zlib.decompressobj(-zlib.MAX_WBITS)
                out = state["inflate"].decompress(data, room)
            state["started"] = True
            return out  # output < room means every input byte was taken

        return inflate_zlib
    if coding == "br":
        import brotli

        decompressor = brotli.Decompressor()

        def inflate_brotli(data: bytes, room: int) -> bytes:
            parts = [decompressor.process(data, output_buffer_limit=min(room, MB))]
            made = len(parts[0])
            while made < room and not decompressor.can_accept_more_data():
                parts.append(decompressor.process(b"", output_buffer_limit=min(room - made, MB)))
                made += len(parts[-1])
            return b"".join(parts)

        return inflate_brotli
    return None


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
