"""Collection routes: pages, their JSON twins under /api/collections, exports, and the writes.

A thin shell over `indexer.workbench` (the store) and the shared `Archive`
(to look articles up, add every result of a search, and mark the missing).
Every write is a POST checked for the session's CSRF token (webui.csrf) and
is one transaction in the collections file, the only file the web UI ever
writes. A form post answers with a redirect (303) back to where it came from;
the same action under /api/ takes form fields or a JSON body and answers JSON.
"""

from __future__ import annotations

import sqlite3
from typing import Any, Callable
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from werkzeug.datastructures import MultiDict

from indexer import (
    COLLECTION_FORMATS,
    CollectionError,
    CollectionNotFound,
    Collections,
    QueryError,
    SearchRequest,
    collection_lines,
    default_collections_path,
    mark_missing,
)
from indexer.limits import MAX_COLLECTION_ADD
from webui import EXTENSION_KEY
from webui.csrf import check_csrf, csrf_token
from webui.views import _encoded, _error_page, _form_state, _pagination, archive

bp = Blueprint("collections", __name__)

ITEMS_PER_PAGE = 100
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson; charset=utf-8",
                 "ris": "application/x-research-info-systems; charset=utf-8",
                 "csl-json": "application/vnd.citationstyles.csl+json; charset=utf-8"}
SUFFIXES = {"csv": "csv", "jsonl": "jsonl", "ris": "ris", "csl-json": "json"}


def collections_of(app) -> Collections:
    """The app's collections file: its COLLECTIONS_PATH, else DIR/collections.sqlite."""
    path = app.config.get("COLLECTIONS_PATH")
    if not path:
        path = default_collections_path(app.extensions[EXTENSION_KEY].index_dir)
    return Collections(path)


def store() -> Collections:
    return collections_of(current_app)


def _api() -> bool:
    return request.path.startswith("/api/")


def _params() -> MultiDict:
    """The action's fields: the form, or a JSON object (lists become repeated fields)."""
    body = request.get_json(silent=True) if request.is_json else None
    if not isinstance(body, dict):
        return request.form
    pairs = []
    for key, value in body.items():
        for v in value if isinstance(value, list) else [value]:
            pairs.append((key, "" if v is None else str(v)))
    return MultiDict(pairs)


def _tags(params: MultiDict) -> list[str]:
    return [t for field in params.getlist("tags") for t in field.split(",")]


# --------------------------------------------------------------------------- reading

@bp.route("/collections", methods=["GET"], provide_automatic_options=False)
def collections_page() -> Any:
    return render_template("collections.html", collections=store().list(), form=_form_state())


@bp.route("/api/collections", methods=["GET"], provide_automatic_options=False)
def api_collections() -> Any:
    """Every collection (name, size, dates) and this session's CSRF token for writes."""
    return jsonify(collections=[c.to_json(items=False) for c in store().list()], csrf_token=csrf_token())


@bp.route("/collections/<name>", methods=["GET"], provide_automatic_options=False)
def collection_page(name: str) -> Any:
    try:
        collection = store().get(name)
    except CollectionNotFound as exc:
        return _error_page(404, "No such collection", str(exc))
    except CollectionError as exc:
        return _error_page(400, "Bad collection name", str(exc))
    pages = max(1, -(-collection.size // ITEMS_PER_PAGE))
    page = request.args.get("page", "1")
    page = min(int(page), pages) if page.isdigit() and int(page) >= 1 else 1
    shown = collection.items[(page - 1) * ITEMS_PER_PAGE: page * ITEMS_PER_PAGE]
    present = archive().existing_ids([item.article_id for item in shown])
    for item in shown:
        item.missing = item.article_id not in present
    return render_template("collection.html", collection=collection, items=shown, page=page, pages=pages,
                           pagination=_pagination(page, pages), formats=COLLECTION_FORMATS, form=_form_state())


@bp.route("/api/collections/<name>", methods=["GET"], provide_automatic_options=False)
def api_collection(name: str) -> Any:
    try:
        collection = mark_missing(archive(), store().get(name))
    except CollectionNotFound as exc:
        return jsonify(error=str(exc)), 404
    except CollectionError as exc:
        return jsonify(error=str(exc)), 400
    return jsonify(collection.to_json())


@bp.route("/collections/<name>/export", methods=["GET"], provide_automatic_options=False)
@bp.route("/api/collections/<name>/export", methods=["GET"], provide_automatic_options=False,
          endpoint="api_export")
def export(name: str) -> Any:
    """The collection as CSV, JSON Lines, RIS or CSL-JSON (a download)."""
    fmt = request.args.get("format", "ris").lower()
    if fmt not in COLLECTION_FORMATS:
        return _problem(400, f"Export a collection as format={', '.join(COLLECTION_FORMATS)}.")
    try:
        collection = mark_missing(archive(), store().get(name))
    except CollectionNotFound as exc:
        return _problem(404, str(exc))
    except CollectionError as exc:
        return _problem(400, str(exc))
    response = Response(stream_with_context(_encoded(collection_lines(collection.items, fmt))),
                        content_type=CONTENT_TYPES[fmt])
    stem = "".join(ch if ch.isascii() and ch.isalnum() else "-" for ch in collection.name).strip("-")[:40]
    response.headers["Content-Disposition"] = f'attachment; filename="newsindex-{stem or "collection"}.{SUFFIXES[fmt]}"'
    response.headers["Cache-Control"] = "no-store"
    return response


# --------------------------------------------------------------------------- writing

def _write(rule: str, endpoint: str) -> Callable:
    """A POST route at `rule` and its JSON twin at /api`rule`."""
    def register(view: Callable) -> Callable:
        bp.add_url_rule(rule, endpoint, view, methods=["POST"], provide_automatic_options=False)
        bp.add_url_rule("/api" + rule, "api_" + endpoint, view, methods=["POST"], provide_automatic_options=False)
        return view
    return register


def _problem(status: int, message: str) -> Any:
    if _api():
        return jsonify(error=message), status
    return _error_page(status, "Cannot do that", message)


def _done(message: str, name: str | None, **extra: Any) -> Any:
    """JSON for the API; else a redirect to `next` (a local path) or the collection."""
    if _api():
        return jsonify(message=message, collection=name, **extra)
    flash(message)
    target = request.form.get("next", "")
    parts = urlsplit(target)
    if not (target.startswith("/") and not target.startswith("//") and not parts.scheme and not parts.netloc
            and "\\" not in target):
        target = url_for("collections.collection_page", name=name) if name else url_for(
            "collections.collections_page")
    return redirect(target, code=303)


def _guarded(action: Callable[[], Any]) -> Any:
    check_csrf()
    try:
        return action()
    except CollectionNotFound as exc:
        return _problem(404, str(exc))
    except (CollectionError, QueryError) as exc:
        return _problem(400, str(exc))


@_write("/collections", "create")
def create() -> Any:
    def action():
        name = store().create(_params().get("name", ""))
        return _done(f"Created the collection “{name}”.", name)
    return _guarded(action)


@_write("/collections/add", "add")
def add() -> Any:
    """Add one article (`id`), the page (`scope=page`, its `page_id`s) or every
    result of a search (`scope=all` with the search's q and filters)."""
    def action():
        params = _params()
        name = params.get("collection", "")
        scope = params.get("scope", "")
        if scope == "all":
            articles = list(archive().iter_export(SearchRequest.from_params(params)))
            if len(articles) > MAX_COLLECTION_ADD:
                raise CollectionError(f"At most {MAX_COLLECTION_ADD:,} articles can be added at once.")
        else:
            ids = list(dict.fromkeys(params.getlist("page_id" if scope == "page" else "id")))
            if not ids:
                raise CollectionError("No article to add: choose one, the page or every result.")
            if len(ids) > MAX_COLLECTION_ADD:
                raise CollectionError(f"At most {MAX_COLLECTION_ADD:,} articles can be added at once.")
            found = {i: archive().get_article(i) for i in ids}
            unknown = [i for i, article in found.items() if article is None]
            if unknown:
                raise CollectionError(f"No article has the id “{unknown[0][:200]}”"
                                      + (f" (nor {len(unknown) - 1} other ids)" if len(unknown) > 1 else "")
                                      + "; nothing was added.")
            articles = list(found.values())
        note = params.get("note") or None
        new = store().add(name, articles, note=note, tags=_tags(params))
        return _done(f"{new:,} added to “{name.strip()}”" + (f", {len(articles) - new:,} already there"
                                                             if new < len(articles) else "") + ".",
                     name.strip(), added=new, already=len(articles) - new)
    return _guarded(action)


@_write("/collections/<name>/annotate", "annotate")
def annotate(name: str) -> Any:
    """Set an article's note and tags (comma-separated)."""
    def action():
        params = _params()
        tags = _tags(params) if "tags" in params else None
        note = params.get("note") if "note" in params else None
        store().annotate(name, params.get("id", ""), note=note, tags=tags)
        return _done("Saved the note and tags.", name)
    return _guarded(action)


@_write("/collections/<name>/remove", "remove")
def remove(name: str) -> Any:
    def action():
        removed = store().remove(name, _params().getlist("id"))
        return _done(f"{removed:,} removed from “{name}”.", name, removed=removed)
    return _guarded(action)


@_write("/collections/<name>/rename", "rename")
def rename(name: str) -> Any:
    def action():
        new_name = store().rename(name, _params().get("new_name", ""))
        return _done(f"Renamed to “{new_name}”.", new_name)
    return _guarded(action)


@_write("/collections/<name>/delete", "delete")
def delete(name: str) -> Any:
    def action():
        store().delete(name)
        return _done(f"Deleted the collection “{name}”.", None)
    return _guarded(action)


def _names_or_none() -> list[str]:
    """The collections' names for the search page's picker; none when the file cannot be read
    (a read-only index folder must not stop searching)."""
    try:
        return store().names()
    except (OSError, sqlite3.Error):
        current_app.logger.exception("cannot read the collections file")
        return []


@bp.app_context_processor
def _collection_helpers() -> dict[str, Any]:
    return {"csrf_token": csrf_token, "collection_names": _names_or_none}
