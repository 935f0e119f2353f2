"""Concordance routes: `/kwic` (page), `/api/kwic` (its JSON twin), `/export/kwic` (every line).

A thin shell over `Archive.kwic` / `Archive.iter_kwic` (indexer.search.kwic):
the request's search parameters (q, publication, from, to, page, per_page)
mean what they mean on /search; `sort` is date, newest, left or right and
`width` the characters of context on each side.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, render_template, request, stream_with_context

from indexer import KWIC_SORTS, QueryError, SearchRequest, kwic_csv_lines, kwic_jsonl_lines
from indexer.limits import MAX_PAGE
from webui.export_slots import limited_export
from webui.views import _encoded, _export_filename, _form_state, _pagination, _parameter_problem, archive

bp = Blueprint("kwic", __name__)

KWIC_EXPORTS = {"csv": ("text/csv; charset=utf-8", kwic_csv_lines),
                "jsonl": ("application/x-ndjson; charset=utf-8", kwic_jsonl_lines)}
SORT_NAMES = (("date", "Oldest first"), ("newest", "Newest first"),
              ("left", "Word before"), ("right", "Word after"))
PAGE_LINES = 50


def _options() -> tuple[SearchRequest, str, int]:
    """(request without its search sort, concordance sort, width); QueryError for bad values."""
    problem = _parameter_problem()
    if problem:
        raise QueryError(problem)
    params = request.args.to_dict(flat=False)
    params.pop("sort", None)  # the concordance's own sort, below
    from werkzeug.datastructures import MultiDict

    search_request = SearchRequest.from_params(MultiDict(params), per_page_default=PAGE_LINES)
    sort = request.args.get("sort", "date").strip() or "date"
    width = request.args.get("width", "60").strip() or "60"
    if not width.isdigit():
        raise QueryError(f"width must be a whole number, not '{width[:20]}'.")
    if sort not in KWIC_SORTS:
        raise QueryError(f"Unknown sort '{sort[:20]}': use {', '.join(KWIC_SORTS)}.")
    return search_request, sort, int(width)


@bp.route("/kwic", methods=["GET"], provide_automatic_options=False)
def kwic_page() -> Any:
    """Every match of the query in context, a page at a time."""
    form = _form_state()
    form["sort"] = request.args.get("sort", "date")
    if not form["q"].strip():
        return render_template("kwic.html", form=form, page=None, error=None, sorts=SORT_NAMES)
    try:
        search_request, sort, width = _options()
        found = archive().kwic(search_request, sort, width)
    except QueryError as exc:
        return render_template("kwic.html", form=form, page=None, error=str(exc), sorts=SORT_NAMES), 400
    return render_template("kwic.html", form=form, page=found, error=None, sorts=SORT_NAMES,
                           pagination=_pagination(found.page, min(found.pages, MAX_PAGE)))


@bp.route("/api/kwic", methods=["GET"], provide_automatic_options=False)
def api_kwic() -> Any:
    """{"query", "total", "page", "per_page", "lines": [{"id", "headline", "date", "left", "match", "right"}]}."""
    try:
        search_request, sort, width = _options()
        found = archive().kwic(search_request, sort, width)
    except QueryError as exc:
        return jsonify(error=str(exc)), 400
    return jsonify(found.to_json())


@bp.route("/export/kwic", methods=["GET"], provide_automatic_options=False)
@limited_export
def export_kwic() -> Any:
    """Every line of the concordance (no cap) as CSV or JSON Lines, streamed."""
    fmt = request.args.get("format", "jsonl").lower()
    if fmt not in KWIC_EXPORTS:
        return jsonify(error="Export the concordance as format=csv or format=jsonl."), 400
    try:
        search_request, sort, width = _options()
        lines = archive().iter_kwic(search_request, sort, width)
    except QueryError as exc:
        return jsonify(error=str(exc)), 400
    content_type, to_lines = KWIC_EXPORTS[fmt]
    response = Response(stream_with_context(_encoded(to_lines(lines))), content_type=content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{_export_filename(fmt, label="kwic")}"'
    response.headers["Cache-Control"] = "no-store"
    return response
