"""`newsindex kwic`, `newsindex trend` and `newsindex collections`: the same answers as the API."""

from __future__ import annotations

import csv
import io
import json

import pytest
import rispy

from indexer import Archive, SearchRequest
from indexer.cli import main


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_kwic_prints_every_line(webui_index, capsys):
    total = Archive(webui_index).kwic(SearchRequest(query="cocoa")).total
    code, out, _ = run(capsys, "kwic", "cocoa", "--index", webui_index, "--width", 30)
    lines = out.splitlines()
    assert code == 0 and len(lines) == total
    assert all(line.index("[") == 31 and line[32:37].lower() == "cocoa" for line in lines)  # aligned
    code, out, _ = run(capsys, "kwic", "cocoa", "--index", webui_index, "--format", "csv", "--sort", "right")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == total and rows[0]["match"].lower() == "cocoa"
    code, out, _ = run(capsys, "kwic", "cocoa", "--index", webui_index, "--format", "jsonl",
                       "--publication", "Daily NK")
    assert code == 0 and out == ""
    code, _, err = run(capsys, "kwic", '"open', "--index", webui_index)
    assert code == 2 and "quote" in err


def test_trend_prints_one_column_per_query(webui_index, capsys):
    code, out, _ = run(capsys, "trend", "cocoa", "coffee", "--index", webui_index, "--interval", "month")
    rows = list(csv.reader(io.StringIO(out)))
    assert code == 0 and rows[0] == ["period", "total", "cocoa", "coffee"]
    series = Archive(webui_index).compare_trends(SearchRequest(), ["cocoa", "coffee"], "month")
    assert [int(r[3]) for r in rows[1:]] == [p.count for p in series[1].points]
    code, out, _ = run(capsys, "trend", "cocoa", "coffee", "--index", webui_index, "--format", "json", "--share")
    assert [s["query"] for s in json.loads(out)["series"]] == ["cocoa", "coffee"]
    code, _, err = run(capsys, "trend", *[f"w{i}" for i in range(7)], "--index", webui_index)
    assert code == 2 and "At most 6" in err


def test_collections_commands(webui_index, tmp_path, capsys):
    store = ["--index", webui_index, "--collections", tmp_path / "c.sqlite"]
    ids = [h.id for h in Archive(webui_index).search(SearchRequest(query="cocoa", per_page=3)).hits]
    code, out, _ = run(capsys, "collections", "add", "Cocoa", *ids, "--note", "first look", "--tag", "icco", *store)
    assert code == 0 and "3 added" in out
    code, out, _ = run(capsys, "collections", "add", "Coffee", "--query", "coffee", "--from", "1987-03",
                       "--to", "1987-03", *store)
    expected = Archive(webui_index).search(SearchRequest(query="coffee", per_page=1)).facets["month"]["1987-03"]
    assert code == 0 and f"{expected} added" in out
    code, out, _ = run(capsys, "collections", "list", "--json", *store)
    assert {c["name"]: c["size"] for c in json.loads(out)} == {"Cocoa": 3, "Coffee": expected}
    code, out, _ = run(capsys, "collections", "show", "Cocoa", "--json", *store)
    shown = json.loads(out)
    assert [i["id"] for i in shown["items"]] == ids and shown["items"][0]["note"] == "first look"
    assert shown["items"][0]["tags"] == ["icco"]
    code, out, _ = run(capsys, "collections", "export", "Cocoa", "--format", "ris", *store)
    assert [e["id"] for e in rispy.loads(out)] == ids
    code, out, _ = run(capsys, "collections", "export", "Cocoa", "--format", "csl-json", *store)
    assert [c["id"] for c in json.loads(out)] == ids
    code, out, _ = run(capsys, "collections", "remove", "Cocoa", ids[0], *store)
    assert code == 0 and "1 removed" in out
    code, out, _ = run(capsys, "collections", "rename", "Cocoa", "Cocoa 1987", *store)
    code, out, _ = run(capsys, "collections", "delete", "Coffee", *store)
    code, out, _ = run(capsys, "collections", "list", "--json", *store)
    assert {c["name"]: c["size"] for c in json.loads(out)} == {"Cocoa 1987": 2}


@pytest.mark.parametrize("argv, message", [
    (["add", "Cocoa", "no-such-id"], "no-such-id"),
    (["add", "a/b", "reuters-1"], "cannot contain"),
    (["add", "Cocoa"], "give article ids"),
    (["show", "Nope"], "no collection named"),
    (["delete", "Nope"], "no collection named"),
])
def test_collections_errors_exit_2(webui_index, tmp_path, capsys, argv, message):
    code, _, err = run(capsys, "collections", *argv, "--index", webui_index, "--collections", tmp_path / "c.sqlite")
    assert code == 2 and message in err


def test_collections_default_to_the_index_folder(webui_corpus, tmp_path, capsys):
    from indexer import build_index

    index_dir = tmp_path / "index"
    build_index([str(webui_corpus)], index_dir, jobs=1)
    code, _, _ = run(capsys, "collections", "add", "Here", "reuters-1", "--index", index_dir)
    assert code == 0 and (index_dir / "collections.sqlite").exists()
    code, _, err = run(capsys, "collections", "list", "--index", tmp_path / "nowhere")
    assert code == 2 and "index" in err.lower()
