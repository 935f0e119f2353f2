"""The web UI through Flask's test client, on a small real index (`webui_corpus` in tests/conftest.py).

Counts are checked against the fixture records themselves or against other routes
(HTML vs JSON vs export), never against numbers written into the test.
"""

from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, quote, unquote, urlsplit

import pytest

from indexer import QUERY_SYNTAX
from indexer.search.export import EXPORT_FIELDS
from tests.conftest import HOSTILE_RECORDS, XSS_MARKER_WORD, XSS_PAYLOADS, fixture_records
from webui.article_ids import decode_id

CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "frame-ancestors 'none'; base-uri 'none'; form-action 'self'")

# Every tag the templates produce; anything else in a page came from data.
TEMPLATE_TAGS = {
    "html", "head", "meta", "title", "link", "script", "body", "a", "header", "div", "form", "label",
    "input", "button", "main", "footer", "span", "section", "h1", "h2", "p", "ul", "ol", "li", "code",
    "kbd", "aside", "select", "option", "fieldset", "legend", "details", "summary", "nav", "q",
    "strong", "em", "time", "figure", "figcaption", "svg", "text", "rect", "line", "path", "dl", "dt",
    "dd", "article", "table", "thead", "tbody", "tr", "th", "td", "mark", "datalist", "textarea", "g", "polyline",
}


class PageAudit(HTMLParser):
    """Collects anything in a page that could run script or that no template writes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in TEMPLATE_TAGS:
            self.problems.append(f"unexpected <{tag}>")
        attributes = dict(attrs)
        if tag == "script" and attributes.get("src") != "/static/app.js":
            self.problems.append(f"script {attrs}")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"event handler {name}={value!r} on <{tag}>")
            if name == "style":
                self.problems.append(f"inline style on <{tag}>")
            if name in ("href", "src", "action", "formaction") and value and \
                    value.strip().lower().startswith(("javascript:", "data:text")):
                self.problems.append(f"{name}={value!r} on <{tag}>")

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def audit(html: str) -> PageAudit:
    page = PageAudit()
    page.feed(html)
    page.close()
    return page


def result_total(html: str) -> int:
    m = re.search(r'class="result-count">\s*([\d,]+) results?', html)
    assert m, "no result count on the page"
    return int(m.group(1).replace(",", ""))


def hit_ids(html: str) -> list[str]:
    return [decode_id(unquote(m)) for m in re.findall(r'<h2 class="hit-title"><a href="/article/([^"?]+)', html)]


def hit_dates(html: str) -> list[str]:
    hits = re.findall(r'<li class="hit">(.*?)</li>', html, flags=re.S)
    return [m.group(1) for h in hits if (m := re.search(r'<time datetime="([^"]+)"', h))]


def words_in_records(word: str) -> int:
    """Independent count: fixture records whose headline or body has `word` (whole word)."""
    pattern = re.compile(rf"\b{re.escape(word)}\b", re.I)
    return sum(1 for r in fixture_records() if pattern.search(r.get("headline", "") + " " + r.get("body", "")))


# --------------------------------------------------------------------------- start page, search

def test_start_page_has_labelled_autofocus_box_and_corpus_figures(client):
    r = client.get("/")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert re.search(r'<label for="q"[^>]*>Search the archive</label>', html)
    assert re.search(r'<input id="q" type="search" name="q"[^>]*autofocus', html)
    assert 'href="/help"' in html
    n_articles = len(fixture_records()) + len(HOSTILE_RECORDS) + 1
    assert f"{n_articles:,} articles" in html
    # example queries are live links to searches
    examples = re.search(r'<ul class="examples">(.*?)</ul>', html, re.S).group(1)
    linked = [parse_qs(urlsplit(h.replace("&amp;", "&")).query)["q"][0]
              for h in re.findall(r'href="(/search\?q=[^"]+)"', examples)]
    assert linked == [example for example, _ in QUERY_SYNTAX[:len(linked)]] and len(linked) >= 3


def test_search_total_matches_an_independent_count(client):
    html = client.get("/search?q=coffee").get_data(as_text=True)
    hostile = sum("coffee" in json.dumps(r).lower() for r in HOSTILE_RECORDS)
    assert result_total(html) == words_in_records("coffee") + hostile
    assert "<mark>" in html


def test_each_hit_links_to_its_article_with_the_query_and_shows_metadata(client):
    html = client.get("/search?q=cocoa").get_data(as_text=True)
    ids = hit_ids(html)
    assert 0 < len(ids) <= 10
    assert len(re.findall(r'<h2 class="hit-title"><a href="/article/[^"?]+\?q=cocoa">', html)) == len(ids)
    first = re.search(r'<li class="hit">(.*?)</li>', html, re.S).group(1)
    assert 'class="pub"' in first and "<time datetime=" in first
    assert re.search(r'<p class="snippet">.*<mark>[Cc]ocoa</mark>', first, re.S) or "<mark>" in first


def test_pages_cover_the_result_set_without_repeats(client):
    first = client.get("/search?q=coffee").get_data(as_text=True)
    total = result_total(first)
    pages = -(-total // 10)
    assert pages >= 2, "the fixture should give several pages for coffee"
    seen: list[str] = []
    for page in range(1, pages + 1):
        html = client.get(f"/search?q=coffee&page={page}").get_data(as_text=True)
        assert f'aria-current="page" href="/search?q=coffee&amp;page={page}"' in html
        seen += hit_ids(html)
    assert len(seen) == total == len(set(seen))
    html = client.get("/search?q=coffee&page=2").get_data(as_text=True)
    assert 'rel="prev"' in html


@pytest.mark.parametrize("sort, descending", [("newest", True), ("oldest", False)])
def test_sort_by_date(client, sort, descending):
    html = client.get(f"/search?q=coffee&sort={sort}").get_data(as_text=True)
    dates = hit_dates(html)
    assert len(dates) >= 5
    assert dates == sorted(dates, reverse=descending)
    assert f'<option value="{sort}" selected>' in html


def test_publication_filter_and_facet_checkboxes(client):
    html = client.get("/search?q=chinese").get_data(as_text=True)
    both = result_total(html)
    boxes = re.findall(r'name="publication" value="([^"]+)" form="search" data-autosubmit', html)
    assert {"Reuters", "Daily NK"} <= set(boxes)
    only_reuters = result_total(client.get("/search?q=chinese&publication=Reuters").get_data(as_text=True))
    only_nk_html = client.get("/search?q=chinese&publication=Daily+NK").get_data(as_text=True)
    assert result_total(only_nk_html) == 1
    assert 'value="Daily NK" form="search" data-autosubmit checked' in only_nk_html
    several = client.get("/search?q=chinese&publication=Reuters&publication=Daily+NK").get_data(as_text=True)
    assert result_total(several) == both == only_reuters + 1


def test_many_publications_fold_under_more_but_ticked_ones_stay_visible(client, monkeypatch):
    import webui.views

    monkeypatch.setattr(webui.views, "PUBLICATIONS_SHOWN", 1)
    html = client.get("/search?q=cocoa&publication=Daily+NK").get_data(as_text=True)
    visible, folded = html.split('<details class="more">', 1)
    assert 'value="Daily NK" form="search" data-autosubmit checked' in visible
    assert 'value="Reuters"' in folded and "2 more" in folded


def test_date_range_keeps_only_that_month(client):
    html = client.get("/search?q=coffee&from=1987-04&to=1987-04&per_page=100").get_data(as_text=True)
    dates = hit_dates(html)
    assert dates and all(d.startswith("1987-04") for d in dates)
    assert result_total(html) == len(dates)


def test_histogram_bars_narrow_to_their_month_with_their_count(client):
    html = client.get("/search?q=coffee").get_data(as_text=True)
    bars = re.findall(r'<a class="bar[^"]*" href="([^"]+)" aria-label="([^"]+): ([\d,]+) hits?', html)
    assert len(bars) >= 3
    total = 0
    for href, _month, count in bars:
        params = parse_qs(urlsplit(href.replace("&amp;", "&")).query)
        assert params["from"] == params["to"] and re.fullmatch(r"\d{4}-\d\d", params["from"][0])
        assert params["q"] == ["coffee"] and "page" not in params
        narrowed = client.get(href.replace("&amp;", "&")).get_data(as_text=True)
        assert result_total(narrowed) == int(count.replace(",", ""))
        total += int(count.replace(",", ""))
    assert total == result_total(html)  # every dated hit is in a bar (all fixture hits are dated)


def test_did_you_mean_links_the_correction(client):
    for typo, meant in (("sojurn", "sojourn"), ("cocao", "cocoa")):
        html = client.get(f"/search?q={typo}&publication=Daily+NK&publication=Reuters").get_data(as_text=True)
        link = f'<a href="/search?q={meant}&amp;publication=Daily+NK&amp;publication=Reuters">{meant}</a>'
        assert f"Did you mean {link}?" in html, typo


def test_empty_query_with_a_filter_browses_all_articles(client):
    html = client.get("/search?q=&publication=Daily+NK").get_data(as_text=True)
    assert result_total(html) == 1


# --------------------------------------------------------------------------- bad input

@pytest.mark.parametrize("query_string, fragment", [
    ('q="unbalanced', "quote"),
    ("q=AND", "operator"),
    ("q=coffee+AND", "AND"),
    ("q=(cocoa", "("),
    ("q=coffee&page=99999", "pages run"),
    ("q=coffee&page=-1", "page"),
    ("q=coffee&page=abc", "page"),
    ("q=coffee&per_page=1000", "per_page"),
    ("q=coffee&from=yesterday", "date"),
    ("q=coffee&from=1987-13-45", "date"),
    ("q=coffee&from=1987-05&to=1987-03", "after"),
    ("q=coffee&sort=sideways", "sort"),
    ("q=" + "a" * 1001, "1,000"),
    ("q=date:[x to y]", "date"),                        # Whoosh raises a bare Exception here
    ("q=date:[1987-13-01 to 1987-14-01]", "date"),      # ... and TimeError here
])
def test_bad_requests_get_a_message_on_the_page(client, query_string, fragment):
    r = client.get("/search?" + query_string)
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    notice = re.search(r'<div class="notice notice-error" role="alert">(.*?)</div>', html, re.S)
    assert notice and fragment.lower() in notice.group(1).lower()
    assert '<input id="q"' in html  # the user can fix the query right there


def test_a_page_past_the_end_says_so(client):
    r = client.get("/search?q=coffee&page=50")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "past the end" in html and "Go to the last page" in html


def test_pagination_stops_where_the_engine_does(client, monkeypatch):
    import webui.views

    monkeypatch.setattr(webui.views, "MAX_PAGE", 2)     # the fixture has more than 2 pages of coffee
    html = client.get("/search?q=coffee&page=2").get_data(as_text=True)
    assert "Pages stop at 2" in html and 'rel="next"' not in html
    assert not re.search(r'href="/search\?q=coffee&amp;page=[3-9]"', html)


def test_star_and_empty_query(client):
    html = client.get("/search?q=*").get_data(as_text=True)
    n_articles = len(fixture_records()) + len(HOSTILE_RECORDS) + 1
    assert result_total(html) == n_articles
    start = client.get("/search?q=+++")
    assert start.status_code == 200 and "Search the news archive" in start.get_data(as_text=True)


def test_no_hits_page_offers_a_way_out(client):
    html = client.get("/search?q=zzyzxquux&publication=Reuters").get_data(as_text=True)
    assert result_total(html) == 0
    assert "Search without the filters" in html


# --------------------------------------------------------------------------- article page

def _dailynk_id(client) -> str:
    return client.get("/api/search?q=sojourn").get_json()["hits"][0]["id"]


def test_article_page_marks_terms_shows_captions_metadata_and_similar(client):
    article_id = _dailynk_id(client)
    r = client.get(f"/article/{article_id}?q=workers")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert '<h1 id="article-title"' in html
    body = re.search(r'<div class="article-body">(.*?)</div>', html, re.S).group(1)
    assert body.count("<mark>") >= 5
    captions = re.findall(r"<figcaption>(.*?)</figcaption>", html, re.S)
    assert captions and any("<mark>workers</mark>" in c for c in captions)
    assert "Mun Dong Hui" in html and "Daily NK" in html
    assert "sojourn.txt" in html
    assert "More like this" in html
    similar = re.search(r'<ol class="similar-list">(.*?)</ol>', html, re.S)
    assert similar and similar.group(1).count("<li>") >= 1
    assert 'href="/search?q=workers"' in html  # back to the results
    stored = client.get(f"/api/article/{article_id}").get_json()
    assert (f'<dd class="cite">{stored["author"]}. “{stored["headline"]}.” <em>{stored["publication"]}</em>, '
            + ("n.d." if stored["date"] is None else "")) in html


def test_article_without_query_is_plain(client):
    html = client.get(f"/article/{_dailynk_id(client)}").get_data(as_text=True)
    assert "<mark>" not in html and "Results for" not in html


def test_article_with_a_bad_query_still_shows(client):
    r = client.get(f"/article/{_dailynk_id(client)}?q=%22unbalanced")
    assert r.status_code == 200 and "Chinese authorities" in r.get_data(as_text=True)


def test_article_original_url_is_linked_only_for_http(client):
    second = client.get("/article/" + quote(HOSTILE_RECORDS[1]["id"], safe=""))
    assert second.status_code == 200
    html = second.get_data(as_text=True)
    assert re.search(r'<a href="https://example.org/news/cocoa\?a=1&amp;b=&lt;2&gt;" '
                     r'rel="noopener noreferrer"', html)
    first = client.get("/article/hostile-1").get_data(as_text=True)
    assert "javascript:" in first          # shown as text
    assert not audit(first).problems       # never as a link


def test_unknown_article_is_a_404_page(client):
    r = client.get("/article/no-such-id")
    assert r.status_code == 404
    assert "no article with the id" in r.get_data(as_text=True).lower()
    assert client.get("/api/article/no-such-id").status_code == 404
    assert client.get("/api/article/no-such-id").get_json()["error"]


# --------------------------------------------------------------------------- JSON API

def test_api_search_has_the_product_shape(client):
    r = client.get("/api/search?q=sojourn")
    assert r.status_code == 200 and r.mimetype == "application/json"
    data = r.get_json()
    assert list(data)[:8] == ["query", "total", "page", "per_page", "took_ms", "hits", "facets", "suggestion"]
    assert data["query"] == "sojourn" and data["total"] == 1
    hit = data["hits"][0]
    for key in ("id", "headline", "publication", "author", "date", "url", "source", "score", "snippet"):
        assert key in hit
    assert hit["publication"] == "Daily NK" and hit["author"] == "Mun Dong Hui"
    assert "<mark>sojourn</mark>" in hit["snippet"]
    assert data["facets"]["publication"] == {"Daily NK": 1}


def test_api_search_agrees_with_the_page_and_caps_per_page(client):
    html = client.get("/search?q=cocoa").get_data(as_text=True)
    data = client.get("/api/search?q=cocoa&per_page=100").get_json()
    assert data["total"] == result_total(html)
    # re-sent versions of a story fold into its hit; together they are the whole set
    assert len(data["hits"]) + sum(len(h["duplicates"]) for h in data["hits"]) == data["total"]
    assert [h["id"] for h in data["hits"][:10]] == hit_ids(html)
    too_many = client.get("/api/search?q=cocoa&per_page=101")
    assert too_many.status_code == 400 and "per_page" in too_many.get_json()["error"]


@pytest.mark.parametrize("query_string", ['q="open', "q=OR", "q=cocoa&page=0", "q=cocoa&from=never",
                                          "q=" + "x" * 1001])
def test_api_bad_requests_are_400_with_a_message(client, query_string):
    r = client.get("/api/search?" + query_string)
    assert r.status_code == 400
    assert set(r.get_json()) == {"error"} and r.get_json()["error"]


def test_api_article_is_the_article_json(client):
    data = client.get("/api/article/" + quote(HOSTILE_RECORDS[1]["id"], safe="")).get_json()
    assert list(data) == list(EXPORT_FIELDS)
    assert data["id"] == HOSTILE_RECORDS[1]["id"]
    assert data["headline"] == HOSTILE_RECORDS[1]["headline"]   # raw in JSON: the client escapes
    assert data["date"].startswith("1987-06-15")
    reuters = fixture_records()[0]
    data = client.get(f"/api/article/{reuters['id']}").get_json()
    assert data["headline"] == reuters["headline"] and data["publication"] == "Reuters"


# --------------------------------------------------------------------------- export

def test_csv_export_streams_the_whole_result_set(client):
    total = client.get("/api/search?q=coffee").get_json()["total"]
    assert total > 10  # more than one page
    r = client.get("/export?q=coffee&format=csv&page=2")
    assert r.status_code == 200 and r.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert r.is_streamed
    disposition = r.headers["Content-Disposition"]
    assert re.fullmatch(r'attachment; filename="newsindex-coffee-\d{8}-\d{4}\.csv"', disposition)
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True))))
    assert tuple(rows[0]) == EXPORT_FIELDS
    assert len(rows) - 1 == total


def test_jsonl_export_of_everything_with_a_filter(client):
    r = client.get("/export?format=jsonl&publication=Reuters")
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/x-ndjson; charset=utf-8"
    lines = r.get_data(as_text=True).splitlines()
    objects = [json.loads(line) for line in lines]
    assert len(objects) == len(fixture_records())
    assert all(list(o) == list(EXPORT_FIELDS) and o["publication"] == "Reuters" for o in objects)
    assert {o["id"] for o in objects} == {r["id"] for r in fixture_records()}


def test_export_problems_are_pages_not_downloads(client):
    bad_format = client.get("/export?q=coffee&format=xml")
    assert bad_format.status_code == 400 and "Content-Disposition" not in bad_format.headers
    bad_query = client.get('/export?q="coffee&format=csv')
    assert bad_query.status_code == 400 and "Content-Disposition" not in bad_query.headers
    assert "quote" in bad_query.get_data(as_text=True)


def test_export_filename_never_carries_request_text(client):
    r = client.get("/export?format=jsonl&q=" + quote('coffee\r\nX-Evil 1; é <b>'))
    disposition = r.headers["Content-Disposition"]
    assert re.fullmatch(r'attachment; filename="newsindex-coffee-X-Evil-1-b-\d{8}-\d{4}\.jsonl"', disposition)
    assert "X-Evil" not in r.headers


# --------------------------------------------------------------------------- help

def test_help_lists_every_syntax_example_as_a_working_link(client):
    html = client.get("/help").get_data(as_text=True)
    for example, _meaning in QUERY_SYNTAX:
        link = "/search?q=" + quote(example, safe="")
        assert re.search(r'href="/search\?q=[^"]+"><code>' + re.escape(
            example.replace("&", "&amp;").replace('"', "&#34;").replace("<", "&lt;")), html), example
        r = client.get(link)
        assert r.status_code == 200, (example, r.status_code)
    assert "/api/search" in html and "format=csv" in html


# --------------------------------------------------------------------------- headers, methods, errors

@pytest.mark.parametrize("path", ["/", "/search?q=cocoa", "/help", "/api/search?q=cocoa", "/article/hostile-1",
                                  "/export?q=cocoa&format=csv", "/nowhere", "/static/style.css",
                                  "/search?q=%22", "/api/article/nope", "/api/trend?q=cocoa",
                                  "/api/trend.csv?q=cocoa", "/search?q=cocoa&trend=share"])
def test_security_headers_on_every_response(client, path):
    r = client.get(path)
    assert r.headers["Content-Security-Policy"] == CSP
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"] == "no-referrer"


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"])
def test_read_only(client, method):
    for path in ("/", "/search", "/api/search", "/export", "/article/hostile-1"):
        r = client.open(path, method=method)
        assert r.status_code == 405, (method, path)
        assert "Traceback" not in r.get_data(as_text=True)


def test_head_requests_work(client):
    assert client.head("/search?q=cocoa").status_code == 200
    assert client.head("/article/hostile-1").status_code == 200


def test_static_assets_are_local(client):
    assert client.get("/static/style.css").status_code == 200
    assert client.get("/static/app.js").status_code == 200
    html = client.get("/search?q=cocoa").get_data(as_text=True)
    assert not re.search(r'(src|href)="(https?:)?//', html.replace('href="https://example.org', ""))


def test_engine_failure_is_a_plain_500_page(webui_index, monkeypatch):
    from webui import EXTENSION_KEY, create_app

    app = create_app(webui_index)
    archive = app.extensions[EXTENSION_KEY].get()

    def explode(*args, **kwargs):
        raise RuntimeError("secret internal detail /etc/passwd")

    monkeypatch.setattr(archive, "search", explode)
    client = app.test_client()
    for path in ("/search?q=cocoa", "/api/search?q=cocoa"):
        r = client.get(path)
        assert r.status_code == 500
        text = r.get_data(as_text=True)
        assert "secret internal detail" not in text and "Traceback" not in text
    assert "Something went wrong" in client.get("/search?q=cocoa").get_data(as_text=True)


def test_missing_index_says_how_to_build_one(tmp_path):
    from webui import create_app

    client = create_app(tmp_path / "no-index").test_client()
    r = client.get("/search?q=cocoa")
    assert r.status_code == 503 and "newsindex build" in r.get_data(as_text=True)
    assert client.get("/api/search?q=cocoa").get_json()["error"]
    assert client.get("/help").status_code == 200  # pages that need no index still work


def test_serve_runs_waitress_with_the_app(monkeypatch, webui_index):
    from webui import server

    calls = []
    monkeypatch.setattr(server, "run_waitress", lambda app, **kw: calls.append((app, kw)))
    server.serve(webui_index, host="127.0.0.1", port=8099, threads=3)
    app, kw = calls[0]
    assert kw["host"] == "127.0.0.1" and kw["port"] == 8099 and kw["threads"] == 3
    client = app.test_client()
    assert client.get("/api/search?q=cocoa", headers={"Host": "127.0.0.1:8099"}).status_code == 200
    assert client.get("/api/search?q=cocoa", headers={"Host": "localhost:8099"}).status_code == 200
    assert client.get("/api/search?q=cocoa", headers={"Host": "localhost:8098"}).status_code == 400


# --------------------------------------------------------------------------- injection

def _pages_showing_hostile_data(client) -> dict[str, str]:
    pages = {
        "search": f"/search?q={XSS_MARKER_WORD}",
        "search-caption": f"/search?q=caption:{XSS_MARKER_WORD}",
        "search-filtered": "/search?q=cocoa&publication=" + quote(HOSTILE_RECORDS[0]["publication"]),
        "browse": "/search?q=*&sort=newest",
        "article-1": "/article/hostile-1?q=" + XSS_MARKER_WORD,
        "article-2": "/article/" + quote(HOSTILE_RECORDS[1]["id"], safe="") + "?q=cocoa",
        "article-similar": "/article/hostile-2?q=cocoa",
        "start": "/",
    }
    return {name: client.get(url).get_data(as_text=True) for name, url in pages.items()}


def test_hostile_article_text_is_escaped_everywhere(client):
    pages = _pages_showing_hostile_data(client)
    for name, html in pages.items():
        problems = audit(html).problems
        assert not problems, (name, problems)
    search = pages["search"]
    assert result_total(search) == len(HOSTILE_RECORDS)
    assert "&lt;script&gt;window.__xss=" in search                 # shown as text
    assert "<mark>" in search and "caption-snippet" in pages["search-caption"]
    article = pages["article-1"]
    assert article.count("<figcaption>") == 2
    text = "".join(audit(article).text)
    for payload in XSS_PAYLOADS[:4]:
        assert payload in text                                     # the words survive, inert


HOSTILE_VALUES = [XSS_PAYLOADS[0], XSS_PAYLOADS[1], XSS_PAYLOADS[2], "javascript:alert(1)",
                  "\"'><script>alert(1)</script>&{{7*7}}"]


@pytest.mark.parametrize("param", ["q", "publication", "from", "to", "sort", "page", "per_page", "format",
                                   "trend", "interval"])
@pytest.mark.parametrize("value", HOSTILE_VALUES)
def test_hostile_query_parameters_are_escaped(client, param, value):
    for path in ("/search", "/", "/help", "/export", "/article/hostile-1", "/nowhere"):
        extra = "" if param == "q" else "&q=cocoa"
        r = client.get(f"{path}?{param}={quote(value)}{extra}")
        assert r.status_code < 500, (path, param, r.status_code)
        if r.mimetype == "text/html":
            problems = audit(r.get_data(as_text=True)).problems
            assert not problems, (path, param, problems)
    api = client.get(f"/api/search?{param}={quote(value)}")
    assert api.status_code in (200, 400) and api.mimetype == "application/json"


def test_hostile_article_id_in_the_path(client):
    for value in XSS_PAYLOADS[:3]:
        r = client.get("/article/" + quote(value, safe=""))
        assert r.status_code == 404
        assert not audit(r.get_data(as_text=True)).problems


# --------------------------------------------------------------------------- histogram geometry

def test_histogram_fills_empty_months_inside_the_span():
    from webui.histogram import build_histogram

    h = build_histogram({"month": {"1987-02": 3, "1987-06": 12, "1987-03": 6}, "year": {"1987": 21}})
    assert h.unit == "month"
    assert [b.key for b in h.bars] == ["1987-02", "1987-03", "1987-04", "1987-05", "1987-06"]
    assert [b.count for b in h.bars] == [3, 6, 0, 0, 12]
    tallest = max(h.bars, key=lambda b: b.height)
    assert tallest.key == "1987-06" and tallest.height == h.plot_height
    assert all(b.height == 0 for b in h.bars if b.count == 0)
    assert h.bars[0].x < h.bars[1].x and all(0 <= b.x and b.x + b.width <= h.width + 0.01 for b in h.bars)


def test_histogram_switches_to_years_over_long_spans():
    from webui.histogram import build_histogram

    h = build_histogram({"month": {"1987-03": 5, "2019-04": 1}, "year": {"1987": 5, "2019": 1}},
                        date_from="2019", date_to="2019")
    assert h.unit == "year"
    assert len(h.bars) == 2019 - 1987 + 1
    assert [b.key for b in h.bars if b.count] == ["1987", "2019"]
    assert [b.key for b in h.bars if b.selected] == ["2019"]
    assert 1 <= sum(1 for b in h.bars if b.label) <= 13


def test_histogram_needs_dates():
    from webui.histogram import build_histogram

    assert build_histogram({"publication": {"Daily NK": 1}, "year": {}, "month": {}}) is None


def test_versions_of_a_story_are_linked_from_its_hit(client):
    query = "q=ivory+coast+talks"
    data = client.get(f"/api/search?{query}").get_json()
    grouped = [h for h in data["hits"] if h.get("duplicates")]
    assert grouped, "the fixture holds two versions of IVORY COAST CONFIRMS PRESENCE AT COCOA TALKS"
    html = client.get(f"/search?{query}").get_data(as_text=True)
    for hit in grouped:
        for other in hit["duplicates"]:
            assert f'<a href="/article/{other}?{query}">version' in html
    assert f'href="/search?{query}&amp;versions=all">list every version</a>' in html
    every = client.get(f"/search?{query}&versions=all").get_data(as_text=True)
    listed = set(hit_ids(every))
    assert all({h["id"], *h["duplicates"]} <= listed for h in grouped)
    assert "group versions" in every and 'name="versions" value="all"' in every


# --------------------------------------------------------------------------- trend over time

def _trend(client, query_string: str) -> dict:
    r = client.get("/api/trend?" + query_string)
    assert r.status_code == 200 and r.mimetype == "application/json", r.get_data(as_text=True)[:300]
    return r.get_json()


def _next_month(period: str) -> str:
    year, month = int(period[:4]), int(period[5:])
    return f"{year + month // 12:04d}-{month % 12 + 1:02d}"


@pytest.mark.parametrize("q", ["coffee", "cocoa", "cocoa -coffee"])
def test_api_trend_shape_and_counts_equal_the_month_facets(client, q):
    data = _trend(client, "q=" + quote(q))
    assert list(data) == ["query", "interval", "points"]
    assert data["query"] == q and data["interval"] == "month"
    points = data["points"]
    assert points and all(list(p) == ["period", "count", "total", "share"] for p in points)
    periods = [p["period"] for p in points]
    assert all(re.fullmatch(r"\d{4}-\d\d", p) for p in periods)
    assert all(_next_month(a) == b for a, b in zip(periods, periods[1:])), "gaps must be filled"
    facets = client.get("/api/search?q=" + quote(q)).get_json()["facets"]["month"]
    assert {p["period"]: p["count"] for p in points if p["count"]} == facets


def test_api_trend_share_is_the_count_over_the_match_all_total(client):
    everything = {p["period"]: p["count"] for p in _trend(client, "q=*")["points"]}
    coffee = _trend(client, "q=coffee")["points"]
    assert {p["period"] for p in coffee} == set(everything)
    for p in coffee:
        assert p["total"] == everything[p["period"]]
        assert p["count"] <= p["total"]
        expected = p["count"] / p["total"] if p["total"] else 0.0
        assert p["share"] == pytest.approx(expected, abs=1e-6)
    assert any(0 < p["share"] < 1 for p in coffee), "coffee is not in every article"


def test_api_trend_totals_follow_the_filters_and_match_the_records(client):
    from collections import Counter

    from indexer.ingest.dates import parse_date

    by_month = Counter(parse_date(r["date"]).strftime("%Y-%m") for r in fixture_records())
    points = _trend(client, "q=cocoa&publication=Reuters")["points"]
    assert {p["period"]: p["total"] for p in points if p["total"]} == dict(by_month)
    narrowed = _trend(client, "q=cocoa&publication=Reuters&from=1987-03&to=1987-04")["points"]
    assert [p["period"] for p in narrowed] == ["1987-03", "1987-04"]
    assert [p["total"] for p in narrowed] == [by_month["1987-03"], by_month["1987-04"]]


def test_api_trend_by_year_sums_the_months(client):
    months = _trend(client, "q=coffee")["points"]
    years = _trend(client, "q=coffee&interval=year")
    assert years["interval"] == "year"
    for point in years["points"]:
        in_year = [m for m in months if m["period"].startswith(point["period"] + "-")]
        assert point["count"] == sum(m["count"] for m in in_year)
        assert point["total"] == sum(m["total"] for m in in_year)


def test_api_trend_csv_is_an_attachment_with_the_json_rows(client):
    json_points = _trend(client, "q=coffee&interval=month")["points"]
    by_suffix = client.get("/api/trend.csv?q=coffee")
    by_format = client.get("/api/trend?q=coffee&format=csv")
    for r in (by_suffix, by_format):
        assert r.status_code == 200 and r.mimetype == "text/csv"
        assert re.fullmatch(r'attachment; filename="newsindex-trend-month-coffee-\d{8}-\d{4}\.csv"',
                            r.headers["Content-Disposition"])
    assert by_suffix.get_data() == by_format.get_data()
    rows = list(csv.reader(io.StringIO(by_suffix.get_data(as_text=True))))
    assert rows[0] == ["period", "count", "total", "share"]
    assert len(rows) == len(json_points) + 1
    for row, p in zip(rows[1:], json_points):
        assert row[:3] == [p["period"], str(p["count"]), str(p["total"])]
        assert float(row[3]) == pytest.approx(p["share"], abs=1e-6)


@pytest.mark.parametrize("query_string", ["q=coffee&interval=week", "q=coffee&format=xml", 'q="open', "q=OR",
                                          "q=cocoa&from=never", "q=" + "x" * 1001])
@pytest.mark.parametrize("path", ["/api/trend", "/api/trend.csv"])
def test_api_trend_bad_requests_are_400_with_a_message(client, path, query_string):
    if path.endswith(".csv") and "format=" in query_string:
        return  # the .csv route has a fixed format
    r = client.get(f"{path}?{query_string}")
    assert r.status_code == 400 and r.mimetype == "application/json"
    assert set(r.get_json()) == {"error"} and r.get_json()["error"]


@pytest.mark.parametrize("value", HOSTILE_VALUES)
def test_api_trend_hostile_query_is_inert(client, value):
    r = client.get("/api/trend?q=" + quote(value))
    assert r.status_code in (200, 400) and r.mimetype == "application/json"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    if r.status_code == 200:
        assert r.get_json()["query"] == value  # returned as data, never as markup
    download = client.get("/api/trend.csv?q=" + quote(value))
    if download.status_code == 200:
        assert re.fullmatch(r'attachment; filename="[A-Za-z0-9.-]+"', download.headers["Content-Disposition"])
        assert "<" not in download.get_data(as_text=True)
    page = client.get("/search?trend=share&q=" + quote(value))
    assert page.status_code in (200, 400)
    assert not audit(page.get_data(as_text=True)).problems


def _bar_labels(html: str) -> dict[str, str]:
    """{month asked for by the bar's link: the bar's label}."""
    bars = re.findall(r'<a class="bar[^"]*" href="([^"]+)" aria-label="([^"]+): show only these"', html)
    return {parse_qs(urlsplit(href.replace("&amp;", "&")).query)["from"][0]: label for href, label in bars}


def test_share_toggle_keeps_its_state_in_the_url_and_draws_shares(client):
    counted = client.get("/search?q=coffee").get_data(as_text=True)
    toggle = re.search(r'<a class="trend-measure" href="([^"]+)"[^>]*>share of all articles</a>', counted)
    current = re.search(r'<a class="trend-measure current"[^>]*>count<', counted)
    assert toggle and 'aria-current="true"' in current.group(0)
    share_url = toggle.group(1).replace("&amp;", "&")
    assert parse_qs(urlsplit(share_url).query) == {"q": ["coffee"], "trend": ["share"]}
    shared = client.get(share_url + "&per_page=5").get_data(as_text=True)
    assert "Hits as a share of all articles, by month" in shared
    assert '<input type="hidden" name="trend" value="share">' in shared      # a new search keeps the view
    for link in re.findall(r'class="page" href="([^"]+)"', shared):        # so does paging
        assert "trend=share" in link
    for link in re.findall(r'href="(/export[^"]+|/api/search[^"]+)"', shared):
        assert "trend" not in link                                          # downloads ignore the view
    points = {p["period"]: p for p in _trend(client, "q=coffee")["points"]}
    counts = _bar_labels(counted)
    shares = _bar_labels(shared)
    assert shares and set(shares) == set(counts)
    for month, label in shares.items():
        pct, total, hits = re.fullmatch(r"\w+ \d{4}: ([\d.]+)% of ([\d,]+) articles? \(([\d,]+) hits?\)",
                                        label).groups()
        assert int(hits.replace(",", "")) == points[month]["count"]
        assert counts[month].endswith(f": {hits} hit" + ("s" if hits != "1" else ""))
        assert int(total.replace(",", "")) == points[month]["total"]
        assert float(pct) == pytest.approx(100 * points[month]["share"], rel=5e-3)
    # the bars still narrow to their month, in the share view
    month, label = next(iter(shares.items()))
    narrowed = client.get(f"/search?q=coffee&trend=share&from={month}&to={month}").get_data(as_text=True)
    assert result_total(narrowed) == points[month]["count"]
    assert 'class="bar selected"' in narrowed


def test_trend_download_links_on_the_page_work(client):
    html = client.get("/search?q=coffee&trend=share&sort=newest&page=2").get_data(as_text=True)
    links = dict((name, href.replace("&amp;", "&")) for href, name in
                 re.findall(r'<a href="(/api/trend[^"]*)" download aria-label="[^"]+">(CSV|JSON)</a>', html))
    assert set(links) == {"CSV", "JSON"}
    for href in links.values():
        assert parse_qs(urlsplit(href).query) == {"q": ["coffee"], "interval": ["month"]}
    rows = list(csv.reader(io.StringIO(client.get(links["CSV"]).get_data(as_text=True))))
    points = client.get(links["JSON"]).get_json()["points"]
    assert [r[0] for r in rows[1:]] == [p["period"] for p in points]


def test_share_bars_are_as_tall_as_the_share_not_the_count():
    from indexer.search.trend import TrendPoint
    from webui.histogram import build_share_histogram

    points = [TrendPoint("1987-02", 50, 1000, 0.05), TrendPoint("1987-03", 0, 7, 0.0),
              TrendPoint("1987-04", 2, 4, 0.5)]
    h = build_share_histogram(points, "month", ["1987-02", "1987-03", "1987-04"])
    assert h.measure == "share" and h.max_label == "50%"
    big_count, empty, big_share = h.bars
    assert big_share.height == h.plot_height and big_count.height == pytest.approx(h.plot_height / 10)
    assert empty.height == 0 and empty.count == 0
    assert big_count.title == "February 1987: 5% of 1,000 articles (50 hits)"
    assert not any(bar.no_articles for bar in h.bars) and not h.has_empty_periods


def test_share_view_marks_periods_without_articles_apart_from_zero_shares():
    from indexer.search.trend import TrendPoint
    from webui.histogram import build_share_histogram

    points = [TrendPoint("1987-02", 1, 4, 0.25), TrendPoint("1987-03", 0, 0, 0.0),
              TrendPoint("1987-04", 0, 9, 0.0)]
    h = build_share_histogram(points, "month", ["1987-02", "1987-03", "1987-04"])
    assert [bar.no_articles for bar in h.bars] == [False, True, False] and h.has_empty_periods
    assert h.bars[1].title == "March 1987: no articles in the archive"


def test_share_page_shades_months_without_articles(client):
    points = _trend(client, "q=coffee")["points"]
    hit_months = [p["period"] for p in points if p["count"]]   # the chart spans the hits' months
    empty = [p["period"] for p in points if not p["total"] and hit_months[0] <= p["period"] <= hit_months[-1]]
    assert empty, "the fixture has months without articles inside the span of coffee's hits"
    html = client.get("/search?q=coffee&trend=share").get_data(as_text=True)
    shaded = re.findall(r'<rect class="no-articles"[^>]*><title>(\w+ \d{4}): no articles in the archive</title>', html)
    assert len(shaded) == len(empty) and "no articles in the archive)" in html
    assert 'class="no-articles"' not in client.get("/search?q=coffee").get_data(as_text=True)
