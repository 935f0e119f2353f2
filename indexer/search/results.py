"""What a search is asked and what it answers: `SearchRequest` in; `SearchResults`
(with `SearchHit`s) and `HighlightedArticle` out, each with a JSON form.

These are plain values: the web UI, the CLI and the exports render them as
HTML, JSON, CSV or terminal lines; `indexer.search.archive` fills them.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Mapping

from indexer.errors import QueryError
from indexer.limits import MAX_PAGE, MAX_PER_PAGE, MAX_QUERY_CHARS

# How a result list can be ordered: name -> label (the first is the default).
SORTS = {"relevance": "Relevance", "newest": "Newest first", "oldest": "Oldest first"}
DEFAULT_SORT = next(iter(SORTS))


@dataclass(frozen=True)
class SearchRequest:
    """Everything that defines a result page; every field lives in the URL."""

    query: str = ""
    publications: tuple[str, ...] = ()
    date_from: datetime | None = None
    date_to: datetime | None = None
    sort: str = DEFAULT_SORT
    page: int = 1
    per_page: int = 10
    group_versions: bool = True  # show re-sent versions of a story as one hit

    def __post_init__(self) -> None:
        if len(self.query) > MAX_QUERY_CHARS:
            raise QueryError(f"The query is {len(self.query):,} characters long; the limit is "
                             f"{MAX_QUERY_CHARS:,}. Shorten it, or search for its most telling words.")
        if self.sort not in SORTS:
            raise QueryError(f"Unknown sort '{self.sort}': use {', '.join(SORTS)}.")
        if not 1 <= self.per_page <= MAX_PER_PAGE:
            raise QueryError(f"per_page must be between 1 and {MAX_PER_PAGE}.")
        if not 1 <= self.page <= MAX_PAGE:
            raise QueryError(f"Pages run from 1 to {MAX_PAGE}; to take away a whole "
                             "result set, use the export.")
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise QueryError("The 'from' date is after the 'to' date.")

    @classmethod
    def from_params(cls, params: Mapping, *, per_page_default: int = 10) -> "SearchRequest":
        """Build from URL parameters (a werkzeug MultiDict or a plain dict).
        Raises QueryError with a user-facing message for bad values."""
        from indexer.ingest.dates import parse_day  # dateutil: not for `newsindex --help`, which reads SORTS

        def get(name: str) -> str:
            value = params.get(name)
            return value.strip() if isinstance(value, str) else ""

        getlist = getattr(params, "getlist", None)
        pubs = getlist("publication") if getlist else [params.get("publication") or ""]
        try:
            date_from = parse_day(get("from"))
            date_to = parse_day(get("to"), end=True)
        except ValueError as exc:
            raise QueryError(str(exc)) from None
        return cls(
            query=(params.get("q") or "") if isinstance(params.get("q") or "", str) else "",
            publications=tuple(dict.fromkeys(p.strip() for p in pubs if p and p.strip())),
            date_from=date_from,
            date_to=date_to,
            sort=get("sort") or DEFAULT_SORT,
            page=_positive_int(get("page"), "page", 1),
            per_page=_positive_int(get("per_page"), "per_page", per_page_default),
            group_versions=get("versions") != "all",
        )


def _positive_int(text: str, name: str, default: int) -> int:
    if not text:
        return default
    if not re.fullmatch(r"\d{1,9}", text):
        raise QueryError(f"{name} must be a whole number, not '{text[:40]}'.")
    return int(text)


@dataclass
class SearchHit:
    """One ranked article on a result page; snippets are HTML-safe."""

    id: str
    headline: str
    publication: str | None
    author: str | None
    date: datetime | None
    url: str | None
    source: str
    score: float
    snippet: str
    caption_snippet: str | None = None
    headline_html: str = ""
    # ids of other versions of the same story (re-sent with small edits) that
    # also match the query; they are not listed as hits of their own
    duplicates: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "id": self.id, "headline": self.headline, "publication": self.publication,
            "author": self.author, "date": self.date.isoformat() if self.date else None,
            "url": self.url, "source": self.source, "score": round(self.score, 4),
            "snippet": self.snippet, "caption_snippet": self.caption_snippet,
            "duplicates": list(self.duplicates),
        }


@dataclass
class SearchResults:
    request: SearchRequest
    total: int
    took_ms: float
    hits: list[SearchHit]
    facets: dict[str, dict[str, int]]
    suggestion: str | None = None
    # with a publication filter: hits per publication for the query and dates
    # without that filter (None without one: then it is facets["publication"])
    publication_choices: dict[str, int] | None = None

    @property
    def page(self) -> int:
        return self.request.page

    @property
    def per_page(self) -> int:
        return self.request.per_page

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page)) if self.total else 0

    def to_json(self) -> dict:
        return {
            "query": self.request.query, "total": self.total, "page": self.page,
            "per_page": self.per_page, "took_ms": round(self.took_ms, 2),
            "hits": [h.to_json() for h in self.hits],
            "facets": {"publication": self.facets.get("publication", {}),
                       "year": self.facets.get("year", {}),
                       "month": self.facets.get("month", {})},
            "suggestion": self.suggestion,
        }


@dataclass
class HighlightedArticle:
    """An article's text as HTML-safe strings with the query's words marked."""

    headline: str
    body_paragraphs: list[str] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
