"""CSRF protection for the web UI's writes (collections): a per-session token.

The token lives in Flask's session, a cookie signed with a key kept in the
collections file (`Collections.secret`), so every server process of
`serve --workers N` accepts the others' cookies; the cookie is HttpOnly and
SameSite=Strict. Forms carry the token in a hidden `csrf_token` field, API
clients in an `X-CSRF-Token` header (`GET /api/collections` tells it). Every
POST is checked before it touches anything: no token, or another session's,
is a 403.
"""

from __future__ import annotations

import hmac
import secrets
import sqlite3

from flask import abort, request, session
from flask.sessions import SecureCookieSessionInterface

SESSION_KEY = "csrf"
FORM_FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
COOKIE_SETTINGS = {"SESSION_COOKIE_NAME": "newsindex_session", "SESSION_COOKIE_HTTPONLY": True,
                   "SESSION_COOKIE_SAMESITE": "Strict"}


class CollectionsKeySessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, signed with the key kept in the
    collections file (read once per process, made on first use). Without a
    readable file (no index folder yet) there is no session, and no writes."""

    def get_signing_serializer(self, app):
        if not app.secret_key:
            from webui.collections import collections_of

            try:
                app.secret_key = collections_of(app).secret()
            except (OSError, sqlite3.Error):
                return None
        return super().get_signing_serializer(app)


def csrf_token() -> str:
    """This session's token (made on first use)."""
    token = session.get(SESSION_KEY)
    if not token:
        try:
            token = session[SESSION_KEY] = secrets.token_urlsafe(32)
        except RuntimeError:  # no session (the collections file cannot be made): pages show, writes are refused
            return ""
    return token


def check_csrf() -> None:
    """Abort with 403 unless the request carries this session's token."""
    expected = session.get(SESSION_KEY)
    sent = request.headers.get(HEADER) or request.form.get(FORM_FIELD) or ""
    if not expected or not sent or not hmac.compare_digest(str(expected), str(sent)):
        abort(403, description="The request's security token is missing or does not match this browser "
                               "session: reload the page and try again.")
