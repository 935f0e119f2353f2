"""The one record that flows through newsindex: every source becomes an `Article`."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime

_SURROGATE = re.compile("[\ud800-\udfff]")


def collapse_spaces(text: str) -> str:
    """Runs of whitespace (newlines included) as one space, trimmed: how every
    reader tidies a one-line value (a headline, a byline, a caption, a line)."""
    return " ".join(text.split())


@dataclass
class Article:
    """A cleaned news article, whatever file kind it came from.

    `captions` holds image captions apart from `body` (credits removed), so a
    caption match can be shown as such and never pollutes body snippets.
    `date` is a naive UTC `datetime` or None when the source gives no date.
    `crawled` is when a web crawler captured the page (WARC-Date), kept apart
    from `date`: a capture time is never a publication date.
    """

    id: str
    headline: str = ""
    body: str = ""
    captions: list[str] = field(default_factory=list)
    publication: str | None = None
    author: str | None = None
    date: datetime | None = None
    url: str | None = None
    source: str = ""
    crawled: datetime | None = None
    # a web page's payload digest (64 bits): the build indexes each payload once,
    # under the first URL read (`indexer.index.build.Captures`); not stored
    payload_digest: int | None = None

    def __post_init__(self) -> None:
        """Every reader's article passes here, so this is the one place that
        makes its text valid Unicode (a lone surrogate from a JSON escape or a
        JSON-LD block cannot be written as UTF-8: it would break every search,
        page and export that touches the article) and its date sane."""
        self.id = valid_text(self.id)
        self.headline = valid_text(self.headline)
        self.body = valid_text(self.body)
        self.captions = [valid_text(c) for c in self.captions]
        self.source = valid_text(self.source)
        for name in ("publication", "author", "url"):
            value = getattr(self, name)
            if value is not None:
                setattr(self, name, valid_text(value))
        if self.date is not None:
            from indexer.ingest.dates import sane_date  # (dateutil: not for a no-op build)

            self.date = sane_date(self.date)
        if self.crawled is not None:
            from indexer.ingest.dates import sane_date

            self.crawled = sane_date(self.crawled)

    def is_empty(self) -> bool:
        return not (self.headline.strip() or self.body.strip())

    def to_json(self) -> dict:
        """The export shape (JSON Lines, CSV, /api/article): all stored fields, date as ISO 8601."""
        return {
            "id": self.id,
            "headline": self.headline,
            "body": self.body,
            "captions": list(self.captions),
            "publication": self.publication,
            "author": self.author,
            "date": self.date.isoformat() if self.date else None,
            "url": self.url,
            "source": self.source,
            "crawled": self.crawled.isoformat() if self.crawled else None,
        }


@dataclass
class CleanedArticle:
    """What a cleaner found in one document, before it has an id and a source
    (cleaners are pure text -> parts functions; readers add the rest)."""

    headline: str = ""
    body: str = ""
    captions: list[str] = field(default_factory=list)
    publication: str | None = None
    author: str | None = None
    date: datetime | None = None
    url: str | None = None


@dataclass
class Failure:
    """A source (or one line of a record file, or one stretch of a web archive
    at a byte `offset`) that could not become an Article."""

    source: str
    reason: str
    line: int | None = None
    offset: int | None = None

    def to_json(self) -> dict:
        data = {"source": self.source, "line": self.line, "reason": self.reason}
        if self.offset is not None:
            data["offset"] = self.offset
        return data

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        if self.offset is not None:
            where = f"{self.source} at byte {self.offset}"
        return f"{where}: {self.reason}"


@dataclass
class Skipped:
    """Records of one source that were read and deliberately not indexed, counted
    by reason (a web archive's requests, images, redirects, revisits ...)."""

    source: str
    counts: dict[str, int]


def valid_text(text: str) -> str:
    """`text` with every lone surrogate (a code point UTF-8 cannot carry) as U+FFFD."""
    if text.isascii():  # (no copy made)
        return text
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", text)


def derived_id(source: str, position: int | None = None) -> str:
    """A stable article id from the source path (and record position).

    Stable across rebuilds as long as the file keeps its path, so links and
    exported result sets stay valid.
    """
    key = source if position is None else f"{source}#{position}"
    return hashlib.blake2b(key.encode("utf-8", "surrogateescape"), digest_size=8).hexdigest()
