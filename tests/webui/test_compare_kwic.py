"""Compare queries on one timeline and the concordance, through the test client (read-only routes)."""

from __future__ import annotations

import csv
import io
import json
import re

from tests.conftest import XSS_MARKER_WORD


# -- compare ----------------------------------------------------------------------------
def test_api_trend_gives_one_series_per_query(client):
    both = client.get("/api/trend?q=cocoa&q=coffee&interval=month")
    assert both.status_code == 200
    body = both.get_json()
    assert [s["query"] for s in body["series"]] == ["cocoa", "coffee"] and body["interval"] == "month"
    for series in body["series"]:
        alone = client.get(f"/api/trend?q={series['query']}&interval=month").get_json()
        assert series["points"] == alone["points"]  # the single-query shape is unchanged
    assert "points" in client.get("/api/trend?q=cocoa").get_json()


def test_compare_csv_has_one_column_per_query(client):
    text = client.get("/api/trend.csv?q=cocoa&q=coffee&q=%22buffer+stock%22").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["period", "total", "cocoa", "coffee", '"buffer stock"']
    series = client.get("/api/trend?q=cocoa&q=coffee&q=%22buffer+stock%22").get_json()["series"]
    assert [int(r[2]) for r in rows[1:]] == [p["count"] for p in series[0]["points"]]
    shares = list(csv.reader(io.StringIO(client.get(
        "/api/trend.csv?q=cocoa&q=coffee&trend=share").get_data(as_text=True))))
    assert [float(r[3]) for r in shares[1:]] == [round(p["share"], 6) for p in series[1]["points"]]


def test_search_page_draws_the_compared_queries_with_a_legend(client):
    page = client.get("/search?q=cocoa&compare=coffee&compare=%22buffer+stock%22").get_data(as_text=True)
    legend = re.findall(r'class="legend-query">([^<]*)<', page)
    assert legend == ["cocoa", "coffee", "&#34;buffer stock&#34;"]
    assert page.count("<polyline") == 3
    bars = client.get("/search?q=cocoa&compare=coffee&chart=bars").get_data(as_text=True)
    assert "<polyline" not in bars and 'class="fill"' in bars
    # the form that adds a query keeps the state; the header form carries the comparison on
    assert '<input type="hidden" name="compare" value="coffee">' in bars
    assert '<input type="hidden" name="chart" value="bars">' in bars


def test_compare_errors(client):
    seven = "&".join(f"compare=w{i}" for i in range(6))
    assert client.get(f"/search?q=cocoa&{seven}").status_code == 400
    assert "At most 6" in client.get(f"/search?q=cocoa&{seven}").get_data(as_text=True)
    bad = client.get('/search?q=cocoa&compare=%22open')
    assert bad.status_code == 400 and "compared query" in bad.get_data(as_text=True)
    assert client.get("/api/trend?q=cocoa&q=%22open").status_code == 400
    many = "&".join(f"q=w{i}" for i in range(7))
    assert "At most 6" in client.get(f"/api/trend?{many}").get_json()["error"]


# -- concordance --------------------------------------------------------------------------
def test_api_kwic_pages_like_api_search(client):
    first = client.get("/api/kwic?q=cocoa&per_page=5").get_json()
    assert set(first) >= {"query", "total", "page", "per_page", "lines"} and first["total"] > 10
    assert set(first["lines"][0]) >= {"id", "headline", "date", "left", "match", "right"}
    second = client.get("/api/kwic?q=cocoa&per_page=5&page=2").get_json()
    everything = client.get("/api/kwic?q=cocoa&per_page=100").get_json()["lines"]
    assert first["lines"] + second["lines"] == everything[:10]
    assert all(line["match"].lower() == "cocoa" for line in everything)


def test_export_kwic_streams_every_line(client):
    total = client.get("/api/kwic?q=cocoa").get_json()["total"]
    rows = list(csv.DictReader(io.StringIO(client.get("/export/kwic?q=cocoa&format=csv").get_data(as_text=True))))
    assert len(rows) == total and rows[0]["match"].lower() == "cocoa"
    lines = client.get("/export/kwic?q=cocoa&format=jsonl&sort=right").get_data(as_text=True).splitlines()
    assert len(lines) == total and json.loads(lines[0])["match"].lower() == "cocoa"


def test_kwic_page_sorts_and_escapes(client):
    page = client.get("/kwic?q=cocoa&sort=left").get_data(as_text=True)
    assert page.count('class="kwic-line"') == 50 and 'aria-current="true">word before' in page
    hostile = client.get(f"/kwic?q={XSS_MARKER_WORD}").get_data(as_text=True)
    assert hostile.count('class="kwic-line"') > 3
    assert "<script>window.__xss" not in hostile and "&lt;script&gt;" in hostile


def test_kwic_errors(client):
    assert client.get("/api/kwic?q=cocoa&sort=alphabet").status_code == 400
    assert client.get("/api/kwic?q=cocoa&width=wide").status_code == 400
    assert client.get("/api/kwic?q=").status_code == 400
    assert client.get("/export/kwic?q=cocoa&format=xml").status_code == 400
    assert client.get('/kwic?q=%22open').status_code == 400
    assert client.get("/kwic").status_code == 200  # the empty form


def test_help_shows_a_working_example_of_each(client):
    page = client.get("/help").get_data(as_text=True)
    linked = re.findall(r'href="(/(?:search\?[^"]*compare|kwic\?)[^"]*)"', page)
    examples = {path.replace("&amp;", "&") for path in linked}
    assert len(examples) == 2
    for path in examples:
        answer = client.get(path).get_data(as_text=True)
        assert 'class="legend-query"' in answer or 'class="kwic-line"' in answer
    assert 'href="/collections"' in page
