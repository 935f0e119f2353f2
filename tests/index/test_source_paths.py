"""One file is one source however the path to it was typed: `tree`, `./tree/`,
`.` from inside it or `/abs/tree`. Sources are named by their absolute path
(symlinks not resolved), and manifests from before that (relative names) are
taken over without losing or duplicating articles. Real articles, real builds."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from indexer import Archive, SearchRequest
from indexer.index import sources, store
from indexer.index.build import build_index
from indexer.index.sources import matcher_of_roots, source_roots
from tests.conftest import CORPUS, REPO


def _records(n: int) -> list[dict]:
    with gzip.open(CORPUS / "reuters21578" / "reut2-000.jsonl.gz", "rt", encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh]
    return [r for r in records if r.get("headline") and r.get("body")][:n]


def _tree(root: Path, n: int = 6) -> Path:
    """`n` one-article .json files in two folders, and a plain-text article
    (no id of its own: its id is derived from its source path)."""
    for i, record in enumerate(_records(n)):
        folder = root / f"d{i % 2}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"a{i}.json").write_text(json.dumps(record), encoding="utf-8")
    shutil.copy(CORPUS / "dailynk" / "sojourn.txt", root / "d0" / "sojourn.txt")
    return root


def _manifest(index_dir: Path) -> dict:
    return json.loads((store.live_generation(index_dir) / "manifest.json").read_text(encoding="utf-8"))


def _doc_count(index_dir: Path) -> int:
    with whoosh_index.open_dir(str(store.live_generation(index_dir))).searcher() as searcher:
        return searcher.doc_count()


def _total(index_dir: Path, query: str) -> int:
    return Archive(index_dir).search(SearchRequest(query=query)).total


def _bump(path: Path) -> None:
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))


def _cli(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run([sys.executable, "-m", "indexer", *args], cwd=cwd, capture_output=True,
                          text=True, env=env, timeout=300)


def _assert_noop(report, total: int) -> None:
    assert report.mode == "incremental"
    assert report.sources["new"] == report.sources["changed"] == report.sources["removed"] == 0
    assert report.sources["unchanged"] == report.sources["scanned"]
    assert report.articles == {"added": 0, "updated": 0, "removed": 0, "total": total}
    assert report.failures == []


def test_relative_then_absolute_build_through_the_cli_is_a_noop(tmp_path):
    tree = _tree(tmp_path / "tree")
    first = _cli(tmp_path, "build", "tree", "--index", "idx", "--json")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["articles"]["total"] == 7

    again = _cli(tmp_path, "build", str(tree), "--index", str(tmp_path / "idx"), "--json")
    assert again.returncode == 0, again.stderr
    report = json.loads(again.stdout)
    assert report["failures"] == [] and "duplicate" not in again.stdout + again.stderr
    assert report["sources"]["unchanged"] == 7 and report["sources"]["new"] == 0
    assert report["articles"] == {"added": 0, "updated": 0, "removed": 0, "total": 7}
    assert _doc_count(tmp_path / "idx") == 7
    # what the researcher sees is the absolute path, whichever spelling built it
    assert sorted(_manifest(tmp_path / "idx")["sources"]) == sorted(
        str(p) for p in tree.rglob("*") if p.is_file())
    hit = json.loads(_cli(tmp_path, "search", "sojourn", "--json", "--index", "idx").stdout)["hits"][0]
    assert hit["source"] == str(tree / "d0" / "sojourn.txt")


def test_every_spelling_of_the_root_is_the_same_source(tmp_path, monkeypatch):
    tree = _tree(tmp_path / "tree")
    ix = tmp_path / "ix"
    monkeypatch.chdir(tmp_path)
    assert build_index(["tree"], ix, jobs=1).articles["total"] == 7
    for spelling in ("./tree/", "tree/", str(tree) + "/", f"{tmp_path}/./tree", "tree/../tree"):
        _assert_noop(build_index([spelling], ix, jobs=1), 7)
    monkeypatch.chdir(tree)
    _assert_noop(build_index(["."], ix, jobs=1), 7)
    _assert_noop(build_index(["./"], ix, jobs=1), 7)
    monkeypatch.chdir(tree / "d1")
    _assert_noop(build_index([".."], ix, jobs=1), 7)
    # a root given twice, or inside another root, reaches each file once
    _assert_noop(build_index([str(tree), "../", "../d0"], ix, jobs=1), 7)
    assert _doc_count(ix) == 7


def test_a_change_seen_through_another_spelling_updates_the_article(tmp_path, monkeypatch):
    tree = _tree(tmp_path / "tree")
    ix = tmp_path / "ix"
    monkeypatch.chdir(tmp_path)
    build_index(["tree"], ix, jobs=1)

    changed = tree / "d1" / "a1.json"
    record = json.loads(changed.read_text(encoding="utf-8"))
    record["body"] += "\n\nA correction mentions zanzibarian cloves."
    changed.write_text(json.dumps(record), encoding="utf-8")
    _bump(changed)
    report = build_index(["./tree/"], ix, jobs=1)
    assert report.failures == []
    assert report.sources["changed"] == 1 and report.sources["new"] == 0
    assert report.sources["unchanged"] == 6 and report.sources["removed"] == 0
    assert report.articles == {"added": 0, "updated": 1, "removed": 0, "total": 7}
    assert _total(ix, "zanzibarian") == 1 and _doc_count(ix) == 7

    # the same through a single file given by its absolute path
    record["body"] += " Nutmeg prices also rose sharply."
    changed.write_text(json.dumps(record), encoding="utf-8")
    _bump(changed)
    report = build_index([str(changed)], ix, jobs=1)
    assert report.sources["changed"] == 1 and report.failures == []
    assert _total(ix, "nutmeg") == 1 and _doc_count(ix) == 7


def test_a_removed_file_is_noticed_whatever_spelling_built_it(tmp_path, monkeypatch):
    tree = _tree(tmp_path / "tree")
    ix = tmp_path / "ix"
    build_index([str(tree)], ix, jobs=1)
    (tree / "d0" / "sojourn.txt").unlink()
    monkeypatch.chdir(tmp_path)
    report = build_index(["tree/"], ix, jobs=1)
    assert report.sources["removed"] == 1 and report.articles["removed"] == 1
    assert report.articles["total"] == 6 == _doc_count(ix)
    assert _total(ix, "sojourn") == 0

    (tree / "d1" / "a1.json").unlink()
    monkeypatch.chdir(tree)
    report = build_index(["."], ix, jobs=1)
    assert report.sources["removed"] == 1 and report.articles["total"] == 5 == _doc_count(ix)

    # a removed file under a folder built relatively, rebuilt by absolute path
    (tree / "d0" / "a0.json").unlink()
    report = build_index([str(tree / "d0")], ix, jobs=1)
    assert report.sources["removed"] == 1 and report.articles["total"] == 4 == _doc_count(ix)
    assert all(os.path.isabs(s) for s in _manifest(ix)["sources"])


def _legacy_build(paths: list[str], index_dir: Path, cwd: Path, monkeypatch) -> dict[str, dict]:
    """Build as older versions did: from `cwd`, each source named by the path
    as typed (relative here), and ids without one of their own derived from it."""
    with monkeypatch.context() as m:
        m.chdir(cwd)
        m.setattr(sources, "source_roots", lambda given: list(given))
        build_index(paths, index_dir, jobs=1)
    legacy = _manifest(index_dir)["sources"]
    assert not any(os.path.isabs(s) for s in legacy)
    return legacy


def _assert_taken_over(index_dir: Path, tree: Path, report, total: int) -> None:
    assert report.mode == "incremental" and report.failures == []
    assert report.articles["total"] == total == _doc_count(index_dir)
    assert _total(index_dir, "sojourn") == 1     # the derived-id article is not there twice
    sources = _manifest(index_dir)["sources"]
    assert all(os.path.isabs(s) for s in sources), sources
    assert sum(len(e["ids"]) for e in sources.values()) == total
    _assert_noop(build_index([str(tree)], index_dir, jobs=1), total)


def test_an_old_manifest_with_relative_sources_is_taken_over_once(tmp_path, monkeypatch):
    tree = _tree(tmp_path / "tree")
    ix = tmp_path / "ix"
    legacy = _legacy_build(["tree"], ix, tmp_path, monkeypatch)
    assert "tree/d0/sojourn.txt" in legacy
    sojourn_id = Archive(ix).search(SearchRequest(query="sojourn")).hits[0].id

    monkeypatch.chdir(tmp_path)
    report = build_index(["./tree"], ix, jobs=1)
    # read once more under the absolute names; the relative names retired
    assert report.sources["new"] == 7 and report.sources["removed"] == 7
    assert report.articles["added"] + report.articles["updated"] == 7
    _assert_taken_over(ix, tree, report, 7)
    # the record ids are kept; the derived one now comes from the absolute path
    assert Archive(ix).search(SearchRequest(query="sojourn")).hits[0].id != sojourn_id
    assert Archive(ix).get_article(sojourn_id) is None


@pytest.mark.parametrize("built_as", ["tree", "./tree/", "."])
def test_an_old_manifest_is_taken_over_from_another_directory(tmp_path, monkeypatch, built_as):
    tree = _tree(tmp_path / "tree")
    ix = tmp_path / "ix"
    _legacy_build([built_as], ix, tree if built_as == "." else tmp_path, monkeypatch)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    report = build_index([str(tree)], ix, jobs=1)
    _assert_taken_over(ix, tree, report, 7)


def test_old_sources_outside_the_build_keep_their_articles(tmp_path, monkeypatch):
    _tree(tmp_path / "tree")
    other = tmp_path / "other"
    other.mkdir()
    extra = _records(9)[8]
    (other / "extra.json").write_text(json.dumps(extra), encoding="utf-8")
    ix = tmp_path / "ix"
    _legacy_build(["tree", "other"], ix, tmp_path, monkeypatch)
    monkeypatch.chdir(tmp_path)

    report = build_index(["tree"], ix, jobs=1)
    assert report.failures == [] and report.sources["removed"] == 7
    assert report.articles["total"] == 8 == _doc_count(ix)
    assert Archive(ix).get_article(extra["id"]) is not None
    assert "other/extra.json" in _manifest(ix)["sources"]   # not covered yet: left as it was

    report = build_index(["other"], ix, jobs=1)
    assert report.failures == [] and report.articles["total"] == 8 == _doc_count(ix)
    assert all(os.path.isabs(s) for s in _manifest(ix)["sources"])


def test_a_changed_file_under_an_old_manifest_is_updated_not_duplicated(tmp_path, monkeypatch):
    tree = _tree(tmp_path / "tree")
    ix = tmp_path / "ix"
    _legacy_build(["tree"], ix, tmp_path, monkeypatch)
    changed = tree / "d0" / "a2.json"
    record = json.loads(changed.read_text(encoding="utf-8"))
    record["body"] += "\n\nA correction mentions zanzibarian cloves."
    changed.write_text(json.dumps(record), encoding="utf-8")
    _bump(changed)
    monkeypatch.chdir(tmp_path)
    report = build_index(["tree/"], ix, jobs=1)
    _assert_taken_over(ix, tree, report, 7)
    assert _total(ix, "zanzibarian") == 1


def test_roots_are_normalised_before_matching(tmp_path, monkeypatch):
    """Roots as given to build (relative, `./`, trailing slash or absolute) match the absolute source."""
    def under_roots(source: str, roots: list[str]) -> bool:
        return matcher_of_roots(source_roots(roots))(source)

    monkeypatch.chdir(tmp_path)
    source = str(tmp_path / "tree" / "d0" / "a0.json")
    for root in (".", "./", "tree", "./tree/", "tree/d0", str(tmp_path), "/", source):
        assert under_roots(source, [root]), root
    for root in ("tre", "tree/d1", "tree/d0/a0", "./other"):
        assert not under_roots(source, [root]), root
