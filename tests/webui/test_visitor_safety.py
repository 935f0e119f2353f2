"""What a visitor of the web UI can learn or reach: no server paths, no other
Host names (the webui corpus: real Reuters records, the Daily NK seed and
records carrying injection payloads). CSV formulas: tests/system/test_cli_output.py
(the web export writes its CSV with the same `csv_lines`)."""

from __future__ import annotations

import csv
import io
import json
import os

from tests.conftest import fixture_records


def _every_shown_source(client) -> list[str]:
    shown = [hit["source"] for hit in client.get("/api/search?q=*&per_page=100").get_json()["hits"]]
    exported = [json.loads(line) for line in client.get("/export?q=*&format=jsonl").get_data(as_text=True).splitlines()]
    shown += [article["source"] for article in exported]
    shown += [client.get(f"/api/article/{exported[0]['id']}").get_json()["source"]]
    rows = csv.DictReader(io.StringIO(client.get("/export?q=*&format=csv").get_data(as_text=True), newline=""))
    return shown + [row["source"] for row in rows]


def test_sources_are_shown_below_the_archive_root(client, webui_corpus):
    shown = _every_shown_source(client)
    assert len(shown) >= 2 * (len(fixture_records()) + 1)
    assert not [s for s in shown if os.path.isabs(s)]
    # named from the archive's own folder down, as build was given it
    assert set(shown) == {"corpus/reuters-cocoa-coffee.jsonl", "corpus/hostile.jsonl", "corpus/dailynk/sojourn.txt"}
    assert (webui_corpus.parent / set(shown).pop()).is_file()


def test_no_page_shows_the_servers_own_folders(client, webui_corpus):
    article_id = client.get("/api/search?q=sojourn").get_json()["hits"][0]["id"]
    for path in ("/search?q=sojourn", f"/article/{article_id}", "/api/search?q=sojourn", "/",
                 "/export?q=sojourn", "/help"):
        assert str(webui_corpus.parent) not in client.get(path).get_data(as_text=True), path


def test_the_cli_archive_keeps_absolute_sources(webui_index, webui_corpus):
    from indexer import Archive, SearchRequest

    hits = Archive(webui_index).search(SearchRequest(query="sojourn")).hits
    assert hits and hits[0].source == str(webui_corpus / "dailynk" / "sojourn.txt")


def test_a_foreign_host_header_gets_400_before_any_route(client):
    for path in ("/search?q=cocoa", "/api/search?q=cocoa", "//search", "/export?q=cocoa"):
        r = client.get(path, headers={"Host": "rebound.example"})
        assert r.status_code == 400 and "Location" not in r.headers, path
        assert "rebound.example" not in r.get_data(as_text=True)
    assert client.get("/api/search?q=cocoa", headers={"Host": "localhost:5000"}).status_code == 200
    assert client.get("/api/search?q=cocoa", headers={"Host": "127.0.0.1:8080"}).status_code == 200

