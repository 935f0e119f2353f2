"""Routes of the web UI: pages, JSON API and streamed exports (GET/HEAD only).

Every route is a thin shell: parse the request with `SearchRequest.from_params`,
ask the shared `Archive`, render. Search, highlighting and ranking live in
`indexer`; this module only decides how results look and which status to send.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any, Callable, Iterable, Iterator
from urllib.parse import urlencode, urlsplit

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    g,
    jsonify,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from markupsafe import Markup, escape
from werkzeug.exceptions import HTTPException

from indexer import (
    DEFAULT_SORT,
    QUERY_NOTES,
    QUERY_SYNTAX,
    SORTS,
    TREND_INTERVALS,
    IndexMissing,
    QueryError,
    SearchBusy,
    SearchRequest,
    csv_lines,
    jsonl_lines,
    series_csv,
    series_json,
    trend_csv,
    trend_json,
)
from indexer.limits import MAX_COMPARE_QUERIES, MAX_PAGE, MAX_PER_PAGE, MAX_QUERY_CHARS, SEARCH_RETRY_SECONDS
from webui import EXTENSION_KEY
from webui.article_ids import CONVERTER_NAME, ArticleIdConverter, ArticleRef
from webui.compare import CHART_STYLES, comparison_for
from webui.export_slots import limited_export
from webui.histogram import build_histogram, build_share_histogram
from webui.hosts import LOOPBACK_NAMES, host_allowed

bp = Blueprint("webui", __name__)
# Registered before the routes below are added to the app: they use it.
bp.record_once(lambda state: state.app.url_map.converters.setdefault(CONVERTER_NAME, ArticleIdConverter))


@bp.before_app_request
def _only_our_host() -> None:
    """A 400 for a Host the server is not bound to (DNS rebinding; webui/hosts.py),
    before any route or redirect runs."""
    allowed = current_app.config.get("ALLOWED_HOSTS") or LOOPBACK_NAMES
    if not host_allowed(request.headers.get("Host", ""), allowed):
        abort(400, description="This server answers only to the addresses it is bound to "
                               f"({', '.join(allowed)}). Start it with --allowed-host NAME to add a name.")

# Parameters that make up a search's state; anything else in the URL is ignored.
SEARCH_PARAMS = ("q", "publication", "from", "to", "sort", "page", "per_page", "versions", "trend",
                 "compare", "chart", "width")
# The engine refuses pages past this; links stop there and point to the export.
PUBLICATIONS_SHOWN = 10   # more publications than this fold into "More"
EXPORT_FORMATS = {  # format -> (full Content-Type, line writer)
    "csv": ("text/csv; charset=utf-8", csv_lines),
    "jsonl": ("application/x-ndjson; charset=utf-8", jsonl_lines),
}


def _get(rule: str, **options: Any) -> Callable:
    """A GET (and HEAD) route; no automatic OPTIONS, the UI is read-only."""
    return bp.route(rule, methods=["GET"], provide_automatic_options=False, **options)


def archive() -> Any:
    """The app's shared Archive (raises IndexMissing until an index is built)."""
    return current_app.extensions[EXTENSION_KEY].get()


# --------------------------------------------------------------------------- pages

@_get("/")
@_get("/search")
def search() -> Any:
    """The search page; with no query and no filters, the start page."""
    args = request.args
    form = _form_state()
    problem = _parameter_problem()
    if problem:
        return _search_problem(form, problem)
    if not form["q"].strip() and not _has_filters():
        return render_template("search.html", form=form, error=None, results=None,
                               stats=_stats_or_none(), examples=QUERY_SYNTAX[:6])
    try:
        search_request = SearchRequest.from_params(args)
        results = archive().search(search_request)
    except QueryError as exc:
        return _search_problem(form, str(exc))
    except SearchBusy as exc:  # the query is fine: the same page, to retry from
        page, status = _search_problem(form, str(exc), 503)
        return page, status, {"Retry-After": str(SEARCH_RETRY_SECONDS)}
    past_end = results.total > 0 and not results.hits and results.page > 1
    histogram = build_histogram(results.facets, form["from"], form["to"])
    if histogram is not None and form["trend"] == "share":
        # The share needs every article's date, not only the hits': one more
        # (facet-only) search, so it is drawn only when asked for.
        points = archive().trend(search_request, histogram.unit)
        histogram = build_share_histogram(points, histogram.unit, [b.key for b in histogram.bars],
                                          form["from"], form["to"])
    comparison = None
    if form["compare"] and results.total:
        try:
            comparison = comparison_for(archive(), search_request, [form["q"], *form["compare"]],
                                        form["trend"] or "count", form["chart"])
        except QueryError as exc:
            return _search_problem(form, f"A compared query: {exc}")
    return render_template(
        "search.html", form=form, error=None, results=results, past_end=past_end,
        histogram=histogram, comparison=comparison,
        publications=_publication_choices(_publication_counts(search_request, results), form["publication"]),
        pagination=_pagination(results.page, min(results.pages, MAX_PAGE)),
    )


def _search_problem(form: dict[str, Any], message: str, status: int = 400) -> tuple[str, int]:
    """The search page with a message in place of results; the filters stay editable."""
    selected = [{"name": name, "count": None, "checked": True} for name in form["publication"]]
    return render_template("search.html", form=form, error=message, results=None,
                           publications=selected), status


@_get("/article/<article_id:article_id>", merge_slashes=False)
def article(article_id: ArticleRef) -> Any:
    """One article in full, the query's words marked, with similar articles."""
    found = _find_article(article_id)
    if found is None:
        return _not_found(f"There is no article with the id “{article_id.id[:200]}”.")
    query = request.args.get("q", "")
    highlighted = _highlight(found, query)
    try:
        similar = archive().similar(found.id, limit=5)
    except QueryError:
        similar = []
    return render_template("article.html", article=found, highlighted=highlighted,
                           query=query, similar=similar, form=_form_state(),
                           external_url=_web_url(found.url))


@_get("/help")
def help_page() -> Any:
    """The query syntax, from the same table the CLI help uses."""
    return render_template("help.html", syntax=QUERY_SYNTAX, notes=QUERY_NOTES,
                           form=_form_state(),
                           max_query=MAX_QUERY_CHARS,
                           max_per_page=MAX_PER_PAGE)


# --------------------------------------------------------------------------- JSON

@_get("/api/search")
def api_search() -> Any:
    """A search as JSON (hits, total, facets, suggestion); a bad request is a 400 with {"error": ...}."""
    problem = _parameter_problem()
    if problem:
        return jsonify(error=problem), 400
    try:
        results = archive().search(SearchRequest.from_params(request.args))
    except QueryError as exc:
        return jsonify(error=str(exc)), 400
    return jsonify(results.to_json())


@_get("/api/article/<article_id:article_id>", merge_slashes=False)
def api_article(article_id: ArticleRef) -> Any:
    found = _find_article(article_id)
    if found is None:
        return jsonify(error=f"no article with id {article_id.id!r}"), 404
    return jsonify(found.to_json())


def _find_article(ref: ArticleRef) -> Any:
    """The article a URL names (see webui/article_ids.py), or None."""
    for article_id in ref.candidates():
        found = archive().get_article(article_id)
        if found is not None:
            return found
    return None


@_get("/api/trend")
@_get("/api/trend.csv", endpoint="api_trend_csv")
def api_trend() -> Any:
    """Matching articles per month or year with the period's article total and the
    share: JSON {"query", "interval", "points"}, or a CSV download (format=csv or
    /api/trend.csv). Several `q`: {"interval", "series": [{"query", "points"}]}, and
    a CSV with one column per query (counts, or shares with trend=share).
    Bad query, dates, interval or format: 400 {"error": ...}."""
    fmt = "csv" if request.endpoint == "webui.api_trend_csv" else request.args.get("format", "json").lower()
    if fmt not in ("json", "csv"):
        return jsonify(error="format must be json or csv."), 400
    interval = request.args.get("interval", "month").strip().lower() or "month"
    if interval not in TREND_INTERVALS:
        return jsonify(error=f"interval must be one of {', '.join(TREND_INTERVALS)}."), 400
    problem = _parameter_problem()
    if problem:
        return jsonify(error=problem), 400
    query_text = request.args.get("q", "")
    queries = request.args.getlist("q")
    if len(queries) > 1:  # several queries on one timeline: one series each
        try:
            series = archive().compare_trends(SearchRequest.from_params(request.args), queries, interval)
        except QueryError as exc:
            return jsonify(error=str(exc)), 400
        if fmt == "json":
            return jsonify(series_json(series, interval))
        response = Response(series_csv(series, share=request.args.get("trend") == "share"),
                            content_type="text/csv; charset=utf-8")
        response.headers["Content-Disposition"] = (
            f'attachment; filename="{_export_filename("csv", label="compare-" + interval)}"')
        return response
    try:
        points = archive().trend(SearchRequest.from_params(request.args), interval)
    except QueryError as exc:
        return jsonify(error=str(exc)), 400
    if fmt == "json":
        return jsonify(trend_json(points, interval, query_text))
    response = Response(trend_csv(points), content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{_export_filename("csv", label="trend-" + interval)}"')
    return response


# --------------------------------------------------------------------------- export

@_get("/export")
@limited_export
def export() -> Any:
    """The whole result set (no cap) as CSV or JSON Lines, streamed as it is read
    (a few at once: webui/export_slots.py)."""
    fmt = request.args.get("format", "jsonl").lower()
    if fmt not in EXPORT_FORMATS:
        return _error_page(400, "Unknown export format",
                           "Export as format=csv or format=jsonl.")
    problem = _parameter_problem()
    if problem:
        return _error_page(400, "Cannot export this search", problem)
    try:
        articles = iter(archive().iter_export(SearchRequest.from_params(request.args)))
        # Run the query now, so a bad one gets a message instead of a broken download.
        first = next(articles, None)
    except QueryError as exc:
        return _error_page(400, "Cannot export this search", str(exc))
    content_type, to_lines = EXPORT_FORMATS[fmt]
    everything: Iterable = articles if first is None else itertools.chain([first], articles)
    response = Response(stream_with_context(_encoded(to_lines(everything))), content_type=content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{_export_filename(fmt)}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _encoded(lines: Iterator[str]) -> Iterator[bytes]:
    for line in lines:
        yield line.encode("utf-8")


def _export_filename(fmt: str, label: str = "") -> str:
    """newsindex-[<label>-]<query words>-<UTC time>.<fmt>: ASCII only, never raw
    request text (`label` is the caller's own constant text)."""
    words = re.sub(r"[^A-Za-z0-9]+", "-", request.args.get("q", "")).strip("-")[:40].strip("-")
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M")
    prefix = f"newsindex-{label}-" if label else "newsindex-"
    return f"{prefix}{words or 'all'}-{stamp}.{fmt}"


# --------------------------------------------------------------------------- helpers

def _parameter_problem() -> str | None:
    """Checks the UI adds on top of SearchRequest (which checks the query's
    length and the page size): the compared queries of a timeline."""
    limit = MAX_QUERY_CHARS
    compared = [c for c in request.args.getlist("compare") if c.strip()]
    if len(compared) + 1 > MAX_COMPARE_QUERIES:
        return f"At most {MAX_COMPARE_QUERIES} queries can be compared on one timeline."
    if any(len(c) > limit for c in compared):
        return f"A compared query is longer than {limit:,} characters."
    return None


def _has_filters() -> bool:
    """Whether the URL narrows or orders the archive (the default sort does not count)."""
    args = request.args
    return (any(p.strip() for p in args.getlist("publication"))
            or bool(args.get("from", "").strip() or args.get("to", "").strip())
            or args.get("sort", DEFAULT_SORT).strip() not in ("", DEFAULT_SORT))


def _form_state() -> dict[str, Any]:
    """The search state as the form shows it (all values escaped by Jinja)."""
    args = request.args
    limit = MAX_QUERY_CHARS
    return {
        "q": args.get("q", "")[: limit + 1],
        "publication": [p for p in args.getlist("publication") if p.strip()],
        "from": args.get("from", "").strip()[:40],
        "to": args.get("to", "").strip()[:40],
        "sort": args.get("sort", DEFAULT_SORT),
        "per_page": args.get("per_page", "")[:6],
        "versions": "all" if args.get("versions") == "all" else "",
        "trend": "share" if args.get("trend") == "share" else "",
        "compare": [c[: limit + 1] for c in args.getlist("compare") if c.strip()],
        "chart": args.get("chart") if args.get("chart") in CHART_STYLES else CHART_STYLES[0],
        "sorts": SORTS.items(),
    }


def search_url(endpoint: str = "webui.search", **changes: Any) -> str:
    """The current search's URL with some parameters changed (None removes one).

    Used for pagination, facet and histogram links and exports, so every state
    is a permalink. Only known search parameters are carried over.
    """
    params = dict(_current_search_params())
    for key, value in changes.items():
        key = key.rstrip("_")          # from_ -> from
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value if isinstance(value, list) else [str(value)]
    pairs = [(k, v) for k, values in params.items() for v in values if v != ""]
    query = urlencode(pairs)
    return url_for(endpoint) + ("?" + query if query else "")


def _current_search_params() -> dict[str, list[str]]:
    """The request's known search parameters, read once per request (a result
    page makes a dozen links from them)."""
    params = g.get("search_params")
    if params is None:
        params = g.search_params = {k: request.args.getlist(k) for k in SEARCH_PARAMS if k in request.args}
    return params


def _publication_choices(counts: dict[str, int], selected: list[str]) -> list[dict[str, Any]]:
    """Checkbox rows: every facet value by count, plus selected ones the facet lacks."""
    rows = [{"name": name, "count": n, "checked": name in selected}
            for name, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0].lower()))]
    rows += [{"name": name, "count": 0, "checked": True} for name in selected if name not in counts]
    # selected ones stay visible even when they fold below the cut
    rows.sort(key=lambda r: not r["checked"])
    return rows


def _publication_counts(search_request: SearchRequest, results: Any) -> dict[str, int]:
    """Hits per publication for the query and dates, ignoring the publication filter.

    With the filter applied, the facet would only list the ticked publications and
    nobody could tick a second one; the engine counts them in the same pass."""
    if not search_request.publications:
        return results.facets.get("publication") or {}
    if results.publication_choices is not None:
        return results.publication_choices
    unfiltered = replace(search_request, publications=(), page=1, per_page=1)
    return archive().search(unfiltered).facets.get("publication") or {}


def _pagination(page: int, pages: int, around: int = 2) -> list[int | None]:
    """Page numbers to link: first, last, and a window around the current one (None = gap)."""
    if pages <= 1:
        return []
    wanted = {1, pages, *range(max(1, page - around), min(pages, page + around) + 1)}
    out: list[int | None] = []
    previous = 0
    for n in sorted(wanted):
        if n - previous > 1:
            out.append(None)
        out.append(n)
        previous = n
    return out


def _highlight(found: Any, query: str) -> Any:
    """The engine's marked-up article; plain escaped paragraphs if the query won't parse."""
    if len(query) <= MAX_QUERY_CHARS:
        try:
            return archive().highlight_article(found, query)
        except QueryError:
            pass
    paragraphs = [Markup(escape(p.strip())) for p in re.split(r"\n\s*\n", found.body or "") if p.strip()]
    return _Plain(headline=Markup(escape(found.headline)), body_paragraphs=paragraphs,
                  captions=[Markup(escape(c)) for c in found.captions])


class _Plain:
    """Same shape as the engine's HighlightedArticle, for the unmarked fallback."""

    def __init__(self, headline: Markup, body_paragraphs: list[Markup], captions: list[Markup]) -> None:
        self.headline, self.body_paragraphs, self.captions = headline, body_paragraphs, captions


def _web_url(url: str | None) -> str | None:
    """The article's URL if it is safe to link (http/https only: no javascript: links)."""
    if not url:
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in ("http", "https") else None


def _stats_or_none() -> dict | None:
    try:
        return current_app.extensions[EXTENSION_KEY].stats()
    except IndexMissing:
        raise
    except Exception:  # the start page works even if stats cannot be read  # noqa: BLE001
        current_app.logger.exception("stats failed")
        return None


def _not_found(message: str) -> tuple[str, int]:
    return _error_page(404, "Not found", message)


def _error_page(status: int, title: str, message: str) -> tuple[str, int]:
    return render_template("error.html", status=status, title=title, message=message,
                           form=_form_state()), status


# --------------------------------------------------------------------------- template helpers

@bp.app_context_processor
def _page_constants() -> dict[str, int]:
    return {"max_page": MAX_PAGE, "publications_shown": PUBLICATIONS_SHOWN, "max_compare": MAX_COMPARE_QUERIES}


@bp.app_template_global("compare_hidden_fields")
def _compare_hidden_fields() -> list[tuple[str, str]]:
    """The search's state as hidden fields, for the form that adds a compared query."""
    return [(k, v) for k, values in _current_search_params().items() if k != "page" for v in values]


@bp.app_template_global("search_url")
def _search_url_global(endpoint: str = "webui.search", **changes: Any) -> str:
    return search_url(endpoint, **changes)


@bp.app_template_filter("day")
def _day(moment: datetime | None) -> str:
    """26 Feb 1987: compact, unambiguous across locales."""
    return f"{moment.day} {moment:%b %Y}" if moment else ""


@bp.app_template_filter("long_date")
def _long_date(moment: datetime | None) -> str:
    if not moment:
        return ""
    text = f"{moment:%A}, {moment.day} {moment:%B %Y}"
    if (moment.hour, moment.minute, moment.second) != (0, 0, 0):
        text += f", {moment:%H:%M} UTC"
    return text


@bp.app_template_filter("number")
def _number(n: int | float | None) -> str:
    return f"{n:,}" if n is not None else ""


@bp.app_template_filter("took")
def _took(ms: float | None) -> str:
    if ms is None:
        return ""
    return f"{ms:.0f} ms" if ms >= 10 else f"{ms:.1f} ms"


# --------------------------------------------------------------------------- errors

def register_error_handlers(app: Flask) -> None:
    """Friendly pages (or JSON under /api/) for 404, 405, a missing index, a busy server and 500."""

    def wants_json() -> bool:
        return request.path.startswith("/api/")

    def page(status: int, title: str, message: str) -> Any:
        if wants_json():
            return jsonify(error=message), status
        try:
            return render_template("error.html", status=status, title=title, message=message,
                                   form=None), status
        except Exception:  # noqa: BLE001 - last resort: never show a traceback
            return Response(f"{status} {title}\n", status=status, mimetype="text/plain")

    @app.errorhandler(IndexMissing)
    def index_missing(exc: Exception) -> Any:
        app.logger.warning("no index: %s", exc)
        return page(503, "No index yet",
                    "There is no search index yet. Build it with “newsindex build”, then reload this page.")

    @app.errorhandler(SearchBusy)
    def busy(exc: SearchBusy) -> Any:
        response = app.make_response(page(503, "Busy", str(exc)))
        response.headers["Retry-After"] = str(SEARCH_RETRY_SECONDS)
        return response

    @app.errorhandler(404)
    def not_found(exc: HTTPException) -> Any:
        return page(404, "Not found", "There is no page at this address.")

    @app.errorhandler(405)
    def not_allowed(exc: HTTPException) -> Any:
        return page(405, "Not allowed", "This address does not take that kind of request.")

    @app.errorhandler(HTTPException)
    def other_http(exc: HTTPException) -> Any:
        response = app.make_response(page(exc.code or 500, exc.name, exc.description or exc.name))
        for name, value in exc.get_headers():  # its own headers stay: the Retry-After of a 503
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(Exception)
    def server_error(exc: Exception) -> Any:
        app.logger.exception("unhandled error on %s", request.path)
        return page(500, "Something went wrong",
                    "The server could not answer this request. The error has been logged; "
                    "try again, or change the search.")
