"""Every article id opens its article: ids with `/`, dots, `~`, `%`, a newline or
an escape character, on real Reuters records served by a real waitress.

The links are taken from the result page and resolved as a browser resolves
them (RFC 3986: `.` and `..` segments go) before they are fetched over HTTP.
"""

from __future__ import annotations

import json
import re
import threading
import urllib.error
import urllib.request
from html import unescape
from urllib.parse import quote, urljoin

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import fixture_records
from webui.article_ids import decode_id, encode_id

ODD_IDS = [
    "/2019/story",          # a leading slash: Werkzeug merged `//` and redirected
    "..",                   # browsers resolve these segments away
    ".",
    ".hidden",
    "2019/../story",
    "line\nbreak",          # a control character fails the route
    "escape \x1b[2J here",
    "tab\there",
    "double//slash",
    "trailing/",
    "back\\slash",          # browsers read a backslash as /
    "tilde~2Fwritten",      # looks like an escape sequence
    "50% off?q=1#frag",
    "ünïcödé/ß",
    "2019/plain-old",       # an id whose old link (slash as written) must keep working
]


@pytest.fixture(scope="module")
def odd_server(tmp_path_factory) -> str:
    """Real Reuters records carrying `ODD_IDS`, indexed and served by waitress on 127.0.0.1."""
    from waitress.server import create_server

    from indexer.index.build import build_index
    from webui import create_app

    root = tmp_path_factory.mktemp("odd-ids")
    records = [r for r in fixture_records() if r.get("headline") and r.get("body")][:len(ODD_IDS)]
    corpus = root / "corpus"
    corpus.mkdir()
    with open(corpus / "odd.jsonl", "w", encoding="utf-8") as fh:
        for record, odd in zip(records, ODD_IDS):
            fh.write(json.dumps({**record, "id": odd}) + "\n")
    report = build_index([str(corpus)], root / "index", jobs=1)
    assert not report.failures, [str(f) for f in report.failures]
    server = create_server(create_app(root / "index"), host="127.0.0.1", port=0, threads=2,
                           ident="newsindex-test")
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        server.close()
        thread.join(timeout=10)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # a redirect would be the bug: report it
        return None


def _get(url: str) -> tuple[int, str]:
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(url, timeout=30) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


def _links(html: str, pattern: str) -> list[str]:
    return [unescape(m) for m in re.findall(pattern, html)]


def test_every_result_link_opens_its_own_article(odd_server):
    status, html = _get(f"{odd_server}/search?q=*&per_page=100")
    assert status == 200
    links = _links(html, r'<h2 class="hit-title"><a href="([^"]+)"')
    assert len(links) == len(ODD_IDS)
    opened = []
    for link in links:
        url = urljoin(f"{odd_server}/search", link)   # as a browser resolves it
        status, page = _get(url)
        assert status == 200, (link, status)
        # the page's JSON twin names the article it shows
        (api_link,) = _links(page, r'<a href="(/api/article/[^"]+)">JSON</a>')
        status, body = _get(urljoin(url, api_link))
        assert status == 200, (api_link, status)
        opened.append(json.loads(body)["id"])
    assert sorted(opened) == sorted(ODD_IDS)


def test_an_article_page_names_its_id(odd_server):
    for odd in ODD_IDS:
        status, page = _get(f"{odd_server}/article/{quote(encode_id(odd), safe='')}")
        assert status == 200, odd
        assert re.search(r"<dt>Id</dt><dd><code>(.*?)</code>", page, re.S).group(1) == \
            odd.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def test_links_made_before_the_escaping_still_open(odd_server):
    # the path converter wrote a slash as it is, and `~` was never special
    for odd, written in (("2019/plain-old", "/article/2019/plain-old"),
                         ("tilde~2Fwritten", "/article/tilde~2Fwritten"),
                         ("ünïcödé/ß", "/article/" + quote("ünïcödé/ß"))):
        status, body = _get(odd_server + "/api" + written)
        assert status == 200, written
        assert json.loads(body)["id"] == odd


def test_an_unknown_id_is_still_a_404(odd_server):
    assert _get(f"{odd_server}/article/no~2Fsuch")[0] == 404
    assert _get(f"{odd_server}/api/article/..%2Fetc")[0] == 404


@given(st.text(min_size=1, max_size=40))
def test_encoding_round_trips_into_one_safe_segment(article_id):
    segment = encode_id(article_id)
    assert decode_id(segment) == article_id
    assert "/" not in segment and "\\" not in segment
    assert segment not in (".", "..") and not segment.startswith(".")
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in segment)

