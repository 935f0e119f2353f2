"""Hostile input: a corpus of bad files, generated here, beside real articles.

The build runs as a subprocess under a timeout (a hang fails the test instead of
the suite). It must finish, index every good file (each is found by a word only
it contains), report every bad file with its reason, and leave every source
byte-for-byte as it was.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import re
import stat
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from indexer.limits import MAX_ARTICLE_CHARS
from tests.system.faultkit import REPO, reuters_records, tree_digest

BUILD_TIMEOUT = 300


@dataclass
class HostileCorpus:
    src: Path
    good: dict[str, str] = field(default_factory=dict)   # file name -> a word only it contains
    bad: dict[str, str] = field(default_factory=dict)    # file name -> a word its reason must contain
    bad_lines: dict[str, set[int]] = field(default_factory=dict)  # record file -> bad line numbers
    records_ok: dict[str, int] = field(default_factory=dict)      # record file -> good records


def _story(headline: str, sentence: str) -> str:
    return f"{headline}\n\n{sentence}\n\nA second paragraph of ordinary reporting follows here.\n"


def make_hostile_corpus(src: Path, *, big_text_mb: int = 3) -> HostileCorpus:
    """Write the bad files (and the good ones they sit beside) into `src`."""
    src.mkdir(parents=True)
    corpus = HostileCorpus(src)
    rng = random.Random(20261128)
    recs = reuters_records(12)

    # --- good files, each with a word no other file has
    (src / "good.jsonl").write_text("".join(json.dumps(r) + "\n" for r in recs[:3]))
    corpus.good["good.jsonl"] = recs[0]["headline"].split()[0].lower()
    corpus.records_ok["good.jsonl"] = 3
    (src / "latin1-undeclared.txt").write_bytes(_story(
        "Zürich café prices", "The café owners of Zürich said señor Müller raised the price of "
        "espresso again, blaming the rent.").encode("cp1252"))
    corpus.good["latin1-undeclared.txt"] = "espresso"
    page = ('<html><head><meta charset="iso-8859-1"><title>Zürich quay news</title></head><body>'
            '<article><h1>Zürich quay news</h1><p>The ferrymen of Zürich said señor Müller moved the '
            'gondolier timetable for the third time this year, citing rents and wages.</p>'
            '<p>Another paragraph of plain reporting from the lake shore about prices and wages.</p>'
            '</article></body></html>')
    (src / "wrong-charset.html").write_bytes(page.encode("utf-8"))      # says latin-1, is UTF-8
    corpus.good["wrong-charset.html"] = "gondolier"
    (src / "utf16-bom.txt").write_bytes(_story(
        "Kiwi harvest", "The kiwifruit harvest in the Bay of Plenty beat forecasts.").encode("utf-16"))
    corpus.good["utf16-bom.txt"] = "kiwifruit"
    deep = ("<html><body>" + "<div>" * 5000 + "<p>Quetzal breeders gathered in the deepest hall "
            "of the archive to discuss feathers and permits for the coming season.</p>"
            + "</div>" * 5000 + "</body></html>")
    (src / "nested-5000.html").write_text(deep)
    corpus.good["nested-5000.html"] = "quetzal"
    words = " ".join(r["body"] for r in recs)
    with open(src / "big.txt", "w", encoding="utf-8") as fh:
        fh.write("A very long wire digest\n\nThe pangolin digest opens here.\n\n")
        while fh.tell() < big_text_mb * 1024 * 1024:
            fh.write(words)
    corpus.good["big.txt"] = "pangolin"
    if big_text_mb * 1024 * 1024 > MAX_ARTICLE_CHARS:
        corpus.bad["big.txt"] = "body cut"  # indexed, and the cut (MAX_ARTICLE_CHARS) reported
    (src / "<img src=x onerror=alert(1)> name.txt").write_text(_story(
        "Hostile file name", "The narwhal census was published by the fisheries board."))
    corpus.good["<img src=x onerror=alert(1)> name.txt"] = "narwhal"
    (src / "line\nbreak name.txt").write_text(_story(
        "Newline in the name", "The axolotl exhibit reopened after repairs, the museum said."))
    corpus.good["line\nbreak name.txt"] = "axolotl"
    (src / "日本語の記事.txt").write_text(_story("Japanese file name", "The okapi keepers met."))
    corpus.good["日本語の記事.txt"] = "okapi"
    (src / "-starts-with-dash.txt").write_text(_story("Dash", "The wombat burrow survey ended."))
    corpus.good["-starts-with-dash.txt"] = "wombat"

    # --- a record file with good and broken lines: the good ones are indexed
    lines = [json.dumps(recs[3]), '{"headline": "cut off', json.dumps(recs[4]), "[1, 2, 3]",
             "{{{garbage", json.dumps(recs[5]), '{"id": "x"}', ""]
    (src / "broken-lines.jsonl").write_text("\n".join(lines) + "\n")
    corpus.good["broken-lines.jsonl"] = recs[3]["headline"].split()[0].lower()
    corpus.bad_lines["broken-lines.jsonl"] = {2, 4, 5, 7}
    corpus.records_ok["broken-lines.jsonl"] = 3

    # --- bad files: name -> a word the reason must contain
    (src / "empty.txt").write_bytes(b"")
    corpus.bad["empty.txt"] = "empty"
    (src / "blank.html").write_text(" \n\t\n  ")
    corpus.bad["blank.html"] = "empty"
    (src / "empty.jsonl").write_bytes(b"")
    corpus.bad["empty.jsonl"] = "empty"
    noise = bytes(rng.getrandbits(8) for _ in range(64 * 1024))
    for name in ("binary.txt", "binary.html", "binary.json", "binary.csv"):
        (src / name).write_bytes(noise)
        corpus.bad[name] = ""   # any reason, as long as it is reported
    packed = gzip.compress(json.dumps(recs[6]).encode() * 20)
    (src / "truncated.jsonl.gz").write_bytes(packed[: len(packed) // 2])
    corpus.bad["truncated.jsonl.gz"] = "gzip"
    (src / "truncated.txt.gz").write_bytes(gzip.compress(b"Headline\n\nBody text here.\n" * 50)[:30])
    corpus.bad["truncated.txt.gz"] = "gzip"
    (src / "not-really.txt.gz").write_text(_story("Plain", "Not gzip at all."))
    corpus.bad["not-really.txt.gz"] = "gzip"
    (src / "no-header.csv").write_text(
        "\n".join(f'"{r["headline"]}","{r["body"][:80]}",Reuters,1987-03-0{i + 1}'
                  for i, r in enumerate(recs[7:10])) + "\n")
    corpus.bad["no-header.csv"] = "header"
    (src / "nested.json").write_text("[" * 100_000 + "]" * 100_000)
    corpus.bad["nested.json"] = "nested"
    (src / "not-json.json").write_text("{this is not json")
    corpus.bad["not-json.json"] = "json"
    (src / "script-only.html").write_text("<html><head><script>var a = 1;</script></head><body>"
                                          "<script>alert(1)</script></body></html>")
    corpus.bad["script-only.html"] = "no article text"

    # --- the file system itself
    os.symlink(".", src / "loop")                        # a folder loop
    corpus.bad["loop"] = "loop"
    os.symlink("self-link.txt", src / "self-link.txt")   # a link to itself
    corpus.bad["self-link.txt"] = "link"
    os.symlink("nowhere.txt", src / "dangling.txt")
    corpus.bad["dangling.txt"] = "link"
    os.mkfifo(src / "named-pipe.txt")                    # opening it would block forever
    return corpus


def run_build(*args: str, timeout: float = BUILD_TIMEOUT, prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    """`newsindex build --json ...` in a subprocess (behind `prefix`, e.g. setpriv)."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([*prefix, sys.executable, "-m", "indexer", "build", "--json", *args], cwd=REPO,
                          env=env, capture_output=True, text=True, timeout=timeout)


def failures_by_name(report: dict, src: Path) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for failure in report["failures"]:
        found.setdefault(os.path.relpath(failure["source"], src), []).append(failure)
    return found


def search_total(index_dir: Path, text: str) -> int:
    from indexer import Archive, SearchRequest

    return Archive(index_dir).search(SearchRequest(query=text)).total


def test_hostile_corpus_is_indexed_and_reported(tmp_path):
    corpus = make_hostile_corpus(tmp_path / "src")
    index_dir = tmp_path / "ix"
    before = tree_digest(corpus.src)
    proc = run_build(str(corpus.src), "--index", str(index_dir), "--jobs", "2")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    report = json.loads(proc.stdout)
    failed = failures_by_name(report, corpus.src)

    for name, reason_word in corpus.bad.items():
        assert name in failed, f"{name!r} is not reported"
        assert all(reason_word in f["reason"].lower() for f in failed[name]), (name, failed[name])
    for name, lines in corpus.bad_lines.items():
        assert {f["line"] for f in failed[name]} == lines, failed[name]
    unexpected = set(failed) - set(corpus.bad) - set(corpus.bad_lines) - {"named-pipe.txt"}  # see below
    assert not unexpected, {n: failed[n] for n in unexpected}

    from indexer.index import store
    manifest = json.loads((store.live_generation(index_dir) / "manifest.json").read_text())
    indexed = {os.path.relpath(s, corpus.src): len(e["ids"]) for s, e in manifest["sources"].items()}
    for name, word in corpus.good.items():
        assert indexed.get(name, 0) == corpus.records_ok.get(name, 1), f"{name!r} not indexed"
        assert search_total(index_dir, word) >= 1, (name, word)
    assert report["articles"]["total"] == sum(corpus.records_ok.get(n, 1) for n in corpus.good)
    # decoded, not mojibake
    from indexer import Archive, SearchRequest
    archive = Archive(index_dir)
    for word in ("espresso", "gondolier"):
        hit = archive.search(SearchRequest(query=word)).hits[0]
        article = archive.get_article(hit.id)
        assert "Zürich" in article.body and "Ã" not in article.body, article.body[:200]
    # the file-name payload is data, never markup
    hit = archive.search(SearchRequest(query="narwhal")).hits[0]
    assert hit.source.endswith("<img src=x onerror=alert(1)> name.txt")

    assert tree_digest(corpus.src) == before
    again = run_build(str(corpus.src), "--index", str(index_dir), "--jobs", "2")
    assert again.returncode == 0, again.stderr[-3000:]
    second = json.loads(again.stdout)
    assert second["sources"]["new"] == second["sources"]["changed"] == 0
    assert second["articles"]["total"] == report["articles"]["total"]
    strict = run_build(str(corpus.src), "--index", str(index_dir), "--strict")
    assert strict.returncode == 1
    assert tree_digest(corpus.src) == before


def test_a_zero_filled_line_loses_only_that_line(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    recs = reuters_records(3)
    torn = json.dumps(recs[0]) + "\n" + "\x00" * 4096 + "\n" + json.dumps(recs[1]) + "\n"
    (src / "torn.jsonl").write_text(torn)
    proc = run_build(str(src), "--index", str(tmp_path / "ix"), timeout=60)
    assert proc.returncode == 0, proc.stderr[-2000:]
    report = json.loads(proc.stdout)
    assert report["articles"]["total"] == 2
    assert [f["line"] for f in report["failures"]] == [2]


def test_a_named_pipe_is_reported_not_read(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "ok.txt").write_text(_story("Fine", "The tapir story."))
    os.mkfifo(src / "pipe.txt")
    proc = run_build(str(src), "--index", str(tmp_path / "ix"), timeout=60)
    assert proc.returncode == 0
    failed = failures_by_name(json.loads(proc.stdout), src)
    assert "pipe.txt" in failed and "regular file" in failed["pipe.txt"][0]["reason"]


def _without_file_permission_override() -> tuple[str, ...]:
    """A command prefix under which chmod 000 really blocks reads. Root reads
    anything (CAP_DAC_OVERRIDE), so as root the build runs with those
    capabilities dropped from its bounding set (util-linux setpriv)."""
    if os.geteuid() != 0:
        return ()
    import shutil
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: chmod 000 cannot block reads here")
    return (setpriv, "--bounding-set", "-dac_override,-dac_read_search", "--")


def test_unreadable_file_and_folder_are_reported(tmp_path):
    prefix = _without_file_permission_override()
    src = tmp_path / "src"
    src.mkdir()
    (src / "ok.txt").write_text(_story("Readable", "The capybara census grew."))
    (src / "locked.txt").write_text(_story("Locked", "The secretive pika story."))
    (src / "closed").mkdir()
    (src / "closed" / "inside.txt").write_text(_story("Inside", "The hidden quokka story."))
    before = tree_digest(src)
    os.chmod(src / "locked.txt", 0)
    os.chmod(src / "closed", 0)
    try:
        probe = subprocess.run([*prefix, "cat", str(src / "locked.txt")], capture_output=True)
        if probe.returncode == 0:
            pytest.skip("chmod 000 does not block reads for this user")
        proc = run_build(str(src), "--index", str(tmp_path / "ix"), prefix=prefix, timeout=120)
        assert proc.returncode == 0, proc.stderr[-2000:]
        report = json.loads(proc.stdout)
        failed = failures_by_name(report, src)
        assert "permission" in failed["locked.txt"][0]["reason"].lower(), failed
        assert "permission" in failed["closed"][0]["reason"].lower(), failed
        assert report["articles"]["total"] == 1
        assert search_total(tmp_path / "ix", "capybara") == 1
        assert stat.S_IMODE((src / "locked.txt").stat().st_mode) == 0   # untouched
    finally:
        os.chmod(src / "closed", 0o755)
        os.chmod(src / "locked.txt", 0o644)
    assert tree_digest(src) == before


def test_a_file_name_that_is_not_utf8(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "ok.txt").write_text(_story("Fine", "The tapir story."))
    raw = os.fsencode(str(src)) + b"/caf\xe9-latin1-name.txt"
    with open(raw, "wb") as fh:
        fh.write(_story("Latin-1 name", "The ocelot registry grew again.").encode())
    proc = run_build(str(src), "--index", str(tmp_path / "ix"), timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert json.loads(proc.stdout)["articles"]["total"] == 2
    assert search_total(tmp_path / "ix", "ocelot") == 1
    assert os.path.exists(raw)


def test_a_lone_surrogate_in_a_record(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "s.jsonl").write_text('{"id": "sur-1", "headline": "Lone surrogate \\ud800 story", '
                                 '"body": "The yak herders said \\udce9 prices rose."}\n')
    proc = run_build(str(src), "--index", str(tmp_path / "ix"), timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    from webui import create_app
    client = create_app(tmp_path / "ix").test_client()
    for url in ("/search?q=yak", "/article/sur-1", "/api/search?q=yak", "/export?q=yak&format=csv"):
        response = client.get(url)
        assert response.status_code == 200, url
        response.get_data()
    out = subprocess.run([sys.executable, "-m", "indexer", "search", "yak", "--json", "--index",
                          str(tmp_path / "ix")], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr[-1000:]


@pytest.mark.slow
def test_a_50_mb_text_file(tmp_path):
    """A 50 MB plain-text file (real wire text) is indexed, not refused, and the
    build ends within the timeout (about 2 minutes here)."""
    src = tmp_path / "src"
    src.mkdir()
    recs = reuters_records(400)
    text = "\n\n".join(r["body"] for r in recs)
    with open(src / "huge.txt", "w", encoding="utf-8") as fh:
        fh.write("A fifty megabyte wire digest\n\nThe manatee digest opens here.\n\n")
        while fh.tell() < 50 * 1024 * 1024:
            fh.write(text)
    (src / "small.txt").write_text(_story("Small", "The tapir story."))
    proc = run_build(str(src), "--index", str(tmp_path / "ix"), "--jobs", "2", timeout=900)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert json.loads(proc.stdout)["articles"]["total"] == 2
    assert search_total(tmp_path / "ix", "manatee") == 1


# --------------------------------------------------------------------------- hostile requests

from tests.conftest import listening_addresses  # noqa: E402

TRAVERSALS = [
    "/article/../../etc/passwd", "/article/..%2F..%2F..%2Fetc%2Fpasswd", "/api/article/..%2F..%2Fetc%2Fpasswd",
    "/static/../pyproject.toml", "/static/..%2fpyproject.toml", "/static/%2e%2e/pyproject.toml",
    "/static/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/static//etc/passwd", "/static/..\\pyproject.toml",
    "//etc/passwd", "/static/style.css/../../pyproject.toml", "/static/%252e%252e/pyproject.toml",
    "/export?format=../../etc/passwd", "/article/%00", "/static/style.css%00.txt",
]
# Searches that name files: an answer (usually empty), never the file.
FILE_QUERIES = ["/export?format=jsonl&q=source:/etc/passwd", "/api/search?q=url:file:///etc/passwd",
                "/search?q=%2Fetc%2Fpasswd"]
SECRETS = (b"root:x:0:0", b"[build-system]", b"[project]")


def _raw_get(port: int, path: str) -> tuple[int, bytes]:
    """GET with the path exactly as written (no client-side normalisation)."""
    import socket

    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode("latin-1"))
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    status = int(data.split(b" ", 2)[1])
    return status, data


def test_serve_binds_loopback_by_default_and_never_serves_files(webui_index):
    """`newsindex serve` with no --host: only 127.0.0.1 listens, and no path,
    however encoded, reaches a file outside the static folder."""
    import inspect
    import socket

    from webui import server
    assert inspect.signature(server.serve).parameters["host"].default == "127.0.0.1"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    server = subprocess.Popen([sys.executable, "-m", "indexer", "serve", "--index", str(webui_index),
                               "--port", str(port), "--threads", "2"], cwd=REPO, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert server.poll() is None, server.stderr.read().decode()
                assert time.monotonic() < deadline, "the server never listened"
                time.sleep(0.1)
        assert listening_addresses(port) == {"0100007F"}, listening_addresses(port)
        assert _raw_get(port, "/static/style.css")[0] == 200
        for path in TRAVERSALS:
            status, data = _raw_get(port, path)
            if status in (301, 308):    # werkzeug merges slashes: follow it, on this server only
                from urllib.parse import urlsplit
                location = re.search(rb"\r\nLocation: ([^\r]+)", data).group(1).decode("latin-1")
                target = urlsplit(location)
                assert target.netloc in ("", f"127.0.0.1:{port}") and target.path.startswith("/static/"), location
                location = target.path
                assert not any(secret in data for secret in SECRETS), path
                status, data = _raw_get(port, location)
            assert status in (400, 404), (path, status)
            assert not any(secret in data for secret in SECRETS), path
            assert b"Content-Security-Policy: default-src 'self'" in data, path
        for path in FILE_QUERIES:
            status, data = _raw_get(port, path)
            assert status in (200, 400), (path, status)
            assert not any(secret in data for secret in SECRETS), path
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        server.stderr.close()


def test_hostile_file_name_is_inert_in_the_web_ui(tmp_path):
    """A source path is article data too: a file named like markup shows as text."""
    from urllib.parse import quote

    from tests.webui.test_views import audit
    from webui import create_app

    src = tmp_path / "src"
    src.mkdir()
    name = "\"><img src=x onerror=alert(1)><svg onload=alert(2)>.txt"   # no '/': it is a file name
    (src / name).write_text(_story("Hostile file name", "The narwhal census was published."))
    proc = run_build(str(src), "--index", str(tmp_path / "ix"), timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    client = create_app(tmp_path / "ix").test_client()
    hit = client.get("/api/search?q=narwhal").get_json()["hits"][0]
    assert hit["source"].endswith(name)
    for url in ("/search?q=narwhal", "/article/" + quote(hit["id"], safe="") + "?q=narwhal",
                "/search?q=" + quote("source:" + name[:10])):
        response = client.get(url)
        assert response.status_code < 500
        page = response.get_data(as_text=True)
        assert not audit(page).problems, (url, audit(page).problems)
    article_page = client.get("/article/" + quote(hit["id"], safe="")).get_data(as_text=True)
    assert "&lt;img src=x onerror=alert(1)&gt;" in article_page   # shown, as text
