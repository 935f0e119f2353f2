"""Collections through the test client: every write is a POST with the session's CSRF
token, errors are specific, exports parse (RIS with rispy), rebuilds keep them."""

from __future__ import annotations

import csv
import io
import json
import re
import threading
from pathlib import Path

import pytest
import rispy

from indexer import Collections
from tests.conftest import fixture_records


@pytest.fixture()
def app(webui_index, tmp_path):
    from webui import create_app

    return create_app(webui_index, config={"COLLECTIONS_PATH": str(tmp_path / "collections.sqlite")})


@pytest.fixture()
def browser(app):
    """A test client with a session: its CSRF token read from a search page, as a browser would."""
    client = app.test_client()
    page = client.get("/search?q=cocoa").get_data(as_text=True)
    client.token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    return client


def post(client, path: str, **fields):
    return client.post(path, data={"csrf_token": client.token, **fields})


def api(client, path: str, body: dict | None = None):
    return client.post(path, json=body or {}, headers={"X-CSRF-Token": client.token})


def cocoa_ids(client, n: int = 100) -> list[str]:
    return [h["id"] for h in client.get(f"/api/search?q=cocoa&per_page={n}").get_json()["hits"]]


def test_add_one_annotate_and_read_back(browser):
    first = cocoa_ids(browser)[0]
    added = post(browser, "/collections/add", collection="Cocoa talks", id=first, next="/search?q=cocoa")
    assert added.status_code == 303 and added.headers["Location"] == "/search?q=cocoa"
    assert api(browser, "/api/collections/Cocoa talks/annotate",
               {"id": first, "note": "ICCO buffer stock <b>", "tags": ["icco", "prices"]}).status_code == 200
    body = browser.get("/api/collections/Cocoa talks").get_json()
    assert body["size"] == 1
    item = body["items"][0]
    assert (item["id"], item["note"], item["tags"], item["missing"]) == (first, "ICCO buffer stock <b>",
                                                                         ["icco", "prices"], False)
    article = browser.get(f"/api/article/{first}").get_json()
    assert (item["headline"], item["date"]) == (article["headline"], article["date"])
    page = browser.get("/collections/Cocoa talks").get_data(as_text=True)
    assert "ICCO buffer stock &lt;b&gt;" in page and 'value="icco, prices"' in page


def test_add_the_page_and_every_result(browser):
    page_ids = cocoa_ids(browser, 10)
    post(browser, "/collections/add", collection="c", scope="page", page_id=page_ids)
    assert [i["id"] for i in browser.get("/api/collections/c").get_json()["items"]] == page_ids
    total = browser.get("/api/search?q=cocoa&publication=Reuters").get_json()["total"]
    again = api(browser, "/api/collections/add", {"collection": "c", "scope": "all", "q": "cocoa",
                                                  "publication": ["Reuters"]}).get_json()
    hits = browser.get("/api/search?q=cocoa&per_page=10").get_json()["hits"]
    reuters_on_page = sum(h["publication"] == "Reuters" for h in hits)
    assert again["added"] + again["already"] == total and again["already"] == reuters_on_page
    assert browser.get("/api/collections/c").get_json()["size"] == total + len(page_ids) - reuters_on_page


def test_remove_rename_delete(browser):
    ids = cocoa_ids(browser, 3)
    api(browser, "/api/collections", {"name": "Draft"})
    api(browser, "/api/collections/add", {"collection": "Draft", "id": ids})
    assert api(browser, "/api/collections/Draft/remove", {"id": ids[:2]}).get_json()["removed"] == 2
    assert api(browser, "/api/collections/Draft/rename", {"new_name": "Final"}).status_code == 200
    assert browser.get("/api/collections/Draft").status_code == 404
    assert [i["id"] for i in browser.get("/api/collections/Final").get_json()["items"]] == ids[2:]
    deleted = post(browser, "/collections/Final/delete")
    assert deleted.status_code == 303 and deleted.headers["Location"] == "/collections"
    assert browser.get("/api/collections").get_json()["collections"] == []


@pytest.mark.parametrize("name, message", [("", "needs a name"), ("a/b", "cannot contain"),
                                           ("x" * 101, "at most 100"), ("tab\there", "cannot contain"),
                                           ("..", "more than dots")])
def test_bad_names(browser, name, message):
    answer = api(browser, "/api/collections", {"name": name})
    assert answer.status_code == 400 and message in answer.get_json()["error"]
    assert browser.get("/api/collections").get_json()["collections"] == []


def test_specific_errors_and_nothing_half_done(browser):
    ids = cocoa_ids(browser, 2)
    unknown = api(browser, "/api/collections/add", {"collection": "c", "id": [ids[0], "no-such-article"]})
    assert unknown.status_code == 400 and "no-such-article" in unknown.get_json()["error"]
    assert browser.get("/api/collections").get_json()["collections"] == []   # nothing added
    api(browser, "/api/collections", {"name": "c"})
    assert api(browser, "/api/collections", {"name": "c"}).status_code == 400       # already there
    assert api(browser, "/api/collections/nope/remove", {"id": ids}).status_code == 404
    assert api(browser, "/api/collections/c/annotate", {"id": ids[0], "note": "x"}).status_code == 400
    assert browser.get("/collections/nope").status_code == 404
    assert browser.get("/collections/c/export?format=bibtex").status_code == 400
    assert post(browser, "/collections/add", collection="c").status_code == 400  # no article chosen
    bad = post(browser, "/collections/add", collection="c", id="no-such-article")
    assert bad.status_code == 400 and "no-such-article" in bad.get_data(as_text=True)


def test_every_write_needs_the_sessions_token(app, browser):
    ids = cocoa_ids(browser, 1)
    writes = [("/collections", {"name": "x"}), ("/collections/add", {"collection": "x", "id": ids[0]}),
              ("/collections/x/annotate", {"id": ids[0], "note": "n"}), ("/collections/x/remove", {"id": ids[0]}),
              ("/collections/x/rename", {"new_name": "y"}), ("/collections/x/delete", {})]
    stranger = app.test_client()
    stranger.get("/search?q=cocoa")  # a session of its own, with its own token
    for path, fields in writes:
        for prefix in ("", "/api"):
            assert browser.post(prefix + path, data=fields).status_code == 403            # no token
            assert browser.post(prefix + path, data={**fields, "csrf_token": "forged"}).status_code == 403
            assert stranger.post(prefix + path, data={**fields, "csrf_token": browser.token}).status_code == 403
            assert app.test_client().post(prefix + path, json=fields,
                                          headers={"X-CSRF-Token": browser.token}).status_code == 403
    assert browser.get("/api/collections").get_json()["collections"] == []
    assert browser.get("/collections/add").status_code == 404            # writes are never GETs
    assert browser.get("/api/collections").get_json()["csrf_token"] == browser.token


def test_exports_parse(browser):
    ids = cocoa_ids(browser, 5)
    api(browser, "/api/collections/add", {"collection": "Cite me", "id": ids, "tags": "cocoa, 1987"})
    api(browser, "/api/collections/Cite me/annotate", {"id": ids[0], "note": "line one\nline two"})
    items = browser.get("/api/collections/Cite me").get_json()["items"]
    ris = browser.get("/collections/Cite me/export?format=ris")
    assert ris.headers["Content-Type"].startswith("application/x-research-info-systems")
    entries = rispy.loads(ris.get_data(as_text=True))
    assert len(entries) == 5 and {e["type_of_reference"] for e in entries} == {"NEWS"}
    for entry, item in zip(entries, items):
        assert entry["id"] == item["id"] and entry["title"] == item["headline"]
        assert entry["secondary_title"] == item["publication"] and entry["year"] == item["date"][:4]
        assert entry["keywords"] == ["cocoa", "1987"]
    assert entries[0]["notes"] == ["line one line two"]
    csl = json.loads(browser.get("/collections/Cite me/export?format=csl-json").get_data(as_text=True))
    assert [c["id"] for c in csl] == ids and {c["type"] for c in csl} == {"article-newspaper"}
    assert csl[0]["issued"]["date-parts"][0][0] == int(items[0]["date"][:4])
    exported = browser.get("/collections/Cite me/export?format=csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert [r["id"] for r in rows] == ids and rows[0]["tags"] == "cocoa | 1987"
    lines = browser.get("/api/collections/Cite me/export?format=jsonl").get_data(as_text=True).splitlines()
    assert [json.loads(x) for x in lines] == items


def test_many_parallel_writers_lose_nothing(app, browser):
    """Sixteen threads, each its own browser tab (the same session), add and annotate at once."""
    ids = cocoa_ids(browser, 100)
    errors: list = []

    def tab(k: int) -> None:
        client = app.test_client()
        client.set_cookie("newsindex_session", browser.get_cookie("newsindex_session").value)
        for article_id in ids[k::16]:
            for answer in (client.post("/api/collections/add", json={"collection": "shared", "id": article_id},
                                       headers={"X-CSRF-Token": browser.token}),
                           client.post("/api/collections/shared/annotate", json={"id": article_id, "note": f"tab {k}"},
                                       headers={"X-CSRF-Token": browser.token})):
                if answer.status_code != 200:
                    errors.append(answer.get_data(as_text=True))

    threads = [threading.Thread(target=tab, args=(k,)) for k in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    items = browser.get("/api/collections/shared").get_json()["items"]
    assert sorted(i["id"] for i in items) == sorted(ids)
    assert all(i["note"] == f"tab {ids.index(i['id']) % 16}" for i in items)


def _add_in_process(path: str, worker: int, count: int) -> None:
    from types import SimpleNamespace

    store = Collections(path)
    for n in range(count):
        store.add("race", [SimpleNamespace(id=f"w{worker}-{n}", headline=f"story {n}", publication=None,
                                           author=None, date=None, url=None)], tags=[f"worker{worker}"])


def test_parallel_processes_lose_nothing(tmp_path):
    """Eight processes (as `serve --workers N` or the CLI beside a server) write one file at once."""
    import multiprocessing

    path = str(tmp_path / "collections.sqlite")
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_add_in_process, args=(path, w, 40)) for w in range(8)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0] * 8
    items = Collections(path).get("race").items
    assert len(items) == 320 and len({i.article_id for i in items}) == 320
    assert all(i.tags == [f"worker{i.article_id[1:i.article_id.index('-')]}"] for i in items)


# -- a rebuild, and 10,000 articles at once ----------------------------------------------
def _build(corpus: Path, index_dir: Path):
    from indexer import build_index

    report = build_index([str(corpus)], index_dir, jobs=1)
    assert not report.failures


def test_a_rebuild_keeps_collections_and_lists_the_removed_as_missing(tmp_path):
    from webui import create_app

    records = fixture_records()[:3]
    corpus, index_dir = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    source = corpus / "three.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in records))
    _build(corpus, index_dir)
    client = create_app(index_dir).test_client()
    token = client.get("/api/collections").get_json()["csrf_token"]
    ids = [r["id"] for r in records]
    assert client.post("/api/collections/add", json={"collection": "kept", "id": ids},
                       headers={"X-CSRF-Token": token}).status_code == 200
    source.write_text("".join(json.dumps(r) + "\n" for r in records[1:]))   # the first story goes
    _build(corpus, index_dir)
    from indexer import build_index

    build_index([str(corpus)], index_dir, jobs=1, full=True)                # a full rebuild too
    assert (index_dir / "collections.sqlite").exists()
    items = client.get("/api/collections/kept").get_json()["items"]
    assert [(i["id"], i["missing"]) for i in items] == [(ids[0], True), (ids[1], False), (ids[2], False)]
    assert items[0]["headline"] == records[0]["headline"]                    # still citable
    page = client.get("/collections/kept").get_data(as_text=True)
    assert page.count("missing from the index") == 1
    ris = rispy.loads(client.get("/collections/kept/export?format=ris").get_data(as_text=True))
    assert [e["id"] for e in ris] == ids


def test_ten_thousand_articles_added_at_once(tmp_path):
    from webui import create_app

    corpus, index_dir = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    with open(corpus / "many.jsonl", "w") as fh:
        for n in range(10_000):
            fh.write(json.dumps({"id": f"n{n}", "headline": f"Item {n}", "body": f"cocoa note {n}",
                                 "date": f"1987-{n % 12 + 1:02d}-01", "publication": "Bulk"}) + "\n")
    _build(corpus, index_dir)
    client = create_app(index_dir).test_client()
    token = client.get("/api/collections").get_json()["csrf_token"]
    answer = client.post("/api/collections/add", json={"collection": "bulk", "scope": "all", "q": "cocoa"},
                         headers={"X-CSRF-Token": token})
    assert answer.status_code == 200 and answer.get_json()["added"] == 10_000
    by_id = client.post("/api/collections/add", json={"collection": "bulk2", "id": [f"n{n}" for n in range(10_000)]},
                        headers={"X-CSRF-Token": token})
    assert by_id.get_json()["added"] == 10_000
    body = client.get("/api/collections/bulk").get_json()
    assert body["size"] == 10_000 and not any(i["missing"] for i in body["items"])
    assert client.get("/collections/bulk").get_data(as_text=True).count('<li class="collection-item') == 100
    assert len(rispy.loads(client.get("/collections/bulk2/export?format=ris").get_data(as_text=True))) == 10_000


def test_an_unwritable_collections_file_never_stops_searching(webui_index, tmp_path):
    from webui import create_app

    client = create_app(webui_index, config={"COLLECTIONS_PATH": str(tmp_path / "no" / "such" / "c.sqlite")}
                        ).test_client()
    page = client.get("/search?q=cocoa")
    assert page.status_code == 200 and "li class=\"hit\"" in page.get_data(as_text=True)
    assert client.post("/api/collections", json={"name": "x"}, headers={"X-CSRF-Token": ""}).status_code == 403
